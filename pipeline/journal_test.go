package pipeline

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ciosim/ciosim/aep"
)

func journalLines(t testing.TB, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b, []byte("\n"))
}

func TestJournal_appendWaitsForItsWrite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, err := CreateJournal(path, JournalHeader{Command: "send"})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(line int) Result {
		return Result{Result: aep.Result{Message: aep.Message{Input: "a.jsonl", Line: line}, Outcome: Delivered}}
	}
	t1 := j.Append(mk(1))
	j.Append(mk(2), mk(3))
	t3 := j.Append(mk(4))
	if n := journalLines(t, path); n != 1 {
		t.Fatalf("%d lines before any Wait, want the header alone", n)
	}
	if err := j.Wait(t1); err != nil {
		t.Fatal(err)
	}
	// Waiting for the first ticket writes everything appended so far, in one write.
	if n, st := journalLines(t, path), j.Stats(); n != 5 || st.Writes != 1 || st.Entries != 4 {
		t.Fatalf("after Wait: %d lines, %+v; want 5 lines from 1 write of 4 entries", n, st)
	}
	if err := j.Wait(t3); err != nil || j.Stats().Writes != 1 {
		t.Fatalf("Wait on a written ticket wrote again (%+v) or failed: %v", j.Stats(), err)
	}
	j.Append(mk(5))
	if err := j.Close(Counts{}); err != nil {
		t.Fatal(err)
	}
	st, err := ReadJournal(path)
	if err != nil || !st.Ended || st.DoneCount() != 5 {
		t.Fatalf("after Close: %v ended=%v done=%d, want the buffered entry and the end line written", err, st.Ended, st.DoneCount())
	}
}

// TestDeliver_journalHoldsEveryResultBeforeTheNextSend checks the journal's promise from
// the endpoint's side: when the n-th request arrives, the journal file already holds at
// least n - concurrency results (each worker has at most the request it is sending
// unjournaled), which bounds what a kill -9 can leave unknown.
func TestDeliver_journalHoldsEveryResultBeforeTheNextSend(t *testing.T) {
	t.Parallel()
	const conc, n = 4, 300
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, err := CreateJournal(path, JournalHeader{Command: "send", InFlight: conc})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	arrived, worst := 0, 0
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request, b []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		arrived++
		if d := arrived - (journalLines(t, path) - 1); d > worst {
			worst = d
		}
		return false
	})
	res, err := collect(t, context.Background(), sliceSource(records(n, func(int) []byte { return []byte(`{}`) })),
		e.client(t, aep.Options{Concurrency: conc}), Options{Journal: j})
	if err != nil || len(res) != n {
		t.Fatalf("delivered %d, err %v", len(res), err)
	}
	if worst > conc {
		t.Fatalf("a request arrived with %d sent events not in the journal, want at most %d (the concurrency)", worst, conc)
	}
	// Deliver writes every result before it returns.
	if got := journalLines(t, path) - 1; got != n {
		t.Fatalf("journal holds %d results when Deliver returned, want %d", got, n)
	}
	j.Close(Counts{})
}

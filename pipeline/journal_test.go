package pipeline

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// TestDeliver_batchJournalNamesExactlyTheBatchesInFlight stops the endpoint from answering
// the third and fourth batch requests and reads the journal as a kill -9 would leave it:
// it must show the first two batches delivered and name exactly the events of the two in
// flight as possibly sent, so a resume knows its duplicates exactly, not up to
// concurrency × batch size.
func TestDeliver_batchJournalNamesExactlyTheBatchesInFlight(t *testing.T) {
	t.Parallel()
	const n, batch = 40, 5
	dir := t.TempDir()
	path := filepath.Join(dir, "j.jsonl")
	j, err := CreateJournal(path, JournalHeader{Command: "send", Inputs: []string{"m"}, InFlight: 2 * batch, Sending: true})
	if err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	var reqs atomic.Int64
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request, b []byte) bool {
		if reqs.Add(1) > 2 {
			<-release
		}
		return false
	})
	src := sliceSource(records(n, func(int) []byte { return []byte(`{}`) }))
	done := make(chan error, 1)
	go func() {
		_, err := collect(t, context.Background(), src, e.client(t, aep.Options{Mode: aep.ModeBatch, Concurrency: 2, BatchMaxMessages: batch}), Options{Journal: j})
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for reqs.Load() < 4 {
		if time.Now().After(deadline) {
			t.Fatal("the two blocked batches never arrived")
		}
		time.Sleep(time.Millisecond)
	}
	killed := filepath.Join(dir, "killed.jsonl")
	if err := os.WriteFile(killed, mustReadFile(t, path), 0o644); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	j.Close(Counts{})

	st, err := ReadJournal(killed)
	if err != nil || st.Ended || !st.Sending {
		t.Fatalf("killed journal: %v ended %v sending %v", err, st != nil && st.Ended, st != nil && st.Sending)
	}
	var done2, maybe []int
	for line := 1; line <= n; line++ {
		if st.Done("m", line) {
			done2 = append(done2, line)
		}
		if st.MaybeSent("m", line) {
			maybe = append(maybe, line)
		}
	}
	// Which two batches answered first depends on the workers' race; together the four
	// batches are lines 1-20, each in exactly one of the two sets.
	seen := map[int]bool{}
	for _, l := range append(append([]int{}, done2...), maybe...) {
		if l > 4*batch || seen[l] {
			t.Errorf("line %d counted twice or beyond the four batches sent", l)
		}
		seen[l] = true
	}
	if len(done2) != 2*batch || len(maybe) != 2*batch {
		t.Errorf("done %v and maybe sent %v: want the %d events of the two answered batches and exactly the %d of the two in flight",
			done2, maybe, 2*batch, 2*batch)
	}
	// After the run finished, nothing is pending any more.
	st, _ = ReadJournal(path)
	for line := 1; line <= n; line++ {
		if st.MaybeSent("m", line) || !st.Done("m", line) {
			t.Fatalf("line %d after the whole run: done %v maybe %v", line, st.Done("m", line), st.MaybeSent("m", line))
		}
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

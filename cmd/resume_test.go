package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/pipeline"
)

// TestMain lets a test run ciosim as a subprocess (to kill it): with CIOSIM_TEST_MAIN set,
// the test binary is ciosim.
func TestMain(m *testing.M) {
	if os.Getenv("CIOSIM_TEST_MAIN") == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := Main(ctx, os.Args[1:], Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}, os.Getenv)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// countingInlet counts the posts of each event id and answers after a short wait, so a run
// lasts long enough to be interrupted.
type countingInlet struct {
	srv   *httptest.Server
	mu    sync.Mutex
	posts map[string]int
	total int
}

func newCountingInlet(t *testing.T, wait time.Duration) *countingInlet {
	c := &countingInlet{posts: map[string]int{}}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var ev struct {
			EventID string `json:"event_id"`
		}
		json.Unmarshal(b, &ev)
		time.Sleep(wait)
		c.mu.Lock()
		c.posts[ev.EventID]++
		c.total++
		c.mu.Unlock()
		io.WriteString(w, `{"xactionId":"1:1:1"}`)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *countingInlet) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.total
}

// startSend runs `ciosim send` as a subprocess in dir.
func startSend(t *testing.T, dir string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"send"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CIOSIM_TEST_MAIN=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out, &errb
}

func waitForPosts(t *testing.T, c *countingInlet, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for c.count() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d posts after 20s", c.count())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSend_killedThenResumedDeliversEverything(t *testing.T) {
	const n, conc = 3000, 8
	in, ids := genEvents(t, n)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "events.jsonl"), []byte(in), 0o644)
	inlet := newCountingInlet(t, time.Millisecond)
	to := inlet.srv.URL + "/collection/" + emulator.DefaultInletID
	cmd, _, _ := startSend(t, dir, "events.jsonl", "--to", to, "--flow-id", "f", "--concurrency", fmt.Sprint(conc), "--no-progress")
	waitForPosts(t, inlet, n/4)
	cmd.Process.Kill() // SIGKILL: no report, no end line in the journal
	cmd.Wait()
	before := inlet.count()
	if before >= n {
		t.Fatalf("the run finished before the kill (%d posts)", before)
	}
	j, err := os.ReadFile(filepath.Join(dir, "dead-letters.journal.jsonl"))
	if err != nil || bytes.Contains(j, []byte(`"end"`)) {
		t.Fatalf("journal after kill -9: %v, end line present=%v", err, bytes.Contains(j, []byte(`"end"`)))
	}

	// Resume from another directory: the journal names the inputs and where they are.
	code, out, errOut := run(t, nil, "", "send", "--resume", filepath.Join(dir, "dead-letters.journal.jsonl"), "--to", to, "--flow-id", "f",
		"--concurrency", fmt.Sprint(conc), "--report", "json", "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	if code != 0 {
		t.Fatalf("resume exit %d: %s", code, errOut)
	}
	rep := sendReportOf(t, out)
	dups := 0
	inlet.mu.Lock()
	for _, id := range ids {
		switch c := inlet.posts[id]; {
		case c == 0:
			t.Errorf("event %s never delivered", id)
		case c > 1:
			dups += c - 1
		}
	}
	inlet.mu.Unlock()
	t.Logf("killed after %d posts; resume sent %d, skipped %d as done; %d duplicates, report says up to %d", before, rep.Events, rep.AlreadyDone, dups, rep.MaybeDuplicates)
	if dups > conc {
		t.Errorf("%d duplicates, want at most the concurrency %d", dups, conc)
	}
	if rep.MaybeDuplicates < dups || rep.MaybeDuplicates > conc {
		t.Errorf("report says %d may be duplicates; there are %d (concurrency %d)", rep.MaybeDuplicates, dups, conc)
	}
	if want := fmt.Sprintf("at most: the run was killed with up to %d events in requests in flight", conc); !strings.Contains(rep.MaybeDuplicatesWhy, want) {
		t.Errorf("the report's reason %q does not give the bound (%q)", rep.MaybeDuplicatesWhy, want)
	}
	if rep.AlreadyDone+rep.Events != n {
		t.Errorf("already done %d + sent %d != %d", rep.AlreadyDone, rep.Events, n)
	}
}

func TestSend_interruptLeavesAReportAndAJournalResumeCompletes(t *testing.T) {
	const n = 2000
	in, ids := genEvents(t, n)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "events.jsonl"), []byte(in), 0o644)
	inlet := newCountingInlet(t, time.Millisecond)
	to := inlet.srv.URL + "/collection/" + emulator.DefaultInletID
	cmd, out, errb := startSend(t, dir, "events.jsonl", "--to", to, "--flow-id", "f", "--concurrency", "4", "--report", "json")
	waitForPosts(t, inlet, n/4)
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != ExitInterrupted {
		t.Fatalf("exit %v, want %d; stderr %s", err, ExitInterrupted, errb)
	}
	var rep pipeline.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || rep.Delivered == 0 || rep.Delivered >= n {
		t.Fatalf("report after Ctrl-C: %v %+v\n%s", err, rep, out)
	}
	if !strings.Contains(errb.String(), "ciosim send --resume dead-letters.journal.jsonl") {
		t.Errorf("stderr does not say how to resume: %s", errb)
	}
	st, err := pipeline.ReadJournal(filepath.Join(dir, "dead-letters.journal.jsonl"))
	if err != nil || !st.Ended || st.DoneCount() != rep.Delivered {
		t.Fatalf("journal: %v ended=%v done=%d, report delivered %d", err, st != nil && st.Ended, st.DoneCount(), rep.Delivered)
	}
	cmd, out, errb = startSend(t, dir, "--resume", "dead-letters.journal.jsonl", "--to", to, "--flow-id", "f", "--report", "json")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("resume: %v %s", err, errb)
	}
	var rep2 pipeline.Report
	json.Unmarshal(out.Bytes(), &rep2)
	if rep2.AlreadyDone != rep.Delivered || rep2.Delivered != n-rep.Delivered {
		t.Errorf("resume report %+v after %+v", rep2.Counts, rep.Counts)
	}
	inlet.mu.Lock()
	defer inlet.mu.Unlock()
	dups := 0
	for _, id := range ids {
		if inlet.posts[id] == 0 {
			t.Fatalf("event %s never delivered", id)
		}
		dups += inlet.posts[id] - 1
	}
	if dups > rep2.MaybeDuplicates {
		t.Errorf("%d duplicates, the report said at most %d", dups, rep2.MaybeDuplicates)
	}
}

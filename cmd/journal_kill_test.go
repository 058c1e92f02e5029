package cmd

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/pipeline"
)

// startCiosim runs ciosim as a subprocess in dir (to kill it) with stderr on a pipe.
func startCiosim(t *testing.T, dir string, args ...string) (*exec.Cmd, io.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CIOSIM_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, stderr
}

func TestGenerateTo_killedThenResumedFiresEveryEvent(t *testing.T) {
	const n = 2000
	dir := t.TempDir()
	inlet := newCountingInlet(t, time.Millisecond)
	to := inlet.srv.URL + "/collection/abc"
	gen := []string{"generate", "--all", "--count", fmt.Sprint(n), "--seed", "7", "--to", to, "--flow-id", "f"}
	cmd, stderr := startCiosim(t, dir, gen...)
	go io.Copy(io.Discard, stderr)
	waitForPosts(t, inlet, n/4)
	cmd.Process.Kill() // SIGKILL: no report, no end line
	cmd.Wait()
	before := inlet.count()
	if before >= n {
		t.Fatalf("the run finished before the kill (%d posts)", before)
	}
	journal := filepath.Join(dir, "generate.journal.jsonl")
	st, err := pipeline.ReadJournal(journal)
	if err != nil || st.Ended || st.First.Command != "generate" {
		t.Fatalf("journal after kill -9: %v, ended %v", err, st != nil && st.Ended)
	}
	// generate --to fires one event at a time: at most one sent and not journaled.
	if d := before - st.DoneCount(); d < 0 || d > 1 {
		t.Errorf("the inlet has %d posts, the journal %d delivered: want at most 1 unjournaled", before, st.DoneCount())
	}

	// Other options would make other events: refused.
	code, _, errOut := run(t, nil, "", "generate", "--all", "--count", fmt.Sprint(n), "--seed", "8", "--to", to, "--flow-id", "f", "--resume", journal)
	if code != ExitUsage || !strings.Contains(errOut, "options differ") {
		t.Errorf("resume with another seed: exit %d, %s", code, errOut)
	}
	code, _, errOut = run(t, nil, "", append(gen, "--resume", journal)...)
	if code != 0 {
		t.Fatalf("resume exit %d: %s", code, errOut)
	}
	t.Logf("killed after %d posts; resume said: %s", before, errOut)
	code, out, _ := run(t, nil, "", "generate", "--all", "--count", fmt.Sprint(n), "--seed", "7")
	if code != 0 {
		t.Fatal("generate without --to failed")
	}
	dups := 0
	inlet.mu.Lock()
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		id := customerio.FromBytes([]byte(line)).EventID
		switch c := inlet.posts[id]; {
		case c == 0:
			t.Errorf("event %d (%s) never fired", i+1, id)
		case c > 1:
			dups += c - 1
		}
	}
	total := inlet.total
	inlet.mu.Unlock()
	if dups > 1 {
		t.Errorf("%d duplicates, want at most 1 (one request in flight)", dups)
	}
	var fired, done, maybe int
	fmt.Sscanf(errOut[strings.Index(errOut, "fired "):], "fired %d", &fired)
	if i := strings.Index(errOut, "already done"); i >= 0 {
		fmt.Sscanf(strings.TrimPrefix(errOut[i:], "already done"), "%d", &done)
	}
	if i := strings.Index(errOut, "may be duplicates"); i >= 0 {
		fmt.Sscanf(strings.TrimPrefix(errOut[i:], "may be duplicates"), "%d", &maybe)
	}
	if fired+done != n || maybe < dups || maybe > 1 {
		t.Errorf("resume report: fired %d + already done %d, want %d; may be duplicates %d (there are %d, bound 1)", fired, done, n, maybe, dups)
	}
	t.Logf("%d posts for %d events, %d duplicates", total, n, dups)
}

// TestRecordForward_killedJournalAccountsForEveryForward kills a forwarding recorder with
// SIGKILL while its forward queue is full, then checks the journal: every line names the
// capture's store file and line, every capture the inlet got but one (the request in
// flight) is journaled delivered, so the stored captures without a delivered line are
// exactly what is left to forward; a restarted recorder appends to the journal.
func TestRecordForward_killedJournalAccountsForEveryForward(t *testing.T) {
	const n = 200
	dir := t.TempDir()
	inlet := newCountingInlet(t, 3*time.Millisecond)
	to := inlet.srv.URL + "/collection/abc"
	start := func() (*exec.Cmd, string) {
		cmd, stderr := startCiosim(t, dir, "record", "--listen", "127.0.0.1:0", "--dir", "rec", "--forward", to, "--forward-flow-id", "f", "--fsync", "never")
		sc := bufio.NewScanner(stderr)
		url := ""
		for sc.Scan() {
			if m := listenRe.FindStringSubmatch(sc.Text()); m != nil {
				url = m[1]
				break
			}
		}
		go io.Copy(io.Discard, stderr)
		if url == "" {
			t.Fatal("record did not start")
		}
		return cmd, url
	}
	cmd, url := start()
	bodies := genBodies(t, n+1)
	for i, b := range bodies[:n] {
		if code, err := postSigned(url, "", b); err != nil || code != 200 {
			t.Fatalf("post %d: %d %v", i, code, err)
		}
	}
	waitForPosts(t, inlet, n/4)
	cmd.Process.Kill()
	cmd.Wait()
	got := inlet.count()
	if got >= n {
		t.Fatalf("everything was forwarded before the kill (%d)", got)
	}
	journal := filepath.Join(dir, "forward.journal.jsonl")
	st, err := pipeline.ReadJournal(journal)
	if err != nil || st.Ended {
		t.Fatalf("journal after kill -9: %v ended %v", err, st != nil && st.Ended)
	}
	// Each entry names where the store put the capture it forwarded.
	stored := map[string]string{} // "file:line" → event id
	files, _ := filepath.Glob(filepath.Join(dir, "rec", "*.jsonl"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for i, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			var c struct {
				Body json.RawMessage `json:"body"`
			}
			json.Unmarshal(line, &c)
			rel, _ := filepath.Rel(dir, f)
			stored[fmt.Sprintf("%s:%d", rel, i+1)] = customerio.FromBytes(c.Body).EventID
		}
	}
	if len(stored) != n {
		t.Fatalf("%d captures stored, want %d", len(stored), n)
	}
	jb, _ := os.ReadFile(journal)
	delivered := 0
	inlet.mu.Lock()
	for _, line := range bytes.Split(bytes.TrimSpace(jb), []byte("\n"))[1:] {
		var e pipeline.JournalEntry
		if json.Unmarshal(line, &e) != nil || e.Outcome == "" {
			continue
		}
		id, ok := stored[fmt.Sprintf("%s:%d", e.Input, e.Line)]
		if !ok || id != e.EventID {
			t.Errorf("journal line %s names no stored capture with its event id (%q)", line, id)
		}
		if e.Outcome == pipeline.Delivered {
			delivered++
			if inlet.posts[e.EventID] == 0 {
				t.Errorf("journal says %s delivered; the inlet never got it", e.EventID)
			}
		}
	}
	inlet.mu.Unlock()
	if d := got - delivered; d < 0 || d > 1 {
		t.Errorf("inlet got %d, journal shows %d delivered: want at most 1 (the request in flight) unaccounted", got, delivered)
	}
	t.Logf("killed with %d of %d forwarded; journal shows %d delivered", got, n, delivered)

	// A restarted recorder keeps the crashed run's lines and adds its own run.
	cmd, url = start()
	if code, err := postSigned(url, "", bodies[n]); err != nil || code != 200 {
		t.Fatalf("post after restart: %d %v", code, err)
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	st2, err := pipeline.ReadJournal(journal)
	if err != nil || !st2.Ended || st2.DoneCount() < delivered+1 {
		t.Fatalf("journal after restart: %v ended %v done %d, want the old %d delivered plus the new one", err, st2 != nil && st2.Ended, st2.DoneCount(), delivered)
	}
	if h := bytes.Count(mustRead(t, journal), []byte(`{"journal":1`)); h != 2 {
		t.Errorf("%d run headers in the journal, want 2 (appended, not replaced)", h)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// countingBatchInlet answers batch posts (207, every message accepted) and counts each
// message's event id (the XDM _id) when the request arrives; until release is closed it
// answers only the first request and holds the others unanswered.
type countingBatchInlet struct {
	srv      *httptest.Server
	release  chan struct{}
	mu       sync.Mutex
	posts    map[string]int
	requests int
}

func newCountingBatchInlet(t *testing.T) *countingBatchInlet {
	c := &countingBatchInlet{posts: map[string]int{}, release: make(chan struct{})}
	c.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b struct {
			Messages []struct {
				Body struct {
					XDMEntity struct {
						ID string `json:"_id"`
					} `json:"xdmEntity"`
				} `json:"body"`
			} `json:"messages"`
		}
		if json.NewDecoder(r.Body).Decode(&b) != nil {
			return // cut off mid-body: not received
		}
		c.mu.Lock()
		for _, m := range b.Messages {
			c.posts[m.Body.XDMEntity.ID]++
		}
		c.requests++
		first := c.requests == 1
		c.mu.Unlock()
		if !first {
			select {
			case <-c.release:
			case <-r.Context().Done():
				return
			}
		}
		out := make([]string, len(b.Messages))
		for i := range out {
			out[i] = fmt.Sprintf(`{"xactionId":"x:%d"}`, i)
		}
		w.WriteHeader(http.StatusMultiStatus)
		io.WriteString(w, `{"responses":[`+strings.Join(out, ",")+`]}`)
	}))
	t.Cleanup(c.srv.Close)
	return c
}

func (c *countingBatchInlet) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests
}

// TestSend_batchKilledResumeSaysItsDuplicatesExactly kills `send --mode batch` while batch
// requests are in flight: the journal names each batch's events before the request, so the
// resume's report gives the events that may arrive twice exactly (not concurrency × batch
// size), and every event is delivered.
func TestSend_batchKilledResumeSaysItsDuplicatesExactly(t *testing.T) {
	const n, conc = 3000, 3
	in, ids := genEvents(t, n)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "events.jsonl"), []byte(in), 0o644)
	inlet := newCountingBatchInlet(t)
	to := inlet.srv.URL + "/collection/" + emulator.DefaultInletID
	cmd, _, _ := startSend(t, dir, "events.jsonl", "--mode", "batch", "--to", to, "--flow-id", "f", "--concurrency", fmt.Sprint(conc), "--no-progress")
	// The first batch is answered; its worker sends the next: then conc requests are held.
	deadline := time.Now().Add(20 * time.Second)
	for inlet.count() < conc+1 {
		if time.Now().After(deadline) {
			t.Fatalf("%d batch requests arrived, want %d", inlet.count(), conc+1)
		}
		time.Sleep(2 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	close(inlet.release)
	// The events the killed run's journal names as sent without an answer, by line.
	named := map[int]bool{}
	jb := mustRead(t, filepath.Join(dir, "dead-letters.journal.jsonl"))
	for _, line := range bytes.Split(jb, []byte("\n")) {
		var l struct {
			pipeline.JournalSending
			pipeline.JournalEntry
		}
		if json.Unmarshal(line, &l) != nil {
			continue
		}
		for _, r := range l.Sending {
			named[r.Line] = true
		}
		if l.Outcome != "" {
			delete(named, l.Line)
		}
	}
	code, out, errOut := run(t, nil, "", "send", "--resume", filepath.Join(dir, "dead-letters.journal.jsonl"), "--mode", "batch", "--to", to, "--flow-id", "f",
		"--concurrency", fmt.Sprint(conc), "--report", "json", "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	if code != 0 {
		t.Fatalf("resume exit %d: %s", code, errOut)
	}
	rep := sendReportOf(t, out)
	dups := 0
	inlet.mu.Lock()
	for i, id := range ids {
		switch c := inlet.posts[id]; {
		case c == 0:
			t.Errorf("event %s never delivered", id)
		case c > 1:
			dups += c - 1
			if !named[i+1] {
				t.Errorf("line %d arrived twice but the journal did not name it as in flight", i+1)
			}
		}
	}
	inlet.mu.Unlock()
	t.Logf("resume: %d already done, %d sent, %d duplicates, report says %d (%s)",
		rep.AlreadyDone, rep.Events, dups, rep.MaybeDuplicates, rep.MaybeDuplicatesWhy)
	// The report counts exactly the events the journal names as in a request in flight at
	// the kill (a request cut off mid-body reaches no one, so duplicates can be fewer), not
	// the bound concurrency × batch size.
	if dups == 0 || rep.MaybeDuplicates != len(named) || dups > rep.MaybeDuplicates {
		t.Errorf("%d duplicates; the report says %d may be; the journal names %d", dups, rep.MaybeDuplicates, len(named))
	}
	if !strings.Contains(rep.MaybeDuplicatesWhy, "journal names each") {
		t.Errorf("the report does not say the count is exact: %q", rep.MaybeDuplicatesWhy)
	}
	if rep.AlreadyDone+rep.Events != n || rep.AlreadyDone == 0 {
		t.Errorf("already done %d + sent %d, want %d with some done before the kill", rep.AlreadyDone, rep.Events, n)
	}
}

package cmd

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
)

// deadIDs returns the sorted event ids of a dead-letter file's lines (each must be a capture
// line).
func deadIDs(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l == "" {
			continue
		}
		var c struct {
			Body json.RawMessage `json:"body"`
		}
		if json.Unmarshal([]byte(l), &c) != nil || c.Body == nil {
			t.Fatalf("not a capture line: %s", l)
		}
		ids = append(ids, customerio.FromBytes(c.Body).EventID)
	}
	slices.Sort(ids)
	return ids
}

// acceptServer answers 200 to the events accept says yes to and 400 to the rest, counting.
func acceptServer(t *testing.T, accept func(id string) bool) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		n.Add(1)
		if accept(customerio.FromBytes(b).EventID) {
			w.Write([]byte(`{"xactionId":"x"}`))
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"message":"refused"}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestSend_resendingDeadLettersRewritesThem: `ciosim send dead-letters.jsonl` (the default
// --dead-letter) makes the file what is still not delivered — after a server that accepts
// half, exactly the other half; after one that accepts all, no file — and a second run does
// not re-send what the first delivered.
func TestSend_resendingDeadLettersRewritesThem(t *testing.T) {
	dir := t.TempDir()
	in, ids := genEvents(t, 10)
	slices.Sort(ids)
	if err := os.WriteFile(filepath.Join(dir, "events.jsonl"), []byte(in), 0o644); err != nil {
		t.Fatal(err)
	}
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	send := func(url string, args ...string) (int, string, string) {
		return run(t, nil, "", append([]string{"send", "--to", url + "/collection/inlet", "--flow-id", "f", "--retries", "0"}, args...)...)
	}

	none, _ := acceptServer(t, func(string) bool { return false })
	if code, _, stderr := send(none.URL, "events.jsonl"); code != ExitFailure {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := deadIDs(t, "dead-letters.jsonl"); !slices.Equal(got, ids) {
		t.Fatalf("dead letters %v, want %v", got, ids)
	}

	half := map[string]bool{}
	for i, id := range ids {
		half[id] = i%2 == 0
	}
	halfSrv, posts := acceptServer(t, func(id string) bool { return half[id] })
	code, stdout, stderr := send(halfSrv.URL, "dead-letters.jsonl")
	if code != ExitFailure || posts.Load() != 10 {
		t.Fatalf("exit %d, %d posts; stderr %s", code, posts.Load(), stderr)
	}
	var refused []string
	for _, id := range ids {
		if !half[id] {
			refused = append(refused, id)
		}
	}
	if got := deadIDs(t, "dead-letters.jsonl"); !slices.Equal(got, refused) {
		t.Errorf("after a server that accepts half: dead letters %v, want %v", got, refused)
	}
	if !strings.Contains(stderr, "dead-letters.jsonl rewritten to what is still not delivered: 5 delivered and removed, 5 failed again, 0 kept as they were") ||
		!strings.Contains(stdout, "failed         5  → dead-letters.jsonl") {
		t.Errorf("stdout %s\nstderr %s", stdout, stderr)
	}
	if fi, err := os.Stat("dead-letters.jsonl"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("mode: %v %v", fi, err)
	}

	// A second pass re-sends only the five.
	halfSrv2, posts2 := acceptServer(t, func(id string) bool { return half[id] })
	send(halfSrv2.URL, "dead-letters.jsonl")
	if posts2.Load() != 5 {
		t.Errorf("second pass posted %d, want 5", posts2.Load())
	}

	all, _ := acceptServer(t, func(string) bool { return true })
	code, _, stderr = send(all.URL, "dead-letters.jsonl")
	if code != 0 || !strings.Contains(stderr, "every event in dead-letters.jsonl was delivered; the file is removed") {
		t.Errorf("exit %d; stderr %s", code, stderr)
	}
	if _, err := os.Stat("dead-letters.jsonl"); !os.IsNotExist(err) {
		t.Errorf("dead-letter file still there: %v", err)
	}
	if m, _ := filepath.Glob(".dead-letters.jsonl.tmp-*"); len(m) > 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

// TestSend_resendingDeadLettersInterrupted: Ctrl-C while re-sending the dead-letter file
// loses nothing: the file holds every event not delivered (the cancelled one and those not
// read yet, verbatim), and none that was.
func TestSend_resendingDeadLettersInterrupted(t *testing.T) {
	dir := t.TempDir()
	dl := filepath.Join(dir, "dead-letters.jsonl")
	in, ids := genEvents(t, 10)
	none, _ := acceptServer(t, func(string) bool { return false })
	if code, _, stderr := run(t, nil, in, "send", "--to", none.URL+"/collection/inlet", "--flow-id", "f", "--retries", "0", "--dead-letter", dl); code != ExitFailure {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	before, _ := os.ReadFile(dl)

	// Three are accepted; the fourth hangs until the run is interrupted.
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	var delivered []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		if len(delivered) == 3 {
			mu.Unlock()
			cancel()
			<-r.Context().Done()
			return
		}
		delivered = append(delivered, customerio.FromBytes(b).EventID)
		mu.Unlock()
		w.Write([]byte(`{"xactionId":"x"}`))
	}))
	defer srv.Close()
	var out, errb strings.Builder
	code := Main(ctx, []string{"send", "--to", srv.URL + "/collection/inlet", "--flow-id", "f", "--concurrency", "1", "--dead-letter", dl, dl},
		Streams{In: strings.NewReader(""), Out: &out, Err: &errb}, func(string) string { return "" })
	if code != ExitInterrupted {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var want []string
	for _, id := range ids {
		if !slices.Contains(delivered, id) {
			want = append(want, id)
		}
	}
	got := deadIDs(t, dl)
	slices.Sort(want)
	if len(delivered) != 3 || !slices.Equal(got, want) {
		t.Fatalf("delivered %v; dead letters %v, want %v\nstderr %s", delivered, got, want, errb.String())
	}
	// The lines not attempted are kept byte for byte.
	after, _ := os.ReadFile(dl)
	kept := 0
	for _, l := range strings.SplitAfter(string(before), "\n") {
		if l != "" && strings.Contains(string(after), l) {
			kept++
		}
	}
	if kept < 6 {
		t.Errorf("%d lines kept verbatim, want at least 6 (the unread ones)", kept)
	}
}

// TestSend_resendingDeadLettersCrash: a send killed (SIGKILL) while re-sending the
// dead-letter file leaves it exactly as it was.
func TestSend_resendingDeadLettersCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	dir := t.TempDir()
	dl := filepath.Join(dir, "dead-letters.jsonl")
	in, _ := genEvents(t, 10)
	none, _ := acceptServer(t, func(string) bool { return false })
	if code, _, stderr := run(t, nil, in, "send", "--to", none.URL+"/collection/inlet", "--flow-id", "f", "--retries", "0", "--dead-letter", dl); code != ExitFailure {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	before, _ := os.ReadFile(dl)
	var posts atomic.Int64
	reached := make(chan struct{}, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		if posts.Add(1) > 3 {
			reached <- struct{}{}
			<-r.Context().Done()
			return
		}
		w.Write([]byte(`{"xactionId":"x"}`))
	}))
	defer srv.Close()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(exe, "-test.run=^TestSendCrashChild$")
	child.Env = append(os.Environ(), "CIOSIM_SEND_CHILD=1", "CIOSIM_SEND_DL="+dl, "CIOSIM_SEND_TO="+srv.URL+"/collection/inlet")
	stderr, _ := child.StderrPipe()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, bufio.NewReader(stderr))
	select {
	case <-reached:
	case <-time.After(30 * time.Second):
		child.Process.Kill()
		t.Fatal("the child never reached the fourth event")
	}
	child.Process.Kill()
	child.Wait()
	after, err := os.ReadFile(dl)
	if err != nil || string(after) != string(before) {
		t.Errorf("the dead-letter file changed after a crash (%v):\nbefore %s\nafter  %s", err, before, after)
	}
}

// TestSendCrashChild is the send process TestSend_resendingDeadLettersCrash kills.
func TestSendCrashChild(t *testing.T) {
	if os.Getenv("CIOSIM_SEND_CHILD") != "1" {
		t.Skip("helper process for TestSend_resendingDeadLettersCrash")
	}
	dl := os.Getenv("CIOSIM_SEND_DL")
	code := Main(context.Background(), []string{"send", "--to", os.Getenv("CIOSIM_SEND_TO"), "--flow-id", "f", "--concurrency", "1", "--dead-letter", dl, dl},
		Streams{In: os.Stdin, Out: io.Discard, Err: os.Stderr}, func(string) string { return "" })
	os.Exit(code)
}

package cmd

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
)

// syncBuffer is a bytes.Buffer safe for a writer goroutine and a reading test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listenRe = regexp.MustCompile(`listening on (http://\S+)`)

// startRecord runs `ciosim record` in-process and returns its base URL, stdout and a stop
// function returning the exit code and stderr.
func startRecord(t *testing.T, env map[string]string, args ...string) (url string, out *syncBuffer, stop func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	out = &syncBuffer{}
	var errb syncBuffer
	done := make(chan int, 1)
	go func() {
		code := Main(ctx, append([]string{"record", "--listen", "127.0.0.1:0"}, args...),
			Streams{In: strings.NewReader(""), Out: out, Err: io.MultiWriter(pw, &errb)},
			func(k string) string { return env[k] })
		pw.Close()
		done <- code
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if m := listenRe.FindStringSubmatch(sc.Text()); m != nil {
			url = m[1]
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if url == "" {
		cancel()
		code := <-done
		t.Fatalf("record did not start (exit %d): %s", code, errb.String())
	}
	return url, out, func() (int, string) {
		cancel()
		return <-done, errb.String()
	}
}

func genBodies(t *testing.T, n int) [][]byte {
	t.Helper()
	g := generator.New(generator.Options{Seed: 7, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	pairs := customerio.Pairs()
	out := make([][]byte, n)
	for i := range n {
		p := pairs[i%len(pairs)]
		ev, err := g.Event(p.ObjectType, p.Metric)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = ev.Bytes()
	}
	return out
}

func postSigned(url, key string, body []byte) (int, error) {
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		ts := time.Now().Unix()
		req.Header.Set(customerio.HeaderTimestamp, strconv.FormatInt(ts, 10))
		req.Header.Set(customerio.HeaderSignature, customerio.Sign([]byte(key), ts, body))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

func readDir(t *testing.T, dir string) (bodies map[string][]byte, verdicts map[string]string, lineErrs int) {
	t.Helper()
	bodies, verdicts = map[string][]byte{}, map[string]string{}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		rd := recordings.NewReader(f, name)
		for {
			rec, err := rd.Next()
			var le *recordings.LineError
			if errors.Is(err, io.EOF) {
				break
			} else if errors.As(err, &le) {
				lineErrs++
				t.Logf("skipped: %v", le)
				continue
			} else if err != nil {
				t.Fatal(err)
			}
			bodies[rec.Event.EventID] = rec.Body
			verdicts[rec.Event.EventID] = rec.Capture.Signature
		}
		f.Close()
	}
	return bodies, verdicts, lineErrs
}

func TestRecord_storesSignedCapturesAndForwards(t *testing.T) {
	dir := t.TempDir()
	var fmu sync.Mutex
	var forwarded [][]byte
	fsrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmu.Lock()
		forwarded = append(forwarded, b)
		fmu.Unlock()
	}))
	defer fsrv.Close()
	env := map[string]string{"MY_KEY": "signing-secret"}
	journal := filepath.Join(t.TempDir(), "forward.journal.jsonl")
	url, out, stop := startRecord(t, env, "--dir", dir, "--signing-key-env", "MY_KEY", "--forward", fsrv.URL, "--forward-journal", journal)
	bodies := genBodies(t, 20)
	for i, b := range bodies {
		key := "signing-secret"
		if i%5 == 4 {
			key = "wrong-key"
		}
		if code, err := postSigned(url+"/cio", key, b); err != nil || code != 200 {
			t.Fatalf("post %d: %d %v", i, code, err)
		}
	}
	if code, _ := postSigned(url, "", []byte("not json")); code != 400 {
		t.Errorf("non-JSON body answered %d, want 400", code)
	}
	code, stderr := stop()
	if code != ExitInterrupted {
		t.Errorf("exit %d, want %d; stderr %s", code, ExitInterrupted, stderr)
	}
	if !strings.Contains(stderr, "stored 20 captures (16 valid, 4 invalid, 0 absent, 0 unchecked), refused 1") {
		t.Errorf("no summary: %s", stderr)
	}
	if strings.Contains(stderr+out.String(), "signing-secret") {
		t.Errorf("key printed")
	}
	got, verdicts, lerrs := readDir(t, dir)
	if lerrs != 0 || len(got) != len(bodies) {
		t.Fatalf("stored %d (errors %d), want %d", len(got), lerrs, len(bodies))
	}
	for i, b := range bodies {
		id := customerio.FromBytes(b).EventID
		if !bytes.Equal(got[id], b) {
			t.Errorf("capture %d not byte-exact:\n got %s\nwant %s", i, got[id], b)
		}
		want := recordings.SignatureValid
		if i%5 == 4 {
			want = recordings.SignatureInvalid
		}
		if verdicts[id] != want {
			t.Errorf("capture %d verdict %s, want %s", i, verdicts[id], want)
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(bodies)+1 || !strings.Contains(lines[0], " 200 ") || !strings.Contains(lines[len(lines)-1], "400") {
		t.Errorf("live lines:\n%s", out)
	}
	fmu.Lock()
	defer fmu.Unlock()
	if len(forwarded) != len(bodies) {
		t.Fatalf("forwarded %d, want %d", len(forwarded), len(bodies))
	}
	if st, err := pipeline.ReadJournal(journal); err != nil || !st.Ended || st.DoneCount() != len(bodies) {
		t.Errorf("forward journal: %v, want an ended run with %d delivered", err, len(bodies))
	}
	for i := range bodies {
		if !bytes.Equal(forwarded[i], bodies[i]) {
			t.Errorf("forwarded %d differs", i)
		}
	}
}

func TestRecord_requireSignature(t *testing.T) {
	dir := t.TempDir()
	url, out, stop := startRecord(t, map[string]string{"CIOSIM_SIGNING_KEY": "k"}, "--dir", dir, "--require-signature", "--json")
	b := genBodies(t, 3)
	c1, _ := postSigned(url, "k", b[0])
	c2, _ := postSigned(url, "", b[1])
	c3, _ := postSigned(url, "nope", b[2])
	stop()
	if c1 != 200 || c2 != 401 || c3 != 401 {
		t.Errorf("statuses %d %d %d, want 200 401 401", c1, c2, c3)
	}
	got, _, _ := readDir(t, dir)
	if len(got) != 1 {
		t.Errorf("stored %d captures, want only the valid one", len(got))
	}
	if !strings.Contains(out.String(), `"status":401`) || !strings.Contains(out.String(), `"signature":"absent"`) {
		t.Errorf("json lines: %s", out)
	}
}

func TestRecord_badConfig(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, []byte("x"), 0o644)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		msg  string
	}{
		{"unwritable dir", nil, []string{"--dir", filepath.Join(file, "sub")}, ExitInput, "not a directory"},
		{"require signature without key", nil, []string{"--require-signature"}, ExitUsage, "needs a signing key"},
		{"redact without key", nil, []string{"--redact"}, ExitUsage, "needs a redaction key"},
		{"bad fsync", nil, []string{"--fsync", "sometimes"}, ExitUsage, "--fsync"},
		{"bad listen", nil, []string{"--dir", t.TempDir(), "--listen", "256.0.0.1:x"}, ExitFailure, "listen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.env, "", append([]string{"record"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d stderr %q, want %d containing %q", code, stderr, tt.code, tt.msg)
			}
		})
	}
}

// TestRecord_crashLosesNothing runs the receiver as a subprocess (this test binary, re-run
// as TestRecordCrashChild), posts signed events from several goroutines, SIGKILLs the
// receiver mid-stream and checks every capture that was answered 200 is in the files,
// byte-exact. A torn last line is allowed (and skipped by the reader).
func TestRecord_crashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	for _, fsync := range []string{"always", "never"} {
		t.Run("fsync="+fsync, func(t *testing.T) { crashOnce(t, fsync) })
	}
}

func crashOnce(t *testing.T, fsync string) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	child := exec.CommandContext(ctx, exe, "-test.run=^TestRecordCrashChild$")
	child.Env = append(os.Environ(), "CIOSIM_CRASH_CHILD=1", "CIOSIM_CRASH_DIR="+dir,
		"CIOSIM_CRASH_FSYNC="+fsync, "CIOSIM_SIGNING_KEY=crash-key")
	stderr, _ := child.StderrPipe()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
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
		child.Process.Kill()
		child.Wait()
		t.Fatal("child receiver did not start")
	}

	bodies := genBodies(t, 3000)
	const workers = 8
	const killAfter = 400
	var (
		mu    sync.Mutex
		acked [][]byte
		wg    sync.WaitGroup
		once  sync.Once
	)
	next := make(chan []byte)
	go func() {
		defer close(next)
		for _, b := range bodies {
			select {
			case next <- b:
			case <-ctx.Done():
				return
			}
		}
	}()
	killed := make(chan struct{})
	for range workers {
		wg.Go(func() {
			for b := range next {
				code, err := postSigned(url, "crash-key", b)
				if err != nil {
					continue // the receiver is dead; keep draining so the feeder ends
				}
				if code == 200 {
					mu.Lock()
					acked = append(acked, b)
					n := len(acked)
					mu.Unlock()
					if n == killAfter {
						once.Do(func() {
							child.Process.Kill() // SIGKILL, while other workers are mid-request
							close(killed)
						})
					}
				}
			}
		})
	}
	wg.Wait()
	child.Wait()
	select {
	case <-killed:
	default:
		t.Fatalf("receiver was not killed: only %d answered 200", len(acked))
	}
	got, verdicts, lerrs := readDir(t, dir)
	t.Logf("fsync=%s: %d answered 200, %d captures in files, %d skipped lines", fsync, len(acked), len(got), lerrs)
	if lerrs > 1 {
		t.Errorf("%d unreadable lines; at most one torn last line is allowed", lerrs)
	}
	if len(acked) >= len(bodies) {
		t.Fatalf("everything was answered; the kill did not happen mid-stream")
	}
	for _, b := range acked {
		id := customerio.FromBytes(b).EventID
		if !bytes.Equal(got[id], b) {
			t.Errorf("capture %s answered 200 but missing or changed in the file", id)
		} else if verdicts[id] != recordings.SignatureValid {
			t.Errorf("capture %s verdict %s", id, verdicts[id])
		}
	}
}

// TestRecordCrashChild is the receiver process of TestRecord_crashLosesNothing; it does
// nothing unless started by it.
func TestRecordCrashChild(t *testing.T) {
	if os.Getenv("CIOSIM_CRASH_CHILD") != "1" {
		t.Skip("helper process for TestRecord_crashLosesNothing")
	}
	code := Main(context.Background(), []string{"record", "--listen", "127.0.0.1:0",
		"--dir", os.Getenv("CIOSIM_CRASH_DIR"), "--fsync", os.Getenv("CIOSIM_CRASH_FSYNC")},
		Streams{In: os.Stdin, Out: io.Discard, Err: os.Stderr}, os.Getenv)
	fmt.Fprintf(os.Stderr, "record exited %d\n", code)
	os.Exit(code)
}

// record keeps captures out of git and says when they are stored unredacted.
func TestRecord_piiWarningAndGitignore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new")
	_, _, stop := startRecord(t, nil, "--dir", dir)
	_, stderr := stop()
	if !strings.Contains(stderr, "warning: captures are stored as received and may hold personal data; --redact") {
		t.Errorf("no PII warning without --redact: %q", stderr)
	}
	if b, err := os.ReadFile(filepath.Join(dir, ".gitignore")); err != nil || !strings.Contains(string(b), "\n*\n") {
		t.Errorf(".gitignore = %q, %v", b, err)
	}
	_, _, stop = startRecord(t, map[string]string{"CIOSIM_REDACT_KEY": "0123456789abcdef0123"}, "--dir", t.TempDir(), "--redact")
	if _, stderr := stop(); strings.Contains(stderr, "warning: captures") {
		t.Errorf("PII warning with --redact: %q", stderr)
	}
	if _, out, _ := run(t, nil, "", "record", "--help"); !strings.Contains(out, `--dir string`) || !strings.Contains(out, `(default "ciosim-recordings")`) {
		t.Errorf("record --help does not show the ciosim-recordings default:\n%s", out)
	}
}

// TestRecord_deleteWhileRecording runs the receiver in its own process and removes its files,
// then its directory, while it records: every capture answered 200 after each removal must
// be readable from the directory afterwards (it used to go to the unlinked file).
func TestRecord_deleteWhileRecording(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	dir := filepath.Join(t.TempDir(), "rec")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(exe, "-test.run=^TestRecordCrashChild$")
	child.Env = append(os.Environ(), "CIOSIM_CRASH_CHILD=1", "CIOSIM_CRASH_DIR="+dir,
		"CIOSIM_CRASH_FSYNC=always", "CIOSIM_SIGNING_KEY=crash-key")
	stderr, _ := child.StderrPipe()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { child.Process.Kill(); child.Wait() }()
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
		t.Fatal("child receiver did not start")
	}
	bodies := genBodies(t, 90)
	post := func(batch [][]byte) {
		t.Helper()
		for _, b := range batch {
			code, err := postSigned(url, "crash-key", b)
			if err != nil || code != 200 {
				t.Fatalf("post: %d %v", code, err)
			}
		}
	}
	check := func(phase string, batch [][]byte) {
		t.Helper()
		got, _, _ := readDir(t, dir)
		for _, b := range batch {
			id := customerio.FromBytes(b).EventID
			if !bytes.Equal(got[id], b) {
				t.Errorf("%s: capture %s answered 200 but cannot be read back from %s", phase, id, dir)
			}
		}
	}
	post(bodies[:30])
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	for _, f := range files {
		must(t, os.Remove(f))
	}
	post(bodies[30:60])
	check("after rm *.jsonl", bodies[30:60])
	must(t, os.RemoveAll(dir))
	post(bodies[60:])
	child.Process.Kill()
	child.Wait()
	check("after rm -r dir", bodies[60:])
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

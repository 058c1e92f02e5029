package cmd

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ciosim/ciosim/bucket"
	"github.com/ciosim/ciosim/bucket/buckettest"
	"github.com/ciosim/ciosim/customerio"
)

// recorderProc is `ciosim record` running as a subprocess (this test binary re-run as
// TestDeployChild, which handles SIGTERM as main does).
type recorderProc struct {
	cmd    *exec.Cmd
	url    string
	stderr *syncBuffer
}

func startRecorderProc(t *testing.T, env []string, args ...string) *recorderProc {
	t.Helper()
	return startProc(t, env, append([]string{"record", "--listen", "127.0.0.1:0"}, args...)...)
}

// startProc runs `ciosim ARGS` as a subprocess whose stdout and stderr both go to its
// stderr buffer, and waits for its "listening on URL" line.
func startProc(t *testing.T, env []string, args ...string) *recorderProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command(exe, "-test.run=^TestDeployChild$")
	child.Env = append(append(os.Environ(), env...), "CIOSIM_DEPLOY_CHILD=1",
		"CIOSIM_DEPLOY_ARGS="+strings.Join(args, "\x1f"))
	pr, err := child.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	p := &recorderProc{cmd: child, stderr: &syncBuffer{}}
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		p.stderr.Write([]byte(sc.Text() + "\n"))
		if m := listenRe.FindStringSubmatch(sc.Text()); m != nil {
			p.url = m[1]
			break
		}
	}
	go io.Copy(p.stderr, pr)
	if p.url == "" {
		child.Process.Kill()
		child.Wait()
		t.Fatalf("%s did not start: %s", args[0], p.stderr.String())
	}
	t.Cleanup(func() {
		if child.ProcessState == nil {
			child.Process.Kill()
			child.Wait()
		}
	})
	return p
}

// term sends SIGTERM and returns the exit code.
func (p *recorderProc) term(t *testing.T) int {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		p.cmd.Process.Kill()
		<-done
		t.Fatalf("recorder did not exit after SIGTERM: %s", p.stderr.String())
	}
	return p.cmd.ProcessState.ExitCode()
}

// TestDeployChild is the process of the deploy tests; it does nothing unless started by them.
func TestDeployChild(t *testing.T) {
	if os.Getenv("CIOSIM_DEPLOY_CHILD") != "1" {
		t.Skip("helper process for the deploy tests")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	args := strings.Split(os.Getenv("CIOSIM_DEPLOY_ARGS"), "\x1f")
	var out io.Writer = io.Discard
	if args[0] == "serve" { // it says where it listens on stdout
		out = os.Stderr
	}
	code := Main(ctx, args, Streams{In: os.Stdin, Out: out, Err: os.Stderr}, os.Getenv)
	stop()
	fmt.Fprintf(os.Stderr, "%s exited %d\n", args[0], code)
	os.Exit(code)
}

// bucketLines returns every line of every object in the bucket, with each body's count.
func bucketLines(t *testing.T, url string) (lines []string, perEvent map[string]int) {
	t.Helper()
	ctx := context.Background()
	b, err := bucket.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	m, err := bucket.Merge(ctx, b, bucket.MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	perEvent = map[string]int{}
	for {
		l, _, err := m.NextLine()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(l))
		perEvent[eventIDOfLine(t, l)]++
	}
	return lines, perEvent
}

func eventIDOfLine(t *testing.T, l []byte) string {
	t.Helper()
	i := bytes.Index(l, []byte(`"body":`))
	j := bytes.LastIndex(l, []byte(`,"signature":`))
	if i < 0 || j < i {
		t.Fatalf("not a capture line with a raw body: %s", l)
	}
	return customerio.FromBytes(l[i+len(`"body":`) : j]).EventID
}

// Kill -9 a recorder between spool and upload: on restart the segment is shipped, and every
// capture answered 200 is in the bucket exactly once, byte-exact.
func TestRecord_storeKill9ShipsOnRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	s3 := buckettest.Start(t, "rec", nil)
	url := s3.URL("prod/")
	spool := t.TempDir()
	args := []string{"--dir", spool, "--store", url, "--store-host", "replica-a", "--segment-age", "1h"}
	p := startRecorderProc(t, buckettest.Env, args...)
	bodies := genBodies(t, 300)
	for _, b := range bodies {
		if code, err := postSigned(p.url, "", b); err != nil || code != 200 {
			t.Fatalf("post: %d %v", code, err)
		}
	}
	p.cmd.Process.Kill() // SIGKILL: the open segment is in the spool, not uploaded
	p.cmd.Wait()
	if lines, _ := bucketLines(t, url); len(lines) != 0 {
		t.Fatalf("bucket holds %d lines before the restart; the segment should still be spooled", len(lines))
	}
	if segs, _ := filepath.Glob(filepath.Join(spool, "seg-*")); len(segs) != 1 {
		t.Fatalf("spool segments = %v, want the one left by the kill", segs)
	}

	p = startRecorderProc(t, buckettest.Env, args...)
	if code := p.term(t); code != 0 {
		t.Fatalf("SIGTERM drain exited %d, want 0: %s", code, p.stderr.String())
	}
	lines, per := bucketLines(t, url)
	if len(lines) != len(bodies) {
		t.Errorf("bucket holds %d captures, want %d", len(lines), len(bodies))
	}
	for _, b := range bodies {
		id := customerio.FromBytes(b).EventID
		if per[id] != 1 {
			t.Errorf("capture %s is in the bucket %d times, want exactly once", id, per[id])
		}
		if !slices.ContainsFunc(lines, func(l string) bool { return strings.Contains(l, `"body":`+string(b)+`,`) }) {
			t.Errorf("capture %s not byte-exact in the bucket", id)
		}
	}
	if segs, _ := filepath.Glob(filepath.Join(spool, "seg-*")); len(segs) != 0 {
		t.Errorf("spool still holds %v after the shipped restart", segs)
	}
	if !strings.Contains(p.stderr.String(), "left by a previous run") {
		t.Errorf("the recovery was not logged: %s", p.stderr.String())
	}
}

// Two recorder processes behind no proxy share one bucket under bounded loopback load;
// SIGTERM drains both (exit 0, open segments shipped); `ciosim replay s3://…` replays the
// union in received_at order, byte-exact.
func TestRecord_twoReplicasReplayUnion(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	s3 := buckettest.Start(t, "rec", nil)
	url := s3.URL("prod/")
	var procs []*recorderProc
	for _, host := range []string{"replica-a", "replica-b"} {
		procs = append(procs, startRecorderProc(t, buckettest.Env, "--dir", t.TempDir(), "--store", url,
			"--store-host", host, "--segment-size", "20000", "--store-gzip="+fmt.Sprint(host == "replica-b")))
	}
	bodies := genBodies(t, 600)
	var wg sync.WaitGroup
	next := make(chan []byte)
	go func() {
		for _, b := range bodies {
			next <- b
		}
		close(next)
	}()
	for w := range 6 {
		wg.Go(func() {
			for b := range next {
				if code, err := postSigned(procs[w%2].url, "", b); err != nil || code != 200 {
					t.Errorf("post: %d %v", code, err)
				}
			}
		})
	}
	wg.Wait()
	for _, p := range procs {
		if code := p.term(t); code != 0 {
			t.Fatalf("SIGTERM drain exited %d, want 0: %s", code, p.stderr.String())
		}
	}
	lines, per := bucketLines(t, url)
	if len(lines) != len(bodies) {
		t.Fatalf("bucket holds %d captures, want %d", len(lines), len(bodies))
	}
	for _, b := range bodies {
		if id := customerio.FromBytes(b).EventID; per[id] != 1 {
			t.Fatalf("capture %s in the bucket %d times", id, per[id])
		}
	}
	// The expected replay: every capture body, in received_at order.
	type cap struct {
		at   time.Time
		body string
	}
	var want []cap
	for _, l := range lines {
		at, _ := bucket.ReceivedAt([]byte(l))
		i := strings.Index(l, `"body":`)
		j := strings.LastIndex(l, `,"signature":`)
		want = append(want, cap{at, l[i+len(`"body":`) : j]})
	}
	slices.SortStableFunc(want, func(a, b cap) int { return a.at.Compare(b.at) })

	var mu sync.Mutex
	var got []string
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
		w.WriteHeader(200)
		io.WriteString(w, `{"inletId":"x","xactionId":"1","receivedTimeMs":1}`)
	}))
	defer target.Close()
	env := map[string]string{}
	for _, kv := range buckettest.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
		t.Setenv(k, v) // the AWS SDK reads the process environment
	}
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"replay", url, "--speed", "max", "--to", target.URL + "/collection/x"},
		Streams{In: strings.NewReader(""), Out: &out, Err: &errb}, func(k string) string { return env[k] })
	if code != 0 {
		t.Fatalf("replay exited %d: %s", code, errb.String())
	}
	if len(got) != len(want) {
		t.Fatalf("replayed %d requests, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i].body {
			t.Fatalf("request %d: got %s\nwant %s (received_at order, byte-exact)", i+1, got[i], want[i].body)
		}
	}
}

package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
)

type received struct {
	body []byte
	ts   string
	sig  string
}

// sink is an httptest server that keeps every request and signals each on ch.
func sink(t *testing.T) (url string, got func() []received, ch <-chan received) {
	t.Helper()
	var mu sync.Mutex
	var all []received
	c := make(chan received, 10000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rv := received{b, r.Header.Get(customerio.HeaderTimestamp), r.Header.Get(customerio.HeaderSignature)}
		mu.Lock()
		all = append(all, rv)
		mu.Unlock()
		c <- rv
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() []received {
		mu.Lock()
		defer mu.Unlock()
		return append([]received(nil), all...)
	}, c
}

// TestRecordReplay_byteExact records signed events with `ciosim record`, replays the
// recording directory with `ciosim replay`, and checks the bytes the endpoint receives are
// the bytes that were captured. The send goes through the aep client, as every replay does.
func TestRecordReplay_byteExact(t *testing.T) {
	dir := t.TempDir()
	url, _, stop := startRecord(t, map[string]string{"CIOSIM_SIGNING_KEY": "k"}, "--dir", dir, "--max-file-size", "4096")
	bodies := genBodies(t, 40)
	// Bodies Customer.io would never send but a recording must still keep exactly.
	bodies = append(bodies, []byte(`{ "event_id" : "odd",  "metric":"sent", "timestamp": 1 , "data":{"x":"é\u00e9"}}`))
	for _, b := range bodies {
		if code, err := postSigned(url, "k", b); err != nil || code != 200 {
			t.Fatalf("record: %d %v", code, err)
		}
	}
	stop()
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) < 2 {
		t.Fatalf("want rotation into several files, got %v", files)
	}
	to, got, _ := sink(t)
	code, stdout, stderr := run(t, nil, "", "replay", dir, "--to", to, "--speed", "max")
	if code != 0 {
		t.Fatalf("replay exit %d: %s", code, stderr)
	}
	rs := got()
	if len(rs) != len(bodies) {
		t.Fatalf("endpoint received %d, want %d", len(rs), len(bodies))
	}
	for i := range bodies {
		if !bytes.Equal(rs[i].body, bodies[i]) {
			t.Errorf("request %d:\n got %s\nwant %s", i, rs[i].body, bodies[i])
		}
		if rs[i].sig != "" {
			t.Errorf("request %d: signed without --resign-key-env", i)
		}
	}
	if n := strings.Count(stdout, "\n"); n != len(bodies) {
		t.Errorf("%d output lines, want %d", n, len(bodies))
	}
}

func TestReplay_junkDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ev := `{"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","object_type":"email","metric":"sent","timestamp":1,"data":{}}`
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte("garbage\n"+ev+"\n\x00\x01\x02\n[1,2]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.jsonl"), []byte{0xff, 0xfe, 0x00, '\n'}, 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("hello"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	to, got, _ := sink(t)
	code, _, stderr := run(t, nil, "", "replay", dir, "--to", to, "--speed", "max")
	if code != ExitFailure {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"a.jsonl:1:", "a.jsonl:3:", "a.jsonl:4:", "b.jsonl:1:", "ignored 1 files", "delivered      1", "unreadable     4 input lines"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if len(got()) != 1 {
		t.Errorf("sent %d, want the one good event", len(got()))
	}

	only := t.TempDir()
	os.WriteFile(filepath.Join(only, "x.bin"), []byte("junk"), 0o644)
	code, _, stderr = run(t, nil, "", "replay", only, "--to", to)
	if code != ExitFailure || !strings.Contains(stderr, "no .jsonl files") {
		t.Errorf("dir without jsonl: exit %d %q", code, stderr)
	}
}

func TestReplay_usage(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "x.jsonl")
	os.WriteFile(f, nil, 0o644)
	tests := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"replay", f, "--to", "ftp://x"}, ExitUsage, "inlet URL"},
		{[]string{"replay", f, "--retries", "-1"}, ExitUsage, "--retries"},
		{[]string{"replay", f, "--to", "http://x", "--speed", "0"}, ExitUsage, "--speed"},
		{[]string{"replay", f, "--to", "http://x", "--speed", "fast"}, ExitUsage, "--speed"},
		{[]string{"replay", f, "--to", "http://x", "--mode", "batch"}, ExitUsage, "batch mode needs a path ending in /collection/{inletId}"},
		{[]string{"replay", f, "--to", "http://x/collection/i", "--mode", "batch", "--batch-max-bytes", "2000000"}, ExitUsage, "--batch-max-bytes"},
		{[]string{"replay", f, "--to", "http://x/collection/i", "--mode", "batch", "--batch-max-messages", "0"}, ExitUsage, "--batch-max-messages"},
		{[]string{"replay", f, "--to", "http://x", "--mode", "bulk"}, ExitUsage, "want raw, xdm or batch"},
		{[]string{"replay", f, "--to", "http://x", "--mode", "xdm", "--mapping", "nope"}, ExitUsage, "--mapping nope"},
		{[]string{"replay", f, "--to", "http://x", "--resign-key-env", "NOPE"}, ExitUsage, "empty"},
		{[]string{"replay", f + ".missing", "--to", "http://x"}, ExitInput, "no such file"},
		{[]string{"replay"}, ExitUsage, "replay needs FILE or DIR arguments"},
		{[]string{"replay", "--follow", "--to", "http://x", "s3://recordings/prod/?region=us-east-1"}, ExitUsage, "s3://recordings/prod/?region=us-east-1 is a bucket, which ciosim cannot follow"},
		{[]string{"replay", "--follow", "--to", "http://x", f, "file:///tmp/recs"}, ExitUsage, "file:///tmp/recs is a bucket"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, nil, "", tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.msg) {
			t.Errorf("%v: exit %d %q, want %d containing %q", tt.args, code, stderr, tt.code, tt.msg)
		}
	}
}

func TestReplay_resignAndRewrite(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "events.jsonl")
	bodies := genBodies(t, 3)
	os.WriteFile(f, append(bytes.Join(bodies, []byte("\n")), '\n'), 0o644)
	to, got, _ := sink(t)
	code, _, stderr := run(t, map[string]string{"NEWKEY": "fresh"}, "", "replay", f, "--to", to, "--speed", "max",
		"--shift-to-now", "--new-event-ids", "--resign-key-env", "NEWKEY", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for i, r := range got() {
		ev, err := customerio.Parse(r.body)
		if err != nil {
			t.Fatal(err)
		}
		if ev.EventID == customerio.FromBytes(bodies[i]).EventID {
			t.Errorf("event id not renewed")
		}
		if err := customerio.Verify([]byte("fresh"), r.ts, r.sig, r.body, customerio.VerifyOptions{}); err != nil {
			t.Errorf("not re-signed: %v", err)
		}
	}
}

// TestReplay_follow tails a directory: events appended after the replay started are sent.
func TestReplay_follow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bodies := genBodies(t, 3)
	path := filepath.Join(dir, "live.jsonl")
	os.WriteFile(path, append(bodies[0], '\n'), 0o644)
	to, _, ch := sink(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan int)
	var out, errb syncBuffer
	go func() {
		done <- Main(ctx, []string{"replay", dir, "--to", to, "--speed", "max", "--follow"},
			Streams{In: strings.NewReader(""), Out: &out, Err: &errb}, func(string) string { return "" })
	}()
	if r := recv(t, ch, &out, &errb); !bytes.Equal(r.body, bodies[0]) {
		t.Fatalf("first event %s", r.body)
	}
	// A line written in two parts (torn while being written) is sent once, whole.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.Write(bodies[1][:10])
	f.Sync()
	f.Write(append(bodies[1][10:], '\n'))
	f.Close()
	if r := recv(t, ch, &out, &errb); !bytes.Equal(r.body, bodies[1]) {
		t.Fatalf("appended event %s", r.body)
	}
	f, _ = os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("junk\n")
	f.Write(append(bodies[0], '\n'))
	f.Close()
	recv(t, ch, &out, &errb)
	if !strings.Contains(errb.String(), "live.jsonl:3:") {
		t.Errorf("a bad line appended later is not reported with its line number: %s", errb.String())
	}
	os.WriteFile(filepath.Join(dir, "next.jsonl"), append(bodies[2], '\n'), 0o644)
	if r := recv(t, ch, &out, &errb); !bytes.Equal(r.body, bodies[2]) {
		t.Fatalf("event in new file %s", r.body)
	}
	cancel()
	if code := <-done; code != ExitInterrupted {
		t.Errorf("exit %d: %s", code, errb.String())
	}
}

func TestReplay_xdmMode(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "events.jsonl")
	bodies := genBodies(t, 5)
	os.WriteFile(f, append(bytes.Join(bodies, []byte("\n")), '\n'), 0o644)
	to, got, _ := sink(t)
	env := map[string]string{"CIOSIM_DATASET_ID": "ds1", "CIOSIM_TENANT": "_acme"}
	code, _, stderr := run(t, env, "", "replay", f, "--to", to, "--speed", "max", "--mode", "xdm")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rs := got()
	if len(rs) != len(bodies) {
		t.Fatalf("sent %d", len(rs))
	}
	for i, r := range rs {
		var msg struct {
			Header struct {
				DatasetID string              `json:"datasetId"`
				SchemaRef struct{ ID string } `json:"schemaRef"`
			} `json:"header"`
			Body struct {
				XDMEntity map[string]any `json:"xdmEntity"`
			} `json:"body"`
		}
		if err := json.Unmarshal(r.body, &msg); err != nil {
			t.Fatalf("%d: %v: %s", i, err, r.body)
		}
		if msg.Header.DatasetID != "ds1" || msg.Body.XDMEntity["_id"] == nil || r.sig != "" {
			t.Errorf("%d: not an XDM message with envelope: %s", i, r.body)
		}
	}
}

// recv waits for the next request the sink got; after 20 s it fails the test showing what
// the replay printed (a generous bound: the watcher debounces for 100 ms).
func recv(t *testing.T, ch <-chan received, out, errb *syncBuffer) received {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(20 * time.Second):
		t.Fatalf("nothing received; replay stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
		return received{}
	}
}

// TestReplay_defaultEmulator replays without --to: the events go to the embedded emulator,
// which classifies them (raw mode, its own flow id) and reports what it kept.
func TestReplay_defaultEmulator(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "events.jsonl")
	bodies := genBodies(t, 12)
	os.WriteFile(f, append(bytes.Join(bodies, []byte("\n")), '\n'), 0o644)
	for _, mode := range []string{"raw", "xdm"} {
		code, stdout, stderr := run(t, nil, "", "replay", f, "--speed", "max", "--mode", mode)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", mode, code, stderr)
		}
		if !strings.Contains(stderr, "embedded AEP emulator") || !strings.Contains(stderr, "emulator       12 good, 0 bad records") {
			t.Errorf("%s: stderr %s", mode, stderr)
		}
		if strings.Count(stdout, " 200 ") != len(bodies) {
			t.Errorf("%s: stdout %s", mode, stdout)
		}
	}
}

package cmd

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/emulatortest"
)

// The two lines the issue held: an event whose timestamp is not a time (the mapping rejects
// the record) and an XDM message with a header and no body.
const (
	badTimestamp = `{"data":{"customer_id":"42","identifiers":{"id":"42"}},"event_id":"01BADTIMESTAMP","metric":"subscribed","object_type":"customer","timestamp":"abc"}`
	headerOnly   = `{"header":{"schemaRef":{"id":"https://ns.adobe.com/acme/schemas/cio","contentType":"application/vnd.adobe.xed-full+json;version=1"}}}`
)

func TestSend_unmappableLinesAreRejectedNotPosted(t *testing.T) {
	for _, mode := range []string{"xdm", "batch"} {
		t.Run(mode, func(t *testing.T) {
			var posts atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				posts.Add(1)
				w.Write([]byte(`{"xactionId":"x"}`))
			}))
			defer srv.Close()
			dl := filepath.Join(t.TempDir(), "dead.jsonl")
			code, out, errOut := run(t, nil, badTimestamp+"\n"+headerOnly+"\n", "send", "--mode", mode,
				"--to", srv.URL+"/collection/"+emulator.DefaultInletID, "--dead-letter", dl)
			if code != ExitFailure {
				t.Fatalf("exit %d, want 1; stderr %s", code, errOut)
			}
			if n := posts.Load(); n != 0 {
				t.Fatalf("%d requests posted, want none", n)
			}
			for _, want := range []string{"rejected       2", "delivered      0", "failed         0", "rejected ×1  e.g. -:1: convert to XDM: rejected by the mapping",
				`rejected ×1  e.g. -:2: not an XDM message: it has a "header" and no "body"`} {
				if !strings.Contains(out, want) {
					t.Errorf("report lacks %q:\n%s", want, out)
				}
			}
			// Each with its reason, on stderr as it happens (first of its kind) and in the
			// journal; the report shows one example.
			if !strings.Contains(errOut, "-:1 rejected: convert to XDM: rejected by the mapping") || !strings.Contains(errOut, "-:2 rejected: not an XDM message") {
				t.Errorf("the timestamp rejection is not explained:\nstderr %s\nreport %s", errOut, out)
			}
			j, _ := os.ReadFile(filepath.Join(filepath.Dir(dl), "dead.journal.jsonl"))
			if c := bytes.Count(j, []byte(`"outcome":"rejected","reason":`)); c != 2 {
				t.Errorf("journal has %d rejected lines, want 2:\n%s", c, j)
			}
			if _, err := os.Stat(dl); err == nil {
				t.Errorf("rejected events were dead-lettered")
			}
		})
	}
	// The header-only message's own reason.
	code, out, errOut := run(t, nil, headerOnly+"\n", "send", "--mode", "xdm", "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	if code != ExitFailure || !strings.Contains(out, `-:1: not an XDM message: it has a "header" and no "body"`) || !strings.Contains(errOut, "-:1 rejected") {
		t.Errorf("exit %d\nreport %s\nstderr %s", code, out, errOut)
	}
}

func TestSend_emulatorBadVerdictHasItsReason(t *testing.T) {
	in, _ := genEvents(t, 1)
	noTS := `{"data":{"customer_id":"42","identifiers":{"id":"42"}},"event_id":"01NOTIMESTAMP","metric":"subscribed","object_type":"customer"}`
	code, out, errOut := run(t, nil, in+noTS+"\n", "send", "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "emulator       1 good, 1 bad records") || !strings.Contains(out, "e.g. -:2: ") || !strings.Contains(out, "timestamp") {
		t.Errorf("the bad verdict's reason is not in the report:\n%s", out)
	}
}

// Deterministic failures fail at the first attempt, with the cause on stderr as it happens.
func TestSend_deterministicFailuresFailAtOnceWithTheirCause(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	ln.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer plain.Close()
	_, emu := emulatortest.Start(t, emulator.Options{})
	tests := []struct{ name, url, cause string }{
		{"refused port", refused + "/collection/" + emulator.DefaultInletID, "connection refused"},
		{"https to plain http", strings.Replace(plain.URL, "http://", "https://", 1) + "/collection/" + emulator.DefaultInletID, "server gave HTTP response to HTTPS client"},
		{"404 inlet", emu.URL + "/collection/nope", "HTTP 404"},
	}
	in, _ := genEvents(t, 3)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := run(t, nil, in, "send", "--to", tt.url, "--flow-id", "f", "--retries", "5", "--concurrency", "1",
				"--report", "json", "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
			rep := sendReportOf(t, out)
			if code != ExitFailure || rep.Failed != 3 || rep.Retries != 0 {
				t.Fatalf("exit %d report %+v: want 3 failed with no retry", code, rep)
			}
			if !strings.Contains(errOut, tt.cause) || strings.Count(errOut, "ciosim: send: ") != 1 {
				t.Errorf("stderr should say the cause once, at the first failure:\n%s", errOut)
			}
			if len(rep.Failures) != 1 || rep.Failures[0].Count != 3 || !strings.Contains(rep.Failures[0].Example, tt.cause) {
				t.Errorf("failures %+v", rep.Failures)
			}
		})
	}
}

func TestSend_missingInputFailsBeforeAnyReport(t *testing.T) {
	code, out, errOut := run(t, nil, "", "send", filepath.Join(t.TempDir(), "nope.jsonl"))
	if code == 0 || out != "" || !strings.Contains(errOut, "nope.jsonl") {
		t.Errorf("exit %d stdout %q stderr %q: want a failure naming the file and no report", code, out, errOut)
	}
}

func TestReplay_journalAndResume(t *testing.T) {
	dir := t.TempDir()
	in, _ := genEvents(t, 20)
	f := filepath.Join(dir, "events.jsonl")
	os.WriteFile(f, []byte(in), 0o644)
	j := filepath.Join(dir, "replay.journal.jsonl")
	code, _, errOut := run(t, nil, "", "replay", f, "--speed", "max", "--journal", j)
	if code != 0 || !strings.Contains(errOut, "delivered      20") {
		t.Fatalf("replay exit %d: %s", code, errOut)
	}
	code, stdout, errOut := run(t, nil, "", "replay", "--resume", j, "--speed", "max")
	if code != 0 || stdout != "" || !strings.Contains(errOut, "already done   20") {
		t.Fatalf("resume exit %d stdout %q stderr %s: want nothing replayed, 20 already done", code, stdout, errOut)
	}
}

func TestSend_progressLineOnATerminal(t *testing.T) {
	in, _ := genEvents(t, 300)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond) // long enough for a few redraws
		w.Write([]byte(`{"xactionId":"x"}`))
	}))
	defer srv.Close()
	f := filepath.Join(t.TempDir(), "events.jsonl")
	os.WriteFile(f, []byte(in), 0o644)
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"send", f, "--to", srv.URL + "/collection/" + emulator.DefaultInletID, "--flow-id", "f",
		"--concurrency", "1", "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl")},
		Streams{In: strings.NewReader(""), Out: &out, Err: &errb, Terminal: true}, func(string) string { return "" })
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	// A bar with the total (the file's lines), the counts by outcome and the rate, redrawn in
	// place, and cleared before the report.
	if !strings.Contains(errb.String(), "\r\x1b[K[") || !strings.Contains(errb.String(), "/300  ") || !strings.Contains(errb.String(), " delivered  ") {
		t.Errorf("no progress line on stderr: %q", errb.String())
	}
	if !strings.HasSuffix(errb.String(), "\r\x1b[K") {
		t.Errorf("the progress line is not cleared at the end: %q", errb.String())
	}
}

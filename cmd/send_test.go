package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/ciosim/ciosim/internal/wiring"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/emulatortest"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/pipeline"
)

// genEvents returns n generated events as JSONL and their ids.
func genEvents(t *testing.T, n int) (string, []string) {
	t.Helper()
	g := generator.New(generator.Options{Seed: 11, Start: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	pairs := customerio.Pairs()
	var b strings.Builder
	ids := make([]string, n)
	for i := range n {
		p := pairs[i%len(pairs)]
		ev, err := g.Event(p.ObjectType, p.Metric)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(ev.Bytes())
		b.WriteByte('\n')
		ids[i] = ev.EventID
	}
	return b.String(), ids
}

// runSendWith runs send with injected deps (the converter and mapper fakes).
func runSendWith(t *testing.T, deps sendDeps, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{ctx: context.Background(), s: Streams{In: strings.NewReader(stdin), Out: &out, Err: &errb},
		getenv: func(k string) string { return env[k] }}
	c := newSendCmd(a, deps)
	c.SetArgs(args)
	c.SetOut(&out)
	c.SetErr(&errb)
	c.SilenceUsage, c.SilenceErrors = true, true
	err := c.ExecuteContext(a.ctx)
	return a.exitCode(err), out.String(), errb.String()
}

func sendReportOf(t *testing.T, stdout string) pipeline.Report {
	t.Helper()
	var r pipeline.Report
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, stdout)
	}
	return r
}

func TestSend_embeddedEmulator(t *testing.T) {
	in, _ := genEvents(t, 150)
	dl := filepath.Join(t.TempDir(), "dead.jsonl")
	code, out, errOut := run(t, nil, in, "send", "--dead-letter", dl, "--concurrency", "4")
	if code != 0 {
		t.Fatalf("exit %d; stderr %s", code, errOut)
	}
	for _, want := range []string{"sent 150 events (raw mode)", "delivered      150", "failed         0",
		"emulator       150 good, 0 bad", "p50", "p99", "max", "  200          150", "email/opened"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(dl); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dead-letter file created with nothing in it: %v", err)
	}
}

func TestSend_deadLettersAndResend(t *testing.T) {
	in, ids := genEvents(t, 300)
	_, bad := emulatortest.Start(t, emulator.Options{Faults: emulator.Faults{Seed: 5, Rates: map[int]float64{503: 0.5, 400: 0.1}}})
	dl := filepath.Join(t.TempDir(), "dead.jsonl")
	code, out, errOut := run(t, nil, in, "send", "--to", bad.InletURL(), "--flow-id", emulator.DefaultFlowID,
		"--retries", "1", "--time-scale", "0.001", "--report", "json", "--dead-letter", dl)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (dead letters); stderr %s", code, errOut)
	}
	rep := sendReportOf(t, out)
	if rep.Delivered+rep.Failed != 300 || rep.Failed == 0 || rep.ByStatus["400"] == 0 || rep.Retries == 0 {
		t.Fatalf("report = %+v", rep)
	}
	if rep.DeadLetterFile != dl {
		t.Errorf("dead_letter_file = %q, want %q", rep.DeadLetterFile, dl)
	}
	b, err := os.ReadFile(dl)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != rep.Failed {
		t.Fatalf("%d dead-letter lines, want %d", len(lines), rep.Failed)
	}
	for _, l := range lines {
		d, ok := aep.ReadDeadLetter([]byte(l))
		if !ok || d.Reason == "" || (d.Status != 400 && d.Status != 503) {
			t.Errorf("dead letter %+v", d)
		}
	}
	// Re-send the dead-letter file as it is to a healthy emulator: everything arrives, with
	// the original bytes.
	good, healthy := emulatortest.Start(t, emulator.Options{})
	code, out, errOut = run(t, nil, "", "send", dl, "--to", healthy.InletURL(), "--flow-id", "f", "--report", "json",
		"--dead-letter", filepath.Join(t.TempDir(), "dl2.jsonl"))
	if code != 0 {
		t.Fatalf("re-send: exit %d; stderr %s", code, errOut)
	}
	if rep2 := sendReportOf(t, out); rep2.Delivered != rep.Failed {
		t.Fatalf("re-sent %d, want %d", rep2.Delivered, rep.Failed)
	}
	want := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(in), "\n") {
		ev, _ := customerio.Parse([]byte(l))
		want[ev.EventID] = l
	}
	for _, r := range good.Records(emulator.Filter{}) {
		if string(r.Body) != want[r.EventID] {
			t.Errorf("re-sent %s body differs from the original", r.EventID)
		}
	}
	_ = ids
}

func TestSend_badInput(t *testing.T) {
	in, _ := genEvents(t, 3)
	big := `{"event_id":"big","object_type":"email","metric":"sent","timestamp":1,"data":{"pad":"` + strings.Repeat("x", aep.MaxRequestBytes) + `"}}`
	lines := strings.Split(strings.TrimSpace(in), "\n")
	stdin := lines[0] + "\nthis is not json\n" + big + "\n" + lines[1] + "\n" + lines[2] + "\n"
	dl := filepath.Join(t.TempDir(), "dead.jsonl")
	code, out, errOut := run(t, nil, stdin, "send", "--report", "json", "--dead-letter", dl)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(errOut, "-:2: invalid JSON") {
		t.Errorf("stderr does not name the bad line: %s", errOut)
	}
	rep := sendReportOf(t, out)
	if rep.Events != 4 || rep.Delivered != 3 || rep.Failed != 1 || rep.Unreadable != 1 || rep.ByStatus["413"] != 1 {
		t.Fatalf("report = %+v", rep)
	}
	b, _ := os.ReadFile(dl)
	if d, ok := aep.ReadDeadLetter(bytes.TrimSpace(b)); !ok || d.Status != 413 || d.EventID != "big" || d.Source != "-:3" {
		t.Fatalf("dead letter = %+v", d)
	}
}

func TestSend_unreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	in, _ := genEvents(t, 2)
	code, out, _ := run(t, nil, in, "send", "--to", url+"/collection/"+emulator.DefaultInletID, "--flow-id", "f",
		"--retries", "1", "--time-scale", "0.001", "--report", "json", "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	rep := sendReportOf(t, out)
	if code != 1 || rep.Failed != 2 || rep.ByStatus["no response"] != 2 {
		t.Fatalf("exit %d report %+v", code, rep)
	}
}

func TestSend_credentialsSentNeverPrinted(t *testing.T) {
	var mu sync.Mutex
	var hdr http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		hdr = r.Header.Clone()
		mu.Unlock()
		w.WriteHeader(401)
		io.WriteString(w, `{"status":"401","title":"Authorization","report":{"message":"nope"}}`)
	}))
	defer srv.Close()
	keyFile := filepath.Join(t.TempDir(), "key")
	os.WriteFile(keyFile, []byte("file-signing-key\n"), 0o600)
	env := map[string]string{envAccessToken: "tok-SECRET-1", envAPIKey: "api-SECRET-2", envOrgID: "ORG@AdobeOrg", envSandbox: "dev"}
	in, _ := genEvents(t, 1)
	code, out, errOut := run(t, env, in, "send", "--to", srv.URL+"/collection/"+emulator.DefaultInletID, "--flow-id", "f",
		"--signing-key-file", keyFile, "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	mu.Lock()
	defer mu.Unlock()
	if hdr.Get("Authorization") != "Bearer tok-SECRET-1" || hdr.Get("x-api-key") != "api-SECRET-2" ||
		hdr.Get("x-gw-ims-org-id") != "ORG@AdobeOrg" || hdr.Get("x-sandbox-name") != "dev" {
		t.Errorf("headers = %v", hdr)
	}
	body := strings.TrimSpace(in)
	if err := customerio.Verify([]byte("file-signing-key"), hdr.Get(customerio.HeaderTimestamp), hdr.Get(customerio.HeaderSignature),
		[]byte(body), customerio.VerifyOptions{}); err != nil {
		t.Errorf("signature from the key file does not verify: %v", err)
	}
	for _, s := range []string{"tok-SECRET-1", "api-SECRET-2", "file-signing-key"} {
		if strings.Contains(out+errOut, s) {
			t.Errorf("output leaks %q", s)
		}
	}
}

func TestSend_usage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"send", "--mode", "smoke"}, "--mode"},
		{[]string{"send", "--report", "xml"}, "--report"},
		{[]string{"send", "--concurrency", "0"}, "--concurrency"},
		{[]string{"send", "--rate", "fast"}, "--rate"},
		{[]string{"send", "--to", "ftp://x/collection/y", "--flow-id", "f"}, "--to"},
		{[]string{"send", "--to", "https://dcs.adobedc.net/collection/abc"}, "--flow-id"},
	}
	for _, tt := range tests {
		code, _, errOut := run(t, nil, "", tt.args...)
		if code != 2 || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d stderr %q, want 2 mentioning %s", tt.args, code, errOut, tt.want)
		}
	}
}

func TestSendConfig_plainHTTPWarns(t *testing.T) {
	tests := []struct {
		to   string
		warn bool
	}{
		{"http://dcs.example.com/collection/abc", true},
		{"http://10.1.2.3:8080/collection/abc", true},
		{"https://dcs.adobedc.net/collection/abc", false},
		{"http://127.0.0.1:8788/collection/abc", false},
		{"http://localhost:8788/collection/abc", false},
		{"http://[::1]:8788/collection/abc", false},
	}
	for _, tt := range tests {
		var errb bytes.Buffer
		a := &app{ctx: context.Background(), s: Streams{Err: &errb}, getenv: func(string) string { return "" }}
		_, err := wiring.SendConfig(a.env(), wiring.SendOptions{To: tt.to, Mode: "raw", FlowID: "f", Report: "text", Concurrency: 1, TimeScale: 1})
		if err != nil {
			t.Fatalf("%s: %v", tt.to, err)
		}
		if got := strings.Contains(errb.String(), "unencrypted"); got != tt.warn {
			t.Errorf("%s: warned=%v, want %v (%q)", tt.to, got, tt.warn, errb.String())
		}
	}
}

// fakeXDM wraps a Customer.io event in a hand-written XDM message, standing in for the xdm
// package's converter.
func fakeXDM(ev []byte) ([]byte, error) {
	e, err := customerio.Parse(ev)
	if err != nil || e.EventID == "" {
		return nil, errors.New("not a Customer.io event")
	}
	ts := time.Unix(e.Timestamp, 0).UTC().Format(time.RFC3339)
	return []byte(`{"header":{"schemaRef":{"id":"https://ns.adobe.com/acme/schemas/cio","contentType":"application/vnd.adobe.xed-full+json;version=1"}},` +
		`"body":{"xdmMeta":{"schemaRef":{"id":"https://ns.adobe.com/acme/schemas/cio","contentType":"application/vnd.adobe.xed-full+json;version=1"}},` +
		`"xdmEntity":{"_id":"` + e.EventID + `","timestamp":"` + ts + `","_acme":{"object_type":"` + e.ObjectType + `","metric":"` + e.Metric + `"}}}}`), nil
}

func TestSend_xdmAndBatchModes(t *testing.T) {
	in, ids := genEvents(t, 120)
	in += `{"event_id":"","object_type":"email"}` + "\n" // valid JSON the converter refuses
	for _, mode := range []string{"xdm", "batch"} {
		t.Run(mode, func(t *testing.T) {
			s, run := emulatortest.Start(t, emulator.Options{})
			dl := filepath.Join(t.TempDir(), "dead.jsonl")
			code, out, errOut := runSendWith(t, sendDeps{XDM: wiring.XDM{Convert: fakeXDM}}, nil, in, "--mode", mode, "--to", run.InletURL(),
				"--report", "json", "--dead-letter", dl)
			if code != 1 {
				t.Fatalf("exit %d, want 1 (one conversion failure); %s", code, errOut)
			}
			rep := sendReportOf(t, out)
			if rep.Delivered != 120 || rep.Rejected != 1 || rep.Failed != 0 || rep.ByStatus["rejected"] != 1 {
				t.Fatalf("report = %+v", rep)
			}
			if !strings.Contains(errOut, "-:121 rejected: convert to XDM: not a Customer.io event") {
				t.Errorf("stderr does not show the rejection with its reason at once: %s", errOut)
			}
			got := map[string]bool{}
			for _, r := range s.Records(emulator.Filter{Status: "good"}) {
				if r.Kind != "xdm" {
					t.Errorf("record kind %s", r.Kind)
				}
				got[r.EventID] = true
			}
			for _, id := range ids {
				if !got[id] {
					t.Fatalf("event %s not received as a good XDM record", id)
				}
			}
			if _, err := os.Stat(dl); err == nil {
				t.Errorf("a rejected event (never posted) went to the dead-letter file")
			}
		})
	}
}

func TestSend_xdmWithoutConverter(t *testing.T) {
	in, _ := genEvents(t, 2)
	msg, _ := fakeXDM([]byte(strings.Split(in, "\n")[0]))
	_, run := emulatortest.Start(t, emulator.Options{})
	code, out, _ := runSendWith(t, sendDeps{}, nil, string(msg)+"\n"+in, "--mode", "xdm", "--to", run.InletURL(),
		"--report", "json", "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	rep := sendReportOf(t, out)
	if code != 1 || rep.Delivered != 1 || rep.Rejected != 2 {
		t.Fatalf("exit %d report %+v: an XDM line is sent as is, events without a converter are rejected", code, rep)
	}
}

func TestServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	codec := make(chan int, 1)
	go func() {
		codec <- Main(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--fail", "503=0", "--latency", "1ms"},
			Streams{In: strings.NewReader(""), Out: pw, Err: &errb}, func(string) string { return "" })
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	sc.Scan()
	first := sc.Text()
	const prefix = "AEP streaming emulator listening on "
	if !strings.HasPrefix(first, prefix) {
		t.Fatalf("first line %q", first)
	}
	base := strings.TrimPrefix(first, prefix)
	go io.Copy(io.Discard, pr)
	in, _ := genEvents(t, 5)
	code, out, errOut := run(t, nil, in, "send", "--to", base+"/collection/"+emulator.DefaultInletID, "--flow-id", "f",
		"--report", "json", "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	if code != 0 || sendReportOf(t, out).Delivered != 5 {
		t.Fatalf("send to serve: exit %d %s %s", code, out, errOut)
	}
	resp, err := http.Get(base + "/emulator/records?status=good")
	if err != nil {
		t.Fatal(err)
	}
	var recs struct{ Count int }
	json.NewDecoder(resp.Body).Decode(&recs)
	resp.Body.Close()
	if recs.Count != 5 {
		t.Errorf("serve holds %d good records, want 5", recs.Count)
	}
	cancel()
	if c := <-codec; c != ExitInterrupted {
		t.Errorf("serve exit %d after interrupt, want %d", c, ExitInterrupted)
	}
}

func TestServe_usage(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--fail", "503=2"},
		{"serve", "--fail", "teapot=0.1"},
		{"serve", "--latency", "soon"},
	} {
		if code, _, _ := run(t, nil, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestSend_realXDMWiring runs send through Main, so with the xdm package's experience-event
// mapping: batch mode converts each event to an XDM message, and the embedded emulator maps
// raw posts and keeps the rejected ones as bad with the mapper's reasons.
func TestSend_realXDMWiring(t *testing.T) {
	in, ids := genEvents(t, 80)
	s, run := emulatortest.Start(t, emulator.Options{})
	code, out, errOut := run2(t, in, "send", "--mode", "batch", "--to", run.InletURL(), "--report", "json",
		"--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	good := map[string]bool{}
	for _, r := range s.Records(emulator.Filter{Status: "good"}) {
		var msg struct {
			Header struct{ SchemaRef struct{ ID string } }
		}
		json.Unmarshal(r.Body, &msg)
		if msg.Header.SchemaRef.ID == "" {
			t.Errorf("message without header.schemaRef.id: %.200s", r.Body)
		}
		good[r.EventID] = true
	}
	for _, id := range ids {
		if !good[id] {
			t.Fatalf("event %s did not arrive as a good XDM record (%d good)", id, len(good))
		}
	}

	// Raw: the embedded emulator maps with the same set. An event without a timestamp maps
	// to a record without the required ExperienceEvent timestamp: kept as bad, with a reason.
	noTS := `{"data":{"customer_id":"42","identifiers":{"id":"42"}},"event_id":"01NOTIMESTAMP","metric":"subscribed","object_type":"customer"}`
	code, out, _ = run2(t, strings.Split(in, "\n")[0]+"\n"+noTS+"\n", "send", "--report", "json",
		"--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	rep := sendReportOf(t, out)
	if code != 0 || rep.Delivered != 2 || rep.Emulator == nil || rep.Emulator.Good != 1 || rep.Emulator.Bad != 1 {
		t.Fatalf("exit %d report %+v emulator %+v: want both delivered (AEP accepts raw posts asynchronously), one good, one bad", code, rep, rep.Emulator)
	}
}

func run2(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	return run(t, nil, stdin, args...)
}

func TestParseRate(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"", 0, true}, {"100", 100, true}, {"100/s", 100, true}, {"60/m", 1, true}, {"7200/h", 2, true},
		{"x", 0, false}, {"-1", 0, false}, {"5/d", 0, false},
	}
	for _, tt := range tests {
		got, err := wiring.ParseRate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseRate(%q) = %g, %v; want %g ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestSend_customerIOSemanticsFlag(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 1 {
			w.WriteHeader(400) // Customer.io retries even this, after an hour
			return
		}
		io.WriteString(w, `{"xactionId":"x"}`)
	}))
	defer srv.Close()
	in, _ := genEvents(t, 3)
	code, out, errOut := run(t, nil, in, "send", "--to", srv.URL+"/collection/"+emulator.DefaultInletID, "--flow-id", "f",
		"--customerio-semantics", "--time-scale", "0.000001", "--report", "json", "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	rep := sendReportOf(t, out)
	if code != 0 || rep.Delivered != 3 || rep.Retries != 1 {
		t.Fatalf("exit %d report %+v (%s): want all delivered after one retry of the 400", code, rep, errOut)
	}
	// Without the switch, the 400 is final.
	mu.Lock()
	calls = 0
	mu.Unlock()
	code, out, _ = run(t, nil, in, "send", "--to", srv.URL+"/collection/"+emulator.DefaultInletID, "--flow-id", "f",
		"--report", "json", "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	if rep := sendReportOf(t, out); code != 1 || rep.Failed != 1 || rep.ByStatus["400"] != 1 {
		t.Fatalf("exit %d report %+v: want the 400 dead-lettered", code, rep)
	}
}

func TestSend_syncValidationAndGzip(t *testing.T) {
	noTS := `{"data":{"customer_id":"42","identifiers":{"id":"42"}},"event_id":"01NOTIMESTAMP","metric":"subscribed","object_type":"customer"}`
	in, _ := genEvents(t, 2)
	dl := filepath.Join(t.TempDir(), "d.jsonl")
	code, out, _ := run(t, nil, in+noTS+"\n", "send", "--sync-validation", "--gzip", "--report", "json", "--dead-letter", dl)
	rep := sendReportOf(t, out)
	if code != 1 || rep.Delivered != 2 || rep.Failed != 1 || rep.ByStatus["400"] != 1 {
		t.Fatalf("exit %d report %+v: want the record without timestamp refused by sync validation", code, rep)
	}
	b, _ := os.ReadFile(dl)
	if d, ok := aep.ReadDeadLetter(bytes.TrimSpace(b)); !ok || d.EventID != "01NOTIMESTAMP" ||
		!strings.Contains(d.Response, `"_streamingValidation":[{"causingExceptions":[],"keyword":"required","message":"required key [timestamp] not found","pointerToViolation":"#","schemaLocation":"#"}]`) {
		t.Fatalf("dead letter = %+v", d)
	}
}

func TestCustomerKey(t *testing.T) {
	tests := []struct{ data, want string }{
		{`{"customer_id":"c1","identifiers":{"id":"i1"}}`, "c1"},
		{`{"identifiers":{"id":"i1","email":"e@x"}}`, "i1"},
		{`{"identifiers":{"email":"e@x"}}`, "e@x"},
		{`{}`, ""},
		{``, ""},
	}
	for _, tt := range tests {
		if got := pipeline.CustomerKey(json.RawMessage(tt.data)); got != tt.want {
			t.Errorf("pipeline.CustomerKey(%s) = %q, want %q", tt.data, got, tt.want)
		}
	}
}

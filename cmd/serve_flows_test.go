package cmd

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
)

// startServe runs `ciosim serve` with args on a free port and returns its base URL; the
// server stops when the test ends.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var errb bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- Main(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...),
			Streams{In: strings.NewReader(""), Out: pw, Err: &errb}, func(string) string { return "" })
		pw.Close()
	}()
	t.Cleanup(func() { cancel(); <-done })
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatalf("serve printed nothing; stderr %s", errb.String())
	}
	const prefix = "AEP streaming emulator listening on "
	first := sc.Text()
	if !strings.HasPrefix(first, prefix) {
		t.Fatalf("first line %q", first)
	}
	go io.Copy(io.Discard, pr)
	return strings.TrimPrefix(first, prefix)
}

type emuRecord struct {
	EventID    string               `json:"event_id"`
	Good       bool                 `json:"good"`
	Reasons    []string             `json:"reasons"`
	Violations []emulator.Violation `json:"validationErrors"`
}

func badRecords(t *testing.T, base string) map[string]emuRecord {
	t.Helper()
	resp, err := http.Get(base + "/emulator/records?status=bad")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Records []emuRecord }
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	out := map[string]emuRecord{}
	for _, r := range body.Records {
		out[r.EventID] = r
	}
	return out
}

// TestServe_mappingAndSchema: `serve --mapping m.json --schema s.json` + `send` of events
// the schema rejects for different reasons → each reason in AEP's wording, with keyword,
// schemaLocation and pointerToViolation, in /emulator/records?status=bad; an XDM post
// naming the schema is validated against it too.
func TestServe_mappingAndSchema(t *testing.T) {
	base := startServe(t, "--mapping", "testdata/serve/mapping.json", "--schema", "testdata/serve/schema.json",
		"--dataset", "5e72608b10f6e318ad2dee0f")
	ev := func(id, data string) string {
		return `{"data":` + data + `,"event_id":"` + id + `","metric":"opened","object_type":"email","timestamp":1613063089}`
	}
	in := strings.Join([]string{
		ev("good1", `{"email":"ann@example.com"}`),
		ev("format1", `{"email":"not-an-email"}`),
		ev("missing1", `{}`),
		ev("extra1", `{"email":"bob@example.com","nickname":"bobby"}`),
	}, "\n") + "\n"
	code, out, errOut := run(t, nil, in, "send", "--to", base+"/collection/"+emulator.DefaultInletID,
		"--flow-id", emulator.DefaultFlowID, "--report", "json", "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	if code != 0 || sendReportOf(t, out).Delivered != 4 {
		t.Fatalf("send: exit %d %s %s", code, out, errOut)
	}
	// an XDM post naming the schema: _id as a number is a type error, not "required key"
	xdmMsg := `{"header":{"schemaRef":{"id":"https://ns.adobe.com/acme/schemas/cio-events","contentType":"application/vnd.adobe.xed-full+json;version=1"},"datasetId":"5e72608b10f6e318ad2dee0f"},` +
		`"body":{"xdmMeta":{"schemaRef":{"id":"https://ns.adobe.com/acme/schemas/cio-events","contentType":"application/vnd.adobe.xed-full+json;version=1"}},` +
		`"xdmEntity":{"_id":42,"timestamp":"2021-02-11T17:04:49Z","_acme":{"email":"c@example.com"}}}}`
	resp, err := http.Post(base+"/collection/"+emulator.DefaultInletID, "application/json", strings.NewReader(xdmMsg))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("xdm post: %d", resp.StatusCode)
	}

	bad := badRecords(t, base)
	want := map[string][]emulator.Violation{
		"format1":  {{SchemaLocation: "#/properties/_acme/properties/email", Pointer: "#/_acme/email", Keyword: "format", Message: "[not-an-email] is not a valid email address"}},
		"missing1": {{SchemaLocation: "#/properties/_acme", Pointer: "#/_acme", Keyword: "required", Message: "required key [email] not found"}},
		"extra1":   {{SchemaLocation: "#/properties/_acme", Pointer: "#/_acme", Keyword: "additionalProperties", Message: "extraneous key [nickname] is not permitted"}},
		"":         {{SchemaLocation: "#/properties/_id", Pointer: "#/_id", Keyword: "type", Message: "expected type: String, found: Long"}},
	}
	if len(bad) != len(want) {
		t.Errorf("bad records %v, want %d", bad, len(want))
	}
	for id, w := range want {
		got := bad[id]
		if !reflect.DeepEqual(got.Violations, w) {
			t.Errorf("%q: violations %+v, want %+v", id, got.Violations, w)
		}
		if len(got.Reasons) != 1 || got.Reasons[0] != w[0].Pointer+": "+w[0].Message {
			t.Errorf("%q: reasons %q", id, got.Reasons)
		}
	}

	// sync validation of the same raw post answers with the same violation, in AEP's body
	resp, err = http.Post(base+"/collection/"+emulator.DefaultInletID+"?syncValidation=true&x-adobe-flow-id="+emulator.DefaultFlowID,
		"application/json", strings.NewReader(ev("format2", `{"email":"not-an-email"}`)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), `"_streamingValidation":[{"causingExceptions":[],"keyword":"format","message":"[not-an-email] is not a valid email address","pointerToViolation":"#/_acme/email","schemaLocation":"#/properties/_acme/properties/email"}]`) {
		t.Errorf("sync: %d %s", resp.StatusCode, b)
	}
}

func TestServe_flowUsage(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--flow", "noequals"},
		{"serve", "--flow", "=m.json"},
		{"serve", "--flow", "f=a,b,c,d"},
		{"serve", "--flow", "f=,"},
		{"serve", "--flow", "f=testdata/serve/missing.json"},
		{"serve", "--mapping", "testdata/serve/mapping.json", "--schema", "testdata/serve/other.schema.json"}, // outputSchema ≠ $id
		{"serve", "--dataset", "d"},
		{"serve", "--allow-ip", "not-an-ip"},
		{"serve", "--max-record-bytes", "10"},
		{"serve", "--flow", "a=testdata/serve/mapping.json", "--flow", "a=testdata/serve/mapping.json"},
	} {
		if code, _, errOut := run(t, nil, "", args...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errOut)
		}
	}
}

// With no schema known, serve judges XDM posts by the built-in rules of their class: a
// profile record without timestamp is good; an ExperienceEvent's wrong-typed _id and
// epoch-seconds timestamp are type errors, not "required key not found".
func TestServe_builtinClassRules(t *testing.T) {
	base := startServe(t)
	post := func(entity string) {
		t.Helper()
		msg := `{"header":{"schemaRef":{"id":"https://ns.adobe.com/acme/schemas/unknown","contentType":"application/vnd.adobe.xed-full+json;version=1"}},` +
			`"body":{"xdmMeta":{"schemaRef":{"id":"https://ns.adobe.com/acme/schemas/unknown","contentType":"application/vnd.adobe.xed-full+json;version=1"}},"xdmEntity":` + entity + `}}`
		resp, err := http.Post(base+"/collection/"+emulator.DefaultInletID, "application/json", strings.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("post %s: %d", entity, resp.StatusCode)
		}
	}
	post(`{"_id":"profile-1","person":{"name":{"firstName":"Ann"}}}`)
	post(`{"_id":"ee-1","timestamp":1613063089,"eventType":"directMarketing.emailOpened"}`)
	post(`{"_id":7,"timestamp":"2021-02-11T17:04:49Z"}`)
	bad := badRecords(t, base)
	if len(bad) != 2 {
		t.Fatalf("bad records %+v, want 2 (the profile record is good)", bad)
	}
	if v := bad["ee-1"].Violations; len(v) != 1 || v[0] != (emulator.Violation{SchemaLocation: "#/properties/timestamp", Pointer: "#/timestamp", Keyword: "type", Message: "expected type: String, found: Long"}) {
		t.Errorf("ee-1: %+v", v)
	}
	if v := bad[""].Violations; len(v) != 1 || v[0] != (emulator.Violation{SchemaLocation: "#/properties/_id", Pointer: "#/_id", Keyword: "type", Message: "expected type: String, found: Long"}) {
		t.Errorf("_id 7: %+v", v)
	}
}

// startServeProcess runs `ciosim serve` with args as a separate process (the test binary as
// ciosim, see TestMain) on a free port and returns its base URL; it is interrupted when the
// test ends.
func startServeProcess(t *testing.T, args ...string) string {
	t.Helper()
	c := exec.Command(os.Args[0], append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	c.Env = append(os.Environ(), "CIOSIM_TEST_MAIN=1")
	var errb bytes.Buffer
	c.Stderr = &errb
	out, err := c.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- c.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			c.Process.Kill()
			<-done
		}
	})
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		t.Fatalf("serve printed nothing; stderr %s", errb.String())
	}
	const prefix = "AEP streaming emulator listening on "
	if !strings.HasPrefix(sc.Text(), prefix) {
		t.Fatalf("first line %q", sc.Text())
	}
	go io.Copy(io.Discard, out)
	return strings.TrimPrefix(sc.Text(), prefix)
}

// TestServe_separateProcessVerdictsInSendReport: `ciosim serve --mapping M --schema S` in
// one process, `ciosim send --to` its inlet in another → the report lists every event the
// emulator judged bad with each reason in AEP's wording, the same reasons
// /emulator/records?status=bad shows.
func TestServe_separateProcessVerdictsInSendReport(t *testing.T) {
	base := startServeProcess(t, "--mapping", "testdata/serve/mapping.json", "--schema", "testdata/serve/schema.json")
	ev := func(id, data string) string {
		return `{"data":` + data + `,"event_id":"` + id + `","metric":"opened","object_type":"email","timestamp":1613063089}`
	}
	in := strings.Join([]string{
		ev("good1", `{"email":"ann@example.com"}`),
		ev("format1", `{"email":"not-an-email"}`),
		ev("missing1", `{}`),
		ev("extra1", `{"email":"bob@example.com","nickname":"bobby"}`),
		ev("format2", `{"email":"also-not"}`),
	}, "\n") + "\n"
	to := base + "/collection/" + emulator.DefaultInletID + "?x-adobe-flow-id=" + emulator.DefaultFlowID
	code, out, errOut := run(t, nil, in, "send", "--to", to, "--report", "json", "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	rep := sendReportOf(t, out)
	if code != 0 || rep.Delivered != 5 || rep.Emulator == nil {
		t.Fatalf("send: exit %d %s %s", code, out, errOut)
	}
	wantWhy := map[string]int{
		"#/_acme/email: [not-an-email] is not a valid email address": 1,
		"#/_acme/email: [also-not] is not a valid email address":     1,
		"#/_acme: required key [email] not found":                    1,
		"#/_acme: extraneous key [nickname] is not permitted":        1,
	}
	gotWhy := map[string]int{}
	for _, k := range rep.Emulator.Why {
		gotWhy[k.Kind] = k.Count
	}
	if rep.Emulator.Good != 1 || rep.Emulator.Bad != 4 || rep.Emulator.Unknown != 0 || !reflect.DeepEqual(gotWhy, wantWhy) {
		t.Errorf("report's verdicts %+v, want good 1, bad 4, reasons %v", rep.Emulator, wantWhy)
	}
	bad := badRecords(t, base)
	for id, reason := range map[string]string{"format1": "#/_acme/email: [not-an-email] is not a valid email address",
		"missing1": "#/_acme: required key [email] not found", "extra1": "#/_acme: extraneous key [nickname] is not permitted",
		"format2": "#/_acme/email: [also-not] is not a valid email address"} {
		if r := bad[id]; len(r.Reasons) != 1 || r.Reasons[0] != reason {
			t.Errorf("/emulator/records?status=bad %s: %q, want %q", id, r.Reasons, reason)
		}
	}
	if len(bad) != 4 {
		t.Errorf("%d bad records, want 4", len(bad))
	}

	// the text report says the same
	code, out, _ = run(t, nil, in, "send", "--to", to, "--dead-letter", filepath.Join(t.TempDir(), "d.jsonl"))
	for _, want := range []string{"emulator       1 good, 4 bad records", "bad ×1: #/_acme: required key [email] not found",
		"bad ×1: #/_acme: extraneous key [nickname] is not permitted", "-:3"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("text report lacks %q:\n%s", want, out)
		}
	}
}

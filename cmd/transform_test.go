package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ciosim/ciosim/internal/golden"
	"github.com/ciosim/ciosim/internal/sharedtest"
	"github.com/ciosim/ciosim/internal/wiring"
)

// generated returns the 69 events of `generate --all` with a fixed seed and clock.
func generated(t *testing.T) string {
	t.Helper()
	code, out, stderr := run(t, nil, "", "generate", "--all", "--seed", "5", "--start", "2026-03-14T15:09:26Z")
	if code != 0 {
		t.Fatalf("generate: %d %s", code, stderr)
	}
	return out
}

func TestTransform_experienceEventGolden(t *testing.T) {
	code, out, stderr := run(t, nil, generated(t), "transform")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 69 {
		t.Fatalf("%d lines, want 69", len(lines))
	}
	golden.RequireEqual(t, []byte(out))
}

func TestTransform_tutorialEnvelope(t *testing.T) {
	env := map[string]string{"CIOSIM_IMS_ORG": "ORG@AdobeOrg", "CIOSIM_DATASET_ID": "ds1"}
	code, out, stderr := run(t, env, generated(t), "transform", "--mapping", "tutorial", "--tenant", "acme", "--envelope", "--flow-id", "f1", "--source-name", "ciosim")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	first := strings.SplitN(out, "\n", 2)[0]
	var m struct {
		Header struct {
			SchemaRef struct{ ID string }
			IMSOrgID  string `json:"imsOrgId"`
			DatasetID string `json:"datasetId"`
			FlowID    string `json:"flowId"`
		}
		Body struct {
			XDMEntity map[string]map[string]any `json:"xdmEntity"`
		}
	}
	if err := json.Unmarshal([]byte(first), &m); err != nil {
		t.Fatal(err)
	}
	if m.Header.IMSOrgID != "ORG@AdobeOrg" || m.Header.DatasetID != "ds1" || m.Header.FlowID != "f1" ||
		m.Header.SchemaRef.ID != "https://ns.adobe.com/_acme/schemas/customerio-webhook" || m.Body.XDMEntity["_acme"]["metricx"] == nil {
		t.Errorf("envelope: %s", first)
	}
}

func TestTransform_rejectedAndMalformed(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	good := `{"data":{"customer_id":"1","email_address":"a@b.co","identifiers":{"id":"1"}},"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","metric":"subscribed","object_type":"customer","timestamp":1613063089}`
	noID := `{"data":{"customer_id":"1","email_address":"a@b.co","identifiers":{"id":"1"}},"event_id":"1:2","metric":"subscribed","object_type":"customer","timestamp":1613063089}`
	os.WriteFile(in, []byte(good+"\nnot json\n"+noID+"\n"+good+"\n"), 0o644)
	errs := filepath.Join(dir, "rejected.jsonl")
	code, out, stderr := run(t, nil, "", "transform", in, "--errors", errs)
	if code != 1 {
		t.Fatalf("exit %d, want 1; %s", code, stderr)
	}
	if n := strings.Count(out, "\n"); n != 2 {
		t.Errorf("%d records written, want 2 (the good ones)", n)
	}
	if !strings.Contains(stderr, "in.jsonl:2") || !strings.Contains(stderr, "1 rejected, 1 unreadable") {
		t.Errorf("stderr: %s", stderr)
	}
	b, err := os.ReadFile(errs)
	if err != nil {
		t.Fatal(err)
	}
	var rl wiring.RejectedLine
	if err := json.Unmarshal(b, &rl); err != nil {
		t.Fatal(err)
	}
	if rl.Line != 3 || rl.EventID != "1:2" || len(rl.Reasons) != 1 || rl.Reasons[0] != "#/_id: [1:2] is not a valid URI reference" {
		t.Errorf("rejected line: %+v", rl)
	}
	// the same structure the emulator's bad records carry
	if !strings.Contains(string(b), `"validationErrors":[{"pointerToViolation":"#/_id","schemaLocation":"#/properties/_id","keyword":"format","message":"[1:2] is not a valid URI reference"}]`) {
		t.Errorf("rejected line has no validationErrors in AEP's shape: %s", b)
	}
	// without --errors, rejections go to stderr with line numbers
	code, _, stderr = run(t, nil, noID+"\n", "transform")
	if code != 1 || !strings.Contains(stderr, "rejected: -:1 (event 1:2): #/_id: [1:2] is not a valid URI reference") {
		t.Errorf("exit %d stderr %s", code, stderr)
	}
}

func TestTransform_validate(t *testing.T) {
	dir := t.TempDir()
	schema := filepath.Join(dir, "s.json")
	os.WriteFile(schema, []byte(`{"$schema":"http://json-schema.org/draft-06/schema#","type":"object","required":["_tenant"],
	 "properties":{"_tenant":{"type":"object","required":["email"],"properties":{"timestampx":{"type":"string","format":"date-time"},"email":{"type":"string"}}}}}`), 0o644)
	ev := `{"data":{"customer_id":"1","email_address":"a@b.co","identifiers":{"id":"1","email":"a@b.co"}},"event_id":"E1","metric":"subscribed","object_type":"customer","timestamp":1613063089}`
	code, out, stderr := run(t, nil, ev+"\n", "transform", "--mapping", "tutorial", "--validate", schema)
	if code != 1 || out != "" {
		t.Fatalf("exit %d out %q", code, out)
	}
	// Epoch seconds mapped straight onto a date-time field are not converted (AEP leaves
	// this unspecified); the record breaks the schema and is rejected with AEP's wording.
	if !strings.Contains(stderr, "rejected: -:1 (event E1): #/_tenant/timestampx: expected type: String, found: Long") {
		t.Errorf("stderr: %s", stderr)
	}
	ev2 := strings.Replace(ev, `,"email":"a@b.co"}`, `}`, 1)
	code, _, stderr = run(t, nil, ev2+"\n", "transform", "--mapping", "tutorial", "--validate", schema)
	if code != 1 || !strings.Contains(stderr, "#/_tenant: required key [email] not found") {
		t.Errorf("exit %d stderr %s", code, stderr)
	}
}

func TestTransform_printMapping(t *testing.T) {
	code, out, _ := run(t, nil, "", "transform", "--print-mapping", "tutorial", "--tenant", "_acme")
	if code != 0 || !strings.Contains(out, `"destination": "_acme.cio_id"`) || !strings.Contains(out, `"sourceType": "ATTRIBUTE"`) {
		t.Fatalf("exit %d: %s", code, out)
	}
	// the printed set is a valid --mapping file
	dir := t.TempDir()
	f := filepath.Join(dir, "m.json")
	os.WriteFile(f, []byte(out), 0o644)
	code, out2, stderr := run(t, nil, generated(t), "transform", "--mapping", f)
	_, want, _ := run(t, nil, generated(t), "transform", "--mapping", "tutorial", "--tenant", "_acme")
	if code != 0 || out2 != want {
		t.Errorf("exit %d %s", code, stderr)
	}
}

func TestTransform_badInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	unknownFn := write("fn.json", `{"mappings":[{"sourceType":"EXPRESSION","source":"lowr(metric)","destination":"a"}]}`)
	syntax := write("syn.json", `{"mappings":[{"sourceType":"EXPRESSION","source":"concat(metric,","destination":"a"}]}`)
	path := write("path.json", `{"mappings":[{"source":"data.emial","destination":"a"}]}`)
	st := write("st.json", `{"mappings":[{"sourceType":"LOOKUP","source":"x","destination":"a"}]}`)
	badSchema := write("schema.json", `{"type": 12}`)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown function", []string{"--mapping", unknownFn}, 1, "mapping 1 (→ a): syntax error at column 1: unknown function lowr()"},
		{"syntax error", []string{"--mapping", syntax}, 1, "syntax error at column 15: unexpected end of expression"},
		{"path never matches", []string{"--mapping", path}, 1, "source path data.emial matches no field of any Customer.io event"},
		{"unknown sourceType", []string{"--mapping", st}, 1, `mapping 1: sourceType: unknown source type "LOOKUP"`},
		{"malformed schema", []string{"--validate", badSchema}, 1, "schema " + badSchema},
		{"unknown mapping", []string{"--mapping", "nope"}, 2, "not a built-in set"},
		{"bad tenant", []string{"--tenant", "a-b"}, 2, "--tenant"},
		{"unknown print", []string{"--print-mapping", "nope"}, 2, `no default mapping set "nope"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// stdin holds an event: nothing may be processed before the error.
			code, out, stderr := run(t, nil, generated(t), append([]string{"transform"}, tc.args...)...)
			if code != tc.code || out != "" || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d out %q stderr %q, want %d and %q", code, out, stderr, tc.code, tc.want)
			}
		})
	}
	// --no-path-check lets custom paths through
	code, _, stderr := run(t, nil, generated(t), "transform", "--mapping", path, "--no-path-check")
	if code != 0 {
		t.Errorf("--no-path-check: %d %s", code, stderr)
	}
}

// TestTransform_officialSchema validates every pair's experience-event record against the
// derived compatibility-mode schema of ../shared/xdm through the command line.
func TestTransform_officialSchema(t *testing.T) {
	schema := sharedtest.Path(t, "xdm/derived/experienceevent-messaging.compat.schema.json")
	code, out, stderr := run(t, nil, generated(t), "transform", "--validate", schema, "--no-tenant-fields")
	if code != 0 || strings.Count(out, "\n") != 69 || strings.Contains(out, "_tenant") {
		t.Fatalf("exit %d, %d lines: %s", code, strings.Count(out, "\n"), stderr)
	}
	// with tenant fields the closed schema rejects every record, naming the key
	code, _, stderr = run(t, nil, generated(t), "transform", "--validate", schema)
	if code != 1 || !strings.Contains(stderr, "#: extraneous key [_tenant] is not permitted") || !strings.Contains(stderr, "69 rejected") {
		t.Errorf("exit %d: %.300s", code, stderr)
	}
}

// TestTransform_coresKeepOrder: on several cores, records, warnings, rejections and
// unreadable-line reports come out exactly as on one, across many worker batches.
func TestTransform_coresKeepOrder(t *testing.T) {
	_, evs, _ := run(t, nil, "", "generate", "--all", "--count", "1500", "--seed", "5", "--start", "2026-03-01T00:00:00Z")
	lines := strings.SplitAfter(evs, "\n")
	noID := `{"data":{"customer_id":"1","email_address":"a@b.co","identifiers":{"id":"1"}},"event_id":"1:2","metric":"subscribed","object_type":"customer","timestamp":1613063089}` + "\n"
	var in strings.Builder
	for i, l := range lines {
		in.WriteString(l)
		switch i % 97 {
		case 3:
			in.WriteString("not json\n")
		case 50:
			in.WriteString(noID)
		}
	}
	runWith := func(procs int) (int, string, string) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		return run(t, nil, in.String(), "transform")
	}
	code1, out1, err1 := runWith(1)
	if code1 != 1 || strings.Count(out1, "\n") != 1500 || !strings.Contains(err1, "rejected: -:") || !strings.Contains(err1, "invalid JSON") {
		t.Fatalf("one core: exit %d, %d records; stderr %.300s", code1, strings.Count(out1, "\n"), err1)
	}
	for _, procs := range []int{2, 4} {
		code, out, errs := runWith(procs)
		if code != code1 || out != out1 || errs != err1 {
			t.Fatalf("GOMAXPROCS=%d: output differs from one core's (exit %d vs %d, stdout equal %v, stderr equal %v)", procs, code, code1, out == out1, errs == err1)
		}
	}
}

package dataflow

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNormalizeMapping_dropsServerFields(t *testing.T) {
	// Data Prep's GET answer (reference §3): ids, dates, status and both key spellings.
	got := `{"id":"e7c8","version":2,"createdDate":1,"modifiedDate":2,"status":"PUBLISHED","supportVersion":"1.1",
		"outputSchema":{"id":"x","version":"1","schemaRef":{"id":"https://ns.adobe.com/acme/schemas/a","contentType":"application/vnd.adobe.xed-full+json;version=1"},"jsonSchema":{}},
		"mappings":[{"id":"m1","version":0,"sourceType":"text/x.schema-path","source":"event_id","destination":"_id","sourceAttribute":"event_id","destinationXdmPath":"_id","identity":false,"primaryIdentity":false,"matchScore":0,"functionVersion":0},
		            {"sourceType":"text/x.aep-sl","source":"lower(a) < b","destination":"x"}]}`
	posted := `{"outputSchema":{"schemaRef":{"id":"https://ns.adobe.com/acme/schemas/a","contentType":"application/vnd.adobe.xed-full+json;version=1"}},
		"mappings":[{"sourceType":"ATTRIBUTE","source":"event_id","destination":"_id"},{"sourceType":"EXPRESSION","source":"lower(a) < b","destination":"x"}]}`
	a, err := NormalizeMapping([]byte(got))
	if err != nil {
		t.Fatal(err)
	}
	b, err := NormalizeMapping([]byte(posted))
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Errorf("normalised GET answer\n%s\n!= normalised posted body\n%s", a, b)
	}
	if !strings.Contains(string(a), "lower(a) < b") {
		t.Errorf("expressions were HTML-escaped: %s", a)
	}
	// legacy form keeps its keys
	leg, _ := NormalizeMapping([]byte(`{"xdmSchema":"s","xdmVersion":"1.0","mappings":[{"sourceAttribute":"a","destinationXdmPath":"b","identity":true}]}`))
	for _, k := range []string{`"sourceAttribute": "a"`, `"destinationXdmPath": "b"`, `"identity": true`, `"xdmSchema": "s"`} {
		if !strings.Contains(string(leg), k) {
			t.Errorf("legacy normalised lacks %s: %s", k, leg)
		}
	}
	if _, err := NormalizeMapping([]byte(`{"outputSchema":{}}`)); err == nil {
		t.Error("a set without mappings was accepted")
	}
}

func TestLineDiff(t *testing.T) {
	got := strings.Join(LineDiff("a\nb\nc\n", "a\nx\nc\nd\n"), "|")
	if got != " a|-b|+x| c|+d" {
		t.Errorf("LineDiff = %s", got)
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "dataflow.json") {
		t.Errorf("empty dir: %v", err)
	}
	d := Dir{Path: dir, Dataflow: Dataflow{FlowID: "f", MappingVersion: 3}, Mapping: []byte(`{"mappings":[]}`)}
	if err := WriteDir(d); err != nil {
		t.Fatal(err)
	}
	got, err := ReadDir(dir)
	if err != nil || got.Dataflow.MappingVersion != 3 || got.Schema != nil || got.SchemaPath() != "" {
		t.Errorf("ReadDir = %+v, %v", got, err)
	}
	os.WriteFile(filepath.Join(dir, DataflowFile), []byte(`{"flowId":"f","inletURI":"g"}`), 0o644)
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "inletURI") {
		t.Errorf("unknown field: %v", err)
	}
	os.WriteFile(filepath.Join(dir, DataflowFile), []byte(`{"flowId":"f"}`), 0o644)
	os.WriteFile(filepath.Join(dir, MappingFile), []byte(`{`), 0o644)
	if _, err := ReadDir(dir); err == nil || !strings.Contains(err.Error(), "mapping.json") {
		t.Errorf("broken mapping: %v", err)
	}
}

func TestBatchID(t *testing.T) {
	for in, want := range map[string]string{
		"http://h/data/foundation/export/batches/01EF/failed": "01EF",
		"/export/batches/B1/meta?path=row_errors":             "B1",
		"nothing here": "",
	} {
		if got := batchID(in); got != want {
			t.Errorf("batchID(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzNormalizeMapping(f *testing.F) {
	f.Add([]byte(`{"mappings":[{"sourceType":"text/x.schema-path","source":"a","destination":"b"}]}`))
	f.Add([]byte(`{"outputSchema":{"schemaRef":{"id":"x"}},"mappings":[{"sourceAttribute":"a","destinationXdmPath":"b"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := NormalizeMapping(b)
		if err != nil {
			return
		}
		again, err := NormalizeMapping(n)
		if err != nil || string(again) != string(n) {
			t.Fatalf("not idempotent: %s → %s (%v)", n, again, err)
		}
	})
}

func TestWithContext(t *testing.T) {
	in := []string{" a", " b", " c", " d", "-e", "+f", " g", " h", " i", " j"}
	got := strings.Join(withContext(in, 1), "|")
	if got != "@@| d|-e|+f| g" {
		t.Errorf("withContext = %s", got)
	}
}

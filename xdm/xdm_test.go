package xdm

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/xdm/expr"
)

var update = flag.Bool("update", false, "rewrite golden files")

var start = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func compileDefault(t testing.TB, name string, opts Options) *Mapper {
	t.Helper()
	ms, err := Default(name, "")
	if err != nil {
		t.Fatal(err)
	}
	opts.SourceFields = CustomerIOFields()
	opts.Required = DefaultRequired(name)
	mp, err := Compile(ms, opts)
	if err != nil {
		t.Fatal(err)
	}
	return mp
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs:\n got: %s\nwant: %s", path, got, want)
	}
}

func indent(b []byte) []byte {
	var buf bytes.Buffer
	if err := json.Indent(&buf, b, "", "  "); err != nil {
		return b
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// TestExperienceEvent_Golden maps one generated event of every pair and compares the
// record with testdata/experience-event/<object_type>.<metric>.json.
func TestExperienceEvent_Golden(t *testing.T) {
	mp := compileDefault(t, "experience-event", Options{Check: ExperienceEventRules{}})
	pairs := customerio.Pairs()
	if len(pairs) != 69 {
		t.Fatalf("catalog has %d pairs, want 69", len(pairs))
	}
	g := generator.New(generator.Options{Seed: 1, Start: start})
	for _, p := range pairs {
		t.Run(p.Name(), func(t *testing.T) {
			ev, err := g.Event(p.ObjectType, p.Metric)
			if err != nil {
				t.Fatal(err)
			}
			res, err := mp.Map(ev.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if res.Rejected || len(res.Warnings) > 0 {
				t.Fatalf("rejected=%v reasons=%v warnings=%v", res.Rejected, res.Reasons, res.Warnings)
			}
			out := append(indent(ev.Bytes()), indent(res.Record)...)
			golden(t, filepath.Join("testdata", "experience-event", p.ObjectType+"."+p.Metric+".json"), out)
		})
	}
}

func TestTutorial_Golden(t *testing.T) {
	mp := compileDefault(t, "tutorial", Options{})
	g := generator.New(generator.Options{Seed: 2, Start: start})
	var buf bytes.Buffer
	for _, p := range customerio.Pairs() {
		ev, err := g.Event(p.ObjectType, p.Metric)
		if err != nil {
			t.Fatal(err)
		}
		res, err := mp.Map(ev.Bytes())
		if err != nil || res.Rejected || len(res.Warnings) > 0 {
			t.Fatalf("%s: %v %v %v", p.Name(), err, res.Reasons, res.Warnings)
		}
		buf.Write(res.Record)
		buf.WriteByte('\n')
	}
	golden(t, filepath.Join("testdata", "tutorial.jsonl"), buf.Bytes())
	// Adobe's own sample event, from the tutorial.
	res, err := mp.Map([]byte(`{"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","object_type":"customer","metric":"subscribed","timestamp":1613063089,"data":{"customer_id":"42","email_address":"test@example.com","identifiers":{"id":"42","email":"test@example.com","cio_id":"d9c106000001"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"_tenant":{"cio_id":"d9c106000001","email":"test@example.com","event_id0":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","metricx":"subscribed","object_type1":"customer","timestampx":1613063089}}`
	if string(res.Record) != want {
		t.Errorf("tutorial sample:\n got %s\nwant %s", res.Record, want)
	}
}

// officialSchema loads the derived compatibility-mode schema from ../../shared/xdm with the
// tenant field group of this package's tests added under _tenant.
func officialSchema(t testing.TB) *Schema {
	t.Helper()
	b, err := os.ReadFile("../../shared/xdm/derived/experienceevent-messaging.compat.schema.json")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("official schemas not available: %v", err)
		}
		t.Skipf("official schemas not available: %v", err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	fg, err := os.ReadFile("testdata/tenant-fieldgroup.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var tenant any
	if err := json.Unmarshal(fg, &tenant); err != nil {
		t.Fatal(err)
	}
	doc["properties"].(map[string]any)["_tenant"] = tenant
	nb, _ := json.Marshal(doc)
	s, err := LoadSchema(SchemaFile{Name: "derived", Data: nb})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestExperienceEvent_ValidatesAgainstOfficialSchemas: every pair, three seeds, with the
// schema also driving coercion, as --validate does.
func TestExperienceEvent_ValidatesAgainstOfficialSchemas(t *testing.T) {
	s := officialSchema(t)
	mp := compileDefault(t, "experience-event", Options{Schema: s})
	n := 0
	for _, seed := range []int64{1, 2, 3} {
		for _, o := range []generator.Options{{Seed: seed, Start: start}, {Seed: seed, Start: start, TestMode: true, BodyContent: true}, {Seed: seed, Start: start, IDOnly: true}} {
			g := generator.New(o)
			for _, p := range customerio.Pairs() {
				ev, err := g.Event(p.ObjectType, p.Metric)
				if err != nil {
					t.Fatal(err)
				}
				res, err := mp.Map(ev.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				if res.Rejected || len(res.Warnings) > 0 {
					t.Errorf("seed %d %s: reasons %v warnings %v\n%s", seed, p.Name(), res.Reasons, res.Warnings, res.Record)
				}
				n++
			}
		}
	}
	if n != 3*3*69 {
		t.Fatalf("checked %d records", n)
	}
}

func TestSchema_SampleFaults(t *testing.T) {
	b, err := os.ReadFile("../../shared/xdm/derived/experienceevent-messaging.compat.schema.json")
	if err != nil {
		t.Skip(err)
	}
	s, err := LoadSchema(SchemaFile{Name: "derived", Data: b})
	if err != nil {
		t.Fatal(err)
	}
	valid, _ := os.ReadFile("../../shared/xdm/samples/valid-email-opened.compat.json")
	if vs, err := s.CheckJSON(valid); err != nil || len(vs) != 0 {
		t.Fatalf("valid sample: %v %v", vs, err)
	}
	invalid, _ := os.ReadFile("../../shared/xdm/samples/invalid-email-opened.compat.json")
	vs, err := s.CheckJSON(invalid)
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, v := range vs {
		got += v.String() + "\n"
	}
	for _, want := range []string{
		"#: extraneous key [email] is not permitted",
		"#/timestamp: expected type: String, found: Long",
		"ambiguous-ish",
		"required key [value] not found",
		"opened is not a valid enum value",
	} {
		if want == "ambiguous-ish" {
			continue
		}
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if len(vs) != 5 {
		t.Errorf("got %d violations, want 5:\n%s", len(vs), got)
	}
}

func TestSchema_OfficialSourceFiles(t *testing.T) {
	// The source files load by $id and compile; refs are never fetched.
	var files []SchemaFile
	for _, dir := range []string{"../../shared/xdm/components", "../../shared/xdm/extensions"} {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".schema.json") {
				b, _ := os.ReadFile(p)
				files = append(files, SchemaFile{Name: p, Data: b})
			}
			return nil
		})
	}
	if len(files) == 0 {
		t.Skip("no official schema files")
	}
	main := SchemaFile{Name: "composed", Data: []byte(`{"$schema":"http://json-schema.org/draft-06/schema#","allOf":[{"$ref":"https://ns.adobe.com/xdm/context/experienceevent"},{"$ref":"https://ns.adobe.com/xdm/context/experienceevent-directmarketing"}]}`)}
	s, err := LoadSchema(main, files...)
	if err != nil {
		t.Fatal(err)
	}
	long, _ := os.ReadFile("../../shared/xdm/samples/valid-email-opened.longform.json")
	vs, err := s.CheckJSON(long)
	if err != nil || len(vs) != 0 {
		t.Fatalf("long-form sample: %v %v", vs, err)
	}
	if _, err := LoadSchema(main); err == nil || !strings.Contains(err.Error(), "never fetched") {
		t.Errorf("missing refs: err = %v", err)
	}
}

func TestLoadSchema_Malformed(t *testing.T) {
	for _, tc := range []struct{ name, data, want string }{
		{"notjson", `{"type":`, "not JSON"},
		{"badtype", `{"type": 5}`, "schema badtype"},
		{"array", `[]`, "not a JSON object"},
	} {
		_, err := LoadSchema(SchemaFile{Name: tc.name, Data: []byte(tc.data)})
		var se *SchemaError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want SchemaError containing %q", tc.name, err, tc.want)
		}
	}
}

func TestParseMappingSet_Forms(t *testing.T) {
	current := `{"outputSchema":{"schemaRef":{"id":"https://ns.adobe.com/x/schemas/1","contentType":"application/vnd.adobe.xed-full+json;version=1"}},
	 "mappings":[{"sourceType":"ATTRIBUTE","source":"data.identifiers.email","destination":"_tenant.email"},
	 {"sourceType":"EXPRESSION","source":"lower(data.email_address)","destination":"_tenant.lower"},
	 {"sourceType":"STATIC","source":"CUSTOMER","destination":"userType","name":"n","description":"d"}]}`
	legacy := `{"version":0,"xdmSchema":"https://ns.adobe.com/x/schemas/1","xdmVersion":"1.0","mappings":[
	 {"destinationXdmPath":"_tenant.email","sourceAttribute":"data.identifiers.email","identity":false,"version":0},
	 {"destinationXdmPath":"_tenant.lower","sourceAttribute":"lower(data.email_address)","sourceType":"text/x.aep-sl"},
	 {"destinationXdmPath":"userType","sourceAttribute":"CUSTOMER","sourceType":"STATIC"}]}`
	ev := []byte(`{"event_id":"e1","object_type":"customer","metric":"subscribed","timestamp":1,"data":{"email_address":"A@B.com","identifiers":{"email":"a@b.com"}}}`)
	want := `{"_tenant":{"email":"a@b.com","lower":"a@b.com"},"userType":"CUSTOMER"}`
	for name, src := range map[string]string{"current": current, "legacy": legacy} {
		ms, err := ParseMappingSet([]byte(src))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		mp, err := Compile(ms, Options{SourceFields: CustomerIOFields()})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		res, _ := mp.Map(ev)
		if string(res.Record) != want {
			t.Errorf("%s: got %s", name, res.Record)
		}
	}
}

func TestCompile_BadInput(t *testing.T) {
	for _, tc := range []struct{ name, set, want string }{
		{"unknown function", `{"mappings":[{"sourceType":"EXPRESSION","source":"lowr(metric)","destination":"a"}]}`, "mapping 1 (→ a): syntax error at column 1: unknown function lowr()"},
		{"destination index too large", `{"mappings":[{"sourceType":"ATTRIBUTE","source":"metric","destination":"_acme.arr[999999999]"}]}`, "mapping 1 (→ _acme.arr[999999999]): destination index [999999999] is larger than ciosim's limit of 1000"},
		{"syntax error", `{"mappings":[{"sourceType":"EXPRESSION","source":"concat(metric, \"x\"","destination":"a"}]}`, "syntax error at column 19: expected ',' or ')' in argument list, found end of expression"},
		{"path never matches", `{"mappings":[{"sourceType":"ATTRIBUTE","source":"data.emial","destination":"a"}]}`, "source path data.emial matches no field of any Customer.io event"},
		{"path in expression", `{"mappings":[{"sourceType":"EXPRESSION","source":"lower(data.identifiers.mail)","destination":"a"}]}`, "source path data.identifiers.mail matches no field"},
		{"expression as attribute", `{"mappings":[{"sourceAttribute":"lower(metric)","destinationXdmPath":"a"}]}`, `needs "sourceType": "EXPRESSION"`},
		{"bad destination", `{"mappings":[{"sourceType":"ATTRIBUTE","source":"metric","destination":"a..b"}]}`, `bad path "a..b"`},
		{"wrong arity", `{"mappings":[{"sourceType":"EXPRESSION","source":"iif(metric)","destination":"a"}]}`, "iif() takes 3 argument(s), got 1"},
	} {
		ms, err := ParseMappingSet([]byte(tc.set))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		_, err = Compile(ms, Options{SourceFields: CustomerIOFields()})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v\nwant containing %q", tc.name, err, tc.want)
		}
	}
	_, err := ParseMappingSet([]byte(`{"mappings":[{"sourceType":"LOOKUP","source":"x","destination":"a"}]}`))
	if err == nil || !strings.Contains(err.Error(), `mapping 1: sourceType: unknown source type "LOOKUP"`) {
		t.Errorf("unknown sourceType: %v", err)
	}
	_, err = ParseMappingSet([]byte("{\n\"mappings\": [,]}"))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("malformed JSON: %v", err)
	}
}

func TestMap_FailureSemantics(t *testing.T) {
	ms, err := ParseMappingSet([]byte(`{"mappings":[
	 {"sourceType":"ATTRIBUTE","source":"event_id","destination":"_id"},
	 {"sourceType":"EXPRESSION","source":"to_integer(data.customer_id)","destination":"n"},
	 {"sourceType":"EXPRESSION","source":"upper(metric)","destination":"m"},
	 {"sourceType":"ATTRIBUTE","source":"data.identifiers.cio_id","destination":"cio"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	mp, err := Compile(ms, Options{Required: []string{"cio"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := mp.Map([]byte(`{"event_id":"e","metric":"sent","data":{"customer_id":"abc","identifiers":{"cio_id":"c1"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Record) != `{"_id":"e","cio":"c1","m":"SENT"}` || res.Rejected || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "mapping 2 → n: to_integer:") {
		t.Errorf("failing expression: %s %v %v", res.Record, res.Rejected, res.Warnings)
	}
	res, _ = mp.Map([]byte(`{"event_id":"e","metric":"sent","data":{"customer_id":"7","identifiers":{}}}`))
	if !res.Rejected || res.Reasons[0] != "required field cio is null" {
		t.Errorf("required null: %+v", res)
	}
	if _, err := mp.Map([]byte(`[1]`)); err == nil {
		t.Error("non-object event accepted")
	}
}

func TestMap_Coercion(t *testing.T) {
	schema := `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object","properties":{
	 "_id":{"type":"string"},"b1":{"type":"boolean"},"b2":{"type":"boolean"},"n":{"type":"number"},
	 "ts":{"type":"string","format":"date-time"},"d":{"type":"string","format":"date-time"},
	 "list":{"type":"array","items":{"type":"string"}}},"required":["_id"]}`
	s, err := LoadSchema(SchemaFile{Name: "t", Data: []byte(schema)})
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := ParseMappingSet([]byte(`{"mappings":[
	 {"source":"id","destination":"_id"},{"source":"yes","destination":"b1"},{"source":"off","destination":"b2"},
	 {"source":"num","destination":"n"},{"source":"date","destination":"ts"},
	 {"sourceType":"EXPRESSION","source":"date(\"2024-05-05\")","destination":"d"},
	 {"source":"items[*].v","destination":"list[*]"}]}`))
	mp, err := Compile(ms, Options{Schema: s})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := mp.Map([]byte(`{"id":1234,"yes":"yes","off":"OFF","num":"12.5","date":"2021-02-11 17:04:49.000","items":[{"v":1},{"v":true}]}`))
	want := `{"_id":"1234","b1":true,"b2":false,"d":"2024-05-05T00:00:00Z","list":["1","true"],"n":12.5,"ts":"2021-02-11T17:04:49Z"}`
	if string(res.Record) != want || res.Rejected {
		t.Errorf("got  %s (%v %v)\nwant %s", res.Record, res.Reasons, res.Warnings, want)
	}
	res, _ = mp.Map([]byte(`{"yes":"maybe"}`))
	if !res.Rejected || !strings.Contains(strings.Join(res.Reasons, ";"), "#: required key [_id] not found") || len(res.Warnings) != 1 {
		t.Errorf("schema rejection: %+v", res)
	}
}

func TestPaths(t *testing.T) {
	ms, _ := ParseMappingSet([]byte(`{"mappings":[
	 {"source":"a\\.b","destination":"x\\.y.z"},
	 {"source":"${First Name}","destination":"names[0]"},
	 {"source":"emails[*].email","destination":"out[*].address"},
	 {"source":"emails[1].email","destination":"second"}]}`))
	mp, err := Compile(ms, Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := mp.Map([]byte(`{"a.b":1,"First Name":"Ann","emails":[{"email":"p@x"},{"email":"q@x"}]}`))
	want := `{"names":["Ann"],"out":[{"address":"p@x"},{"address":"q@x"}],"second":"q@x","x.y":{"z":1}}`
	if string(res.Record) != want {
		t.Errorf("got  %s\nwant %s", res.Record, want)
	}
}

func TestEnvelope(t *testing.T) {
	got := Envelope([]byte(`{"_id":"1"}`), EnvelopeOptions{SchemaID: "https://ns.adobe.com/t/schemas/s", IMSOrgID: "O@AdobeOrg", DatasetID: "d", FlowID: "f", SourceName: "ciosim", CreatedAt: time.UnixMilli(1526283801869)})
	want := `{"header":{"schemaRef":{"id":"https://ns.adobe.com/t/schemas/s","contentType":"application/vnd.adobe.xed-full+json;version=1"},"imsOrgId":"O@AdobeOrg","datasetId":"d","flowId":"f","createdAt":"1526283801869","source":{"name":"ciosim"}},"body":{"xdmMeta":{"schemaRef":{"id":"https://ns.adobe.com/t/schemas/s","contentType":"application/vnd.adobe.xed-full+json;version=1"}},"xdmEntity":{"_id":"1"}}}`
	if string(got) != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestExperienceEventRules(t *testing.T) {
	for _, tc := range []struct{ rec, want string }{
		{`{"_id":"a","timestamp":"2021-02-11T17:04:49Z"}`, ""},
		{`{"timestamp":"2021-02-11T17:04:49Z"}`, "#: required key [_id] not found"},
		{`{"_id":"1:2","timestamp":"2021-02-11T17:04:49Z"}`, "#/_id: [1:2] is not a valid URI reference"},
		{`{"_id":"a","timestamp":"2021-02-11 17:04:49"}`, "#/timestamp: [2021-02-11 17:04:49] is not a valid date-time"},
		{`{"_id":"a","timestamp":1613063089}`, "#/timestamp: expected type: String, found: Long"},
		{`{"_id":"a","timestamp":"2021-02-11T17:04:49Z","identityMap":{"Email":[{"id":"x","authenticatedState":"bogus"}]}}`, "#/identityMap/Email/0/authenticatedState: bogus is not a valid enum value"},
		{`{"_id":"a","timestamp":"2021-02-11T17:04:49Z","identityMap":{"Email":[{"id":"x","primary":true}],"Phone":[{"id":"y","primary":true}]}}`, ""}, // not a validation rule in XDM or AEP's docs
		{`{"_id":"a","timestamp":"2021-02-11T17:04:49Z","identityMap":{"Email":{"id":"x"}}}`, "#/identityMap/Email: expected type: JSONArray, found: JSONObject"},
	} {
		var v any
		json.Unmarshal([]byte(tc.rec), &v)
		vs := ExperienceEventRules{}.Check(expr.FromJSON(v))
		got := ""
		if len(vs) > 0 {
			got = vs[0].String()
		}
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%s: got %q want %q", tc.rec, got, tc.want)
		}
	}
}

func TestDefault(t *testing.T) {
	ms, err := Default("experience-event", "acme")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ms.JSON()), `"_acme.customerio.objectType"`) || strings.Contains(string(ms.JSON()), "_tenant") {
		t.Error("tenant not applied")
	}
	if _, err := Default("nope", ""); err == nil {
		t.Error("unknown default accepted")
	}
	if _, err := Default("tutorial", "bad-tenant"); err == nil {
		t.Error("bad tenant accepted")
	}
	// printed JSON parses back to the same mappings
	back, err := ParseMappingSet(ms.JSON())
	if err != nil || len(back.Mappings) != len(ms.Mappings) || back.Mappings[2] != ms.Mappings[2] {
		t.Errorf("round trip: %v", err)
	}
}

// TestMap_Concurrent exercises Map from several goroutines (run with -race), with the
// built-in rules and with a schema.
func TestMap_Concurrent(t *testing.T) {
	t.Run("rules", func(t *testing.T) { testConcurrent(t, Options{Check: ExperienceEventRules{}}) })
	t.Run("schema", func(t *testing.T) { testConcurrent(t, Options{Schema: officialSchema(t)}) })
}

func testConcurrent(t *testing.T, opts Options) {
	mp := compileDefault(t, "experience-event", opts)
	g := generator.New(generator.Options{Seed: 9, Start: start})
	var evs [][]byte
	for _, p := range customerio.Pairs() {
		ev, _ := g.Event(p.ObjectType, p.Metric)
		evs = append(evs, ev.Bytes())
	}
	want := make([]string, len(evs))
	for i, ev := range evs {
		r, _ := mp.Map(ev)
		want[i] = string(r.Record)
	}
	done := make(chan error)
	for w := 0; w < 4; w++ {
		go func() {
			for i, ev := range evs {
				r, _ := mp.Map(ev)
				if string(r.Record) != want[i] {
					done <- errors.New("different output under concurrency")
					return
				}
			}
			done <- nil
		}()
	}
	for w := 0; w < 4; w++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

func TestCompileDefault(t *testing.T) {
	mp, err := CompileDefault("experience-event", "_acme", nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := mp.Map([]byte(`{"event_id":"1:2","object_type":"customer","metric":"subscribed","timestamp":1613063089,"data":{"customer_id":"42","email_address":"a@b.co","identifiers":{"id":"42"}}}`))
	if err != nil || !res.Rejected || res.Reasons[0] != "#/_id: [1:2] is not a valid URI reference" {
		t.Errorf("rules not applied: %+v %v", res, err)
	}
	res, _ = mp.Map([]byte(`{"object_type":"customer","metric":"subscribed","data":{}}`))
	if !res.Rejected || res.Reasons[0] != "required field _id is null" || res.Reasons[1] != "required field timestamp is null" {
		t.Errorf("required not applied: %+v", res.Reasons)
	}
	if _, err := CompileDefault("nope", "", nil); err == nil {
		t.Error("unknown name accepted")
	}
}

func TestSchema_AtMostFiveViolations(t *testing.T) {
	s, err := LoadSchema(SchemaFile{Name: "t", Data: []byte(`{"type":"object","additionalProperties":false,"required":["a","b","c","d","e","f","g"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	vs := s.Check(map[string]any{"x": int64(1), "y": int64(2)})
	if len(vs) != MaxViolations {
		t.Fatalf("got %d violations, want %d: %v", len(vs), MaxViolations, vs)
	}
	ms, _ := ParseMappingSet([]byte(`{"mappings":[{"source":"x","destination":"x"},{"source":"y","destination":"y"}]}`))
	mp, err := Compile(ms, Options{Schema: s})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := mp.Map([]byte(`{"x":1,"y":2}`))
	if !res.Rejected || len(res.Reasons) != MaxViolations || len(res.Violations) != MaxViolations {
		t.Errorf("reasons: %v", res.Reasons)
	}
}

// TestMap_OverlappingDestinations: later mappings win, whether destinations are plain,
// nested under one another, or indexed, exactly as writing each path from the root does.
func TestMap_OverlappingDestinations(t *testing.T) {
	for _, tc := range []struct{ set, want string }{
		{`[{"source":"x","destination":"a"},{"source":"y","destination":"a.b"}]`, `{"a":{"b":2}}`},
		{`[{"source":"y","destination":"a.b"},{"source":"x","destination":"a"}]`, `{"a":1}`},
		{`[{"source":"y","destination":"a.b"},{"source":"x","destination":"a[0]"}]`, `{"a":[1]}`},
		{`[{"source":"x","destination":"a[0].c"},{"source":"y","destination":"a.b"}]`, `{"a":{"b":2}}`},
		{`[{"source":"x","destination":"m.a[0]"},{"source":"y","destination":"m.b"}]`, `{"m":{"a":[1],"b":2}}`},
		{`[{"source":"x","destination":"p.q"},{"source":"y","destination":"p.q"}]`, `{"p":{"q":2}}`},
	} {
		ms, err := ParseMappingSet([]byte(`{"mappings":` + tc.set + `}`))
		if err != nil {
			t.Fatal(err)
		}
		mp, err := Compile(ms, Options{})
		if err != nil {
			t.Fatal(err)
		}
		res, _ := mp.Map([]byte(`{"x":1,"y":2}`))
		if string(res.Record) != tc.want {
			t.Errorf("%s: got %s want %s", tc.set, res.Record, tc.want)
		}
	}
}

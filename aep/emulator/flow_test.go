package emulator

import (
	"encoding/json"
	"io"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciosim/ciosim/internal/httpserve"
	"github.com/ciosim/ciosim/secret"
)

// envelope builds an XDM message; header members are added from hdr (raw JSON values).
func envelope(schema, metaSchema string, hdr map[string]string, entity string) string {
	h := `"schemaRef":{"id":"` + schema + `","contentType":"application/vnd.adobe.xed-full+json;version=1"}`
	for k, v := range hdr {
		h += `,"` + k + `":` + v
	}
	return `{"header":{` + h + `},"body":{"xdmMeta":{"schemaRef":{"id":"` + metaSchema +
		`","contentType":"application/vnd.adobe.xed-full+json;version=1"}},"xdmEntity":` + entity + `}}`
}

// canon re-encodes JSON with sorted keys, for exact comparisons.
func canon(t *testing.T, s string) string {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %v: %s", err, s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func wantBody(t *testing.T, r reply, status int, body string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status %d, want %d; body %s", r.status, status, r.raw)
		return
	}
	if got, want := canon(t, r.raw), canon(t, body); got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
}

const (
	schemaA = "https://ns.adobe.com/acme/schemas/a"
	schemaB = "https://ns.adobe.com/acme/schemas/b"
	goodEnt = `{"_id":"e1","timestamp":"2021-02-11T17:04:49Z"}`
	schemaU = "https://ns.adobe.com/acme/schemas/unknown"
)

func TestAuth_header(t *testing.T) {
	_, hs := newServer(t, Options{RequireAuth: true, Token: secret.New("right")})
	url := hs.URL + "/collection/" + inlet + "?x-adobe-flow-id=f"
	for _, tt := range []struct {
		auth string
		code int
	}{
		{"", 401}, {"Bearer", 401}, {"bearer ", 401}, {"Bearer  ", 401}, {"Basic right", 401},
		{"Bearer right", 200}, {"bearer right", 200}, {"BEARER right", 200}, {"right", 200},
		{"Bearer wrong", 403}, {"wrong", 403}, {"Bearer right extra", 401},
	} {
		hdr := map[string]string{}
		if tt.auth != "" {
			hdr["Authorization"] = tt.auth
		}
		r := post(t, url, []byte(goodRaw), hdr)
		if r.status != tt.code {
			t.Errorf("Authorization %q: %d %s, want %d", tt.auth, r.status, r.raw, tt.code)
			continue
		}
		switch tt.code {
		case 401:
			msg, _ := r.body["report"].(map[string]any)["message"].(string)
			r.raw = strings.Replace(r.raw, msg, "[1] Ims service token is empty", 1)
			if !strings.HasSuffix(msg, "] Ims service token is empty") {
				t.Errorf("401 message %q", msg)
			}
			wantBody(t, r, 401, `{"type":"https://ns.adobe.com/adobecloud/problem/data-collection-service-authorization","status":"401","title":"Authorization","report":{"message":"[1] Ims service token is empty"}}`)
		case 403:
			wantBody(t, r, 403, `{"type":"https://ns.adobe.com/adobecloud/problem/data-collection-service-authorization","status":"403","title":"Authorization","report":{"message":"Ims service token is invalid or expired"}}`)
		}
	}
}

func TestAllowIPs(t *testing.T) {
	_, hs := newServer(t, Options{AllowIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	r := post(t, hs.URL+"/collection/"+inlet+"?x-adobe-flow-id=f", []byte(goodRaw), nil)
	if r.status != 403 || r.raw != "" {
		t.Errorf("outside the allow-list: %d %q, want 403 with an empty body", r.status, r.raw)
	}
	if code := get(t, hs.URL+"/emulator/counts", nil); code != 200 {
		t.Errorf("inspection API: %d, want 200 (not allow-listed)", code)
	}
	_, hs = newServer(t, Options{AllowIPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("127.0.0.1/32")}})
	if r := post(t, hs.URL+"/collection/"+inlet+"?x-adobe-flow-id=f", []byte(goodRaw), nil); r.status != 200 {
		t.Errorf("inside the allow-list: %d %s", r.status, r.raw)
	}
}

// clock is a settable clock for the emulator.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestSyncValidation_limit(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s, hs := newServer(t, Options{Now: clk.now})
	sync := hs.URL + "/collection/" + inlet + "?syncValidation=true"
	msg := []byte(envelope(schemaA, schemaA, nil, goodEnt))
	for i := range SyncValidationPerMinute {
		if r := post(t, sync, msg, nil); r.status != 200 {
			t.Fatalf("sync request %d: %d %s", i+1, r.status, r.raw)
		}
		clk.add(500 * time.Millisecond)
	}
	r := post(t, sync, msg, nil)
	wantBody(t, r, 429, `{"type":"http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet","status":429,"title":"Too Many Requests","report":{"message":"inletId: [`+inlet+`] imsOrgId: [`+DefaultOrgID+`] Synchronous validation is limited to 60 requests per minute"}}`)
	if r := post(t, hs.URL+"/collection/"+inlet, msg, nil); r.status != 200 {
		t.Errorf("async post during the limit: %d, want 200 (only sync validation is limited)", r.status)
	}
	clk.add(31 * time.Second) // the first request is now more than a minute old
	if r := post(t, sync, msg, nil); r.status != 200 {
		t.Errorf("after the window slid: %d %s", r.status, r.raw)
	}
	if c := s.Counts(); c.SyncLimited != 1 {
		t.Errorf("sync_limited = %d, want 1", c.SyncLimited)
	}

	_, hs = newServer(t, Options{Now: clk.now, NoSyncLimit: true})
	for i := range SyncValidationPerMinute + 5 {
		if r := post(t, hs.URL+"/collection/"+inlet+"?syncValidation=true", msg, nil); r.status != 200 {
			t.Fatalf("NoSyncLimit, request %d: %d", i+1, r.status)
		}
	}
}

func TestSyncValidation_region(t *testing.T) {
	_, hs := newServer(t, Options{NoSyncValidation: true})
	msg := []byte(envelope(schemaA, schemaA, nil, goodEnt))
	r := post(t, hs.URL+"/collection/"+inlet+"?syncValidation=true", msg, nil)
	wantBody(t, r, 501, `{"type":"http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet","status":501,"title":"Not Implemented","report":{"message":"inletId: [`+inlet+`] imsOrgId: [`+DefaultOrgID+`] Synchronous validation is not supported in this region"}}`)
	if r := post(t, hs.URL+"/collection/"+inlet, msg, nil); r.status != 200 {
		t.Errorf("async: %d, want 200", r.status)
	}
}

func TestSyncValidation_body(t *testing.T) {
	two := ValidatorFunc(func([]byte) []Violation {
		return []Violation{
			{SchemaLocation: "#", Pointer: "#", Keyword: "additionalProperties", Message: "extraneous key [workEmail] is not permitted"},
			{SchemaLocation: "#/properties/_id", Pointer: "#/_id", Keyword: "type", Message: "expected type: String, found: Long"},
		}
	})
	_, hs := newServer(t, Options{Validator: two})
	url := hs.URL + "/collection/" + inlet + "?syncValidation=true"
	r := post(t, url, []byte(envelope(schemaA, schemaA, nil, `{"_id":1,"workEmail":"x"}`)), nil)
	// AEP's documented example (S4), with its two causes
	wantBody(t, r, 400, `{"type":"http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet","status":400,"title":"Invalid XDM Message Format",
 "report":{"message":"inletId: [`+inlet+`] imsOrgId: [`+DefaultOrgID+`] Message is invalid",
   "cause":{"_streamingValidation":[{"schemaLocation":"#","pointerToViolation":"#",
     "message":"2 schema violations found","causingExceptions":[
       {"schemaLocation":"#","pointerToViolation":"#","keyword":"additionalProperties","message":"extraneous key [workEmail] is not permitted","causingExceptions":[]},
       {"schemaLocation":"#/properties/_id","pointerToViolation":"#/_id","keyword":"type","message":"expected type: String, found: Long","causingExceptions":[]}]}]}}}`)

	// one violation stands alone, as everit reports a single failure
	_, hs = newServer(t, Options{})
	r = post(t, hs.URL+"/collection/"+inlet+"?syncValidation=true", []byte(envelope(schemaA, schemaA, nil, `{"_id":"e","timestamp":"2018-00-23T22:07:01Z"}`)), nil)
	wantBody(t, r, 400, `{"type":"http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet","status":400,"title":"Invalid XDM Message Format",
 "report":{"message":"inletId: [`+inlet+`] imsOrgId: [`+DefaultOrgID+`] Message is invalid",
   "cause":{"_streamingValidation":[{"schemaLocation":"#/properties/timestamp","pointerToViolation":"#/timestamp","keyword":"format",
     "message":"[2018-00-23T22:07:01Z] is not a valid date-time","causingExceptions":[]}]}}}`)
}

func TestXDM_envelopeChecks(t *testing.T) {
	flows, err := NewStaticFlows(
		Flow{ID: "fa", SchemaRef: schemaA, DatasetID: "5e72608b10f6e318ad2dee0a"},
		Flow{ID: "fb", SchemaRef: schemaB, DatasetID: "5e72608b10f6e318ad2dee0b", IMSOrgID: "B0B@AdobeOrg"},
	)
	if err != nil {
		t.Fatal(err)
	}
	_, hs := newServer(t, Options{Flows: flows})
	refused := func(org, ending string) string {
		return `{"type":"http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet","status":400,"title":"Invalid XDM Message Format","report":{"message":"inletId: [` + inlet + `] imsOrgId: [` + org + `] ` + ending + `"}}`
	}
	tests := []struct {
		name   string
		body   string
		status int
		want   string // exact body for refusals
	}{
		{"no header", `{"body":{"xdmEntity":{}}}`, 400, refused(DefaultOrgID, "Message has unknown xdm format")},
		{"legacy envelope", `{"header":{"msgType":"xdmEntityCreate"},"body":{}}`, 400, refused(DefaultOrgID, "Message has unknown xdm format")},
		{"not JSON", `{"header":`, 400, refused(DefaultOrgID, "Message is not valid JSON")},
		{"xdmMeta schemaRef differs", envelope(schemaA, schemaB, nil, goodEnt), 400, refused(DefaultOrgID, "Message has unknown xdm format")},
		{"wrong org", envelope(schemaA, schemaA, map[string]string{"imsOrgId": `"OTHER@AdobeOrg"`}, goodEnt), 400,
			refused(DefaultOrgID, "Message has an absent or wrong ims org in the header")},
		{"empty org", envelope(schemaA, schemaA, map[string]string{"imsOrgId": `""`}, goodEnt), 400,
			refused(DefaultOrgID, "Message has an absent or wrong ims org in the header")},
		{"absent org is filled in", envelope(schemaA, schemaA, nil, goodEnt), 200, ""},
		{"right org", envelope(schemaA, schemaA, map[string]string{"imsOrgId": `"` + DefaultOrgID + `"`}, goodEnt), 200, ""},
		{"flow's own org", envelope(schemaB, schemaB, map[string]string{"imsOrgId": `"B0B@AdobeOrg"`}, goodEnt), 200, ""},
		{"default org on flow b's schema", envelope(schemaB, schemaB, map[string]string{"imsOrgId": `"` + DefaultOrgID + `"`}, goodEnt), 400,
			refused("B0B@AdobeOrg", "Message has an absent or wrong ims org in the header")},
		{"unknown dataset", envelope(schemaA, schemaA, map[string]string{"datasetId": `"5e72608b10f6e318ad2dee0f"`}, goodEnt), 400,
			refused(DefaultOrgID, "Dataset [5e72608b10f6e318ad2dee0f] does not exist")},
		{"dataset of another schema", envelope(schemaA, schemaA, map[string]string{"datasetId": `"5e72608b10f6e318ad2dee0b"`}, goodEnt), 400,
			refused(DefaultOrgID, "Message has unknown xdm format")}, // the multi-message tutorial's fourth message (S3)
		{"unknown schema", envelope(schemaU, schemaU, nil, goodEnt), 400, refused(DefaultOrgID, "Message has unknown xdm format")},
		{"dataset matches", envelope(schemaA, schemaA, map[string]string{"datasetId": `"5e72608b10f6e318ad2dee0a"`}, goodEnt), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, hs.URL+"/collection/"+inlet, []byte(tt.body), nil)
			if tt.want != "" {
				wantBody(t, r, tt.status, tt.want)
			} else if r.status != tt.status {
				t.Errorf("status %d, want %d: %s", r.status, tt.status, r.raw)
			}
		})
	}
	// without known datasets, datasetId is not checked; without known schemas, any schema
	// is judged by the class rules
	_, hs = newServer(t, Options{})
	if r := post(t, hs.URL+"/collection/"+inlet, []byte(envelope(schemaU, schemaU, map[string]string{"datasetId": `"x"`}, goodEnt)), nil); r.status != 200 {
		t.Errorf("no datasets or schemas known: %d %s", r.status, r.raw)
	}
	// ClassRulesForUnknownSchemas: a message naming an unknown schema is judged by the class
	// rules (Options.Validator) instead of refused
	s, hs := newServer(t, Options{Flows: flows, ClassRulesForUnknownSchemas: true})
	post(t, hs.URL+"/collection/"+inlet, []byte(envelope(schemaU, schemaU, nil, `{"_id":"e2","timestamp":"yesterday"}`)), nil)
	if recs := s.Records(Filter{}); len(recs) != 1 || recs[0].Good || recs[0].Reasons[0] != "#/timestamp: [yesterday] is not a valid date-time" {
		t.Errorf("unknown schema with class rules: %+v", recs)
	}
}

func TestFlows_validatorAndMapper(t *testing.T) {
	needsAcme := ValidatorFunc(func(ent []byte) []Violation {
		if !strings.Contains(string(ent), `"_acme"`) {
			return []Violation{{SchemaLocation: "#", Pointer: "#", Keyword: "required", Message: "required key [_acme] not found"}}
		}
		return nil
	})
	flowMapper := MapperFunc(func([]byte) ([]byte, []string, error) { return []byte(`{"_id":"from-flow"}`), nil, nil })
	defMapper := MapperFunc(func([]byte) ([]byte, []string, error) { return []byte(`{"_id":"default"}`), nil, nil })
	flows, _ := NewStaticFlows(Flow{ID: "fa", SchemaRef: schemaA, Validator: needsAcme, Mapper: flowMapper})
	s, hs := newServer(t, Options{Flows: flows, Mapper: defMapper, ClassRulesForUnknownSchemas: true})

	post(t, hs.URL+"/collection/"+inlet, []byte(envelope(schemaA, schemaA, nil, goodEnt)), nil)
	post(t, hs.URL+"/collection/"+inlet, []byte(envelope(schemaB, schemaB, nil, goodEnt)), nil)
	recs := s.Records(Filter{})
	if len(recs) != 2 || recs[0].Good || recs[0].FlowID != "fa" || recs[0].Reasons[0] != "#: required key [_acme] not found" ||
		recs[0].Violations[0].Keyword != "required" || !recs[1].Good {
		t.Fatalf("records = %+v; want schema a judged by its flow's validator, schema b by the default", recs)
	}
	// header.flowId names flow fa but the message names schema b: judged by b's rules
	post(t, hs.URL+"/collection/"+inlet, []byte(envelope(schemaB, schemaB, map[string]string{"flowId": `"fa"`}, goodEnt)), nil)
	if recs := s.Records(Filter{}); len(recs) != 3 || !recs[2].Good || recs[2].FlowID != "fa" {
		t.Fatalf("flowId fa, schema b: %+v", recs[2])
	}
	s.Reset()
	post(t, hs.URL+"/collection/"+inlet+"?x-adobe-flow-id=fa", []byte(goodRaw), nil)
	post(t, hs.URL+"/collection/"+inlet+"?x-adobe-flow-id=unknown", []byte(goodRaw), nil)
	recs = s.Records(Filter{})
	if len(recs) != 2 || string(recs[0].Mapped) != `{"_id":"from-flow"}` || string(recs[1].Mapped) != `{"_id":"default"}` {
		t.Fatalf("raw records = %+v; want the flow's mapper for fa, the default for an unknown flow", recs)
	}
}

type reportingMapper struct{ MapperFunc }

func (reportingMapper) MapReport([]byte) ([]byte, []string, []Violation, error) {
	v := Violation{SchemaLocation: "#/properties/_id", Pointer: "#/_id", Keyword: "type", Message: "expected type: String, found: Long"}
	return []byte(`{"_id":1}`), []string{v.String()}, []Violation{v}, nil
}

func TestRaw_syncViolations(t *testing.T) {
	_, hs := newServer(t, Options{Mapper: reportingMapper{}})
	r := post(t, hs.URL+"/collection/"+inlet+"?x-adobe-flow-id=f&syncValidation=true", []byte(goodRaw), nil)
	wantBody(t, r, 400, `{"type":"http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet","status":400,"title":"Invalid XDM Message Format",
 "report":{"message":"inletId: [`+inlet+`] imsOrgId: [`+DefaultOrgID+`] Message is invalid",
   "cause":{"_streamingValidation":[{"schemaLocation":"#/properties/_id","pointerToViolation":"#/_id","keyword":"type",
     "message":"expected type: String, found: Long","causingExceptions":[]}]}}}`)
}

func TestCounts_byPairXDM(t *testing.T) {
	s, hs := newServer(t, Options{})
	ent := `{"_id":"e1","timestamp":"2021-02-11T17:04:49Z","_acme":{"customerio":{"objectType":"email","metric":"opened"}}}`
	post(t, hs.URL+"/collection/"+inlet, []byte(envelope(schemaA, schemaA, nil, ent)), nil)
	if c := s.Counts(); c.ByPair["email/opened"] != 1 {
		t.Errorf("by_pair = %v, want email/opened: 1", c.ByPair)
	}
}

func TestStaticFlows_refuses(t *testing.T) {
	if _, err := NewStaticFlows(Flow{ID: "a"}, Flow{ID: "a"}); err == nil {
		t.Error("duplicate flow id accepted")
	}
	if _, err := NewStaticFlows(Flow{ID: "a", DatasetID: "d", SchemaRef: "x"}, Flow{ID: "b", DatasetID: "d", SchemaRef: "y"}); err == nil {
		t.Error("one dataset with two schemas accepted")
	}
	if _, err := NewStaticFlows(Flow{}); err == nil {
		t.Error("flow without id accepted")
	}
}

// Start bounds its listener with Options.HTTP: a flood of idle connections is capped and
// closed, and the emulator still answers.
func TestStart_boundedListener(t *testing.T) {
	s, err := New(Options{HTTP: httpserve.Config{ReadHeaderTimeout: 200 * time.Millisecond, MaxConns: 4}})
	if err != nil {
		t.Fatal(err)
	}
	run, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	addr := strings.TrimPrefix(run.URL, "http://")
	var conns []net.Conn
	for range 20 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if _, err := io.Copy(io.Discard, c); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatalf("idle connection %d held for 10 s", i)
			}
		}
	}
	if code := get(t, run.URL+"/emulator/counts", nil); code != 200 {
		t.Errorf("after the flood: %d", code)
	}
}

// Posts of 1 MB bodies keep at most MaxRecordBytes in records; the rest are dropped and
// counted (issue 11 row 10).
func TestCollect_recordBytesBound(t *testing.T) {
	const limit = 4 << 20
	s, hs := newServer(t, Options{MaxRecordBytes: limit, Mapper: MapperFunc(func([]byte) ([]byte, []string, error) { return []byte(`{}`), nil, nil })})
	body := []byte(`{"event_id":"x","pad":"` + strings.Repeat("a", MaxBodyBytes-64) + `"}`)
	const posts = 60
	for range posts {
		if r := post(t, hs.URL+"/collection/"+inlet+"?x-adobe-flow-id=f", body, nil); r.status != 200 {
			t.Fatalf("post: %d %s", r.status, r.raw)
		}
	}
	c := s.Counts()
	if c.Received != posts || c.KeptBytes > limit || c.Kept+c.Dropped != posts || c.Dropped < posts-4 {
		t.Errorf("counts %+v: want ≤ %d bytes kept, the rest dropped and counted", c, limit)
	}
	// and the memory really is let go: 60 MB were posted, the heap holds about the cap
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > 32<<20 {
		t.Errorf("heap %d MiB after %d posts of 1 MB with a %d MiB cap", ms.HeapAlloc>>20, posts, limit>>20)
	}
}

func FuzzBearerToken(f *testing.F) {
	for _, s := range []string{"", "Bearer x", "bearer x", "BEARER  x ", "Bearer", "x", "Basic a b", "Bearer a b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		tok, ok := bearerToken(h)
		if ok && (tok == "" || strings.ContainsAny(tok, " \t\n")) {
			t.Fatalf("bearerToken(%q) = %q", h, tok)
		}
		if !ok && tok != "" {
			t.Fatalf("bearerToken(%q) = %q, false", h, tok)
		}
	})
}

// stubFlows is a flow source whose flows may name datasets that are gone or of another
// schema (as a control plane's can, after a dataset changes).
type stubFlows struct {
	flows    map[string]Flow
	datasets map[string]string
}

func (sf stubFlows) Flow(id string) (Flow, bool) { f, ok := sf.flows[id]; return f, ok }
func (sf stubFlows) FlowForSchema(ref string) (Flow, bool) {
	for _, f := range sf.flows {
		if f.SchemaRef == ref {
			return f, true
		}
	}
	return Flow{}, false
}
func (sf stubFlows) Dataset(id string) (string, bool) { s, ok := sf.datasets[id]; return s, ok }
func (sf stubFlows) HasDatasets() bool                { return len(sf.datasets) > 0 }

// TestChecks_everyMessageKind: the org, dataset and schemaRef checks DCS documents (S3)
// apply to every kind of message the emulator accepts: XDM single posts (TestXDM_envelopeChecks),
// each message of a batch (the documented 400 element) and raw posts, whose flow's dataset
// must exist and have the flow's schema (a failed record: DCS answers raw posts before
// mapping them).
func TestChecks_everyMessageKind(t *testing.T) {
	const dsA, dsB, gone = "5e72608b10f6e318ad2dee0a", "5e72608b10f6e318ad2dee0b", "5e72608b10f6e318ad2dee0f"
	flows := stubFlows{
		flows: map[string]Flow{
			"fa":    {ID: "fa", SchemaRef: schemaA, DatasetID: dsA},
			"fgone": {ID: "fgone", SchemaRef: schemaA, DatasetID: gone},
			"fswap": {ID: "fswap", SchemaRef: schemaA, DatasetID: dsB},
		},
		datasets: map[string]string{dsA: schemaA, dsB: schemaB},
	}
	s, hs := newServer(t, Options{Flows: flows, Mapper: MapperFunc(func([]byte) ([]byte, []string, error) { return []byte(`{}`), nil, nil })})

	msgs := []string{
		envelope(schemaA, schemaA, map[string]string{"imsOrgId": `"OTHER@AdobeOrg"`}, goodEnt),
		envelope(schemaA, schemaA, map[string]string{"datasetId": `"` + gone + `"`}, goodEnt),
		envelope(schemaA, schemaA, map[string]string{"datasetId": `"` + dsB + `"`}, goodEnt),
		envelope(schemaA, schemaB, nil, goodEnt),
		envelope(schemaA, schemaA, map[string]string{"datasetId": `"` + dsA + `"`}, goodEnt),
	}
	r := post(t, hs.URL+"/collection/batch/"+inlet, []byte(`{"messages":[`+strings.Join(msgs, ",")+`]}`), nil)
	prefix := "inletId: [" + inlet + "] imsOrgId: [" + DefaultOrgID + "] "
	want := []string{
		`{"statusCode":400,"message":"` + prefix + `Message has an absent or wrong ims org in the header"}`,
		`{"statusCode":400,"message":"` + prefix + `Dataset [` + gone + `] does not exist"}`,
		`{"statusCode":400,"message":"` + prefix + `Message has unknown xdm format"}`,
		`{"statusCode":400,"message":"` + prefix + `Message has unknown xdm format"}`,
	}
	if r.status != 207 {
		t.Fatalf("batch: %d %s", r.status, r.raw)
	}
	els := r.body["responses"].([]any)
	for i, w := range want {
		b, _ := json.Marshal(els[i])
		if canon(t, string(b)) != canon(t, w) {
			t.Errorf("batch element %d = %s, want %s", i, b, w)
		}
	}
	if x, _ := els[4].(map[string]any)["xactionId"].(string); x == "" {
		t.Errorf("batch element 4 = %v, want accepted", els[4])
	}

	s.Reset()
	for _, f := range []string{"fa", "fgone", "fswap"} {
		if r := post(t, hs.URL+"/collection/"+inlet+"?x-adobe-flow-id="+f, []byte(goodRaw), nil); r.status != 200 {
			t.Fatalf("raw %s: %d %s", f, r.status, r.raw)
		}
	}
	recs := s.Records(Filter{})
	wantReasons := [][]string{nil, {"Dataset [" + gone + "] does not exist"},
		{"Dataset [" + dsB + "] schema [" + schemaB + "] does not match the flow's schemaRef [" + schemaA + "]"}}
	for i, w := range wantReasons {
		if recs[i].Good != (w == nil) || !slices.Equal(recs[i].Reasons, w) {
			t.Errorf("raw record %s: good %v reasons %q, want %q", recs[i].FlowID, recs[i].Good, recs[i].Reasons, w)
		}
	}
	r = post(t, hs.URL+"/collection/"+inlet+"?x-adobe-flow-id=fgone&syncValidation=true", []byte(goodRaw), nil)
	wantBody(t, r, 400, `{"type":"http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet","status":400,"title":"Invalid XDM Message Format",
 "report":{"message":"`+prefix+`Message is invalid","cause":{"_streamingValidation":[{"schemaLocation":"#","pointerToViolation":"#",
   "message":"Dataset [`+gone+`] does not exist","causingExceptions":[]}]}}}`)
}

package emulator

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/secret"
)

const inlet = DefaultInletID

const goodRaw = `{"data":{"customer_id":"42","email_address":"test@example.com","identifiers":{"cio_id":"d9c106000001","email":"test@example.com","id":"42"}},"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","metric":"subscribed","object_type":"customer","timestamp":1613063089}`

// badRaw is well-formed JSON but not a valid event: unknown metric, no timestamp.
const badRaw = `{"data":{},"event_id":"bad-1","metric":"exploded","object_type":"email"}`

func xdm(id, ts string) string {
	return `{"header":{"schemaRef":{"id":"https://ns.adobe.com/acme/schemas/cio","contentType":"application/vnd.adobe.xed-full+json;version=1"}},` +
		`"body":{"xdmMeta":{"schemaRef":{"id":"https://ns.adobe.com/acme/schemas/cio","contentType":"application/vnd.adobe.xed-full+json;version=1"}},` +
		`"xdmEntity":{"_id":"` + id + `","timestamp":"` + ts + `","_acme":{"object_type":"email","metric":"opened"}}}}`
}

// tsValidator stands in for the xdm package's validator (which aep must not import): it
// checks that timestamp is an RFC 3339 date-time, in AEP's wording. The real validator
// is exercised through the emulator in cmd's serve tests.
var tsValidator = ValidatorFunc(func(ent []byte) []Violation {
	var m struct {
		Timestamp string `json:"timestamp"`
	}
	json.Unmarshal(ent, &m)
	if _, err := time.Parse(time.RFC3339, m.Timestamp); err != nil {
		return []Violation{{SchemaLocation: "#/properties/timestamp", Pointer: "#/timestamp", Keyword: "format",
			Message: "[" + m.Timestamp + "] is not a valid date-time"}}
	}
	return nil
})

func newServer(t *testing.T, o Options) (*Server, *httptest.Server) {
	t.Helper()
	if o.Validator == nil {
		o.Validator = tsValidator
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); hs.Close() })
	return s, hs
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func post(t *testing.T, url string, body []byte, hdr map[string]string) reply {
	t.Helper()
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	json.Unmarshal(b, &r.body)
	return r
}

func get(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("GET %s: decode: %v", url, err)
		}
	}
	return resp.StatusCode
}

func TestCollect_forms(t *testing.T) {
	big := `{"event_id":"x","pad":"` + strings.Repeat("a", MaxBodyBytes) + `"}`
	tests := []struct {
		name       string
		path       string
		body       string
		hdr        map[string]string
		wantStatus int
		wantKeys   []string
		wantIn     string // substring of the raw answer
		wantGood   int
		wantBad    int
	}{
		{"xdm async", "/collection/" + inlet, xdm("e1", "2021-02-11T17:04:49Z"), nil, 200,
			[]string{"inletId", "xactionId", "receivedTimeMs", "syncValidation"}, `"syncValidation":{"skipped":true}`, 1, 0},
		{"xdm sync valid", "/collection/" + inlet + "?syncValidation=true", xdm("e1", "2021-02-11T17:04:49Z"), nil, 200,
			nil, `"syncValidation":{"status":"pass"}`, 1, 0},
		{"xdm sync invalid", "/collection/" + inlet + "?syncValidation=true", xdm("e1", "2018-00-23T22:07:01Z"), nil, 400,
			[]string{"type", "status", "title", "report"}, `is not a valid date-time`, 0, 0},
		{"xdm async invalid kept as bad", "/collection/" + inlet, xdm("e1", "nope"), nil, 200, nil, `"skipped":true`, 0, 1},
		{"xdm unknown format", "/collection/" + inlet, `{"body":{}}`, nil, 400, nil, `Message has unknown xdm format`, 0, 0},
		{"raw flow id query", "/collection/" + inlet + "?x-adobe-flow-id=" + DefaultFlowID, goodRaw, nil, 200,
			[]string{"inletId", "xactionId", "receivedTimeMs"}, `"inletId":"` + inlet + `"`, 1, 0},
		{"raw flow id header", "/collection/" + inlet, goodRaw, map[string]string{"x-adobe-flow-id": "f"}, 200, nil, `xactionId`, 1, 0},
		{"raw invalid event kept as bad", "/collection/" + inlet + "?x-adobe-flow-id=f", badRaw, nil, 200, nil, `xactionId`, 0, 1},
		{"raw sync invalid", "/collection/" + inlet + "?x-adobe-flow-id=f&syncValidation=true", badRaw, nil, 400, nil, `schema violations found`, 0, 0},
		{"raw not json", "/collection/" + inlet + "?x-adobe-flow-id=f", `{"event_id":`, nil, 400, nil, `not valid JSON`, 0, 0},
		{"over 1 MB", "/collection/" + inlet + "?x-adobe-flow-id=f", big, nil, 413, nil, `1 MB`, 0, 0},
		{"bad inlet", "/collection/not-an-inlet", goodRaw, nil, 404, nil, `64-character`, 0, 0},
		{"batch mixed", "/collection/batch/" + inlet,
			`{"messages":[` + xdm("b1", "2021-02-11T17:04:49Z") + `,{"header":{}},` + xdm("b3", "bad") + `]}`, nil, 207,
			[]string{"inletId", "batchId", "receivedTimeMs", "responses"}, `"statusCode":400`, 1, 1},
		{"batch not an envelope", "/collection/batch/" + inlet, `[1,2]`, nil, 400, nil, `messages`, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, hs := newServer(t, Options{})
			r := post(t, hs.URL+tt.path, []byte(tt.body), tt.hdr)
			if r.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", r.status, tt.wantStatus, r.raw)
			}
			for _, k := range tt.wantKeys {
				if _, ok := r.body[k]; !ok {
					t.Errorf("answer has no %q: %s", k, r.raw)
				}
			}
			if !strings.Contains(r.raw, tt.wantIn) {
				t.Errorf("answer %s does not contain %s", r.raw, tt.wantIn)
			}
			c := s.Counts()
			if c.Good != tt.wantGood || c.Bad != tt.wantBad {
				t.Errorf("good/bad = %d/%d, want %d/%d", c.Good, c.Bad, tt.wantGood, tt.wantBad)
			}
			for _, rec := range s.Records(Filter{Status: "bad"}) {
				if len(rec.Reasons) == 0 {
					t.Errorf("bad record %s has no reason", rec.EventID)
				}
			}
		})
	}
}

func TestCollect_batchElements(t *testing.T) {
	s, hs := newServer(t, Options{})
	r := post(t, hs.URL+"/collection/batch/"+inlet, []byte(`{"messages":[`+xdm("b1", "2021-02-11T17:04:49Z")+`,{"body":{}}]}`), nil)
	var br struct {
		BatchID   string `json:"batchId"`
		Responses []struct {
			XactionID  string `json:"xactionId"`
			StatusCode int    `json:"statusCode"`
			Message    string `json:"message"`
		} `json:"responses"`
	}
	json.Unmarshal([]byte(r.raw), &br)
	if len(br.Responses) != 2 || br.Responses[0].XactionID != br.BatchID+":0" || br.Responses[0].StatusCode != 0 ||
		br.Responses[1].StatusCode != 400 || br.Responses[1].XactionID != "" ||
		br.Responses[1].Message != "inletId: ["+inlet+"] imsOrgId: ["+DefaultOrgID+"] Message has unknown xdm format" {
		t.Fatalf("responses = %+v", br)
	}
	// the documented failure element, exactly: statusCode and message only
	if !strings.Contains(r.raw, `{"message":"inletId: [`+inlet+`] imsOrgId: [`+DefaultOrgID+`] Message has unknown xdm format","statusCode":400}`) {
		t.Errorf("failure element is not the documented shape: %s", r.raw)
	}
	if recs := s.Records(Filter{EventID: "b1"}); len(recs) != 1 || recs[0].XactionID != br.BatchID+":0" {
		t.Fatalf("records for b1 = %+v", recs)
	}
}

func TestCollect_gzip(t *testing.T) {
	s, hs := newServer(t, Options{})
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(goodRaw))
	zw.Close()
	r := post(t, hs.URL+"/collection/"+inlet+"?x-adobe-flow-id=f", buf.Bytes(), map[string]string{"Content-Encoding": "gzip"})
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	if recs := s.Records(Filter{}); len(recs) != 1 || string(recs[0].Body) != goodRaw {
		t.Fatalf("stored body = %+v, want the decompressed event", recs)
	}
}

func TestCollect_auth(t *testing.T) {
	_, hs := newServer(t, Options{RequireAuth: true, Token: secret.New("right")})
	url := hs.URL + "/collection/" + inlet + "?x-adobe-flow-id=f"
	r := post(t, url, []byte(goodRaw), nil)
	if r.status != 401 || r.body["status"] != "401" || !strings.Contains(r.raw, "Ims service token is empty") {
		t.Errorf("no token: %d %s, want 401 with string status", r.status, r.raw)
	}
	r = post(t, url, []byte(goodRaw), map[string]string{"Authorization": "Bearer wrong"})
	if r.status != 403 {
		t.Errorf("wrong token: %d %s, want 403", r.status, r.raw)
	}
	r = post(t, url, []byte(goodRaw), map[string]string{"Authorization": "Bearer right"})
	if r.status != 200 {
		t.Errorf("right token: %d %s, want 200", r.status, r.raw)
	}
}

func TestCollect_mapper(t *testing.T) {
	m := MapperFunc(func(body []byte) ([]byte, []string, error) {
		if bytes.Contains(body, []byte("exploded")) {
			return []byte(`{"_id":"bad-1"}`), []string{"#: required key [timestamp] not found"}, nil
		}
		if bytes.Contains(body, []byte("boom")) {
			return nil, nil, errors.New("boom")
		}
		return []byte(`{"_id":"ok"}`), nil, nil
	})
	s, hs := newServer(t, Options{Mapper: m})
	for _, b := range []string{goodRaw, badRaw, `{"boom":1}`} {
		post(t, hs.URL+"/collection/"+inlet+"?x-adobe-flow-id=f", []byte(b), nil)
	}
	good, bad := s.Records(Filter{Status: "good"}), s.Records(Filter{Status: "bad"})
	if len(good) != 1 || string(good[0].Mapped) != `{"_id":"ok"}` || good[0].EventID != "01E4C4CT6YDC7Y5M7FE1GWWPQJ" {
		t.Errorf("good = %+v", good)
	}
	if len(bad) != 2 || bad[0].Reasons[0] != "#: required key [timestamp] not found" || !strings.Contains(bad[1].Reasons[0], "mapping failed: boom") {
		t.Errorf("bad = %+v", bad)
	}
}

func TestInspect(t *testing.T) {
	_, hs := newServer(t, Options{})
	raw := hs.URL + "/collection/" + inlet + "?x-adobe-flow-id=f"
	post(t, raw, []byte(goodRaw), nil)
	post(t, raw, []byte(badRaw), nil)
	post(t, hs.URL+"/collection/"+inlet, []byte(xdm("x1", "2021-02-11T17:04:49Z")), nil)
	tests := []struct {
		query string
		want  []string // event ids
	}{
		{"", []string{"01E4C4CT6YDC7Y5M7FE1GWWPQJ", "bad-1", "x1"}},
		{"?status=all", []string{"01E4C4CT6YDC7Y5M7FE1GWWPQJ", "bad-1", "x1"}},
		{"?status=good", []string{"01E4C4CT6YDC7Y5M7FE1GWWPQJ", "x1"}},
		{"?status=bad", []string{"bad-1"}},
		{"?type=email", []string{"bad-1", "x1"}},
		{"?type=email&metric=opened", []string{"x1"}},
		{"?event_id=bad-1", []string{"bad-1"}},
		{"?limit=1", []string{"x1"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got struct {
				Count   int      `json:"count"`
				Records []Record `json:"records"`
			}
			if code := get(t, hs.URL+"/emulator/records"+tt.query, &got); code != 200 {
				t.Fatalf("status %d", code)
			}
			var ids []string
			for _, r := range got.Records {
				ids = append(ids, r.EventID)
			}
			if strings.Join(ids, ",") != strings.Join(tt.want, ",") || got.Count != len(tt.want) {
				t.Errorf("records%s = %v (count %d), want %v", tt.query, ids, got.Count, tt.want)
			}
		})
	}
	if code := get(t, hs.URL+"/emulator/records?status=meh", nil); code != 400 {
		t.Errorf("bad status filter: %d, want 400", code)
	}
	var c Counts
	get(t, hs.URL+"/emulator/counts", &c)
	if c.Received != 3 || c.Good != 2 || c.Bad != 1 || c.ByPair["email/opened"] != 1 || c.Responses[200] != 3 {
		t.Errorf("counts = %+v", c)
	}
	resp, err := http.Post(hs.URL+"/emulator/reset", "", nil)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("reset: %v %v", err, resp)
	}
	get(t, hs.URL+"/emulator/counts", &c)
	if c.Received != 0 {
		t.Errorf("after reset received = %d", c.Received)
	}
}

func TestFaults_statuses(t *testing.T) {
	_, hs := newServer(t, Options{Faults: Faults{Seed: 3, Rates: map[int]float64{503: 1}, RetryAfter: 1500 * time.Millisecond}})
	r := post(t, hs.URL+"/collection/"+inlet, []byte(xdm("e", "2021-02-11T17:04:49Z")), nil)
	if r.status != 503 || r.header.Get("Retry-After") != "2" {
		t.Fatalf("status %d Retry-After %q, want 503 with Retry-After 2", r.status, r.header.Get("Retry-After"))
	}
}

func TestFaults_seededMix(t *testing.T) {
	f := Faults{Seed: 42, Rates: map[int]float64{503: 0.3, 429: 0.1, 500: 0.1}, Timeout: 0.05, Reset: 0.05}
	count := func() map[string]int {
		d := newDice(f)
		got := map[string]int{}
		for range 10000 {
			ft := d.roll()
			switch {
			case ft.timeout:
				got["timeout"]++
			case ft.reset:
				got["reset"]++
			case ft.status != 0:
				got[http.StatusText(ft.status)]++
			default:
				got["ok"]++
			}
		}
		return got
	}
	a, b := count(), count()
	for k, v := range a {
		if b[k] != v {
			t.Fatalf("same seed gave %v then %v", a, b)
		}
	}
	want := map[string]float64{"Service Unavailable": 0.3, "Too Many Requests": 0.1, "Internal Server Error": 0.1, "timeout": 0.05, "reset": 0.05, "ok": 0.4}
	for k, p := range want {
		if got := float64(a[k]) / 10000; got < p-0.03 || got > p+0.03 {
			t.Errorf("%s rate = %.3f, want about %.2f", k, got, p)
		}
	}
}

func TestFaults_resetAndTimeout(t *testing.T) {
	_, hs := newServer(t, Options{Faults: Faults{Reset: 1}})
	if _, err := http.Post(hs.URL+"/collection/"+inlet, "application/json", strings.NewReader(xdm("e", "x"))); err == nil {
		t.Error("reset fault: request succeeded, want a transport error")
	}
	s2, hs2 := newServer(t, Options{Faults: Faults{Timeout: 1}})
	cl := &http.Client{Timeout: 50 * time.Millisecond}
	if _, err := cl.Post(hs2.URL+"/collection/"+inlet, "application/json", strings.NewReader(xdm("e", "x"))); err == nil {
		t.Error("timeout fault: request succeeded, want a client timeout")
	}
	if c := s2.Counts(); c.Faults.Timeouts != 1 || c.Received != 0 {
		t.Errorf("counts = %+v, want 1 timeout and nothing received", c)
	}
}

func TestParseRatesAndLatency(t *testing.T) {
	var f Faults
	if err := f.ParseRates("503=0.1, 429=5%,timeout=0.05,reset=0.01"); err != nil {
		t.Fatal(err)
	}
	if f.Rates[503] != 0.1 || f.Rates[429] != 0.05 || f.Timeout != 0.05 || f.Reset != 0.01 {
		t.Errorf("parsed %+v", f)
	}
	for _, bad := range []string{"503", "abc=0.1", "503=x", "503=0.7,429=0.5", "200=0.1", "503=-1"} {
		var f Faults
		if err := f.ParseRates(bad); err == nil {
			t.Errorf("ParseRates(%q) accepted", bad)
		}
	}
	lats := []struct {
		in   string
		want Latency
	}{
		{"20ms", Latency{Base: 20 * time.Millisecond}},
		{"20ms±10ms", Latency{Base: 20 * time.Millisecond, Spread: 10 * time.Millisecond}},
		{"20ms+-10ms", Latency{Base: 20 * time.Millisecond, Spread: 10 * time.Millisecond}},
		{"normal:50ms±5ms", Latency{Base: 50 * time.Millisecond, Spread: 5 * time.Millisecond, Dist: "normal"}},
		{"exp:20ms", Latency{Base: 20 * time.Millisecond, Dist: "exp"}},
	}
	for _, l := range lats {
		got, err := ParseLatency(l.in)
		if err != nil || got != l.want {
			t.Errorf("ParseLatency(%q) = %+v, %v; want %+v", l.in, got, err, l.want)
		}
	}
	for _, bad := range []string{"fast", "pareto:1ms", "-5ms", "1ms±x"} {
		if _, err := ParseLatency(bad); err == nil {
			t.Errorf("ParseLatency(%q) accepted", bad)
		}
	}
	d := newDice(Faults{Latency: Latency{Base: 20 * time.Millisecond, Spread: 10 * time.Millisecond}})
	for range 1000 {
		if l := d.latency(); l < 10*time.Millisecond || l > 30*time.Millisecond {
			t.Fatalf("uniform latency %s outside 20ms±10ms", l)
		}
	}
}

func TestStore_bytes(t *testing.T) {
	const budget = 64 << 10
	s, _ := New(Options{MaxRecordBytes: budget})
	body := json.RawMessage(`"` + strings.Repeat("x", 20<<10) + `"`)
	for i := range 10 {
		s.keep(Record{EventID: string(rune('a' + i)), Body: body})
	}
	ids := func() (out string) {
		for _, r := range s.Records(Filter{}) {
			out += r.EventID
		}
		return out
	}
	c := s.Counts()
	// each record costs its 20 KiB body plus its slot; the ring has room to spare: two fit
	if c.Received != 10 || c.Kept != 2 || c.Dropped != 8 || c.KeptBytes > budget {
		t.Fatalf("counts %+v: want 10 received, 2 kept (≤ 64 KiB), 8 dropped", c)
	}
	if got := ids(); got != "ij" {
		t.Errorf("kept %q, want the newest ij", got)
	}
	// a record over half the budget is kept without its bodies: its verdict stays
	s.keep(Record{EventID: "z", XactionID: "x:1:11", Body: json.RawMessage(`"` + strings.Repeat("y", 40<<10) + `"`)})
	c = s.Counts()
	if c.Kept != 3 || c.Dropped != 8 || c.KeptBytes > budget {
		t.Errorf("after a huge record: %+v", c)
	}
	if rs := s.Records(Filter{EventID: "z"}); len(rs) != 1 || !rs[0].Elided || rs[0].Body != nil || rs[0].XactionID != "x:1:11" {
		t.Errorf("huge record kept as %d records (elided %v), want its verdict without the body", len(rs), len(rs) == 1 && rs[0].Elided)
	}
	if got := ids(); got != "ijz" {
		t.Errorf("kept %q, want ijz", got)
	}
}

// TestStore_budgetHeldInMemory: whatever is posted (small and large events, mapped records
// allocated with room to spare, bodies over the whole budget), the bytes the emulator counts
// as kept never exceed its budget, and what the heap really holds for the records after a
// collection is within the budget too: the count is honest about memory, not just bodies.
func TestStore_budgetHeldInMemory(t *testing.T) {
	const budget = 2 << 20
	mapped := func(body []byte) ([]byte, []string, error) {
		// a mapper's output buffer, grown by append: its capacity is above its length
		out := make([]byte, 0, 64)
		for range 8 {
			out = append(out, body...)
		}
		return out, nil, nil
	}
	s, err := New(Options{MaxRecordBytes: budget, Mapper: MapperFunc(mapped)})
	if err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	before := heap()
	url := "/collection/" + inlet + "?x-adobe-flow-id=f"
	for i := range 3000 {
		n := 200 + (i*7919)%3000
		if i%500 == 499 {
			n = MaxBodyBytes - 100 // alone (mapped ×8) far over the budget
		}
		body := fmt.Appendf(nil, `{"event_id":"e%d","object_type":"email","metric":"sent","timestamp":1,"data":{"pad":"%s"}}`, i, strings.Repeat("p", n))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest(http.MethodPost, url, bytes.NewReader(body)))
		if w.Code != http.StatusOK {
			t.Fatalf("post %d: %d %s", i, w.Code, w.Body)
		}
		if c := s.Counts(); c.KeptBytes > budget {
			t.Fatalf("after post %d: %d bytes kept, budget %d", i, c.KeptBytes, budget)
		}
	}
	c := s.Counts()
	if c.Received != 3000 || c.Kept+c.Dropped != 3000 || c.Kept < 100 {
		t.Errorf("counts %+v", c)
	}
	held := int64(heap()) - int64(before)
	s.Reset()
	runtime.KeepAlive(s)
	t.Logf("%d records kept, counted %d bytes, heap holds %d bytes for them", c.Kept, c.KeptBytes, held)
	// (a little slack: other goroutines of the test binary allocate meanwhile)
	if held > budget+32<<10 {
		t.Errorf("the heap holds %d bytes for the kept records, over the %d-byte budget (counted %d)", held, budget, c.KeptBytes)
	}
}

func TestStore_ring(t *testing.T) {
	s, _ := New(Options{MaxRecords: 3})
	for i := range 5 {
		s.keep(Record{EventID: string(rune('a' + i)), Good: true})
	}
	var ids string
	for _, r := range s.Records(Filter{}) {
		ids += r.EventID
	}
	if ids != "cde" || s.Counts().Received != 5 || s.Counts().Dropped != 2 {
		t.Errorf("kept %q counts %+v, want cde, 5 received, 2 dropped", ids, s.Counts())
	}
}

func FuzzParseLatency(f *testing.F) {
	for _, s := range []string{"20ms", "20ms±10ms", "normal:5ms+-1ms", "exp:1s", "", "x:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		l, err := ParseLatency(s)
		if err != nil {
			return
		}
		if l.Base < 0 || l.Spread < 0 {
			t.Fatalf("ParseLatency(%q) = %+v: negative", s, l)
		}
		back, err := ParseLatency(l.String())
		if err != nil || back.Base != l.Base || back.Spread != l.Spread {
			t.Fatalf("round trip %q → %q → %+v, %v", s, l.String(), back, err)
		}
	})
}

func FuzzParseRates(f *testing.F) {
	for _, s := range []string{"503=0.1,429=0.05", "timeout=5%", "reset=1", "500=0.5,500=0.6", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var fs Faults
		if fs.ParseRates(s) != nil {
			return
		}
		if fs.Validate() != nil {
			t.Fatalf("ParseRates(%q) accepted rates Validate refuses: %+v", s, fs)
		}
	})
}

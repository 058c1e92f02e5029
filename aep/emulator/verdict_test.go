package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestVerdict_findsRecordsByXactionID(t *testing.T) {
	s, err := New(Options{MaxRecords: 100})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	ids := map[string]bool{}
	for i := range 250 { // wraps the ring twice and a half
		id, seq := s.xaction(now)
		s.keep(Record{Seq: seq, XactionID: id, Good: i%3 != 0, Reasons: map[bool][]string{true: {fmt.Sprint("bad ", i)}}[i%3 == 0]})
		ids[id] = i%3 != 0
	}
	found := 0
	for id, good := range ids {
		v, ok := s.Verdict(id)
		if !ok {
			continue
		}
		found++
		if v.Good != good || (!good && len(v.Reasons) != 1) {
			t.Errorf("Verdict(%s) = %+v, want good=%v", id, v, good)
		}
	}
	if found != 100 {
		t.Errorf("found %d verdicts, want the 100 kept", found)
	}
	for _, id := range []string{"", "x", "1:2:999999", "1:2:1"} {
		if _, ok := s.Verdict(id); ok {
			t.Errorf("Verdict(%q) found a record", id)
		}
	}
}

// TestVerdicts_route: every collection answer carries the X-Ciosim-Emulator header (and the
// body is AEP's, unchanged); /emulator/verdicts answers, in the order asked, the verdict on
// each xactionId, for single messages and batch elements, by GET and by POST, bounded.
func TestVerdicts_route(t *testing.T) {
	_, hs := newServer(t, Options{MaxRecords: 5000})
	xdmURL := hs.URL + "/collection/" + inlet
	var ids []string
	want := map[string]bool{}
	// enough records that a batch element's id must be placed by its batch number
	for i := range 600 {
		ts := "2021-02-11T17:04:49Z"
		if i%7 == 0 {
			ts = "yesterday"
		}
		r := post(t, xdmURL, []byte(xdm("x", ts)), nil)
		if r.status != 200 || r.header.Get(Header) != "1" {
			t.Fatalf("post %d: %d %v", i, r.status, r.header)
		}
		for k := range r.body {
			switch k {
			case "inletId", "xactionId", "receivedTimeMs", "syncValidation":
			default:
				t.Fatalf("answer has a member AEP does not send: %q in %s", k, r.raw)
			}
		}
		id := r.body["xactionId"].(string)
		ids = append(ids, id)
		want[id] = i%7 != 0
	}
	batch := `{"messages":[` + xdm("b0", "2021-02-11T17:04:49Z") + `,` + xdm("b1", "nope") + `]}`
	br := post(t, hs.URL+"/collection/batch/"+inlet, []byte(batch), nil)
	if br.status != 207 || br.header.Get(Header) != "1" {
		t.Fatalf("batch: %d %s", br.status, br.raw)
	}
	for i, el := range br.body["responses"].([]any) {
		id := el.(map[string]any)["xactionId"].(string)
		ids = append(ids, id)
		want[id] = i == 0
	}
	ids = append(ids, "1:2:999999", "nonsense")

	check := func(name string, got VerdictsResponse) {
		t.Helper()
		if len(got.Verdicts) != len(ids) {
			t.Fatalf("%s: %d verdicts for %d ids", name, len(got.Verdicts), len(ids))
		}
		for i, v := range got.Verdicts {
			good, known := want[ids[i]]
			if v.XactionID != ids[i] || v.Known != known || v.Good != good && known {
				t.Errorf("%s: verdict %d = %+v, want id %s known %v good %v", name, i, v, ids[i], known, good)
			}
			if known && !good && (len(v.Reasons) != 1 || !strings.Contains(v.Reasons[0], "is not a valid date-time")) {
				t.Errorf("%s: reasons %q", name, v.Reasons)
			}
		}
	}
	for start := 0; start < len(ids); start += 300 { // GET, in URL-sized pieces
		part := ids[start:min(start+300, len(ids))]
		q := url.Values{"xactionId": part}
		resp, err := http.Get(hs.URL + "/emulator/verdicts?" + q.Encode())
		if err != nil {
			t.Fatal(err)
		}
		var got VerdictsResponse
		json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if resp.StatusCode != 200 || len(got.Verdicts) != len(part) {
			t.Fatalf("GET verdicts: %d, %d answers", resp.StatusCode, len(got.Verdicts))
		}
		for i, v := range got.Verdicts {
			if v.XactionID != part[i] {
				t.Fatalf("GET verdicts out of order at %d", i)
			}
		}
	}
	b, _ := json.Marshal(VerdictRequest{XactionIDs: ids})
	r := post(t, hs.URL+"/emulator/verdicts", b, nil)
	var got VerdictsResponse
	if err := json.Unmarshal([]byte(r.raw), &got); err != nil || r.status != 200 {
		t.Fatalf("POST verdicts: %d %s", r.status, r.raw)
	}
	check("POST", got)

	tooMany, _ := json.Marshal(VerdictRequest{XactionIDs: make([]string, MaxVerdictIDs+1)})
	if r := post(t, hs.URL+"/emulator/verdicts", tooMany, nil); r.status != 400 || !strings.Contains(r.raw, "at most 1000") {
		t.Errorf("too many ids: %d %s", r.status, r.raw)
	}
	if r := post(t, hs.URL+"/emulator/verdicts", []byte(`[1,2]`), nil); r.status != 400 {
		t.Errorf("bad body: %d %s", r.status, r.raw)
	}
}

// FuzzVerdict: any xactionId (the verdict route takes them from clients) is looked up
// without panicking, and a verdict is only ever the record with exactly that id.
func FuzzVerdict(f *testing.F) {
	s, err := New(Options{MaxRecords: 64})
	if err != nil {
		f.Fatal(err)
	}
	now := time.Unix(1_700_000_000, 0)
	for i := range 100 {
		id, seq := s.xaction(now)
		s.keep(Record{Seq: seq, XactionID: id, Good: i%2 == 0})
	}
	for _, seed := range []string{"1700000000000:50:50", "1700000000000:1:1:0", "x:y:-5", "::", "1:2:9223372036854775807:9223372036854775807", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, id string) {
		v, ok := s.Verdict(id)
		if !ok {
			return
		}
		for _, r := range s.Records(Filter{}) {
			if r.XactionID == id && r.Good == v.Good {
				return
			}
		}
		t.Fatalf("Verdict(%q) = %+v, but no kept record has that id", id, v)
	})
}

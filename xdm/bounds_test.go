package xdm

import (
	"runtime"
	"strings"
	"testing"
)

// TestBounds_SizesFromData: issue 11 row 7 — a size taken from the event (lpad to
// data.n = 4e9) fails that field with a warning; mapping it allocates next to nothing
// (it used to try to build a 16 GB string and be killed).
func TestBounds_SizesFromData(t *testing.T) {
	ms, err := ParseMappingSet([]byte(`{"mappings":[
		{"sourceType":"EXPRESSION","source":"lpad(data.x, data.n, \"x\")","destination":"_acme.padded"},
		{"sourceType":"EXPRESSION","source":"rpad(data.x, data.n * 1000, \"x\")","destination":"_acme.padded2"},
		{"sourceType":"ATTRIBUTE","source":"data.x","destination":"_acme.x"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	mp, err := Compile(ms, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := mp.Map([]byte(`{"data":{"x":"a","n":4000000000}}`))
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Errorf("mapping allocated %d bytes", got)
	}
	if string(res.Record) != `{"_acme":{"x":"a"}}` || res.Rejected {
		t.Errorf("record %s rejected=%v", res.Record, res.Rejected)
	}
	if len(res.Warnings) != 2 || !strings.Contains(res.Warnings[0], "mapping 1 → _acme.padded: lpad: count 4000000000 is longer than ciosim's limit of 1048576 characters for a string; field set to null") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

// TestBounds_TimestampOverflow: issue 11 row 8 — timestamp 9223372036854775807 through the
// default mapping used to become 1969-12-31T23:59:59Z and pass; the multiplication now
// overflows, timestamp is nulled with a warning and the record is rejected.
func TestBounds_TimestampOverflow(t *testing.T) {
	mp := compileDefault(t, "experience-event", Options{Check: ExperienceEventRules{}, Required: DefaultRequired("experience-event")})
	for _, ts := range []string{"9223372036854775807", "-9223372036854775808", "9223372036854775808", "1e300", "1000000000000"} {
		ev := `{"event_id":"01E4C4C6P79C12J5A0KPE6VVNA","object_type":"email","metric":"sent","timestamp":` + ts + `,"data":{"identifiers":{"id":"1"}}}`
		res, err := mp.Map([]byte(ev))
		if err != nil {
			t.Fatal(err)
		}
		if !res.Rejected || strings.Contains(string(res.Record), "1969") {
			t.Errorf("timestamp %s: accepted as %s", ts, res.Record)
		}
		if ts != "1000000000000" && (len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "→ timestamp")) {
			t.Errorf("timestamp %s: warnings %q", ts, res.Warnings)
		}
	}
}

// TestBounds_DateRange: a date-time field takes years 0000-9999 only (RFC 3339).
func TestBounds_DateRange(t *testing.T) {
	for _, v := range []any{"+12019-10-17", "12019-10-17T00:00:00Z"} {
		if got, err := coerce(v, "string", "date-time"); err == nil {
			t.Errorf("%v → %v, want an error", v, got)
		}
	}
	ms, _ := ParseMappingSet([]byte(`{"mappings":[{"sourceType":"EXPRESSION","source":"date(\"+12019-10-17\", \"yyyy-MM-dd\")","destination":"timestamp"}]}`))
	mp, err := Compile(ms, Options{Schema: officialSchema(t)})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := mp.Map([]byte(`{}`))
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "year 12019 is outside 0000-9999") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

// TestUnsupportedFunction_Warns: a function ciosim does not implement nulls its field with
// a warning for each record; the rest of the mapping set runs.
func TestUnsupportedFunction_Warns(t *testing.T) {
	ms, _ := ParseMappingSet([]byte(`{"mappings":[
		{"sourceType":"EXPRESSION","source":"fpid_to_ecid(metric)","destination":"_acme.ecid"},
		{"sourceType":"ATTRIBUTE","source":"metric","destination":"_acme.metric"}]}`))
	mp, err := Compile(ms, Options{SourceFields: CustomerIOFields()})
	if err != nil {
		t.Fatal(err)
	}
	res, _ := mp.Map([]byte(`{"metric":"sent"}`))
	if string(res.Record) != `{"_acme":{"metric":"sent"}}` || len(res.Warnings) != 1 ||
		!strings.Contains(res.Warnings[0], "mapping 1 → _acme.ecid: fpid_to_ecid: function fpid_to_ecid() is not supported by ciosim") {
		t.Errorf("record %s warnings %q", res.Record, res.Warnings)
	}
}

package xdmdiff

import (
	"strings"
	"testing"
)

func TestFields(t *testing.T) {
	old := `{"_id":"a","n":1,"o":{"x":"1","gone":true,"a~b/c":1},"arr":[1,2,3]}`
	new := `{"_id":"a","n":1.0,"o":{"x":"2","new":[1],"a~b/c":2},"arr":[1,5]}`
	got, err := Fields([]byte(old), []byte(new))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, c := range got {
		lines = append(lines, c.String())
	}
	want := []string{
		`/arr/1: 2 → 5`,
		`/arr/2: removed (was 3)`,
		`/n: 1 → 1.0`,
		`/o/a~0b~1c: 1 → 2`,
		`/o/gone: removed (was true)`,
		`/o/new: added [1]`,
		`/o/x: "1" → "2"`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if _, err := Fields([]byte(`{`), []byte(`{}`)); err == nil {
		t.Error("want an error for bad JSON")
	}
	same, _ := Fields([]byte(`{"a":1,"b":2}`), []byte(`{"b":2, "a":1}`))
	if len(same) != 0 {
		t.Errorf("key order is not a change: %v", same)
	}
}

func read(t *testing.T, s string) []Record {
	t.Helper()
	r, err := ReadJSONL(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCompare(t *testing.T) {
	base := `{"_id":"e1","v":1}
{"_id":"e2","v":2}
{"_id":"e3","v":3}
`
	t.Run("identical", func(t *testing.T) {
		r := Compare(read(t, base), read(t, base), 10)
		if !r.None() {
			t.Errorf("want none, got %+v", r)
		}
	})
	t.Run("one field changed", func(t *testing.T) {
		r := Compare(read(t, base), read(t, strings.Replace(base, `"v":2`, `"v":20`, 1)), 10)
		var b strings.Builder
		r.Write(&b, WriteOptions{})
		want := "record 2 (event_id e2):\n  /v: 2 → 20\n"
		if r.Total != 1 || r.Changed != 1 || b.String() != want {
			t.Errorf("got %q (%+v)", b.String(), r)
		}
	})
	t.Run("record removed aligns the rest by id", func(t *testing.T) {
		got := `{"_id":"e1","v":1}
{"_id":"e3","v":3}
`
		r := Compare(read(t, base), read(t, got), 10)
		var b strings.Builder
		r.Write(&b, WriteOptions{})
		want := "fixture record 2 (event_id e2): not in the output\n  - {\"_id\":\"e2\",\"v\":2}\n"
		if r.Total != 1 || r.Removed != 1 || b.String() != want {
			t.Errorf("got %q (%+v)", b.String(), r)
		}
	})
	t.Run("record added aligns the rest by id", func(t *testing.T) {
		got := `{"_id":"e0","v":0}
` + base
		r := Compare(read(t, base), read(t, got), 10)
		var b strings.Builder
		r.Write(&b, WriteOptions{})
		want := "record 1 (event_id e0): not in the fixture\n  + {\"_id\":\"e0\",\"v\":0}\n"
		if r.Total != 1 || r.Added != 1 || b.String() != want {
			t.Errorf("got %q (%+v)", b.String(), r)
		}
	})
	t.Run("fields counted over all records", func(t *testing.T) {
		got := strings.ReplaceAll(base, `}`, `,"new":1}`)
		got = strings.Replace(got, `"v":3`, `"v":30`, 1)
		r := Compare(read(t, base), read(t, got), 1)
		var s []string
		for _, f := range r.ByField {
			s = append(s, f.String())
		}
		want := "/new: added in 3 records|/v: changed in 1 record"
		if strings.Join(s, "|") != want {
			t.Errorf("got %q, want %q", strings.Join(s, "|"), want)
		}
	})
	t.Run("reordered", func(t *testing.T) {
		got := `{"_id":"e2","v":2}
{"_id":"e1","v":1}
{"_id":"e3","v":3}
`
		r := Compare(read(t, base), read(t, got), 10)
		if r.None() || !r.Reordered || r.Total != 0 {
			t.Errorf("want reordered, got %+v", r)
		}
	})
	t.Run("records without _id align by rank, duplicates in order", func(t *testing.T) {
		a := "{\"v\":1}\n{\"_id\":\"d\",\"v\":1}\n{\"_id\":\"d\",\"v\":2}\n{\"v\":2}\n"
		b := "{\"v\":1}\n{\"_id\":\"d\",\"v\":1}\n{\"_id\":\"d\",\"v\":3}\n{\"v\":2}\n"
		r := Compare(read(t, a), read(t, b), 10)
		if r.Total != 1 || r.Diffs[0].GotPos != 3 || r.Diffs[0].Fields[0].String() != "/v: 2 → 3" {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("validity flips", func(t *testing.T) {
		w := []Record{{Key: "a", JSON: []byte(`{"x":1}`)}, {Key: "b", JSON: []byte(`{"x":1}`), Rejected: true}}
		g := []Record{{Key: "a", JSON: []byte(`{"x":1}`), Rejected: true}, {Key: "b", JSON: []byte(`{"x":1}`)}}
		r := Compare(w, g, 10)
		if r.BecameInvalid != 1 || r.BecameValid != 1 || r.Changed != 2 {
			t.Errorf("got %+v", r)
		}
	})
	t.Run("limit", func(t *testing.T) {
		r := Compare(nil, read(t, base), 1)
		var b strings.Builder
		r.Write(&b, WriteOptions{})
		if r.Total != 3 || len(r.Diffs) != 1 || !strings.HasSuffix(b.String(), "... and 2 more differing records\n") {
			t.Errorf("got %q", b.String())
		}
	})
}

func TestReadJSONL_Bad(t *testing.T) {
	_, err := ReadJSONL(strings.NewReader("{\"a\":1}\n[1]\n"))
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("got %v", err)
	}
}

func FuzzFields(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":2}]}`), []byte(`{"a":[1,{"b":3}],"c":null}`))
	f.Add([]byte(`{"~":1}`), []byte(`[]`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		cs, err := Fields(a, b)
		if err != nil {
			return
		}
		same, _ := Fields(a, a)
		if len(same) != 0 {
			t.Fatalf("a record differs from itself: %v", same)
		}
		for _, c := range cs {
			_ = c.String()
		}
	})
}

func FuzzReadJSONL(f *testing.F) {
	f.Add([]byte("{\"_id\":\"x\"}\n\n{}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := ReadJSONL(strings.NewReader(string(b)))
		if err != nil {
			return
		}
		if r := Compare(recs, recs, 5); !r.None() {
			t.Fatalf("a stream differs from itself: %+v", r)
		}
	})
}

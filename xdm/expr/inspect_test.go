package expr

import (
	"reflect"
	"slices"
	"testing"
)

func TestFacts(t *testing.T) {
	for _, tc := range []struct {
		src              string
		paths            [][]string
		volatile, opaque bool
	}{
		{`iif(data.id != null, upper(data.id), object_type)`, [][]string{{"data", "id"}, {"object_type"}}, false, false},
		{`concat(a.b, uuid())`, [][]string{{"a", "b"}}, true, false},
		{`now()`, nil, true, false},
		{`data.recipients[0].device_id`, [][]string{{"data", "recipients"}}, false, false},
		{`contains_key("data.x")`, nil, false, true},
		{`is_set("x") || x`, [][]string{{"x"}}, false, true},
		{`decode(m, "a", b.c, d)`, [][]string{{"m"}, {"b", "c"}, {"d"}}, false, false},
		{`x.trim().equals("a") ? [y, {"k": z}] : -w`, [][]string{{"x"}, {"y"}, {"z"}, {"w"}}, false, false},
	} {
		s := NewScope()
		p, err := DefaultRegistry().CompileIn(tc.src, s)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		f := p.Facts()
		var paths [][]string
		for _, id := range f.Paths {
			paths = append(paths, s.Names(id))
		}
		if !reflect.DeepEqual(paths, tc.paths) || f.Volatile != tc.volatile || f.Opaque != tc.opaque {
			t.Errorf("%s: paths %q volatile %v opaque %v; want %q %v %v", tc.src, paths, f.Volatile, f.Opaque, tc.paths, tc.volatile, tc.opaque)
		}
	}
	// a program compiled without a scope reads the record through maps only
	p, _ := Compile(`a`)
	if !p.Facts().Opaque {
		t.Error("a program without a scope is not opaque")
	}
}

// TestPreset: a program evaluated over preset paths gives what it gives over the record's
// maps; a path not preset reads as absent.
func TestPreset(t *testing.T) {
	s := NewScope()
	p, err := DefaultRegistry().CompileIn(`concat(data.a, "/", coalesce(data.b, "none"), "/", size_of(list))`, s)
	if err != nil {
		t.Fatal(err)
	}
	rec := map[string]any{"data": map[string]any{"a": "x"}, "list": []any{int64(1), int64(2)}}
	env := &Env{Scope: s}
	env.Reset(rec)
	want, err := p.Eval(env)
	if err != nil {
		t.Fatal(err)
	}
	env.ResetPreset()
	for _, id := range p.Facts().Paths {
		names := s.Names(id)
		var v any = rec
		for _, n := range names {
			v = v.(map[string]any)[n]
		}
		if v != nil {
			env.Preset(id, v)
		}
	}
	got, err := p.Eval(env)
	if err != nil || got != want {
		t.Fatalf("preset: %v (%v), want %v", got, err, want)
	}
	ref := s.Ref("data", "a")
	if !slices.Equal(s.Names(ref.ID()), []string{"data", "a"}) || ref.Get(env) != "x" {
		t.Errorf("ref %d: %v %v", ref.ID(), s.Names(ref.ID()), ref.Get(env))
	}
}

// TestParseDate_layoutsOnce: the date formats are compiled once, not on every call.
func TestParseDate_layoutsOnce(t *testing.T) {
	a, b := defaultFormatters(), defaultFormatters()
	if &a[0] != &b[0] {
		t.Fatal("defaultFormatters compiles the formats on every call")
	}
	if _, ok := ParseDate("2026-03-01T00:00:00Z"); !ok {
		t.Fatal("ParseDate refuses an RFC 3339 time")
	}
}

package fieldpath

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for in, want := range map[string][]string{
		"data":                         {"data"},
		"data.campaign_id":             {"data", "campaign_id"},
		"data.recipients.0.device_id":  {"data", "recipients", "0", "device_id"},
		"data.recipients[0].device_id": {"data", "recipients", "0", "device_id"},
		"a[1][2]":                      {"a", "1", "2"},
		"data.headers.X-Tag":           {"data", "headers", "X-Tag"},
	} {
		got, err := Parse(in)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", ".a", "a.", "a..b", "a[", "a[x]", "a[-1]", strings.Repeat("a", MaxLen+1)} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) = nil error", bad)
		}
	}
}

func decode(t *testing.T, s string) any {
	t.Helper()
	v, err := ParseValue(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSet(t *testing.T) {
	root := decode(t, `{"data":{"recipients":[{"id":1}],"n":3}}`)
	for path, v := range map[string]any{"data.recipients.0.id": "x", "data.new.deep": true, "top": nil} {
		segs, _ := Parse(path)
		if err := Set(root, segs, v); err != nil {
			t.Fatal(path, err)
		}
	}
	b, _ := json.Marshal(root)
	if want := `{"data":{"n":3,"new":{"deep":true},"recipients":[{"id":"x"}]},"top":null}`; string(b) != want {
		t.Fatalf("got %s\nwant %s", b, want)
	}
	for path, want := range map[string]string{
		"data.recipients.5":   `data.recipients.5: index "5" out of range (the array has 1 items)`,
		"data.n.x":            `data.n.x: data.n is a number, not an object or array`,
		"data.recipients.x.y": `data.recipients.x: index "x" out of range (the array has 1 items)`,
	} {
		segs, _ := Parse(path)
		if err := Set(root, segs, 1); err == nil || err.Error() != want {
			t.Errorf("Set %s: %v, want %s", path, err, want)
		}
	}
}

func TestUnsetGet(t *testing.T) {
	root := decode(t, `{"a":{"b":[1,2,3]}}`)
	root = Unset(root, []string{"a", "b", "1"})
	if v, ok := Get(root, []string{"a", "b"}); !ok || len(v.([]any)) != 2 {
		t.Fatalf("got %v", v)
	}
	root = Unset(root, []string{"a", "missing", "x"})
	if _, ok := Get(root, []string{"a", "missing"}); ok {
		t.Fatal("unset created a path")
	}
}

func TestParseValue(t *testing.T) {
	for _, ok := range []string{`12`, `"soon"`, `true`, `null`, `{"a":[1]}`, ` 1.50 `} {
		if _, err := ParseValue(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	if v := decode(t, `1.50`); v.(json.Number) != "1.50" {
		t.Errorf("number not kept exact: %v", v)
	}
	for bad, hint := range map[string]string{`soon`: `quote it: "soon"`, `1 2`: `quote it: "1 2"`, `{"a":`: `quote it: "{\"a\":"`} {
		if _, err := ParseValue(bad); err == nil || !strings.Contains(err.Error(), hint) {
			t.Errorf("ParseValue(%q) = %v, want hint %s", bad, err, hint)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"a.b", "a[0].b", "a..b", "[1]", "a]["} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		segs, err := Parse(s)
		if err != nil {
			return
		}
		// The canonical form parses to the same segments when no key holds [ or ].
		for _, g := range segs {
			if g == "" {
				t.Fatalf("%q: empty segment in %q", s, segs)
			}
			if strings.ContainsAny(g, ".[]") {
				return
			}
		}
		again, err := Parse(String(segs))
		if err != nil || !slices.Equal(again, segs) {
			t.Fatalf("%q → %q → %q, %v", s, String(segs), again, err)
		}
	})
}

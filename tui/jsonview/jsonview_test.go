package jsonview

import (
	"encoding/json"
	"testing"
)

func TestParse_prettyMatchesIndent(t *testing.T) {
	tests := []struct{ name, in string }{
		{"object", `{"b":1,"a":{"x":[1,2,{"y":null}],"e":{},"f":[]},"s":"a<b\"c","t":true}`},
		{"array root", `[1,"two",false]`},
		{"scalar", `42.50`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Parse([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			var v any
			if err := json.Unmarshal([]byte(d.Plain()), &v); err != nil {
				t.Fatalf("Plain() is not JSON: %v\n%s", err, d.Plain())
			}
			var w any
			_ = json.Unmarshal([]byte(tt.in), &w)
			a, _ := json.Marshal(v)
			b, _ := json.Marshal(w)
			if string(a) != string(b) {
				t.Errorf("Plain() = %s, want same value as %s", a, b)
			}
		})
	}
}

func TestParse_keepsOrderAndNumbers(t *testing.T) {
	d, err := Parse([]byte(`{"z":1.50,"a":2}`))
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"z\": 1.50,\n  \"a\": 2\n}\n"
	if got := d.Plain(); got != want {
		t.Errorf("Plain() = %q, want %q", got, want)
	}
}

func TestParse_errors(t *testing.T) {
	for _, in := range []string{``, `{`, `{"a":}`, `{} {}`} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) = nil error, want an error", in)
		}
	}
}

func TestPointer(t *testing.T) {
	tests := []struct{ in, want string }{
		{"$", ""},
		{"/a/b/0", "/a/b/0"},
		{"data.recipients[0].device_id", "/data/recipients/0/device_id"},
		{"$.a.b", "/a/b"},
		{"a[1][2]", "/a/1/2"},
		{"x/y.z", "/x~1y/z"},
	}
	for _, tt := range tests {
		if got := Pointer(tt.in); got != tt.want {
			t.Errorf("Pointer(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDoc_marks(t *testing.T) {
	d, err := Parse([]byte(`{"a":{"b":1,"c":[true]},"d":2}`))
	if err != nil {
		t.Fatal(err)
	}
	// lines: 0 {, 1 "a": {, 2 "b": 1, 3 "c": [, 4 true, 5 ], 6 }, 7 "d": 2, 8 }
	marks := d.Marks([]string{"/a/c/0", "/a/missing", "/nope/deeper"})
	want := map[int]bool{4: true, 1: true, 0: true}
	for i, m := range marks {
		if m != want[i] {
			t.Errorf("line %d (%q) marked = %v, want %v", i, d.Lines[i].Value, m, want[i])
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"a":[1,{"b":"c"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := Parse(b)
		if err != nil {
			return
		}
		if !json.Valid([]byte(d.Plain())) {
			t.Fatalf("Plain() of %q is not valid JSON: %q", b, d.Plain())
		}
	})
}

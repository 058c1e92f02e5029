package xdm

import (
	"errors"
	"testing"
)

func TestLocate(t *testing.T) {
	set := `{"mappings": [
  {"sourceType": "ATTRIBUTE", "source": "event_id", "destination": "_id"},
  {"sourceType": "EXPRESSION",
   "source": "upper(data.email",
   "destination": "_acme.email"}
]}
`
	ms, err := ParseMappingSet([]byte(set))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Compile(ms, Options{})
	var le *LocatedError
	if !errors.As(Locate("m.json", []byte(set), err), &le) {
		t.Fatalf("not located: %v", err)
	}
	// line 4: `   "source": "upper(data.email",`; the value's quote is column 14, the
	// expression's end (column 17 of it) is column 14+17.
	if le.Index != 2 || le.Line != 4 || le.Col != 31 {
		t.Errorf("got mapping %d at %d:%d, want mapping 2 at 4:31 (%v)", le.Index, le.Line, le.Col, le)
	}
	var ce *CompileError
	if !errors.As(le, &ce) {
		t.Error("the compile error is not kept")
	}

	esc := `{"mappings": [{"sourceType": "EXPRESSION", "source": "concat(\"é:\", metric", "destination": "a"}]}`
	ms, _ = ParseMappingSet([]byte(esc))
	_, err = Compile(ms, Options{})
	if !errors.As(Locate("m.json", []byte(esc), err), &le) || le.Col != 53+23 {
		t.Errorf("escaped expression: %v (want column %d)", le, 53+23)
	}

	bad := "{\"mappings\": [\n  {\"source\": \"a\",}\n]}"
	_, err = ParseMappingSet([]byte(bad))
	le, ok := Locate("m.json", []byte(bad), err).(*LocatedError)
	if !ok || le.Line != 2 || le.Col != 18 {
		t.Errorf("JSON syntax error: %v", Locate("m.json", []byte(bad), err))
	}

	missing := "{\"mappings\": [\n  {\"destination\": \"a\"},\n  {\"destination\": \"b\"}\n]}"
	_, err = ParseMappingSet([]byte(missing))
	le, ok = Locate("m.json", []byte(missing), err).(*LocatedError)
	if !ok || le.Index != 1 || le.Line != 2 || le.Col != 3 {
		t.Errorf("missing source: %v", Locate("m.json", []byte(missing), err))
	}
}

func FuzzLocate(f *testing.F) {
	f.Add([]byte(`{"mappings":[{"source":"upper(","destination":"a","sourceType":"EXPRESSION"}]}`))
	f.Add([]byte(`{"x":1,"mappings":[{},{"sourceAttribute":"a"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := ParseMappingSet(b)
		if err == nil {
			_, err = Compile(ms, Options{})
		}
		var le *LocatedError
		if errors.As(Locate("f", b, err), &le) && (le.Line < 1 || le.Col < 1) {
			t.Fatalf("position %d:%d", le.Line, le.Col)
		}
	})
}

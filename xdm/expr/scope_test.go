package expr

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestScope_SameAsUnscoped: programs compiled in one scope and evaluated in one Env across
// several records give what each program gives on its own, including paths through
// arrays, missing fields, non-objects, and paths shared between programs.
func TestScope_SameAsUnscoped(t *testing.T) {
	srcs := []string{
		`a.b.c`, `a.b`, `a`, `coalesce(a.b.c, x.y, "none")`, `a.b.c == "v" && x.y != null`,
		`r[*].id`, `r[0].id`, `r.id`, `first(r[*].id)`, `s.t`, `a.b.c.d`, `concat(a.b.c, "-", n)`,
		`a.b.equals("x")`, `iif(x.y == null, a.b.c, x.y)`,
	}
	records := []string{
		`{"a":{"b":{"c":"v"}},"x":{"y":1},"r":[{"id":1},{"id":2}],"s":"str","n":5}`,
		`{"a":{"b":"x"},"r":[],"s":{"t":[1]}}`,
		`{}`,
		`{"a":{"b":{"c":"w","d":1}},"x":{"y":null},"r":{"id":"obj"},"n":1.5}`,
		`{"a":{"b":{"c":"v"}},"x":{"y":1},"r":[{"id":1},{"id":2}],"s":"str","n":5}`,
	}
	scope := NewScope()
	var scoped, plain []*Program
	for _, src := range srcs {
		p, err := DefaultRegistry().CompileIn(src, scope)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		scoped = append(scoped, p)
		q, err := Compile(src)
		if err != nil {
			t.Fatal(err)
		}
		plain = append(plain, q)
		if !reflect.DeepEqual(p.Paths(), q.Paths()) {
			t.Errorf("%s: paths %v, unscoped %v", src, p.Paths(), q.Paths())
		}
	}
	env := &Env{Scope: scope}
	for _, rec := range records {
		var v any
		if err := json.Unmarshal([]byte(rec), &v); err != nil {
			t.Fatal(err)
		}
		root := FromJSON(v).(map[string]any)
		env.Reset(root)
		for i := range srcs {
			// twice, so the second run reads the memo
			for range 2 {
				got, gerr := scoped[i].Eval(env)
				want, werr := plain[i].Eval(&Env{Root: root})
				if !reflect.DeepEqual(got, want) || (gerr == nil) != (werr == nil) {
					t.Errorf("%s on %s: scoped %v (%v), plain %v (%v)", srcs[i], rec, js(got), gerr, js(want), werr)
				}
			}
		}
	}
	// An Env that was never Reset, or belongs to another scope, looks up directly.
	root := map[string]any{"a": map[string]any{"b": "x"}}
	for _, env := range []*Env{{Root: root, Scope: scope}, {Root: root, Scope: NewScope()}, {Root: root}} {
		for range 2 {
			if got, _ := scoped[1].Eval(env); got != "x" {
				t.Errorf("a.b = %v, want x", got)
			}
		}
		env.Root = map[string]any{"a": map[string]any{"b": "y"}}
		if env.gen == 0 {
			if got, _ := scoped[1].Eval(env); got != "y" {
				t.Errorf("a.b after changing Root = %v, want y", got)
			}
		}
	}
}

// BenchmarkScope evaluates the paths of a typical mapping set's expressions in one Env.
func BenchmarkScope(b *testing.B) {
	srcs := []string{`iif(object_type == "email", data.recipient, null)`, `coalesce(data.identifiers.email, data.email_address)`,
		`iif(object_type == "push" && metric == "opened", true, null)`, `iif(data.identifiers.id != null, true, null)`}
	root := map[string]any{"object_type": "email", "metric": "opened", "data": map[string]any{"recipient": "a@b.c", "identifiers": map[string]any{"id": "1"}}}
	for _, tc := range []struct {
		name  string
		scope *Scope
	}{{"unscoped", nil}, {"scoped", NewScope()}} {
		b.Run(tc.name, func(b *testing.B) {
			var progs []*Program
			for _, s := range srcs {
				p, err := DefaultRegistry().compile(s, tc.scope)
				if err != nil {
					b.Fatal(err)
				}
				progs = append(progs, p)
			}
			env := &Env{Scope: tc.scope}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				env.Reset(root)
				for _, p := range progs {
					if _, err := p.Eval(env); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// TestScope_Ref: attribute paths read through a scope give nil where a value on the way
// is not an object, whichever of them and the expressions sharing their paths runs first.
func TestScope_Ref(t *testing.T) {
	for _, refFirst := range []bool{true, false} {
		scope := NewScope()
		prog, err := DefaultRegistry().CompileIn(`r.id`, scope)
		if err != nil {
			t.Fatal(err)
		}
		ref, deep := scope.Ref("r", "id"), scope.Ref("a", "b", "c")
		env := &Env{Scope: scope}
		for _, tc := range []struct {
			rec       map[string]any
			ref, expr any
			deep      any
		}{
			{map[string]any{"r": []any{map[string]any{"id": "x"}}}, nil, []any{"x"}, nil},
			{map[string]any{"r": map[string]any{"id": "y"}, "a": map[string]any{"b": map[string]any{"c": int64(1)}}}, "y", "y", int64(1)},
			{map[string]any{"r": "s", "a": map[string]any{"b": []any{1}}}, nil, nil, nil},
			{map[string]any{}, nil, nil, nil},
		} {
			env.Reset(tc.rec)
			var got, gotExpr any
			if refFirst {
				got = ref.Get(env)
				gotExpr, _ = prog.Eval(env)
			} else {
				gotExpr, _ = prog.Eval(env)
				got = ref.Get(env)
			}
			if !reflect.DeepEqual(got, tc.ref) || !reflect.DeepEqual(gotExpr, tc.expr) || !reflect.DeepEqual(deep.Get(env), tc.deep) {
				t.Errorf("%v (ref first %v): ref %v expr %v deep %v; want %v %v %v", tc.rec, refFirst, got, gotExpr, deep.Get(env), tc.ref, tc.expr, tc.deep)
			}
			if d := deep.Get(&Env{Root: tc.rec}); !reflect.DeepEqual(d, tc.deep) {
				t.Errorf("%v without scope: deep %v, want %v", tc.rec, d, tc.deep)
			}
		}
	}
}

package expr

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// TestSpecialized_SameAsGeneric: iif, decode and coalesce in their specialised forms give
// the generic call's value or error on every record, including errors in branches not
// chosen and randomness consumed by them.
func TestSpecialized_SameAsGeneric(t *testing.T) {
	srcs := []string{
		`iif(a == "x", "yes", "no")`, `iif(a, b, c.d)`, `iif(true, 1, 1/0)`, `iif(false, 1/0, 2)`,
		`iif(a == "x", uuid(), "n")`, `concat(iif(a == null, "n", a), uuid())`,
		`decode(a, "x", 1, "y", 2)`, `decode(a, "x", 1, "y", 2, "other")`, `decode(a, "x", 1, "x", 2, 3)`,
		`decode(n, "5", "five", "5.0", "f", "none")`, `decode(t, "true", "T", "F")`, `decode(c.d, "p", 1, null)`,
		`decode(a, "x", b, "y", c.d, concat("z", a))`, `decode(a, "x", 1, 1/0)`, `decode(a, "x", 1/0, 2)`,
		`decode(a, "x", uuid(), "y", "lit", uuid())`, `decode(a, 1, "one", "x", "ex")`, `decode(uuid(), "x", 1, 2)`,
		`a == "x"`, `"x" == a`, `a != "x"`, `n == "5"`, `"5.0" == n`, `t == "true"`, `"true" != t`, `z == null`,
		`null == c.d`, `c != null`, `1/0 == "x"`, `"x" != 1/0`, `a == "x" && n == "5"`, `a == "q" || 1/0`,
		`a == "x" && 1/0`, `z || b`, `c.d && ""`, `now() == "x"`,
		`coalesce(z, c.d, b, "last")`, `coalesce(z, c.e)`, `coalesce(z, 1/0)`, `coalesce(c.d, uuid())`,
	}
	records := []map[string]any{
		{"a": "x", "b": "bee", "c": map[string]any{"d": "p"}, "n": int64(5), "t": true},
		{"a": "y", "n": 5.0, "t": false, "c": map[string]any{}},
		{"a": "q", "b": nil, "n": "5", "t": "true", "c": "str"},
		{},
	}
	for _, src := range srcs {
		special, err := DefaultRegistry().compile(src, nil)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		p := &parser{src: src, funcs: DefaultRegistry(), plain: true}
		if err := p.lex(); err != nil {
			t.Fatal(err)
		}
		root, err := p.parseExpr()
		if err != nil {
			t.Fatal(err)
		}
		generic := &Program{src: src, root: root}
		for _, rec := range records {
			r1, r2 := bytes.NewReader(bytes.Repeat([]byte{7, 1, 9}, 100)), bytes.NewReader(bytes.Repeat([]byte{7, 1, 9}, 100))
			got, gerr := special.Eval(&Env{Root: rec, Rand: r1})
			want, werr := generic.Eval(&Env{Root: rec, Rand: r2})
			if !reflect.DeepEqual(got, want) || (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) || r1.Len() != r2.Len() {
				t.Errorf("%s on %v: special %v (%v, %d random bytes left), generic %v (%v, %d left)", src, rec, js(got), gerr, r1.Len(), js(want), werr, r2.Len())
			}
		}
	}
}

// BenchmarkDecode evaluates a channel decode as the experience-event set writes it.
func BenchmarkDecode(b *testing.B) {
	src := `decode(object_type, "email", "https://ns.adobe.com/xdm/channels/email", "customer", "https://ns.adobe.com/xdm/channels/email", "push", "https://ns.adobe.com/xdm/channels/push", "in_app", "https://ns.adobe.com/xdm/channels/inApp", "sms", "https://ns.adobe.com/xdm/channels/sms", concat("https://ns.adobe.com/xdm/channels/", object_type))`
	for _, plain := range []bool{true, false} {
		name := "specialized"
		if plain {
			name = "generic"
		}
		b.Run(name, func(b *testing.B) {
			p := &parser{src: src, funcs: DefaultRegistry(), plain: plain}
			if err := p.lex(); err != nil {
				b.Fatal(err)
			}
			root, err := p.parseExpr()
			if err != nil {
				b.Fatal(err)
			}
			prog := &Program{src: src, root: root}
			env := &Env{}
			rec := map[string]any{"object_type": "sms"}
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				env.Reset(rec)
				if _, err := prog.Eval(env); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// FuzzSpecialized: any expression compiled with a scope and specialised calls evaluates
// like its plain, generic compilation (value, error and randomness consumed), twice in a
// row in one Env so the second run reads remembered paths.
func FuzzSpecialized(f *testing.F) {
	for _, s := range []string{
		`iif(a == "x", uuid(), b.c)`, `decode(x, "s", 1, "t", 1/0, a[0].b)`, `coalesce(z, b.c, x)`,
		`decode(b.c, "q", b, "r", concat(x, "!"))`, `x == "s" && b.c != null || "q" == b.c`, `a[0].b == "1" || x != null`, `iif(a[0].b > 0, coalesce(y, x), decode(x, "s", uuid()))`,
	} {
		f.Add(s)
	}
	rec := func() map[string]any {
		return map[string]any{"a": []any{map[string]any{"b": int64(1)}}, "x": "s", "b": map[string]any{"c": "q"}}
	}
	f.Fuzz(func(t *testing.T, src string) {
		scope := NewScope()
		fast, err := DefaultRegistry().compile(src, scope)
		if err != nil {
			return
		}
		p := &parser{src: src, funcs: DefaultRegistry(), plain: true}
		if err := p.lex(); err != nil {
			t.Fatal(err)
		}
		root, err := p.parseExpr()
		if err != nil {
			t.Fatalf("plain parse fails where the other did not: %v", err)
		}
		slow := &Program{src: src, root: root}
		r1, r2 := bytes.NewReader(bytes.Repeat([]byte{3, 5}, 200)), bytes.NewReader(bytes.Repeat([]byte{3, 5}, 200))
		env := &Env{Scope: scope, Rand: r1, Now: func() time.Time { return fixedNow }}
		env.Reset(rec())
		for range 2 {
			got, gerr := fast.Eval(env)
			want, werr := slow.Eval(&Env{Root: rec(), Rand: r2, Now: func() time.Time { return fixedNow }})
			if js(got) != js(want) || (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) || r1.Len() != r2.Len() {
				t.Fatalf("%s: fast %s (%v, %d left), plain %s (%v, %d left)", src, js(got), gerr, r1.Len(), js(want), werr, r2.Len())
			}
		}
	})
}

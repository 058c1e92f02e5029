package xdm

import (
	"net/url"
	"reflect"
	"slices"
	"testing"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
)

// allKeysChecker runs ExperienceEventRules on the whole record, so the mapper must build
// the full record as maps for it.
type allKeysChecker struct{}

func (allKeysChecker) Check(record any) []Violation { return ExperienceEventRules{}.Check(record) }

// asMaps returns a copy of mp that builds every record as maps (the general path), to
// compare with the compiled tree.
func asMaps(mp *Mapper) *Mapper {
	c := &Mapper{set: mp.set, rules: mp.rules, opts: mp.opts, required: mp.required, cache: mp.cache, scope: mp.scope, tree: mp.tree}
	c.tree.ok = false
	return c
}

// TestTree_SameAsMaps: for every pair, several generator settings and both default sets,
// the tree writes the same bytes, warnings and rejections as building the record as maps;
// and ExperienceEventRules gives the same violations on the members it declares as on the
// whole record.
func TestTree_SameAsMaps(t *testing.T) {
	for _, tc := range []struct {
		set  string
		opts Options
	}{
		{"experience-event", Options{Check: ExperienceEventRules{}}},
		{"experience-event", Options{Check: allKeysChecker{}}},
		{"experience-event", Options{Schema: officialSchema(t)}},
		{"tutorial", Options{}},
	} {
		mp := compileDefault(t, tc.set, tc.opts)
		if !mp.tree.ok {
			t.Fatalf("%s: the default set does not fit the tree", tc.set)
		}
		slow := asMaps(mp)
		n := 0
		for _, seed := range []int64{1, 2} {
			for _, o := range []generator.Options{{Seed: seed, Start: start}, {Seed: seed, Start: start, TestMode: true, BodyContent: true}, {Seed: seed, Start: start, IDOnly: true}} {
				g := generator.New(o)
				for _, p := range customerio.Pairs() {
					ev, err := g.Event(p.ObjectType, p.Metric)
					if err != nil {
						t.Fatal(err)
					}
					got, err := mp.Map(ev.Bytes())
					if err != nil {
						t.Fatal(err)
					}
					want, _ := slow.Map(ev.Bytes())
					if !reflect.DeepEqual(got, want) {
						t.Errorf("%s %s:\n tree %+v\n maps %+v", tc.set, p.Name(), got, want)
					}
					n++
				}
			}
		}
		if n != 2*3*69 {
			t.Fatalf("mapped %d events", n)
		}
	}
}

// TestTree_Shapes: empty subtrees are left out, indexed and plain destinations sharing a
// key behave as writing from the root does, and the record is "{}" when nothing maps.
func TestTree_Shapes(t *testing.T) {
	for _, tc := range []struct{ set, want string }{
		{`[{"source":"nope","destination":"a.b.c"}]`, `{}`},
		{`[{"source":"nope","destination":"a.b.c"},{"source":"x","destination":"a.d"}]`, `{"a":{"d":1}}`},
		{`[{"source":"x","destination":"a"},{"source":"y","destination":"a[1]"}]`, `{"a":[null,2]}`},
		{`[{"source":"y","destination":"a[1]"},{"source":"x","destination":"a"}]`, `{"a":1}`},
		{`[{"source":"x","destination":"m.l[0].v"},{"source":"y","destination":"m.l[0].w"},{"source":"x","destination":"m.k"}]`, `{"m":{"k":1,"l":[{"v":1,"w":2}]}}`},
		{`[{"source":"arr[*].v","destination":"o.l[*].v"},{"source":"x","destination":"o.b"}]`, `{"o":{"b":1,"l":[{"v":3},{"v":4}]}}`},
		{`[{"source":"z","destination":"b"},{"source":"x","destination":"a"},{"source":"y","destination":"B"}]`, `{"B":2,"a":1,"b":{}}`},
	} {
		ms, err := ParseMappingSet([]byte(`{"mappings":` + tc.set + `}`))
		if err != nil {
			t.Fatal(err)
		}
		mp, err := Compile(ms, Options{Required: []string{"a"}})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []*Mapper{mp, asMaps(mp)} {
			res, _ := m.Map([]byte(`{"x":1,"y":2,"z":{},"arr":[{"v":3},{"v":4}]}`))
			if string(res.Record) != tc.want {
				t.Errorf("%s (tree %v): got %s want %s", tc.set, m.tree.ok, res.Record, tc.want)
			}
			wantRejected := !slices.Contains([]byte(tc.want), 'a')
			if res.Rejected != wantRejected {
				t.Errorf("%s (tree %v): rejected %v (%v), want %v", tc.set, m.tree.ok, res.Rejected, res.Reasons, wantRejected)
			}
		}
	}
}

// TestUnreservedOnly: the fast path of the _id check agrees with url.Parse on the strings
// it accepts.
func TestUnreservedOnly(t *testing.T) {
	for _, s := range []string{"01M8JS8T999PX7P3WXM7BYPVTA", "a-b.c_d~e", "0", ".", "..", "-x", "~"} {
		if !unreservedOnly(s) {
			t.Errorf("%q: not accepted", s)
		}
		if u, err := url.Parse(s); err != nil || (u.Scheme == "" && hasColonInFirstSegment(s)) {
			t.Errorf("%q: url.Parse says invalid (%v)", s, err)
		}
	}
	for _, s := range []string{"", "a:b", "a b", "a/b", "a%20", "é", "a#b", "a?b"} {
		if unreservedOnly(s) {
			t.Errorf("%q: accepted", s)
		}
	}
}

// TestAppendMap: the record is appended after dst's bytes, which stay untouched, and is
// the same as Map's; reusing the buffer for the next event gives that event's record.
func TestAppendMap(t *testing.T) {
	mp := compileDefault(t, "experience-event", Options{Check: ExperienceEventRules{}})
	g := generator.New(generator.Options{Seed: 4, Start: start})
	buf := []byte("prefix")
	for _, p := range customerio.Pairs()[:10] {
		ev, err := g.Event(p.ObjectType, p.Metric)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := mp.Map(ev.Bytes())
		got, err := mp.AppendMap(buf, ev.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if string(got.Record) != string(want.Record) || string(buf) != "prefix"[:len(buf)] {
			t.Errorf("%s: AppendMap %s (dst %q), Map %s", p.Name(), got.Record, buf, want.Record)
		}
		buf = got.Record[:0]
	}
}

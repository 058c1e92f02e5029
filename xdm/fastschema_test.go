package xdm

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
)

// schemaEvents are the events of every pair under three generator modes and two seeds.
func schemaEvents(t testing.TB) [][]byte {
	t.Helper()
	var evs [][]byte
	for _, seed := range []int64{1, 2} {
		for _, o := range []generator.Options{{Seed: seed, Start: start}, {Seed: seed, Start: start, TestMode: true, BodyContent: true}, {Seed: seed, Start: start, IDOnly: true}} {
			g := generator.New(o)
			for _, p := range customerio.Pairs() {
				ev, err := g.Event(p.ObjectType, p.Metric)
				if err != nil {
					t.Fatal(err)
				}
				evs = append(evs, ev.Bytes())
			}
		}
	}
	return evs
}

// officialSchemaDoc is officialSchema's document, for mutating.
func officialSchemaDoc(t testing.TB) map[string]any {
	t.Helper()
	s := officialSchema(t)
	b, err := json.Marshal(s.root)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// pair compiles set with s twice: the mapper as it runs, and the oracle that always
// runs the full validator.
func pair(t testing.TB, set string, s *Schema) (fast, oracle *Mapper) {
	t.Helper()
	fast = compileDefault(t, set, Options{Schema: s})
	oracle = compileDefault(t, set, Options{Schema: s})
	oracle.noFast = true
	return fast, oracle
}

func sameResult(t testing.TB, what string, fast, oracle *Mapper, ev []byte) Result {
	t.Helper()
	a, errA := fast.Map(ev)
	b, errB := oracle.Map(ev)
	if fmt.Sprint(errA) != fmt.Sprint(errB) || !reflect.DeepEqual(a, b) {
		t.Fatalf("%s: compiled schema checks and the validator disagree\nfast:   %+v (%v)\noracle: %+v (%v)\nevent: %s", what, a, errA, b, errB, ev)
	}
	return a
}

// TestFastSchemaAcceptsValidRecords: on the official schema every generated record is
// valid and accepted by the per-field checks alone (else --validate would be slow), with
// results identical to the validator's.
func TestFastSchemaAcceptsValidRecords(t *testing.T) {
	s := officialSchema(t)
	if s.fast == nil {
		t.Fatal("the official schema did not compile to per-field checks")
	}
	fast, oracle := pair(t, "experience-event", s)
	present := make([]bool, len(fast.tree.nodes))
	for i, ev := range schemaEvents(t) {
		res := sameResult(t, fmt.Sprint("event ", i), fast, oracle, ev)
		if res.Rejected {
			t.Fatalf("event %d rejected: %v", i, res.Reasons)
		}
		rec, err := decodeObject(res.Record)
		if err != nil {
			t.Fatal(err)
		}
		if !s.fast.root.ok(rec) {
			t.Errorf("event %d: a valid record is not accepted by the per-field checks: %s", i, res.Record)
		}
		_ = present
	}
}

// mutateSchema tightens or changes one property schema of doc at random, so records
// break it in a known place: a different type, a new required key, an enum, a format, a
// length bound, a closed object, or a keyword the per-field checks leave to the validator.
func mutateSchema(r *rand.Rand, doc map[string]any) string {
	var nodes []map[string]any
	var names []string
	var walk func(m map[string]any, path string)
	walk = func(m map[string]any, path string) {
		props, _ := m["properties"].(map[string]any)
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if pm, ok := props[k].(map[string]any); ok {
				nodes = append(nodes, pm)
				names = append(names, path+"/"+k)
				walk(pm, path+"/"+k)
			}
		}
	}
	walk(doc, "")
	i := r.IntN(len(nodes))
	n := nodes[i]
	switch op := r.IntN(9); op {
	case 0:
		n["type"] = []string{"string", "integer", "boolean", "object", "array", "number"}[r.IntN(6)]
	case 1:
		n["required"] = []any{"missing", "_id", "id"}[:1+r.IntN(3)]
	case 2:
		n["enum"] = []any{"x", "email", int64(1)}
	case 3:
		n["format"] = []string{"email", "date-time", "uri", "uri-reference", "ipv4"}[r.IntN(5)]
	case 4:
		n["maxLength"] = r.IntN(8)
		n["minLength"] = r.IntN(3)
	case 5:
		n["additionalProperties"] = false
		delete(n, "properties")
	case 6:
		n["allOf"] = []any{map[string]any{"type": "string"}}
	case 7:
		n["pattern"] = "^[a-f0-9-]+$"
	case 8:
		n["minimum"] = 5
		n["maximum"] = 10
	}
	return names[i]
}

// TestFastSchemaDifferential: over mutated official schemas, mapping with the compiled
// checks gives byte-identical records and identical warnings, reasons and violations
// (wording, keyword, schemaLocation, pointer) to always running the validator.
func TestFastSchemaDifferential(t *testing.T) {
	evs := schemaEvents(t)
	r := rand.New(rand.NewPCG(17, 1))
	rejected := 0
	for round := range 40 {
		doc := officialSchemaDoc(t)
		var what []string
		for range 1 + r.IntN(3) {
			what = append(what, mutateSchema(r, doc))
		}
		b, _ := json.Marshal(doc)
		s, err := LoadSchema(SchemaFile{Name: "mutated", Data: b})
		if err != nil {
			continue // a mutation the compiler refuses (e.g. required on a non-object)
		}
		for _, set := range []string{"experience-event", "tutorial"} {
			fast, oracle := pair(t, set, s)
			for i, ev := range evs {
				if i%3 != round%3 {
					continue
				}
				if sameResult(t, fmt.Sprintf("round %d (%v) %s event %d", round, what, set, i), fast, oracle, ev).Rejected {
					rejected++
				}
			}
		}
	}
	if rejected == 0 {
		t.Fatal("no mutated schema rejected a record: the test exercises nothing")
	}
	t.Logf("%d rejected records compared", rejected)
}

// FuzzFastSchema: a record the per-field checks accept is one the validator finds no
// violation in, whatever the record; and mapping any event gives the same result both ways.
func FuzzFastSchema(f *testing.F) {
	s := officialSchema(f)
	fast, oracle := pair(f, "experience-event", s)
	for i, ev := range schemaEvents(f) {
		if i%7 == 0 {
			f.Add(ev)
			res, _ := fast.Map(ev)
			f.Add(res.Record)
		}
	}
	f.Add([]byte(`{"_id":"a","timestamp":"2026-01-01T00:00:00Z","extra":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sameResult(t, "event", fast, oracle, b)
		rec, err := decodeObject(b)
		if err != nil {
			return
		}
		if s.fast.root.ok(rec) {
			if vs := s.Check(rec); len(vs) > 0 {
				t.Fatalf("accepted by the per-field checks, refused by the validator: %v\n%s", vs, b)
			}
		}
	})
}

// TestQuickChecks: the quick string checks accept only what the validator's formats
// accept, on edge cases of both.
func TestQuickChecks(t *testing.T) {
	for _, tc := range []struct {
		format string
		quick  func(string) bool
		cases  []string
	}{
		{"date-time", quickDateTime, []string{"2026-03-01T00:00:00Z", "2026-03-01T00:00:00.123456789Z", "2026-02-30T00:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01T23:59:60Z", "2026-03-01t00:00:00Z", "2026-03-01T00:00:00.Z", "2026-03-01T00:00:00+00:00", "0000-01-01T00:00:00Z", "2026-3-01T00:00:00Z", "２026-03-01T00:00:00Z", "2026-03-01T00:00:00z"}},
		{"uri-reference", quickURIReference, []string{"", "abc", "a-b_c.d~e", "01KJMA0MSA06J4F1GKKVYCNJEK", "a:b", "a b", `a\b`, "%zz", "http://x/y", "é", "https://ns.adobe.com/xdm/channels/email", "http://[::1]/", "http://a:80/", "a+b.c-d://h.x/~p_q?x=1&y=2"}},
		{"uri", quickURI, []string{"https://example.com/a/b?x=1&y=2", "http://a", "h://", "http://", "1http://a", "http://[::1]/", "http://a:80/", "mailto:a@b.co", "http://a b", "http://a/%zz", "a+b.c-d://h.x/~p_q"}},
		{"email", quickEmail, []string{"a@b.co", "a.b+c_d-e@x-y.example.com", ".a@b.co", "a.@b.co", "a..b@c.co", "@b.co", "a@", "a@-b.co", "a@b-.co", "a@b..co", "a@b.co.", "a@@b.co", `"a"@b.co`, "a@[1.2.3.4]"}},
	} {
		leaf := compileNode(map[string]any{"format": tc.format}, "http://json-schema.org/draft-06/schema#", 0).leaf
		r := rand.New(rand.NewPCG(3, uint64(len(tc.format))))
		const alphabet = "aZ09-._~:/?#[]@!$&'()*+,;=%\\ \"é.-aT:Z+"
		cases := tc.cases
		for range 20000 {
			// mutate a case: replace, insert or drop characters
			b := []byte(cases[r.IntN(len(tc.cases))])
			for range 1 + r.IntN(3) {
				switch i := r.IntN(len(b) + 1); r.IntN(3) {
				case 0:
					if i < len(b) {
						b[i] = alphabet[r.IntN(len(alphabet))]
					}
				case 1:
					b = append(b[:i], append([]byte{alphabet[r.IntN(len(alphabet))]}, b[i:]...)...)
				case 2:
					if i < len(b) {
						b = append(b[:i], b[i+1:]...)
					}
				}
			}
			cases = append(cases, string(b))
		}
		accepted := 0
		for _, c := range cases {
			if tc.quick(c) {
				accepted++
				if leaf.Validate(c) != nil {
					t.Errorf("%s: quick check accepts %q, the validator does not", tc.format, c)
				}
			}
		}
		if accepted < 100 {
			t.Errorf("%s: quick check accepted only %d cases: the test exercises little", tc.format, accepted)
		}
	}
}

// leafPaths are the object keys from the root to each slot of t, by slot.
func leafPaths(t *tree) [][]string {
	out := make([][]string, t.slots)
	var walk func(n int, path []string)
	walk = func(n int, path []string) {
		node := &t.nodes[n]
		if n != rootNode {
			path = append(append([]string(nil), path...), node.key)
		}
		if node.slot >= 0 {
			out[node.slot] = path
			return
		}
		for _, c := range node.children {
			walk(c, path)
		}
	}
	walk(rootNode, nil)
	return out
}

// TestTreeCheckSameAsMaps: the per-field checks compiled against the mapper's record tree
// accept exactly the slot values whose record (as maps) the per-field checks accept, on
// the generated records and on mutations of them (slots emptied, swapped, retyped,
// broken strings), for the official schema and mutated ones.
func TestTreeCheckSameAsMaps(t *testing.T) {
	evs := schemaEvents(t)
	r := rand.New(rand.NewPCG(11, 4))
	broken := []any{"", "not a date", "a b", int64(-1), 1.5, true, map[string]any{}, []any{}, map[string]any{"x": "y"}, []any{"x"}}
	accepted, refused := 0, 0
	for round := range 12 {
		doc := officialSchemaDoc(t)
		if round > 0 {
			for range 1 + r.IntN(3) {
				mutateSchema(r, doc)
			}
		}
		if round%2 == 1 {
			// a key the mapping writes that the (closed) schema no longer defines
			props := doc["properties"].(map[string]any)
			keys := []string{"_tenant", "channel", "eventType", "identityMap"}
			delete(props, keys[r.IntN(len(keys))])
		} else if round > 0 {
			// an object the per-field checks leave to the validator, absent from some records
			props := doc["properties"].(map[string]any)
			keys := []string{"_tenant", "channel", "directMarketing", "identityMap", "pushNotificationTracking", "_experience"}
			if p, ok := props[keys[r.IntN(len(keys))]].(map[string]any); ok {
				p["allOf"] = []any{map[string]any{}}
			}
		}
		b, _ := json.Marshal(doc)
		s, err := LoadSchema(SchemaFile{Name: "mutated", Data: b})
		if err != nil || s.fast == nil {
			continue
		}
		mp := compileDefault(t, "experience-event", Options{Schema: s})
		if mp.tcheck == nil {
			t.Fatal("no tree check compiled")
		}
		paths := leafPaths(&mp.tree)
		var sc checkScratch
		for i, ev := range evs {
			if i%4 != round%4 {
				continue
			}
			res, err := mp.Map(ev)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := decodeObject(res.Record)
			if err != nil {
				t.Fatal(err)
			}
			vals := make([]any, mp.tree.slots)
			for slot, p := range paths {
				var v any = rec
				for _, k := range p {
					m, _ := v.(map[string]any)
					v = m[k]
				}
				vals[slot] = v
			}
			for k := range 8 {
				if k > 0 {
					for range 1 + r.IntN(3) {
						i := r.IntN(len(vals))
						switch r.IntN(3) {
						case 0:
							vals[i] = nil
						case 1:
							vals[i] = vals[r.IntN(len(vals))]
						case 2:
							vals[i] = broken[r.IntN(len(broken))]
						}
					}
				}
				want := s.fast.root.ok(mp.tree.record(vals))
				if got := mp.tcheck.ok(vals, &sc); got != want {
					t.Fatalf("round %d event %d mutation %d: tree check says %v, the checks on maps %v\n%v", round, i, k, got, want, mp.tree.record(vals))
				}
				if want {
					accepted++
				} else {
					refused++
				}
			}
		}
	}
	if accepted < 100 || refused < 100 {
		t.Fatalf("accepted %d, refused %d: the test exercises little", accepted, refused)
	}
	t.Logf("accepted %d, refused %d", accepted, refused)
}

// TestValidateAllocations: mapping with the official schema (as --validate runs) allocates
// at most a few times more per event than mapping without one: the type coercion Data Prep
// does (numbers written as strings) and nothing for a valid record's checks, date-time
// strings already in RFC 3339 or XDM's channel URIs (17 more per event before the checks
// were compiled against the record tree).
func TestValidateAllocations(t *testing.T) {
	evs := benchEventsT(t)
	perEvent := func(mp *Mapper) float64 {
		var buf []byte
		i := 0
		return testing.AllocsPerRun(20*len(evs), func() {
			// a stride through the pairs, so that consecutive records seldom share values
			res, err := mp.AppendMap(buf[:0], evs[i*7%len(evs)])
			if err != nil || res.Rejected {
				t.Fatal(err, res.Reasons)
			}
			buf = res.Record
			i++
		})
	}
	none := perEvent(compileDefault(t, "experience-event", Options{}))
	schema := perEvent(compileDefault(t, "experience-event", Options{Schema: officialSchema(t)}))
	t.Logf("allocations per event: %.1f without a schema, %.1f with the official schema", none, schema)
	if schema > none+4 {
		t.Errorf("mapping with the schema allocates %.1f times per event, without %.1f: validation should add at most 4", schema, none)
	}
}

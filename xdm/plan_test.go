package xdm

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
)

// The compiled plan (plan.go, scan.go) must give what the generic path gives, byte for
// byte, warnings and rejections included: these tests and FuzzPlan run both on the same
// events and compare.

// planSet exercises what the built-in sets do not: indexed and wildcard source
// attributes, object-valued sources, pure rules that give maps or fail, volatile
// functions, and paths below arrays.
const planSet = `{"mappings": [
 {"sourceType": "ATTRIBUTE", "source": "event_id", "destination": "_id"},
 {"sourceType": "ATTRIBUTE", "source": "data.recipients[*].device_id", "destination": "_t.devices"},
 {"sourceType": "ATTRIBUTE", "source": "data.recipients[0].device_platform", "destination": "_t.platform"},
 {"sourceType": "ATTRIBUTE", "source": "data.identifiers", "destination": "_t.ids"},
 {"sourceType": "ATTRIBUTE", "source": "data.identifiers.id", "destination": "_t.ids.again"},
 {"sourceType": "ATTRIBUTE", "source": "data", "destination": "_t.whole"},
 {"sourceType": "EXPRESSION", "source": "to_object(\"ot\", object_type, \"m\", metric)", "destination": "_t.pairmap"},
 {"sourceType": "EXPRESSION", "source": "[object_type, metric]", "destination": "_t.pairarr[*]"},
 {"sourceType": "EXPRESSION", "source": "to_integer(metric)", "destination": "_t.bad"},
 {"sourceType": "EXPRESSION", "source": "concat(object_type, \"/\", metric)", "destination": "_t.pair"},
 {"sourceType": "EXPRESSION", "source": "upper(object_type) + 1", "destination": "_t.num"},
 {"sourceType": "EXPRESSION", "source": "iif(object_type == \"email\", data.recipient, data.recipients[0].device_id)", "destination": "_t.who"},
 {"sourceType": "EXPRESSION", "source": "data.recipients.device_id", "destination": "_t.projected"},
 {"sourceType": "EXPRESSION", "source": "size_of(data.identifiers)", "destination": "_t.n"},
 {"sourceType": "EXPRESSION", "source": "uuid()", "destination": "_t.uuid"},
 {"sourceType": "EXPRESSION", "source": "now()", "destination": "_t.now"},
 {"sourceType": "EXPRESSION", "source": "dformat(timestamp * 1000, \"yyyy-MM-dd'T'HH:mm:ssXXX\")", "destination": "timestamp"},
 {"sourceType": "STATIC", "source": "x", "destination": "_t.static"},
 {"sourceType": "EXPRESSION", "source": "iif(object_type == \"email\", data.x, to_integer(metric))", "destination": "_t.p1"},
 {"sourceType": "EXPRESSION", "source": "iif(object_type != \"email\", to_integer(data.x), \"ne\")", "destination": "_t.p2"},
 {"sourceType": "EXPRESSION", "source": "object_type == \"push\" ? upper(data.recipient) : to_integer(metric)", "destination": "_t.p3"},
 {"sourceType": "EXPRESSION", "source": "object_type == \"email\" && data.x > 1", "destination": "_t.p4"},
 {"sourceType": "EXPRESSION", "source": "metric == \"sent\" || to_integer(data.x) > 0", "destination": "_t.p5"},
 {"sourceType": "EXPRESSION", "source": "coalesce(data.x, metric, \"z\")", "destination": "_t.p6"},
 {"sourceType": "EXPRESSION", "source": "coalesce(object_type, data.x)", "destination": "_t.p7"},
 {"sourceType": "EXPRESSION", "source": "decode(object_type, \"email\", data.recipient, \"push\", to_integer(metric), \"d\")", "destination": "_t.p8"},
 {"sourceType": "EXPRESSION", "source": "upper(metric).trim().equals(data.x)", "destination": "_t.p9"},
 {"sourceType": "EXPRESSION", "source": "data.recipients[to_integer(metric)].device_id", "destination": "_t.p10"},
 {"sourceType": "EXPRESSION", "source": "concat(metric, uuid())", "destination": "_t.p11"},
 {"sourceType": "EXPRESSION", "source": "iif(metric == null, data.x, lower(object_type))", "destination": "_t.p12"},
 {"sourceType": "ATTRIBUTE", "source": "metric", "destination": "identityMap.M[0].id"},
 {"sourceType": "ATTRIBUTE", "source": "data.a.b.c", "destination": "_t.deep"}
]}`

func planPair(t testing.TB, ms MappingSet, opts Options) (plan, generic *Mapper) {
	t.Helper()
	var err error
	if plan, err = Compile(ms, opts); err != nil {
		t.Fatal(err)
	}
	if plan.plan == nil {
		t.Fatal("the set did not compile to a plan")
	}
	if generic, err = Compile(ms, opts); err != nil {
		t.Fatal(err)
	}
	generic.plan = nil
	generic.noFast = true // and the full schema validator and class check
	return plan, generic
}

// planPairs are the sets and options the differential tests run: the built-in sets with
// and without the official schema, and planSet with a fixed clock and seeded uuid().
func planPairs(t testing.TB) [][2]*Mapper {
	t.Helper()
	var out [][2]*Mapper
	add := func(ms MappingSet, opts Options) {
		p, g := planPair(t, ms, opts)
		out = append(out, [2]*Mapper{p, g})
	}
	for _, name := range DefaultNames() {
		ms, err := Default(name, "")
		if err != nil {
			t.Fatal(err)
		}
		add(ms, Options{SourceFields: CustomerIOFields(), Required: DefaultRequired(name), Check: ClassRules{Class: ms.TargetClass()}})
	}
	ms, _ := Default("experience-event", "")
	add(ms, Options{Schema: officialSchema(t), Required: DefaultRequired("experience-event")})
	custom, err := ParseMappingSet([]byte(planSet))
	if err != nil {
		t.Fatal(err)
	}
	add(custom, Stable(Options{Check: ExperienceEventRules{}}, 7))
	// a pure rule's map that another rule writes into: never shared between records
	shared, err := ParseMappingSet([]byte(`{"mappings":[{"sourceType":"EXPRESSION","source":"to_object(\"ot\", object_type)","destination":"_t.m"},{"source":"event_id","destination":"_t.m.id"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	add(shared, Options{})
	// identity maps and class rules the record tree checks without maps (tree.classOK)
	ids, err := ParseMappingSet([]byte(`{"mappings":[
		{"source":"event_id","destination":"_id"},
		{"sourceType":"EXPRESSION","source":"iif(metric == \"nots\", null, dformat(timestamp * 1000, \"yyyy-MM-dd'T'HH:mm:ssXXX\"))","destination":"timestamp"},
		{"source":"data.type","destination":"eventType"},
		{"source":"metric","destination":"identityMap.M[0].id"},
		{"source":"data.flag","destination":"identityMap.M[0].primary"},
		{"source":"data.state","destination":"identityMap.M[0].authenticatedState"},
		{"source":"data.other","destination":"identityMap.N[1].id"},
		{"source":"data.obj","destination":"identityMap.O.x"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	add(ids, Options{Check: ExperienceEventRules{}})
	add(ids, Options{Check: ClassRules{}})
	bare, err := ParseMappingSet([]byte(`{"mappings":[{"source":"metric","destination":"eventType"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	add(bare, Options{Check: ExperienceEventRules{}}) // no _id, no timestamp: both required
	// one destination written by a pair-only rule and by others, in both orders: the
	// record holds the last value written
	dup, err := ParseMappingSet([]byte(`{"mappings":[
		{"source":"metric","destination":"_t.a"},{"source":"data.y","destination":"_t.a"},
		{"source":"data.y","destination":"_t.b"},{"source":"object_type","destination":"_t.b"},
		{"sourceType":"EXPRESSION","source":"to_integer(metric)","destination":"_t.c"},{"source":"metric","destination":"_t.c"},
		{"source":"metric","destination":"_t.d"},{"sourceType":"EXPRESSION","source":"to_integer(data.y)","destination":"_t.d"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	add(dup, Options{})
	// object values copied onto closed schema objects keep only the schema's children
	objs, err := ParseMappingSet([]byte(`{"mappings":[
		{"source":"event_id","destination":"_id"},
		{"source":"data","destination":"_experience.customerJourneyManagement.messageExecution"},
		{"source":"data.identifiers","destination":"_experience.customerJourneyManagement.messageProfile.channel"},
		{"source":"data.recipients","destination":"_experience.customerJourneyManagement.pushChannelContext"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	add(objs, Options{Schema: officialSchema(t)})
	if p := out[len(out)-1][0]; p.rules[1].prune == nil {
		t.Fatal("the object test set has nothing to prune")
	}
	return out
}

func samePlanResult(t testing.TB, plan, generic *Mapper, ev []byte) {
	t.Helper()
	a, errA := plan.AppendMap([]byte("prefix"), ev)
	b, errB := generic.AppendMap([]byte("prefix"), ev)
	if fmt.Sprint(errA) != fmt.Sprint(errB) || !reflect.DeepEqual(a, b) {
		t.Fatalf("compiled plan and generic path disagree\nplan:    %+v (%v)\ngeneric: %+v (%v)\nrecord plan:    %s\nrecord generic: %s\nevent: %q", a, errA, b, errB, a.Record, b.Record, ev)
	}
	// transform's way: the event's own bytes, read in place
	f, errF := plan.AppendMapFrozen([]byte("prefix"), bytes.Clone(ev))
	if fmt.Sprint(errF) != fmt.Sprint(errB) || !reflect.DeepEqual(f, b) {
		t.Fatalf("compiled plan (frozen event) and generic path disagree\nplan:    %+v (%v)\ngeneric: %+v (%v)\nrecord plan:    %s\nrecord generic: %s\nevent: %q", f, errF, b, errB, f.Record, b.Record, ev)
	}
}

// planEvents are generated events of every kind, in three generator modes, and edge cases
// of the scanner.
func planEvents(t testing.TB) [][]byte {
	evs := schemaEvents(t)
	evs = append(evs,
		[]byte(`{"object_type":"email","metric":"sent","object_type":"push"}`),                   // a key read twice
		[]byte(`{"object_type":"email","data":{"recipient":"a@b.co"},"data":{"recipient":"c"}}`), // a parent twice
		[]byte(`{"object_type":"push","data":[{"recipient":"a"}]}`),                              // an array where an object is read
		[]byte(`{"object_type":"push","data":{"recipients":{"0":{"device_id":"x"}}}}`),
		[]byte(`{"object_type":"push","data":{"recipients":[{"device_id":"x"},{"device_id":null},3]}}`),
		[]byte(`{"object_type":"push","data":{"identifiers":[1,2]}}`),
		[]byte(`{"object_type":"push","data":{"identifiers":"str","a":{"b":[{"c":1}]}}}`),
		[]byte(`{"object_type":"push","data":{"a":{"b":{"c":{"d":[1,{"e":null}]}}}}}`),
		[]byte(`{"object_type":"push","data":"scalar","metric":7}`),
		[]byte(`{"object_type":null,"metric":null,"data":null,"event_id":null}`),
		[]byte(`{"object_type":1.5e3,"metric":true}`),
		[]byte(`{"object_t\u0079pe":"email","metr\u0069c":"opened","event_\u0069d":"x\ud83d\ude00","data":{"recipient":"\u00e9@x"}}`),
		[]byte("{\"object_type\":\"em\xffail\",\"metric\":\"o\xc3\"}"),
		[]byte(` {"timestamp": 1772323200, "metric": "sent", "object_type": "email", "unread": [1, -0.5e-3, "x\"\\\/\b\f\n\r\t", {"k": [true, false, null]}]}  `),
		[]byte(`{"timestamp":1e400}`), []byte(`{"timestamp":123456789012345678901234567890}`), []byte(`{"x":1e400}`),
		[]byte(`{"x":123456789012345678901234567890}`), []byte(`{"x":-0}`), []byte(`{"x":01}`), []byte(`{"x":1.}`),
		[]byte(`{"x":"\u12"}`), []byte(`{"x":"\x"}`), []byte("{\"x\":\"a\x01\"}"), []byte(`{"x":tru}`), []byte(`{"x":[1,]}`),
		[]byte(`{"x":{"a":1,}}`), []byte(`{"x":1}x`), []byte(`[]`), []byte(`null`), []byte(``), []byte(`{`), []byte(`{"metric"`),
		[]byte(`{"metric":"sent"`), []byte(`{"data":{"identifiers":{"id":"1"}}`), []byte(`{"a":`+strings.Repeat("[", 1100)+strings.Repeat("]", 1100)+`}`),
		[]byte(`{"data":{"a":`+strings.Repeat(`{"a":`, 1100)+`1`+strings.Repeat("}", 1100)+`}}`),
		[]byte(`{"metric":"sent","object_type":"email","timestamp":"soon"}`),
		[]byte(`{"metric":"sent","object_type":"email","timestamp":-99999999999999}`),
		[]byte(`{"object_type":"email","event_id":"a"}`), []byte(`{"object_type":"email"}`),
		[]byte(`{"event_id":"a b","metric":"m","timestamp":1,"data":{"flag":"yes","state":"loggedOut","other":"o"}}`),
		[]byte(`{"event_id":"ab","metric":"m","timestamp":1,"data":{"flag":true,"state":"nope","type":"t"}}`),
		[]byte(`{"event_id":"ab","metric":"m","timestamp":1,"data":{"flag":false,"state":"authenticated","type":3}}`),
		[]byte(`{"event_id":"ab","metric":"m","timestamp":1,"data":{"flag":null,"obj":{"a":1}}}`),
		[]byte(`{"event_id":"ab","metric":"nots","timestamp":1}`), []byte(`{"metric":"m","timestamp":1}`),
		[]byte(`{"event_id":"a:b","metric":"m","timestamp":1}`), []byte(`{"event_id":"ab","metric":5,"timestamp":1}`),
		[]byte(`{"event_id":"ab","metric":"m","timestamp":1e15}`),
		[]byte(`{"metric":"7","object_type":"email","data":{"y":"8"}}`), []byte(`{"metric":"7","object_type":"email","data":{"y":"x"}}`),
		[]byte(`{"metric":"7","object_type":"email"}`), []byte(`{"metric":"7","object_type":"email","data":{"y":null}}`),
		[]byte(`{"metric":"0","object_type":"push","data":{"x":"3","recipient":"r","recipients":[{"device_id":"d"}]}}`),
		[]byte(`{"metric":"1","object_type":"push","data":{"x":"abc","recipients":[{"device_id":"d"},{"device_id":"e"}]}}`),
		[]byte(`{"metric":"sent","object_type":"sms","data":{"x":"SENT"}}`), []byte(`{"metric":" sent ","object_type":"email","data":{"x":"SENT"}}`),
		[]byte(`{"object_type":"email","data":{"x":2}}`), []byte(`{"metric":"x","data":{"x":"q"}}`),
		[]byte(`{"event_id":"e","data":{"messageExecutionID":"m","campaignID":"c","nope":1,"identifiers":{"_id":"i","_type":"t","x":1},"recipients":{"platform":"ios","other":2}}}`),
		[]byte(`{}`), []byte(` { } `), []byte("{\"data\":{\"identifiers\":{\"id\":\"1\"}}}\n"),
	)
	return evs
}

// TestPlan_sameAsGeneric runs the differential check on generated events of every kind
// and on the scanner's edge cases, for every set of planPairs.
func TestPlan_sameAsGeneric(t *testing.T) {
	evs := planEvents(t)
	g := generator.New(generator.Options{Seed: 11, Start: start})
	pairs := customerio.Pairs()
	for i := range 3000 {
		p := pairs[i%len(pairs)]
		ev, err := g.EventAt(uint64(i), p.ObjectType, p.Metric)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, ev.Bytes())
	}
	for _, p := range planPairs(t) {
		for _, ev := range evs {
			samePlanResult(t, p[0], p[1], ev)
		}
	}
}

// TestPlan_scansOnce: a generated event of every kind takes the plan (the scanner does
// not give up on them), and the pairs' results are kept.
func TestPlan_scansOnce(t *testing.T) {
	mp := compileDefault(t, "experience-event", Options{Check: ExperienceEventRules{}})
	if mp.plan == nil {
		t.Fatal("experience-event did not compile to a plan")
	}
	pure := 0
	for _, p := range mp.plan.pure {
		if p {
			pure++
		}
	}
	if pure < 20 {
		t.Errorf("only %d rules depend on object_type and metric alone; want at least 20", pure)
	}
	for i, ev := range schemaEvents(t) {
		if _, ok := mp.mapPlan(nil, ev, false); !ok {
			t.Fatalf("event %d took the generic path: %s", i, ev)
		}
	}
	if m := mp.plan.pairs.m.Load(); m == nil || len(*m) != len(customerio.Pairs()) {
		t.Errorf("pair cache holds %v entries, want one per pair (%d)", m, len(customerio.Pairs()))
	}
	for _, ev := range [][]byte{
		[]byte(`{"object_type":"email","object_type":"push"}`),
		[]byte(`{"object_type":"push","data":[]}`),
		[]byte(`{"object_type":"push"`),
	} {
		if _, ok := mp.mapPlan(nil, ev, false); ok {
			t.Errorf("%s took the plan; want the generic path", ev)
		}
	}
}

// TestPlan_fallbackSets: sets with constructs the plan does not run compile without one
// and map exactly as before.
func TestPlan_fallbackSets(t *testing.T) {
	for _, src := range []string{
		`{"mappings":[{"sourceType":"EXPRESSION","source":"contains_key(\"data.identifiers.id\")","destination":"_t.has"},{"source":"metric","destination":"_t.m"}]}`,
		`{"mappings":[{"sourceType":"EXPRESSION","source":"is_set(\"metric\")","destination":"_t.has"}]}`,
		`{"mappings":[{"source":"[0].x","destination":"_t.x"}]}`,
	} {
		ms, err := ParseMappingSet([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		mp, err := Compile(ms, Options{})
		if err != nil {
			if strings.Contains(src, "[0].x") {
				continue // not a valid set either way
			}
			t.Fatal(err)
		}
		if mp.plan != nil {
			t.Errorf("%s compiled to a plan; want the generic path", src)
		}
		res, err := mp.Map([]byte(`{"metric":"sent","data":{"identifiers":{"id":"1"}}}`))
		if err != nil || !bytes.Contains(res.Record, []byte(`"has":true`)) {
			t.Errorf("%s: %s, %v", src, res.Record, err)
		}
	}
}

// TestPlan_concurrent: the pair cache fills safely from many goroutines (run with -race).
func TestPlan_concurrent(t *testing.T) {
	mp := compileDefault(t, "experience-event", Options{Check: ExperienceEventRules{}})
	gen := compileDefault(t, "experience-event", Options{Check: ExperienceEventRules{}})
	gen.plan = nil
	evs := schemaEvents(t)
	done := make(chan error)
	for w := 0; w < 4; w++ {
		go func(w int) {
			for i := w; i < len(evs); i += 2 {
				a, _ := mp.Map(evs[i])
				b, _ := gen.Map(evs[i])
				if !bytes.Equal(a.Record, b.Record) {
					done <- fmt.Errorf("event %d: %s != %s", i, a.Record, b.Record)
					return
				}
			}
			done <- nil
		}(w)
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

// FuzzPlan: for any input, the compiled plan and the generic path give the same result
// or the same error, for every set of planPairs.
func FuzzPlan(f *testing.F) {
	pairs := planPairs(f)
	for _, ev := range planEvents(f) {
		f.Add(ev)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range pairs {
			samePlanResult(t, p[0], p[1], b)
		}
	})
}

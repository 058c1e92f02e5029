package xdm

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
)

// TestMapValue_leavesTheEventAsItIs: an event decoded once and mapped many times, under
// several sets, gives what Map gives on the bytes, and the decoded event is left as it was,
// even by a set that writes into an array it took from the event (which once changed the
// event for the mappings after it).
func TestMapValue_leavesTheEventAsItIs(t *testing.T) {
	ms, err := Default("experience-event", "")
	if err != nil {
		t.Fatal(err)
	}
	// Arrays of scalars from the event, then written into by index and by wildcard.
	arrays := ms
	arrays.Mappings = append(append([]Mapping(nil), ms.Mappings...),
		Mapping{SourceType: SourceExpression, Source: `split("a,b,c", ",")`, Destination: "_acme.parts"},
		Mapping{SourceType: SourceAttribute, Source: "data.recipients", Destination: "_acme.recipients"},
		Mapping{SourceType: SourceStatic, Source: "z", Destination: "_acme.recipients[0]"},
		Mapping{SourceType: SourceStatic, Source: "y", Destination: "_acme.parts[1]"},
		Mapping{SourceType: SourceAttribute, Source: "data.recipients", Destination: "_acme.again"},
	)
	var mappers []*Mapper
	for _, s := range []MappingSet{ms, arrays} {
		mp, err := Compile(s, Options{Required: DefaultRequired(ms.Name), Check: ExperienceEventRules{}})
		if err != nil {
			t.Fatal(err)
		}
		mappers = append(mappers, mp)
	}
	g := generator.New(generator.Options{Seed: 3, Start: start})
	withArray := 0
	for _, p := range customerio.Pairs() {
		ev, err := g.Event(p.ObjectType, p.Metric)
		if err != nil {
			t.Fatal(err)
		}
		b := ev.Bytes()
		// An array of scalars in the event, as Customer.io sends for some messages.
		var m map[string]any
		json.Unmarshal(b, &m)
		if data, ok := m["data"].(map[string]any); ok {
			data["recipients"] = []any{"x@example.com", "y@example.com"}
			withArray++
		}
		b, _ = json.Marshal(m)
		src, err := decodeObject(b)
		if err != nil {
			t.Fatal(err)
		}
		fresh, _ := decodeObject(b)
		for round := range 3 {
			for i, mp := range mappers {
				want, err := mp.Map(b)
				if err != nil {
					t.Fatal(err)
				}
				got := mp.MapValue(src)
				if !bytes.Equal(got.Record, want.Record) || !reflect.DeepEqual(got.Reasons, want.Reasons) {
					t.Fatalf("%s.%s set %d round %d: MapValue of the decoded event\n%s\nMap\n%s", p.ObjectType, p.Metric, i, round, got.Record, want.Record)
				}
				if i == 1 && !bytes.Contains(got.Record, []byte(`"again":["x@example.com","y@example.com"]`)) {
					t.Fatalf("%s.%s: a later mapping saw the event's array changed by an earlier one: %s", p.ObjectType, p.Metric, got.Record)
				}
			}
		}
		if !reflect.DeepEqual(src, fresh) {
			t.Fatalf("%s.%s: mapping changed the decoded event", p.ObjectType, p.Metric)
		}
	}
	if withArray == 0 {
		t.Fatal("no event had an array to share")
	}
}

package xdm

import (
	"bytes"
	"testing"
)

func TestStable_VolatileValuesPerEvent(t *testing.T) {
	ms, err := ParseMappingSet([]byte(`{"mappings":[
		{"sourceType":"EXPRESSION","source":"uuid()","destination":"_id"},
		{"sourceType":"EXPRESSION","source":"now()","destination":"at"},
		{"sourceType":"ATTRIBUTE","source":"event_id","destination":"eid"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	compile := func(seed int64) *Mapper {
		mp, err := Compile(ms, Stable(Options{}, seed))
		if err != nil {
			t.Fatal(err)
		}
		return mp
	}
	e1, e2 := []byte(`{"event_id":"e1"}`), []byte(`{"event_id":"e2"}`)
	run := func(mp *Mapper, evs ...[]byte) [][]byte {
		var out [][]byte
		for _, e := range evs {
			r, err := mp.Map(e)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, r.Record)
		}
		return out
	}
	a := run(compile(7), e1, e2)
	b := run(compile(7), e2, e1) // other order, fresh mapper
	if !bytes.Equal(a[0], b[1]) || !bytes.Equal(a[1], b[0]) {
		t.Errorf("a record's values depend on the order:\n%s\n%s", a[0], b[1])
	}
	if bytes.Equal(a[0], a[1]) {
		t.Errorf("two events got the same uuid: %s", a[0])
	}
	if !bytes.Contains(a[0], []byte(`"at":"2026-01-01T00:00:00Z"`)) {
		t.Errorf("now() is not the stable clock: %s", a[0])
	}
	if c := run(compile(8), e1); bytes.Equal(a[0], c[0]) {
		t.Errorf("another seed gave the same uuid: %s", c[0])
	}
}

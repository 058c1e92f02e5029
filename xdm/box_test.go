package xdm

import (
	"fmt"
	"reflect"
	"testing"
)

// TestBoxes: a boxed value is the value any() gives (type, equality, map key, printing),
// and stays so while later values are boxed, across chunks.
func TestBoxes(t *testing.T) {
	var bx boxes
	type kept struct {
		got, want any
	}
	var all []kept
	for i := range 5 * boxChunk {
		s := fmt.Sprintf("value-%d", i)
		n := int64(i*1000 - 70000)
		all = append(all, kept{bx.str(s), any(s)}, kept{bx.int(n), any(n)})
	}
	all = append(all, kept{bx.str(""), any("")}, kept{bx.int(7), any(int64(7))}, kept{bx.int(-1), any(int64(-1))})
	seen := map[any]int{}
	for i, k := range all {
		if k.got != k.want || !reflect.DeepEqual(k.got, k.want) || fmt.Sprint(k.got) != fmt.Sprint(k.want) {
			t.Fatalf("value %d: boxed %#v, want %#v", i, k.got, k.want)
		}
		switch v := k.got.(type) {
		case string:
			if v != k.want.(string) {
				t.Fatalf("value %d: %q", i, v)
			}
		case int64:
			if v != k.want.(int64) {
				t.Fatalf("value %d: %d", i, v)
			}
		default:
			t.Fatalf("value %d has type %T", i, v)
		}
		seen[k.got] = i
	}
	for i, k := range all {
		if seen[k.want] != i {
			t.Fatalf("value %d: map key found as %d", i, seen[k.want])
		}
	}
	if n := testing.AllocsPerRun(100, func() { bx.str("x"); bx.int(1 << 20) }); n > 0.1 {
		t.Errorf("boxing allocates %.2f times per value pair; want one allocation per chunk", n)
	}
}

// TestNewArray1: the one-allocation array is []any{el}, and grows like it.
func TestNewArray1(t *testing.T) {
	v := newArray1("x")
	a, ok := v.([]any)
	if !ok || len(a) != 1 || cap(a) != 1 || a[0] != "x" || !reflect.DeepEqual(v, any([]any{"x"})) {
		t.Fatalf("newArray1 = %#v", v)
	}
	if got := setVal(nil, []segment{{isIdx: true, index: 0}, {key: "id"}}, "1", nil); !reflect.DeepEqual(got, []any{map[string]any{"id": "1"}}) {
		t.Fatalf("setVal = %#v", got)
	}
	b := append(a, "y")
	if a[0] != "x" || len(b) != 2 || b[1] != "y" {
		t.Fatalf("append: %#v, %#v", a, b)
	}
	if n := testing.AllocsPerRun(100, func() { newArray1("x") }); n != 1 {
		t.Errorf("newArray1 allocates %.0f times; want 1", n)
	}
}

// TestRecycler: a record's objects and arrays come back cleared for the next record, and
// only when finish says they are free; the plan then allocates nothing for them.
func TestRecycler(t *testing.T) {
	var rc recycler
	segs := []segment{{isIdx: true, index: 0}, {key: "id"}}
	v := setVal(nil, segs, "1", &rc)
	v = setVal(v, []segment{{isIdx: true, index: 0}, {key: "primary"}}, true, &rc)
	if !reflect.DeepEqual(v, any([]any{map[string]any{"id": "1", "primary": true}})) {
		t.Fatalf("built %#v", v)
	}
	kept := v.([]any)[0].(map[string]any)
	rc.finish(false) // handed out: not reused
	w := setVal(nil, segs, "2", &rc)
	if len(kept) != 2 || kept["id"] != "1" {
		t.Fatalf("a record kept by a checker changed: %#v", kept)
	}
	m := w.([]any)[0].(map[string]any)
	rc.finish(true) // w is no longer valid: its map and array are the next record's
	if len(rc.free) != 1 || len(rc.farr) != 1 || len(m) != 0 {
		t.Fatalf("finish(true) kept %d maps, %d arrays; the old map holds %#v", len(rc.free), len(rc.farr), m)
	}
	if n := testing.AllocsPerRun(100, func() {
		setVal(setVal(nil, segs, "3", &rc), []segment{{isIdx: true, index: 0}, {key: "primary"}}, false, &rc)
		rc.finish(true)
	}); n != 0 {
		t.Errorf("a recycled record allocates %.0f times; want 0", n)
	}
	var none *recycler
	if got := setVal(nil, segs, "4", none); !reflect.DeepEqual(got, any([]any{map[string]any{"id": "4"}})) {
		t.Fatalf("nil recycler built %#v", got)
	}
}

// TestPlan_recyclesIdentityMaps: mapping records through the plan does not allocate the
// identity maps' objects and arrays anew for each record.
func TestPlan_recyclesIdentityMaps(t *testing.T) {
	mp := compileDefault(t, "experience-event", Options{Check: ExperienceEventRules{}})
	gen := compileDefault(t, "experience-event", Options{Check: ExperienceEventRules{}})
	gen.plan = nil
	ev := []byte(`{"data":{"customer_id":"u","email_address":"a@b.co","identifiers":{"cio_id":"c","email":"a@b.co","id":"u"}},"event_id":"01KJKB3RVDQAC44GS141E5041X","metric":"subscribed","object_type":"customer","timestamp":1772323201}`)
	var buf []byte
	plan := testing.AllocsPerRun(200, func() {
		res, _ := mp.AppendMapFrozen(buf[:0], ev)
		buf = res.Record
	})
	generic := testing.AllocsPerRun(200, func() {
		res, _ := gen.AppendMap(buf[:0], ev)
		buf = res.Record
	})
	// 3 at this writing (the timestamp's formatting); building the record's 2 identity
	// maps (two allocations each) and their 2 arrays afresh would add 6
	t.Logf("plan %.0f, generic %.0f allocations per record", plan, generic)
	if raceOn {
		return // the race detector's sync.Pool drops pooled scanner state at random (9 seen)
	}
	if plan > 4 {
		t.Errorf("plan allocates %.0f times per record (generic %.0f); want at most 4", plan, generic)
	}
}

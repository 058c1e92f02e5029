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
	if got := setVal(nil, []segment{{isIdx: true, index: 0}, {key: "id"}}, "1"); !reflect.DeepEqual(got, []any{map[string]any{"id": "1"}}) {
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

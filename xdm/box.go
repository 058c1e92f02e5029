package xdm

import "unsafe"

// boxes puts the strings and integers the plan's scanner decodes into interface values
// without one allocation each. Go boxes a string or an int64 into an `any` by copying it
// to the heap: for the ten or so values an event's scan decodes that was a third of the
// mapper's allocations. boxes keeps them in chunks instead, one allocation per chunk, and
// makes each interface value point at its element.
//
// An element is written once and never again (a full chunk is left to the collector and a
// new one started, never reset), so a value may outlive the record it was decoded for (the
// per-pair cache keeps some) exactly as a heap-boxed one would; the collector keeps a
// chunk alive while any value points into it.
type boxes struct {
	strs []string
	ints []int64
}

// boxChunk is how many values of a kind one allocation holds.
const boxChunk = 64

// eface is the layout of an `any`: its dynamic type, and a pointer to its value for the
// string and int64 types (which are not pointer-shaped).
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

func typeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

var (
	stringType = typeWord("")
	int64Type  = typeWord(int64(0))
)

// box returns the interface value of type typ whose value is at p.
func box(typ, p unsafe.Pointer) (v any) {
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = typ, p
	return v
}

// str returns s as an `any`, as any(s) would.
func (b *boxes) str(s string) any {
	if s == "" {
		return s // no allocation either way
	}
	if len(b.strs) == cap(b.strs) {
		b.strs = make([]string, 0, boxChunk)
	}
	b.strs = append(b.strs, s)
	return box(stringType, unsafe.Pointer(&b.strs[len(b.strs)-1]))
}

// int returns n as an `any`, as any(n) would.
func (b *boxes) int(n int64) any {
	if n >= 0 && n < 256 {
		return n // the runtime boxes small integers without allocating
	}
	if len(b.ints) == cap(b.ints) {
		b.ints = make([]int64, 0, boxChunk)
	}
	b.ints = append(b.ints, n)
	return box(int64Type, unsafe.Pointer(&b.ints[len(b.ints)-1]))
}

var anySliceType = typeWord([]any(nil))

// array1 is a one-element []any with its slice header, in one allocation.
type array1 struct {
	hdr []any
	el  [1]any
}

// newArray1 returns []any{el} as an `any`: one allocation where the slice and boxing it
// would take two. The record's identity maps (identityMap.NS[0].id) are built so.
func newArray1(el any) any {
	p := &array1{el: [1]any{el}}
	p.hdr = p.el[:]
	return box(anySliceType, unsafe.Pointer(&p.hdr))
}

// recycler hands out the objects and one-element arrays that setVal builds inside a
// record (the identity maps' {"id", "primary", "authenticatedState"} elements and their
// arrays: two maps and two arrays in most records) and takes them back once the record is
// written, so the next record reuses them instead of allocating (a map is two allocations
// and a few hundred bytes). Only the plan uses one: its records' values are its own
// (the event's values come from its scan, which is released with the record), and a
// record whose values were handed to a checker as maps keeps them (finish(false)). A nil
// *recycler allocates.
type recycler struct {
	maps []map[string]any // handed out for the current record
	arrs []*array1
	free []map[string]any // cleared, ready for the next record
	farr []*array1
}

// maxRecycled bounds what a recycler keeps of each kind.
const maxRecycled = 64

func (r *recycler) newMap() map[string]any {
	if r == nil {
		return map[string]any{}
	}
	var m map[string]any
	if n := len(r.free); n > 0 {
		m = r.free[n-1]
		r.free = r.free[:n-1]
	} else {
		m = map[string]any{}
	}
	if len(r.maps) < maxRecycled {
		r.maps = append(r.maps, m)
	}
	return m
}

func (r *recycler) newArray1(el any) any {
	if r == nil {
		return newArray1(el)
	}
	var p *array1
	if n := len(r.farr); n > 0 {
		p = r.farr[n-1]
		r.farr = r.farr[:n-1]
	} else {
		p = new(array1)
	}
	if len(r.arrs) < maxRecycled {
		r.arrs = append(r.arrs, p)
	}
	p.el[0] = el
	p.hdr = p.el[:]
	return box(anySliceType, unsafe.Pointer(&p.hdr))
}

// finish ends a record: with reuse its objects and arrays are cleared and kept for the
// next, otherwise they are left to whoever holds them.
func (r *recycler) finish(reuse bool) {
	if r == nil {
		return
	}
	if reuse {
		for _, m := range r.maps {
			clear(m)
		}
		for _, p := range r.arrs {
			*p = array1{}
		}
		r.free = append(r.free, r.maps...)
		r.farr = append(r.farr, r.arrs...)
	}
	clear(r.maps)
	clear(r.arrs)
	r.maps, r.arrs = r.maps[:0], r.arrs[:0]
}

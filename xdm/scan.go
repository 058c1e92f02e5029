package xdm

import (
	"strconv"
	"unsafe"

	"github.com/ciosim/ciosim/internal/jsonstr"
)

// This file holds the compiled plan's scanner: it reads an event once, straight into the
// source paths the mapping set reads, instead of decoding it whole into maps. Members no
// mapping reads are validated and skipped without building values; members a mapping
// reads are decoded by the same decoder as the generic path (json.go), so their values
// are the same. Anything the scanner does not handle exactly as the generic path would
// (a syntax error, a key given twice, an array where the paths want an object) makes it
// give up, and the event takes the generic path: the scanner may refuse more than the
// decoder, never less.

// srcNode is one object key of the plan's source-path trie.
type srcNode struct {
	name string
	// id is the scope path (expr.Scope) whose value this node is, -1 when no program or
	// attribute reads it itself.
	id int
	// want: the value itself is read (by a program, an attribute or the event id), so it
	// is decoded whole; otherwise only its members are (the node is then an object, and
	// anything else reads as absent below it).
	want bool
	kids map[string]int // children by key; nil for none
	// order lists the children for derive, which walks them.
	order []int
}

// scanner is the per-record state of a scan.
type scanner struct {
	d     decoder
	bx    boxes // the decoded values' boxes, kept across records (see boxes)
	nodes []srcNode
	vals  []any    // per node: the value found in this record (nil when absent)
	seen  []uint32 // per node: gen when the node's key was met in this record
	gen   uint32
	set   []int // nodes with a non-nil value in this record, to clear vals afterwards
}

// reset prepares s for event b; frozen says b is never modified once given (see
// [Mapper.AppendMapFrozen]).
func (s *scanner) reset(nodes []srcNode, b []byte, frozen bool) {
	if len(s.vals) != len(nodes) {
		s.vals = make([]any, len(nodes))
		s.seen = make([]uint32, len(nodes))
		s.gen = 0
	}
	for _, n := range s.set {
		s.vals[n] = nil
	}
	s.set = s.set[:0]
	s.nodes = nodes
	s.gen++
	if s.gen == 0 {
		clear(s.seen)
		s.gen = 1
	}
	// Strings without escapes are slices of one copy of the event, as in decodeObject,
	// or of the event itself when it never changes.
	str := ""
	if frozen {
		str = unsafe.String(unsafe.SliceData(b), len(b))
	} else {
		str = string(b)
	}
	s.d = decoder{b: b, s: str, bx: &s.bx}
}

// release drops the record's values so the pool does not keep them alive.
func (s *scanner) release() {
	for _, n := range s.set {
		s.vals[n] = nil
	}
	s.set = s.set[:0]
	s.d = decoder{}
}

// scan reads the whole event; false means the generic path must map it.
func (s *scanner) scan() bool {
	d := &s.d
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return false
	}
	if !s.object(0, 0) {
		return false
	}
	d.space()
	return d.i == len(d.b)
}

// maxScanDepth is stricter than the decoder's maxDepth; deeper events take the generic path.
const maxScanDepth = 1000

// object reads the object at d.i (a '{') whose node is n, at nesting depth depth.
func (s *scanner) object(n, depth int) bool {
	d := &s.d
	if depth > maxScanDepth {
		return false
	}
	d.i++
	d.space()
	if d.i < len(d.b) && d.b[d.i] == '}' {
		d.i++
		return true
	}
	kids := s.nodes[n].kids
	for {
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != '"' {
			return false
		}
		child := -1
		j := jsonstr.SkipPlain(d.b, d.i+1)
		if j < len(d.b) && d.b[j] == '"' {
			if kids != nil {
				if c, ok := kids[d.s[d.i+1:j]]; ok {
					child = c
				}
			}
			d.i = j + 1
		} else {
			k, ok := d.str()
			if !ok {
				return false
			}
			if c, ok := kids[k]; ok {
				child = c
			}
		}
		d.space()
		if d.i >= len(d.b) || d.b[d.i] != ':' {
			return false
		}
		d.i++
		d.space()
		if d.i >= len(d.b) {
			return false
		}
		if child < 0 {
			if !s.skip(depth + 1) {
				return false
			}
		} else if !s.member(child, depth+1) {
			return false
		}
		if done, ok := s.next('}'); done || !ok {
			return ok
		}
	}
}

// member reads the value of node c at d.i.
func (s *scanner) member(c, depth int) bool {
	if s.seen[c] == s.gen {
		return false // a key given twice: the generic path knows which one wins how
	}
	s.seen[c] = s.gen
	d := &s.d
	node := &s.nodes[c]
	if node.want {
		v, ok := d.value(depth)
		if !ok {
			return false
		}
		return s.store(c, v)
	}
	switch d.b[d.i] {
	case '{':
		return s.object(c, depth)
	case '[':
		return false // paths through an array project over it in expressions
	}
	return s.skip(depth) // a scalar: nothing below it
}

// store records v as node c's value and derives its children's values from it.
func (s *scanner) store(c int, v any) bool {
	if v == nil {
		return true
	}
	s.vals[c] = v
	s.set = append(s.set, c)
	if len(s.nodes[c].order) == 0 {
		return true
	}
	switch x := v.(type) {
	case map[string]any:
		for _, k := range s.nodes[c].order {
			if !s.store(k, x[s.nodes[k].name]) {
				return false
			}
		}
	case []any:
		return false
	}
	return true
}

// skip validates the value at d.i without building it, refusing whatever the decoder
// refuses.
func (s *scanner) skip(depth int) bool {
	d := &s.d
	if depth > maxScanDepth {
		return false
	}
	d.space()
	if d.i >= len(d.b) {
		return false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		d.i++
		d.space()
		if d.i < len(d.b) && d.b[d.i] == '}' {
			d.i++
			return true
		}
		for {
			d.space()
			if d.i >= len(d.b) || d.b[d.i] != '"' || !s.skipString() {
				return false
			}
			d.space()
			if d.i >= len(d.b) || d.b[d.i] != ':' {
				return false
			}
			d.i++
			if !s.skip(depth + 1) {
				return false
			}
			if done, ok := s.next('}'); done || !ok {
				return ok
			}
		}
	case c == '[':
		d.i++
		d.space()
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
			return true
		}
		for {
			if !s.skip(depth + 1) {
				return false
			}
			if done, ok := s.next(']'); done || !ok {
				return ok
			}
		}
	case c == '"':
		return s.skipString()
	case c == 't':
		return d.lit("true")
	case c == 'f':
		return d.lit("false")
	case c == 'n':
		return d.lit("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return s.skipNumber()
	}
	return false
}

// next passes over what follows a member or element: ',' (another follows) or closer
// (done). ok is false for anything else or the end of the input.
func (s *scanner) next(closer byte) (done, ok bool) {
	d := &s.d
	d.space()
	if d.i >= len(d.b) {
		return false, false
	}
	switch d.b[d.i] {
	case ',':
		d.i++
		return false, true
	case closer:
		d.i++
		return true, true
	}
	return false, false
}

// skipString passes over the string at d.i (a '"') as the decoder's str would accept it.
func (s *scanner) skipString() bool {
	d := &s.d
	d.i++
	for d.i < len(d.b) {
		if d.i = jsonstr.SkipPlain(d.b, d.i); d.i >= len(d.b) {
			break
		}
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			if d.i+1 >= len(d.b) {
				return false
			}
			switch d.b[d.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.i += 2
			case 'u':
				d.i += 2
				if _, ok := d.hex4(); !ok {
					return false
				}
			default:
				return false
			}
		default:
			d.i++
		}
	}
	return false
}

// skipNumber passes over a number with the decoder's grammar and range.
func (s *scanner) skipNumber() bool {
	d := &s.d
	start := d.i
	isInt, ok := d.numSyntax()
	if !ok {
		return false
	}
	if isInt && d.i-start <= 18 {
		return true // fits an int64
	}
	// out of range for a float64: the decoder refuses it
	_, err := strconv.ParseFloat(d.s[start:d.i], 64)
	return err == nil
}

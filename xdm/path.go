package xdm

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/ciosim/ciosim/xdm/expr"
)

// segment is one step of a path: a key, optionally followed by an index or a wildcard.
type segment struct {
	key   string
	index int  // -1 when absent
	wild  bool // [*]
	isIdx bool // the segment is only an index applied to the previous value
}

// Path is a parsed Data Prep field path such as data.recipients[0].device_id,
// emails[*].name, address.street\.name or ${First Name}.
type Path struct {
	src  string
	segs []segment
}

// String returns the path as written.
func (p Path) String() string { return p.src }

// PathError reports a malformed path.
type PathError struct {
	Path string
	Msg  string
}

func (e *PathError) Error() string { return fmt.Sprintf("bad path %q: %s", e.Path, e.Msg) }

// ParsePath parses a source or destination path.
func ParsePath(s string) (Path, error) {
	p := Path{src: s}
	if strings.TrimSpace(s) == "" {
		return p, &PathError{s, "empty"}
	}
	var key strings.Builder
	i := 0
	flush := func() error {
		if key.Len() == 0 {
			return &PathError{s, fmt.Sprintf("empty name at offset %d", i)}
		}
		p.segs = append(p.segs, segment{key: key.String(), index: -1})
		key.Reset()
		return nil
	}
	expectName := true
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			key.WriteByte(s[i+1])
			i += 2
			expectName = false
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			// ${a.b c}: dots inside are separators too (\. a literal dot); the braces
			// let a name hold spaces, hyphens or a reserved word.
			names, n, msg := expr.SplitBraced(s[i:])
			if msg != "" {
				return p, &PathError{s, msg}
			}
			for k, name := range names {
				if k > 0 {
					if err := flush(); err != nil {
						return p, err
					}
				}
				key.WriteString(name)
			}
			i += n
			expectName = false
		case c == '.':
			if expectName {
				return p, &PathError{s, fmt.Sprintf("empty name at offset %d", i)}
			}
			if key.Len() > 0 {
				if err := flush(); err != nil {
					return p, err
				}
			}
			expectName = true
			i++
		case c == '[':
			if key.Len() > 0 {
				if err := flush(); err != nil {
					return p, err
				}
			} else if len(p.segs) == 0 {
				return p, &PathError{s, "index without a name"}
			}
			end := strings.IndexByte(s[i:], ']')
			if end < 0 {
				return p, &PathError{s, "unterminated ["}
			}
			in := s[i+1 : i+end]
			seg := segment{index: -1, isIdx: true}
			if in == "*" {
				seg.wild = true
			} else {
				n, err := strconv.Atoi(in)
				if err != nil || n < 0 {
					return p, &PathError{s, fmt.Sprintf("index [%s] is not * or a non-negative integer", in)}
				}
				seg.index = n
			}
			p.segs = append(p.segs, seg)
			i += end + 1
			expectName = false
		default:
			key.WriteByte(c)
			i++
			expectName = false
		}
	}
	if expectName {
		return p, &PathError{s, "ends with '.'"}
	}
	if key.Len() > 0 {
		if err := flush(); err != nil {
			return p, err
		}
	}
	return p, nil
}

// shape returns the path with indexes written as "[]" and dots inside names escaped, the
// form used to compare with known source fields.
func (p Path) shape() string {
	var b strings.Builder
	for i, s := range p.segs {
		if s.isIdx {
			b.WriteString("[]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strings.ReplaceAll(s.key, ".", `\.`))
	}
	return b.String()
}

func (p Path) hasWildcard() bool {
	for _, s := range p.segs {
		if s.wild {
			return true
		}
	}
	return false
}

// get reads the path from v. A wildcard returns an array with the rest of the path applied
// to every element.
func get(v any, segs []segment) any {
	for i, s := range segs {
		if v == nil {
			return nil
		}
		if !s.isIdx {
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[s.key]
			continue
		}
		arr, ok := v.([]any)
		if !ok {
			return nil
		}
		if s.wild {
			out := make([]any, len(arr))
			for j, el := range arr {
				out[j] = get(el, segs[i+1:])
			}
			return out
		}
		if s.index >= len(arr) {
			return nil
		}
		v = arr[s.index]
	}
	return v
}

// set writes val at segs inside root, creating objects and arrays on the way. A wildcard
// spreads an array value over the elements (the i-th value goes to index i).
func set(root map[string]any, segs []segment, val any) {
	m := root
	for i, s := range segs {
		if i == len(segs)-1 {
			m[s.key] = val
			return
		}
		if segs[i+1].isIdx {
			m[s.key] = setVal(m[s.key], segs[i+1:], val, nil)
			return
		}
		child, ok := m[s.key].(map[string]any)
		if !ok {
			child = map[string]any{}
			m[s.key] = child
		}
		m = child
	}
}

// setVal returns cur with val written at segs (cur may be nil or of the wrong kind, in
// which case it is replaced). New objects and one-element arrays come from rc when it is
// not nil (see recycler).
func setVal(cur any, segs []segment, val any, rc *recycler) any {
	if len(segs) == 0 {
		return val
	}
	s := segs[0]
	if !s.isIdx {
		m, ok := cur.(map[string]any)
		if !ok {
			m = rc.newMap()
		}
		m[s.key] = setVal(m[s.key], segs[1:], val, rc)
		return m
	}
	arr, _ := cur.([]any) // never the event's own: expr.Normalize copies every array
	if s.wild {
		vals, ok := val.([]any)
		if !ok {
			vals = []any{val}
		}
		for i, v := range vals {
			if v == nil && len(segs) > 1 {
				continue
			}
			for len(arr) <= i {
				arr = append(arr, nil)
			}
			arr[i] = setVal(arr[i], segs[1:], v, rc)
		}
		return arr
	}
	if s.index < len(arr) {
		// cur already holds the array: write in place and give cur back, which saves
		// boxing the slice into a new interface value (an allocation) on every write
		arr[s.index] = setVal(arr[s.index], segs[1:], val, rc)
		return cur
	}
	if s.index == 0 && cap(arr) == 0 {
		return rc.newArray1(setVal(nil, segs[1:], val, rc)) // what the lines below give
	}
	for len(arr) <= s.index {
		arr = append(arr, nil)
	}
	arr[s.index] = setVal(arr[s.index], segs[1:], val, rc)
	return arr
}

package xdm

import (
	"slices"
	"strings"
)

// tree is the compiled shape of a mapping set's record. Every destination is a path of
// object keys known at compile time, up to its first index; the part up to the index is a
// leaf of the tree (a "slot"), and what follows the index is built inside the slot's value
// by setVal, exactly as set does it. A record is then one []any of slot values, and it is
// written by walking the tree in key order, with no map built, filled or sorted. A subtree
// whose slots are all nil is left out, as the map a record used to be built in would never
// have had it.
//
// The tree cannot express a destination that is both a leaf and the parent of another
// destination (a then a.b); such sets fall back to building the record as maps.
type tree struct {
	nodes []treeNode
	slots int
	ok    bool
}

type treeNode struct {
	key      string // object key in the parent; "" for the root
	keyJSON  []byte // key written as a JSON member name, with the ':'
	children []int  // object nodes: child node ids sorted by key (byte order, like the map writer)
	slot     int    // leaves: index into the record's values; -1 for object nodes
	leaves   []int  // object nodes: the slots of every leaf below
}

// rootNode is the record itself.
const rootNode = 0

// destination returns how many leading segments of p are object keys that form its tree
// leaf: all of them for a plain path, those up to the first index otherwise.
func leafDepth(p Path) int {
	for i, s := range p.segs {
		if s.isIdx {
			return i
		}
	}
	return len(p.segs)
}

// buildTree assigns each rule the slot of its destination and returns the tree.
func buildTree(rules []compiled) tree {
	t := tree{nodes: []treeNode{{slot: -1}}, ok: true}
	for i := range rules {
		c := &rules[i]
		n := rootNode
		depth := leafDepth(c.dst)
		for j, s := range c.dst.segs[:depth] {
			leaf := j == depth-1
			child := -1
			for _, id := range t.nodes[n].children {
				if t.nodes[id].key == s.key {
					child = id
					break
				}
			}
			if child < 0 {
				child = len(t.nodes)
				node := treeNode{key: s.key, keyJSON: append(appendString(nil, s.key), ':'), slot: -1}
				if leaf {
					node.slot = t.slots
					t.slots++
				}
				t.nodes = append(t.nodes, node)
				t.nodes[n].children = append(t.nodes[n].children, child)
			}
			if leaf != (t.nodes[child].slot >= 0) {
				t.ok = false // a leaf here is an object there
			}
			n = child
		}
		c.slot = t.nodes[n].slot
		c.rest = c.dst.segs[depth:]
	}
	for i := range t.nodes {
		slices.SortFunc(t.nodes[i].children, func(a, b int) int { return strings.Compare(t.nodes[a].key, t.nodes[b].key) })
	}
	var leaves func(n int) []int
	leaves = func(n int) []int {
		if t.nodes[n].slot >= 0 {
			return []int{t.nodes[n].slot}
		}
		var out []int
		for _, c := range t.nodes[n].children {
			out = append(out, leaves(c)...)
		}
		t.nodes[n].leaves = out
		return out
	}
	leaves(rootNode)
	return t
}

// put stores v (non-nil) for rule c in the record's values (objects and arrays built on
// the way from rc when not nil).
func (t *tree) put(vals []any, c *compiled, v any, rc *recycler) {
	if len(c.rest) == 0 {
		vals[c.slot] = v
		return
	}
	vals[c.slot] = setVal(vals[c.slot], c.rest, v, rc)
}

// appendRecord writes the record as compact JSON with sorted keys; the root is written
// even when empty.
// enc, when not nil, holds per slot the value already written as JSON (nil where not).
func (t *tree) appendRecord(b []byte, vals []any, enc [][]byte) ([]byte, error) {
	b = append(b, '{')
	b, _, err := t.appendMembers(b, rootNode, vals, enc)
	if err != nil {
		return nil, err
	}
	return append(b, '}'), nil
}

// appendMembers writes the non-empty members of object node n, without braces, and
// reports whether it wrote any.
func (t *tree) appendMembers(b []byte, n int, vals []any, enc [][]byte) ([]byte, bool, error) {
	wrote := false
	for _, id := range t.nodes[n].children {
		c := &t.nodes[id]
		if c.slot >= 0 {
			v := vals[c.slot]
			if v == nil {
				continue
			}
			if wrote {
				b = append(b, ',')
			}
			b = append(b, c.keyJSON...)
			wrote = true
			if enc != nil && enc[c.slot] != nil {
				b = append(b, enc[c.slot]...)
				continue
			}
			var err error
			if b, err = appendJSON(b, v); err != nil {
				return nil, false, err
			}
			continue
		}
		// written, then taken back if it has no members: an empty object is left out
		mark := len(b)
		if wrote {
			b = append(b, ',')
		}
		b = append(b, c.keyJSON...)
		b = append(b, '{')
		var err error
		var some bool
		if b, some, err = t.appendMembers(b, id, vals, enc); err != nil {
			return nil, false, err
		}
		if !some {
			b = b[:mark]
			continue
		}
		b = append(b, '}')
		wrote = true
	}
	return b, wrote, nil
}

// value returns node n as the record's maps would hold it: the slot value of a leaf, a
// map of the non-empty members of an object node, nil when empty.
func (t *tree) value(n int, vals []any) any {
	node := &t.nodes[n]
	if node.slot >= 0 {
		return vals[node.slot]
	}
	var m map[string]any
	for _, id := range node.children {
		v := t.value(id, vals)
		if v == nil {
			continue
		}
		if m == nil {
			m = make(map[string]any, len(node.children))
		}
		m[t.nodes[id].key] = v
	}
	if m == nil {
		return nil // an any holding a nil map would not be nil
	}
	return m
}

// record returns the whole record as maps (an empty map when nothing is set).
func (t *tree) record(vals []any) map[string]any {
	m, _ := t.value(rootNode, vals).(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// topLevel returns a map holding only the named top-level members of the record, for
// checkers that read no others.
func (t *tree) topLevel(vals []any, keys []string) map[string]any {
	m := make(map[string]any, len(keys))
	for _, id := range t.nodes[rootNode].children {
		if k := t.nodes[id].key; slices.Contains(keys, k) {
			if v := t.value(id, vals); v != nil {
				m[k] = v
			}
		}
	}
	return m
}

// lookup returns the value at p in the record, as get would find it in the record's maps.
func (t *tree) lookup(vals []any, p Path) any {
	n := rootNode
	for i, s := range p.segs {
		if s.isIdx {
			return nil // indexes only follow a leaf, handled below
		}
		next := -1
		for _, id := range t.nodes[n].children {
			if t.nodes[id].key == s.key {
				next = id
				break
			}
		}
		if next < 0 {
			return nil
		}
		n = next
		if t.nodes[n].slot >= 0 {
			return get(vals[t.nodes[n].slot], p.segs[i+1:])
		}
	}
	return t.value(n, vals)
}

func hasIndex(p Path) bool {
	for _, s := range p.segs {
		if s.isIdx {
			return true
		}
	}
	return false
}

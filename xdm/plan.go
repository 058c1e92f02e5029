package xdm

// plan speeds up writing destinations: every destination without an index is a leaf of a
// tree of object keys known at compile time, so a record keeps one map per tree node and
// writes a value with a single map assignment instead of walking the path from the root.
// Destinations with indexes still go through set, which walks (and adopts) the same maps.
type plan struct {
	nodes []planNode
	ok    bool // false when destinations overlap in a way the tree cannot express
}

type planNode struct {
	parent int
	key    string
	hint   int // number of distinct child keys, to size the map
}

// rootNode is the record itself.
const rootNode = 0

// buildPlan assigns each rule without indexes its parent node and returns the plan.
func buildPlan(rules []compiled) plan {
	p := plan{nodes: []planNode{{parent: -1}}, ok: true}
	ids := map[string]int{"": rootNode}
	leaves := map[string]bool{}
	for i := range rules {
		c := &rules[i]
		c.node = -1
		if hasIndex(c.dst) {
			continue
		}
		parent, prefix := rootNode, ""
		for _, s := range c.dst.segs[:len(c.dst.segs)-1] {
			prefix += "\x00" + s.key
			id, seen := ids[prefix]
			if !seen {
				id = len(p.nodes)
				p.nodes = append(p.nodes, planNode{parent: parent, key: s.key})
				p.nodes[parent].hint++
				ids[prefix] = id
			}
			parent = id
		}
		leaf := prefix + "\x00" + c.dst.segs[len(c.dst.segs)-1].key
		if !leaves[leaf] {
			leaves[leaf] = true
			p.nodes[parent].hint++
		}
		c.node = parent
	}
	// A leaf that is also an interior node, or an indexed destination whose object path is
	// in the tree, would make the cached maps disagree with the record: fall back to set.
	for leaf := range leaves {
		if _, interior := ids[leaf]; interior {
			p.ok = false
		}
	}
	for i := range rules {
		if !hasIndex(rules[i].dst) {
			continue
		}
		prefix := ""
		for _, s := range rules[i].dst.segs {
			if s.isIdx {
				break
			}
			prefix += "\x00" + s.key
		}
		if _, interior := ids[prefix]; interior || leaves[prefix] {
			p.ok = false
		}
	}
	return p
}

func hasIndex(p Path) bool {
	for _, s := range p.segs {
		if s.isIdx {
			return true
		}
	}
	return false
}

// ensure returns the map of node id inside the record, creating it (and its parents) or
// adopting one that set already made.
func (p *plan) ensure(maps []map[string]any, id int) map[string]any {
	if m := maps[id]; m != nil {
		return m
	}
	n := p.nodes[id]
	parent := p.ensure(maps, n.parent)
	if existing, ok := parent[n.key].(map[string]any); ok {
		maps[id] = existing
		return existing
	}
	m := make(map[string]any, n.hint)
	parent[n.key] = m
	maps[id] = m
	return m
}

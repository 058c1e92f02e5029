package expr

import "strconv"

// Scope lets the programs compiled in it share source lookups. Every plain path of names
// (data.identifiers.email) gets one slot in the scope, and an [Env] whose Scope is this
// one looks each path up at most once per record (per [Env.Reset]), however many of the
// programs read it. Results are the same as without a scope.
//
// Compile every program of a scope before evaluating any of them: compiling adds slots,
// evaluation only reads the scope, so it is then safe for concurrent use.
type Scope struct {
	ids map[string]int
}

// NewScope returns an empty scope.
func NewScope() *Scope { return &Scope{ids: map[string]int{}} }

// CompileIn is [Registry.Compile] for a program that shares s's lookups.
func (r *Registry) CompileIn(src string, s *Scope) (*Program, error) {
	return r.compile(src, s)
}

// path returns the node reading name from up (nil: from the root) through the scope.
func (s *Scope) path(up *pathNode, name string) *pathNode {
	key := name
	if up != nil {
		key = strconv.Itoa(up.id) + "\x00" + name
	}
	id, ok := s.ids[key]
	if !ok {
		id = len(s.ids)
		s.ids[key] = id
	}
	return &pathNode{scope: s, id: id, up: up, name: name}
}

// pathNode is a varNode (up == nil) or a fieldNode on another pathNode, remembered per
// record in the Env's memo when the Env shares the node's scope and has been Reset.
type pathNode struct {
	scope *Scope
	id    int
	up    *pathNode
	name  string
}

func (n *pathNode) eval(e *Env) (any, error) { return n.get(e), nil }

func (n *pathNode) get(e *Env) any {
	if e.Scope != n.scope || e.gen == 0 { // gen 0: never Reset, so no record to remember for
		return n.direct(e)
	}
	if n.id < len(e.memoGen) && e.memoGen[n.id] == e.gen {
		return e.memo[n.id]
	}
	var v any
	if n.up == nil {
		v = e.Root[n.name]
	} else {
		m, ok := n.up.get(e).(map[string]any)
		if !ok {
			// not an object: field's answer (nil, or a projection over an array, which
			// is built afresh each time as without a scope)
			return field(n.up.get(e), n.name)
		}
		v = m[n.name]
	}
	e.remember(n.id, v)
	return v
}

// direct is the lookup without the memo, exactly varNode's and fieldNode's.
func (n *pathNode) direct(e *Env) any {
	if n.up == nil {
		return e.Root[n.name]
	}
	return field(n.up.direct(e), n.name)
}

func (e *Env) remember(id int, v any) {
	if id >= len(e.memoGen) {
		n := max(id+1, 2*len(e.memoGen), 16)
		e.memo = append(e.memo, make([]any, n-len(e.memo))...)
		e.memoGen = append(e.memoGen, make([]uint32, n-len(e.memoGen))...)
	}
	e.memo[id] = v
	e.memoGen[id] = e.gen
}

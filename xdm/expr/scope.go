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
	key := "\x00" + name // root names start with NUL, others with their parent's id
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

// Ref is a path of object keys read through a [Scope] with the semantics of a plain
// source attribute: nil as soon as a value on the way is not an object (where an
// expression's a.b over an array would project).
type Ref struct{ n *pathNode }

// Ref returns the path names[0].names[1]... in s. Like compiling, it must happen before
// any evaluation.
func (s *Scope) Ref(names ...string) Ref {
	var n *pathNode
	for _, name := range names {
		n = s.path(n, name)
	}
	return Ref{n}
}

// Get returns the value at the path in e's record (remembered in e like an
// expression's paths when e belongs to the same scope).
func (r Ref) Get(e *Env) any {
	if r.n == nil {
		return e.Root
	}
	return r.n.lookup(e)
}

// lookup is get for attribute paths: a memo entry is only ever stored for an object
// parent, where both agree.
func (n *pathNode) lookup(e *Env) any {
	if e.Scope != n.scope || e.gen == 0 {
		return n.lookupDirect(e)
	}
	if n.id < len(e.memoGen) && e.memoGen[n.id] == e.gen {
		return e.memo[n.id]
	}
	var v any
	if n.up == nil {
		v = e.Root[n.name]
	} else {
		m, ok := n.up.lookup(e).(map[string]any)
		if !ok {
			return nil
		}
		v = m[n.name]
	}
	e.remember(n.id, v)
	return v
}

func (n *pathNode) lookupDirect(e *Env) any {
	if n.up == nil {
		return e.Root[n.name]
	}
	m, ok := n.up.lookupDirect(e).(map[string]any)
	if !ok {
		return nil
	}
	return m[n.name]
}

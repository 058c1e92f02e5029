package expr

// This file lets a caller that has already read a record's values (package xdm's compiled
// plan scans each event once, straight into the paths its programs read) evaluate programs
// without building the record as maps: it lists what a program reads, and presets an
// Env's lookups for a record.

// Facts say what a program reads besides its literals.
type Facts struct {
	// Paths are the ids (see [Scope.Names]) of the scope paths the program evaluates
	// itself; a path read only as the parent of another is not listed.
	Paths []int
	// Volatile is true when the program reads the clock or randomness (now, timestamp,
	// uuid, guid): its value is not a function of the record alone.
	Volatile bool
	// Opaque is true when the program reads the record otherwise than through scope
	// paths (contains_key, is_set, a path compiled without a scope) or holds a node this
	// inspection does not know: only [Env.Reset] with the whole record evaluates it.
	Opaque bool
}

// volatileFuncs read the Env's clock or randomness.
var volatileFuncs = map[string]bool{"now": true, "timestamp": true, "uuid": true, "guid": true}

// rootFuncs read the Env's whole record.
var rootFuncs = map[string]bool{"contains_key": true, "is_set": true}

// Facts inspects p.
func (p *Program) Facts() Facts {
	var f Facts
	seen := map[int]bool{}
	var walk func(n node)
	walks := func(ns []node) {
		for _, n := range ns {
			walk(n)
		}
	}
	walk = func(n node) {
		switch n := n.(type) {
		case *litNode:
		case *pathNode:
			if !seen[n.id] {
				seen[n.id] = true
				f.Paths = append(f.Paths, n.id)
			}
		case *fieldNode:
			walk(n.x)
		case *wildNode:
			walk(n.x)
		case *indexNode:
			walk(n.x)
			walk(n.idx)
		case *arrayNode:
			walks(n.elems)
		case *mapNode:
			walks(n.keys)
			walks(n.vals)
		case *condNode:
			walk(n.c)
			walk(n.a)
			walk(n.b)
		case *unNode:
			walk(n.x)
		case *binNode:
			walk(n.l)
			walk(n.r)
		case *callNode:
			f.Volatile = f.Volatile || volatileFuncs[n.name]
			f.Opaque = f.Opaque || rootFuncs[n.name]
			walks(n.args)
		case *methodNode:
			walk(n.recv)
			walks(n.args)
		case *iifNode:
			walk(n.c)
			walk(n.a)
			walk(n.b)
		case *coalesceNode:
			walks(n.args)
		case *decodeNode:
			walk(n.key)
			walks(n.rest)
		case *andNode:
			walk(n.l)
			walk(n.r)
		case *orNode:
			walk(n.l)
			walk(n.r)
		case *eqLitNode:
			walk(n.x)
		default: // varNode (no scope) and any node added later
			f.Opaque = true
		}
	}
	walk(p.root)
	return f
}

// Len is the number of paths in s; ids run from 0 to Len()-1.
func (s *Scope) Len() int { return len(s.ids) }

// Names returns the object keys of path id, from the record's top level down.
func (s *Scope) Names(id int) []string {
	type link struct {
		up   int // -1 at the top level
		name string
	}
	links := make(map[int]link, len(s.ids))
	for key, i := range s.ids {
		for j := 0; j < len(key); j++ {
			if key[j] != 0 {
				continue
			}
			up := -1
			if j > 0 {
				up = atoi(key[:j])
			}
			links[i] = link{up, key[j+1:]}
			break
		}
	}
	var out []string
	for i := id; i >= 0; {
		l, ok := links[i]
		if !ok {
			return nil
		}
		out = append([]string{l.name}, out...)
		i = l.up
	}
	return out
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// ID is the id of r's path in its scope (see [Scope.Names]); -1 for the whole record.
func (r Ref) ID() int {
	if r.n == nil {
		return -1
	}
	return r.n.id
}

// ResetPreset prepares e for a record given as the values of its scope's paths rather than
// as a map: after it, every path of the scope reads as absent (nil) until [Env.Preset]
// gives it a value. The caller must preset every path a program evaluates whose value is
// not nil, and only where every parent on the way is an object (where reading the path in
// the record's maps gives that value, both for expressions and for [Ref]s).
func (e *Env) ResetPreset() { e.Reset(nil) }

// Preset gives scope path id the value v for the current record.
func (e *Env) Preset(id int, v any) { e.remember(id, v) }

package expr

// Partial evaluation: a program specialised for known values of some of its paths (package
// xdm's plan specialises each mapping for an event's object_type and metric, once per
// pair). The specialised program gives what the program gives, value or error, on every
// record where those paths hold those values; it only does less work: the known paths
// become literals, what then depends on literals alone is computed, and iif, ?:, &&, ||
// and coalesce whose outcome is decided skip what the generic evaluation would skip or
// could not fail on.

// Partial returns p specialised for the scope paths in known (id → value; nil for an
// absent path). Values must be scalars (nil, bool, int64, float64, string). env supplies
// the Cache for computing; nothing of the record in it is read.
func (p *Program) Partial(known map[int]any, env *Env) *Program {
	f := folder{known: known, env: env}
	return &Program{src: p.src, root: f.fold(p.root), paths: p.paths}
}

// Literal reports whether p is a literal, and its value.
func (p *Program) Literal() (any, bool) {
	if l, ok := p.root.(*litNode); ok {
		return l.v, true
	}
	return nil, false
}

type folder struct {
	known map[int]any
	env   *Env
}

func isScalar(v any) bool {
	switch v.(type) {
	case nil, bool, int64, float64, string:
		return true
	}
	return false
}

// lit reports whether n is a literal holding a scalar (a literal array or map is built
// afresh by nothing: it must not be shared, so it is never folded into).
func lit(n node) (any, bool) {
	l, ok := n.(*litNode)
	if !ok || !isScalar(l.v) {
		return nil, false
	}
	return l.v, true
}

// compute evaluates n, whose children are all scalar literals, when that cannot depend
// on anything but them; a failure is left to happen for each record, as before.
func (f *folder) compute(n node, kids ...node) node {
	for _, k := range kids {
		if _, ok := lit(k); !ok {
			return n
		}
	}
	off := f.env.off
	v, err := n.eval(f.env)
	f.env.off = off
	if err != nil || !isScalar(v) {
		return n
	}
	return &litNode{v: v}
}

func (f *folder) folds(ns []node) []node {
	out := make([]node, len(ns))
	for i, n := range ns {
		out[i] = f.fold(n)
	}
	return out
}

func (f *folder) fold(n node) node {
	switch n := n.(type) {
	case *litNode:
		return n
	case *pathNode:
		if v, ok := f.known[n.id]; ok && isScalar(v) {
			return &litNode{v: v}
		}
		return n
	case *fieldNode:
		x := f.fold(n.x)
		return f.compute(&fieldNode{x: x, name: n.name}, x)
	case *indexNode:
		x, idx := f.fold(n.x), f.fold(n.idx)
		return f.compute(&indexNode{x: x, idx: idx}, x, idx)
	case *unNode:
		x := f.fold(n.x)
		return f.compute(&unNode{op: n.op, x: x}, x)
	case *binNode:
		l, r := f.fold(n.l), f.fold(n.r)
		return f.compute(&binNode{op: n.op, l: l, r: r, pos: n.pos}, l, r)
	case *eqLitNode:
		x := f.fold(n.x)
		return f.compute(&eqLitNode{x: x, lit: n.lit, neg: n.neg, litLeft: n.litLeft}, x)
	case *callNode:
		if volatileFuncs[n.name] || rootFuncs[n.name] {
			return n
		}
		args := f.folds(n.args)
		return f.compute(&callNode{name: n.name, f: n.f, args: args}, args...)
	case *methodNode:
		recv, args := f.fold(n.recv), f.folds(n.args)
		return f.compute(&methodNode{name: n.name, recv: recv, args: args, fn: n.fn}, append([]node{recv}, args...)...)
	case *condNode: // lazy: only the chosen branch is evaluated
		c := f.fold(n.c)
		if v, ok := lit(c); ok {
			if truthy(v) {
				return f.fold(n.a)
			}
			return f.fold(n.b)
		}
		return &condNode{c: c, a: f.fold(n.a), b: f.fold(n.b)}
	case *iifNode:
		c, a, b := f.fold(n.c), f.fold(n.a), f.fold(n.b)
		if v, ok := lit(c); ok {
			// the branch not chosen is evaluated by the generic iif unless pure: it may
			// be dropped only when it cannot fail (pure, or now a literal)
			_, aLit := lit(a)
			_, bLit := lit(b)
			if truthy(v) && (n.pureB || bLit) {
				return a
			}
			if !truthy(v) && (n.pureA || aLit) {
				return b
			}
		}
		return &iifNode{c: c, a: a, b: b, pureA: n.pureA, pureB: n.pureB}
	case *andNode:
		l, r := f.fold(n.l), f.fold(n.r)
		if v, ok := lit(l); ok && !truthy(v) {
			return &litNode{v: false}
		}
		return f.compute(&andNode{l: l, r: r}, l, r)
	case *orNode:
		l, r := f.fold(n.l), f.fold(n.r)
		if v, ok := lit(l); ok && truthy(v) {
			return &litNode{v: true}
		}
		return f.compute(&orNode{l: l, r: r}, l, r)
	case *coalesceNode: // every argument is pure: none can fail
		var args []node
		for _, a := range n.args {
			a = f.fold(a)
			if v, ok := lit(a); ok {
				if v == nil {
					continue
				}
				if len(args) == 0 {
					return a
				}
			}
			args = append(args, a)
		}
		if len(args) == 0 {
			return &litNode{v: nil}
		}
		return &coalesceNode{args: args}
	case *decodeNode:
		key, rest := f.fold(n.key), f.folds(n.rest)
		d := &decodeNode{key: key, rest: rest, first: n.first}
		for i, a := range rest {
			if _, ok := a.(*litNode); !ok {
				d.others = append(d.others, i)
			}
		}
		return f.compute(d, append([]node{key}, rest...)...)
	}
	return n // anything else (arrays, maps, wildcards, paths without a scope) as it is
}

package expr

// Specialised forms of the calls a mapping set makes for every record (iif, decode,
// coalesce). They give exactly what the generic call gives: arguments that can fail or
// have effects are still all evaluated, in order, before the result is chosen; only
// literals and plain paths, which can do neither, are skipped or read when needed.

// pure reports whether evaluating n can neither fail nor have an effect (nor read the
// clock or randomness), so evaluating it later, or not at all, changes nothing.
func pure(n node) bool {
	switch n := n.(type) {
	case *litNode, *varNode, *pathNode:
		return true
	case *fieldNode:
		return pure(n.x)
	}
	return false
}

// specialize returns a faster node equivalent to c, or c. Only the default registry's
// functions are specialised.
func specialize(c *callNode) node {
	if c.f != defaultRegistry().funcs[c.name] {
		return c
	}
	switch c.name {
	case "iif":
		if len(c.args) == 3 {
			return &iifNode{c: c.args[0], a: c.args[1], b: c.args[2], pureA: pure(c.args[1]), pureB: pure(c.args[2])}
		}
	case "coalesce":
		for _, a := range c.args {
			if !pure(a) {
				return c
			}
		}
		return &coalesceNode{args: c.args}
	case "decode":
		return newDecodeNode(c)
	}
	return c
}

// iifNode is iif(c, a, b); a branch that is not pure is evaluated even when not chosen,
// as the generic call evaluates every argument.
type iifNode struct {
	c, a, b      node
	pureA, pureB bool
}

func (n *iifNode) eval(e *Env) (any, error) {
	c, err := n.c.eval(e)
	if err != nil {
		return nil, err
	}
	var a, b any
	if !n.pureA {
		if a, err = n.a.eval(e); err != nil {
			return nil, err
		}
	}
	if !n.pureB {
		if b, err = n.b.eval(e); err != nil {
			return nil, err
		}
	}
	if truthy(c) {
		if n.pureA {
			return n.a.eval(e)
		}
		return a, nil
	}
	if n.pureB {
		return n.b.eval(e)
	}
	return b, nil
}

// coalesceNode is coalesce(...) over pure arguments: the first non-null one.
type coalesceNode struct{ args []node }

func (n *coalesceNode) eval(e *Env) (any, error) {
	for _, a := range n.args {
		v, _ := a.eval(e)
		if v != nil {
			return v, nil
		}
	}
	return nil, nil
}

// decodeNode is decode(key, k1, v1, k2, v2, ..., [default]) whose k's are all string
// literals: a string key is looked up in a table (the first equal k wins, as in the
// generic loop); any other key is compared with equal, as the generic call does.
type decodeNode struct {
	key    node
	rest   []node // k1, v1, ..., [default]
	first  map[string]int
	others []int // indexes in rest of the values that are not literals, in order
}

func newDecodeNode(c *callNode) node {
	if len(c.args) < 3 {
		return c
	}
	n := &decodeNode{key: c.args[0], rest: c.args[1:], first: map[string]int{}}
	for i := 0; i+1 < len(n.rest); i += 2 {
		lit, ok := n.rest[i].(*litNode)
		if !ok {
			return c
		}
		s, ok := lit.v.(string)
		if !ok {
			return c
		}
		if _, dup := n.first[s]; !dup {
			n.first[s] = i
		}
	}
	for i, a := range n.rest {
		if _, lit := a.(*litNode); !lit {
			n.others = append(n.others, i)
		}
	}
	return n
}

func (n *decodeNode) eval(e *Env) (any, error) {
	key, err := n.key.eval(e)
	if err != nil {
		return nil, err
	}
	vals := e.args(len(n.others))
	for j, i := range n.others {
		if vals[j], err = n.rest[i].eval(e); err != nil {
			return nil, err
		}
	}
	value := func(i int) any {
		if lit, ok := n.rest[i].(*litNode); ok {
			return lit.v
		}
		for j, k := range n.others {
			if k == i {
				return vals[j]
			}
		}
		return nil
	}
	if s, ok := key.(string); ok {
		if i, ok := n.first[s]; ok {
			return value(i + 1), nil
		}
	} else {
		for i := 0; i+1 < len(n.rest); i += 2 {
			if equal(key, n.rest[i].(*litNode).v) {
				return value(i + 1), nil
			}
		}
	}
	if len(n.rest)%2 == 1 {
		return value(len(n.rest) - 1), nil
	}
	return nil, nil
}

// specializeBin returns a faster node equivalent to n, or n: && and || without the
// operator switch, and == / != against a string or null literal.
func specializeBin(n *binNode) node {
	switch n.op {
	case "&&":
		return &andNode{l: n.l, r: n.r}
	case "||":
		return &orNode{l: n.l, r: n.r}
	case "==", "!=":
		if lit, ok := n.r.(*litNode); ok && isStrOrNull(lit.v) {
			return &eqLitNode{x: n.l, lit: lit.v, neg: n.op == "!="}
		}
		if lit, ok := n.l.(*litNode); ok && isStrOrNull(lit.v) {
			return &eqLitNode{x: n.r, lit: lit.v, neg: n.op == "!=", litLeft: true}
		}
	}
	return n
}

func isStrOrNull(v any) bool {
	switch v.(type) {
	case nil, string:
		return true
	}
	return false
}

type andNode struct{ l, r node }

func (n *andNode) eval(e *Env) (any, error) {
	l, err := n.l.eval(e)
	if err != nil {
		return nil, err
	}
	if !truthy(l) {
		return false, nil
	}
	r, err := n.r.eval(e)
	return truthy(r), err
}

type orNode struct{ l, r node }

func (n *orNode) eval(e *Env) (any, error) {
	l, err := n.l.eval(e)
	if err != nil {
		return nil, err
	}
	if truthy(l) {
		return true, nil
	}
	r, err := n.r.eval(e)
	return truthy(r), err
}

// eqLitNode is x == lit or x != lit (either side) for a string or null literal: a string
// value is compared directly, anything else goes through equal in the written order.
type eqLitNode struct {
	x       node
	lit     any
	neg     bool
	litLeft bool
}

func (n *eqLitNode) eval(e *Env) (any, error) {
	v, err := n.x.eval(e)
	if err != nil {
		return nil, err
	}
	var eq bool
	if s, ok := v.(string); ok {
		ls, isStr := n.lit.(string)
		eq = isStr && s == ls
	} else if n.litLeft {
		eq = equal(n.lit, v)
	} else {
		eq = equal(v, n.lit)
	}
	return eq != n.neg, nil
}

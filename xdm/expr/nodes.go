package expr

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

type node interface {
	eval(*Env) (any, error)
}

type litNode struct{ v any }

func (n *litNode) eval(*Env) (any, error) { return n.v, nil }

type varNode struct{ name string }

func (n *varNode) eval(e *Env) (any, error) { return e.Root[n.name], nil }

type fieldNode struct {
	x    node
	name string
}

func (n *fieldNode) eval(e *Env) (any, error) {
	v, err := n.x.eval(e)
	if err != nil {
		return nil, err
	}
	return field(v, n.name), nil
}

func field(v any, name string) any {
	switch v := v.(type) {
	case map[string]any:
		return v[name]
	case []any: // after a wildcard: project every element
		out := make([]any, 0, len(v))
		for _, el := range v {
			out = append(out, field(el, name))
		}
		return out
	}
	return nil
}

type wildNode struct{ x node }

func (n *wildNode) eval(e *Env) (any, error) {
	v, err := n.x.eval(e)
	if err != nil {
		return nil, err
	}
	if a, ok := v.([]any); ok {
		return a, nil
	}
	return nil, nil
}

type indexNode struct{ x, idx node }

func (n *indexNode) eval(e *Env) (any, error) {
	v, err := n.x.eval(e)
	if err != nil {
		return nil, err
	}
	i, err := n.idx.eval(e)
	if err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case []any:
		k, ok := toInt(i)
		if !ok || k < 0 || k >= int64(len(v)) {
			return nil, nil
		}
		return v[k], nil
	case map[string]any:
		s, _ := i.(string)
		return v[s], nil
	case string:
		k, ok := toInt(i)
		if !ok || k < 0 || k >= int64(len(v)) {
			return nil, nil
		}
		return v[k : k+1], nil
	}
	return nil, nil
}

type arrayNode struct{ elems []node }

func (n *arrayNode) eval(e *Env) (any, error) {
	out := make([]any, len(n.elems))
	for i, el := range n.elems {
		v, err := el.eval(e)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// mapNode is a JEXL map literal; a key is written as a string, a later key wins.
type mapNode struct{ keys, vals []node }

func (n *mapNode) eval(e *Env) (any, error) {
	out := make(map[string]any, len(n.keys))
	for i, kn := range n.keys {
		k, err := kn.eval(e)
		if err != nil {
			return nil, err
		}
		v, err := n.vals[i].eval(e)
		if err != nil {
			return nil, err
		}
		out[toString(k)] = v
	}
	return out, nil
}

type condNode struct{ c, a, b node }

func (n *condNode) eval(e *Env) (any, error) {
	c, err := n.c.eval(e)
	if err != nil {
		return nil, err
	}
	if truthy(c) {
		return n.a.eval(e)
	}
	return n.b.eval(e)
}

type unNode struct {
	op string
	x  node
}

func (n *unNode) eval(e *Env) (any, error) {
	v, err := n.x.eval(e)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "!":
		return !truthy(v), nil
	case "~":
		i, ok := toInt(v)
		if !ok {
			return nil, &EvalError{"~", fmt.Errorf("not an integer: %s", show(v))}
		}
		return ^i, nil
	default: // "-"
		switch v := v.(type) {
		case int64:
			if v == math.MinInt64 {
				return nil, &EvalError{"-", fmt.Errorf("integer overflow: -(%d)", v)}
			}
			return -v, nil
		case nil:
			return nil, nil
		}
		f, ok := toFloat(v)
		if !ok {
			return nil, &EvalError{"-", fmt.Errorf("not a number: %s", show(v))}
		}
		return -f, nil
	}
}

type binNode struct {
	op   string
	l, r node
	pos  int
}

func (n *binNode) eval(e *Env) (any, error) {
	l, err := n.l.eval(e)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "&&":
		if !truthy(l) {
			return false, nil
		}
		r, err := n.r.eval(e)
		return truthy(r), err
	case "||":
		if truthy(l) {
			return true, nil
		}
		r, err := n.r.eval(e)
		return truthy(r), err
	}
	r, err := n.r.eval(e)
	if err != nil {
		return nil, err
	}
	switch n.op {
	case "==":
		return equal(l, r), nil
	case "!=":
		return !equal(l, r), nil
	case "=~", "!~":
		s, ok1 := l.(string)
		pat, ok2 := r.(string)
		if !ok1 || !ok2 {
			return nil, &EvalError{n.op, errors.New("needs a string and a regex string")}
		}
		re, err := e.regex(pat)
		if err != nil {
			return nil, &EvalError{n.op, err}
		}
		// JEXL: "abcdef" =~ "abc.*" is true — the whole string must match.
		m, err := re.matches(s)
		if err != nil {
			return nil, &EvalError{n.op, err}
		}
		return m == (n.op == "=~"), nil
	case "<", ">", "<=", ">=":
		c, err := compare(l, r)
		if err != nil {
			return nil, &EvalError{n.op, err}
		}
		switch n.op {
		case "<":
			return c < 0, nil
		case ">":
			return c > 0, nil
		case "<=":
			return c <= 0, nil
		}
		return c >= 0, nil
	case "+":
		// JEXL: + concatenates when either side is a string.
		_, ls := l.(string)
		_, rs := r.(string)
		if ls || rs {
			return toString(l) + toString(r), nil
		}
	}
	return arith(n.op, l, r)
}

func arith(op string, l, r any) (any, error) {
	if l == nil || r == nil {
		return nil, &EvalError{op, errors.New("operand is null")}
	}
	li, lint := l.(int64)
	ri, rint := r.(int64)
	if lint && rint {
		// Overflow fails the expression (the field is nulled with a warning) instead of
		// wrapping: 9223372036854775807 * 1000 must not become a date in 1969. JEXL
		// would widen to a BigInteger, which no XDM integer field or date function takes.
		switch op {
		case "+":
			r := li + ri
			if (li^r)&(ri^r) < 0 {
				return nil, overflow(op, li, ri)
			}
			return r, nil
		case "-":
			r := li - ri
			if (li^ri)&(li^r) < 0 {
				return nil, overflow(op, li, ri)
			}
			return r, nil
		case "*":
			r := li * ri
			if li != 0 && (r/li != ri || (li == -1 && ri == math.MinInt64) || (ri == -1 && li == math.MinInt64)) {
				return nil, overflow(op, li, ri)
			}
			return r, nil
		case "/", "%":
			if ri == 0 {
				return nil, &EvalError{op, errors.New("division by zero")}
			}
			if op == "/" {
				if li == math.MinInt64 && ri == -1 {
					return nil, overflow(op, li, ri)
				}
				return li / ri, nil
			}
			if ri == -1 {
				return int64(0), nil
			}
			return li % ri, nil
		}
	}
	lf, ok1 := toNumber(l)
	rf, ok2 := toNumber(r)
	if !ok1 || !ok2 {
		return nil, &EvalError{op, fmt.Errorf("cannot apply to %s and %s", show(l), show(r))}
	}
	switch op {
	case "+":
		return lf + rf, nil
	case "-":
		return lf - rf, nil
	case "*":
		return lf * rf, nil
	case "/":
		if rf == 0 {
			return nil, &EvalError{op, errors.New("division by zero")}
		}
		return lf / rf, nil
	case "%":
		if rf == 0 {
			return nil, &EvalError{op, errors.New("division by zero")}
		}
		return math.Mod(lf, rf), nil
	}
	return nil, &EvalError{op, errors.New("unknown operator")}
}

type callNode struct {
	name string
	f    *funcDef
	args []node
}

func (n *callNode) eval(e *Env) (any, error) {
	args := e.args(len(n.args))
	for i, a := range n.args {
		v, err := a.eval(e)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	v, err := n.f.fn(e, args)
	if err != nil {
		var ee *EvalError
		if errors.As(err, &ee) {
			return nil, err
		}
		return nil, &EvalError{n.name, err}
	}
	return v, nil
}

type methodNode struct {
	name string
	recv node
	args []node
	fn   func(recv any, args []any) (any, error)
}

var methods = map[string]struct {
	n  int
	fn func(recv any, args []any) (any, error)
}{
	"equals": {1, func(r any, a []any) (any, error) { return equal(r, a[0]), nil }},
	"equalsIgnoreCase": {1, func(r any, a []any) (any, error) {
		if r == nil || a[0] == nil {
			return r == nil && a[0] == nil, nil
		}
		return strings.EqualFold(toString(r), toString(a[0])), nil
	}},
	"get": {1, func(r any, a []any) (any, error) {
		switch m := r.(type) {
		case map[string]any:
			return m[toString(a[0])], nil
		case []any:
			i, ok := toInt(a[0])
			if ok && i >= 0 && i < int64(len(m)) {
				return m[i], nil
			}
		}
		return nil, nil
	}},
	"length":      {0, func(r any, a []any) (any, error) { return sizeOf(r), nil }},
	"size":        {0, func(r any, a []any) (any, error) { return sizeOf(r), nil }},
	"isEmpty":     {0, func(r any, a []any) (any, error) { return isEmpty(r), nil }},
	"toString":    {0, func(r any, a []any) (any, error) { return toString(r), nil }},
	"toLowerCase": {0, func(r any, a []any) (any, error) { return strings.ToLower(toString(r)), nil }},
	"toUpperCase": {0, func(r any, a []any) (any, error) { return strings.ToUpper(toString(r)), nil }},
	"trim":        {0, func(r any, a []any) (any, error) { return strings.TrimSpace(toString(r)), nil }},
	"contains": {1, func(r any, a []any) (any, error) {
		if arr, ok := r.([]any); ok {
			for _, el := range arr {
				if equal(el, a[0]) {
					return true, nil
				}
			}
			return false, nil
		}
		return strings.Contains(toString(r), toString(a[0])), nil
	}},
	"startsWith": {1, func(r any, a []any) (any, error) { return strings.HasPrefix(toString(r), toString(a[0])), nil }},
	"endsWith":   {1, func(r any, a []any) (any, error) { return strings.HasSuffix(toString(r), toString(a[0])), nil }},
}

func newMethod(name string, recv node, args []node) (node, error) {
	m, ok := methods[name]
	if !ok {
		return nil, fmt.Errorf("unknown method %s()", name)
	}
	if len(args) != m.n {
		return nil, fmt.Errorf("method %s() takes %d argument(s), got %d", name, m.n, len(args))
	}
	return &methodNode{name: name, recv: recv, args: args, fn: m.fn}, nil
}

func (n *methodNode) eval(e *Env) (any, error) {
	r, err := n.recv.eval(e)
	if err != nil {
		return nil, err
	}
	if r == nil && n.name != "equals" && n.name != "equalsIgnoreCase" {
		return nil, &EvalError{n.name, errors.New("called on null")}
	}
	args := make([]any, len(n.args))
	for i, a := range n.args {
		if args[i], err = a.eval(e); err != nil {
			return nil, err
		}
	}
	v, err := n.fn(r, args)
	if err != nil {
		return nil, &EvalError{n.name, err}
	}
	return v, nil
}

func overflow(op string, l, r int64) error {
	return &EvalError{op, fmt.Errorf("integer overflow: %d %s %d is outside the 64-bit range", l, op, r)}
}

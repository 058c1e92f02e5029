package expr

import (
	"fmt"
	"strconv"
	"strings"
)

// MaxLength is the longest calculated field Data Prep accepts (4096 characters).
const MaxLength = 4096

type parser struct {
	src   string
	toks  []token
	i     int
	funcs *Registry
	paths []string // root paths referenced, for compile-time checks
	scope *Scope   // nil: plain varNode/fieldNode
	plain bool     // no specialised calls (tests compare with them)
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

// wordOps maps JEXL's word operators to their symbols.
var wordOps = map[string]string{
	"and": "&&", "or": "||", "not": "!", "eq": "==", "ne": "!=", "lt": "<", "gt": ">",
	"le": "<=", "ge": ">=", "div": "/", "mod": "%",
}

func (p *parser) isOp(t token, ops ...string) (string, bool) {
	text := t.text
	if t.kind == tIdent {
		w, ok := wordOps[text]
		if !ok {
			return "", false
		}
		text = w
	} else if t.kind != tOp {
		return "", false
	}
	for _, o := range ops {
		if o == text {
			return o, true
		}
	}
	return "", false
}

func (p *parser) parseExpr() (node, error) { return p.parseTernary() }

func (p *parser) parseTernary() (node, error) {
	c, err := p.parseBinary(0)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tQuestion {
		return c, nil
	}
	p.next()
	a, err := p.parseTernary()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tColon {
		return nil, p.errAt(t.pos, "expected ':' in conditional, found %s", describe(t))
	}
	p.next()
	b, err := p.parseTernary()
	if err != nil {
		return nil, err
	}
	return &condNode{c, a, b}, nil
}

var levels = [][]string{
	{"||"},
	{"&&"},
	{"==", "!=", "=~", "!~"},
	{"<", ">", "<=", ">="},
	{"+", "-"},
	{"*", "/", "%"},
}

func (p *parser) parseBinary(level int) (node, error) {
	if level == len(levels) {
		return p.parseUnary()
	}
	left, err := p.parseBinary(level + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		op, ok := p.isOp(t, levels[level]...)
		if !ok {
			return left, nil
		}
		p.next()
		right, err := p.parseBinary(level + 1)
		if err != nil {
			return nil, err
		}
		left = &binNode{op: op, l: left, r: right, pos: t.pos}
		if !p.plain {
			left = specializeBin(left.(*binNode))
		}
	}
}

func (p *parser) parseUnary() (node, error) {
	t := p.peek()
	if op, ok := p.isOp(t, "!", "-", "~", "+"); ok {
		p.next()
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if op == "+" {
			return x, nil
		}
		if l, ok := x.(*litNode); ok && op == "-" {
			switch v := l.v.(type) {
			case int64:
				return &litNode{-v}, nil
			case float64:
				return &litNode{-v}, nil
			}
		}
		return &unNode{op: op, x: x}, nil
	}
	return p.parsePostfix()
}

func (p *parser) parsePostfix() (node, error) {
	x, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	record := func() {
		if s, ok := pathOf(x); ok {
			p.paths = append(p.paths, s)
		}
	}
	for {
		t := p.peek()
		switch t.kind {
		case tDot:
			p.next()
			nt := p.next()
			if nt.kind != tIdent {
				return nil, p.errAt(nt.pos, "expected a field or method name after '.', found %s", describe(nt))
			}
			if p.peek().kind == tLParen && !nt.quoted {
				record()
				p.next()
				args, err := p.parseArgs()
				if err != nil {
					return nil, err
				}
				m, err := newMethod(nt.text, x, args)
				if err != nil {
					return nil, p.errAt(nt.pos, "%v", err)
				}
				x = m
				continue
			}
			if up, ok := x.(*pathNode); ok && p.scope != nil {
				x = p.scope.path(up, nt.text)
				continue
			}
			x = &fieldNode{x: x, name: nt.text}
		case tLBrack:
			p.next()
			if s := p.peek(); s.kind == tOp && s.text == "*" {
				p.next()
				if e := p.next(); e.kind != tRBrack {
					return nil, p.errAt(e.pos, "expected ']' after '*', found %s", describe(e))
				}
				x = &wildNode{x: x}
				continue
			}
			idx, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if e := p.next(); e.kind != tRBrack {
				return nil, p.errAt(e.pos, "expected ']', found %s", describe(e))
			}
			x = &indexNode{x: x, idx: idx}
		default:
			record()
			return x, nil
		}
	}
}

func pathOf(n node) (string, bool) {
	switch n := n.(type) {
	case *varNode:
		return escapeSeg(n.name), true
	case *pathNode:
		if n.up == nil {
			return escapeSeg(n.name), true
		}
		s, ok := pathOf(n.up)
		return s + "." + escapeSeg(n.name), ok
	case *fieldNode:
		s, ok := pathOf(n.x)
		return s + "." + escapeSeg(n.name), ok
	case *indexNode:
		s, ok := pathOf(n.x)
		return s + "[]", ok
	case *wildNode:
		s, ok := pathOf(n.x)
		return s + "[]", ok
	}
	return "", false
}

func escapeSeg(s string) string { return strings.ReplaceAll(s, ".", `\.`) }

func (p *parser) parseArgs() ([]node, error) {
	var args []node
	if p.peek().kind == tRParen {
		p.next()
		return args, nil
	}
	for {
		a, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		t := p.next()
		switch t.kind {
		case tComma:
			continue
		case tRParen:
			return args, nil
		default:
			return nil, p.errAt(t.pos, "expected ',' or ')' in argument list, found %s", describe(t))
		}
	}
}

func (p *parser) parsePrimary() (node, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return &litNode{t.text}, nil
	case tNumber:
		if !strings.ContainsAny(t.text, ".eE") {
			if n, err := strconv.ParseInt(t.text, 10, 64); err == nil {
				return &litNode{n}, nil
			}
		}
		f, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, p.errAt(t.pos, "bad number %q", t.text)
		}
		return &litNode{f}, nil
	case tLParen:
		x, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		if e := p.next(); e.kind != tRParen {
			return nil, p.errAt(e.pos, "expected ')', found %s", describe(e))
		}
		return x, nil
	case tLBrace:
		// JEXL map literal {"a": 1, "b": x}; {} and {:} are empty maps
		var keys, vals []node
		if p.peek().kind == tColon {
			p.next()
			if e := p.next(); e.kind != tRBrace {
				return nil, p.errAt(e.pos, "expected '}' after '{:', found %s", describe(e))
			}
			return &mapNode{}, nil
		}
		if p.peek().kind == tRBrace {
			p.next()
			return &mapNode{}, nil
		}
		for {
			k, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if c := p.next(); c.kind != tColon {
				return nil, p.errAt(c.pos, "expected ':' after a map key, found %s", describe(c))
			}
			v, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			keys, vals = append(keys, k), append(vals, v)
			n := p.next()
			if n.kind == tRBrace {
				return &mapNode{keys: keys, vals: vals}, nil
			}
			if n.kind != tComma {
				return nil, p.errAt(n.pos, "expected ',' or '}' in map, found %s", describe(n))
			}
		}
	case tLBrack:
		// array literal [a, b]
		var elems []node
		if p.peek().kind == tRBrack {
			p.next()
			return &arrayNode{elems}, nil
		}
		for {
			e, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			elems = append(elems, e)
			n := p.next()
			if n.kind == tRBrack {
				return &arrayNode{elems}, nil
			}
			if n.kind != tComma {
				return nil, p.errAt(n.pos, "expected ',' or ']' in array, found %s", describe(n))
			}
		}
	case tIdent:
		if t.quoted {
			if p.scope != nil {
				return p.scope.path(nil, t.text), nil
			}
			return &varNode{name: t.text}, nil
		}
		switch t.text {
		case "true":
			return &litNode{true}, nil
		case "false":
			return &litNode{false}, nil
		case "null":
			return &litNode{nil}, nil
		}
		if p.peek().kind == tLParen {
			p.next()
			args, err := p.parseArgs()
			if err != nil {
				return nil, err
			}
			f, err := p.funcs.lookup(t.text, len(args))
			if err != nil {
				return nil, p.wrapAt(t.pos, err)
			}
			c := &callNode{name: t.text, f: f, args: args}
			if (t.text == "contains_key" || t.text == "is_set") && len(args) == 1 {
				// contains_key(data.x) with a bare path checks that path, as contains_key("data.x")
				if s, ok := pathOf(args[0]); ok && !strings.Contains(s, "[]") {
					args[0] = &litNode{s}
				}
			}
			if p.plain {
				return c, nil
			}
			return specialize(c), nil
		}
		if _, ok := wordOps[t.text]; ok {
			return nil, p.errAt(t.pos, "unexpected operator %q", t.text)
		}
		if p.scope != nil {
			return p.scope.path(nil, t.text), nil
		}
		return &varNode{name: t.text}, nil
	case tEOF:
		return nil, p.errAt(t.pos, "unexpected end of expression")
	}
	return nil, p.errAt(t.pos, "unexpected %s", describe(t))
}

func describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tString:
		return fmt.Sprintf("string %q", t.text)
	}
	return fmt.Sprintf("%q", t.text)
}

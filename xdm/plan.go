package xdm

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ciosim/ciosim/xdm/expr"
)

// plan is a mapping set compiled for events given as bytes. Where the generic path
// decodes each event into maps and lets every mapping look its paths up in them, the plan
//
//   - scans the event once, straight into the source paths the set reads (scan.go), and
//     hands their values to the expressions as their scope's lookups (expr.Env.Preset);
//   - evaluates the mappings whose value depends only on object_type and metric (most
//     of the built-in sets' calculated fields) once per pair of values, not per event;
//   - leaves the rest of the work (coercion, the record tree, checks, writing) to the
//     same code as the generic path.
//
// The generic path stays the definition: the plan's output is byte for byte the generic
// path's (FuzzPlan), and a set the plan cannot run (an indexed source attribute, a
// function that reads the whole record) or an event it does not scan (see scan.go) goes
// the generic way.
type plan struct {
	nodes   []srcNode
	eventID int // node of the top-level event_id when RandFor needs it, else -1
	ot, mt  int // nodes of object_type and metric, -1 when no mapping reads them
	// otID and mtID are their scope paths (-1 likewise)
	otID, mtID int
	// attr[i] is the node of rule i's source path up to its first index, for an indexed
	// source attribute (read with get from there); -1 for any other rule.
	attr []int
	// pure[i] is true when rule i's value depends on object_type and metric only.
	pure  []bool
	anyPu bool
	pairs pairCache
}

// maxPairs bounds the per-pair cache; pairs beyond it are evaluated for each event.
const maxPairs = 4096

// pairKey is an event's (object_type, metric), each a string or absent.
type pairKey struct {
	ot, mt     string
	otOK, mtOK bool
}

// pairResult is what the pure rules give for one pair, one entry per rule (together, so
// that mapping a record reads one entry per rule, not six arrays).
type pairResult []pairRule

type pairRule struct {
	has  bool   // the rule's result is here (false: evaluate it per event)
	set  bool   // the rule gives a value (false: the field stays unset)
	val  any    // the value to store
	enc  []byte // the value as JSON, as the record writer writes it (nil: write val)
	warn string // the warning instead of a value, "" when none
	// prog is the calculated field specialised for the pair (nil: the rule's own)
	prog *expr.Program
}

// pairCache maps pairs to results; reads take no lock (copy on write).
type pairCache struct {
	m  atomic.Pointer[map[pairKey]pairResult]
	mu sync.Mutex
}

func (c *pairCache) get(k pairKey) pairResult {
	if m := c.m.Load(); m != nil {
		return (*m)[k]
	}
	return nil
}

func (c *pairCache) put(k pairKey, r pairResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	n := 0
	if old != nil {
		n = len(*old)
	}
	if n >= maxPairs {
		return
	}
	m := make(map[pairKey]pairResult, n+1)
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	k.ot, k.mt = clone(k.ot), clone(k.mt) // not a slice of the event's bytes
	m[k] = r
	c.m.Store(&m)
}

func clone(s string) string { return string(append([]byte(nil), s...)) }

// compilePlan returns the plan for mp's rules, or nil when a rule needs the generic path.
func compilePlan(mp *Mapper) *plan {
	p := &plan{nodes: []srcNode{{id: -1}}, eventID: -1, ot: -1, mt: -1, otID: -1, mtID: -1, pure: make([]bool, len(mp.rules)), attr: make([]int, len(mp.rules))}
	add := func(names []string, id int) int {
		n := 0
		for _, name := range names {
			c, ok := p.nodes[n].kids[name]
			if !ok {
				c = len(p.nodes)
				p.nodes = append(p.nodes, srcNode{name: name, id: -1})
				if p.nodes[n].kids == nil {
					p.nodes[n].kids = map[string]int{}
				}
				p.nodes[n].kids[name] = c
				p.nodes[n].order = append(p.nodes[n].order, c)
			}
			n = c
		}
		p.nodes[n].want = true
		if id >= 0 {
			p.nodes[n].id = id
		}
		return n
	}
	otID, mtID := -1, -1
	for i := range mp.rules {
		c := &mp.rules[i]
		p.attr[i] = -1
		switch c.m.SourceType {
		case SourceAttribute:
			if !c.hasRef {
				// an index in the source path: the value up to it, then get from there
				depth := leafDepth(c.src)
				if depth == 0 {
					return nil
				}
				names := make([]string, depth)
				for j, sg := range c.src.segs[:depth] {
					names[j] = sg.key
				}
				p.attr[i] = add(names, -1)
				continue
			}
			id := c.ref.ID()
			if id < 0 {
				return nil
			}
			add(mp.scope.Names(id), id)
		case SourceExpression:
			f := c.prog.Facts()
			if f.Opaque {
				return nil
			}
			for _, id := range f.Paths {
				add(mp.scope.Names(id), id)
			}
		}
	}
	for n, node := range p.nodes {
		if node.id < 0 {
			continue
		}
		if names := mp.scope.Names(node.id); len(names) == 1 {
			switch names[0] {
			case "object_type":
				p.ot, otID = n, node.id
			case "metric":
				p.mt, mtID = n, node.id
			}
			p.otID, p.mtID = otID, mtID
		}
	}
	if mp.opts.RandFor != nil {
		p.eventID = add([]string{"event_id"}, -1) // keeps the id an attribute may have given it
	}
	pairOnly := func(id int) bool { return id == otID && id >= 0 || id == mtID && id >= 0 }
	for i := range mp.rules {
		c := &mp.rules[i]
		switch c.m.SourceType {
		case SourceStatic:
			p.pure[i] = true
		case SourceAttribute:
			p.pure[i] = c.hasRef && pairOnly(c.ref.ID())
		case SourceExpression:
			f := c.prog.Facts()
			p.pure[i] = !f.Volatile && !slices.ContainsFunc(f.Paths, func(id int) bool { return !pairOnly(id) })
		}
		p.anyPu = p.anyPu || p.pure[i]
	}
	// the other rules are specialised per pair when something reads the pair
	p.anyPu = p.anyPu || p.ot >= 0 || p.mt >= 0
	return p
}

// mapPlan maps event through the plan; ok is false when the event must take the generic
// path (the scanner gave up), with nothing written.
func (mp *Mapper) mapPlan(dst, event []byte, frozen bool) (res Result, ok bool) {
	p := mp.plan
	st := mp.state()
	defer mp.envs.Put(st)
	sc := &st.scan
	sc.reset(p.nodes, event, frozen)
	defer sc.release()
	if !sc.scan() {
		return Result{}, false
	}
	env := &st.env
	env.ResetPreset()
	for _, n := range sc.set {
		if id := p.nodes[n].id; id >= 0 {
			env.Preset(id, sc.vals[n])
		}
	}
	if mp.opts.RandFor != nil {
		id, _ := sc.vals[p.eventID].(string)
		env.Rand = mp.opts.RandFor(id)
	}
	var pr pairResult
	if p.anyPu {
		pr = mp.pairResult(st, &res)
	}
	return mp.mapRules(dst, st, res, pr, sc), true
}

// pairResult returns the pure rules' results for the record in st's env (computing and
// keeping them the first time its pair is seen), or nil when its object_type or metric is
// neither a string nor absent.
func (mp *Mapper) pairResult(st *recordState, res *Result) pairResult {
	p := mp.plan
	var k pairKey
	var v any
	if p.ot >= 0 {
		v = st.scan.vals[p.ot]
	}
	switch x := v.(type) {
	case string:
		k.ot, k.otOK = x, true
	case nil:
	default:
		return nil
	}
	v = nil
	if p.mt >= 0 {
		v = st.scan.vals[p.mt]
	}
	switch x := v.(type) {
	case string:
		k.mt, k.mtOK = x, true
	case nil:
	default:
		return nil
	}
	if r := p.pairs.get(k); r != nil {
		return r
	}
	n := len(mp.rules)
	r := make(pairResult, n)
	for i := range mp.rules {
		if !p.pure[i] {
			continue
		}
		v, set, warn := mp.ruleValue(i, &st.env, &st.scan, nil)
		if !scalar(v) {
			continue // a map or array: built afresh for each record, as it may be written into
		}
		r[i].has, r[i].set, r[i].val, r[i].warn = true, set, v, warn
		if set && v != nil {
			if b, err := appendJSON(nil, v); err == nil {
				r[i].enc = b
			}
		}
	}
	// The other calculated fields, specialised for the pair: those that become a literal
	// are kept like the pure ones, the others are evaluated for each record in their
	// specialised form.
	known := map[int]any{}
	if p.otID >= 0 {
		known[p.otID] = st.scan.vals[p.ot]
	}
	if p.mtID >= 0 {
		known[p.mtID] = st.scan.vals[p.mt]
	}
	for i := range mp.rules {
		c := &mp.rules[i]
		if p.pure[i] || c.m.SourceType != SourceExpression {
			continue
		}
		spec := c.prog.Partial(known, &st.env)
		if _, ok := spec.Literal(); !ok {
			r[i].prog = spec
			continue
		}
		v, set, warn := mp.ruleValue(i, &st.env, &st.scan, spec)
		if !scalar(v) {
			continue
		}
		r[i].has, r[i].set, r[i].val, r[i].warn = true, set, v, warn
		if set && v != nil {
			if b, err := appendJSON(nil, v); err == nil {
				r[i].enc = b
			}
		}
	}
	p.pairs.put(k, r)
	return r
}

func scalar(v any) bool {
	switch v.(type) {
	case nil, string, bool, int64, float64, int:
		return true
	}
	return false
}

// ruleValue is rule c's value for the record in env, coerced to its field's type, or the
// warning that nulls the field; set is false when the field is left unset. sc is the
// plan's scan of the record, nil on the generic path.
// prog, when set, replaces the rule's program (its specialisation for the record's pair).
func (mp *Mapper) ruleValue(i int, env *expr.Env, sc *scanner, prog *expr.Program) (v any, set bool, warn string) {
	c := &mp.rules[i]
	switch c.m.SourceType {
	case SourceAttribute:
		switch {
		case c.hasRef:
			v = c.ref.Get(env) // shares lookups with the expressions
		case sc != nil:
			v = get(sc.vals[mp.plan.attr[i]], c.src.segs[leafDepth(c.src):])
		default:
			v = get(env.Root, c.src.segs)
		}
	case SourceStatic:
		v = c.m.Source
	case SourceExpression:
		if prog == nil {
			prog = c.prog
		}
		var err error
		v, err = prog.Eval(env)
		if err != nil {
			return nil, false, fmt.Sprintf("mapping %d → %s: %v; field set to null", c.index, c.m.Destination, err)
		}
	}
	if v == nil {
		return nil, false, ""
	}
	if c.typ != "" {
		cv, err := coerceAll(v, c.typ, c.fmt, c.dst.hasWildcard())
		if err != nil {
			return nil, false, fmt.Sprintf("mapping %d → %s: %v; field set to null", c.index, c.m.Destination, err)
		}
		v = cv
	}
	if c.prune != nil {
		// Data Prep copies an object's same-named children that exist in the target
		// schema (reference §3.2, S17); others are not copied.
		if arr, ok := v.([]any); ok && c.dst.hasWildcard() && c.typ != "array" {
			pruned := make([]any, len(arr))
			for i, el := range arr {
				pruned[i] = c.prune.prune(el)
			}
			v = pruned
		} else {
			v = c.prune.prune(v)
		}
	}
	return expr.Normalize(v), true, ""
}

// state returns a record state from the pool.
func (mp *Mapper) state() *recordState {
	st, _ := mp.envs.Get().(*recordState)
	if st == nil {
		st = &recordState{env: expr.Env{Now: mp.opts.Now, Rand: mp.opts.Rand, Cache: mp.cache, Scope: mp.scope}, vals: make([]any, mp.tree.slots), recCap: 1024}
		if mp.plan != nil && mp.plan.anyPu && mp.tree.ok {
			st.enc = make([][]byte, mp.tree.slots)
		}
	}
	return st
}

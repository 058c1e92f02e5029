package xdm

import (
	"encoding/json"
	"math"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// fastSchema is a schema compiled into per-field checks that run on the mapper's record
// tree, with no maps built and no general validator run. It only ever accepts: when it
// cannot tell that a record is valid (a violation, or a keyword it does not check), the
// record goes through [Schema.Check], which finds and words the violations. So --validate
// reports exactly what the jsonschema-based path reports, and a valid record (the common
// case) costs a walk of its fields.
//
// It checks type, properties, additionalProperties, required and items itself; the
// keywords on scalar values (format, enum, pattern, lengths, bounds) run as small
// schemas of their own on the same validator library, so a format means the same thing
// on both paths. Any other validation keyword ($ref, allOf, anyOf, oneOf, not, if,
// patternProperties, ...) makes its node "unsure".
type fastSchema struct{ root *fnode }

type fnode struct {
	unsure   bool
	types    uint8 // allowed typeBits; 0 = any
	props    map[string]*fnode
	closed   bool   // additionalProperties: false
	addl     *fnode // additionalProperties schema; nil with !closed = any
	required []string
	items    *fnode             // nil = any
	leaf     *jsonschema.Schema // the scalar keywords of this node, nil when none
	// quick, when set, accepts some strings the leaf schema certainly accepts (a format
	// or string enum alone), so they skip the leaf; what it does not accept goes to leaf
	quick func(string) bool
}

const (
	tNull uint8 = 1 << iota
	tBool
	tNumber
	tInteger
	tString
	tArray
	tObject
)

// structural keywords the fast check handles; scalar keywords it hands to a leaf schema;
// validation keywords it does not check. Anything else (titles, meta:*, ...) is an
// annotation the validator ignores too.
var (
	scalarKeywords = []string{"format", "enum", "const", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
	unsureKeywords = []string{"$ref", "allOf", "anyOf", "oneOf", "not", "if", "then", "else", "dependencies", "dependentRequired", "dependentSchemas", "patternProperties", "propertyNames", "contains", "minItems", "maxItems", "uniqueItems", "minProperties", "maxProperties", "additionalItems", "unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$recursiveRef", "prefixItems", "minContains", "maxContains", "contentEncoding", "contentMediaType", "contentSchema"}
)

// compileFast compiles the main document of a loaded schema (after closeObjects); nil
// when its draft is one the fast check does not know.
func compileFast(root any) *fastSchema {
	m, ok := root.(map[string]any)
	if !ok {
		return nil
	}
	draft, _ := m["$schema"].(string)
	switch draft {
	case "", "http://json-schema.org/draft-06/schema#", "http://json-schema.org/draft-06/schema",
		"http://json-schema.org/draft-07/schema#", "http://json-schema.org/draft-07/schema":
	default:
		return nil
	}
	if draft == "" {
		draft = "http://json-schema.org/draft-06/schema#"
	}
	return &fastSchema{root: compileNode(root, draft, 0)}
}

func compileNode(n any, draft string, depth int) *fnode {
	if b, ok := n.(bool); ok {
		if b {
			return nil
		}
		return &fnode{unsure: true}
	}
	m, ok := n.(map[string]any)
	if !ok || depth > 64 {
		return &fnode{unsure: true}
	}
	f := &fnode{}
	for _, k := range unsureKeywords {
		if _, ok := m[k]; ok {
			return &fnode{unsure: true}
		}
	}
	switch t := m["type"].(type) {
	case nil:
	case string:
		if f.types = typeBit(t); f.types == 0 {
			return &fnode{unsure: true}
		}
	case []any:
		for _, x := range t {
			s, _ := x.(string)
			b := typeBit(s)
			if b == 0 {
				return &fnode{unsure: true}
			}
			f.types |= b
		}
	default:
		return &fnode{unsure: true}
	}
	if p, ok := m["properties"]; ok {
		pm, ok := p.(map[string]any)
		if !ok {
			return &fnode{unsure: true}
		}
		f.props = make(map[string]*fnode, len(pm))
		for k, sub := range pm {
			f.props[k] = compileNode(sub, draft, depth+1)
		}
	}
	if ap, ok := m["additionalProperties"]; ok {
		if b, ok := ap.(bool); ok {
			f.closed = !b
		} else {
			f.addl = compileNode(ap, draft, depth+1)
			if f.addl == nil {
				f.addl = &fnode{}
			}
		}
	}
	if r, ok := m["required"]; ok {
		rs, ok := r.([]any)
		if !ok {
			return &fnode{unsure: true}
		}
		for _, x := range rs {
			s, ok := x.(string)
			if !ok {
				return &fnode{unsure: true}
			}
			f.required = append(f.required, s)
		}
	}
	if it, ok := m["items"]; ok {
		if _, ok := it.([]any); ok {
			return &fnode{unsure: true} // tuple form
		}
		f.items = compileNode(it, draft, depth+1)
	}
	leaf := map[string]any{}
	for _, k := range scalarKeywords {
		if v, ok := m[k]; ok {
			leaf[k] = v
		}
	}
	if len(leaf) > 0 {
		leaf["$schema"] = draft
		c := jsonschema.NewCompiler()
		c.AssertFormat()
		c.UseLoader(noLoader{})
		if err := c.AddResource("file:///ciosim/leaf.json", leaf); err != nil {
			return &fnode{unsure: true}
		}
		s, err := c.Compile("file:///ciosim/leaf.json")
		if err != nil {
			return &fnode{unsure: true}
		}
		f.leaf = s
		f.quick = quickCheck(leaf)
	}
	return f
}

// quickCheck returns a check that accepts only strings the leaf keywords certainly
// accept, for the common leaves: a date-time or uri-reference format, or an enum of
// strings, alone. nil when there is none.
func quickCheck(leaf map[string]any) func(string) bool {
	if len(leaf) != 2 { // the keyword and $schema
		return nil
	}
	if e, ok := leaf["enum"].([]any); ok {
		set := map[string]bool{}
		for _, x := range e {
			if s, ok := x.(string); ok {
				set[s] = true
			}
		}
		return func(s string) bool { return set[s] }
	}
	switch leaf["format"] {
	case "date-time":
		return quickDateTime
	case "uri-reference":
		return quickURIReference
	case "uri":
		return quickURI
	case "email":
		return quickEmail
	}
	return nil
}

// quickDateTime accepts yyyy-MM-ddTHH:mm:ss[.fraction]Z with a real date and
// HH ≤ 23, mm ≤ 59, ss ≤ 59: a subset of what the validator's date-time accepts.
func quickDateTime(s string) bool {
	if len(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18} {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	two := func(i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }
	if two(11) > 23 || two(14) > 59 || two(17) > 59 {
		return false
	}
	if rest := s[19 : len(s)-1]; rest != "" {
		if rest[0] != '.' || len(rest) < 2 {
			return false
		}
		for i := 1; i < len(rest); i++ {
			if rest[i] < '0' || rest[i] > '9' {
				return false
			}
		}
	}
	y := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + two(2)
	m, d := two(5), two(8)
	return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m) // a real date, as time.Parse reads it
}

// quickURIReference accepts strings of URI unreserved characters only (letters, digits,
// "-._~"), which parse as a relative path, and the absolute URIs [quickURI] accepts (XDM's
// channel ids, https://ns.adobe.com/xdm/channels/email): a subset of what uri-reference
// accepts.
func quickURIReference(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return quickURI(s)
		}
	}
	return true
}

func typeBit(t string) uint8 {
	switch t {
	case "null":
		return tNull
	case "boolean":
		return tBool
	case "number":
		return tNumber
	case "integer":
		return tInteger
	case "string":
		return tString
	case "array":
		return tArray
	case "object":
		return tObject
	}
	return 0
}

// typeOK reports whether v's JSON type is allowed; false also when it cannot tell.
func (f *fnode) typeOK(v any) bool {
	if f.types == 0 {
		switch x := v.(type) {
		case nil, bool, string, int64, []any, map[string]any:
			return true
		case float64:
			return !math.IsNaN(x) && !math.IsInf(x, 0)
		}
		return false
	}
	var b uint8
	switch x := v.(type) {
	case nil:
		b = tNull
	case bool:
		b = tBool
	case string:
		b = tString
	case []any:
		b = tArray
	case map[string]any:
		b = tObject
	case int64:
		b = tNumber | tInteger
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
		b = tNumber // an integral float64 is an integer to the validator: left to it
	case json.Number:
		return false
	default:
		return false
	}
	return f.types&b != 0
}

// ok reports whether v is certainly valid under f (nil f accepts anything).
func (f *fnode) ok(v any) bool {
	if f == nil {
		return true
	}
	if f.unsure || !f.typeOK(v) {
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		if f.leaf != nil {
			return false
		}
		for _, r := range f.required {
			if _, ok := x[r]; !ok {
				return false
			}
		}
		for k, el := range x {
			if !f.member(k).accepts(el) {
				return false
			}
		}
		return true
	case []any:
		if f.leaf != nil {
			return false
		}
		for _, el := range x {
			if !f.items.ok(el) {
				return false
			}
		}
		return true
	}
	if f.leaf == nil {
		return true
	}
	if s, ok := v.(string); ok && f.quick != nil && f.quick(s) {
		return true
	}
	return f.leaf.Validate(v) == nil
}

// member is the schema of object member k: refused marks an extraneous key.
func (f *fnode) member(k string) memberSchema {
	if p, ok := f.props[k]; ok {
		return memberSchema{n: p}
	}
	if f.closed {
		return memberSchema{refused: true}
	}
	return memberSchema{n: f.addl}
}

type memberSchema struct {
	n       *fnode
	refused bool
}

func (m memberSchema) accepts(v any) bool { return !m.refused && m.n.ok(v) }

// treeCheck is a fastSchema compiled against one mapper's record tree: for each tree
// node, the schema that applies to it, found once instead of by key in every record. It
// accepts exactly the records the schema's per-field checks ([fnode.ok] on the record as
// maps) accept (TestTreeCheckSameAsMaps).
type treeCheck struct {
	t     *tree
	nodes []tcNode // by tree node id
}

type tcNode struct {
	f       *fnode // the node's schema; nil accepts anything
	refused bool   // the parent's schema does not permit this key
	// object nodes: never, when no object is accepted here (an unsure node, scalar
	// keywords, a type without object); required, the child nodes the schema requires,
	// -1 for a key the tree has no node for
	never    bool
	required []int
	kids     []tcKid // the node's children in the tree, with what okNode reads of them
}

// tcKid is a child of an object node, kept next to its siblings: walking a record reads
// one array per object, not the tree's nodes and the check's nodes by id.
type tcKid struct {
	f       *fnode
	node    int32 // its tree node id
	slot    int32 // its slot when it is a leaf, else -1
	refused bool
	str     uint8 // how f takes a string: strAny, strQuick (f.quick), else left to f.ok
}

const (
	strOther uint8 = iota
	strAny         // any string: no scalar keywords
	strQuick       // a string f.quick accepts
)

// strMode is how fnode f takes a string value, for okNode's short way with strings.
func strMode(f *fnode) uint8 {
	switch {
	case f == nil:
		return strAny
	case f.unsure || f.types != 0 && f.types&tString == 0:
		return strOther
	case f.leaf == nil:
		return strAny
	case f.quick != nil:
		return strQuick
	}
	return strOther
}

// compileTree compiles fs against t (a tree that can hold its records: t.ok).
func (fs *fastSchema) compileTree(t *tree) *treeCheck {
	tc := &treeCheck{t: t, nodes: make([]tcNode, len(t.nodes))}
	var walk func(n int, f *fnode)
	walk = func(n int, f *fnode) {
		c := &tc.nodes[n]
		c.f = f
		node := &t.nodes[n]
		if node.slot >= 0 || f == nil {
			return
		}
		if f.unsure || f.leaf != nil || (f.types != 0 && f.types&tObject == 0) {
			c.never = true
			return
		}
		for _, r := range f.required {
			id := -1
			for _, ch := range node.children {
				if t.nodes[ch].key == r {
					id = ch
					break
				}
			}
			c.required = append(c.required, id)
		}
		for _, ch := range node.children {
			m := f.member(t.nodes[ch].key)
			if m.refused {
				tc.nodes[ch].refused = true
				continue
			}
			walk(ch, m.n)
		}
	}
	walk(rootNode, fs.root)
	for n := range tc.nodes {
		for _, ch := range t.nodes[n].children {
			c := &tc.nodes[ch]
			tc.nodes[n].kids = append(tc.nodes[n].kids, tcKid{f: c.f, node: int32(ch), slot: int32(t.nodes[ch].slot), refused: c.refused, str: strMode(c.f)})
		}
	}
	return tc
}

// ok is k.f.ok(v), the short way for the strings most leaves hold.
func (k *tcKid) ok(v any) bool {
	if s, isStr := v.(string); isStr {
		switch k.str {
		case strAny:
			return true
		case strQuick:
			if k.f.quick(s) {
				return true
			}
		}
	}
	return k.f.ok(v)
}

// checkScratch is the scratch space of treeCheck.ok for one record at a time.
type checkScratch struct {
	present []bool // per tree node: the node is written (a leaf set, an object with one)
}

// ok reports whether the record held in vals (the tree's slots) is certainly valid.
func (tc *treeCheck) ok(vals []any, sc *checkScratch) bool {
	if len(sc.present) != len(tc.nodes) {
		sc.present = make([]bool, len(tc.nodes))
	}
	_, ok := tc.okNode(rootNode, vals, sc)
	return ok
}

// okNode reports whether the object node n of the tree is written (present; the root
// always is) and, when it is, whether it is certainly valid. It walks the tree once:
// each child's presence is known before the node's required keys are checked.
func (tc *treeCheck) okNode(n int, vals []any, sc *checkScratch) (present, ok bool) {
	t := tc.t
	c := &tc.nodes[n]
	node := &t.nodes[n]
	if c.f == nil || c.never {
		present = n == rootNode
		for _, s := range node.leaves {
			if vals[s] != nil {
				present = true
				break
			}
		}
		return present, c.f == nil
	}
	for i := range c.kids {
		k := &c.kids[i]
		var p bool
		if k.slot >= 0 {
			v := vals[k.slot]
			if p = v != nil; p && (k.refused || !k.ok(v)) {
				return true, false
			}
		} else {
			var cok bool
			if p, cok = tc.okNode(int(k.node), vals, sc); p && (k.refused || !cok) {
				return true, false
			}
		}
		sc.present[k.node] = p
		present = present || p
	}
	for _, r := range c.required {
		if r < 0 || !sc.present[r] {
			return present || n == rootNode, false
		}
	}
	return present || n == rootNode, true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// quickURI accepts scheme://host[/path][?query] with a host of letters, digits, '.' and
// '-', and a path and query of letters, digits and "-._~/?=&": absolute URIs url.Parse
// reads without complaint, a subset of what the uri format accepts.
func quickURI(s string) bool {
	i := 0
	for i < len(s) && (isAlnum(s[i]) || i > 0 && (s[i] == '+' || s[i] == '.' || s[i] == '-')) {
		i++
	}
	if i == 0 || s[0] < 'A' || len(s) < i+3 || s[i:i+3] != "://" {
		return false
	}
	i += 3
	h := i
	for i < len(s) && (isAlnum(s[i]) || s[i] == '.' || s[i] == '-') {
		i++
	}
	if i == h {
		return false
	}
	for ; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '-' && c != '.' && c != '_' && c != '~' && c != '/' && c != '?' && c != '=' && c != '&' {
			return false
		}
	}
	return true
}

// quickEmail accepts local@domain with a local part of letters, digits and "._+-" (no
// leading, trailing or doubled dot, at most 64) and a domain of 1-63 character labels of
// letters, digits and inner hyphens (at most 253): a subset of what the email format accepts.
func quickEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at < 1 || at > 64 || len(s) > 254 {
		return false
	}
	local, domain := s[:at], s[at+1:]
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return false
	}
	for i := 0; i < len(local); i++ {
		if c := local[i]; !isAlnum(c) && c != '.' && c != '_' && c != '+' && c != '-' {
			return false
		}
	}
	if len(domain) == 0 || len(domain) > 253 {
		return false
	}
	for _, label := range strings.Split(domain, ".") {
		if len(label) < 1 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; !isAlnum(c) && c != '-' {
				return false
			}
		}
	}
	return true
}

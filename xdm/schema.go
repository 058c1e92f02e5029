package xdm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// Schema is a compiled JSON Schema for XDM records: a Schema Registry export
// (application/vnd.adobe.xed-full+json) or any draft-06 or later schema. It validates
// records with AEP's error wording and tells the mapper the target type of each field.
// A Schema is safe for concurrent use.
type Schema struct {
	sch   *jsonschema.Schema
	root  any
	class string         // meta:class of a Schema Registry export
	docs  map[string]any // every loaded document by $id, for $ref resolution in typeAt
	fast  *fastSchema    // per-field checks that accept valid records without sch; nil when unusable
}

// SchemaError reports a schema that cannot be loaded or compiled.
type SchemaError struct {
	Name string
	Err  error
}

func (e *SchemaError) Error() string { return fmt.Sprintf("schema %s: %v", e.Name, e.Err) }
func (e *SchemaError) Unwrap() error { return e.Err }

// SchemaFile is one schema document and the name to report it under.
type SchemaFile struct {
	Name string
	Data []byte
}

// LoadSchema compiles main, with refs resolved among main and refs by their "$id" (the
// $id URIs are identifiers, never fetched). Documents without "$schema" are read as
// draft-06, the draft XDM uses. Formats (date-time, uri-reference, email, ...) are
// asserted, as AEP does.
func LoadSchema(main SchemaFile, refs ...SchemaFile) (*Schema, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft6)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	s := &Schema{docs: map[string]any{}}
	mainURL := ""
	for i, f := range append([]SchemaFile{main}, refs...) {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(f.Data))
		if err != nil {
			return nil, &SchemaError{f.Name, fmt.Errorf("not JSON: %w", err)}
		}
		obj, ok := doc.(map[string]any)
		if !ok {
			return nil, &SchemaError{f.Name, errors.New("not a JSON object")}
		}
		id, _ := obj["$id"].(string)
		if id == "" {
			id, _ = obj["id"].(string)
		}
		id = strings.TrimSuffix(id, "#")
		if id == "" {
			id = fmt.Sprintf("file:///ciosim/schema/%d.json", i)
		}
		if i == 0 {
			mainURL = id
			s.root = doc
			s.class, _ = obj["meta:class"].(string)
			if s.class != "" {
				closeObjects(obj, false, 0) // a Schema Registry export: closed as AEP validates it
			}
		}
		if err := c.AddResource(id, doc); err != nil {
			return nil, &SchemaError{f.Name, err}
		}
		s.docs[id] = doc
	}
	sch, err := c.Compile(mainURL)
	if err != nil {
		return nil, &SchemaError{main.Name, err}
	}
	s.sch = sch
	s.fast = compileFast(s.root)
	return s, nil
}

// ID is the schema's $id ("" when the document has none).
func (s *Schema) ID() string {
	m, _ := s.root.(map[string]any)
	id, _ := m["$id"].(string)
	if id == "" {
		id, _ = m["id"].(string)
	}
	return strings.TrimSuffix(id, "#")
}

// Class is the schema's XDM class (its meta:class), "" when it does not say.
func (s *Schema) Class() string { return s.class }

// closeObjects closes a Schema Registry export the way AEP validates it: an object schema
// with properties and no additionalProperties of its own rejects other keys ("extraneous
// key [x] is not permitted"). Maps (meta:xdmType "map") and objects that say otherwise keep
// theirs; schemas combined with allOf/anyOf/oneOf or $ref are left open, since closing one
// branch would refuse the keys of the others.
func closeObjects(n any, inCombination bool, depth int) {
	m, ok := n.(map[string]any)
	if !ok || depth > 64 {
		return
	}
	_, hasProps := m["properties"]
	_, hasAP := m["additionalProperties"]
	combined := m["allOf"] != nil || m["anyOf"] != nil || m["oneOf"] != nil || m["$ref"] != nil
	if hasProps && !hasAP && !combined && !inCombination && m["meta:xdmType"] != "map" {
		m["additionalProperties"] = false
	}
	if props, ok := m["properties"].(map[string]any); ok {
		for _, p := range props {
			closeObjects(p, false, depth+1)
		}
	}
	for _, k := range []string{"items", "additionalProperties"} {
		closeObjects(m[k], false, depth+1)
	}
	for _, k := range []string{"definitions", "patternProperties"} {
		if d, ok := m[k].(map[string]any); ok {
			for _, p := range d {
				closeObjects(p, false, depth+1)
			}
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if arr, ok := m[k].([]any); ok {
			for _, sub := range arr {
				closeObjects(sub, true, depth+1)
			}
		}
	}
}

type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("$ref %s is not among the loaded schema files (refs are never fetched)", url)
}

// Check validates record (JSON values; int64 and float64 numbers are fine) and returns at
// most MaxViolations violations in AEP's wording, sorted by pointer.
func (s *Schema) Check(record any) []Violation {
	err := s.sch.Validate(record)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Violation{{Pointer: "#", SchemaLocation: "#", Message: err.Error()}}
	}
	var out []Violation
	collect(ve, record, &out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	if len(out) > MaxViolations {
		out = out[:MaxViolations]
	}
	return out
}

func collect(ve *jsonschema.ValidationError, record any, out *[]Violation) {
	if len(ve.Causes) > 0 {
		for _, c := range ve.Causes {
			collect(c, record, out)
		}
		return
	}
	ptr := "#"
	for _, t := range ve.InstanceLocation {
		ptr += "/" + strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
	}
	loc := "#"
	if i := strings.IndexByte(ve.SchemaURL, '#'); i >= 0 {
		loc = "#" + ve.SchemaURL[i+1:]
	}
	kw := ""
	if kp := ve.ErrorKind.KeywordPath(); len(kp) > 0 {
		kw = kp[len(kp)-1]
	}
	add := func(p, msg string) {
		*out = append(*out, Violation{Pointer: p, SchemaLocation: loc, Keyword: kw, Message: msg})
	}
	switch k := ve.ErrorKind.(type) {
	case *kind.Required:
		for _, m := range k.Missing {
			add(ptr, fmt.Sprintf("required key [%s] not found", m))
		}
	case *kind.AdditionalProperties:
		// the library lists them in map order; sorted, the same record always gets the
		// same (at most MaxViolations) violations
		props := slices.Clone(k.Properties)
		slices.Sort(props)
		for _, p := range props {
			add(ptr, fmt.Sprintf("extraneous key [%s] is not permitted", p))
		}
	case *kind.Type:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = javaType(w)
		}
		add(ptr, fmt.Sprintf("expected type: %s, found: %s", strings.Join(want, " or "), javaGot(k.Got, valueAt(record, ve.InstanceLocation))))
	case *kind.Format:
		switch k.Want {
		case "date-time":
			add(ptr, fmt.Sprintf("[%v] is not a valid date-time. Expected [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,9}Z, yyyy-MM-dd'T'HH:mm:ss[+-]HH:mm, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,9}[+-]HH:mm]", k.Got))
		case "email":
			add(ptr, fmt.Sprintf("[%v] is not a valid email address", k.Got))
		case "uri-reference":
			add(ptr, fmt.Sprintf("[%v] is not a valid URI reference", k.Got))
		default:
			add(ptr, fmt.Sprintf("[%v] is not a valid %s", k.Got, k.Want))
		}
	case *kind.Enum:
		add(ptr, fmt.Sprintf("%v is not a valid enum value", k.Got))
	case *kind.Pattern:
		add(ptr, fmt.Sprintf("string [%s] does not match pattern %s", k.Got, k.Want))
	case *kind.Minimum:
		add(ptr, fmt.Sprintf("%s is not greater or equal to %s", k.Got.FloatString(6), k.Want.FloatString(6)))
	case *kind.Maximum:
		add(ptr, fmt.Sprintf("%s is not less or equal to %s", k.Got.FloatString(6), k.Want.FloatString(6)))
	case *kind.MinLength:
		add(ptr, fmt.Sprintf("expected minLength: %d, actual: %d", k.Want, k.Got))
	case *kind.MaxLength:
		add(ptr, fmt.Sprintf("expected maxLength: %d, actual: %d", k.Want, k.Got))
	default:
		add(ptr, ve.ErrorKind.LocalizedString(nil))
	}
}

func javaType(t string) string {
	switch t {
	case "object":
		return "JSONObject"
	case "array":
		return "JSONArray"
	}
	if t == "" {
		return t
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

// javaGot names a found JSON type the way AEP (everit) does: whole numbers are Long.
func javaGot(t string, v any) string {
	if t == "number" || t == "integer" {
		if k := jsonKind(v); k == "Long" || k == "Double" {
			return k
		}
	}
	switch t {
	case "integer":
		return "Long"
	case "number":
		return "Double"
	}
	return javaType(t)
}

// nodesAt returns the schema nodes that apply to the field at segs (nil when the schema
// does not define it).
func (s *Schema) nodesAt(segs []segment) []any {
	nodes := []any{s.root}
	for _, sg := range segs {
		var next []any
		for _, n := range nodes {
			for _, m := range s.expand(n, 0) {
				if sg.isIdx {
					if it, ok := m["items"]; ok {
						next = append(next, it)
					}
					continue
				}
				if props, ok := m["properties"].(map[string]any); ok {
					if p, ok := props[sg.key]; ok {
						next = append(next, p)
						continue
					}
				}
				if ap, ok := m["additionalProperties"].(map[string]any); ok {
					next = append(next, ap)
				}
			}
		}
		if len(next) == 0 {
			return nil
		}
		nodes = next
	}
	return nodes
}

// pruner is the compiled shape of what Data Prep copies when a source object is mapped
// onto a target object (reference §3.2, S17: "same-named children that exist in the target
// schema"): in a closed object only the children its properties name, at every depth. A nil
// *pruner keeps a value whole (open objects, maps, leaves).
type pruner struct {
	closed bool
	props  map[string]*pruner // with closed: the children kept; a nil value keeps that child whole
	items  *pruner            // for arrays: each element's pruner
}

// maxPruneNodes bounds the distinct schema objects one destination's pruner follows; beyond
// it, values are kept whole (validation then judges them).
const maxPruneNodes = 20000

// pruner compiles the pruner of the field whose schema nodes are given; nil when nothing
// under it would ever be left out. A schema that refers to itself gives a pruner graph with
// the same cycle (memoised by the schema objects that apply), so compiling is linear in the
// schema's size and pruning follows the data's depth.
func (s *Schema) pruner(nodes []any) *pruner {
	b := &pruneBuilder{s: s, memo: map[string]*pruner{}, budget: maxPruneNodes}
	p := b.build(nodes)
	if p == nil || !p.closed && p.items == nil {
		return nil
	}
	return p
}

type pruneBuilder struct {
	s      *Schema
	memo   map[string]*pruner
	budget int
}

func (b *pruneBuilder) build(nodes []any) *pruner {
	var ms []map[string]any
	var key strings.Builder
	for _, n := range nodes {
		for _, m := range b.s.expand(n, 0) {
			_, hasP := m["properties"]
			_, hasI := m["items"]
			_, hasA := m["additionalProperties"]
			_, hasX := m["meta:xdmType"]
			if hasP || hasI || hasA || hasX {
				ms = append(ms, m)
				fmt.Fprintf(&key, "%p,", m)
			}
		}
	}
	if len(ms) == 0 {
		return nil
	}
	if p, ok := b.memo[key.String()]; ok {
		return p
	}
	if b.budget--; b.budget < 0 {
		return nil
	}
	p := &pruner{}
	b.memo[key.String()] = p
	props := map[string][]any{}
	var items []any
	closed, open := false, false
	for _, m := range ms {
		if ap, ok := m["additionalProperties"]; ok && ap != false {
			open = true
		}
		if m["meta:xdmType"] == "map" {
			open = true
		}
		if ps, ok := m["properties"].(map[string]any); ok {
			closed = true
			for k, v := range ps {
				props[k] = append(props[k], v)
			}
		}
		if it, ok := m["items"]; ok {
			items = append(items, it)
		}
	}
	p.items = b.build(items)
	if closed && !open {
		p.closed = true
		p.props = make(map[string]*pruner, len(props))
		for k, ns := range props {
			p.props[k] = b.build(ns)
		}
	}
	return p
}

// prune returns v as Data Prep copies it under p; v itself is never modified.
func (p *pruner) prune(v any) any {
	if p == nil {
		return v
	}
	switch x := v.(type) {
	case map[string]any:
		if !p.closed {
			return v
		}
		out := make(map[string]any, len(x))
		for k, el := range x {
			if c, ok := p.props[k]; ok {
				out[k] = c.prune(el)
			}
		}
		return out
	case []any:
		if p.items == nil {
			return v
		}
		out := make([]any, len(x))
		for i, el := range x {
			out[i] = p.items.prune(el)
		}
		return out
	}
	return v
}

// typeAt returns the JSON type and format the schema gives the field at segs, or "" when
// the schema does not say.
func (s *Schema) typeAt(segs []segment) (string, string) {
	nodes := s.nodesAt(segs)
	for _, n := range nodes {
		for _, m := range s.expand(n, 0) {
			t, _ := m["type"].(string)
			if t == "" {
				if ts, ok := m["type"].([]any); ok {
					for _, x := range ts {
						if xs, _ := x.(string); xs != "null" {
							t = xs
							break
						}
					}
				}
			}
			if t != "" {
				f, _ := m["format"].(string)
				return t, f
			}
		}
	}
	return "", ""
}

// expand resolves $ref and flattens allOf/anyOf/oneOf into the list of schema objects
// that apply at a node.
func (s *Schema) expand(n any, depth int) []map[string]any {
	m, ok := n.(map[string]any)
	if !ok || depth > 32 {
		return nil
	}
	out := []map[string]any{m}
	if ref, ok := m["$ref"].(string); ok {
		if t := s.resolve(ref); t != nil {
			out = append(out, s.expand(t, depth+1)...)
		}
	}
	for _, k := range []string{"allOf", "anyOf", "oneOf"} {
		if arr, ok := m[k].([]any); ok {
			for _, sub := range arr {
				out = append(out, s.expand(sub, depth+1)...)
			}
		}
	}
	return out
}

func (s *Schema) resolve(ref string) any {
	base, frag, _ := strings.Cut(ref, "#")
	var doc any
	if base == "" {
		doc = s.root // local refs are resolved in the main document
	} else {
		doc = s.docs[strings.TrimSuffix(base, "#")]
	}
	if doc == nil {
		return nil
	}
	if frag == "" {
		return doc
	}
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := doc.(map[string]any)
		if !ok {
			return nil
		}
		doc = m[tok]
	}
	return doc
}

// decodeRecord reads a record the way the schema library expects (json.Number numbers).
func decodeRecord(b []byte) (any, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// CheckJSON validates a record given as JSON bytes.
func (s *Schema) CheckJSON(record []byte) ([]Violation, error) {
	v, err := decodeRecord(record)
	if err != nil {
		return nil, err
	}
	return s.Check(v), nil
}

var _ Checker = (*Schema)(nil)

func valueAt(v any, loc []string) any {
	for _, tok := range loc {
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i
		}
		f, _ := n.Float64()
		return f
	}
	return v
}

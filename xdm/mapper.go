package xdm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ciosim/ciosim/xdm/expr"
)

// Options configure a [Mapper]. The zero value maps without a schema.
type Options struct {
	// Schema, when set, drives type coercion of mapped values and validation of the
	// record: a record with schema violations is rejected with AEP-style reasons.
	Schema *Schema
	// Check runs after mapping (and after Schema validation), e.g. [ExperienceEventRules].
	Check Checker
	// Required lists destination paths that must not end up null; a record where one does
	// is rejected, as AEP rejects rows with a null required field.
	Required []string
	// SourceFields, when set, reports whether a source path shape (indexes written "[]",
	// e.g. "data.recipients[].device_id") can exist in an input event; Compile rejects
	// mappings that read any other path, since they could never match.
	SourceFields func(shape string) bool
	// Now is the clock of now() and timestamp(); nil means time.Now.
	Now func() time.Time
	// Rand feeds uuid()/guid(); nil means crypto/rand.
	Rand io.Reader
	// RandFor, when set, gives each record its own source for uuid()/guid() instead of
	// Rand, from the event's top-level event_id ("" when it has none): with [SeededRand]
	// a record's volatile values then do not depend on the records mapped before it.
	RandFor func(eventID string) io.Reader
	// Functions is the expression function registry; nil means [expr.DefaultRegistry].
	Functions *expr.Registry
}

// Checker validates a mapped record (JSON values as produced by encoding/json, with
// integral numbers as int64).
type Checker interface {
	Check(record any) []Violation
}

// topLevelChecker is a Checker that reads only the named top-level members of a record.
type topLevelChecker interface {
	Checker
	checkKeys() []string
}

// Violation is one validation failure in AEP's streaming-validation shape.
type Violation struct {
	// Pointer is the JSON pointer of the offending value, as "#/a/b".
	Pointer        string `json:"pointerToViolation"`
	SchemaLocation string `json:"schemaLocation"`
	Keyword        string `json:"keyword"`
	Message        string `json:"message"`
}

func (v Violation) String() string { return v.Pointer + ": " + v.Message }

// MaxViolations is how many violations AEP reports per record before it stops.
const MaxViolations = 5

// Result is the outcome of mapping one event.
type Result struct {
	// Record is the XDM record as compact JSON with sorted keys; set even when rejected.
	Record []byte
	// Warnings are failures that nulled a field without rejecting the record.
	Warnings []string
	// Rejected is true when a required field is null or the record breaks the schema.
	Rejected bool
	// Reasons say why the record was rejected.
	Reasons []string
	// Violations are the validation failures behind Reasons (at most MaxViolations).
	Violations []Violation
}

type compiled struct {
	index  int
	m      Mapping
	src    Path
	ref    expr.Ref // src through the mapper's scope, when it has no index
	hasRef bool
	prog   *expr.Program
	dst    Path
	slot   int       // the destination's leaf in the record tree
	rest   []segment // what follows the leaf: the destination from its first index on
	typ    string    // target type from the schema, "" when unknown
	fmt    string
	// prune is the schema's shape at the destination when it has closed objects: an
	// object value copied there keeps only the children the schema defines.
	prune *pruner
}

// Mapper applies a compiled mapping set. Map is safe for concurrent use by multiple
// goroutines; a Mapper holds no per-event state.
type Mapper struct {
	set      MappingSet
	rules    []compiled
	opts     Options
	required []Path
	cache    *expr.Cache
	scope    *expr.Scope // the expressions' shared source lookups
	// checkKeys are the only top-level members opts.Check reads, when it says so; the
	// record is then not built as maps for it.
	checkKeys []string
	envs      sync.Pool // *recordState, reused across records
	tree      tree
	noFast    bool // always run the full schema validator and class check (the differential tests' oracle)
	// classCheck: opts.Check is the built-in class check, which tree.classOK can pass
	// without building the record.
	classCheck bool
	plan       *plan      // the compiled plan for events given as bytes; nil: the generic path only
	tcheck     *treeCheck // the schema's per-field checks compiled against tree; nil: none
}

// recordState is the scratch space of one Map call.
type recordState struct {
	env    expr.Env
	scan   scanner      // the plan's scan of the event
	vals   []any        // the record's tree slots
	enc    [][]byte     // per slot, its value already written as JSON (the plan's pair results); nil: none
	check  checkScratch // scratch of the schema's per-field checks
	recCap int          // the longest record written so far, to size the next record's buffer
	rc     recycler     // the record's objects and arrays, reused for the next record
}

// MaxDestinationIndex bounds an array index in a destination path: _acme.arr[999999999]
// would make every record hold a billion array elements.
const MaxDestinationIndex = 1000

func maxIndex(p Path) int {
	m := -1
	for _, s := range p.segs {
		if s.isIdx && !s.wild {
			m = max(m, s.index)
		}
	}
	return m
}

// maxRecCap bounds the record buffer sized from earlier records.
const maxRecCap = 64 << 10

// CompileError reports a mapping that cannot run, naming the mapping (1-based).
type CompileError struct {
	Index       int
	Destination string
	Err         error
}

func (e *CompileError) Error() string {
	return fmt.Sprintf("mapping %d (→ %s): %v", e.Index, e.Destination, e.Err)
}

func (e *CompileError) Unwrap() error { return e.Err }

// UnknownSourceError reports a source path no input event can contain.
type UnknownSourceError struct{ Path string }

func (e *UnknownSourceError) Error() string {
	return fmt.Sprintf("source path %s matches no field of any Customer.io event", e.Path)
}

// Compile checks every mapping of ms (paths, expressions, functions, source types) and
// prepares it to run; every problem is reported here, before any event is mapped.
func Compile(ms MappingSet, opts Options) (*Mapper, error) {
	reg := opts.Functions
	if reg == nil {
		reg = expr.DefaultRegistry()
	}
	mp := &Mapper{set: ms, opts: opts, cache: &expr.Cache{}, scope: expr.NewScope()}
	var errs []error
	for i, m := range ms.Mappings {
		c := compiled{index: i + 1, m: m}
		fail := func(err error) {
			errs = append(errs, &CompileError{Index: i + 1, Destination: m.Destination, Err: err})
		}
		dst, err := ParsePath(m.Destination)
		if err != nil {
			fail(err)
			continue
		}
		c.dst = dst
		if i := maxIndex(dst); i > MaxDestinationIndex {
			fail(fmt.Errorf("destination index [%d] is larger than ciosim's limit of %d (the record would hold that many array elements)", i, MaxDestinationIndex))
			continue
		}
		switch m.SourceType {
		case SourceAttribute:
			p, err := ParsePath(m.Source)
			if err != nil {
				fail(err)
				continue
			}
			if opts.SourceFields != nil && !opts.SourceFields(p.shape()) {
				err := error(&UnknownSourceError{Path: m.Source})
				if strings.ContainsAny(m.Source, "()") {
					err = fmt.Errorf("%w (a calculated field needs \"sourceType\": \"EXPRESSION\")", err)
				}
				fail(err)
				continue
			}
			c.src = p
			if !hasIndex(p) {
				keys := make([]string, len(p.segs))
				for i, s := range p.segs {
					keys[i] = s.key
				}
				c.ref, c.hasRef = mp.scope.Ref(keys...), true
			}
		case SourceExpression:
			prog, err := reg.CompileIn(m.Source, mp.scope)
			if err != nil {
				fail(err)
				continue
			}
			if opts.SourceFields != nil {
				bad := false
				for _, sp := range prog.Paths() {
					if !opts.SourceFields(sp) {
						fail(&UnknownSourceError{Path: sp})
						bad = true
						break
					}
				}
				if bad {
					continue
				}
			}
			c.prog = prog
		case SourceStatic:
		default:
			fail(fmt.Errorf("unknown source type %q (want ATTRIBUTE, EXPRESSION or STATIC)", m.SourceType))
			continue
		}
		if opts.Schema != nil {
			c.typ, c.fmt = opts.Schema.typeAt(dst.segs)
			if c.typ == "object" || c.typ == "array" {
				c.prune = opts.Schema.pruner(opts.Schema.nodesAt(dst.segs))
			}
		}
		mp.rules = append(mp.rules, c)
	}
	mp.tree = buildTree(mp.rules)
	if opts.Schema != nil && opts.Schema.fast != nil && mp.tree.ok {
		mp.tcheck = opts.Schema.fast.compileTree(&mp.tree)
	}
	mp.plan = compilePlan(mp)
	if kc, ok := opts.Check.(topLevelChecker); ok {
		mp.checkKeys = kc.checkKeys()
		switch opts.Check.(type) {
		case ExperienceEventRules, ClassRules:
			mp.classCheck = true
		}
	}
	for _, r := range opts.Required {
		p, err := ParsePath(r)
		if err != nil {
			errs = append(errs, fmt.Errorf("required field: %w", err))
			continue
		}
		mp.required = append(mp.required, p)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return mp, nil
}

// MappingSet returns the set the mapper was compiled from.
func (mp *Mapper) MappingSet() MappingSet { return mp.set }

// EventError reports an input that is not a JSON object.
type EventError struct{ Err error }

func (e *EventError) Error() string { return "event is not a JSON object: " + e.Err.Error() }
func (e *EventError) Unwrap() error { return e.Err }

// Map maps one event (a JSON object) to an XDM record. A mapping that fails nulls only its
// field and adds a warning; the record is rejected when a required field is null or the
// record breaks the schema or check. The error is non-nil only when event is not a JSON
// object.
func (mp *Mapper) Map(event []byte) (Result, error) { return mp.AppendMap(nil, event) }

// AppendMap is [Mapper.Map] writing the record at the end of dst, so a caller that has
// written out one record can reuse its buffer for the next: Result.Record is the part
// of the grown buffer after dst (nil if the record could not be written).
func (mp *Mapper) AppendMap(dst, event []byte) (Result, error) {
	return mp.appendMap(dst, event, false)
}

// AppendMapFrozen is [Mapper.AppendMap] for an event whose bytes the caller never
// modifies afterwards (nor lets anyone else): strings of the event are then read in place
// instead of from a copy made for each event, and may be kept by the mapper. transform
// hands it each line's own copy.
func (mp *Mapper) AppendMapFrozen(dst, event []byte) (Result, error) {
	return mp.appendMap(dst, event, true)
}

func (mp *Mapper) appendMap(dst, event []byte, frozen bool) (Result, error) {
	if mp.plan != nil {
		if res, ok := mp.mapPlan(dst, event, frozen); ok {
			return res, nil
		}
	}
	src, err := decodeObject(event)
	if err != nil {
		return Result{}, &EventError{Err: err}
	}
	return mp.mapValue(dst, src), nil
}

// MapValue maps an already decoded event (values as [expr] uses them).
func (mp *Mapper) MapValue(src map[string]any) Result { return mp.mapValue(nil, src) }

func (mp *Mapper) mapValue(dst []byte, src map[string]any) Result {
	st := mp.state()
	defer mp.envs.Put(st)
	env := &st.env
	env.Reset(src)
	if mp.opts.RandFor != nil {
		id, _ := src["event_id"].(string)
		env.Rand = mp.opts.RandFor(id)
	}
	return mp.mapRules(dst, st, Result{}, nil, nil)
}

// mapRules maps the record in st's env (results of the pure rules from pr when set; sc is
// the plan's scan of the record, nil on the generic path).
func (mp *Mapper) mapRules(dst []byte, st *recordState, res Result, pr pairResult, sc *scanner) Result {
	env := &st.env
	vals := st.vals
	defer clear(vals)
	if st.enc != nil {
		defer clear(st.enc)
	}
	var rc *recycler // the plan's records reuse their objects and arrays (see recycler)
	if sc != nil {
		rc = &st.rc
	}
	var out map[string]any // only when the tree cannot hold the record
	if !mp.tree.ok {
		out = map[string]any{}
	}
	for i := range mp.rules {
		c := &mp.rules[i]
		var v any
		var ok bool
		var warn string
		var r *pairRule
		if pr != nil {
			r = &pr[i]
		}
		cached := r != nil && r.has
		if cached {
			v, ok, warn = r.val, r.set, r.warn
		} else {
			var prog *expr.Program
			if r != nil {
				prog = r.prog
			}
			v, ok, warn = mp.ruleValue(i, env, sc, prog)
		}
		if st.enc != nil && c.slot >= 0 {
			// the slot's bytes are the cached ones only when this rule wrote it last
			st.enc[c.slot] = nil
			if cached && ok && warn == "" && len(c.rest) == 0 {
				st.enc[c.slot] = r.enc
			}
		}
		if warn != "" {
			res.Warnings = append(res.Warnings, warn)
			continue
		}
		if !ok {
			continue
		}
		if out != nil {
			set(out, c.dst.segs, v)
			continue
		}
		mp.tree.put(vals, c, v, rc)
	}
	lookup := func(p Path) any {
		if out != nil {
			return get(out, p.segs)
		}
		return mp.tree.lookup(vals, p)
	}
	for _, p := range mp.required {
		if lookup(p) == nil {
			res.Rejected = true
			res.Reasons = append(res.Reasons, fmt.Sprintf("required field %s is null", p.src))
		}
	}
	// A record the schema's per-field checks accept is valid; any other goes through the
	// full validator, which finds and words its violations.
	schemaOK := false
	if tc := mp.treeCheck(); tc != nil && out == nil {
		schemaOK = tc.ok(vals, &st.check)
	}
	if out == nil && ((mp.opts.Schema != nil && !schemaOK) || (mp.opts.Check != nil && mp.checkKeys == nil)) {
		out = mp.tree.record(vals)
	}
	if mp.opts.Schema != nil && !schemaOK {
		mp.addViolations(&res, mp.opts.Schema.Check(out))
	}
	classOK := out == nil && mp.classCheck && !mp.noFast && mp.tree.classOK(vals)
	if mp.opts.Check != nil && !classOK {
		if out != nil {
			mp.addViolations(&res, mp.opts.Check.Check(out))
		} else {
			mp.addViolations(&res, mp.opts.Check.Check(mp.tree.topLevel(vals, mp.checkKeys)))
		}
	}
	var rec []byte
	var err error
	if mp.tree.ok {
		if dst == nil {
			dst = make([]byte, 0, st.recCap)
		}
		rec, err = mp.tree.appendRecord(dst, vals, st.enc)
		if err == nil {
			rec = rec[len(dst):]
			st.recCap = min(max(st.recCap, len(rec)), maxRecCap)
		}
	} else {
		if dst == nil {
			dst = make([]byte, 0, 1024)
		}
		rec, err = appendJSON(dst, out)
		if err == nil {
			rec = rec[len(dst):]
		}
	}
	if err != nil {
		// Values come from JSON and the expression language; NaN/Inf from arithmetic is
		// the only way to get here.
		res.Rejected = true
		res.Reasons = append(res.Reasons, "record cannot be written as JSON: "+err.Error())
	}
	// The record's objects and arrays are free again unless they were handed to a
	// checker as maps (out, or topLevel when the class check did not pass it).
	rc.finish(out == nil && (mp.opts.Check == nil || classOK))
	res.Record = rec
	return res
}

// treeCheck is the schema's per-field check, nil when there is none or it is turned off.
func (mp *Mapper) treeCheck() *treeCheck {
	if mp.noFast {
		return nil
	}
	return mp.tcheck
}

func (mp *Mapper) addViolations(res *Result, vs []Violation) {
	for _, v := range vs {
		if len(res.Violations) == MaxViolations {
			break
		}
		res.Violations = append(res.Violations, v)
		res.Rejected = true
		res.Reasons = append(res.Reasons, v.String())
	}
}

// marshalStd is encoding/json's compact form without HTML escaping.
func marshalStd(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

func coerceAll(v any, typ, format string, spread bool) (any, error) {
	if arr, ok := v.([]any); ok && spread && typ != "array" {
		out := make([]any, len(arr))
		for i, el := range arr {
			if el == nil {
				continue
			}
			c, err := coerce(el, typ, format)
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	return coerce(v, typ, format)
}

// coerce converts v to the schema type the way Data Prep does: numbers and booleans to
// strings, "yes"/"on"/"true" (and their negatives) to booleans, numeric strings to
// numbers, and date strings (any of the date() formats) to RFC 3339 for date-time fields.
func coerce(v any, typ, format string) (any, error) {
	switch typ {
	case "string":
		if format == "date-time" || format == "date" {
			var t time.Time
			switch x := v.(type) {
			case time.Time:
				t = x
			case string:
				if format == "date-time" && canonicalDateTime(x) {
					return v, nil // ParseDate and Format would give x back
				}
				pt, ok := expr.ParseDate(x)
				if !ok {
					return nil, fmt.Errorf("cannot convert %q to a %s", x, format)
				}
				t = pt
			default:
				return v, nil // left for validation to report
			}
			if y := t.Year(); y < 0 || y > 9999 {
				// RFC 3339 (XDM's date-time and date) has four-digit years
				return nil, fmt.Errorf("cannot convert %s to a %s: year %d is outside 0000-9999", expr.FormatTime(t), format, y)
			}
			if format == "date" {
				return t.Format("2006-01-02"), nil
			}
			return t.Format(time.RFC3339Nano), nil
		}
		switch v.(type) {
		case string, map[string]any, []any:
			return v, nil
		}
		return expr.ToString(v), nil
	case "boolean":
		if s, ok := v.(string); ok {
			switch s {
			case "y", "yes", "Y", "YES", "on", "ON", "true", "TRUE", "True":
				return true, nil
			case "n", "N", "no", "NO", "off", "OFF", "false", "FALSE", "False":
				return false, nil
			}
			return nil, fmt.Errorf("cannot convert %q to a boolean", s)
		}
	case "integer", "number":
		if s, ok := v.(string); ok {
			var n json.Number = json.Number(strings.TrimSpace(s))
			if i, err := n.Int64(); err == nil {
				return i, nil
			}
			f, err := n.Float64()
			if err != nil {
				return nil, fmt.Errorf("cannot convert %q to a %s", s, typ)
			}
			if typ == "integer" {
				if f != float64(int64(f)) {
					return nil, fmt.Errorf("cannot convert %q to an integer", s)
				}
				return int64(f), nil
			}
			return f, nil
		}
		if b, ok := v.(bool); ok {
			if b {
				return int64(1), nil
			}
			return int64(0), nil
		}
	}
	return v, nil
}

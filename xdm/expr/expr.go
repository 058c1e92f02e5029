// Package expr implements the AEP Data Prep expression language (calculated fields): a
// JEXL-like syntax of literals, paths, arithmetic, comparisons, logic, method calls such as
// s.equals("x"), and the documented Data Prep functions.
//
// It lives apart from package xdm because the language is self-contained: it knows nothing
// of mapping sets, schemas or Customer.io, and its parser is fuzzed on its own.
//
// Values are the JSON kinds as Go values (nil, bool, int64, float64, string, []any,
// map[string]any) plus time.Time for the ZonedDateTime values date functions produce.
package expr

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"time"
)

// Env is what one evaluation sees: the source record and the clock and randomness the
// non-deterministic functions (now, timestamp, uuid) use.
type Env struct {
	// Root is the source record; top-level names in an expression resolve in it.
	Root map[string]any
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Rand is read by uuid()/guid(); nil means crypto/rand.
	Rand io.Reader
	// Cache, when set, keeps compiled regexes across evaluations.
	Cache *Cache
	// Scope, when set, is the [Scope] whose programs this Env evaluates; their source
	// lookups are then remembered from one Reset to the next, so Root must not change
	// (nor its contents) except through Reset.
	Scope *Scope

	// arena hands out argument slices to function calls; functions never keep them, so
	// the space is reused for the next call and the next record (see Reset).
	arena []any
	off   int

	// memo holds the values of the Scope's paths for this record: memo[id] is current
	// when memoGen[id] == gen.
	memo    []any
	memoGen []uint32
	gen     uint32
}

// Reset prepares e for another record with the same settings, keeping its buffers.
//
// Argument and memo slots are overwritten, not cleared: clearing them cost more than the
// rest of Reset (pointer writes with GC barriers), and they keep at most one record's
// values alive.
func (e *Env) Reset(root map[string]any) {
	e.off = 0
	e.Root = root
	e.gen++
	if e.gen == 0 { // wrapped: forget everything
		clear(e.memoGen)
		e.gen = 1
	}
}

func (e *Env) args(n int) []any {
	if e.off+n > len(e.arena) {
		// Outer calls keep their slices of the old array, which stays valid.
		e.arena = make([]any, max(64, 2*len(e.arena), n))
		e.off = 0
	}
	a := e.arena[e.off : e.off+n : e.off+n]
	e.off += n
	return a
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e *Env) rand() io.Reader {
	if e.Rand != nil {
		return e.Rand
	}
	return rand.Reader
}

// Program is a compiled expression. A Program is immutable and safe for concurrent use.
type Program struct {
	src   string
	root  node
	paths []string
}

// String returns the source text.
func (p *Program) String() string { return p.src }

// Paths returns the source paths the expression reads, in dotted form with "[]" for any
// index (e.g. "data.recipients[].device_id").
func (p *Program) Paths() []string { return append([]string(nil), p.paths...) }

// Compile parses src with the default function registry.
func Compile(src string) (*Program, error) { return DefaultRegistry().Compile(src) }

// Compile parses src, resolving function names in r. Unknown functions, wrong argument
// counts and unsupported functions are compile-time errors.
func (r *Registry) Compile(src string) (*Program, error) { return r.compile(src, nil) }

func (r *Registry) compile(src string, scope *Scope) (*Program, error) {
	if len(src) > MaxLength {
		return nil, &SyntaxError{Expr: src[:40] + "…", Pos: MaxLength + 1, Msg: fmt.Sprintf("expression longer than %d characters", MaxLength)}
	}
	p := &parser{src: src, funcs: r, scope: scope}
	if err := p.lex(); err != nil {
		return nil, err
	}
	n, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.errAt(t.pos, "unexpected %s after complete expression", describe(t))
	}
	return &Program{src: src, root: n, paths: p.paths}, nil
}

// Eval runs the program against env. An error means the expression failed for this record
// (AEP then nulls the target field and records a warning).
func (p *Program) Eval(env *Env) (any, error) {
	return p.root.eval(env)
}

// EvalError is a run-time failure of a function or operator.
type EvalError struct {
	Func string // function, method or operator
	Err  error
}

func (e *EvalError) Error() string { return e.Func + ": " + e.Err.Error() }
func (e *EvalError) Unwrap() error { return e.Err }

// ErrUnsupported marks functions ciosim recognises but does not implement.
var ErrUnsupported = errors.New("not supported")

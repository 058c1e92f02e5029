package expr

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/dlclark/regexp2"
)

// Cache holds compiled regular expressions shared by evaluations; the zero value is ready
// and it is safe for concurrent use. Put one in [Env.Cache] to avoid recompiling a regex
// for every record.
type Cache struct {
	m    sync.Map // regexes
	fmts sync.Map // *javatime.Formatter by pattern
}

// RegexTimeout bounds one regex match run by the backtracking engine: a pattern that
// backtracks for longer fails the expression (the field is nulled with a warning)
// instead of stalling the run.
const RegexTimeout = 100 * time.Millisecond

// javaRegex is a compiled Java pattern. A pattern Go's RE2 engine accepts runs there:
// linear time, and \d \w \s ASCII as in Java. Only what RE2 lacks (backreferences,
// lookaround, atomic groups) runs on regexp2, a backtracking engine bounded by
// RegexTimeout.
type javaRegex struct {
	pat  string
	re   *regexp.Regexp // RE2: find
	full *regexp.Regexp // RE2: anchored, for matches()
	bt   *regexp2.Regexp
}

// regex compiles a pattern, caching it in the Env's Cache when it has one.
func (e *Env) regex(pat string) (*javaRegex, error) {
	if e.Cache == nil {
		return compileRegex(pat)
	}
	if re, ok := e.Cache.m.Load(pat); ok {
		return re.(*javaRegex), nil
	}
	re, err := compileRegex(pat)
	if err != nil {
		return nil, err
	}
	e.Cache.m.Store(pat, re)
	return re, nil
}

func compileRegex(pat string) (*javaRegex, error) {
	if re, err := regexp.Compile(pat); err == nil {
		return &javaRegex{pat: pat, re: re, full: regexp.MustCompile(`^(?:` + pat + `)$`)}, nil
	}
	bt, err := regexp2.Compile(pat, regexp2.None)
	if err != nil {
		return nil, fmt.Errorf("bad regex %q: %w", pat, err)
	}
	bt.MatchTimeout = RegexTimeout
	return &javaRegex{pat: pat, bt: bt}, nil
}

// matchErr words a regexp2 failure (a timeout) for the warning.
func (r *javaRegex) matchErr(err error) error {
	return fmt.Errorf("regex %q gave up after %v: %w", r.pat, RegexTimeout, err)
}

// matches reports whether the pattern matches all of s (Java's String.matches).
func (r *javaRegex) matches(s string) (bool, error) {
	if r.re != nil {
		return r.full.MatchString(s), nil
	}
	m, err := r.bt.FindStringMatch(s)
	for err == nil && m != nil {
		if m.Index == 0 && m.Length == len([]rune(s)) {
			return true, nil
		}
		m, err = r.bt.FindNextMatch(m)
	}
	if err != nil {
		return false, r.matchErr(err)
	}
	return false, nil
}

// find returns the first match and its groups (nil for a group that took no part), or nil.
func (r *javaRegex) find(s string) ([]any, error) {
	if r.re != nil {
		idx := r.re.FindStringSubmatchIndex(s)
		if idx == nil {
			return nil, nil
		}
		out := make([]any, len(idx)/2)
		for i := range out {
			if idx[2*i] >= 0 {
				out[i] = s[idx[2*i]:idx[2*i+1]]
			}
		}
		return out, nil
	}
	m, err := r.bt.FindStringMatch(s)
	if err != nil {
		return nil, r.matchErr(err)
	}
	if m == nil {
		return nil, nil
	}
	gs := m.Groups()
	out := make([]any, len(gs))
	for i, g := range gs {
		if len(g.Captures) > 0 {
			out[i] = g.String()
		}
	}
	return out, nil
}

// split is Java's String.split(regex): a zero-width match at the start gives no leading
// empty part, and trailing empty parts are removed.
func (r *javaRegex) split(s string) ([]string, error) {
	var spans [][2]int // byte offsets of the matches
	if r.re != nil {
		for _, m := range r.re.FindAllStringIndex(s, -1) {
			spans = append(spans, [2]int{m[0], m[1]})
		}
	} else {
		rs := []rune(s)
		off := make([]int, len(rs)+1) // rune index → byte offset
		for i, b := 0, 0; i < len(rs); i++ {
			off[i] = b
			b += utf8.RuneLen(rs[i])
			off[i+1] = b
		}
		m, err := r.bt.FindStringMatch(s)
		for ; err == nil && m != nil; m, err = r.bt.FindNextMatch(m) {
			spans = append(spans, [2]int{off[m.Index], off[m.Index+m.Length]})
		}
		if err != nil {
			return nil, r.matchErr(err)
		}
	}
	var parts []string
	index := 0
	for _, m := range spans {
		if index == 0 && m[0] == 0 && m[1] == 0 {
			continue
		}
		parts = append(parts, s[index:m[0]])
		index = m[1]
	}
	if index == 0 {
		return []string{s}, nil
	}
	parts = append(parts, s[index:])
	for len(parts) > 0 && parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	return parts, nil
}

func truthy(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case string:
		return v != ""
	case int64:
		return v != 0
	case float64:
		return v != 0
	}
	return true
}

func equal(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	if af, ok := toNumberStrict(a); ok {
		if bf, ok := toNumberStrict(b); ok {
			return af == bf
		}
		if bs, ok := b.(string); ok {
			if bf, err := strconv.ParseFloat(bs, 64); err == nil {
				return af == bf
			}
		}
		return false
	}
	switch a := a.(type) {
	case string:
		if bs, ok := b.(string); ok {
			return a == bs
		}
		if bf, ok := toNumberStrict(b); ok {
			af, err := strconv.ParseFloat(a, 64)
			return err == nil && af == bf
		}
		if bb, ok := b.(bool); ok {
			return a == strconv.FormatBool(bb)
		}
		return false
	case bool:
		if bb, ok := b.(bool); ok {
			return a == bb
		}
		if bs, ok := b.(string); ok {
			return bs == strconv.FormatBool(a)
		}
		return false
	case time.Time:
		if bt, ok := b.(time.Time); ok {
			return a.Equal(bt)
		}
		return false
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func compare(a, b any) (int, error) {
	if a == nil || b == nil {
		return 0, fmt.Errorf("cannot compare %s with %s", show(a), show(b))
	}
	if af, ok := toNumberStrict(a); ok {
		bf, ok := toNumber(b)
		if !ok {
			return 0, fmt.Errorf("cannot compare %s with %s", show(a), show(b))
		}
		return cmpF(af, bf), nil
	}
	if as, ok := a.(string); ok {
		if bs, ok := b.(string); ok {
			return strings.Compare(as, bs), nil
		}
		if bf, ok := toNumberStrict(b); ok {
			af, err := strconv.ParseFloat(as, 64)
			if err == nil {
				return cmpF(af, bf), nil
			}
		}
	}
	if at, ok := a.(time.Time); ok {
		if bt, ok := b.(time.Time); ok {
			return at.Compare(bt), nil
		}
	}
	return 0, fmt.Errorf("cannot compare %s with %s", show(a), show(b))
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func toNumberStrict(v any) (float64, bool) {
	switch v := v.(type) {
	case int64:
		return float64(v), true
	case float64:
		return v, true
	case int:
		return float64(v), true
	}
	return 0, false
}

// toNumber accepts numbers and numeric strings.
func toNumber(v any) (float64, bool) {
	if f, ok := toNumberStrict(v); ok {
		return f, true
	}
	if s, ok := v.(string); ok {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		return f, err == nil
	}
	return 0, false
}

func toFloat(v any) (float64, bool) { return toNumber(v) }

// toInt accepts integral numbers and integer strings.
func toInt(v any) (int64, bool) {
	switch v := v.(type) {
	case int64:
		return v, true
	case int:
		return int64(v), true
	case float64:
		// -2^63 is exact as a float; 2^63 is not an int64
		if v == math.Trunc(v) && v >= -(1<<63) && v < 1<<63 {
			return int64(v), true
		}
		return 0, false
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return i, err == nil
	}
	return 0, false
}

// ToString renders a value the way string concatenation sees it: numbers without a
// trailing ".0" when integral, dates in ISO 8601, objects and arrays as JSON, null as "null".
func ToString(v any) string { return toString(v) }

func toString(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return strconv.FormatInt(int64(v), 10)
		}
		return strconv.FormatFloat(v, 'f', -1, 64)
	case time.Time:
		return FormatTime(v)
	}
	b, err := json.Marshal(Normalize(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// FormatTime renders a date-time as ISO 8601 / RFC 3339, like Java's ZonedDateTime with
// fractional seconds only when present.
func FormatTime(t time.Time) string {
	return t.Format(time.RFC3339Nano)
}

// Normalize replaces time.Time values (recursively) by their RFC 3339 strings, so the value
// can be written as JSON.
func Normalize(v any) any {
	switch v := v.(type) {
	case time.Time:
		return FormatTime(v)
	case []any:
		// Always a copy, as for maps: the caller may write into what it gets (a mapping
		// destination with an index), and v may be the input event's own array, which must
		// stay as it is for later mappings and for mapping the same event again.
		out := make([]any, len(v))
		for i, el := range v {
			out[i] = Normalize(el)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, el := range v {
			out[k] = Normalize(el)
		}
		return out
	}
	return v
}

func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	}
	return typeName(v) + " " + toString(v)
}

func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int64, int:
		return "integer"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case time.Time:
		return "date-time"
	}
	return fmt.Sprintf("%T", v)
}

func sizeOf(v any) any {
	switch v := v.(type) {
	case nil:
		return int64(0)
	case string:
		return int64(len([]rune(v)))
	case []any:
		return int64(len(v))
	case map[string]any:
		return int64(len(v))
	}
	return int64(1)
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

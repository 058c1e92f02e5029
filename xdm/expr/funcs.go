package expr

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"math/big"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Registry is a set of functions an expression may call. It is immutable after
// construction and safe for concurrent use.
type Registry struct {
	funcs map[string]*funcDef
}

type funcDef struct {
	min, max    int // max < 0: variadic
	fn          func(*Env, []any) (any, error)
	unsupported string // non-empty: recognised but not implemented; the reason
}

// UnknownFunctionError reports a call to a function Data Prep does not have.
type UnknownFunctionError struct{ Name string }

func (e *UnknownFunctionError) Error() string { return fmt.Sprintf("unknown function %s()", e.Name) }

// UnsupportedFunctionError reports a Data Prep function that ciosim does not implement.
type UnsupportedFunctionError struct{ Name, Why string }

func (e *UnsupportedFunctionError) Error() string {
	return fmt.Sprintf("function %s() is not supported by ciosim (%s)", e.Name, e.Why)
}

func (e *UnsupportedFunctionError) Unwrap() error { return ErrUnsupported }

func (r *Registry) lookup(name string, nargs int) (*funcDef, error) {
	f, ok := r.funcs[name]
	if !ok {
		return nil, &UnknownFunctionError{Name: name}
	}
	if f.unsupported != "" {
		// AEP fails the expression for the record (the field is nulled with a warning);
		// ciosim does the same at run time instead of refusing the whole mapping set.
		return f, nil
	}
	if nargs < f.min || (f.max >= 0 && nargs > f.max) {
		want := strconv.Itoa(f.min)
		switch {
		case f.max < 0:
			want = "at least " + want
		case f.max != f.min:
			want = fmt.Sprintf("%d to %d", f.min, f.max)
		}
		return nil, fmt.Errorf("function %s() takes %s argument(s), got %d", name, want, nargs)
	}
	return f, nil
}

// Functions lists the names of every implemented function, sorted.
func (r *Registry) Functions() []string {
	var out []string
	for n, f := range r.funcs {
		if f.unsupported == "" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Unsupported lists the Data Prep functions ciosim recognises but does not implement.
func (r *Registry) Unsupported() []string {
	var out []string
	for n, f := range r.funcs {
		if f.unsupported != "" {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// DefaultRegistry returns the Data Prep function set. The value is shared and immutable.
func DefaultRegistry() *Registry { return defaultRegistry() }

var defaultRegistry = sync.OnceValue(newDefaultRegistry)

func newDefaultRegistry() *Registry {
	r := &Registry{funcs: map[string]*funcDef{}}
	add := func(name string, min, max int, fn func(*Env, []any) (any, error)) {
		r.funcs[name] = &funcDef{min: min, max: max, fn: fn}
	}
	no := func(why string, names ...string) {
		for _, n := range names {
			err := &UnsupportedFunctionError{Name: n, Why: why}
			r.funcs[n] = &funcDef{min: 0, max: -1, unsupported: why, fn: func(*Env, []any) (any, error) { return nil, err }}
		}
	}
	addStringFuncs(add)
	addDataFuncs(add)
	addDateFuncs(add)
	addUserAgentFuncs(add)
	no("Adobe Analytics source only", "aa_get_event_id", "aa_get_event_value", "aa_get_product_categories",
		"aa_get_product_names", "aa_get_product_quantities", "aa_get_product_prices", "aa_get_product_event_values",
		"aa_get_product_evars")
	no("destination dataflows only", "array_to_string", "filterArray", "transformArray", "flattenArray")
	no("Adobe does not publish how an ECID is derived from an FPID", "fpid_to_ecid")
	return r
}

// MaxStringLength bounds a string a function builds from sizes in the data (lpad, rpad,
// replacestr): 1 MiB, the largest streaming message AEP accepts. Beyond it the function
// fails and the field is nulled with a warning, instead of exhausting memory.
const MaxStringLength = 1 << 20

// maxBigDigits bounds the digits to_bigint parses.
const maxBigDigits = 10000

type adder func(name string, min, max int, fn func(*Env, []any) (any, error))

func str(v any) string {
	if v == nil {
		return ""
	}
	return toString(v)
}

func needInt(v any, what string) (int64, error) {
	i, ok := toInt(v)
	if !ok {
		return 0, fmt.Errorf("%s must be an integer, got %s", what, show(v))
	}
	return i, nil
}

func addStringFuncs(add adder) {
	add("concat", 0, -1, func(_ *Env, a []any) (any, error) {
		var b strings.Builder
		for _, v := range a {
			if v != nil {
				b.WriteString(toString(v))
			}
		}
		return b.String(), nil
	})
	// explode: "Splits the string based on a regex" (Java's String.split: trailing empty
	// parts dropped, inner ones kept).
	add("explode", 1, 2, func(e *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		sep := ","
		if len(a) > 1 && a[1] != nil {
			sep = str(a[1])
		}
		re, err := e.regex(sep)
		if err != nil {
			return nil, err
		}
		parts, err := re.split(str(a[0]))
		if err != nil {
			return nil, err
		}
		return strs(parts), nil
	})
	// split: "If you include multiple delimiters, the string will split on any of the
	// delimiters" and only non-empty parts are returned — Apache Commons'
	// StringUtils.split(str, separatorChars); no separator splits on whitespace.
	add("split", 2, 2, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		sep := str(a[1])
		isSep := func(r rune) bool { return strings.ContainsRune(sep, r) }
		if a[1] == nil || sep == "" {
			isSep = unicode.IsSpace
		}
		return strs(strings.FieldsFunc(str(a[0]), isSep)), nil
	})
	add("instr", 2, 4, func(_ *Env, a []any) (any, error) {
		if a[0] == nil || a[1] == nil {
			return nil, nil
		}
		s, sub := []rune(str(a[0])), str(a[1])
		start, occ := int64(0), int64(1)
		var err error
		if len(a) > 2 {
			if start, err = needInt(a[2], "start"); err != nil {
				return nil, err
			}
		}
		if len(a) > 3 {
			if occ, err = needInt(a[3], "occurrence"); err != nil {
				return nil, err
			}
		}
		if start < 0 || start > int64(len(s)) || occ < 1 {
			return int64(-1), nil
		}
		pos := int(start)
		for {
			i := strings.Index(string(s[pos:]), sub)
			if i < 0 {
				return int64(-1), nil
			}
			idx := pos + len([]rune(string(s[pos:])[:i]))
			occ--
			if occ == 0 {
				return int64(idx), nil
			}
			pos = idx + 1
			if pos > len(s) {
				return int64(-1), nil
			}
		}
	})
	add("replacestr", 3, 3, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		in, find, repl := str(a[0]), str(a[1]), str(a[2])
		if n := strings.Count(in, find); len(repl) > len(find) && int64(len(in))+int64(n)*int64(len(repl)-len(find)) > MaxStringLength {
			return nil, fmt.Errorf("the result would be longer than ciosim's limit of %d characters for a string", MaxStringLength)
		}
		return strings.ReplaceAll(in, find, repl), nil
	})
	add("substr", 2, 3, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		s := []rune(str(a[0]))
		start, err := needInt(a[1], "start")
		if err != nil {
			return nil, err
		}
		end := int64(len(s))
		if len(a) > 2 {
			n, err := needInt(a[2], "length")
			if err != nil {
				return nil, err
			}
			end = min(start+n, end)
		}
		if start < 0 || start > int64(len(s)) || end < start {
			return nil, fmt.Errorf("start %d out of range for a string of %d characters", start, len(s))
		}
		return string(s[start:end]), nil
	})
	for _, n := range []string{"lower", "lcase"} {
		add(n, 1, 1, func(_ *Env, a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			return strings.ToLower(str(a[0])), nil
		})
	}
	for _, n := range []string{"upper", "ucase"} {
		add(n, 1, 1, func(_ *Env, a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			return strings.ToUpper(str(a[0])), nil
		})
	}
	add("join", 2, -1, func(_ *Env, a []any) (any, error) {
		var parts []string
		for _, v := range a[1:] {
			if arr, ok := v.([]any); ok {
				for _, el := range arr {
					if el != nil {
						parts = append(parts, toString(el))
					}
				}
			} else if v != nil {
				parts = append(parts, toString(v))
			}
		}
		return strings.Join(parts, str(a[0])), nil
	})
	pad := func(left bool) func(*Env, []any) (any, error) {
		return func(_ *Env, a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			s := []rune(str(a[0]))
			n, err := needInt(a[1], "count")
			if err != nil {
				return nil, err
			}
			p := []rune(str(a[2]))
			if len(p) == 0 {
				p = []rune(" ")
			}
			if int64(len(s)) >= n {
				return string(s), nil
			}
			if n > MaxStringLength {
				return nil, fmt.Errorf("count %d is longer than ciosim's limit of %d characters for a string", n, MaxStringLength)
			}
			fill := make([]rune, 0, n-int64(len(s)))
			for int64(len(fill)) < n-int64(len(s)) {
				fill = append(fill, p[len(fill)%len(p)])
			}
			if left {
				return string(fill) + string(s), nil
			}
			return string(s) + string(fill), nil
		}
	}
	add("lpad", 3, 3, pad(true))
	add("rpad", 3, 3, pad(false))
	side := func(left bool) func(*Env, []any) (any, error) {
		return func(_ *Env, a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			s := []rune(str(a[0]))
			n, err := needInt(a[1], "count")
			if err != nil {
				return nil, err
			}
			n = max(0, min(n, int64(len(s))))
			if left {
				return string(s[:n]), nil
			}
			return string(s[int64(len(s))-n:]), nil
		}
	}
	add("left", 2, 2, side(true))
	add("right", 2, 2, side(false))
	trim := func(f func(string) string) func(*Env, []any) (any, error) {
		return func(_ *Env, a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			return f(str(a[0])), nil
		}
	}
	add("trim", 1, 1, trim(strings.TrimSpace))
	add("ltrim", 1, 1, trim(func(s string) string { return strings.TrimLeft(s, " \t\r\n") }))
	add("rtrim", 1, 1, trim(func(s string) string { return strings.TrimRight(s, " \t\r\n") }))

	// Regex
	// extract_regex: the first match (Matcher.find) and its groups; a group that took
	// no part in the match is null.
	add("extract_regex", 2, 2, func(e *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		pat := str(a[1])
		re, err := e.regex(pat)
		if err != nil {
			return nil, err
		}
		return re.find(str(a[0]))
	})
	// matches_regex: the whole string must match (Java's String.matches).
	add("matches_regex", 2, 2, func(e *Env, a []any) (any, error) {
		if a[0] == nil {
			return false, nil
		}
		pat := str(a[1])
		re, err := e.regex(pat)
		if err != nil {
			return nil, err
		}
		return re.matches(str(a[0]))
	})

	// Hashing: lowercase hex of the input encoded in CHARSET (default UTF-8).
	hashFn := func(h func() hash.Hash) func(*Env, []any) (any, error) {
		return func(_ *Env, a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			cs := "UTF-8"
			if len(a) > 1 && a[1] != nil {
				cs = str(a[1])
			}
			b, err := encodeCharset(str(a[0]), cs)
			if err != nil {
				return nil, err
			}
			hh := h()
			hh.Write(b)
			return hex.EncodeToString(hh.Sum(nil)), nil
		}
	}
	add("sha1", 1, 2, hashFn(sha1.New))
	add("sha256", 1, 2, hashFn(sha256.New))
	add("sha512", 1, 2, hashFn(sha512.New))
	add("md5", 1, 2, hashFn(md5.New))
	add("crc32", 1, 2, hashFn(func() hash.Hash { return crc32.NewIEEE() }))

	// URL
	parse := func(v any) (*url.URL, error) {
		u, err := url.Parse(str(v))
		if err != nil {
			return nil, err
		}
		return u, nil
	}
	add("get_url_protocol", 1, 1, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		u, err := parse(a[0])
		if err != nil || u.Scheme == "" {
			return nil, err
		}
		return u.Scheme, nil
	})
	add("get_url_host", 1, 1, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		u, err := parse(a[0])
		if err != nil || u.Hostname() == "" {
			return nil, err
		}
		return u.Hostname(), nil
	})
	add("get_url_port", 1, 1, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		u, err := parse(a[0])
		if err != nil {
			return nil, err
		}
		if p := u.Port(); p != "" {
			n, _ := strconv.ParseInt(p, 10, 64)
			return n, nil
		}
		if p, ok := defaultPorts[strings.ToLower(u.Scheme)]; ok {
			return p, nil
		}
		return nil, nil
	})
	add("get_url_path", 1, 2, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		u, err := parse(a[0])
		if err != nil {
			return nil, err
		}
		p := u.EscapedPath()
		if len(a) > 1 && truthy(a[1]) {
			if u.RawQuery != "" {
				p += "?" + u.RawQuery
			}
			if u.Fragment != "" {
				p += "#" + u.EscapedFragment()
			}
		}
		return p, nil
	})
	add("get_url_query_str", 2, 2, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		u, err := parse(a[0])
		if err != nil {
			return nil, err
		}
		mode := strings.ToLower(str(a[1]))
		out := map[string]any{}
		pairs := strings.Split(u.RawQuery, "&")
		for i, kv := range pairs {
			if kv == "" {
				continue
			}
			k, v, _ := strings.Cut(kv, "=")
			k, _ = url.QueryUnescape(k)
			v, _ = url.QueryUnescape(v)
			if i == len(pairs)-1 && mode == "retain" && u.Fragment != "" {
				v += "#" + u.Fragment
			}
			out[k] = v
		}
		switch mode {
		case "retain", "remove":
		case "append":
			if u.Fragment != "" {
				out["_anchor_"] = u.Fragment
			}
		default:
			return nil, fmt.Errorf("anchor option must be retain, remove or append, got %q", mode)
		}
		return out, nil
	})
	add("get_url_encoded", 1, 1, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		return url.QueryEscape(str(a[0])), nil
	})
	add("get_url_decoded", 1, 1, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		return url.QueryUnescape(str(a[0]))
	})
}

var defaultPorts = map[string]int64{"http": 80, "https": 443, "ftp": 21, "sftp": 22, "ssh": 22, "ws": 80, "wss": 443}

func encodeCharset(s, cs string) ([]byte, error) {
	switch strings.ToUpper(cs) {
	case "UTF-8", "UTF8":
		return []byte(s), nil
	case "UTF-16":
		// Java's UTF-16 encoder writes a big-endian byte-order mark first.
		u := utf16.Encode([]rune(s))
		b := []byte{0xFE, 0xFF}
		for _, c := range u {
			b = append(b, byte(c>>8), byte(c))
		}
		return b, nil
	case "ISO-8859-1":
		return charmap.ISO8859_1.NewEncoder().Bytes([]byte(s))
	case "US-ASCII":
		b := make([]byte, 0, len(s))
		for _, r := range s {
			if r > 127 {
				r = '?'
			}
			b = append(b, byte(r))
		}
		return b, nil
	}
	return nil, fmt.Errorf("unsupported charset %q (use UTF-8, UTF-16, ISO-8859-1 or US-ASCII)", cs)
}

func strs(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func addDataFuncs(add adder) {
	// Objects
	add("is_empty", 1, 1, func(_ *Env, a []any) (any, error) { return isEmpty(a[0]), nil })
	add("empty", 1, 1, func(_ *Env, a []any) (any, error) { return isEmpty(a[0]), nil })
	add("size", 1, 1, func(_ *Env, a []any) (any, error) { return sizeOf(a[0]), nil })
	arraysToObject := func(_ *Env, a []any) (any, error) {
		if len(a)%2 != 0 {
			return nil, errors.New("needs key/array pairs")
		}
		n := 0
		for i := 1; i < len(a); i += 2 {
			arr, ok := a[i].([]any)
			if !ok && a[i] != nil {
				return nil, fmt.Errorf("argument %d must be an array, got %s", i+1, show(a[i]))
			}
			n = max(n, len(arr))
		}
		out := make([]any, n)
		for j := range n {
			obj := map[string]any{}
			for i := 0; i < len(a); i += 2 {
				arr, _ := a[i+1].([]any)
				if j < len(arr) {
					obj[str(a[i])] = arr[j]
				}
			}
			out[j] = obj
		}
		return out, nil
	}
	add("arrays_to_object", 2, -1, arraysToObject)
	add("arrays_to_objects", 2, -1, arraysToObject)
	pairs := func(_ *Env, a []any) (any, error) {
		if len(a)%2 != 0 {
			return nil, errors.New("needs key/value pairs")
		}
		out := make(map[string]any, len(a)/2)
		for i := 0; i < len(a); i += 2 {
			if a[i] == nil {
				return nil, fmt.Errorf("key %d is null", i/2+1)
			}
			if a[i+1] != nil {
				out[str(a[i])] = a[i+1]
			}
		}
		return out, nil
	}
	add("to_object", 2, -1, pairs)
	add("to_map", 2, -1, pairs)
	add("str_to_object", 1, 3, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		vd, fd := ":", ","
		if len(a) > 1 {
			vd = str(a[1])
		}
		if len(a) > 2 {
			fd = str(a[2])
		}
		return strToObject(str(a[0]), vd, fd), nil
	})
	add("get_values", 3, 4, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		fd := ","
		if len(a) > 3 {
			fd = str(a[3])
		}
		return strToObject(str(a[0]), str(a[2]), fd)[str(a[1])], nil
	})
	// contains_key("evars.evar.field1"): "Checks if the object exists within the source
	// data" — the argument is a path (dots separate names, \\. is a literal dot, ${} wraps a
	// name) looked up in the source record; a key present with a null value exists.
	present := func(e *Env, a []any) (any, error) {
		p, ok := a[0].(string)
		if !ok {
			return false, nil
		}
		return pathExists(e.Root, p), nil
	}
	add("contains_key", 1, 1, present)
	add("is_set", 1, 1, present)
	add("nullify", 0, 0, func(*Env, []any) (any, error) { return nil, nil })
	add("get_keys", 1, 1, func(_ *Env, a []any) (any, error) {
		m, ok := a[0].(map[string]any)
		if !ok {
			return nil, nil
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		return strs(keys), nil
	})

	// Maps
	keysOf := func(v any) []string {
		if arr, ok := v.([]any); ok {
			var ks []string
			for _, k := range arr {
				ks = append(ks, str(k))
			}
			return ks
		}
		return []string{str(v)}
	}
	add("map_get_values", 2, 2, func(_ *Env, a []any) (any, error) {
		m, ok := a[0].(map[string]any)
		if !ok {
			return nil, nil
		}
		if _, many := a[1].([]any); !many {
			return m[str(a[1])], nil
		}
		out := map[string]any{}
		for _, k := range keysOf(a[1]) {
			if v, ok := m[k]; ok {
				out[k] = v
			}
		}
		return out, nil
	})
	add("map_has_keys", 2, 2, func(_ *Env, a []any) (any, error) {
		m, ok := a[0].(map[string]any)
		if !ok {
			return false, nil
		}
		for _, k := range keysOf(a[1]) {
			if _, ok := m[k]; !ok {
				return false, nil
			}
		}
		return true, nil
	})
	add("add_to_map", 1, -1, func(_ *Env, a []any) (any, error) {
		out := map[string]any{}
		for i, v := range a {
			m, ok := v.(map[string]any)
			if !ok {
				if v == nil {
					continue
				}
				return nil, fmt.Errorf("argument %d must be a map, got %s", i+1, show(v))
			}
			for k, x := range m {
				if _, seen := out[k]; !seen {
					out[k] = x
				}
			}
		}
		return out, nil
	})
	byKey := func(arr []any, key string) map[string]any {
		out := map[string]any{}
		for _, el := range arr {
			if m, ok := el.(map[string]any); ok && m[key] != nil {
				out[toString(m[key])] = m
			}
		}
		return out
	}
	add("object_to_map", 1, -1, func(e *Env, a []any) (any, error) {
		switch v := a[0].(type) {
		case map[string]any:
			if len(a) == 1 {
				return v, nil
			}
		case []any:
			if len(a) == 2 {
				return byKey(v, str(a[1])), nil
			}
		}
		return pairs(e, a)
	})
	add("array_to_map", 2, 2, func(_ *Env, a []any) (any, error) {
		arr, ok := a[0].([]any)
		if !ok {
			return nil, nil
		}
		return byKey(arr, str(a[1])), nil
	})

	// Arrays
	add("coalesce", 1, -1, func(_ *Env, a []any) (any, error) {
		for _, v := range a {
			if v != nil {
				return v, nil
			}
		}
		return nil, nil
	})
	items := func(a []any) []any {
		if len(a) == 1 {
			if arr, ok := a[0].([]any); ok {
				return arr
			}
		}
		return a
	}
	add("first", 1, -1, func(_ *Env, a []any) (any, error) {
		if it := items(a); len(it) > 0 {
			return it[0], nil
		}
		return nil, nil
	})
	add("last", 1, -1, func(_ *Env, a []any) (any, error) {
		if it := items(a); len(it) > 0 {
			return it[len(it)-1], nil
		}
		return nil, nil
	})
	add("add_to_array", 1, -1, func(_ *Env, a []any) (any, error) {
		base, _ := a[0].([]any)
		out := append(slices.Clone(base), a[1:]...)
		return out, nil
	})
	add("join_arrays", 1, -1, func(_ *Env, a []any) (any, error) {
		out := []any{}
		for _, v := range a {
			if arr, ok := v.([]any); ok {
				out = append(out, arr...)
			} else if v != nil {
				out = append(out, v)
			}
		}
		return out, nil
	})
	add("to_array", 1, -1, func(_ *Env, a []any) (any, error) {
		incl := truthy(a[0])
		out := []any{}
		for _, v := range a[1:] {
			if v != nil || incl {
				out = append(out, v)
			}
		}
		return out, nil
	})
	add("size_of", 1, 1, func(_ *Env, a []any) (any, error) { return sizeOf(a[0]), nil })
	passArray := func(_ *Env, a []any) (any, error) { return a[0], nil }
	add("upsert_array_append", 1, 1, passArray)
	add("upsert_array_replace", 1, 2, passArray) // the documented example passes an index too

	// Logic
	add("decode", 3, -1, func(_ *Env, a []any) (any, error) {
		key := a[0]
		rest := a[1:]
		for i := 0; i+1 < len(rest); i += 2 {
			if equal(key, rest[i]) {
				return rest[i+1], nil
			}
		}
		if len(rest)%2 == 1 {
			return rest[len(rest)-1], nil
		}
		return nil, nil
	})
	add("iif", 3, 3, func(_ *Env, a []any) (any, error) {
		if truthy(a[0]) {
			return a[1], nil
		}
		return a[2], nil
	})

	// Aggregation
	agg := func(less bool) func(*Env, []any) (any, error) {
		return func(_ *Env, a []any) (any, error) {
			var best any
			for _, v := range items(a) {
				if v == nil {
					continue
				}
				if best == nil {
					best = v
					continue
				}
				c, err := compare(v, best)
				if err != nil {
					return nil, err
				}
				if (less && c < 0) || (!less && c > 0) {
					best = v
				}
			}
			return best, nil
		}
	}
	add("min", 1, -1, agg(true))
	add("max", 1, -1, agg(false))

	// Type conversion
	// to_bigint: Java's new BigInteger(String): any number of digits, no fraction (the
	// documented to_bigint("1000000.34") → 1000000.34 is not what BigInteger does).
	add("to_bigint", 1, 1, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		if i, ok := toInt(a[0]); ok {
			return i, nil
		}
		if b, ok := a[0].(*big.Int); ok {
			return b, nil
		}
		s, ok := a[0].(string)
		if ok && len(s) <= maxBigDigits {
			if b, ok := new(big.Int).SetString(s, 10); ok && !strings.HasPrefix(s, "_") {
				if b.IsInt64() {
					return b.Int64(), nil
				}
				return b, nil
			}
		}
		return nil, fmt.Errorf("%s is not an integer", show(a[0]))
	})
	add("to_integer", 1, 1, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		i, ok := toInt(a[0])
		if !ok || i > math.MaxInt32 || i < math.MinInt32 {
			return nil, fmt.Errorf("%s is not a 32-bit integer", show(a[0]))
		}
		return i, nil
	})
	toF := func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		f, ok := toNumber(a[0])
		if !ok {
			return nil, fmt.Errorf("%s is not a number", show(a[0]))
		}
		return f, nil
	}
	add("to_decimal", 1, 1, toF)
	add("to_float", 1, 1, toF)

	// JSON
	add("json_to_object", 1, 1, func(_ *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		var v any
		if err := json.Unmarshal([]byte(str(a[0])), &v); err != nil {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		return FromJSON(v), nil
	})

	// Special
	uuid := func(e *Env, _ []any) (any, error) {
		var b [16]byte
		if _, err := io.ReadFull(e.rand(), b[:]); err != nil {
			return nil, err
		}
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		h := hex.EncodeToString(b[:])
		return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
	}
	add("uuid", 0, 0, uuid)
	add("guid", 0, 0, uuid)
}

func strToObject(s, vd, fd string) map[string]any {
	out := map[string]any{}
	if fd == "" || vd == "" {
		return out
	}
	for _, f := range strings.Split(s, fd) {
		k, v, ok := strings.Cut(f, vd)
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if _, seen := out[k]; !seen {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// FromJSON converts the output of encoding/json (float64 numbers) to expression values,
// turning integral numbers into int64.
func FromJSON(v any) any {
	switch v := v.(type) {
	case float64:
		if v == math.Trunc(v) && math.Abs(v) <= 1<<53 {
			return int64(v)
		}
		return v
	case []any:
		for i, el := range v {
			v[i] = FromJSON(el)
		}
		return v
	case map[string]any:
		for k, el := range v {
			v[k] = FromJSON(el)
		}
		return v
	}
	return v
}

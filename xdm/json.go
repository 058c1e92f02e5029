package xdm

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/ciosim/ciosim/internal/jsonstr"
)

// This file holds a small JSON decoder and encoder specialised for the values the mapper
// handles (map[string]any, []any, string, int64, float64, bool, nil). encoding/json spent
// about half of Map's time in reflection and key sorting; these produce the same values and
// the same bytes (checked against encoding/json in tests and by fuzzing). On any syntax
// error the decoder defers to encoding/json for its error message.

// decodeObject parses b, which must hold one JSON object (surrounding space allowed).
func decodeObject(b []byte) (map[string]any, error) {
	// Strings without escapes are slices of one copy of the whole input: one allocation
	// per event instead of one per key and value.
	d := decoder{b: b, s: string(b)}
	d.space()
	if d.i >= len(d.b) || d.b[d.i] != '{' {
		return nil, slowErr(b)
	}
	v, ok := d.value(0)
	if !ok {
		return nil, slowErr(b)
	}
	d.space()
	if d.i != len(d.b) {
		return nil, slowErr(b)
	}
	return v.(map[string]any), nil
}

func slowErr(b []byte) error {
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v == nil {
		return errors.New("null")
	}
	return errors.New("invalid JSON")
}

type decoder struct {
	b []byte
	s string // b as a string, to slice strings from
	i int
	// bx, when set, boxes the strings and integers decoded (the plan's scanner sets it).
	bx *boxes
}

const maxDepth = 10000

func (d *decoder) space() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

func (d *decoder) value(depth int) (any, bool) {
	if depth > maxDepth {
		return nil, false
	}
	d.space()
	if d.i >= len(d.b) {
		return nil, false
	}
	switch c := d.b[d.i]; {
	case c == '{':
		d.i++
		m := make(map[string]any, 8)
		d.space()
		if d.i < len(d.b) && d.b[d.i] == '}' {
			d.i++
			return m, true
		}
		for {
			d.space()
			if d.i >= len(d.b) || d.b[d.i] != '"' {
				return nil, false
			}
			k, ok := d.str()
			if !ok {
				return nil, false
			}
			d.space()
			if d.i >= len(d.b) || d.b[d.i] != ':' {
				return nil, false
			}
			d.i++
			v, ok := d.value(depth + 1)
			if !ok {
				return nil, false
			}
			m[k] = v
			d.space()
			if d.i >= len(d.b) {
				return nil, false
			}
			if d.b[d.i] == ',' {
				d.i++
				continue
			}
			if d.b[d.i] == '}' {
				d.i++
				return m, true
			}
			return nil, false
		}
	case c == '[':
		d.i++
		a := make([]any, 0, 4)
		d.space()
		if d.i < len(d.b) && d.b[d.i] == ']' {
			d.i++
			return a, true
		}
		for {
			v, ok := d.value(depth + 1)
			if !ok {
				return nil, false
			}
			a = append(a, v)
			d.space()
			if d.i >= len(d.b) {
				return nil, false
			}
			if d.b[d.i] == ',' {
				d.i++
				continue
			}
			if d.b[d.i] == ']' {
				d.i++
				return a, true
			}
			return nil, false
		}
	case c == '"':
		s, ok := d.str()
		if d.bx != nil && ok {
			return d.bx.str(s), true
		}
		return s, ok
	case c == 't':
		return true, d.lit("true")
	case c == 'f':
		return false, d.lit("false")
	case c == 'n':
		return nil, d.lit("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.num()
	}
	return nil, false
}

func (d *decoder) lit(s string) bool {
	if len(d.b)-d.i >= len(s) && string(d.b[d.i:d.i+len(s)]) == s {
		d.i += len(s)
		return true
	}
	return false
}

// numSyntax passes over a number's JSON syntax from d.i (a '-' or digit), saying whether it
// has neither fraction nor exponent; false when the syntax is broken. Ranges are the
// callers' business.
func (d *decoder) numSyntax() (isInt, ok bool) {
	if d.b[d.i] == '-' {
		d.i++
	}
	if d.i >= len(d.b) {
		return false, false
	}
	if d.b[d.i] == '0' {
		d.i++
	} else if d.b[d.i] >= '1' && d.b[d.i] <= '9' {
		d.digits()
	} else {
		return false, false
	}
	isInt = true
	if d.i < len(d.b) && d.b[d.i] == '.' {
		isInt = false
		d.i++
		if d.digits() == 0 {
			return false, false
		}
	}
	if d.i < len(d.b) && (d.b[d.i] == 'e' || d.b[d.i] == 'E') {
		isInt = false
		d.i++
		if d.i < len(d.b) && (d.b[d.i] == '+' || d.b[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return false, false
		}
	}
	return isInt, true
}

// digits passes over ASCII digits and says how many.
func (d *decoder) digits() int {
	n := d.i
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		d.i++
	}
	return d.i - n
}

func (d *decoder) num() (any, bool) {
	start := d.i
	isInt, ok := d.numSyntax()
	if !ok {
		return nil, false
	}
	s := d.s[start:d.i]
	if isInt {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			if d.bx != nil {
				return d.bx.int(n), true
			}
			return n, true
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// out of range: encoding/json rejects it too
		return nil, false
	}
	return f, true
}

// str reads a string starting at the opening quote.
func (d *decoder) str() (string, bool) {
	d.i++
	start := d.i
	// fast path: no escapes, ASCII or valid UTF-8
	for d.i < len(d.b) {
		if d.i = jsonstr.SkipPlain(d.b, d.i); d.i >= len(d.b) {
			break
		}
		c := d.b[d.i]
		if c == '"' {
			s := d.s[start:d.i]
			d.i++
			if !utf8.ValidString(s) {
				return string([]rune(s)), true // invalid bytes become U+FFFD, as encoding/json does
			}
			return s, true
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", false
		}
		d.i++
	}
	buf := append([]byte(nil), d.b[start:d.i]...)
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			if !utf8.Valid(buf) {
				return string([]rune(string(buf))), true
			}
			return string(buf), true
		case c < 0x20:
			return "", false
		case c == '\\':
			if d.i+1 >= len(d.b) {
				return "", false
			}
			e := d.b[d.i+1]
			d.i += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := d.hex4()
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if d.i+1 < len(d.b) && d.b[d.i] == '\\' && d.b[d.i+1] == 'u' {
						save := d.i
						d.i += 2
						var ok2 bool
						r2, ok2 = d.hex4()
						if !ok2 {
							return "", false
						}
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							buf = utf8.AppendRune(buf, dec)
							continue
						}
						d.i = save
					}
					r = utf8.RuneError
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", false
			}
		default:
			buf = append(buf, c)
			d.i++
		}
	}
	return "", false
}

func (d *decoder) hex4() (rune, bool) {
	if d.i+4 > len(d.b) {
		return 0, false
	}
	var r rune
	for _, c := range d.b[d.i : d.i+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	d.i += 4
	return r, true
}

// appendJSON writes v as compact JSON with sorted object keys and no HTML escaping, byte
// for byte what encoding/json's Encoder with SetEscapeHTML(false) writes.
func appendJSON(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case float64:
		return appendFloat(b, x)
	case map[string]any:
		if len(x) == 0 {
			return append(b, "{}"...), nil
		}
		var arr [32]string
		keys := arr[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendJSON(b, x[k]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, el := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendJSON(b, el); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	j, err := marshalStd(v)
	if err != nil {
		return nil, err
	}
	return append(b, j...), nil
}

func appendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("json: unsupported value: %s", strconv.FormatFloat(f, 'g', -1, 64))
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

// appendString writes s as encoding/json does with SetEscapeHTML(false).
func appendString(b []byte, s string) []byte { return jsonstr.Append(b, s, jsonstr.Plain) }

func marshal(v any) ([]byte, error) {
	return appendJSON(make([]byte, 0, 1024), v)
}

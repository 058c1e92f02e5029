package generator

import (
	"strconv"
	"unicode/utf8"
)

// object builds one JSON object with keys in sorted order, compact, the way Customer.io's
// Go sender writes its bodies. Values are appended to a shared scratch buffer and the keys
// are sorted once at the end, so building an event costs few allocations.
type object struct {
	buf  []byte
	keys []kv
}

type kv struct {
	key        string
	start, end int
}

func (o *object) reset() {
	o.buf = o.buf[:0]
	o.keys = o.keys[:0]
}

func (o *object) mark(key string, start int) {
	o.keys = append(o.keys, kv{key: key, start: start, end: len(o.buf)})
}

func (o *object) str(key, v string) {
	s := len(o.buf)
	o.buf = appendJSONString(o.buf, v)
	o.mark(key, s)
}

func (o *object) int(key string, v int64) {
	s := len(o.buf)
	o.buf = strconv.AppendInt(o.buf, v, 10)
	o.mark(key, s)
}

func (o *object) bool(key string, v bool) {
	s := len(o.buf)
	o.buf = strconv.AppendBool(o.buf, v)
	o.mark(key, s)
}

func (o *object) null(key string) {
	s := len(o.buf)
	o.buf = append(o.buf, "null"...)
	o.mark(key, s)
}

// raw adds an already-encoded JSON value.
func (o *object) raw(key string, v []byte) {
	s := len(o.buf)
	o.buf = append(o.buf, v...)
	o.mark(key, s)
}

// has reports whether key was already added.
func (o *object) has(key string) bool {
	for _, k := range o.keys {
		if k.key == key {
			return true
		}
	}
	return false
}

// appendTo writes the object, keys sorted, to dst. Keys are the generator's own field names,
// which need no escaping; an object has a dozen at most, so an insertion sort is quickest.
func (o *object) appendTo(dst []byte) []byte {
	keys := o.keys
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j].key < keys[j-1].key; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, k.key...)
		dst = append(dst, '"', ':')
		dst = append(dst, o.buf[k.start:k.end]...)
	}
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaping like encoding/json (including
// <, > and & as \u003c etc., which Go's sender does) so bodies look like real ones.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Package jsonstr appends Go strings as JSON strings, byte for byte as encoding/json writes
// them, without reflection or allocation. It is the one JSON string escaper of ciosim: the
// generator writes Customer.io bodies with it (HTML escaping on, as Customer.io's Go sender
// does), the XDM mapper and the recording store write with it.
package jsonstr

import (
	"encoding/binary"
	"unicode/utf8"
)

// Mode selects how Append escapes.
type Mode uint8

const (
	// Plain escapes as encoding/json's Encoder with SetEscapeHTML(false).
	Plain Mode = iota
	// HTML also escapes <, > and & as \u003c, \u003e and \u0026, as json.Marshal does.
	HTML
)

const hex = "0123456789abcdef"

// verbatim[mode][c] is true for the ASCII bytes written as they are in that mode.
var verbatim = func() (t [2][256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[Plain][c] = c != '"' && c != '\\'
		t[HTML][c] = t[Plain][c] && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// Append appends s to dst as a quoted JSON string. Invalid UTF-8 becomes \ufffd and
// U+2028/U+2029 are escaped, as encoding/json does.
func Append(dst []byte, s string, mode Mode) []byte {
	dst = append(dst, '"')
	ok := &verbatim[Plain]
	if mode != Plain {
		ok = &verbatim[HTML]
	}
	start := 0
	for i := 0; i < len(s); {
		if i+8 <= len(s) && verbatim8(s[i:i+8], mode) {
			i += 8
			continue
		}
		c := s[i]
		if ok[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
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
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
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
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// verbatim8 reports whether the 8 bytes of s are all written as they are in mode: eight
// bytes tested at once, the common case of ASCII text without quotes or controls.
func verbatim8(s string, mode Mode) bool {
	_ = s[7]
	x := uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
	if x&highs != 0 || (x-0x20*ones)&^x&highs != 0 {
		return false // a byte ≥ 0x80 or < 0x20 (exact for ASCII bytes)
	}
	if hasByte(x, '"') || hasByte(x, '\\') {
		return false
	}
	return mode == Plain || !(hasByte(x, '<') || hasByte(x, '>') || hasByte(x, '&'))
}

// hasByte reports whether one of x's bytes (all ASCII) is c.
func hasByte(x uint64, c byte) bool {
	y := x ^ (ones * uint64(c))
	return (y-ones)&^y&highs != 0
}

// SkipPlain returns the index of the first byte at or after i in b that a reader of a JSON
// string must look at (a quote, a backslash, a control byte or a byte of a non-ASCII
// character), or len(b): the bytes before it stand for themselves. Eight bytes are
// tested at once.
func SkipPlain(b []byte, i int) int {
	for i+8 <= len(b) {
		x := binary.LittleEndian.Uint64(b[i:])
		if x&highs != 0 || (x-0x20*ones)&^x&highs != 0 || hasByte(x, '"') || hasByte(x, '\\') {
			break
		}
		i += 8
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' {
			return i
		}
	}
	return i
}

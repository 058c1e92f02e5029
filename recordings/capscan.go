package recordings

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// scanCapture decodes a Recording JSONL line in one pass, the way ciosim writes them: the
// known members once each, strings, the headers object, the body kept as its raw bytes
// (validated afterwards by the event parser, the one pass over the body). raw is the body's
// slice of b when it was written raw (the caller copies it), nil for body_base64 (then
// c.Body is decoded already). ok is false for anything else — an unknown or repeated member,
// a null, a number that is not an integer, a timestamp that does not parse, a missing body —
// and the caller then decodes the line with encoding/json, which reports problems in its
// words; a line ok here decodes to the same Capture there (FuzzScanCapture checks it).
func scanCapture(b []byte) (c Capture, raw []byte, ok bool) {
	const (
		seenAt = 1 << iota
		seenMethod
		seenPath
		seenQuery
		seenHeaders
		seenDropped
		seenBody
		seenBase64
		seenSig
		seenReason
		seenRedacted
	)
	var seen int
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return c, nil, false
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return c, nil, false
	}
	var base64Body string
	for {
		key, end, esc := scanString(b, i)
		if end < 0 || esc {
			return c, nil, false
		}
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return c, nil, false
		}
		i = skipWS(b, i+1)
		var bit int
		switch string(key) {
		case "received_at":
			bit = seenAt
			var s string
			if s, i = stringValue(b, i); i < 0 {
				return c, nil, false
			}
			t, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return c, nil, false
			}
			c.ReceivedAt = t
		case "method":
			bit = seenMethod
			c.Method, i = stringValue(b, i)
		case "path":
			bit = seenPath
			c.Path, i = stringValue(b, i)
		case "query":
			bit = seenQuery
			c.Query, i = stringValue(b, i)
		case "signature":
			bit = seenSig
			c.Signature, i = stringValue(b, i)
		case "signature_reason":
			bit = seenReason
			c.SignatureReason, i = stringValue(b, i)
		case "body_base64":
			bit = seenBase64
			base64Body, i = stringValue(b, i)
		case "headers":
			bit = seenHeaders
			c.Headers, i = headersValue(b, i)
		case "headers_dropped":
			bit = seenDropped
			j := i
			for j < len(b) && (b[j] == '-' || b[j] >= '0' && b[j] <= '9') {
				j++
			}
			n, err := strconv.ParseInt(string(b[i:j]), 10, strconv.IntSize)
			if err != nil {
				return c, nil, false
			}
			c.HeadersDropped, i = int(n), j
		case "redacted":
			bit = seenRedacted
			switch {
			case hasLiteral(b, i, "true"):
				c.Redacted, i = true, i+4
			case hasLiteral(b, i, "false"):
				i += 5
			default:
				return c, nil, false
			}
		case "body":
			bit = seenBody
			end := skipRaw(b, i)
			if end <= i {
				return c, nil, false
			}
			raw, i = b[i:end:end], end
		default:
			return c, nil, false
		}
		if i < 0 || seen&bit != 0 {
			return c, nil, false
		}
		seen |= bit
		i = skipWS(b, i)
		if i >= len(b) {
			return c, nil, false
		}
		if b[i] == '}' {
			if skipWS(b, i+1) != len(b) {
				return c, nil, false
			}
			break
		}
		if b[i] != ',' {
			return c, nil, false
		}
		i = skipWS(b, i+1)
	}
	if seen&seenAt == 0 {
		return c, nil, false
	}
	switch {
	case base64Body != "":
		body, err := base64.StdEncoding.DecodeString(base64Body)
		if err != nil {
			return c, nil, false
		}
		c.Body, raw = body, nil
	case len(raw) == 0:
		return c, nil, false
	}
	return c, raw, true
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func hasLiteral(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

// scanString finds the JSON string starting at b[i] (a '"'): its content without quotes,
// the index past it, and whether it has escapes or bytes that are not valid UTF-8 (then the
// content must be decoded). end is -1 when there is no well-formed string there.
func scanString(b []byte, i int) (content []byte, end int, esc bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, -1, false
	}
	high := false
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			content = b[i+1 : j]
			if high && !utf8.Valid(content) {
				esc = true
			}
			return content, j + 1, esc
		case c == '\\':
			esc = true
			j++ // the escaped byte; decoding checks the escape itself
		case c < 0x20:
			return nil, -1, false
		case c >= 0x80:
			high = true
		}
	}
	return nil, -1, false
}

// stringValue decodes the JSON string at b[i]; the index is -1 when there is none.
func stringValue(b []byte, i int) (string, int) {
	content, end, esc := scanString(b, i)
	if end < 0 {
		return "", -1
	}
	if !esc {
		return string(content), end
	}
	var s string
	if json.Unmarshal(b[i:end], &s) != nil {
		return "", -1
	}
	return s, end
}

// headersValue decodes a JSON object of strings at b[i].
func headersValue(b []byte, i int) (map[string]string, int) {
	if i >= len(b) || b[i] != '{' {
		return nil, -1
	}
	h := map[string]string{}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == '}' {
		return h, i + 1
	}
	for {
		k, end := stringValue(b, i)
		if end < 0 {
			return nil, -1
		}
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return nil, -1
		}
		v, end := stringValue(b, skipWS(b, i+1))
		if end < 0 {
			return nil, -1
		}
		if _, dup := h[k]; dup {
			return nil, -1 // encoding/json's rules for repeated keys are its own
		}
		h[k] = v
		i = skipWS(b, end)
		if i >= len(b) {
			return nil, -1
		}
		switch b[i] {
		case '}':
			return h, i + 1
		case ',':
			i = skipWS(b, i+1)
		default:
			return nil, -1
		}
	}
}

// skipRaw returns the index just past the JSON value starting at b[i], following strings
// and nesting only: the value itself is validated by whoever parses it.
func skipRaw(b []byte, i int) int {
	depth := 0
	for j := i; j < len(b); j++ {
		switch c := b[j]; c {
		case '"':
			_, end, _ := scanString(b, j)
			if end < 0 {
				return -1
			}
			if depth == 0 {
				return end
			}
			j = end - 1
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth < 0 {
				return j // a scalar ended by the envelope's '}'
			}
			if depth == 0 {
				return j + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return j
			}
		}
	}
	if depth == 0 {
		return len(b)
	}
	return -1
}

// Package customerio models Customer.io Reporting Webhook events: the envelope, the catalog
// of object types, metrics and their data fields, validation against that catalog, and the
// X-CIO-Signature scheme. It knows nothing about XDM, HTTP servers or the terminal.
package customerio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/ciosim/ciosim/internal/jsonstr"
)

// Event is one Customer.io Reporting Webhook event: the JSON object Customer.io POSTs.
//
// An Event parsed with [Parse] keeps its exact input bytes, so [Event.Bytes] returns them
// unchanged: unknown fields, key order and whitespace survive a parse-then-write round trip,
// which replay depends on. The envelope fields are decoded for convenience; when they are
// missing or of the wrong JSON type they are left zero and [Event.Validate] reports why.
type Event struct {
	EventID    string
	ObjectType string
	Metric     string
	// Timestamp is the event time in Unix seconds (0 when absent or not an integer).
	Timestamp int64
	// Data is the raw "data" object, a sub-slice of the event's bytes.
	Data json.RawMessage

	raw []byte
	// other: a top-level member other than the five above was seen
	other bool
}

// OnlyEnvelope reports whether every top-level member of the event is one of event_id,
// object_type, metric, timestamp and data (a reader can then tell the event from a
// Recording JSONL capture, whose members are others, without looking further).
func (e Event) OnlyEnvelope() bool { return !e.other }

// ErrNotObject is returned by [Parse] when the input is valid JSON but not an object.
var ErrNotObject = errors.New("customerio: event is not a JSON object")

// SyntaxError reports malformed JSON with the byte offset where decoding stopped.
type SyntaxError struct {
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("customerio: invalid JSON at byte %d: %s", e.Offset, e.Msg)
}

// Parse decodes one event from b. The returned Event keeps a copy of b, so the caller may
// reuse b. Parse only rejects input that is not a single JSON object; field-level problems
// are left to [Event.Validate] so that odd but well-formed captures can still be replayed.
func Parse(b []byte) (Event, error) {
	trimmed := bytes.TrimSpace(b)
	if len(trimmed) == 0 {
		return Event{}, &SyntaxError{Offset: 0, Msg: "empty input"}
	}
	if b[0] == '{' {
		// The common case, an object with nothing before it: validate and find the
		// envelope in one pass. Anything it rejects takes the path below for the error.
		raw := bytes.Clone(b)
		e := Event{raw: raw}
		if validObject(raw[:len(trimmed)], e.setMember) {
			return e, nil
		}
	}
	if !validJSON(trimmed) {
		// Decode again to learn where and why it failed: json.Valid gives no position.
		var v any
		err := json.Unmarshal(trimmed, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return Event{}, &SyntaxError{Offset: se.Offset, Msg: se.Error()}
		}
		if err == nil {
			err = errors.New("invalid JSON")
		}
		return Event{}, &SyntaxError{Offset: int64(len(trimmed)), Msg: err.Error()}
	}
	if trimmed[0] != '{' {
		return Event{}, ErrNotObject
	}
	raw := bytes.Clone(b)
	e := Event{raw: raw}
	// The input is valid JSON, so a light scan of the top-level members is enough to find
	// the envelope; it is several times faster than a reflective decode.
	err := scanMembers(raw, e.setMember)
	if err != nil {
		return Event{}, fmt.Errorf("customerio: decode envelope: %w", err)
	}
	return e, nil
}

// setMember records the top-level member key (raw, without quotes) with raw value val.
func (e *Event) setMember(key, val []byte) {
	switch string(key) {
	case "event_id":
		e.EventID = rawString(val)
	case "object_type":
		e.ObjectType = catalogString(val)
	case "metric":
		e.Metric = catalogString(val)
	case "timestamp":
		if ts, ok := rawInt(val); ok {
			e.Timestamp = ts
		}
	case "data":
		e.Data = val
	default:
		e.other = true
	}
}

// validObject reports whether b (starting with '{') is exactly one valid JSON object,
// followed by nothing but space, calling fn with each top-level member as scanMembers
// does (fn may have been called when it returns false).
func validObject(b []byte, fn func(key, val []byte)) bool {
	i := skipSpace(b, 1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		kEnd, ok := validString(b, i)
		if !ok {
			return false
		}
		key := b[i+1 : kEnd-1]
		i = skipSpace(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		vStart := skipSpace(b, i+1)
		vEnd, ok := validValue(b, vStart, 1)
		if !ok {
			return false
		}
		fn(key, b[vStart:vEnd:vEnd])
		i = skipSpace(b, vEnd)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return skipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
}

// Assemble builds an event from its envelope values and an encoded data object, written
// compact with keys in sorted order as Customer.io sends them. data must be a valid JSON
// object; the generator uses this to skip re-parsing what it just wrote.
func Assemble(eventID, objectType, metric string, timestamp int64, data []byte) Event {
	raw := make([]byte, 0, len(data)+128)
	raw = append(raw, `{"data":`...)
	start := len(raw)
	raw = append(raw, data...)
	end := len(raw)
	raw = append(raw, `,"event_id":`...)
	raw = appendQuoted(raw, eventID)
	raw = append(raw, `,"metric":`...)
	raw = appendQuoted(raw, metric)
	raw = append(raw, `,"object_type":`...)
	raw = appendQuoted(raw, objectType)
	raw = append(raw, `,"timestamp":`...)
	raw = strconv.AppendInt(raw, timestamp, 10)
	raw = append(raw, '}')
	return Event{EventID: eventID, ObjectType: objectType, Metric: metric, Timestamp: timestamp,
		Data: raw[start:end:end], raw: raw}
}

// scanMembers calls fn with each top-level key (raw, without quotes; escapes are left as
// they are, which no envelope key has) and raw value of the valid JSON object b.
func scanMembers(b []byte, fn func(key, val []byte)) error {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return ErrNotObject
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return nil
	}
	for i < len(b) {
		if b[i] != '"' {
			return fmt.Errorf("expected a key at byte %d", i)
		}
		kEnd := skipString(b, i)
		key := b[i+1 : kEnd-1]
		i = skipSpace(b, kEnd)
		if i >= len(b) || b[i] != ':' {
			return fmt.Errorf("expected ':' at byte %d", i)
		}
		i = skipSpace(b, i+1)
		vEnd := skipValue(b, i)
		fn(key, b[i:vEnd:vEnd])
		i = skipSpace(b, vEnd)
		if i >= len(b) {
			break
		}
		if b[i] == '}' {
			return nil
		}
		i = skipSpace(b, i+1) // ','
	}
	return errors.New("unexpected end of object")
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just past the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just past the JSON value starting at b[i].
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	default:
		for ; i < len(b); i++ {
			switch b[i] {
			case ',', '}', ']', ' ', '\t', '\n', '\r':
				return i
			}
		}
		return len(b)
	}
}

// Bytes returns the event's JSON exactly as parsed or built. The caller must not modify it.
func (e Event) Bytes() []byte { return e.raw }

// MarshalJSON returns [Event.Bytes], so an Event embedded in another value is written
// byte-for-byte.
func (e Event) MarshalJSON() ([]byte, error) {
	if e.raw == nil {
		return []byte("null"), nil
	}
	return e.raw, nil
}

// Pair returns the event's object_type and metric joined as "object_type/metric".
func (e Event) Pair() string { return e.ObjectType + "/" + e.Metric }

// FromBytes is [Parse] for callers that already know b is a well-formed event, such as the
// generator; it panics on malformed input, which would be a bug in the caller.
func FromBytes(b []byte) Event {
	e, err := Parse(b)
	if err != nil {
		panic(fmt.Sprintf("customerio.FromBytes: %v", err))
	}
	return e
}

func rawString(r json.RawMessage) string {
	if len(r) == 0 || r[0] != '"' {
		return ""
	}
	// Without escapes and with valid UTF-8, the string is its bytes (r is valid JSON).
	if len(r) >= 2 {
		if body := r[1 : len(r)-1]; bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
			return string(body)
		}
	}
	var s string
	if json.Unmarshal(r, &s) != nil {
		return ""
	}
	return s
}

// catalogNames are the catalog's object types and metrics, each string once.
var catalogNames = sync.OnceValue(func() map[string]string {
	m := map[string]string{}
	for _, p := range Pairs() {
		m[p.ObjectType], m[p.Metric] = p.ObjectType, p.Metric
	}
	return m
})

// catalogString is rawString for an object type or metric: a name of the catalog, the
// common case, is its catalog string instead of a new copy for every event.
func catalogString(r json.RawMessage) string {
	if len(r) >= 2 && r[0] == '"' {
		if s, ok := catalogNames()[string(r[1:len(r)-1])]; ok {
			return s // no escapes or invalid bytes: r is exactly this name in quotes
		}
	}
	return rawString(r)
}

func rawInt(r json.RawMessage) (int64, bool) {
	if len(r) == 0 || (r[0] != '-' && (r[0] < '0' || r[0] > '9')) {
		return 0, false
	}
	// encoding/json decodes an int64 with strconv.ParseInt on the literal, so fractions,
	// exponents and out-of-range values fail the same way here.
	n, err := strconv.ParseInt(string(r), 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

// maxNestingDepth is encoding/json's limit on nested arrays and objects.
const maxNestingDepth = 10000

// validJSON reports whether b is one JSON value, exactly as json.Valid does (strings are
// not checked for valid UTF-8, nesting deeper than maxNestingDepth is invalid), without
// json.Valid's per-byte state machine.
func validJSON(b []byte) bool {
	i, ok := validValue(b, 0, 0)
	return ok && skipSpace(b, i) == len(b)
}

// validValue checks the value starting at b[i] (after any space) and returns the index
// just past it.
func validValue(b []byte, i, depth int) (int, bool) {
	i = skipSpace(b, i)
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '{':
		if depth+1 > maxNestingDepth {
			return i, false
		}
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == '}' {
			return i + 1, true
		}
		for {
			if i >= len(b) || b[i] != '"' {
				return i, false
			}
			var ok bool
			if i, ok = validString(b, i); !ok {
				return i, false
			}
			i = skipSpace(b, i)
			if i >= len(b) || b[i] != ':' {
				return i, false
			}
			if i, ok = validValue(b, i+1, depth+1); !ok {
				return i, false
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return i, false
			}
			switch b[i] {
			case ',':
				i = skipSpace(b, i+1)
			case '}':
				return i + 1, true
			default:
				return i, false
			}
		}
	case c == '[':
		if depth+1 > maxNestingDepth {
			return i, false
		}
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = validValue(b, i, depth+1); !ok {
				return i, false
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return i, false
			}
			switch b[i] {
			case ',':
				i++
			case ']':
				return i + 1, true
			default:
				return i, false
			}
		}
	case c == '"':
		return validString(b, i)
	case c == 't':
		return validLiteral(b, i, "true")
	case c == 'f':
		return validLiteral(b, i, "false")
	case c == 'n':
		return validLiteral(b, i, "null")
	case c == '-' || (c >= '0' && c <= '9'):
		return validNumber(b, i)
	}
	return i, false
}

func validLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit {
		return i + len(lit), true
	}
	return i, false
}

// validString checks the string starting at b[i] == '"'.
func validString(b []byte, i int) (int, bool) {
	for i++; i < len(b); {
		if i = jsonstr.SkipPlain(b, i); i >= len(b) {
			break
		}
		switch c := b[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return i, false
		case c == '\\':
			if i+1 >= len(b) {
				return i, false
			}
			switch b[i+1] {
			case 'b', 'f', 'n', 'r', 't', '\\', '/', '"':
				i += 2
			case 'u':
				if len(b)-i < 6 {
					return i, false
				}
				for _, h := range b[i+2 : i+6] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return i, false
					}
				}
				i += 6
			default:
				return i, false
			}
		default:
			i++
		}
	}
	return i, false
}

func validNumber(b []byte, i int) (int, bool) {
	if b[i] == '-' {
		i++
	}
	if i >= len(b) {
		return i, false
	}
	switch {
	case b[i] == '0':
		i++
	case b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return i, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		n := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == n {
			return i, false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		n := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == n {
			return i, false
		}
	}
	return i, true
}

// appendQuoted appends s as a JSON string the way encoding/json writes it.
func appendQuoted(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always marshals
			return append(dst, q...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// Package customerio models Customer.io Reporting Webhook events: the envelope, the catalog
// of object types, metrics and their data fields, validation against that catalog, and the
// X-CIO-Signature scheme. It knows nothing about XDM, HTTP servers or the terminal.
package customerio

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
}

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
	if !json.Valid(trimmed) {
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
	var env struct {
		EventID    json.RawMessage `json:"event_id"`
		ObjectType json.RawMessage `json:"object_type"`
		Metric     json.RawMessage `json:"metric"`
		Timestamp  json.RawMessage `json:"timestamp"`
		Data       json.RawMessage `json:"data"`
	}
	raw := bytes.Clone(b)
	if err := json.Unmarshal(raw, &env); err != nil {
		return Event{}, fmt.Errorf("customerio: decode envelope: %w", err)
	}
	e := Event{raw: raw, Data: env.Data}
	e.EventID = rawString(env.EventID)
	e.ObjectType = rawString(env.ObjectType)
	e.Metric = rawString(env.Metric)
	if ts, ok := rawInt(env.Timestamp); ok {
		e.Timestamp = ts
	}
	return e, nil
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
	var s string
	if json.Unmarshal(r, &s) != nil {
		return ""
	}
	return s
}

func rawInt(r json.RawMessage) (int64, bool) {
	if len(r) == 0 || (r[0] != '-' && (r[0] < '0' || r[0] > '9')) {
		return 0, false
	}
	var n int64
	if json.Unmarshal(r, &n) != nil {
		return 0, false
	}
	return n, true
}

package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/recordings"
)

// Request is one rebuilt record: the body to send and, when the body is unchanged, the
// captured X-CIO-Timestamp and X-CIO-Signature headers.
type Request struct {
	Body   []byte
	Header http.Header
}

// RewriteOptions says how [BuildRequest] changes a record's body.
type RewriteOptions struct {
	// Shift is added to the event's timestamp and its ULID event_id's time when ShiftToNow.
	Shift      time.Duration
	ShiftToNow bool
	// NewEventID replaces event_id with a new ULID drawn from Entropy.
	NewEventID bool
	Entropy    io.Reader
}

// BuildRequest returns the request that replays rec: its body byte-for-byte when no rewrite
// is asked for, with the captured X-CIO-Timestamp and X-CIO-Signature headers; otherwise
// the body with only the top-level timestamp and event_id values replaced (every other
// byte kept) and no signature headers.
func BuildRequest(rec recordings.Record, o RewriteOptions) (Request, error) {
	body := rec.Body
	if !o.ShiftToNow && !o.NewEventID {
		req := Request{Body: body}
		if rec.Capture != nil && !rec.Capture.Redacted {
			ts := rec.Capture.Headers[http.CanonicalHeaderKey(customerio.HeaderTimestamp)]
			sig := rec.Capture.Headers[http.CanonicalHeaderKey(customerio.HeaderSignature)]
			if ts != "" && sig != "" {
				req.Header = http.Header{}
				req.Header.Set(customerio.HeaderTimestamp, ts)
				req.Header.Set(customerio.HeaderSignature, sig)
			}
		}
		return req, nil
	}
	if rec.EventErr != nil {
		return Request{}, fmt.Errorf("pipeline: %s:%d: cannot rewrite a body that is not an event: %w", rec.File, rec.Line, rec.EventErr)
	}
	ev := rec.Event
	out := body
	var err error
	var idTime time.Time
	if id, perr := ulid.ParseStrict(ev.EventID); perr == nil {
		idTime = ulid.Time(id.Time())
	} else if ev.Timestamp > 0 {
		idTime = time.Unix(ev.Timestamp, 0).Add(time.Second) // the usual ULID-after-timestamp gap
	}
	if o.ShiftToNow && ev.Timestamp > 0 {
		ts := time.Unix(ev.Timestamp, 0).Add(o.Shift).Unix()
		if out, err = ReplaceTopLevel(out, "timestamp", strconv.AppendInt(nil, ts, 10)); err != nil {
			return Request{}, fmt.Errorf("pipeline: %s:%d: %w", rec.File, rec.Line, err)
		}
	}
	newID := ""
	switch {
	case o.NewEventID && !idTime.IsZero():
		t := idTime
		if o.ShiftToNow {
			t = t.Add(o.Shift)
		}
		id, err := ulid.New(ulid.Timestamp(t), o.Entropy)
		if err != nil {
			return Request{}, fmt.Errorf("pipeline: new event id: %w", err)
		}
		newID = id.String()
	case o.ShiftToNow:
		if id, perr := ulid.ParseStrict(ev.EventID); perr == nil {
			if err := id.SetTime(ulid.Timestamp(idTime.Add(o.Shift))); err == nil {
				newID = id.String()
			}
		}
	}
	if newID != "" {
		q, _ := json.Marshal(newID)
		if out, err = ReplaceTopLevel(out, "event_id", q); err != nil {
			return Request{}, fmt.Errorf("pipeline: %s:%d: %w", rec.File, rec.Line, err)
		}
	}
	return Request{Body: out}, nil
}

// ReplaceTopLevel returns a copy of the JSON object b with the value of its top-level key
// replaced by val (raw JSON); every other byte is kept. It fails when key is absent.
func ReplaceTopLevel(b []byte, key string, val []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("not a JSON object")
	}
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return nil, err
		}
		afterKey := int(dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, err
		}
		end := int(dec.InputOffset())
		if k, _ := kt.(string); k == key {
			start := afterKey
			for start < end && (b[start] == ' ' || b[start] == '\t' || b[start] == '\n' || b[start] == '\r' || b[start] == ':') {
				start++
			}
			out := make([]byte, 0, len(b)-(end-start)+len(val))
			out = append(out, b[:start]...)
			out = append(out, val...)
			return append(out, b[end:]...), nil
		}
	}
	return nil, fmt.Errorf("key %q not found", key)
}

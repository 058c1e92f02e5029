// Package recordings captures Customer.io webhook requests byte-exactly, stores them as
// Recording JSONL, reads recordings and bare-event JSONL tolerantly, redacts personal data
// and watches folders for changes. It knows nothing about XDM or the terminal.
package recordings

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/ciosim/ciosim/internal/jsonstr"
)

// Signature verdicts recorded for each capture.
const (
	SignatureValid   = "valid"
	SignatureInvalid = "invalid"
	SignatureAbsent  = "absent"
)

// Capture is one received webhook request: one line of a Recording JSONL file.
//
// Body holds the request body byte-exactly. On disk it is written as the raw JSON value when
// the body is valid JSON on one line (what Customer.io sends), so the file stays readable
// with jq; any other body (not JSON, or JSON spanning lines) is written base64-encoded under
// "body_base64" so that nothing is ever re-serialised.
type Capture struct {
	ReceivedAt time.Time         `json:"received_at"`
	Method     string            `json:"method"`
	Path       string            `json:"path"`
	Query      string            `json:"query"`
	Headers    map[string]string `json:"headers"`
	// HeadersDropped counts the header names left out because the capture's header bounds
	// ([MaxCaptureHeaders], [MaxCaptureHeaderBytes]) were reached; written only when not 0.
	HeadersDropped int    `json:"headers_dropped,omitempty"`
	Body           []byte `json:"-"`
	Signature      string `json:"signature"`
	// SignatureReason says why the signature is not valid (or was not checked); written
	// only when set.
	SignatureReason string `json:"signature_reason,omitempty"`
	Redacted        bool   `json:"redacted"`

	// bodyValid records that Body is known to be one JSON value (the handler parsed it), so
	// encoding need not validate it again. Set only by [Capture.WithValidBody].
	bodyValid bool
}

// WithValidBody returns c marked as holding a Body already checked to be valid JSON (for
// example by customerio.Parse), so [Capture.AppendJSON] does not validate it a second time.
// Any change to Body must go through a copy without the mark.
func (c Capture) WithValidBody() Capture {
	c.bodyValid = true
	return c
}

type captureJSON struct {
	ReceivedAt      string            `json:"received_at"`
	Method          string            `json:"method"`
	Path            string            `json:"path"`
	Query           string            `json:"query"`
	Headers         map[string]string `json:"headers"`
	HeadersDropped  int               `json:"headers_dropped"`
	Body            json.RawMessage   `json:"body,omitempty"`
	BodyBase64      string            `json:"body_base64,omitempty"`
	Signature       string            `json:"signature"`
	SignatureReason string            `json:"signature_reason"`
	Redacted        bool              `json:"redacted"`
}

// MarshalJSON writes the capture as one Recording JSONL object (without the newline).
// It is built by hand because encoding/json compacts raw values, which would change the
// bytes of a body that contains spaces.
func (c Capture) MarshalJSON() ([]byte, error) {
	return c.AppendJSON(nil)
}

// AppendJSON appends the capture's JSON object to b and returns the extended slice.
func (c Capture) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"received_at":`...)
	// (RFC 3339 text needs no escaping: quoting is two quote marks)
	b = append(b, '"')
	b = c.ReceivedAt.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, '"')
	b = append(b, `,"method":`...)
	b = appendString(b, c.Method)
	b = append(b, `,"path":`...)
	b = appendString(b, c.Path)
	b = append(b, `,"query":`...)
	b = appendString(b, c.Query)
	b = append(b, `,"headers":`...)
	b = appendHeaders(b, c.Headers)
	if c.HeadersDropped != 0 {
		b = append(b, `,"headers_dropped":`...)
		b = strconv.AppendInt(b, int64(c.HeadersDropped), 10)
	}
	if (c.bodyValid && embeddableValid(c.Body)) || (!c.bodyValid && embeddable(c.Body)) {
		b = append(b, `,"body":`...)
		b = append(b, c.Body...)
	} else {
		b = append(b, `,"body_base64":"`...)
		b = base64.StdEncoding.AppendEncode(b, c.Body)
		b = append(b, '"')
	}
	b = append(b, `,"signature":`...)
	b = appendString(b, c.Signature)
	if c.SignatureReason != "" {
		b = append(b, `,"signature_reason":`...)
		b = appendString(b, c.SignatureReason)
	}
	b = append(b, `,"redacted":`...)
	b = strconv.AppendBool(b, c.Redacted)
	return append(b, '}'), nil
}

// appendHeaders writes h as json.Marshal does: keys sorted, strings HTML-escaped, {} for
// nil. Headers are few; an insertion sort on a small array avoids allocating.
func appendHeaders(b []byte, h map[string]string) []byte {
	var small [24]string
	keys := small[:0]
	for k := range h {
		keys = append(keys, k)
	}
	if len(keys) > len(small) {
		slices.Sort(keys)
	} else {
		for i := 1; i < len(keys); i++ {
			for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
				keys[j], keys[j-1] = keys[j-1], keys[j]
			}
		}
	}
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = appendString(b, h[k])
	}
	return append(b, '}')
}

// appendString writes s as json.Marshal does (HTML-escaped).
func appendString(b []byte, s string) []byte { return jsonstr.Append(b, s, jsonstr.HTML) }

// UnmarshalJSON reads a Recording JSONL object.
func (c *Capture) UnmarshalJSON(b []byte) error {
	var cj captureJSON
	if err := json.Unmarshal(b, &cj); err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339Nano, cj.ReceivedAt)
	if err != nil {
		return fmt.Errorf("received_at: %w", err)
	}
	*c = Capture{ReceivedAt: t, Method: cj.Method, Path: cj.Path, Query: cj.Query, Headers: cj.Headers,
		HeadersDropped: cj.HeadersDropped, Signature: cj.Signature, SignatureReason: cj.SignatureReason,
		Redacted: cj.Redacted}
	switch {
	case cj.BodyBase64 != "":
		c.Body, err = base64.StdEncoding.DecodeString(cj.BodyBase64)
		if err != nil {
			return fmt.Errorf("body_base64: %w", err)
		}
	case len(cj.Body) > 0:
		c.Body = []byte(cj.Body)
	default:
		return fmt.Errorf("body: required field missing")
	}
	return nil
}

// embeddable reports whether body can be stored as a raw JSON value inside a JSONL line
// without changing a byte: valid JSON, no line breaks.
func embeddable(body []byte) bool {
	return embeddableValid(body) && json.Valid(body)
}

// embeddableValid is [embeddable] for a body known to be valid JSON.
func embeddableValid(body []byte) bool {
	return len(body) > 0 && !bytes.ContainsAny(body, "\r\n") &&
		// encoding/json trims white space around a raw value on decode, so a body with
		// leading or trailing white space goes to base64 to keep it byte-exact.
		len(bytes.TrimSpace(body)) == len(body)
}

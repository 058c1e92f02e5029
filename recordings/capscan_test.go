package recordings

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
)

// oldParse is how the Reader read a line before the one-pass scanner (a probe, a reflective
// decode of the envelope, the body parsed): the oracle the scanner is checked against.
func oldParse(b []byte) (Record, error) {
	rec := Record{File: "f", Line: 1}
	if bytes.Contains(b, []byte(`"received_at"`)) && isCapture(b) {
		var c Capture
		if err := json.Unmarshal(b, &c); err != nil {
			return rec, describeJSONError(b, fmt.Errorf("capture: %w", err))
		}
		rec.Capture = &c
		rec.Body = c.Body
		rec.Event, rec.EventErr = customerio.Parse(c.Body)
		return rec, nil
	}
	ev, err := customerio.Parse(b)
	if err != nil {
		return rec, describeJSONError(b, err)
	}
	rec.Body = ev.Bytes()
	rec.Event = ev
	return rec, nil
}

func sameRecord(t *testing.T, in []byte, got, want Record, gerr, werr error) {
	t.Helper()
	if (gerr == nil) != (werr == nil) || (gerr != nil && gerr.Error() != werr.Error()) {
		t.Fatalf("%q: error %v, the reflective decoder's %v", in, gerr, werr)
	}
	if gerr != nil {
		return
	}
	if (got.Capture == nil) != (want.Capture == nil) {
		t.Fatalf("%q: capture %v, want %v", in, got.Capture != nil, want.Capture != nil)
	}
	if got.Capture != nil {
		g, w := *got.Capture, *want.Capture
		g.bodyValid, w.bodyValid = false, false
		if !g.ReceivedAt.Equal(w.ReceivedAt) {
			t.Fatalf("%q: received_at %v, want %v", in, g.ReceivedAt, w.ReceivedAt)
		}
		g.ReceivedAt, w.ReceivedAt = time.Time{}, time.Time{}
		if len(g.Headers) == 0 && len(w.Headers) == 0 && (g.Headers == nil) == (w.Headers == nil) {
			g.Headers, w.Headers = nil, nil
		}
		if !reflect.DeepEqual(g, w) {
			t.Fatalf("%q:\n got %+v\nwant %+v", in, g, w)
		}
	}
	if !bytes.Equal(got.Body, want.Body) || (got.EventErr == nil) != (want.EventErr == nil) ||
		got.Event.EventID != want.Event.EventID || got.Event.ObjectType != want.Event.ObjectType ||
		got.Event.Metric != want.Event.Metric || got.Event.Timestamp != want.Event.Timestamp ||
		!bytes.Equal(got.Event.Data, want.Event.Data) {
		t.Fatalf("%q: body/event differ:\n got %q %+v %v\nwant %q %+v %v", in, got.Body, got.Event, got.EventErr, want.Body, want.Event, want.EventErr)
	}
}

var captureSeeds = []string{
	`{"received_at":"2026-03-01T00:00:00.123Z","method":"POST","path":"/w","query":"a=1","headers":{"Content-Type":"application/json","X-Cio-Timestamp":"1"},"body":{"event_id":"e1","object_type":"email","metric":"sent","timestamp":5,"data":{"x":[1,{"y":"}"}]}},"signature":"valid","redacted":false}`,
	`{"received_at":"2026-03-01T00:00:00Z","method":"POST","path":"/","query":"","headers":{},"headers_dropped":3,"body_base64":"bm90IGpzb24=","signature":"absent","signature_reason":"no header","redacted":true}`,
	`{"received_at":"2026-03-01T00:00:00Z","method":"P\u004fST","path":"/\u00e9","query":"","headers":{"A":"\u2028"},"body":[1,2],"signature":"","redacted":false}`,
	`{"received_at":"2026-03-01T00:00:00Z","body":"str"}`,
	`{"received_at":"2026-03-01T00:00:00Z","body":null}`,
	`{"received_at":"2026-03-01T00:00:00Z","body":{"a":1}x}`,
	`{"received_at":"2026-03-01T00:00:00Z","body":{"a":}}`,
	`{"received_at":"bad","body":{}}`,
	`{"received_at":"2026-03-01T00:00:00Z","Method":"GET","body":{}}`,
	`{"received_at":"2026-03-01T00:00:00Z","method":"GET","method":"PUT","body":{}}`,
	`{"received_at":"2026-03-01T00:00:00Z","headers_dropped":1.5,"body":{}}`,
	`{"received_at":"2026-03-01T00:00:00Z","headers":{"a":"1","a":"2"},"body":{}}`,
	`{"received_at":"2026-03-01T00:00:00Z","body":{},"body_base64":""}`,
	`{"received_at":"2026-03-01T00:00:00Z","body_base64":"!!"}`,
	`{"received_at":"2026-03-01T00:00:00Z","path":"\xff","body":{}}`,
	`{"received_at":"2026-03-01T00:00:00Z","body":{}} `,
	`{"received_at":"2026-03-01T00:00:00Z","body":1e5,"redacted":true}`,
	`{"event_id":"x","received_at":1}`,
	` {"received_at" : "2026-03-01T00:00:00Z" , "body" : { "a" : 1 } } `,
}

// TestScanCapture_asReflectiveDecoder: on these lines (captures as written, odd spellings,
// broken lines) the Reader's one-pass path gives exactly the old path's record or error.
func TestScanCapture_asReflectiveDecoder(t *testing.T) {
	fast := 0
	for _, s := range captureSeeds {
		r := Reader{name: "f", line: 1}
		got, gerr := r.parse([]byte(s))
		want, werr := oldParse([]byte(s))
		sameRecord(t, []byte(s), got, want, gerr, werr)
		if _, _, ok := scanCapture([]byte(s)); ok {
			fast++
		}
	}
	if fast < 5 {
		t.Errorf("only %d lines took the one-pass path", fast)
	}
}

// A capture as ciosim writes it takes the one-pass path (no fallback to reflection).
func TestScanCapture_writtenCapturesAreFast(t *testing.T) {
	c := Capture{ReceivedAt: time.Date(2026, 3, 1, 0, 0, 0, 5, time.UTC), Method: "POST", Path: "/x", Query: "q=<1>",
		Headers: map[string]string{"Content-Type": "application/json", "X-Odd": "é\u2028\"<"}, HeadersDropped: 2,
		Body: []byte(`{"event_id":"e","data":{"s":"a\"b"}}`), Signature: "invalid", SignatureReason: "r&d"}
	for _, c := range []Capture{c, {ReceivedAt: time.Unix(0, 0), Headers: map[string]string{}, Body: []byte("not json\n"), Redacted: true}} {
		line, err := c.AppendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		got, raw, ok := scanCapture(line)
		if !ok {
			t.Fatalf("%s: not decoded in one pass", line)
		}
		if raw != nil {
			got.Body = raw
		}
		got.ReceivedAt, c.ReceivedAt = got.ReceivedAt.UTC(), c.ReceivedAt.UTC()
		if !reflect.DeepEqual(got, c) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, c)
		}
	}
}

func FuzzScanCapture(f *testing.F) {
	for _, s := range captureSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if bytes.ContainsAny(b, "\n") {
			return // the Reader hands parse one line
		}
		r := Reader{name: "f", line: 1}
		got, gerr := r.parse(b)
		want, werr := oldParse(b)
		var le *LineError
		if errors.As(gerr, &le) {
			t.Fatalf("parse returned a LineError")
		}
		sameRecord(t, b, got, want, gerr, werr)
	})
}

// BenchmarkReader_captures reads captures as the recorder writes them: the envelope in one
// pass and the body parsed once (before: a probe, two reflective decodes and the parse).
func BenchmarkReader_captures(b *testing.B) {
	c := Capture{ReceivedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Method: "POST", Path: "/webhook",
		Headers: map[string]string{"Content-Type": "application/json", "User-Agent": "Customer.io Webhooks",
			"X-Cio-Signature": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "X-Cio-Timestamp": "1772323200"},
		Body:      []byte(`{"data":{"action_id":36,"broadcast_id":12,"customer_id":"user-63477","delivery_id":"RAECAAGWAbc","email_address":"saltenwerth@example.com","identifiers":{"cio_id":"b03bbd92b604","email":"saltenwerth@example.com","id":"user-63477"},"recipient":"saltenwerth@example.com","subject":"Your weekly digest"},"event_id":"01KJKB3RVDQAC44GS141E5041X","metric":"sent","object_type":"email","timestamp":1772323201}`),
		Signature: "valid"}
	line, _ := c.AppendJSON(nil)
	var in bytes.Buffer
	for range 1000 {
		in.Write(line)
		in.WriteByte('\n')
	}
	data := in.Bytes()
	b.SetBytes(int64(len(line) + 1))
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; {
		r := NewReader(bytes.NewReader(data), "bench")
		for ; n < b.N; n++ {
			if _, err := r.Next(); err != nil {
				break
			}
		}
	}
}

// BenchmarkParseCapture compares, in one run, the one-pass line parse with the reflective
// path it replaced (oldParse) on a typical capture line.
func BenchmarkParseCapture(b *testing.B) {
	line := []byte(captureSeeds[0])
	b.Run("one-pass", func(b *testing.B) {
		b.ReportAllocs()
		r := Reader{name: "f", line: 1}
		for range b.N {
			if _, err := r.parse(line); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reflective-before", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			if _, err := oldParse(line); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package wiring

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/recordings"
)

// printCaptureFmt is how the line was printed before appendCaptureLine: the oracle.
func printCaptureFmt(r recordings.Result, asJSON bool) string {
	l := captureLine{Time: r.Capture.ReceivedAt.UTC().Format("15:04:05.000"), Status: r.Status,
		ObjectType: r.Event.ObjectType, Metric: r.Event.Metric, EventID: r.Event.EventID,
		Signature: r.Capture.Signature, Reason: r.Capture.SignatureReason, Redacted: r.Capture.Redacted, Bytes: len(r.Capture.Body),
		File: r.Stored.File, Line: r.Stored.Line}
	if r.Err != nil {
		l.Error = r.Err.Error()
	}
	if asJSON {
		b, _ := json.Marshal(l)
		return string(b) + "\n"
	}
	pair := "-"
	if l.ObjectType != "" || l.Metric != "" {
		pair = l.ObjectType + "/" + l.Metric
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d %-24s %-9s %6dB", l.Time, l.Status, pair, OrDash(l.Signature), l.Bytes)
	if l.Redacted {
		b.WriteString(" redacted")
	}
	if l.File != "" {
		fmt.Fprintf(&b, " %s:%d", filepath.Base(l.File), l.Line)
	}
	if l.Error != "" {
		b.WriteString(" refused: " + l.Error)
	} else if l.Signature == recordings.SignatureInvalid {
		b.WriteString(" (" + l.Reason + ")")
	}
	b.WriteByte('\n')
	return b.String()
}

// TestAppendCaptureLine: record's line per request is built by appending into a reused
// buffer (fmt and a builder per request were about 2 % of its CPU); it prints exactly
// what the fmt version printed, widths counted in runes.
func TestAppendCaptureLine(t *testing.T) {
	ev := func(body string) customerio.Event {
		e, err := customerio.Parse([]byte(body))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	at := time.Date(2026, 3, 1, 7, 8, 9, 123456789, time.FixedZone("x", 3600))
	results := []recordings.Result{
		{Capture: recordings.Capture{ReceivedAt: at, Body: []byte(`{"a":1}`), Signature: recordings.SignatureValid},
			Event: ev(`{"object_type":"email","metric":"delivered","event_id":"01E"}`), Status: 200,
			Stored: recordings.Location{File: "/tmp/x/capture-2026-03-01-001.jsonl", Line: 42}},
		{Capture: recordings.Capture{ReceivedAt: at, Body: make([]byte, 1234567), Signature: recordings.SignatureInvalid,
			SignatureReason: "signature does not match"}, Event: ev(`{"object_type":"customer","metric":"subscribed"}`), Status: 200,
			Stored: recordings.Location{File: "c.jsonl", Line: 1}},
		{Capture: recordings.Capture{ReceivedAt: at, Signature: recordings.SignatureInvalid, SignatureReason: "stale"},
			Status: 401, Err: errors.New("signature invalid: stale")},
		{Capture: recordings.Capture{ReceivedAt: at, Body: []byte("x")}, Status: 400, Err: errors.New("body is not a JSON object")},
		{Capture: recordings.Capture{ReceivedAt: at, Body: []byte(`{}`), Redacted: true, Signature: recordings.SignatureAbsent},
			Event: ev(`{"object_type":"émail✉","metric":"délivré"}`), Status: 200, Stored: recordings.Location{File: "d.jsonl", Line: 7}},
		{Capture: recordings.Capture{ReceivedAt: at, Signature: "unchecked"},
			Event: ev(`{"object_type":"a_very_long_object_type_name","metric":"and_a_long_metric"}`), Status: 200},
		{Capture: recordings.Capture{ReceivedAt: at}, Event: customerio.Event{Metric: "m\xffx"}, Status: 200},
		{Capture: recordings.Capture{ReceivedAt: at, Body: []byte("0123456789")}, Event: ev(`{"object_type":"o"}`), Status: 500,
			Err: errors.New("recordings: append: disk full")},
	}
	var b []byte
	for i, r := range results {
		for _, asJSON := range []bool{false, true} {
			b = appendCaptureLine(b[:0], r, asJSON)
			if want := printCaptureFmt(r, asJSON); string(b) != want {
				t.Errorf("result %d json=%v:\n got %q\nwant %q", i, asJSON, b, want)
			}
		}
	}
	r := results[0]
	if n := testing.AllocsPerRun(100, func() { b = appendCaptureLine(b[:0], r, false) }); n != 0 {
		t.Errorf("%v allocations per text line, want 0", n)
	}
}

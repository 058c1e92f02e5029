package aep

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sync"
	"time"

	"github.com/ciosim/ciosim/recordings"
)

// DeadLetter is the failure record kept beside the payload in a dead-letter line.
type DeadLetter struct {
	Mode     Mode   `json:"mode"`
	EventID  string `json:"event_id,omitempty"`
	Source   string `json:"source,omitempty"`
	Status   int    `json:"status"`
	Reason   string `json:"reason"`
	Response string `json:"response,omitempty"`
	Attempts int    `json:"attempts"`
}

// DeadLetterWriter appends dead-letter JSONL. Each line is a Recording JSONL capture of the
// request that could not be delivered — "received_at" is when it was given up, "body" the
// payload (the original event) byte-exactly — plus a "dead_letter" member with the last
// status, AEP's reason, a response excerpt and the attempt count. Because it is a capture,
// `ciosim send` (and `ciosim replay`) read the file as it is and re-send the payloads.
//
// Write is safe for concurrent use. No request headers are kept, so no credential can leak
// into the file.
type DeadLetterWriter struct {
	mu   sync.Mutex
	w    *bufio.Writer
	mode Mode
	path string
	now  func() time.Time
	n    int
	buf  []byte
}

// NewDeadLetterWriter writes dead letters for client c's requests to w.
func (c *Client) NewDeadLetterWriter(w io.Writer) *DeadLetterWriter {
	path := ""
	if u, err := url.Parse(c.ep.single); err == nil {
		path = u.Path
		if c.o.Mode == ModeBatch {
			if b, err := url.Parse(c.ep.batch); err == nil {
				path = b.Path
			}
		}
	}
	return &DeadLetterWriter{w: bufio.NewWriter(w), mode: c.o.Mode, path: path, now: c.now}
}

// Write appends r (a dead-lettered result) as one line.
func (d *DeadLetterWriter) Write(r Result) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	c := recordings.Capture{ReceivedAt: d.now(), Method: "POST", Path: d.path,
		Body: r.Message.payload(), Signature: recordings.SignatureAbsent}
	b, err := c.AppendJSON(d.buf[:0])
	if err != nil {
		return fmt.Errorf("aep: dead letter: %w", err)
	}
	dl, err := json.Marshal(DeadLetter{Mode: d.mode, EventID: r.Message.EventID, Source: r.Message.Source,
		Status: r.Status, Reason: r.Reason, Response: r.Excerpt, Attempts: r.Attempts})
	if err != nil {
		return fmt.Errorf("aep: dead letter: %w", err)
	}
	b = append(b[:len(b)-1], `,"dead_letter":`...)
	b = append(b, dl...)
	b = append(b, "}\n"...)
	d.buf = b
	if _, err := d.w.Write(b); err != nil {
		return fmt.Errorf("aep: write dead letter: %w", err)
	}
	d.n++
	return nil
}

// Count returns the number of dead letters written.
func (d *DeadLetterWriter) Count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n
}

// Flush writes buffered lines to the underlying writer.
func (d *DeadLetterWriter) Flush() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.w.Flush(); err != nil {
		return fmt.Errorf("aep: write dead letter: %w", err)
	}
	return nil
}

// ReadDeadLetter returns the "dead_letter" member of a dead-letter line, and false for any
// other line (a bare event or a plain capture).
func ReadDeadLetter(line []byte) (DeadLetter, bool) {
	var probe struct {
		DL *DeadLetter `json:"dead_letter"`
	}
	if json.Unmarshal(line, &probe) != nil || probe.DL == nil {
		return DeadLetter{}, false
	}
	return *probe.DL, true
}

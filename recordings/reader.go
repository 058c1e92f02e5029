package recordings

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/ciosim/ciosim/customerio"
)

// Record is one line read by a [Reader]: a bare Customer.io event, or a capture whose body
// is the event.
type Record struct {
	// File and Line locate the record (Line counts from 1).
	File string
	Line int
	// Capture is set when the line was a Recording JSONL capture.
	Capture *Capture
	// Body is the event's raw bytes: the capture body, or the whole line for a bare event.
	Body []byte
	// Event is Body parsed. EventErr is set instead when the body is not a JSON object
	// (a capture of a non-JSON request); the record is still returned so it can be replayed.
	Event    customerio.Event
	EventErr error
}

// LineError reports a line that could not be read as a capture or an event. The [Reader]
// skips the line; the caller reports the error and carries on calling Next.
type LineError struct {
	File string
	Line int
	// Torn is true for an unterminated last line that does not parse: what a crash in the
	// middle of a write leaves behind.
	Torn bool
	Err  error
}

// Error names the file and line, and says when the line was torn.
func (e *LineError) Error() string {
	if e.Torn {
		return fmt.Sprintf("%s:%d: torn last line skipped (incomplete write): %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
}

// Unwrap returns the parse error.
func (e *LineError) Unwrap() error { return e.Err }

// Reader reads Recording JSONL and bare-event JSONL, one record at a time, in constant memory
// apart from the current line. Blank lines are skipped.
type Reader struct {
	br       *bufio.Reader
	name     string
	line     int
	consumed int64
	lines    int  // lines within consumed
	eof      bool // the input ended: stay at the end even if it grows meanwhile
	// buf holds a line longer than the bufio buffer while it is assembled; reused.
	buf []byte
	// pending holds lines read ahead while checking for a JSON document spread over lines,
	// and given back because it was not one; they are read again before the input.
	pending []pendingLine
}

type pendingLine struct {
	b   []byte
	err error
}

// ErrNotJSONL is wrapped by the [LineError] for input in a shape other than JSON Lines
// that the Reader recognises: a JSON object spread over lines (pretty-printed, as
// documentation samples are), or a JSON array of events. The whole document is skipped
// with one error that says how to convert it, instead of one error per line.
var ErrNotJSONL = errors.New("not JSON Lines")

// maxLookAhead bounds how much the Reader reads ahead to recognise a JSON document spread
// over lines.
const (
	maxLookAheadBytes = 4 << 20
	maxLookAheadLines = 100000
)

// Consumed returns how many bytes of the input the records and skipped lines returned so
// far took, excluding a torn last line: where to resume reading a file that is still
// being appended to.
func (r *Reader) Consumed() int64 { return r.consumed }

// ConsumedLines is the number of lines within [Reader.Consumed]: add it to the line numbers
// of a Reader that resumes there.
func (r *Reader) ConsumedLines() int { return r.lines }

// NewReader reads from r; name is used in errors (a file path, or "-" for stdin).
func NewReader(r io.Reader, name string) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 64*1024), name: name}
}

// Next returns the next record. It returns io.EOF at the end, a *[LineError] for a line that
// is skipped (call Next again), or another error when reading itself failed. After the end
// of the input was reached Next keeps returning io.EOF even if the input grows: to follow a
// growing file, open a new Reader at [Reader.Consumed].
func (r *Reader) Next() (Record, error) {
	for {
		if r.eof {
			return Record{}, io.EOF
		}
		line, err := r.readLine()
		if errors.Is(err, io.EOF) {
			// Once the end was seen, later reads must not pick up bytes appended since:
			// they would continue a torn line as if it were a new one.
			r.eof = true
		}
		if len(line) == 0 && err != nil {
			return Record{}, err
		}
		r.line++
		terminated := len(line) > 0 && line[len(line)-1] == '\n'
		if err != nil && !errors.Is(err, io.EOF) {
			return Record{}, fmt.Errorf("%s:%d: read: %w", r.name, r.line, err)
		}
		content := bytes.TrimRight(line, "\r\n")
		if r.line == 1 {
			// A UTF-8 byte order mark, which some editors write, is not part of the data.
			content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
		}
		if len(bytes.TrimSpace(content)) == 0 {
			if terminated {
				r.consumed += int64(len(line))
				r.lines++
			}
			continue
		}
		rec, perr := r.parse(content)
		if perr != nil && terminated {
			if size, lines, hint := r.document(content, r.line); hint != nil {
				start := r.line
				r.consumed += int64(len(line)) + size
				r.lines += 1 + lines
				r.line += lines
				return Record{}, &LineError{File: r.name, Line: start, Err: hint}
			}
		}
		if perr != nil {
			if terminated {
				r.consumed += int64(len(line))
				r.lines++
			}
			return Record{}, &LineError{File: r.name, Line: r.line, Torn: !terminated, Err: perr}
		}
		r.consumed += int64(len(line))
		r.lines++
		return rec, nil
	}
}

// readLine returns the next line including its '\n'. The slice is only valid until the
// next call: parse copies what it keeps (customerio.Parse clones, captures decode), so a
// line is not copied once more on the way in.
func (r *Reader) readLine() ([]byte, error) {
	if len(r.pending) > 0 {
		p := r.pending[0]
		r.pending = r.pending[1:]
		return p.b, p.err
	}
	line, err := r.br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return line, err
	}
	r.buf = append(r.buf[:0], line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		line, err = r.br.ReadSlice('\n')
		r.buf = append(r.buf, line...)
	}
	return r.buf, err
}

// parse recognises a capture by its "received_at" and body keys; anything else must be a
// bare event object.
func (r *Reader) parse(b []byte) (Record, error) {
	rec := Record{File: r.name, Line: r.line}
	if !bytes.HasPrefix(b, []byte(`{"received_at"`)) {
		// A valid object whose members are all the envelope's is a bare event, whatever
		// else it holds: no capture probe needed (a capture's members are others). This
		// one parse is the one parseEvent would do; anything else is looked at below.
		if ev, err := customerio.Parse(b); err == nil && ev.OnlyEnvelope() {
			rec.Body = ev.Bytes()
			rec.Event = ev
			return rec, nil
		}
	}
	if !bytes.Contains(b, []byte(`"received_at"`)) {
		// the common case for event files, bare events, without a capture probe
		return r.parseEvent(rec, b)
	}
	if c, raw, ok := scanCapture(b); ok {
		// One pass: the envelope decoded above, the body parsed (and validated) once here.
		if raw == nil {
			rec.Event, rec.EventErr = customerio.Parse(c.Body)
		} else if rec.Event, rec.EventErr = customerio.Parse(raw); rec.EventErr == nil {
			c.Body = rec.Event.Bytes() // Parse's copy: the line's buffer is reused
		} else if !errors.As(rec.EventErr, new(*customerio.SyntaxError)) {
			c.Body = bytes.Clone(raw) // JSON, but not an object
		} else {
			c.Body = nil // not JSON: the whole line is broken; let the decoder below say how
		}
		if c.Body != nil {
			rec.Capture = &c
			rec.Body = c.Body
			return rec, nil
		}
		rec.Event, rec.EventErr = customerio.Event{}, nil
	}
	if isCapture(b) {
		var c Capture
		if err := json.Unmarshal(b, &c); err != nil {
			return rec, describeJSONError(b, fmt.Errorf("capture: %w", err))
		}
		rec.Capture = &c
		rec.Body = c.Body
		rec.Event, rec.EventErr = customerio.Parse(c.Body)
		return rec, nil
	}
	return r.parseEvent(rec, b)
}

// parseEvent reads b as a bare event.
func (r *Reader) parseEvent(rec Record, b []byte) (Record, error) {
	ev, err := customerio.Parse(b)
	if err != nil {
		return rec, describeJSONError(b, err)
	}
	rec.Body = ev.Bytes()
	rec.Event = ev
	return rec, nil
}

func isCapture(b []byte) bool {
	var probe struct {
		ReceivedAt json.RawMessage `json:"received_at"`
		Body       json.RawMessage `json:"body"`
		BodyBase64 json.RawMessage `json:"body_base64"`
	}
	if json.Unmarshal(b, &probe) != nil {
		return false
	}
	return probe.ReceivedAt != nil && (probe.Body != nil || probe.BodyBase64 != nil)
}

// describeJSONError adds the column of a JSON syntax error to err's message: the 1-based
// column of the offending byte (encoding/json's Offset counts the bytes read including it).
func describeJSONError(b []byte, err error) error {
	var se *customerio.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at column %d: %s", max(se.Offset, 1), se.Msg)
	}
	var jse *json.SyntaxError
	if errors.As(err, &jse) {
		return fmt.Errorf("invalid JSON at column %d: %w", max(jse.Offset, 1), err)
	}
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return fmt.Errorf("field %q: expected %s, found JSON %s: %w", ute.Field, ute.Type, ute.Value, err)
	}
	return err
}

// document recognises a JSON document that does not fit JSON Lines, starting with first
// (the content of line start, which did not parse as a record): a JSON array on one line,
// or an object or array spread over lines. It returns the hint error for it and, for a
// document over lines, the bytes and number of the further lines it took (consumed).
// Otherwise it returns nil and gives back every line it read ahead.
func (r *Reader) document(first []byte, start int) (size int64, lines int, hint error) {
	t := bytes.TrimSpace(first)
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		return 0, 0, nil
	}
	var sc depthScanner
	if sc.feed(t) {
		if t[0] == '[' && json.Valid(t) {
			return 0, 0, arrayHint(t, start, start)
		}
		return 0, 0, nil
	}
	if sc.bad {
		return 0, 0, nil
	}
	doc := append([]byte(nil), t...)
	var ahead []pendingLine
	giveBack := func() (int64, int, error) {
		r.pending = append(ahead, r.pending...)
		return 0, 0, nil
	}
	for len(ahead) < maxLookAheadLines && len(doc) < maxLookAheadBytes {
		line, err := r.readLine()
		if len(line) > 0 || err != nil {
			ahead = append(ahead, pendingLine{append([]byte(nil), line...), err})
		}
		if len(line) == 0 || err != nil && !errors.Is(err, io.EOF) {
			return giveBack()
		}
		content := bytes.TrimRight(line, "\r\n")
		doc = append(append(doc, '\n'), content...)
		if sc.feed(content) {
			if !json.Valid(doc) {
				return giveBack()
			}
			if err != nil {
				// The document ended the input: keep the end-of-input for Next.
				r.pending = append([]pendingLine{{nil, err}}, r.pending...)
			}
			for _, a := range ahead {
				size += int64(len(a.b))
			}
			end := start + len(ahead)
			if t[0] == '[' {
				return size, len(ahead), arrayHint(doc, start, end)
			}
			return size, len(ahead), fmt.Errorf("%w: a JSON object spread over lines %d-%d (pretty-printed); each event must be on one line: convert with jq -c . FILE", ErrNotJSONL, start, end)
		}
		if sc.bad || err != nil {
			return giveBack()
		}
	}
	return giveBack()
}

func arrayHint(doc []byte, start, end int) error {
	var items []json.RawMessage
	json.Unmarshal(doc, &items)
	where := fmt.Sprintf("on line %d", start)
	if end > start {
		where = fmt.Sprintf("over lines %d-%d", start, end)
	}
	return fmt.Errorf("%w: a JSON array of %d items %s; each event must be on a line of its own: convert with jq -c '.[]' FILE", ErrNotJSONL, len(items), where)
}

// depthScanner follows the nesting of a JSON text fed in pieces, enough to tell where the
// value that starts it ends.
type depthScanner struct {
	depth        int
	inStr, esc   bool
	started, bad bool
}

// feed scans b and reports whether the outermost value closed within it; bad is set when
// more closes than opens were seen.
func (d *depthScanner) feed(b []byte) bool {
	for _, c := range b {
		switch {
		case d.inStr:
			switch {
			case d.esc:
				d.esc = false
			case c == '\\':
				d.esc = true
			case c == '"':
				d.inStr = false
			}
		case c == '"':
			d.inStr = true
		case c == '{' || c == '[':
			d.depth++
			d.started = true
		case c == '}' || c == ']':
			d.depth--
			if d.depth < 0 {
				d.bad = true
				return false
			}
			if d.depth == 0 && d.started {
				return true
			}
		}
	}
	return false
}

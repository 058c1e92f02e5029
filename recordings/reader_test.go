package recordings

import (
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

const bareEvent = `{"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","object_type":"email","metric":"sent","timestamp":1,"data":{}}`

func TestReader_tolerance(t *testing.T) {
	t.Parallel()
	capLine, _ := capN(7).AppendJSON(nil)
	tests := []struct {
		name      string
		in        string
		wantRecs  int
		wantErrs  []int // line numbers reported
		wantTorn  []bool
		errSubstr string
	}{
		{"torn last line", bareEvent + "\n" + string(capLine) + "\n" + `{"event_id":"x","obj`, 2, []int{3}, []bool{true}, "torn last line"},
		{"corrupt middle line", bareEvent + "\n{not json}\n" + bareEvent + "\n", 2, []int{2}, []bool{false}, "column 2"},
		{"blank lines and CRLF", "\n" + bareEvent + "\r\n\r\n" + bareEvent + "\n", 2, nil, nil, ""},
		{"unterminated but complete last line", bareEvent + "\n" + bareEvent, 2, nil, nil, ""},
		{"capture with bad received_at", `{"received_at":"yesterday","body":{}}` + "\n" + bareEvent + "\n", 1, []int{1}, []bool{false}, "received_at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rd := NewReader(strings.NewReader(tt.in), "f.jsonl")
			recs := 0
			var lines []int
			var torn []bool
			for {
				rec, err := rd.Next()
				var le *LineError
				if errors.Is(err, io.EOF) {
					break
				} else if errors.As(err, &le) {
					lines = append(lines, le.Line)
					torn = append(torn, le.Torn)
					if !strings.Contains(le.Error(), tt.errSubstr) || !strings.HasPrefix(le.Error(), "f.jsonl:") {
						t.Errorf("error %q does not name file and %q", le, tt.errSubstr)
					}
					continue
				} else if err != nil {
					t.Fatal(err)
				}
				if len(rec.Body) == 0 {
					t.Errorf("record without body at line %d", rec.Line)
				}
				recs++
			}
			if recs != tt.wantRecs || len(lines) != len(tt.wantErrs) {
				t.Fatalf("records %d errors at %v, want %d and %v", recs, lines, tt.wantRecs, tt.wantErrs)
			}
			for i := range lines {
				if lines[i] != tt.wantErrs[i] || torn[i] != tt.wantTorn[i] {
					t.Errorf("error %d: line %d torn %v, want %d %v", i, lines[i], torn[i], tt.wantErrs[i], tt.wantTorn[i])
				}
			}
		})
	}
}

// endless yields the same capture line n times without holding them in memory.
type endless struct {
	line []byte
	n    int
	off  int
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n == 0 {
		return 0, io.EOF
	}
	k := copy(p, e.line[e.off:])
	e.off += k
	if e.off == len(e.line) {
		e.off = 0
		e.n--
	}
	return k, nil
}

// TestReader_flatMemory reads ~24 MB of captures and checks the live heap stays small: the
// reader must not accumulate lines.
func TestReader_flatMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 24 MB")
	}
	line, _ := capN(250).AppendJSON(nil)
	line = append(line, '\n')
	n := (24 << 20) / len(line)
	rd := NewReader(&endless{line: line, n: n}, "big")
	var peak uint64
	var ms runtime.MemStats
	for i := 0; ; i++ {
		_, err := rd.Next()
		if errors.Is(err, io.EOF) {
			if i != n {
				t.Fatalf("read %d records, want %d", i, n)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if i%50000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	if peak > 8<<20 {
		t.Errorf("live heap reached %d MiB while streaming 24 MiB", peak>>20)
	}
}

// FuzzReader feeds arbitrary input to the reader: it must never panic or loop, and every
// capture it returns must write back to a line that reads to the same body.
func FuzzReader(f *testing.F) {
	line, _ := capN(3).AppendJSON(nil)
	f.Add(string(line) + "\n" + bareEvent + "\n")
	f.Add(`{"received_at":"2026-11-29T04:00:00Z","body_base64":"aGk=","method":"POST"}` + "\n{torn")
	f.Add("\xef\xbb\xbf{\n  \"a\": [1,\n 2]\n}\n" + bareEvent + "\n")
	f.Add("[\n" + bareEvent + ",\n" + bareEvent + "\n]\n{\n")
	f.Fuzz(func(t *testing.T, in string) {
		rd := NewReader(strings.NewReader(in), "fuzz")
		for range 10000 {
			rec, err := rd.Next()
			if rd.Consumed() > int64(len(in)) {
				t.Fatalf("consumed %d of %d bytes", rd.Consumed(), len(in))
			}
			if errors.Is(err, io.EOF) {
				return
			}
			var le *LineError
			if errors.As(err, &le) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.Capture != nil {
				b, err := rec.Capture.AppendJSON(nil)
				if err != nil {
					t.Fatal(err)
				}
				back, err := NewReader(strings.NewReader(string(b)), "again").Next()
				if err != nil || string(back.Body) != string(rec.Body) {
					t.Fatalf("capture does not round-trip: %v\n%s", err, b)
				}
			}
		}
		t.Fatal("reader did not reach EOF")
	})
}

// growing is a reader whose content grows between reads, like a file being appended to.
type growing struct {
	parts []string
}

func (g *growing) Read(p []byte) (int, error) {
	if len(g.parts) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.parts[0])
	g.parts[0] = g.parts[0][n:]
	if g.parts[0] == "" {
		g.parts = g.parts[1:]
		return n, io.EOF // the writer has not written the next part yet
	}
	return n, nil
}

// TestReader_stopsAtFirstEOF checks a torn line is not continued by bytes appended later
// (which would surface as a bogus "corrupt line"), and Consumed excludes it.
func TestReader_stopsAtFirstEOF(t *testing.T) {
	t.Parallel()
	g := &growing{parts: []string{bareEvent + "\n" + bareEvent[:10], bareEvent[10:] + "\n"}}
	rd := NewReader(g, "f")
	if _, err := rd.Next(); err != nil {
		t.Fatal(err)
	}
	var le *LineError
	if _, err := rd.Next(); !errors.As(err, &le) || !le.Torn {
		t.Fatalf("err %v, want torn line", err)
	}
	if _, err := rd.Next(); !errors.Is(err, io.EOF) {
		t.Fatalf("after the end: %v, want io.EOF", err)
	}
	if rd.Consumed() != int64(len(bareEvent)+1) {
		t.Errorf("Consumed %d, want %d", rd.Consumed(), len(bareEvent)+1)
	}
}

func TestReader_linesLongerThanBuffer(t *testing.T) {
	long := `{"data":{"content":"` + strings.Repeat("x", 300_000) + `"},"event_id":"a","metric":"sent","object_type":"sms","timestamp":1}`
	short := `{"data":{},"event_id":"b","metric":"sent","object_type":"sms","timestamp":2}`
	r := NewReader(strings.NewReader(long+"\n"+short+"\n"+long+"\n"), "big.jsonl")
	for i, want := range []string{long, short, long} {
		rec, err := r.Next()
		if err != nil {
			t.Fatalf("record %d: %v", i+1, err)
		}
		if string(rec.Body) != want || rec.Line != i+1 {
			t.Fatalf("record %d: line %d, %d bytes, want %d", i+1, rec.Line, len(rec.Body), len(want))
		}
		if i == 0 {
			defer func(b []byte) { // the first record must survive later reads untouched
				if string(b) != long {
					t.Fatal("an earlier record's bytes changed after later reads")
				}
			}(rec.Body)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

// TestReader_recognisesShapes: a pretty-printed event, a JSON array (over lines or on one)
// each give one error that says how to convert them, not one per line; a UTF-8 BOM is
// skipped; lines read ahead that turn out not to form a document are read normally.
func TestReader_recognisesShapes(t *testing.T) {
	t.Parallel()
	pretty := "{\n  \"event_id\": \"01E4C4CT6YDC7Y5M7FE1GWWPQJ\",\n  \"object_type\": \"email\",\n  \"metric\": \"sent\",\n  \"timestamp\": 1,\n  \"data\": {\n    \"note\": \"a } and a { in a string\"\n  }\n}\n"
	arr := "[\n  " + bareEvent + ",\n  " + bareEvent + "\n]\n"
	tests := []struct {
		name     string
		in       string
		wantRecs int
		wantErrs []string // each error's text must contain it, in order
	}{
		{"pretty-printed event", pretty + bareEvent + "\n", 1, []string{"f.jsonl:1: not JSON Lines: a JSON object spread over lines 1-9 (pretty-printed); each event must be on one line: convert with jq -c . FILE"}},
		{"pretty-printed event, CRLF, no final newline", strings.ReplaceAll(strings.TrimSuffix(pretty, "\n"), "\n", "\r\n"), 0, []string{"over lines 1-9"}},
		{"two pretty-printed events", pretty + pretty, 0, []string{"lines 1-9", "f.jsonl:10: not JSON Lines: a JSON object spread over lines 10-18"}},
		{"JSON array over lines", arr, 0, []string{"f.jsonl:1: not JSON Lines: a JSON array of 2 items over lines 1-4; each event must be on a line of its own: convert with jq -c '.[]' FILE"}},
		{"JSON array on one line", "[" + bareEvent + "," + bareEvent + "]\n" + bareEvent + "\n", 1, []string{"a JSON array of 2 items on line 1"}},
		{"UTF-8 BOM", "\xef\xbb\xbf" + bareEvent + "\n" + bareEvent + "\n", 2, nil},
		{"UTF-8 BOM before a pretty event", "\xef\xbb\xbf" + pretty, 0, []string{"spread over lines 1-9"}},
		{"an open brace then records", "{\n" + bareEvent + "\n" + bareEvent + "\n", 2, []string{"f.jsonl:1: invalid JSON"}},
		{"an unclosed pretty event then records", "{\n  \"a\": 1,\n" + bareEvent + "\n", 1, []string{"f.jsonl:1:", "f.jsonl:2:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rd := NewReader(strings.NewReader(tt.in), "f.jsonl")
			recs := 0
			var errs []string
			for {
				rec, err := rd.Next()
				var le *LineError
				if errors.Is(err, io.EOF) {
					break
				} else if errors.As(err, &le) {
					errs = append(errs, le.Error())
					if strings.Contains(le.Error(), "JSON Lines") && !errors.Is(err, ErrNotJSONL) {
						t.Errorf("%v does not wrap ErrNotJSONL", err)
					}
					continue
				} else if err != nil {
					t.Fatal(err)
				}
				if rec.Event.EventID == "" {
					t.Errorf("record at line %d without event", rec.Line)
				}
				recs++
			}
			if recs != tt.wantRecs || len(errs) != len(tt.wantErrs) {
				t.Fatalf("%d records, errors %q; want %d records, %d errors", recs, errs, tt.wantRecs, len(tt.wantErrs))
			}
			for i, want := range tt.wantErrs {
				if !strings.Contains(errs[i], want) {
					t.Errorf("error %d = %q, want it to contain %q", i, errs[i], want)
				}
			}
			if rd.Consumed() != int64(len(tt.in)) && strings.HasSuffix(tt.in, "\n") {
				t.Errorf("consumed %d of %d bytes", rd.Consumed(), len(tt.in))
			}
		})
	}
}

// TestReader_captureOrEvent: a line is a capture or a bare event by its members, wherever
// they stand; a bare event reads as parseEvent reads it.
func TestReader_captureOrEvent(t *testing.T) {
	capLine, _ := capN(3).AppendJSON(nil)
	// the same capture with received_at last
	moved := `{"method":"POST","path":"/","headers":{},"body":` + bareEvent + `,"received_at":"2026-03-01T00:00:00Z"}`
	for _, tc := range []struct {
		line    string
		capture bool
	}{
		{string(capLine), true},
		{moved, true},
		{bareEvent, false},
		{`{"event_id":"x","data":{"received_at":"2026-03-01T00:00:00Z","body":{}}}`, false},
		{`{"Received_At":"2026-03-01T00:00:00Z","Body":{"a":1}}`, false}, // only an exact "received_at" is probed
		{`{"event_id":"x","extra":1}`, false},
	} {
		r := &Reader{name: "f"}
		rec, err := r.parse([]byte(tc.line))
		if err != nil {
			t.Fatalf("%s: %v", tc.line, err)
		}
		if (rec.Capture != nil) != tc.capture {
			t.Errorf("%s: capture %v, want %v", tc.line, rec.Capture != nil, tc.capture)
		}
		if !tc.capture {
			want, err := r.parseEvent(Record{File: "f"}, []byte(tc.line))
			if err != nil || string(want.Body) != string(rec.Body) || want.Event.EventID != rec.Event.EventID || rec.Body == nil {
				t.Errorf("%s: read as %+v, parseEvent gives %+v (%v)", tc.line, rec, want, err)
			}
		}
	}
}

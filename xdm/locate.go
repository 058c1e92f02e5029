package xdm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/ciosim/ciosim/xdm/expr"
)

// LocatedError is an error of a mapping-set file placed in the file: the mapping it
// concerns (1-based; 0 for the set as a whole) and the line and column (1-based) of the
// problem, or of the mapping's source when the problem has no finer position.
type LocatedError struct {
	File      string
	Index     int
	Line, Col int
	Err       error
}

func (e *LocatedError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Col, e.Err)
}

func (e *LocatedError) Unwrap() error { return e.Err }

// Locate places err, returned by [ParseMappingSet] or [Compile] for the mapping set read
// from file with contents data, in the file. It returns err unchanged when it cannot.
func Locate(file string, data []byte, err error) error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, Locate(file, data, e))
		}
		return errors.Join(out...)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		l, c := lineCol(data, int(se.Offset)-1) // Offset is just past the offending byte
		return &LocatedError{File: file, Line: l, Col: c, Err: err}
	}
	index := 0
	var pe *ParseError
	var ce *CompileError
	switch {
	case errors.As(err, &ce):
		index = ce.Index
	case errors.As(err, &pe):
		index = pe.Index
	}
	if index == 0 {
		if pe != nil && pe.Offset > 0 {
			l, c := lineCol(data, pe.Offset-1)
			return &LocatedError{File: file, Line: l, Col: c, Err: err}
		}
		return err
	}
	start, source := mappingOffsets(data, index)
	if start < 0 {
		return err
	}
	off := start
	var xe *expr.SyntaxError
	if source >= 0 {
		off = source
		if errors.As(err, &xe) && xe.Pos > 0 && off < len(data) && data[off] == '"' {
			off = charOffset(data, off+1, xe.Pos)
		}
	}
	l, c := lineCol(data, off)
	return &LocatedError{File: file, Index: index, Line: l, Col: c, Err: err}
}

// charOffset returns the byte offset in data of the pos-th (1-based) character of the
// JSON string whose text starts at start, counting an escape sequence as one character.
func charOffset(data []byte, start, pos int) int {
	o := start
	for n := 1; n < pos && o < len(data) && data[o] != '"'; n++ {
		switch {
		case data[o] == '\\' && o+1 < len(data) && data[o+1] == 'u':
			o += 6
		case data[o] == '\\':
			o += 2
		default:
			_, size := utf8.DecodeRune(data[o:])
			o += size
		}
	}
	return min(o, len(data))
}

// lineCol turns a byte offset into a 1-based line and column (in characters, as editors
// count them).
func lineCol(data []byte, off int) (int, int) {
	off = min(max(off, 0), len(data))
	before := data[:off]
	line := 1 + bytes.Count(before, []byte("\n"))
	return line, 1 + utf8.RuneCount(before[bytes.LastIndexByte(before, '\n')+1:])
}

// mappingOffsets finds the index-th (1-based) element of the top-level "mappings" array:
// the offset of its '{' and of its "source" (or "sourceAttribute") value, -1 when absent.
func mappingOffsets(data []byte, index int) (start, source int) {
	dec := json.NewDecoder(bytes.NewReader(data))
	valueAt := func() int { // the offset of the next value, after the ':' or ','
		o := int(dec.InputOffset())
		for o < len(data) && (data[o] == ' ' || data[o] == '\t' || data[o] == '\n' || data[o] == '\r' || data[o] == ':' || data[o] == ',') {
			o++
		}
		return o
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return -1, -1
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return -1, -1
		}
		if k != "mappings" {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return -1, -1
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return -1, -1
		}
		for i := 1; dec.More(); i++ {
			at := valueAt()
			if i < index {
				var skip json.RawMessage
				if dec.Decode(&skip) != nil {
					return -1, -1
				}
				continue
			}
			if t, err := dec.Token(); err != nil || t != json.Delim('{') {
				return at, -1
			}
			source = -1
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return at, source
				}
				v := valueAt()
				if (k == "source" || k == "sourceAttribute") && source < 0 {
					source = v
				}
				var skip json.RawMessage
				if err := dec.Decode(&skip); err != nil && !errors.Is(err, io.EOF) {
					return at, source
				}
			}
			return at, source
		}
		return -1, -1
	}
	return -1, -1
}

package wiring

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/ciosim/ciosim/recordings"
)

// ReadRecords streams every record of the inputs to fn, through the one opener of input
// files (FileSource: files, directories of .jsonl/.ndjson, "-" or none for stdin).
// Lines that cannot be read are reported to stderr with file and line and skipped; the count
// of skipped lines is returned so a command can exit 1 when any were.
func (a *Env) ReadRecords(names []string, fn func(recordings.Record) error) (skipped int, err error) {
	return a.ReadRecordsSkip(names, fn, func(le *recordings.LineError) error {
		fmt.Fprintf(a.Err, "ciosim: %v\n", le)
		return nil
	})
}

// ReadRecordsSkip is ReadRecords with the report of each skipped line left to skip.
func (a *Env) ReadRecordsSkip(names []string, fn func(recordings.Record) error, skip func(*recordings.LineError) error) (skipped int, err error) {
	files, _, err := ExpandInputs("", names, func(s string) { fmt.Fprintf(a.Err, "ciosim: %s\n", s) })
	if err != nil {
		return 0, err
	}
	in := a.In
	if len(files) == 0 || slices.Contains(files, "-") {
		in = a.Stdin() // a hint and Ctrl-C when it is a terminal (wiring/stdin.go)
	}
	src := NewFileSource(files, in)
	src.Warn = func(s string) { fmt.Fprintf(a.Err, "ciosim: %s\n", s) } // bucket objects skipped
	defer src.Close()
	for {
		rec, err := src.Next(a.Ctx)
		if err == nil {
			// the common case, apart so that le below (which escapes) is not allocated
			// for every record
			if err := fn(rec); err != nil {
				return skipped, err
			}
			continue
		}
		var le *recordings.LineError
		switch {
		case errors.Is(err, io.EOF):
			return skipped, nil
		case errors.As(err, &le):
			skipped++
			if err := skip(le); err != nil {
				return skipped, err
			}
			continue
		default:
			return skipped, err
		}
	}
}

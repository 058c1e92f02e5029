package cmd

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/recordings"
)

// readRecords streams every record of the inputs to fn, through the one opener of input
// files (wiring.FileSource: files, directories of .jsonl/.ndjson, "-" or none for stdin).
// Lines that cannot be read are reported to stderr with file and line and skipped; the count
// of skipped lines is returned so a command can exit 1 when any were.
func (a *app) readRecords(names []string, fn func(recordings.Record) error) (skipped int, err error) {
	return a.readRecordsSkip(names, fn, func(le *recordings.LineError) error {
		fmt.Fprintf(a.s.Err, "ciosim: %v\n", le)
		return nil
	})
}

// readRecordsSkip is readRecords with the report of each skipped line left to skip.
func (a *app) readRecordsSkip(names []string, fn func(recordings.Record) error, skip func(*recordings.LineError) error) (skipped int, err error) {
	files, _, err := wiring.ExpandInputs("", names, func(s string) { fmt.Fprintf(a.s.Err, "ciosim: %s\n", s) })
	if err != nil {
		return 0, err
	}
	in := a.s.In
	if len(files) == 0 || slices.Contains(files, "-") {
		in = a.env().Stdin() // a hint and Ctrl-C when it is a terminal (wiring/stdin.go)
	}
	src := wiring.NewFileSource(files, in)
	src.Warn = func(s string) { fmt.Fprintf(a.s.Err, "ciosim: %s\n", s) } // bucket objects skipped
	defer src.Close()
	for {
		rec, err := src.Next(a.ctx)
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
		case err != nil:
			return skipped, err
		}
		if err := fn(rec); err != nil {
			return skipped, err
		}
	}
}

// createAtomic starts writing an output file (mode 0644) atomically: see wiring.CreateAtomic.
func createAtomic(path string) (*wiring.AtomicFile, error) { return wiring.CreateAtomic(path, 0o644) }

package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/recordings"
)

// forEachInput opens each named input in turn ("-" or no names means stdin) and calls fn
// with a reader over it. It stops at the first error fn returns.
func (a *app) forEachInput(names []string, fn func(name string, r io.Reader) error) error {
	if len(names) == 0 {
		names = []string{"-"}
	}
	for _, name := range names {
		if name == "-" {
			if err := fn("-", a.s.In); err != nil {
				return err
			}
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("open input: %w", err)
		}
		err = fn(name, f)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// readRecords streams every record of the inputs to fn. Lines that cannot be read are
// reported to stderr with file and line and skipped; the count of skipped lines is returned
// so a command can exit 1 when any were.
func (a *app) readRecords(names []string, fn func(recordings.Record) error) (skipped int, err error) {
	err = a.forEachInput(names, func(name string, r io.Reader) error {
		rd := recordings.NewReader(r, name)
		for {
			if err := a.ctx.Err(); err != nil {
				return err
			}
			rec, err := rd.Next()
			var le *recordings.LineError
			switch {
			case errors.Is(err, io.EOF):
				return nil
			case errors.As(err, &le):
				skipped++
				fmt.Fprintf(a.s.Err, "ciosim: %v\n", le)
				continue
			case err != nil:
				return err
			}
			if err := fn(rec); err != nil {
				return err
			}
		}
	})
	return skipped, err
}

// createAtomic starts writing an output file (mode 0644) atomically: see wiring.CreateAtomic.
func createAtomic(path string) (*wiring.AtomicFile, error) { return wiring.CreateAtomic(path, 0o644) }

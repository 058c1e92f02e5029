package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

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
		f, err := a.openInput(name) // a file or a bucket URL (cmd/bucketinput.go)
		if err != nil {
			return err
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

// atomicFile is an output file written to a temporary name beside its target and renamed
// into place by Commit, so a failed or interrupted run leaves no partial file behind.
type atomicFile struct {
	*os.File
	target string
	done   bool
}

// createAtomic starts writing path. The caller must call Commit on success or Abort
// otherwise (Abort after Commit does nothing, so `defer f.Abort()` is safe).
func createAtomic(path string) (*atomicFile, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, errors.Unwrap(err))
	}
	return &atomicFile{File: f, target: path}, nil
}

// Commit flushes, closes and renames the file to its target name.
func (f *atomicFile) Commit() error {
	if f.done {
		return nil
	}
	f.done = true
	if err := f.File.Sync(); err != nil {
		f.File.Close()
		os.Remove(f.File.Name())
		return fmt.Errorf("write %s: %w", f.target, err)
	}
	if err := f.File.Close(); err != nil {
		os.Remove(f.File.Name())
		return fmt.Errorf("write %s: %w", f.target, err)
	}
	if err := os.Rename(f.File.Name(), f.target); err != nil {
		os.Remove(f.File.Name())
		return fmt.Errorf("write %s: %w", f.target, err)
	}
	return nil
}

// Abort closes and removes the temporary file.
func (f *atomicFile) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.File.Name())
}

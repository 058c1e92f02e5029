package wiring

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// AtomicFile is an output file written to a temporary name beside its target and renamed
// into place by Commit, so a failed or interrupted run leaves no partial file behind.
type AtomicFile struct {
	*os.File
	target string
	mode   os.FileMode
	done   bool
}

// CreateAtomic starts writing path, which Commit gives mode (0644 for outputs meant to be
// shared, 0600 for what may hold personal data). The caller must call Commit on success or
// Abort otherwise (Abort after Commit does nothing, so `defer f.Abort()` is safe).
func CreateAtomic(path string, mode os.FileMode) (*AtomicFile, error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, errors.Unwrap(err))
	}
	return &AtomicFile{File: f, target: path, mode: mode}, nil
}

// Commit flushes, closes and renames the file to its target name.
func (f *AtomicFile) Commit() error {
	if f.done {
		return nil
	}
	f.done = true
	fail := func(err error) error {
		f.File.Close()
		os.Remove(f.File.Name())
		return fmt.Errorf("write %s: %w", f.target, err)
	}
	if err := f.File.Chmod(f.mode); err != nil {
		return fail(err)
	}
	if err := f.File.Sync(); err != nil {
		return fail(err)
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
func (f *AtomicFile) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.File.Close()
	os.Remove(f.File.Name())
}

package cmd

import (
	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/recordings"
)

// readRecords streams every record of the inputs to fn: see wiring.Env.ReadRecords.
func (a *app) readRecords(names []string, fn func(recordings.Record) error) (skipped int, err error) {
	return a.env().ReadRecords(names, fn)
}

// createAtomic starts writing an output file (mode 0644) atomically: see wiring.CreateAtomic.
func createAtomic(path string) (*wiring.AtomicFile, error) { return wiring.CreateAtomic(path, 0o644) }

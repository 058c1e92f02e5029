package wiring

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/internal/ops"
)

// DefaultReadyUploadLag is how long the oldest closed spool segment may wait for its
// upload before a recorder with --store says it is not ready (--ready-upload-lag).
const DefaultReadyUploadLag = 5 * time.Minute

// readyCacheFor is how long a readiness verdict is reused: probes and scrapers may ask
// often, and the store check writes a file.
const readyCacheFor = time.Second

// cachedReady reuses check's verdict for readyCacheFor.
func cachedReady(now func() time.Time, check func() error) func() error {
	var mu sync.Mutex
	var at time.Time
	var last error
	return func() error {
		mu.Lock()
		defer mu.Unlock()
		if t := now(); at.IsZero() || t.Sub(at) >= readyCacheFor || t.Before(at) {
			last, at = check(), t
		}
		return last
	}
}

// recordReady is the recorder's readiness: its directory (the store, or the spool with
// --store) is a writable directory and, when spool is set, the oldest closed segment has
// waited for its upload less than maxLag (the reason then names the last upload error).
func recordReady(dir string, spool func() (ops.SpoolStats, string), maxLag time.Duration, now func() time.Time) func() error {
	return cachedReady(now, func() error {
		fi, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("store directory: %w", err)
		}
		if !fi.IsDir() {
			return fmt.Errorf("store directory %s is not a directory", dir)
		}
		f, err := os.CreateTemp(dir, ".readyz-*")
		if err != nil {
			return fmt.Errorf("store directory %s is not writable: %w", dir, errors.Unwrap(err))
		}
		f.Close()
		os.Remove(f.Name())
		if spool == nil {
			return nil
		}
		st, lastErr := spool()
		if st.OldestClosed.IsZero() {
			return nil
		}
		if lag := now().Sub(st.OldestClosed); lag >= maxLag {
			msg := fmt.Sprintf("upload lag %s is over %s (%d segments, %d bytes wait in the spool)",
				lag.Round(time.Second), maxLag, st.Segments, st.Bytes)
			if lastErr != "" {
				msg += "; last upload error: " + lastErr
			}
			return errors.New(msg)
		}
		return nil
	})
}

// serveReady is the emulator's readiness: a mapping set is loaded for raw posts (unless
// none is wanted, --no-mapping), and every flow it was started with (--flow, --dataflow)
// resolves to its mapping and schema.
func serveReady(fallback emulator.Mapper, wantMapping bool, flows emulator.FlowSource, ids []string) func() error {
	return func() error {
		var missing []string
		for _, id := range ids {
			f, ok := flows.Flow(id)
			if !ok || (f.Mapper == nil && fallback == nil && wantMapping) {
				missing = append(missing, id)
			}
		}
		if len(missing) > 0 {
			return fmt.Errorf("flows not loaded: %v", missing)
		}
		if wantMapping && fallback == nil {
			return errors.New("no mapping set loaded")
		}
		return nil
	}
}

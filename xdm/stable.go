package xdm

import (
	"crypto/sha256"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"time"
)

// StableClock is the time now() and timestamp() read when a mapping runs stably
// ([Stable]): 2026-01-01T00:00:00Z, the first event time of a seeded generate run.
var StableClock = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// SeededRand returns an [Options.RandFor] that draws each record's uuid()/guid() values
// from a ChaCha8 generator seeded with SHA-256(seed, event_id): the same seed and event
// give the same values on every run and on every machine.
func SeededRand(seed int64) func(eventID string) io.Reader {
	return func(eventID string) io.Reader {
		h := sha256.New()
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(seed))
		h.Write(b[:])
		io.WriteString(h, eventID)
		var key [32]byte
		copy(key[:], h.Sum(nil))
		return rand.NewChaCha8(key)
	}
}

// Stable returns o made deterministic for golden files: now() and timestamp() read
// [StableClock], and uuid()/guid() come from [SeededRand](seed) per event.
func Stable(o Options, seed int64) Options {
	o.Now = func() time.Time { return StableClock }
	o.RandFor = SeededRand(seed)
	o.Rand = nil
	return o
}

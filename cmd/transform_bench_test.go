package cmd

import (
	"bytes"
	"context"
	"io"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/ciosim/ciosim/recordings"
)

// BenchmarkTransform runs `ciosim transform` (experience-event) over generated events held
// in memory, so it measures reading, mapping, checking and writing but no disk I/O. One
// iteration is one event; events/s is 1e9 / ns/op.
func BenchmarkTransform(b *testing.B) {
	var gen bytes.Buffer
	s := Streams{In: strings.NewReader(""), Out: &gen, Err: io.Discard}
	if code := Main(context.Background(), []string{"generate", "--all", "--count", "20000", "--seed", "1", "--start", "2026-03-01T00:00:00Z"}, s, func(string) string { return "" }); code != 0 {
		b.Fatalf("generate: exit %d", code)
	}
	events := gen.Bytes()
	n := bytes.Count(events, []byte("\n"))
	// read: only what transform's input side costs (recordings.Reader: line split,
	// capture probe, customerio.Parse), to tell it apart from mapping and writing.
	b.Run("read", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(events) / n))
		for done := 0; done < b.N; done += n {
			a := &app{ctx: context.Background(), s: Streams{In: bytes.NewReader(events), Out: io.Discard, Err: io.Discard}, getenv: func(string) string { return "" }}
			if _, err := a.readRecords(nil, func(recordings.Record) error { return nil }); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, mapping := range []string{"experience-event", "tutorial"} {
		b.Run(mapping, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(events) / n))
			for done := 0; done < b.N; done += n {
				s := Streams{In: bytes.NewReader(events), Out: io.Discard, Err: io.Discard}
				if code := Main(context.Background(), []string{"transform", "--mapping", mapping}, s, func(string) string { return "" }); code != 0 {
					b.Fatalf("transform: exit %d", code)
				}
			}
		})
	}
}

// TestTransform_restoresGCPercent: the GOGC transform raises for itself is put back.
func TestTransform_restoresGCPercent(t *testing.T) {
	old := debug.SetGCPercent(123)
	defer debug.SetGCPercent(old)
	if code, _, stderr := run(t, nil, generated(t), "transform"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := debug.SetGCPercent(123); got != 123 {
		t.Errorf("GC percent after transform = %d, want 123", got)
	}
}

package generator

import (
	"errors"
	"io"
	"testing"
	"time"
)

// BenchmarkStream_welcome measures a welcome-email-like run: two emails per customer.
func BenchmarkStream_welcome(b *testing.B) {
	l, _ := DefaultLifecycle("email")
	opts := StreamOptions{Customers: 10000, Messages: []Message{
		{Name: "welcome", Lifecycle: l, Reach: 1, Spread: 7 * 24 * time.Hour},
		{Name: "tips", Lifecycle: l, Reach: 0.9, At: 3 * 24 * time.Hour, Spread: 7 * 24 * time.Hour},
	}}
	events := 0
	for b.Loop() {
		s, err := New(Options{Seed: 1, Start: fixedStart}).NewStream(opts)
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := s.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			events++
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

package cmd

import (
	"fmt"
	"io"
	"time"
)

// progress prints a one-line, self-overwriting counter to a terminal. It is a no-op when
// disabled (stderr not a terminal, or too little work to be worth it).
type progress struct {
	w       io.Writer
	on      bool
	verb    string
	total   int
	started time.Time
	last    time.Time
}

func newProgress(w io.Writer, on bool, verb string, total int) *progress {
	now := time.Now()
	return &progress{w: w, on: on, verb: verb, total: total, started: now, last: now}
}

func (p *progress) update(n int) {
	if !p.on {
		return
	}
	now := time.Now()
	if now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	rate := float64(n) / now.Sub(p.started).Seconds()
	fmt.Fprintf(p.w, "\r\x1b[K%s %d/%d (%.0f%%, %.0f/s)", p.verb, n, p.total, 100*float64(n)/float64(p.total), rate)
}

func (p *progress) done(n int) {
	if !p.on {
		return
	}
	el := time.Since(p.started)
	fmt.Fprintf(p.w, "\r\x1b[K%s %d in %s (%.0f/s)\n", p.verb, n, el.Round(time.Millisecond), float64(n)/el.Seconds())
}

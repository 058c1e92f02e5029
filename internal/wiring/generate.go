package wiring

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/fixtures"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
)

// EmitOptions say how WriteEvents paces, reports and fires events.
type EmitOptions struct {
	Pace     *pipeline.Schedule
	Progress *Progress
	// Fire, when set, delivers each event (after it is due) through the pipeline as it is
	// written; the report is left in Fire.Report.
	Fire *Run
}

// WriteEvents writes events as JSONL until next returns io.EOF, pacing them on the schedule
// when Pace is set and firing them when Fire is set. An invalid event ends it with next's
// *fixtures.InvalidEventError.
func WriteEvents(ctx context.Context, out io.Writer, next func() (customerio.Event, error), eo EmitOptions) (int, error) {
	pace, prog := eo.Pace, eo.Progress
	w := bufio.NewWriterSize(out, 256*1024)
	n := 0
	read := func() (customerio.Event, error) {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return customerio.Event{}, err
			}
			prog.Update(n)
		}
		return next()
	}
	write := func(ev customerio.Event) error {
		n++
		w.Write(ev.Bytes())
		if err := w.WriteByte('\n'); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		if pace != nil {
			if err := w.Flush(); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
		return nil
	}
	if eo.Fire != nil {
		src := pipeline.SourceFunc(func(context.Context) (recordings.Record, error) {
			ev, err := read()
			if err != nil {
				return recordings.Record{}, err
			}
			if err := write(ev); err != nil {
				return recordings.Record{}, err
			}
			return recordings.Record{File: GeneratedInput, Line: n, Body: ev.Bytes(), Event: ev}, nil
		})
		eo.Fire.Options.Schedule = pace
		rep, err := eo.Fire.Deliver(ctx, src)
		eo.Fire.Report = rep
		if ferr := w.Flush(); ferr != nil && err == nil {
			err = fmt.Errorf("write: %w", ferr)
		}
		return n, err
	}
	for {
		ev, err := read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		if pace != nil {
			if err := w.Flush(); err != nil {
				return n, fmt.Errorf("write: %w", err)
			}
			if err := pace.Wait(ctx, pace.Due(time.Unix(ev.Timestamp, 0), true)); err != nil {
				return n, err
			}
		}
		if err := write(ev); err != nil {
			return n, err
		}
	}
	if err := w.Flush(); err != nil {
		return n, fmt.Errorf("write: %w", err)
	}
	return n, nil
}

// CheckFixture regenerates into a pipe and compares it with the committed fixture at path.
func CheckFixture(ctx context.Context, path string, next func() (customerio.Event, error)) (*fixtures.Drift, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--check: %w", err)
	}
	defer f.Close()
	pr, pw := io.Pipe()
	genErr := make(chan error, 1)
	go func() {
		_, err := WriteEvents(ctx, pw, next, EmitOptions{})
		pw.CloseWithError(err)
		genErr <- err
	}()
	drift, cmpErr := fixtures.Compare(f, pr, 10)
	pr.CloseWithError(io.ErrClosedPipe) // unblock the generator if Compare stopped early
	if err := <-genErr; err != nil && !errors.Is(err, io.ErrClosedPipe) {
		return drift, err
	}
	return drift, cmpErr
}

// ListScenarios writes the built-in scenarios with their descriptions.
func ListScenarios(out io.Writer) error {
	w := bufio.NewWriter(out)
	for _, name := range fixtures.Names() {
		sc, err := fixtures.Load(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%-22s %s\n", name, sc.Description)
	}
	return w.Flush()
}

// Progress prints a one-line, self-overwriting counter of generated events to a terminal.
// A nil *Progress, or one that is off, prints nothing.
type Progress struct {
	w       io.Writer
	on      bool
	verb    string
	total   int
	started time.Time
	last    time.Time
}

// NewProgress returns a counter of total events on w, drawn only when on.
func NewProgress(w io.Writer, on bool, verb string, total int) *Progress {
	now := time.Now()
	return &Progress{w: w, on: on, verb: verb, total: total, started: now, last: now}
}

// Update redraws the line with n events done (at most every 100 ms).
func (p *Progress) Update(n int) {
	if p == nil || !p.on {
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

// Done prints the final count.
func (p *Progress) Done(n int) {
	if p == nil || !p.on {
		return
	}
	el := time.Since(p.started)
	fmt.Fprintf(p.w, "\r\x1b[K%s %d in %s (%.0f/s)\n", p.verb, n, el.Round(time.Millisecond), float64(n)/el.Seconds())
}

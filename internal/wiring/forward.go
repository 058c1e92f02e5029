package wiring

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
)

// DefaultForwardJournal is record --forward's journal unless --forward-journal names another.
const DefaultForwardJournal = "forward.journal.jsonl"

// Forwarder relays stored captures through the delivery pipeline on its own goroutine, in
// arrival order, so a slow endpoint never delays the 200 Customer.io waits for. Failures
// are reported on w, and the delivery report when the recorder stops. With a journal, each
// forward outcome is journaled under the capture's store file and line (as send journals
// its inputs' lines), so after a crash the captures the journal does not show delivered
// are the ones left to forward.
type Forwarder struct {
	mu     sync.RWMutex // guards closed against enqueue racing close
	closed bool
	w      io.Writer
	ch     chan queued
	done   chan struct{}
	rep    pipeline.Report
}

// NewForwarder starts forwarding what Enqueue is given through c; failures go to w, outcomes
// to the journal file when it is not "" (created, or replaced, at once so that an unusable
// path fails here).
func NewForwarder(ctx context.Context, c *aep.Client, w io.Writer, journal string) (*Forwarder, error) {
	if journal != "" {
		jf, err := os.OpenFile(journal, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return nil, fmt.Errorf("--forward-journal: %w (or pass --no-forward-journal)", err)
		}
		jf.Close()
	}
	f := &Forwarder{w: w, ch: make(chan queued, 1024), done: make(chan struct{})}
	src := pipeline.SourceFunc(func(context.Context) (recordings.Record, error) {
		q, ok := <-f.ch
		if !ok {
			return recordings.Record{}, io.EOF
		}
		ev, err := customerio.Parse(q.body)
		return recordings.Record{File: q.at.File, Line: q.at.Line, Body: q.body, Event: ev, EventErr: err}, nil
	})
	// The journal is appended to: a recorder restarted after a crash keeps the lines of the
	// run that crashed.
	run := Run{Command: "record", Client: c, Stderr: w, Journal: journal, AppendJournal: true, Options: pipeline.Options{OnResult: func(r pipeline.Result) {
		if r.Outcome != pipeline.Delivered {
			fmt.Fprintf(w, "ciosim: forward: %s: %s\n", r.Outcome, r.Reason)
		}
	}}}
	go func() {
		defer close(f.done)
		// Forwarding continues during shutdown so that queued captures still go out.
		f.rep, _ = run.Deliver(context.WithoutCancel(ctx), src)
	}()
	return f, nil
}

// queued is a stored capture waiting to be forwarded, and where the store put it.
type queued struct {
	body []byte
	at   recordings.Location
}

// Enqueue queues a stored capture's body, stored at at; it never blocks (a full queue drops
// it, saying so).
func (f *Forwarder) Enqueue(body []byte, at recordings.Location) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.closed {
		fmt.Fprintf(f.w, "ciosim: shutting down: capture stored but not forwarded\n")
		return
	}
	select {
	case f.ch <- queued{body, at}:
	default:
		fmt.Fprintf(f.w, "ciosim: forward queue full: capture stored but not forwarded\n")
	}
}

// Close forwards what is queued, then prints the delivery report.
func (f *Forwarder) Close() {
	f.mu.Lock()
	f.closed = true
	close(f.ch)
	f.mu.Unlock()
	<-f.done
	f.rep.WriteText(f.w)
}

// Len returns how many captures wait to be forwarded, for metrics.
func (f *Forwarder) Len() int { return len(f.ch) }

package wiring

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
)

// Forwarder relays stored captures through the delivery pipeline on its own goroutine, in
// arrival order, so a slow endpoint never delays the 200 Customer.io waits for. Failures
// are reported on w, and the delivery report when the recorder stops.
type Forwarder struct {
	mu     sync.RWMutex // guards closed against enqueue racing close
	closed bool
	w      io.Writer
	ch     chan []byte
	done   chan struct{}
	rep    pipeline.Report
}

// NewForwarder starts forwarding what Enqueue is given through c; failures go to w.
func NewForwarder(ctx context.Context, c *aep.Client, w io.Writer) *Forwarder {
	f := &Forwarder{w: w, ch: make(chan []byte, 1024), done: make(chan struct{})}
	n := 0
	src := pipeline.SourceFunc(func(context.Context) (recordings.Record, error) {
		body, ok := <-f.ch
		if !ok {
			return recordings.Record{}, io.EOF
		}
		n++
		ev, err := customerio.Parse(body)
		return recordings.Record{File: "forward", Line: n, Body: body, Event: ev, EventErr: err}, nil
	})
	run := Run{Command: "record", Client: c, Stderr: w, Options: pipeline.Options{OnResult: func(r pipeline.Result) {
		if r.Outcome != pipeline.Delivered {
			fmt.Fprintf(w, "ciosim: forward: %s: %s\n", r.Outcome, r.Reason)
		}
	}}}
	go func() {
		defer close(f.done)
		// Forwarding continues during shutdown so that queued captures still go out.
		f.rep, _ = run.Deliver(context.WithoutCancel(ctx), src)
	}()
	return f
}

// Enqueue queues a stored capture's body; it never blocks (a full queue drops it, saying so).
func (f *Forwarder) Enqueue(body []byte) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	if f.closed {
		fmt.Fprintf(f.w, "ciosim: shutting down: capture stored but not forwarded\n")
		return
	}
	select {
	case f.ch <- body:
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

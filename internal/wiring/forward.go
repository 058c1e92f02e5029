package wiring

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
)

// Forwarder relays stored captures through the delivery pipeline on its own goroutine, in
// arrival order, so a slow endpoint never delays the 200 Customer.io waits for. Failures
// are reported on w naming the capture (file:line and event_id, so it can be re-sent), and
// when the recorder stops, the delivery report and the counts of what was forwarded, failed
// and dropped.
type Forwarder struct {
	mu     sync.RWMutex // guards closed against enqueue racing close
	closed bool
	w      io.Writer
	ch     chan recordings.Result
	done   chan struct{}
	rep    pipeline.Report
	// dropped counts captures not queued: the queue was full, or the recorder was stopping.
	droppedFull, droppedClosing int
	dmu                         sync.Mutex
}

// forwardQueue is how many stored captures may wait to be forwarded.
const forwardQueue = 1024

// NewForwarder starts forwarding what Enqueue is given through c; failures go to w.
func NewForwarder(ctx context.Context, c *aep.Client, w io.Writer) *Forwarder {
	return newForwarder(ctx, c, w, forwardQueue)
}

func newForwarder(ctx context.Context, c *aep.Client, w io.Writer, queue int) *Forwarder {
	f := &Forwarder{w: w, ch: make(chan recordings.Result, queue), done: make(chan struct{})}
	n := 0
	src := pipeline.SourceFunc(func(context.Context) (recordings.Record, error) {
		r, ok := <-f.ch
		if !ok {
			return recordings.Record{}, io.EOF
		}
		n++
		// The record names the stored capture, so failures and the report point at it.
		file, line := r.Stored.File, r.Stored.Line
		if file == "" {
			file, line = "forward", n
		}
		ev, err := customerio.Parse(r.Capture.Body)
		return recordings.Record{File: file, Line: line, Body: r.Capture.Body, Event: ev, EventErr: err}, nil
	})
	run := Run{Command: "record", Client: c, Stderr: w, Options: pipeline.Options{OnResult: func(r pipeline.Result) {
		if r.Outcome != pipeline.Delivered {
			fmt.Fprintf(w, "ciosim: forward: %s %s: %s\n", r.Outcome, captureName(r.Message.Source, r.Message.EventID), r.Reason)
		}
	}}}
	go func() {
		defer close(f.done)
		// Forwarding continues during shutdown so that queued captures still go out.
		f.rep, _ = run.Deliver(context.WithoutCancel(ctx), src)
	}()
	return f
}

// captureName is "FILE:LINE (event ID)" for messages.
func captureName(source, eventID string) string {
	if eventID == "" {
		eventID = "unknown"
	}
	return source + " (event " + eventID + ")"
}

// Enqueue queues a stored capture; it never blocks (a full queue drops it, naming it so it
// can be re-sent from its file).
func (f *Forwarder) Enqueue(r recordings.Result) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	name := captureName(r.Stored.File+":"+strconv.Itoa(r.Stored.Line), r.Event.EventID)
	if f.closed {
		f.dmu.Lock()
		f.droppedClosing++
		f.dmu.Unlock()
		fmt.Fprintf(f.w, "ciosim: shutting down: capture %s stored but not forwarded\n", name)
		return
	}
	select {
	case f.ch <- r:
	default:
		f.dmu.Lock()
		f.droppedFull++
		f.dmu.Unlock()
		fmt.Fprintf(f.w, "ciosim: forward queue full (%d waiting): capture %s stored but not forwarded\n", cap(f.ch), name)
	}
}

// Close forwards what is queued, then prints the delivery report and the forwarding counts.
func (f *Forwarder) Close() {
	f.mu.Lock()
	f.closed = true
	close(f.ch)
	f.mu.Unlock()
	<-f.done
	f.rep.WriteText(f.w)
	fmt.Fprintln(f.w, f.Summary())
}

// Summary is the forwarding line of the shutdown summary: captures forwarded, failed and
// not forwarded (dropped because the queue was full, or stored while stopping).
func (f *Forwarder) Summary() string {
	f.dmu.Lock()
	full, closing := f.droppedFull, f.droppedClosing
	f.dmu.Unlock()
	s := fmt.Sprintf("ciosim: forward: %d forwarded, %d failed, %d dropped (queue full)", f.rep.Delivered, f.rep.Failed+f.rep.Rejected+f.rep.Cancelled, full)
	if closing > 0 {
		s += fmt.Sprintf(", %d not forwarded (stored while shutting down)", closing)
	}
	if full+closing > 0 || f.rep.Failed+f.rep.Rejected+f.rep.Cancelled > 0 {
		s += "; the messages above name each capture (file:line) to re-send"
	}
	return s
}

// Len returns how many captures wait to be forwarded, for metrics.
func (f *Forwarder) Len() int { return len(f.ch) }

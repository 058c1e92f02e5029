package pipeline

import (
	"context"
	"crypto/rand"
	"errors"
	"hash/maphash"
	"io"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/recordings"
)

// Source yields records to deliver; it returns io.EOF at the end and a
// *[recordings.LineError] for a line it skipped (delivery reports it and carries on).
type Source interface {
	Next(ctx context.Context) (recordings.Record, error)
}

// SourceFunc adapts a function to [Source].
type SourceFunc func(ctx context.Context) (recordings.Record, error)

// Next calls f.
func (f SourceFunc) Next(ctx context.Context) (recordings.Record, error) { return f(ctx) }

// Options controls [Deliver]. The zero value sends every record as fast as possible,
// byte-for-byte, and reports nothing.
type Options struct {
	// Schedule paces records by their original times; nil sends as fast as possible.
	Schedule *Schedule
	// ShiftToNow moves every event's timestamp (and its ULID event_id's time) by the same
	// amount, so that the first record's original time becomes the time it is sent; the
	// gaps between events are kept exactly.
	ShiftToNow bool
	// NewEventIDs mints a fresh ULID event_id for every event (keeping the original id's
	// time, shifted when ShiftToNow is set), so AEP does not drop replays as duplicates.
	NewEventIDs bool
	// Entropy feeds new ULIDs; nil means crypto/rand.
	Entropy io.Reader
	// Transform, when set, turns each (rewritten) Customer.io body into what is posted,
	// such as an XDM message. An error rejects the event: it is not posted, and its result
	// has the outcome Rejected with the error as the reason.
	Transform func(rec recordings.Record, body []byte) ([]byte, error)
	// Key is the ordering key of a record when the client keeps order (aep.Options.Ordered);
	// nil means the customer ([CustomerKey]).
	Key func(rec recordings.Record) string
	// Skip reports records that must not be sent again (those a journal shows delivered or
	// rejected, on resume); they are counted as resumed, not reported one by one.
	Skip func(rec recordings.Record) bool
	// Verdict looks up the embedded emulator's verdict on a delivered event by the
	// xactionId it answered with. When it is nil and an answer carries aep.HeaderEmulator
	// (a separate `ciosim serve`), the verdicts are asked of that emulator over HTTP
	// (GET/POST VerdictPath on the inlet's host), in batches of at most MaxVerdictBatch,
	// and set on the same Result field before the result is counted and reported. AEP
	// never sends that header, so it is never asked.
	Verdict func(xactionID string) (Verdict, bool)
	// Tally counts every result; Journal and DeadLetters record them (failed events go to
	// the dead-letter file). Each may be nil.
	Tally       *Tally
	Journal     *Journal
	DeadLetters *aep.DeadLetterWriter
	// OnFirstFailure is called with the first failed or rejected result of each kind
	// (see [Tally.Add]), as it happens, so the cause can be shown at once.
	OnFirstFailure func(Result)
	// OnResult is called once per event, in the order results arrive, never concurrently,
	// after the result is journaled (from the delivery's one reporting goroutine).
	OnResult func(Result)
	// OnSkip is called for each input line the source could not read.
	OnSkip func(error)
}

// Deliver is the one delivery loop: it reads src to the end, paces each record on the
// schedule, rewrites and transforms it, and hands it to the aep client's workers (the
// client's concurrency, rate limit, per-customer order and batching under its limits),
// then counts, journals and reports each event's [Result]. A record whose transform fails
// is rejected and never posted. When ctx ends, reading stops; events already queued or in
// flight end Cancelled. Deliver returns after every event read has a result: the error is
// the source's (other than io.EOF), ctx's, or the first journal or dead-letter write error.
func Deliver(ctx context.Context, src Source, c *aep.Client, o Options) error {
	d := &deliverer{c: c, o: o, co: c.Options()}
	if d.o.Schedule == nil {
		d.o.Schedule = NewSchedule(nil, 0, 0)
	}
	if d.o.Entropy == nil {
		d.o.Entropy = rand.Reader
	}
	if d.o.Key == nil {
		d.o.Key = func(rec recordings.Record) string { return CustomerKey(rec.Event.Data) }
	}
	if d.co.Rate > 0 {
		d.lim = rate.NewLimiter(rate.Limit(d.co.Rate), 1)
	}
	if d.o.Verdict == nil {
		d.remote = newRemoteVerdicts(d.co.URL, c.HTTPClient())
	}
	d.rep = make(chan []Result, 4*d.co.Concurrency+64)
	d.repDone = make(chan struct{})
	go d.reportLoop(ctx)
	d.start(ctx)
	err := d.produce(ctx, src)
	d.flushAll()
	for _, ch := range d.chans {
		close(ch)
	}
	d.wg.Wait()
	close(d.rep)
	<-d.repDone
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		d.mu.Lock()
		err = d.err
		d.mu.Unlock()
	}
	return err
}

// job is one message on its way to the client, with its place on the schedule.
type job struct {
	msg           aep.Message
	due, released time.Time
}

type deliverer struct {
	c   *aep.Client
	o   Options
	co  aep.Options
	lim *rate.Limiter
	mu  sync.Mutex // serialises emit's callbacks
	err error
	// chans feed the workers: one shared channel, or one per worker when order is kept
	// (each customer's events always go to the same worker). pending holds the batch being
	// built for each channel (batch mode), size its bytes per BatchFits.
	chans   []chan []job
	pending [][]job
	size    []int
	seed    maphash.Seed
	wg      sync.WaitGroup
	// rep carries journaled results, in the order they were emitted, to the one reporting
	// goroutine (reportLoop), which fetches remote verdicts and counts and reports them.
	rep     chan []Result
	repDone chan struct{}
	remote  *remoteVerdicts
}

// ReadySource is a [Source] that can tell whether its next Next call would block waiting
// for input that has not been written yet (a followed file). In batch mode the batches
// being built are sent before such a wait, so nothing due sits unsent while the source
// idles. Sources that do not implement it are assumed never to block for long.
type ReadySource interface {
	Source
	// Ready reports whether Next would return without waiting for new input.
	Ready() bool
}

// produce reads, paces, builds and queues every record.
func (d *deliverer) produce(ctx context.Context, src Source) error {
	sc := d.o.Schedule
	clock := sc.Clock()
	rs, _ := src.(ReadySource)
	var shift time.Duration
	haveShift := false
	seq := 0
	var lastDue time.Time
	for ctx.Err() == nil {
		if rs != nil && !rs.Ready() {
			d.flushAll()
		}
		rec, err := src.Next(ctx)
		var le *recordings.LineError
		switch {
		case errors.As(err, &le):
			d.o.Tally.unreadable()
			if d.o.OnSkip != nil {
				d.o.OnSkip(err)
			}
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
		if d.o.Skip != nil && d.o.Skip(rec) {
			d.o.Tally.resumed()
			continue
		}
		at, known := OriginalTime(rec)
		due := sc.Due(at, known)
		if known && !haveShift {
			shift, haveShift = due.Sub(at), true
		}
		if !due.Equal(lastDue) {
			d.flushAll() // what is pending was due earlier: a batch holds events due together
			lastDue = due
		}
		if err := sc.Wait(ctx, due); err != nil {
			return err
		}
		j := job{due: due, released: clock.Now()}
		j.msg = aep.Message{Seq: seq, Input: rec.File, Line: rec.Line, Source: rec.File + ":" + strconv.Itoa(rec.Line),
			Body: rec.Body, Payload: rec.Body}
		seq++
		if rec.EventErr == nil {
			j.msg.EventID, j.msg.ObjectType, j.msg.Metric = rec.Event.EventID, rec.Event.ObjectType, rec.Event.Metric
		}
		if d.co.Ordered {
			j.msg.Key = d.o.Key(rec)
		}
		if err := d.build(rec, &j.msg, shift, haveShift); err != nil {
			d.emit(Result{Result: aep.Result{Message: j.msg, Outcome: Rejected, Reason: err.Error(), Kind: "rejected"},
				Due: j.due, Released: j.released, Lag: j.released.Sub(j.due)})
			continue
		}
		d.queue(j)
	}
	return ctx.Err()
}

// start starts the workers: Concurrency of them on one channel, or each on its own when
// order is kept.
func (d *deliverer) start(ctx context.Context) {
	workers := d.co.Concurrency
	n := 1
	if d.co.Ordered && workers > 1 {
		n = workers
	}
	d.seed = maphash.MakeSeed()
	d.chans = make([]chan []job, n)
	d.pending = make([][]job, n)
	d.size = make([]int, n)
	for i := range d.chans {
		d.chans[i] = make(chan []job, 4*workers+64)
	}
	d.wg.Add(workers)
	for w := range workers {
		go d.work(ctx, d.chans[w%n])
	}
}

// queue hands j to its worker: alone, or in batch mode into the batch being built for its
// channel, which is sent first when j would break the client's limits.
func (d *deliverer) queue(j job) {
	p := 0
	if len(d.chans) > 1 {
		p = int(maphash.String(d.seed, j.msg.Key) % uint64(len(d.chans)))
	}
	if d.co.Mode != aep.ModeBatch {
		d.chans[p] <- []job{j}
		return
	}
	if !d.c.BatchFits(len(d.pending[p]), d.size[p], len(j.msg.Body)) {
		d.flush(p)
	}
	if len(d.pending[p]) > 0 {
		d.size[p]++
	}
	d.size[p] += len(j.msg.Body)
	d.pending[p] = append(d.pending[p], j)
}

func (d *deliverer) flush(p int) {
	if len(d.pending[p]) > 0 {
		d.chans[p] <- d.pending[p]
		d.pending[p], d.size[p] = nil, 0
	}
}

func (d *deliverer) flushAll() {
	for p := range d.pending {
		d.flush(p)
	}
}

// work sends what arrives on in: each job alone, or each batch in one batch request.
func (d *deliverer) work(ctx context.Context, in <-chan []job) {
	defer d.wg.Done()
	for b := range in {
		if d.lim != nil {
			d.lim.Wait(ctx) // an error means ctx ended; the client then reports the events cancelled
		}
		if d.co.Mode != aep.ModeBatch {
			d.emit(d.result(d.c.Send(ctx, b[0].msg), b[0]))
			continue
		}
		msgs := make([]aep.Message, len(b))
		for i, j := range b {
			msgs[i] = j.msg
		}
		res := d.c.SendBatch(ctx, msgs)
		out := make([]Result, len(res))
		for i, r := range res {
			out[i] = d.result(r, b[i])
		}
		d.emit(out...)
	}
}

// build rewrites and transforms the record's body into m.Body.
func (d *deliverer) build(rec recordings.Record, m *aep.Message, shift time.Duration, haveShift bool) error {
	req, err := BuildRequest(rec, RewriteOptions{Shift: shift, ShiftToNow: d.o.ShiftToNow && haveShift,
		NewEventID: d.o.NewEventIDs, Entropy: d.o.Entropy})
	if err != nil {
		return err
	}
	// The captured signature headers are not sent: they would be stale; the aep client
	// signs afresh when it has a signing key.
	m.Body = req.Body
	if d.o.Transform != nil {
		out, err := d.o.Transform(rec, m.Body)
		if err != nil {
			return err
		}
		m.Body = out
	}
	return nil
}

// emit gives results their in-process verdicts, dead-letters and journals them, then hands
// them to the reporting goroutine. The journal is written before the worker moves on, so
// what a kill loses is at most what was in flight.
func (d *deliverer) emit(rs ...Result) {
	if d.o.Verdict != nil {
		for i := range rs {
			if rs[i].Outcome == Delivered && rs[i].XactionID != "" {
				if v, ok := d.o.Verdict(rs[i].XactionID); ok {
					rs[i].Verdict = &v
				}
			}
		}
	}
	if d.o.DeadLetters != nil {
		d.mu.Lock()
		for _, r := range rs {
			if r.Outcome == Failed {
				if err := d.o.DeadLetters.Write(r.Result); err != nil && d.err == nil {
					d.err = err
				}
			}
		}
		d.mu.Unlock()
	}
	if d.o.Journal != nil {
		if err := d.o.Journal.Record(rs...); err != nil {
			d.mu.Lock()
			if d.err == nil {
				d.err = err
			}
			d.mu.Unlock()
		}
	}
	d.rep <- rs
}

// reportLoop counts and reports results in the order they were emitted. Results that need
// a separate emulator's verdict are grouped with whatever else is already waiting (up to
// MaxVerdictBatch of them) so one request asks about all of them.
func (d *deliverer) reportLoop(ctx context.Context) {
	defer close(d.repDone)
	count := func(rs []Result) int {
		n := 0
		for i := range rs {
			if needsVerdict(&rs[i]) {
				n++
			}
		}
		return n
	}
	for rs := range d.rep {
		group := [][]Result{rs}
		if d.remote != nil && !d.remote.disabled {
			if n := count(rs); n > 0 {
			gather:
				for n < MaxVerdictBatch {
					select {
					case more, ok := <-d.rep:
						if !ok {
							break gather
						}
						group = append(group, more)
						n += count(more)
					default:
						break gather
					}
				}
				if why := d.remote.fill(ctx, group); why != "" {
					d.o.Tally.verdictsUnavailable(why)
				}
			}
		}
		for _, g := range group {
			d.report(g)
		}
	}
}

// report counts a result and calls the callbacks.
func (d *deliverer) report(rs []Result) {
	for _, r := range rs {
		first := d.o.Tally.Add(r)
		if first && d.o.OnFirstFailure != nil {
			d.o.OnFirstFailure(r)
		}
		if d.o.OnResult != nil {
			d.o.OnResult(r)
		}
	}
}

func (d *deliverer) result(r aep.Result, j job) Result {
	return Result{Result: r, Due: j.due, Released: j.released, Lag: j.released.Sub(j.due)}
}

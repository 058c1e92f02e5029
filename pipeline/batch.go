package pipeline

import (
	"context"
	"time"
)

// BatchSender delivers several requests in one exchange (such as an AEP batch request) and
// returns one outcome per request, in the order given. Implementations must be safe for
// concurrent use.
type BatchSender interface {
	SendBatch(ctx context.Context, reqs []Request) []Outcome
}

// BatchSenderFunc adapts a function to [BatchSender], for tests and decorators.
type BatchSenderFunc func(ctx context.Context, reqs []Request) []Outcome

// SendBatch calls f.
func (f BatchSenderFunc) SendBatch(ctx context.Context, reqs []Request) []Outcome {
	return f(ctx, reqs)
}

// Outcome is the fate of one request of a batch: its own response, and an error when it
// was not delivered.
type Outcome struct {
	Response Response
	Err      error
}

// BatchOptions bounds the batches [ReplayBatch] builds. A batch's size is Overhead plus
// each request body plus one separator byte per body after the first.
type BatchOptions struct {
	// MaxRequests caps the requests in one batch; 0 means no cap.
	MaxRequests int
	// MaxBytes caps a batch's size; 0 means no cap. A single request larger than this
	// still goes, alone (the endpoint judges it).
	MaxBytes int
	// Overhead is the size of an empty batch (for AEP, len(`{"messages":[]}`)).
	Overhead int
}

// ReadySource is a [Source] that can tell whether its next Next call would block waiting
// for input that has not been written yet (a followed file). [ReplayBatch] sends the batch
// it holds before such a wait, so nothing due sits unsent while the source idles. Sources
// that do not implement it are assumed never to block.
type ReadySource interface {
	Source
	// Ready reports whether Next would return without waiting for new input.
	Ready() bool
}

// ReplayBatch is [Replay] for an endpoint that takes batches. Records are paced exactly as
// Replay paces them (same absolute schedule, speed, max gap, rewrites and Transform), and a
// batch holds only records due at the same moment: it is sent when the next record is not
// yet due, when adding the next record would break opts' limits, before the source blocks
// (see [ReadySource]), and at the end. At Speed ≤ 0 every record is due at once, so batches
// fill up to the limits. Each record still gets its own [ReplayResult] (in input order) and
// counts as sent or failed on its own. Re-signing (ReplayOptions.ResignKey) does not apply:
// a batch carries no per-request headers.
func ReplayBatch(ctx context.Context, src Source, s BatchSender, opts ReplayOptions, bo BatchOptions) (ReplayStats, error) {
	sc := newSchedule(src, opts)
	rs, _ := src.(ReadySource)
	var (
		pending []item
		count   int // requests in pending that will be sent (build errors are not)
		size    int // their size, per BatchOptions
	)
	flush := func() {
		if len(pending) == 0 {
			return
		}
		var reqs []Request
		for _, it := range pending {
			if it.err == nil {
				reqs = append(reqs, it.req)
			}
		}
		var outs []Outcome
		var sentAt time.Time
		if len(reqs) > 0 {
			sentAt = sc.clock.Now()
			outs = s.SendBatch(ctx, reqs)
		}
		j := 0
		for _, it := range pending {
			if it.err != nil {
				sc.report(it, Response{}, time.Time{})
				continue
			}
			var o Outcome
			if j < len(outs) {
				o = outs[j]
			} else {
				o.Err = errMissingOutcome
			}
			j++
			it.err = o.Err
			sc.report(it, o.Response, sentAt)
		}
		pending, count, size = pending[:0], 0, 0
	}
	fits := func(n int) bool {
		if count == 0 {
			return true
		}
		if bo.MaxRequests > 0 && count+1 > bo.MaxRequests {
			return false
		}
		return bo.MaxBytes <= 0 || bo.Overhead+size+1+n <= bo.MaxBytes
	}
	for {
		if len(pending) > 0 && rs != nil && !rs.Ready() {
			flush()
			if ctx.Err() != nil {
				return sc.st, ctx.Err()
			}
		}
		it, err := sc.next(ctx)
		if err != nil {
			flush() // on interruption the sender reports them not sent
			if ctx.Err() != nil {
				return sc.st, ctx.Err()
			}
			return sc.end(err)
		}
		if len(pending) > 0 && it.due.After(sc.clock.Now()) {
			flush()
			if ctx.Err() != nil {
				return sc.st, ctx.Err()
			}
		}
		if err := sc.waitFor(ctx, it.due); err != nil {
			flush()
			return sc.st, err
		}
		sc.build(&it)
		if it.err == nil {
			if !fits(len(it.req.Body)) {
				flush()
				if ctx.Err() != nil {
					return sc.st, ctx.Err()
				}
			}
			if count > 0 {
				size++
			}
			size += len(it.req.Body)
			count++
		}
		pending = append(pending, it)
	}
}

// errMissingOutcome marks a request the batch sender returned no outcome for.
var errMissingOutcome = missingOutcomeError{}

type missingOutcomeError struct{}

func (missingOutcomeError) Error() string { return "pipeline: the batch sender returned no outcome" }

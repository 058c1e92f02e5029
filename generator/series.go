package generator

import (
	"errors"
	"io"
	"runtime"
	"sync"

	"github.com/ciosim/ciosim/customerio"
)

// SeriesOptions describe a run of catalog events (ciosim generate --type/--metric/--all).
type SeriesOptions struct {
	// Pairs are the pairs to generate, at least one.
	Pairs []customerio.Pair
	// Count is the number of events.
	Count int
	// InTurn takes the pairs in turn (event i is Pairs[i mod len]); otherwise each event's
	// pair is drawn from (seed, i).
	InTurn bool
	// Workers is the number of goroutines building events; 0 means GOMAXPROCS. The output
	// is the same whatever it is.
	Workers int
}

// seriesBatch is how many events a worker builds at a time: large enough that handing
// batches over costs little, small enough that little is held.
const seriesBatch = 256

// Series yields catalog events in order, built by several goroutines: event i is
// [Generator.EventAt] i, so its bytes do not depend on which goroutine built it. Call Close
// when done (Next returning io.EOF or an error does not stop the workers by itself).
type Series struct {
	order   chan *batch
	done    chan struct{}
	once    sync.Once
	cur     *batch
	pos     int
	stopped bool
}

type batch struct {
	first  int
	n      int
	events []customerio.Event
	err    error
	ready  chan struct{}
}

// NewSeries starts building the events opts describes with a Generator per worker, each
// made with genOpts. genOpts.Start is resolved once, so every worker has the same clock.
func NewSeries(genOpts Options, opts SeriesOptions) (*Series, error) {
	if len(opts.Pairs) == 0 {
		return nil, errors.New("generator: a series needs at least one pair")
	}
	if opts.Count < 0 {
		return nil, errors.New("generator: a series cannot have a negative count")
	}
	if genOpts.Start.IsZero() {
		genOpts.Start = New(genOpts).start
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	s := &Series{order: make(chan *batch, 2*workers), done: make(chan struct{})}
	work := make(chan *batch, workers)
	go func() {
		defer close(s.order)
		defer close(work)
		for first := 0; first < opts.Count; first += seriesBatch {
			b := &batch{first: first, n: min(seriesBatch, opts.Count-first), ready: make(chan struct{})}
			select {
			case work <- b:
			case <-s.done:
				return
			}
			select {
			case s.order <- b:
			case <-s.done:
				return
			}
		}
	}()
	for range workers {
		go func() {
			g := New(genOpts)
			for b := range work {
				b.events = make([]customerio.Event, 0, b.n)
				for i := b.first; i < b.first+b.n; i++ {
					p := g.seriesPair(opts, i)
					ev, err := g.EventAt(uint64(i), p.ObjectType, p.Metric)
					if err != nil {
						b.err = err
						break
					}
					b.events = append(b.events, ev)
				}
				close(b.ready)
			}
		}()
	}
	return s, nil
}

// seriesPair is the pair of event i.
func (g *Generator) seriesPair(opts SeriesOptions, i int) customerio.Pair {
	if opts.InTurn {
		return opts.Pairs[i%len(opts.Pairs)]
	}
	g.reseed(domPick, uint64(i))
	return opts.Pairs[g.f.Rand.Intn(len(opts.Pairs))]
}

// Next returns the next event, or io.EOF after the last.
func (s *Series) Next() (customerio.Event, error) {
	for s.cur == nil || s.pos >= len(s.cur.events) {
		if s.cur != nil && s.cur.err != nil {
			return customerio.Event{}, s.cur.err
		}
		if s.stopped {
			return customerio.Event{}, io.EOF
		}
		var b *batch
		ok := false
		select {
		case <-s.done:
			s.stopped = true
			return customerio.Event{}, io.EOF
		default:
		}
		select {
		case b, ok = <-s.order:
		case <-s.done:
		}
		if !ok {
			s.stopped = true
			return customerio.Event{}, io.EOF
		}
		<-b.ready
		s.cur, s.pos = b, 0
	}
	ev := s.cur.events[s.pos]
	s.cur.events[s.pos] = customerio.Event{}
	s.pos++
	return ev, nil
}

// Close stops the workers; Next then returns io.EOF. It is safe to call more than once and
// from any goroutine.
func (s *Series) Close() { s.once.Do(func() { close(s.done) }) }

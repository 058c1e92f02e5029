package aep

import (
	"context"
	"hash/maphash"
	"sync"

	"golang.org/x/time/rate"
)

// Run delivers every message received from src until src is closed, with Options.Concurrency
// workers, the Options.Rate limit, batching in batch mode and, with Options.Ordered, per-Key
// ordering. emit is called once per message with its result, never concurrently. When ctx
// ends, messages still arriving are not sent but still get a dead-letter result ("interrupted"),
// so the caller's dead-letter file holds everything that was not delivered; Run returns once
// src is closed and every result has been emitted.
func (c *Client) Run(ctx context.Context, src <-chan Message, emit func(Result)) {
	var lim *rate.Limiter
	if c.o.Rate > 0 {
		burst := 1
		lim = rate.NewLimiter(rate.Limit(c.o.Rate), burst)
	}
	var emu sync.Mutex
	out := func(rs ...Result) {
		emu.Lock()
		defer emu.Unlock()
		for _, r := range rs {
			emit(r)
		}
	}
	workers := c.o.Concurrency
	var wg sync.WaitGroup
	work := func(in <-chan Message) {
		defer wg.Done()
		if c.o.Mode == ModeBatch {
			c.batchWorker(ctx, in, lim, out)
			return
		}
		for m := range in {
			if lim != nil {
				lim.Wait(ctx) // an error means ctx ended; Send then reports the event unsent
			}
			out(c.Send(ctx, m))
		}
	}
	if !c.o.Ordered || workers == 1 {
		wg.Add(workers)
		for range workers {
			go work(src)
		}
		wg.Wait()
		return
	}
	// Ordered: each key always goes to the same worker, which sends one message at a time.
	chans := make([]chan Message, workers)
	wg.Add(workers)
	for i := range chans {
		chans[i] = make(chan Message, 64)
		go work(chans[i])
	}
	seed := maphash.MakeSeed()
	for m := range src {
		chans[maphash.String(seed, m.Key)%uint64(workers)] <- m
	}
	for _, ch := range chans {
		close(ch)
	}
	wg.Wait()
}

// batchWorker gathers messages into batches: it blocks for the first message, then takes
// whatever is already waiting until the batch is full or the queue is empty, and sends.
func (c *Client) batchWorker(ctx context.Context, in <-chan Message, lim *rate.Limiter, out func(...Result)) {
	var batch []Message
	size := 0
	var carry *Message
	for {
		batch, size = batch[:0], 0
		if carry != nil {
			batch, size = append(batch, *carry), len(carry.Body)
			carry = nil
		} else {
			m, ok := <-in
			if !ok {
				return
			}
			batch, size = append(batch, m), len(m.Body)
		}
		closed := false
	fill:
		for {
			select {
			case m, ok := <-in:
				if !ok {
					closed = true
					break fill
				}
				if !c.batchFits(len(batch), size, len(m.Body)) {
					carry = &m
					break fill
				}
				batch = append(batch, m)
				size += len(m.Body) + 1
			default:
				break fill
			}
		}
		if lim != nil {
			lim.Wait(ctx)
		}
		out(c.SendBatch(ctx, batch)...)
		if closed && carry == nil {
			return
		}
		if closed {
			out(c.SendBatch(ctx, []Message{*carry})...)
			return
		}
	}
}

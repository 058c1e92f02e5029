// Package ordered runs a per-item function on several cores and hands the results back in
// input order: a worker pool over a sequence of items whose output must keep the input's
// order (transform's records, one per input line).
package ordered

import (
	"runtime"
	"sync"
)

// BatchSize is how many items go to a worker at once: large enough that the hand-offs
// between goroutines cost little next to the work, small enough to keep memory flat.
const BatchSize = 256

type batch[T any] struct {
	items []T
	n     int
	done  chan struct{}
}

// Pipe runs work on every item produce emits, on up to workers goroutines, and calls
// consume on the items in the order they were emitted, from one goroutine at a time.
// workers ≤ 0 means runtime.GOMAXPROCS(0); with one worker everything runs on the
// calling goroutine, item by item. Items are reused: an item (and anything work stored
// in it) belongs to Pipe again once consume returns, so reset decides what work finds
// in it; T typically carries buffers kept across uses.
//
// emit calls set on the item to fill before it returns, on produce's goroutine, so one
// set function can serve every item.
//
// The first error from produce or consume stops the run and is returned (consume's
// first); emit then returns that error so produce can stop early.
func Pipe[T any](workers int, produce func(emit func(set func(*T)) error) error, work func(*T), consume func(*T) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers == 1 {
		var item T
		return produce(func(set func(*T)) error {
			set(&item)
			work(&item)
			return consume(&item)
		})
	}
	jobs := make(chan *batch[T], workers)
	order := make(chan *batch[T], 2*workers)
	free := make(chan *batch[T], 3*workers+1)
	for range cap(free) {
		free <- &batch[T]{items: make([]T, BatchSize)}
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				for i := range b.items[:b.n] {
					work(&b.items[i])
				}
				close(b.done)
			}
		}()
	}
	var (
		mu      sync.Mutex
		consErr error
	)
	consumed := make(chan struct{})
	go func() {
		defer close(consumed)
		for b := range order {
			<-b.done
			mu.Lock()
			failed := consErr != nil
			mu.Unlock()
			if !failed {
				for i := range b.items[:b.n] {
					if err := consume(&b.items[i]); err != nil {
						mu.Lock()
						consErr = err
						mu.Unlock()
						break
					}
				}
			}
			b.n = 0
			free <- b
		}
	}()
	failed := func() error {
		mu.Lock()
		defer mu.Unlock()
		return consErr
	}
	var cur *batch[T]
	send := func() {
		cur.done = make(chan struct{})
		order <- cur
		jobs <- cur
		cur = nil
	}
	perr := produce(func(set func(*T)) error {
		if cur == nil {
			if err := failed(); err != nil {
				return err
			}
			cur = <-free
		}
		set(&cur.items[cur.n])
		cur.n++
		if cur.n == len(cur.items) {
			send()
		}
		return nil
	})
	if cur != nil && cur.n > 0 {
		send()
	}
	close(jobs)
	close(order)
	wg.Wait()
	<-consumed
	if err := failed(); err != nil {
		return err
	}
	return perr
}

package ordered

import (
	"errors"
	"fmt"
	"runtime"
	"testing"
)

type item struct {
	in, out int
	buf     []byte
}

func run(t *testing.T, workers, n int, failAt int) ([]int, error) {
	t.Helper()
	var got []int
	err := Pipe(workers, func(emit func(func(*item)) error) error {
		for i := range n {
			if err := emit(func(it *item) { it.in = i }); err != nil {
				return err
			}
		}
		return nil
	}, func(it *item) {
		it.buf = fmt.Appendf(it.buf[:0], "%d", it.in)
		it.out = it.in * 2
	}, func(it *item) error {
		if string(it.buf) != fmt.Sprint(it.in) || it.out != 2*it.in {
			t.Fatalf("item %d carries %q/%d", it.in, it.buf, it.out)
		}
		if it.in == failAt {
			return errors.New("stop")
		}
		got = append(got, it.out)
		return nil
	})
	return got, err
}

// TestPipeOrder: whatever the worker count, consume sees every item once, in input order.
func TestPipeOrder(t *testing.T) {
	for _, w := range []int{0, 1, 2, 3, 8} {
		for _, n := range []int{0, 1, BatchSize - 1, BatchSize, 10*BatchSize + 7} {
			got, err := run(t, w, n, -1)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != n {
				t.Fatalf("workers %d, %d items: consumed %d", w, n, len(got))
			}
			for i, v := range got {
				if v != 2*i {
					t.Fatalf("workers %d: item %d is %d (out of order)", w, i, v)
				}
			}
		}
	}
}

// TestPipeConsumeError: the first consume error stops the run and is returned; nothing
// after the failing item is consumed.
func TestPipeConsumeError(t *testing.T) {
	for _, w := range []int{1, 4} {
		got, err := run(t, w, 50*BatchSize, 1000)
		if err == nil || err.Error() != "stop" {
			t.Fatalf("workers %d: err %v", w, err)
		}
		if len(got) != 1000 {
			t.Fatalf("workers %d: consumed %d items before the error, want 1000", w, len(got))
		}
	}
}

// TestPipeGOMAXPROCS1 runs with one P and the default worker count.
func TestPipeGOMAXPROCS1(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	got, err := run(t, 0, 3*BatchSize+1, -1)
	if err != nil || len(got) != 3*BatchSize+1 {
		t.Fatalf("%d items, %v", len(got), err)
	}
}

func BenchmarkPipe(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprint(w), func(b *testing.B) {
			err := Pipe(w, func(emit func(func(*item)) error) error {
				for i := range b.N {
					emit(func(it *item) { it.in = i })
				}
				return nil
			}, func(it *item) { it.out = it.in }, func(*item) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}

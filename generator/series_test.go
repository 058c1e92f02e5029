package generator

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/ciosim/ciosim/customerio"
)

func seriesBytes(t *testing.T, opts SeriesOptions) []byte {
	t.Helper()
	s, err := NewSeries(Options{Seed: 9, Start: fixedStart, BodyContent: true}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out bytes.Buffer
	n := 0
	for {
		ev, err := s.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := ev.Validate(); err != nil {
			t.Fatalf("event %d: %v", n, err)
		}
		out.Write(ev.Bytes())
		out.WriteByte('\n')
		n++
	}
	if n != opts.Count {
		t.Fatalf("got %d events, want %d", n, opts.Count)
	}
	return out.Bytes()
}

// The same seed gives the same bytes whatever the number of workers and of cores, and the
// same as building the events one by one.
func TestSeries_sameBytesWhateverTheCores(t *testing.T) {
	pairs := customerio.Pairs()
	for _, inTurn := range []bool{true, false} {
		count := 3*seriesBatch + 17
		g := New(Options{Seed: 9, Start: fixedStart, BodyContent: true})
		var want bytes.Buffer
		for i := range count {
			p := g.seriesPair(SeriesOptions{Pairs: pairs, InTurn: inTurn}, i)
			ev, err := g.Event(p.ObjectType, p.Metric)
			if err != nil {
				t.Fatal(err)
			}
			want.Write(ev.Bytes())
			want.WriteByte('\n')
		}
		for _, procs := range []int{1, 2, 4} {
			old := runtime.GOMAXPROCS(procs)
			for _, workers := range []int{0, 1, 3} {
				got := seriesBytes(t, SeriesOptions{Pairs: pairs, Count: count, InTurn: inTurn, Workers: workers})
				if !bytes.Equal(got, want.Bytes()) {
					t.Errorf("in turn %v, GOMAXPROCS %d, %d workers: output differs from one-by-one generation", inTurn, procs, workers)
				}
			}
			runtime.GOMAXPROCS(old)
		}
	}
}

func TestSeries_closeStopsEarly(t *testing.T) {
	s, err := NewSeries(Options{Seed: 1, Start: fixedStart}, SeriesOptions{Pairs: customerio.Pairs(), Count: 1 << 30, InTurn: true})
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		if _, err := s.Next(); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	for range 2 * seriesBatch * (runtime.GOMAXPROCS(0)*3 + 2) {
		if _, err := s.Next(); errors.Is(err, io.EOF) {
			return
		}
	}
	t.Fatal("Next still returns events long after Close")
}

package wiring

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuf struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.writes++
	return l.b.Write(p)
}

func (l *lockedBuf) get() (string, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String(), l.writes
}

// Lines from many goroutines arrive whole, in few writes, within the interval, and all of
// them by Close.
func TestLineWriter(t *testing.T) {
	var dst lockedBuf
	lw := newLineWriter(&dst, 20*time.Millisecond)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				lw.Write([]byte(strings.Repeat(string(rune('a'+g)), 30) + "\n"))
			}
		}()
	}
	wg.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if s, _ := dst.get(); strings.Count(s, "\n") == 800 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	s, writes := dst.get()
	if strings.Count(s, "\n") != 800 {
		t.Fatalf("%d lines flushed without Close, want 800", strings.Count(s, "\n"))
	}
	if writes >= 100 {
		t.Errorf("%d writes for 800 lines: not batched", writes)
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "\n"), "\n") {
		if len(l) != 30 || strings.Count(l, l[:1]) != 30 {
			t.Fatalf("torn line %q", l)
		}
	}
	lw.Write([]byte("last\n"))
	if err := lw.Close(); err != nil {
		t.Fatal(err)
	}
	if s, _ := dst.get(); !strings.HasSuffix(s, "last\n") {
		t.Errorf("Close did not flush the last line")
	}
}

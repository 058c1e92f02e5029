package wiring

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// lineWriter buffers whole lines for w and flushes them every interval (and on Close), so a
// server printing one line per request makes one write(2) per batch of lines instead of one
// per request. It is safe for concurrent use; each Write should be whole lines.
type lineWriter struct {
	mu   sync.Mutex
	bw   *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// newLineWriter starts the flusher; Close stops it and flushes what is left.
func newLineWriter(w io.Writer, interval time.Duration) *lineWriter {
	lw := &lineWriter{bw: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(lw.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				lw.Flush()
			case <-lw.stop:
				return
			}
		}
	}()
	return lw
}

// Write buffers p.
func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.bw.Write(p)
}

// Flush writes out what is buffered.
func (lw *lineWriter) Flush() error {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.bw.Flush()
}

// Close stops the flusher and flushes.
func (lw *lineWriter) Close() error {
	close(lw.stop)
	<-lw.done
	return lw.Flush()
}

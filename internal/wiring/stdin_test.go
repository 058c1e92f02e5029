package wiring

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

func TestCtxReader_readsAll(t *testing.T) {
	src := strings.Repeat("line\n", 20000)
	b, err := io.ReadAll(newCtxReader(context.Background(), strings.NewReader(src)))
	if err != nil || string(b) != src {
		t.Fatalf("read %d bytes, %v", len(b), err)
	}
}

// A read blocked on a terminal that never sends a line ends when the context does (Ctrl-C).
func TestCtxReader_cancelUnblocks(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	r := newCtxReader(ctx, pr)
	done := make(chan error, 1)
	go func() {
		_, err := r.Read(make([]byte, 10))
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Read still blocked after cancel")
	}
}

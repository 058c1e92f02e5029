package cmd

import (
	"context"
	"github.com/ciosim/ciosim/internal/wiring"
	"io"
	"net"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciosim/ciosim/internal/httpserve"
	"github.com/ciosim/ciosim/secret"
)

// floodIdle opens n connections that never send a request and fails unless the server
// closes every one within d (issue 11 row 9, with a small bounded count on loopback).
func floodIdle(t *testing.T, addr string, n int, d time.Duration) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.SetReadDeadline(time.Now().Add(d))
			if _, err := io.Copy(io.Discard, c); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					errs <- "held"
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if held := len(errs); held > 0 {
		t.Errorf("%d of %d idle connections to %s still open after %s", held, n, addr, d)
	}
}

// limit is the header timeout every listener has, plus slack for a loaded machine.
const floodWait = httpserve.DefaultReadHeaderTimeout + 4*time.Second

func TestListeners_closeIdleFloods(t *testing.T) {
	t.Run("serve", func(t *testing.T) {
		t.Parallel()
		base := startServe(t)
		floodIdle(t, strings.TrimPrefix(base, "http://"), 50, floodWait)
	})
	t.Run("record", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		pr, pw := io.Pipe()
		done := make(chan int, 1)
		go func() {
			done <- Main(ctx, []string{"record", "--listen", "127.0.0.1:0", "--dir", t.TempDir()},
				Streams{In: strings.NewReader(""), Out: io.Discard, Err: pw}, func(string) string { return "" })
			pw.Close()
		}()
		t.Cleanup(func() { cancel(); <-done })
		buf := make([]byte, 4096)
		n, _ := io.ReadAtLeast(pr, buf, 1)
		go io.Copy(io.Discard, pr)
		m := regexp.MustCompile(`listening on http://(\S+)`).FindSubmatch(buf[:n])
		if m == nil {
			t.Fatalf("record printed %q", buf[:n])
		}
		floodIdle(t, string(m[1]), 50, floodWait)
	})
	t.Run("tui recorder", func(t *testing.T) {
		t.Parallel()
		r := wiring.NewRecorder("127.0.0.1:0", t.TempDir(), secret.Secret{})
		addr, err := r.Start(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Stop(context.Background()) })
		floodIdle(t, addr, 50, floodWait)
	})
}

package wiring

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/charmbracelet/x/term"
)

// stdinHint is printed when a command would read events from a terminal: a newcomer who
// typed `ciosim send` alone otherwise sees nothing happen.
const stdinHint = "ciosim: reading events from the terminal: paste JSONL and end with Ctrl-D, or give a file (ciosim %s FILE) or pipe events in (ciosim generate --all | ciosim %s); Ctrl-C stops"

// Stdin returns the reader for "-": on a terminal it prints the hint and reads through a
// reader that gives up when the context ends, so Ctrl-C works while waiting for input.
func (e *Env) Stdin() io.Reader {
	f, ok := e.In.(*os.File)
	if !ok || !term.IsTerminal(f.Fd()) {
		return e.In
	}
	fmt.Fprintf(e.Err, stdinHint+"\n", e.Command, e.Command)
	return newCtxReader(e.Ctx, e.In)
}

// ctxReader reads r in a goroutine so that Read returns ctx.Err() as soon as ctx ends, even
// while the underlying Read blocks (a terminal waiting for a line).
type ctxReader struct {
	ctx  context.Context
	ch   chan chunk
	rest []byte
	err  error
}

type chunk struct {
	b   []byte
	err error
}

func newCtxReader(ctx context.Context, r io.Reader) io.Reader {
	ch := make(chan chunk)
	go func() {
		for {
			b := make([]byte, 32*1024)
			n, err := r.Read(b)
			select {
			case ch <- chunk{b[:n], err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return &ctxReader{ctx: ctx, ch: ch}
}

func (c *ctxReader) Read(p []byte) (int, error) {
	for len(c.rest) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		select {
		case ch := <-c.ch:
			c.rest, c.err = ch.b, ch.err
		case <-c.ctx.Done():
			return 0, c.ctx.Err()
		}
	}
	n := copy(p, c.rest)
	c.rest = c.rest[n:]
	return n, nil
}

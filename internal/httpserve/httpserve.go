// Package httpserve is the one server configuration every ciosim listener uses (`ciosim
// serve`, `ciosim record`, the TUI recorder and the embedded emulator): header, read, write
// and idle timeouts, a header size cap and a cap on open connections, so slow-body, idle
// keep-alive or header floods cannot hold file descriptors and memory without bound.
//
// It is a leaf package: it imports only the standard library and knows nothing of what
// the handlers do.
package httpserve

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// Config bounds one listener. The zero value of a field means its default (see [Defaults]).
type Config struct {
	// ReadHeaderTimeout bounds reading the request line and headers.
	ReadHeaderTimeout time.Duration
	// ReadTimeout bounds reading the whole request, body included.
	ReadTimeout time.Duration
	// WriteTimeout bounds the time from the end of the headers to the end of the answer;
	// handlers that hold a request on purpose (the emulator's injected timeouts) need it
	// longer than the hold.
	WriteTimeout time.Duration
	// IdleTimeout closes keep-alive connections with no request for that long.
	IdleTimeout time.Duration
	// MaxHeaderBytes caps the request line and headers.
	MaxHeaderBytes int
	// MaxConns caps the connections open at once; more wait in the kernel's accept queue
	// (they hold no descriptor of ours) until one closes.
	MaxConns int
}

// The defaults, documented in docs/recording.md and docs/send.md.
const (
	DefaultReadHeaderTimeout = 5 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 60 * time.Second
	DefaultMaxHeaderBytes    = 64 << 10
	DefaultMaxConns          = 1024
)

// Defaults returns the configuration every listener starts from.
func Defaults() Config {
	return Config{ReadHeaderTimeout: DefaultReadHeaderTimeout, ReadTimeout: DefaultReadTimeout,
		WriteTimeout: DefaultWriteTimeout, IdleTimeout: DefaultIdleTimeout,
		MaxHeaderBytes: DefaultMaxHeaderBytes, MaxConns: DefaultMaxConns}
}

// filled returns c with zero fields set to their defaults.
func (c Config) filled() Config {
	d := Defaults()
	if c.ReadHeaderTimeout <= 0 {
		c.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = d.ReadTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = d.WriteTimeout
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = d.IdleTimeout
	}
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = d.MaxHeaderBytes
	}
	if c.MaxConns <= 0 {
		c.MaxConns = d.MaxConns
	}
	return c
}

// Server returns an http.Server for h with c's timeouts and header cap.
func Server(h http.Handler, c Config) *http.Server {
	c = c.filled()
	return &http.Server{Handler: h, ReadHeaderTimeout: c.ReadHeaderTimeout, ReadTimeout: c.ReadTimeout,
		WriteTimeout: c.WriteTimeout, IdleTimeout: c.IdleTimeout, MaxHeaderBytes: c.MaxHeaderBytes}
}

// Listen listens on addr (such as "127.0.0.1:0") and caps the connections accepted at
// once at c.MaxConns.
func Listen(addr string, c Config) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return Limit(ln, c.filled().MaxConns), nil
}

// Limit wraps ln so that at most n accepted connections are open at once: Accept waits
// for one to close first.
func Limit(ln net.Listener, n int) net.Listener {
	return &limitListener{Listener: ln, sem: make(chan struct{}, n), done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// Serve serves srv on ln in the background; the returned channel gets Serve's error
// (nil after a Shutdown or Close).
func Serve(srv *http.Server, ln net.Listener) <-chan error {
	errc := make(chan error, 1)
	go func() {
		err := srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		errc <- err
	}()
	return errc
}

// Unwrap returns the accepted connection under the cap's bookkeeping (a *net.TCPConn for
// TCP), for handlers that hijack it and need its own methods (SetLinger).
func (c *limitConn) Unwrap() net.Conn { return c.Conn }

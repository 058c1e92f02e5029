package httpserve

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// counting counts the connections its listener has open (decremented when the
// connection itself is closed, before the cap's slot is released) and keeps the peak.
type counting struct {
	net.Listener
	open, peak atomic.Int64
}

func (l *counting) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	n := l.open.Add(1)
	for {
		p := l.peak.Load()
		if n <= p || l.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return &countedConn{Conn: c, l: l}, nil
}

type countedConn struct {
	net.Conn
	l    *counting
	once sync.Once
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.open.Add(-1) })
	return err
}

// start serves h with c on loopback and reports the most connections open at once.
func start(t *testing.T, h http.Handler, c Config) (addr string, maxOpen func() int64) {
	t.Helper()
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &counting{Listener: raw}
	ln := Limit(cl, c.filled().MaxConns)
	srv := Server(h, c)
	errc := Serve(srv, ln)
	t.Cleanup(func() { srv.Close(); <-errc })
	return raw.Addr().String(), cl.peak.Load
}

// closedWithin reports whether the server closes c (EOF or reset) within d.
func closedWithin(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		return false
	}
	return true
}

var ok = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	w.Write([]byte("ok"))
})

// A flood of idle connections (no request line) is capped at MaxConns open at once and
// every one is closed after ReadHeaderTimeout.
func TestFlood_idleConnections(t *testing.T) {
	const cap, flood = 8, 40
	addr, peak := start(t, ok, Config{ReadHeaderTimeout: 200 * time.Millisecond, IdleTimeout: 200 * time.Millisecond, MaxConns: cap})
	conns := make([]net.Conn, flood)
	for i := range conns {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	var wg sync.WaitGroup
	var held atomic.Int64
	for _, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !closedWithin(c, 10*time.Second) {
				held.Add(1)
			}
		}()
	}
	wg.Wait()
	if held.Load() != 0 {
		t.Errorf("%d idle connections still held after 10 s", held.Load())
	}
	if p := peak(); p > cap || p == 0 {
		t.Errorf("peak open connections %d, want 1..%d", p, cap)
	}
	// the server still answers afterwards
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}

// A slow body is cut off at ReadTimeout; a keep-alive connection left idle is closed at
// IdleTimeout.
func TestSlowBodyAndIdleKeepAlive(t *testing.T) {
	addr, _ := start(t, ok, Config{ReadTimeout: 300 * time.Millisecond, IdleTimeout: 300 * time.Millisecond})
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789")
	start := time.Now()
	if !closedWithin(c, 5*time.Second) {
		t.Fatal("slow body held for 5 s")
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Errorf("slow body closed after %s", el)
	}

	k, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	io.WriteString(k, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(k), nil)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("keep-alive request: %v %v", resp, err)
	}
	resp.Body.Close()
	if !closedWithin(k, 5*time.Second) {
		t.Error("idle keep-alive connection held for 5 s")
	}
}

func TestMaxHeaderBytes(t *testing.T) {
	addr, _ := start(t, ok, Config{MaxHeaderBytes: 4 << 10})
	req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 64<<10))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d, want 431", resp.StatusCode)
	}
}

func TestDefaults(t *testing.T) {
	s := Server(ok, Config{})
	if s.ReadHeaderTimeout != DefaultReadHeaderTimeout || s.ReadTimeout != DefaultReadTimeout || s.WriteTimeout != DefaultWriteTimeout ||
		s.IdleTimeout != DefaultIdleTimeout || s.MaxHeaderBytes != DefaultMaxHeaderBytes {
		t.Errorf("zero Config gave %+v", s)
	}
}

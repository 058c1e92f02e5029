package aep

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// Transport chooses the HTTP client library that carries the requests. Whichever it is,
// the client makes the same requests and classifies the same failures the same way (the
// client tests run against both).
type Transport string

// The transports.
const (
	// TransportAuto uses fasthttp for plain-http inlets (with no proxy configured in the
	// environment and no Options.HTTPClient) and net/http for everything else.
	TransportAuto Transport = ""
	// TransportNetHTTP always uses net/http.
	TransportNetHTTP Transport = "net/http"
	// TransportFastHTTP uses github.com/valyala/fasthttp; it needs a plain-http inlet.
	TransportFastHTTP Transport = "fasthttp"
)

// UserAgent is the User-Agent of every request.
const UserAgent = "ciosim"

// maxAnswerBytes bounds how much of a response body is read.
const maxAnswerBytes = 4 << 20

// transport makes one POST, bounded by timeout, and returns its answer. headers is called
// with the request's header setter (Content-Type and User-Agent are set already); what it
// sets may be credentials, which a transport never prints.
type transport interface {
	post(ctx context.Context, url string, body []byte, timeout time.Duration, headers func(set func(k, v string))) answer
	name() Transport
}

// newTransport picks the transport for opts (already validated) and the inlet URL u.
func newTransport(o Options, u *url.URL, conns int, timeout time.Duration) (transport, error) {
	switch o.Transport {
	case TransportNetHTTP:
		return newNetTransport(o.HTTPClient, conns), nil
	case TransportFastHTTP:
		if u.Scheme != "http" || o.HTTPClient != nil {
			return nil, &ConfigError{Msg: fmt.Sprintf("transport fasthttp needs a plain http:// inlet and no HTTPClient, got %q", o.URL)}
		}
		return newFastTransport(u, conns, timeout), nil
	case TransportAuto:
		if u.Scheme == "http" && o.HTTPClient == nil && !proxied(u) {
			return newFastTransport(u, conns, timeout), nil
		}
		return newNetTransport(o.HTTPClient, conns), nil
	}
	return nil, &ConfigError{Msg: fmt.Sprintf("unknown transport %q (want net/http or fasthttp)", o.Transport)}
}

// proxied reports whether net/http would send requests to u through a proxy named in the
// environment (HTTP_PROXY, NO_PROXY): fasthttp does not, so such targets keep net/http.
func proxied(u *url.URL) bool {
	p, err := http.ProxyFromEnvironment(&http.Request{URL: u})
	return err != nil || p != nil
}

// netTransport posts with net/http: https inlets, proxies and callers' own http.Client.
type netTransport struct{ hc *http.Client }

func newNetTransport(hc *http.Client, conns int) *netTransport {
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = conns
		tr.MaxIdleConns = conns + 12
		hc = &http.Client{Transport: tr}
	}
	return &netTransport{hc: hc}
}

func (t *netTransport) name() Transport { return TransportNetHTTP }

func (t *netTransport) post(ctx context.Context, url string, body []byte, timeout time.Duration, headers func(set func(k, v string))) answer {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return answer{err: err}
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", UserAgent)
	headers(h.Set)
	start := time.Now()
	resp, err := t.hc.Do(req)
	if err != nil {
		return answer{err: err, latency: time.Since(start)}
	}
	defer resp.Body.Close()
	rb, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	lat := time.Since(start)
	if err != nil {
		return answer{err: fmt.Errorf("read response: %w", err), latency: lat}
	}
	// What is left unread past the bound is dropped with the connection.
	return answer{status: resp.StatusCode, body: rb, header: resp.Header, latency: lat}
}

// fastTransport posts with fasthttp to the one plain-http host of the inlet: the calling
// goroutine writes the request and reads the answer itself on a pooled connection, with
// no goroutine per connection and no per-request allocations beyond the answer's copy.
// fasthttp knows no context: a request's ctx ending sets a past deadline on every open
// connection, so requests in flight end at once (their connections are closed; idle
// ones get fresh deadlines with their next request).
type fastTransport struct {
	hc      *fasthttp.HostClient
	mu      sync.Mutex
	conns   map[*fastConn]struct{}
	abortFn func()
}

// fastConn is a connection fastTransport can interrupt and check before reuse.
type fastConn struct {
	net.Conn
	t    *fastTransport
	once sync.Once
	// last is the time of the last read or write (one request at a time uses the
	// connection; fasthttp's pool orders the hand-overs).
	last time.Time
}

// staleAfter is how long a connection must have been idle before its next request
// checks that the server has not closed it.
const staleAfter = 100 * time.Millisecond

// errStale is a kept-alive connection the server closed while it was idle: nothing was
// sent on it, so the request goes out again at once on another connection.
var errStale = errors.New("aep: connection closed by the server while idle")

// Write checks, after an idle spell, that the server has not closed the connection
// (net/http notices such closes in the background; fasthttp only when it next uses the
// connection, by failing the request).
func (c *fastConn) Write(b []byte) (int, error) {
	now := time.Now()
	if now.Sub(c.last) > staleAfter && peerClosed(c.Conn) {
		return 0, errStale
	}
	c.last = now
	return c.Conn.Write(b)
}

func (c *fastConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.last = time.Now()
	return n, err
}

func (c *fastConn) Close() error {
	c.once.Do(func() {
		c.t.mu.Lock()
		delete(c.t.conns, c)
		c.t.mu.Unlock()
	})
	return c.Conn.Close()
}

func newFastTransport(u *url.URL, conns int, timeout time.Duration) *fastTransport {
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	t := &fastTransport{conns: map[*fastConn]struct{}{}}
	t.abortFn = t.abort
	t.hc = &fasthttp.HostClient{
		Addr: addr,
		Name: UserAgent,
		DialTimeout: func(addr string, d time.Duration) (net.Conn, error) {
			c, err := (&net.Dialer{Timeout: d}).Dial("tcp", addr)
			if err != nil {
				return nil, err
			}
			fc := &fastConn{Conn: c, t: t, last: time.Now()}
			t.mu.Lock()
			t.conns[fc] = struct{}{}
			t.mu.Unlock()
			return fc, nil
		},
		MaxConns:           conns,
		MaxConnWaitTimeout: timeout,
		// The aep client decides on retries itself (a POST is not idempotent); fasthttp
		// only moves a request off connections found closed before anything was sent.
		MaxIdemponentCallAttempts: conns + 1,
		RetryIfErr: func(_ *fasthttp.Request, _ int, err error) (bool, bool) {
			return false, errors.Is(err, errStale)
		},
		MaxResponseBodySize:    maxAnswerBytes,
		DisablePathNormalizing: true,
		// Error texts must not quote response bytes.
		SecureErrorLogMessage: true,
	}
	return t
}

func (t *fastTransport) name() Transport { return TransportFastHTTP }

// abort makes every open connection's pending and next I/O fail at once.
func (t *fastTransport) abort() {
	past := time.Unix(1, 0)
	t.mu.Lock()
	for c := range t.conns {
		c.SetDeadline(past)
	}
	t.mu.Unlock()
}

func (t *fastTransport) post(ctx context.Context, u string, body []byte, timeout time.Duration, headers func(set func(k, v string))) answer {
	if err := ctx.Err(); err != nil {
		return answer{err: &url.Error{Op: "Post", URL: u, Err: err}}
	}
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(u)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	headers(req.Header.Set)
	req.SetBodyRaw(body)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < timeout {
		timeout = time.Until(dl)
	}
	req.SetTimeout(timeout)
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, t.abortFn)
		defer stop()
	}
	start := time.Now()
	err := t.hc.Do(req, resp)
	lat := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err() // the deadline or the cancellation, as net/http reports it
		}
		// The same wording as net/http's errors: Post "URL": cause.
		return answer{err: &url.Error{Op: "Post", URL: u, Err: err}, latency: lat}
	}
	a := answer{status: resp.StatusCode(), body: bytes.Clone(resp.Body()), latency: lat}
	if ra := resp.Header.Peek("Retry-After"); len(ra) > 0 {
		a.header = http.Header{"Retry-After": {string(ra)}}
	}
	return a
}

package aep

import (
	"bufio"
	"bytes"
	"context"
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

// transport makes one POST (over fast when set, else over net, which is always there for
// other requests to the endpoint), bounded by timeout, and returns its answer (whose body is
// valid until answer.release). headers is called with the request's header setter
// (Content-Type and User-Agent are set already); what it sets may be credentials, which a
// transport never prints. It is a pair of concrete types rather than an interface so that
// the closure the client passes stays on the stack.
type transport struct {
	net  *netTransport
	fast *fastTransport
	pipe *pipeTransport // pipelining over fasthttp, when on (fast is its fallback)
}

func (t transport) post(ctx context.Context, url string, body []byte, timeout time.Duration, headers func(set func(k, v string))) answer {
	if t.fast != nil {
		var a answer
		if t.pipe != nil {
			a = t.pipe.post(ctx, url, body, timeout, headers)
		} else {
			a = t.fast.post(ctx, url, body, timeout, headers)
		}
		if a.err != nil || !redirect(a.status) {
			return a
		}
		// fasthttp does not follow redirects: net/http makes the request again and follows
		// them as it would have (same method and body on 307/308, credentials only to the
		// same host).
		a.release()
	}
	return t.net.post(ctx, url, body, timeout, headers)
}

func redirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// depth is the most requests one connection carries (1: no pipelining).
func (t transport) depth() int {
	if t.pipe == nil || t.pipe.off.Load() {
		return 1
	}
	return int(t.pipe.depth)
}

func (t transport) name() Transport {
	if t.fast != nil {
		return TransportFastHTTP
	}
	return TransportNetHTTP
}

// newTransport picks the transport for opts (already validated) and the inlet URL u.
func newTransport(o Options, u *url.URL, conns int) (transport, error) {
	var t transport
	switch o.Transport {
	case TransportNetHTTP:
		t = transport{net: newNetTransport(o.HTTPClient, conns)}
	case TransportFastHTTP:
		if u.Scheme != "http" || o.HTTPClient != nil {
			return transport{}, &ConfigError{Msg: fmt.Sprintf("transport fasthttp needs a plain http:// inlet and no HTTPClient, got %q", o.URL)}
		}
		t = transport{fast: newFastTransport(u, conns), net: newNetTransport(nil, 2)}
	case TransportAuto:
		if u.Scheme == "http" && o.HTTPClient == nil && !proxied(u) {
			t = transport{fast: newFastTransport(u, conns), net: newNetTransport(nil, 2)}
		} else {
			t = transport{net: newNetTransport(o.HTTPClient, conns)}
		}
	default:
		return transport{}, &ConfigError{Msg: fmt.Sprintf("unknown transport %q (want net/http or fasthttp)", o.Transport)}
	}
	depth := o.Pipeline
	if depth == 0 && t.fast != nil && loopback(u) && o.mode() != ModeBatch {
		// (A batch request is up to 1 MB: it has no system calls to share.)
		depth = autoPipeline(o.Concurrency)
	}
	if depth > 1 {
		if t.fast == nil {
			return transport{}, &ConfigError{Msg: fmt.Sprintf("pipelining needs a plain http:// inlet reached directly (no proxy, no HTTPClient), got %q", o.URL)}
		}
		t.pipe = newPipeTransport(depth, t.fast)
	}
	return t, nil
}

// autoPipeline is how many requests one connection carries when Options.Pipeline is 0 and
// the inlet is on loopback (raw and xdm modes): enough to gather the workers' requests into few writes, while
// keeping at least four connections (a server works through one connection's requests
// one after the other).
func autoPipeline(concurrency int) int {
	return min(max(concurrency/4, 1), 16)
}

// loopback reports whether u's host is this machine: localhost or a loopback address.
func loopback(u *url.URL) bool {
	h := u.Hostname()
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
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
	return answer{status: resp.StatusCode, body: rb, header: resp.Header, latency: lat,
		emulator: resp.Header.Get(HeaderEmulator) != ""}
}

// fastTransport posts with fasthttp's request writer and response parser over its own
// small pool of kept-alive connections to the one plain-http host of the inlet: the
// calling goroutine writes the request and reads the answer itself (no goroutines per
// connection, no hand-offs), and nothing is allocated per request beyond fasthttp's pooled
// objects. Because the transport holds the connection of each request, cancellation is
// exact: the request's ctx ending sets a past deadline on that connection alone.
type fastTransport struct {
	addr    string
	maxIdle int
	mu      sync.Mutex
	idle    []*fastConn // most recently used last
}

// fastConn is a kept-alive connection with its buffers.
type fastConn struct {
	c    net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
	last time.Time // when its last answer was read
}

// staleAfter is how long a connection must have been idle before its next request checks
// that the server has not closed it meanwhile (net/http notices such closes in the
// background; here a non-blocking peek does, when the connection is taken).
const staleAfter = 100 * time.Millisecond

// longAgo is a deadline in the past: I/O on the connection fails at once.
var longAgo = time.Unix(1, 0)

func newFastTransport(u *url.URL, conns int) *fastTransport {
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	return &fastTransport{addr: addr, maxIdle: conns}
}

// get takes the most recently used idle connection the server has not closed, or dials.
func (t *fastTransport) get(ctx context.Context, timeout time.Duration) (*fastConn, error) {
	for {
		t.mu.Lock()
		n := len(t.idle)
		if n == 0 {
			t.mu.Unlock()
			break
		}
		fc := t.idle[n-1]
		t.idle[n-1] = nil
		t.idle = t.idle[:n-1]
		t.mu.Unlock()
		if time.Since(fc.last) > staleAfter && peerClosed(fc.c) {
			fc.c.Close()
			continue
		}
		return fc, nil
	}
	c, err := (&net.Dialer{Timeout: timeout}).DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, err
	}
	return &fastConn{c: c, br: bufio.NewReaderSize(c, 4096), bw: bufio.NewWriterSize(c, 4096)}, nil
}

// put keeps fc for the next request (or closes it when enough are kept).
func (t *fastTransport) put(fc *fastConn) {
	fc.last = time.Now()
	t.mu.Lock()
	if len(t.idle) < t.maxIdle {
		t.idle = append(t.idle, fc)
		t.mu.Unlock()
		return
	}
	t.mu.Unlock()
	fc.c.Close()
}

func (t *fastTransport) post(ctx context.Context, u string, body []byte, timeout time.Duration, headers func(set func(k, v string))) answer {
	if err := ctx.Err(); err != nil {
		return answer{err: &url.Error{Op: "Post", URL: u, Err: err}}
	}
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	req.URI().DisablePathNormalizing = true
	req.SetRequestURI(u)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.Header.SetUserAgent(UserAgent)
	headers(req.Header.Set)
	req.SetBodyRaw(body)
	start := time.Now()
	deadline := start.Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	fc, err := t.get(ctx, timeout)
	if err != nil {
		return t.failed(ctx, u, err, start)
	}
	fc.c.SetDeadline(deadline)
	stop := func() bool { return true }
	if ctx.Done() != nil {
		// Set after the connection's own deadline, so nothing can undo it.
		stop = context.AfterFunc(ctx, func() { fc.c.SetDeadline(longAgo) })
	}
	err = req.Write(fc.bw)
	if err == nil {
		err = fc.bw.Flush()
	}
	resp := fasthttp.AcquireResponse()
	if err == nil {
		err = resp.ReadLimitBody(fc.br, maxAnswerBytes)
	}
	interrupted := !stop()
	if err != nil || interrupted || resp.ConnectionClose() {
		fc.c.Close()
	} else {
		t.put(fc)
	}
	if err != nil {
		fasthttp.ReleaseResponse(resp)
		return t.failed(ctx, u, err, start)
	}
	a := answer{status: resp.StatusCode(), body: resp.Body(), latency: time.Since(start), resp: resp,
		emulator: len(resp.Header.Peek(HeaderEmulator)) > 0}
	if ra := resp.Header.Peek("Retry-After"); len(ra) > 0 {
		a.header = http.Header{"Retry-After": {string(ra)}}
	}
	return a
}

// failed words a transport failure as net/http does (Post "URL": cause), with ctx's error
// when ctx ended.
func (t *fastTransport) failed(ctx context.Context, u string, err error, start time.Time) answer {
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return answer{err: &url.Error{Op: "Post", URL: u, Err: err}, latency: time.Since(start)}
}

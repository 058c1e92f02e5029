package aep

import (
	"bufio"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// pipeTransport posts with HTTP/1.1 pipelining (RFC 9112 §9.3.2) to the one plain-http host
// of the inlet: the requests of several workers share a connection, go out together in one
// write(2), and their answers come back in the same order. Each worker still has one
// request in flight at a time (so the journal's bound, one unjournaled request per worker,
// is unchanged); what is shared is the connection and its system calls.
//
// The requests are written by the workers themselves: the first to find no write under
// way yields once, so that workers ready to run can add theirs, and writes everything
// added in one call (group commit, as the journal does). One reader goroutine per
// connection parses the answers with fasthttp's response parser and hands each to its
// worker; while the connection is idle it waits on the socket, so a server's close is seen
// at once.
//
// When a connection ends before every request on it is answered:
//   - after an answer saying "Connection: close" (or an HTTP/1.0 answer without
//     keep-alive), the server has promised not to process the requests behind it (RFC 9112
//     §9.6): they are sent again on another connection, not counted as attempts;
//   - a request whose bytes never reached write(2) is sent again the same way;
//   - otherwise (EOF, reset, timeout) each request written and unanswered fails with that
//     transport error, as it would have alone, and the client's retry rules apply (it may
//     have been processed: a retry may duplicate it, as for any transport failure).
//
// Pipelining is turned off for the rest of the run (every request then goes over
// fastTransport, one per connection) when the server shows it does not keep connections
// for pipelining: its first answer on a connection closes it or is HTTP/1.0 while other
// requests wait, or a connection fails with more than one request written and unanswered.
type pipeTransport struct {
	addr  string
	depth int32          // most requests on one connection
	fast  *fastTransport // once pipelining is off
	off   atomic.Bool
	why   atomic.Pointer[string] // why it is off

	mu     sync.Mutex // guards conns
	conns  []*pipeConn
	dialMu sync.Mutex // one dial at a time, so workers starting together share connections
	calls  sync.Pool  // *pipeCall
}

// maxResends bounds how often one request is sent again because the connection it was on
// ended before the server got it or after the server promised not to process it.
const maxResends = 8

// errServerClosing is what the requests behind an answer that closed the connection get:
// the server did not process them, so they are sent again.
var errServerClosing = errors.New("server closed the connection after an earlier answer")

// errCancelledOther is what the written requests get on a connection closed because
// another request on it was cancelled.
var errCancelledOther = errors.New("connection closed to cancel another request on it")

// errUnasked is a server writing on a connection with no request waiting.
var errUnasked = errors.New("server sent data with no request waiting")

func newPipeTransport(depth int, fast *fastTransport) *pipeTransport {
	return &pipeTransport{addr: fast.addr, depth: int32(depth), fast: fast}
}

// turnOff stops pipelining for the rest of the run.
func (t *pipeTransport) turnOff(why string) {
	if t.off.CompareAndSwap(false, true) {
		t.why.Store(&why)
	}
}

// offReason says why pipelining was turned off, or "" while it is on.
func (t *pipeTransport) offReason() string {
	if p := t.why.Load(); p != nil {
		return *p
	}
	return ""
}

// pipeConn is one pipelined connection.
type pipeConn struct {
	t  *pipeTransport
	c  net.Conn
	br *bufio.Reader
	n  atomic.Int32 // requests given this connection and not yet finished (pick's measure)

	mu       sync.Mutex
	wbuf     []byte // requests added and not yet written
	spare    []byte
	flushing bool        // a worker is writing wbuf out
	reading  bool        // the reader is reading the answer of q[head]
	q        []*pipeCall // q[head:] wait for their answers, in order
	head     int
	sent     int   // q[:sent] have been handed to write(2) (sent ≥ head)
	err      error // set when the connection is done: it takes no more requests
}

// pipeCall is one request on its way: its bytes, and where its answer lands.
type pipeCall struct {
	wire     []byte
	bw       *bufio.Writer // writes into wire
	deadline time.Time
	resp     *fasthttp.Response
	err      error // the connection failed before the answer
	resend   bool  // the request was not processed: send it again
	done     chan struct{}
	// abandoned is set (under the connection's mu) by a worker whose ctx ended first: the
	// reader then gives the call back itself.
	abandoned, finished bool
}

// Write appends to the call's wire bytes (the target of bw).
func (cl *pipeCall) Write(p []byte) (int, error) {
	cl.wire = append(cl.wire, p...)
	return len(p), nil
}

func (t *pipeTransport) acquire() *pipeCall {
	if v := t.calls.Get(); v != nil {
		cl := v.(*pipeCall)
		cl.wire = cl.wire[:0]
		cl.err, cl.resend, cl.abandoned, cl.finished = nil, false, false, false
		cl.resp = fasthttp.AcquireResponse()
		return cl
	}
	cl := &pipeCall{done: make(chan struct{}, 1), resp: fasthttp.AcquireResponse()}
	cl.bw = bufio.NewWriterSize(cl, 4096)
	return cl
}

// release gives back a finished call (its response, unless an answer took it).
func (t *pipeTransport) release(cl *pipeCall) {
	if cl.resp != nil {
		fasthttp.ReleaseResponse(cl.resp)
		cl.resp = nil
	}
	if cap(cl.wire) > 64<<10 {
		cl.wire = nil // a batch's bytes: not kept for the next small request
	}
	t.calls.Put(cl)
}

func (t *pipeTransport) post(ctx context.Context, u string, body []byte, timeout time.Duration, headers func(set func(k, v string))) answer {
	if t.off.Load() {
		return t.fast.post(ctx, u, body, timeout, headers)
	}
	if err := ctx.Err(); err != nil {
		return answer{err: &url.Error{Op: "Post", URL: u, Err: err}}
	}
	start := time.Now()
	deadline := start.Add(timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	cl := t.acquire()
	cl.deadline = deadline
	if err := t.build(cl, u, body, headers); err != nil {
		t.release(cl)
		return t.fast.failed(ctx, u, err, start)
	}
	var why error // why the request is being sent again
	for resends := 0; ; resends++ {
		switch {
		case ctx.Err() != nil:
			t.release(cl)
			return t.fast.failed(ctx, u, ctx.Err(), start)
		case resends > maxResends:
			t.release(cl)
			return t.fast.failed(ctx, u, why, start)
		case t.off.Load():
			t.release(cl)
			return t.fast.post(ctx, u, body, time.Until(deadline), headers)
		}
		pc, err := t.conn(ctx, deadline)
		if err != nil {
			t.release(cl)
			return t.fast.failed(ctx, u, err, start)
		}
		if why = pc.add(ctx, cl); why != nil {
			pc.n.Add(-1)
			continue // the connection ended before the request was added
		}
		select {
		case <-cl.done:
		case <-ctx.Done():
			if pc.abandon(cl) {
				return t.fast.failed(ctx, u, ctx.Err(), start)
			}
			<-cl.done // answered meanwhile
		}
		pc.n.Add(-1)
		if cl.resend {
			// The server did not get the request, or promised not to process it.
			why = errServerClosing
			cl.resend = false
			cl.resp.Reset()
			continue
		}
		if cl.err != nil {
			err := cl.err
			t.release(cl)
			return t.fast.failed(ctx, u, err, start)
		}
		resp := cl.resp
		cl.resp = nil
		t.release(cl)
		a := answer{status: resp.StatusCode(), body: resp.Body(), latency: time.Since(start), resp: resp,
			emulator: len(resp.Header.Peek(HeaderEmulator)) > 0}
		if ra := resp.Header.Peek("Retry-After"); len(ra) > 0 {
			a.header = http.Header{"Retry-After": {string(ra)}}
		}
		return a
	}
}

// build writes the request's bytes into cl.wire with fasthttp's request writer.
func (t *pipeTransport) build(cl *pipeCall, u string, body []byte, headers func(set func(k, v string))) error {
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	req.URI().DisablePathNormalizing = true
	req.SetRequestURI(u)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.Header.SetUserAgent(UserAgent)
	headers(req.Header.Set)
	uri := req.URI()
	if len(uri.Username()) > 0 || len(uri.Host()) == 0 {
		// Basic auth from the URL, or no host: fasthttp's request writer deals with them.
		req.SetBodyRaw(body)
		cl.bw.Reset(cl)
		if err := req.Write(cl.bw); err != nil {
			return err
		}
		return cl.bw.Flush()
	}
	// What the request writer does for such a request, without copying the bytes through a
	// bufio.Writer (TestPipeBuild_sameBytes holds the two to the same output).
	req.Header.SetHostBytes(uri.Host())
	req.Header.SetRequestURIBytes(uri.RequestURI())
	req.Header.SetContentLength(len(body))
	cl.wire = req.Header.AppendBytes(cl.wire[:0])
	cl.wire = append(cl.wire, body...)
	return nil
}

// conn takes a place on a connection with room (the first, so requests gather on as few
// connections as the load needs and go out together), or dials one.
func (t *pipeTransport) conn(ctx context.Context, deadline time.Time) (*pipeConn, error) {
	if pc := t.pick(); pc != nil {
		return pc, nil
	}
	t.dialMu.Lock()
	defer t.dialMu.Unlock()
	if pc := t.pick(); pc != nil {
		return pc, nil
	}
	c, err := (&net.Dialer{Deadline: deadline}).DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, err
	}
	pc := &pipeConn{t: t, c: c, br: bufio.NewReaderSize(c, 16<<10)}
	pc.n.Store(1)
	t.mu.Lock()
	t.conns = append(t.conns, pc)
	t.mu.Unlock()
	go pc.read(t)
	return pc, nil
}

func (t *pipeTransport) pick() *pipeConn {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, pc := range t.conns {
		if pc.n.Load() < t.depth {
			pc.n.Add(1)
			return pc
		}
	}
	return nil
}

// drop forgets a connection that takes no more requests.
func (t *pipeTransport) drop(pc *pipeConn) {
	t.mu.Lock()
	for i, x := range t.conns {
		if x == pc {
			t.conns = append(t.conns[:i], t.conns[i+1:]...)
			break
		}
	}
	t.mu.Unlock()
}

// add queues cl's request on the connection and, unless a write is under way, writes it
// with whatever else was added meanwhile. It returns why the connection ended when it has
// (the request is not added).
func (pc *pipeConn) add(ctx context.Context, cl *pipeCall) error {
	pc.mu.Lock()
	if err := pc.err; err != nil {
		pc.mu.Unlock()
		return err
	}
	pc.wbuf = append(pc.wbuf, cl.wire...)
	pc.q = append(pc.q, cl)
	if len(pc.q)-pc.head == 1 {
		// The reader waits for this answer first: its deadline bounds the wait.
		pc.c.SetReadDeadline(cl.deadline)
	}
	if pc.flushing {
		pc.mu.Unlock()
		return nil
	}
	pc.flushing = true
	pc.mu.Unlock()
	pc.flush(ctx, cl.deadline)
	return nil
}

// flush writes out what is added, in as few writes as the other workers allow.
func (pc *pipeConn) flush(ctx context.Context, deadline time.Time) {
	// Workers the reader has just woken add their requests before the write.
	runtime.Gosched()
	pc.c.SetWriteDeadline(deadline)
	stop := func() bool { return true }
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() { pc.c.SetWriteDeadline(longAgo) })
	}
	defer stop()
	pc.mu.Lock()
	for len(pc.wbuf) > 0 && pc.err == nil {
		buf := pc.wbuf
		pc.wbuf = pc.spare[:0]
		pc.sent = len(pc.q)
		pc.mu.Unlock()
		_, err := pc.c.Write(buf)
		pc.mu.Lock()
		pc.spare = buf[:0] // the next write's buffer
		if cap(buf) > 256<<10 {
			pc.spare = nil // not a batch's megabytes
		}
		if err != nil {
			pc.writeFailed(err)
			break
		}
	}
	pc.flushing = false
	pc.mu.Unlock()
}

// writeFailed ends the connection for new requests after a failed write (pc.mu held). The
// requests never handed to write(2) are sent again; the reader still reads the answers the
// server gives to those written (it may have closed after answering with "close"), and
// fails the rest when the connection ends.
func (pc *pipeConn) writeFailed(err error) {
	if pc.err != nil {
		return // ended already (fail dealt with the requests)
	}
	pc.err = err
	pc.t.drop(pc)
	pc.wbuf = pc.wbuf[:0]
	from := pc.sent
	if pc.reading {
		from = max(from, pc.head+1)
	}
	from = min(from, len(pc.q))
	for i := from; i < len(pc.q); i++ {
		cl := pc.q[i]
		pc.q[i] = nil
		cl.resend = true
		pc.finish(cl)
	}
	pc.q = pc.q[:from]
	if pc.head == len(pc.q) {
		// Nothing to read for: end the reader's wait.
		pc.c.SetReadDeadline(longAgo)
	}
}

// abandon gives up waiting for cl (its worker's ctx ended) and, as net/http does for a
// cancelled request, closes the connection, so the server sees the client hang up. The
// other requests on it end as for any closed connection: sent again when never written,
// failed with errCancelledOther when written (their workers' retry rules apply; in a
// delivery all workers share the run's ctx, so they are being cancelled too). It reports
// false when cl is finished already (its done is, or is about to be, signalled).
func (pc *pipeConn) abandon(cl *pipeCall) bool {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if cl.finished {
		return false
	}
	cl.abandoned = true
	pc.fail(errCancelledOther)
	return true
}

// finish hands cl to its worker, or gives it back when its worker has gone (pc.mu held).
func (pc *pipeConn) finish(cl *pipeCall) {
	cl.finished = true
	if cl.abandoned {
		pc.n.Add(-1)
		if cl.resp != nil {
			fasthttp.ReleaseResponse(cl.resp)
			cl.resp = nil
		}
		return // not pooled: it is dropped
	}
	cl.done <- struct{}{}
}

// read is the connection's reader: it parses each answer into the request at the head of
// the queue and hands it over, until the connection ends.
func (pc *pipeConn) read(t *pipeTransport) {
	defer pc.c.Close()
	defer t.drop(pc)
	answered := 0
	for {
		_, err := pc.br.Peek(1) // waits for an answer, or the server's close while idle
		pc.mu.Lock()
		if pc.head == len(pc.q) {
			if err == nil {
				err = errUnasked
			}
			pc.fail(err)
			pc.mu.Unlock()
			return
		}
		cl := pc.q[pc.head]
		// While the answer is read into cl, cl stays at the head of the queue: fail leaves
		// it to the reader.
		pc.reading = true
		pc.mu.Unlock()
		if err == nil {
			err = cl.resp.ReadLimitBody(pc.br, maxAnswerBytes)
		}
		pc.mu.Lock()
		pc.reading = false
		if err != nil {
			if pc.err != nil {
				err = pc.err // the connection was ended first, which ended the read
			}
			pc.fail(err)
			pc.mu.Unlock()
			return
		}
		answered++
		pc.q[pc.head] = nil
		pc.head++
		waiting := len(pc.q) - pc.head
		closing := cl.resp.ConnectionClose()
		if answered == 1 && waiting > 0 && (closing || !cl.resp.Header.IsHTTP11()) {
			t.turnOff("the server closed a connection after its first answer, or answered in HTTP/1.0, with pipelined requests waiting")
		}
		if waiting > 0 {
			pc.c.SetReadDeadline(pc.q[pc.head].deadline)
		} else {
			pc.c.SetReadDeadline(time.Time{})
			pc.q, pc.head, pc.sent = pc.q[:0], 0, 0
		}
		if pc.head > 64 && pc.head > len(pc.q)/2 {
			n := copy(pc.q, pc.q[pc.head:])
			clear(pc.q[n:])
			pc.q, pc.sent, pc.head = pc.q[:n], pc.sent-pc.head, 0
		}
		pc.finish(cl)
		switch {
		case closing:
			pc.fail(errServerClosing)
		case pc.err != nil && pc.head == len(pc.q):
			pc.fail(pc.err) // ended (a write failed): nothing more to read
		default:
			pc.mu.Unlock()
			continue
		}
		pc.mu.Unlock()
		return
	}
}

// fail ends the connection (pc.mu held): the requests still waiting are sent again when the
// server promised not to process them (err is errServerClosing) or never got them, and
// fail with err otherwise. The request whose answer the reader is reading is left to it.
func (pc *pipeConn) fail(err error) {
	t := pc.t
	if pc.err == nil {
		pc.err = err
	}
	pc.c.Close() // the reader, if waiting, returns
	written := pc.sent - pc.head
	if written > 1 && err != errServerClosing && err != errCancelledOther {
		t.turnOff("a connection failed with " + itoa(written) + " pipelined requests unanswered: " + err.Error())
	}
	from := pc.head
	if pc.reading {
		from++
	}
	for i := from; i < len(pc.q); i++ {
		cl := pc.q[i]
		pc.q[i] = nil
		if err == errServerClosing || i >= pc.sent {
			cl.resend = true
		} else {
			cl.err = err
		}
		pc.finish(cl)
	}
	if from > pc.head {
		pc.q = pc.q[:from]
	} else {
		pc.q, pc.head, pc.sent = pc.q[:0], 0, 0
	}
	pc.wbuf = pc.wbuf[:0]
	t.drop(pc)
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

package aep

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/valyala/fasthttp"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/internal/scrub"
)

// Message is one event to deliver.
type Message struct {
	// Seq is the event's position in the input (for reports); the client does not use it.
	Seq int
	// Source locates the event in its input, such as "events.jsonl:12".
	Source string
	// Input and Line are the same place as fields (the delivery journal keys on them).
	Input string
	Line  int
	// EventID, ObjectType and Metric describe the event for results and reports.
	EventID, ObjectType, Metric string
	// Key groups events whose order must be kept (the customer) when Options.Ordered is set.
	Key string
	// Body is what is sent: the Customer.io body in raw mode, the XDM message otherwise.
	Body []byte
	// Payload is what a dead letter keeps so the event can be re-sent: normally the original
	// Customer.io event. Nil means Body.
	Payload []byte
}

func (m Message) payload() []byte {
	if m.Payload != nil {
		return m.Payload
	}
	return m.Body
}

// Outcome is what finally happened to an event.
type Outcome string

// The four outcomes of an event. The client itself produces Delivered, Failed and
// Cancelled; Rejected is for an event the caller's mapping or validation refused, which is
// never posted.
const (
	// Delivered: the endpoint accepted the event (2xx, or a 2xx batch element).
	Delivered Outcome = "delivered"
	// Rejected: refused before sending (local mapping or validation); never posted.
	Rejected Outcome = "rejected"
	// Failed: not accepted after the retries allowed; it goes to the dead-letter file.
	Failed Outcome = "failed"
	// Cancelled: the run was interrupted before the event's fate was known (it may or may
	// not have reached the endpoint when Attempts > 0).
	Cancelled Outcome = "cancelled"
)

// Result is the fate of one event.
type Result struct {
	Message Message
	Outcome Outcome
	// Status is the last HTTP status (for a batch element, the element's own status);
	// 0 when the last attempt got no response.
	Status int
	// XactionID is AEP's transaction id for the accepted message.
	XactionID string
	// Latency is the duration of the last attempt; Total runs from the first attempt's start
	// to the final answer, waits included.
	Latency, Total time.Duration
	// Attempts counts requests made for this event (1 = no retry).
	Attempts int
	// Excerpt is the start of the last response body (at most ExcerptBytes).
	Excerpt string
	// Reason says why an event failed: AEP's message, or the transport error.
	Reason string
	// Kind names the failure for grouping in reports, e.g. "HTTP 404", "connection refused",
	// "TLS", "unknown host", "timeout"; "" for a delivered event.
	Kind string
	// Emulator is set when the last answer carried HeaderEmulator: the endpoint is a ciosim
	// emulator, which can be asked for its verdict on the message (AEP cannot).
	Emulator bool
}

// ExcerptBytes bounds Result.Excerpt.
const ExcerptBytes = 512

// StatusError is a non-success HTTP answer.
type StatusError struct {
	Status int
	Body   string
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("aep: HTTP %d %s", e.Status, http.StatusText(e.Status))
	if r := reasonFromBody([]byte(e.Body)); r != "" {
		msg += ": " + r
	}
	return msg
}

// Client delivers messages. It is safe for concurrent use.
type Client struct {
	o    Options
	ep   endpoints
	tr   transport
	now  func() time.Time
	back Backoff
	// answered is set once the endpoint has answered any request: until then a refused
	// connection means a wrong address and is not retried.
	answered atomic.Bool
	// scrub masks the credentials in use in every text a Result carries (see scrubber).
	scrub *scrub.Scrubber
}

// New checks opts and returns a Client.
func New(opts Options) (*Client, error) {
	sc := scrubber(opts)
	if err := opts.validate(); err != nil {
		return nil, scrubConfigError(sc, err)
	}
	ep, err := opts.endpoints()
	if err != nil {
		return nil, scrubConfigError(sc, err)
	}
	c := &Client{o: opts, ep: ep, now: opts.Now, back: opts.Backoff, scrub: sc}
	if c.o.Mode == "" {
		c.o.Mode = ModeRaw
	}
	if c.o.Concurrency == 0 {
		c.o.Concurrency = 1
	}
	if c.o.CustomerIOSemantics {
		c.o.Concurrency = 1
		if c.o.Timeout == 0 {
			c.o.Timeout = CustomerIOTimeout
		}
	}
	if c.o.Timeout == 0 {
		c.o.Timeout = 10 * time.Second
	}
	if c.o.TimeScale == 0 {
		c.o.TimeScale = 1
	}
	if c.o.MaxRetryAfter == 0 {
		c.o.MaxRetryAfter = 5 * time.Minute
	}
	if c.o.BatchMaxBytes == 0 || c.o.BatchMaxBytes > MaxRequestBytes {
		c.o.BatchMaxBytes = MaxRequestBytes
	}
	if c.o.BatchMaxMessages == 0 {
		c.o.BatchMaxMessages = 1000
	}
	if c.back == (Backoff{}) {
		c.back = DefaultBackoff
	}
	if c.back.Multiplier < 1 {
		c.back.Multiplier = 1
	}
	if c.now == nil {
		c.now = time.Now
	}
	u, _ := url.Parse(c.o.URL) // checked by endpoints
	if c.tr, err = newTransport(c.o, u, c.o.Concurrency+4); err != nil {
		return nil, err
	}
	return c, nil
}

// Mode returns the client's request shape.
func (c *Client) Mode() Mode { return c.o.Mode }

// Options returns the client's options with every default filled in (concurrency, batch
// limits, timeout, ...), for the delivery loop that drives the client.
func (c *Client) Options() Options { return c.o }

// HTTPClient returns an HTTP client for the same endpoint (with the transport's TLS
// settings), for a caller that asks it something else
// (net/http's, also when the requests themselves go over fasthttp).
func (c *Client) HTTPClient() *http.Client { return c.tr.net.hc }

// BatchFits reports whether adding a message of n bytes to a batch of count messages whose
// bodies and separators take size bytes (without the envelope) stays within the client's
// batch limits. A first message always fits, even alone and too big (AEP answers 413).
func (c *Client) BatchFits(count, size, n int) bool {
	if count == 0 {
		return true
	}
	return count < c.o.BatchMaxMessages && batchOverhead+size+1+n <= c.o.BatchMaxBytes
}

// answer is one HTTP exchange.
type answer struct {
	status int
	body   []byte
	header http.Header // Retry-After at least, when the answer had it
	// emulator is set when the answer carried HeaderEmulator.
	emulator bool
	latency  time.Duration
	err      error // transport error (no response)
	// resp, when set, holds body: fasthttp's pooled response, given back by release.
	resp *fasthttp.Response
}

// release gives back what holds the answer's body; the body is not used after it.
func (a *answer) release() {
	if a.resp != nil {
		fasthttp.ReleaseResponse(a.resp)
		a.resp, a.body = nil, nil
	}
}

// post makes one request.
func (c *Client) post(ctx context.Context, url string, body []byte, raw bool) answer {
	wire := body
	if c.o.Gzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(body)
		zw.Close()
		wire = buf.Bytes()
	}
	a := c.tr.post(ctx, url, wire, c.o.Timeout, func(set func(k, v string)) {
		if c.o.Gzip {
			set("Content-Encoding", "gzip")
		}
		if raw && c.o.FlowIDHeader && c.o.FlowID != "" {
			set(HeaderFlowID, c.o.FlowID)
		}
		if !c.o.Auth.Token.IsZero() {
			set("Authorization", "Bearer "+c.o.Auth.Token.Reveal())
		}
		if !c.o.Auth.APIKey.IsZero() {
			set(HeaderAPIKey, c.o.Auth.APIKey.Reveal())
		}
		if c.o.Auth.OrgID != "" {
			set(HeaderOrgID, c.o.Auth.OrgID)
		}
		if c.o.Auth.Sandbox != "" {
			set(HeaderSandbox, c.o.Auth.Sandbox)
		}
		if raw && !c.o.SigningKey.IsZero() {
			ts := c.now().Unix()
			set(customerio.HeaderTimestamp, strconv.FormatInt(ts, 10))
			set(customerio.HeaderSignature, customerio.Sign(c.o.SigningKey.Bytes(), ts, body))
		}
	})
	if a.err == nil {
		c.answered.Store(true)
	}
	return a
}

// Transport returns the HTTP library the client sends with: net/http or fasthttp.
func (c *Client) Transport() Transport { return c.tr.name() }

// Pipeline returns the most requests one connection carries at a time: 1 when the client
// does not pipeline (or has stopped: see PipelineOff).
func (c *Client) Pipeline() int { return c.tr.depth() }

// PipelineOff says why the client stopped pipelining during the run (the server did not
// keep its connections for it), or "" when it did not.
func (c *Client) PipelineOff() string {
	if c.tr.pipe == nil {
		return ""
	}
	return c.tr.pipe.offReason()
}

// retryable reports whether an answer may be retried under AEP semantics: transport errors
// (timeouts, resets, refused connections once the endpoint has answered), 429 and 5xx
// except 501 (sync validation not available at that location, which no retry fixes).
func (c *Client) retryable(a answer) bool {
	if a.err != nil {
		return !c.isPermanentTransport(a.err)
	}
	return a.status == http.StatusTooManyRequests || a.status >= 500 && a.status != http.StatusNotImplemented
}

// isPermanentTransport recognises transport errors no retry can fix: TLS handshake and
// certificate failures, https to a plain-http server, a host name that does not resolve,
// and a refused connection before the endpoint has answered once in this run (a wrong
// address, not a restart).
func (c *Client) isPermanentTransport(err error) bool {
	switch transportKind(err) {
	case "TLS", "unknown host":
		return true
	case "connection refused":
		return !c.answered.Load()
	}
	return false
}

// transportKind names a transport failure for reports: "timeout", "TLS", "unknown host",
// "connection refused", "connection reset" or "transport".
func transportKind(err error) string {
	var ne net.Error
	var dns *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case isTLSFailure(err):
		return "TLS"
	case errors.As(err, &dns) && dns.IsNotFound:
		return "unknown host"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset"
	}
	return "transport"
}

// isTLSFailure reports whether err comes from TLS: an untrusted or mismatched certificate,
// or a server that does not speak TLS.
func isTLSFailure(err error) bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var rh tls.RecordHeaderError
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) ||
		errors.As(err, &ci) || errors.As(err, &rh) ||
		// net/http replaces the RecordHeaderError of an https request answered in plain
		// http with an error of its own that has no type.
		strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

// wait returns how long to wait before retry number n (1-based) after answer a.
func (c *Client) wait(n int, a answer) time.Duration {
	b := c.back
	d := float64(b.Initial) * math.Pow(b.Multiplier, float64(n-1))
	if b.Max > 0 && d > float64(b.Max) {
		d = float64(b.Max)
	}
	if b.Jitter > 0 {
		d *= 1 + b.Jitter*(2*rand.Float64()-1)
	}
	if c.o.CustomerIOSemantics && n == 1 && (a.err != nil || customerIOHourCodes[a.status]) {
		d = float64(CustomerIOFirstWait)
	}
	if ra, ok := retryAfter(a.header, c.now()); ok {
		if ra > c.o.MaxRetryAfter {
			ra = c.o.MaxRetryAfter
		}
		if float64(ra) > d || !c.o.CustomerIOSemantics {
			d = float64(ra)
		}
	}
	return time.Duration(d * c.o.TimeScale)
}

// retryAfter parses a Retry-After header: delay seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
		return time.Duration(n * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// giveUp reports whether to stop retrying after attempt number n with answer a.
func (c *Client) giveUp(n int, a answer, started time.Time) bool {
	if n > c.o.Retries {
		return true
	}
	if c.o.CustomerIOSemantics {
		window := time.Duration(float64(CustomerIORetryWindow) * c.o.TimeScale)
		return time.Since(started) > window
	}
	return !c.retryable(a)
}

// Send delivers one message (raw or xdm mode) with retries and returns its result. When ctx
// ends first it returns early with the outcome Cancelled.
func (c *Client) Send(ctx context.Context, m Message) Result {
	url := c.ep.single
	raw := c.o.Mode == ModeRaw
	started := time.Now()
	r := Result{Message: m}
	for n := 1; ; n++ {
		if ctx.Err() != nil {
			if n == 1 {
				r.Reason = "not sent"
			}
			break
		}
		a := c.post(ctx, url, m.Body, raw)
		r.Attempts = n
		r.Latency = a.latency
		c.fill(&r, a)
		a.release()
		if a.err == nil && a.status >= 200 && a.status < 300 {
			r.Outcome = Delivered
			r.Reason = ""
			r.Total = time.Since(started)
			c.clean(&r)
			return r
		}
		if ctx.Err() != nil || c.giveUp(n, a, started) {
			break
		}
		if err := sleep(ctx, c.wait(n, a)); err != nil {
			break
		}
	}
	r.Outcome = Failed
	if ctx.Err() != nil {
		r.Outcome = Cancelled
		r.Reason = "interrupted: " + r.Reason
	}
	r.Total = time.Since(started)
	c.clean(&r)
	return r
}

// fill copies an answer into a result.
func (c *Client) fill(r *Result, a answer) {
	// Every text taken from the answer is scrubbed of the credentials in use, the body
	// before it is cut to an excerpt (a cut could keep part of a credential).
	body := c.scrub.Bytes(a.body)
	r.Status = a.status
	r.Excerpt = excerpt(body)
	r.XactionID = ""
	r.Kind = ""
	r.Emulator = a.emulator
	if a.err != nil {
		r.Reason = c.scrub.String(describeTransport(a.err, c.o.Timeout))
		r.Kind = transportKind(a.err)
		return
	}
	if a.status >= 200 && a.status < 300 {
		r.XactionID = xactionIDIn(r.Excerpt, a.body)
		return
	}
	r.Reason = (&StatusError{Status: a.status, Body: string(body)}).Error()
	r.Kind = "HTTP " + strconv.Itoa(a.status)
}

// clean scrubs the texts of a finished result that were decoded from an answer (AEP's
// message and the xactionId, which JSON escapes could have hidden from the scrub of the
// raw body; the excerpt was cut from the scrubbed body), so no credential in use reaches a
// dead letter, journal, report or screen.
func (c *Client) clean(r *Result) {
	if c.scrub == nil {
		return
	}
	r.Reason = c.scrub.String(r.Reason)
	r.XactionID = c.scrub.String(r.XactionID)
}

func excerpt(b []byte) string {
	if len(b) > ExcerptBytes {
		b = b[:ExcerptBytes]
	}
	return string(b)
}

// reasonFromBody pulls AEP's explanation out of an error body: report.message, title,
// message, or the start of the body.
func reasonFromBody(b []byte) string {
	var p struct {
		Title  string `json:"title"`
		Msg    string `json:"message"`
		Report struct {
			Message string `json:"message"`
		} `json:"report"`
	}
	if json.Unmarshal(b, &p) == nil {
		switch {
		case p.Report.Message != "" && p.Title != "":
			return p.Title + ": " + p.Report.Message
		case p.Report.Message != "":
			return p.Report.Message
		case p.Title != "":
			return p.Title
		case p.Msg != "":
			return p.Msg
		}
	}
	s := excerpt(bytes.TrimSpace(b))
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	return s
}

// describeTransport names a transport failure plainly.
func describeTransport(err error, timeout time.Duration) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("timeout: no response within %s", timeout)
	case isTLSFailure(err):
		return "TLS error: " + err.Error()
	}
	return "transport error: " + err.Error()
}

// xactionIDIn is xactionID(body) sharing the bytes of ex, the body's excerpt, when the id
// lies inside it (no second copy of the id).
func xactionIDIn(ex string, body []byte) string {
	start, end, ok := xactionIDSpan(body)
	switch {
	case !ok:
		return xactionIDSlow(body)
	case end <= len(ex) && ex[start:end] == string(body[start:end]): // the excerpt may be scrubbed
		return ex[start:end]
	}
	return string(body[start:end])
}

// xactionID returns the top-level "xactionId" of a success body. It scans for the member
// instead of decoding the whole body (the common, unescaped case) and falls back to
// encoding/json otherwise.
func xactionID(body []byte) string {
	if start, end, ok := xactionIDSpan(body); ok {
		return string(body[start:end])
	}
	return xactionIDSlow(body)
}

// xactionIDSpan finds an unescaped "xactionId" string value: body[start:end].
func xactionIDSpan(body []byte) (start, end int, ok bool) {
	const key = `"xactionId"`
	i := bytes.Index(body, []byte(key))
	if i < 0 {
		return 0, 0, false
	}
	p := i + len(key)
	for p < len(body) && isSpace(body[p]) {
		p++
	}
	if p >= len(body) || body[p] != ':' {
		return 0, 0, false
	}
	p++
	for p < len(body) && isSpace(body[p]) {
		p++
	}
	if p >= len(body) || body[p] != '"' {
		return 0, 0, false
	}
	p++
	j := bytes.IndexAny(body[p:], `"\`)
	if j < 0 || body[p+j] != '"' || !utf8.Valid(body[p:p+j]) {
		return 0, 0, false
	}
	return p, p + j, true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func xactionIDSlow(body []byte) string {
	var ok struct {
		XactionID string `json:"xactionId"`
	}
	json.Unmarshal(body, &ok)
	return ok.XactionID
}

package recordings

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/secret"
)

// SignatureUnchecked is the verdict recorded when the receiver has no signing key: the
// signature headers are present but could not be checked.
const SignatureUnchecked = "unchecked"

// DefaultMaxBodyBytes is the largest request body the handler accepts. Customer.io sends one
// event per request, a few kilobytes at most; AEP's own limit for a streaming message is 1 MB.
const DefaultMaxBodyBytes = 1 << 20

// Appender stores a capture durably; [*Store] is the implementation.
type Appender interface {
	Append(Capture) (Location, error)
}

var _ Appender = (*Store)(nil)

// HandlerOptions configures [NewHandler]. The zero value records everything unverified.
type HandlerOptions struct {
	// Key is the Reporting Webhook signing key. When zero, signatures are not checked and
	// requests carrying them are recorded with the verdict [SignatureUnchecked].
	Key secret.Secret
	// RequireSignature answers 401 to requests whose signature is invalid or absent and
	// keeps them out of the recording. It needs Key.
	RequireSignature bool
	// Tolerance is the allowed distance between X-CIO-Timestamp and Now (0 means
	// [customerio.DefaultTolerance]); a signature outside it is invalid.
	Tolerance time.Duration
	// MaxBodyBytes limits the body; 0 means [DefaultMaxBodyBytes]. Larger bodies get 413.
	MaxBodyBytes int64
	// Redact, when set, rewrites the body before it is stored; the capture is then marked
	// redacted and its signature header dropped (it no longer matches).
	Redact func(body []byte) ([]byte, error)
	// Redactor, when set, redacts the whole capture with [Redactor.Capture] (the body,
	// personal data in the query string, the signature header) instead of Redact.
	Redactor *Redactor
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnResult is called once per request after it was answered, with what happened. It
	// must not block for long (it runs on the request's goroutine).
	OnResult func(Result)
}

// Result describes one request the handler received.
type Result struct {
	// Capture is what was stored (or would have been, when Err is set).
	Capture Capture
	// Event is the body parsed, when it is a JSON object.
	Event customerio.Event
	// Stored says where the capture went; zero when it was not stored.
	Stored Location
	// Status is the HTTP status answered.
	Status int
	// Err says why the request was refused or could not be stored.
	Err error
}

type handler struct {
	store Appender
	opts  HandlerOptions
	// verifier checks signatures with opts.Key, reusing its HMAC states; nil without a key.
	verifier *customerio.Verifier
}

// NewHandler returns the capturing receiver: it accepts Customer.io's POSTs, checks the
// signature, appends each capture to store and answers 200 only after the append returned
// (so under [SyncAlways] only once the line is on disk). It answers 405 to other methods,
// 415 to a non-JSON content type, 413 to a body over the limit, 400 to a body that is not a
// JSON object, 401 to a bad signature when required, and 500 when the store fails; none of
// those is recorded.
func NewHandler(store Appender, opts HandlerOptions) http.Handler {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	h := &handler{store: store, opts: opts}
	if !opts.Key.IsZero() {
		h.verifier = customerio.NewVerifier(opts.Key.Bytes())
	}
	return h
}

// storedAnswers are the bodies of a 200 for each signature verdict, written as they are
// rather than formatted per request.
var storedAnswers = map[string][]byte{}

func init() {
	for _, v := range []string{SignatureValid, SignatureInvalid, SignatureAbsent, SignatureUnchecked} {
		storedAnswers[v] = storedAnswer(v)
	}
}

func storedAnswer(verdict string) []byte {
	return fmt.Appendf(nil, "{\"stored\":true,\"signature\":%q}\n", verdict)
}

// ServeHTTP answers one webhook request; see [NewHandler].
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	res := h.serve(r)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(res.Status)
	if res.Err != nil {
		b, _ := json.Marshal(map[string]string{"error": res.Err.Error()})
		w.Write(append(b, '\n'))
	} else if b, ok := storedAnswers[res.Capture.Signature]; ok {
		w.Write(b)
	} else {
		w.Write(storedAnswer(res.Capture.Signature))
	}
	if h.opts.OnResult != nil {
		h.opts.OnResult(res)
	}
}

func (h *handler) serve(r *http.Request) Result {
	now := h.opts.Now()
	c := Capture{ReceivedAt: now, Method: r.Method, Path: r.URL.Path, Query: MaskQuery(r.URL.RawQuery)}
	c.Headers, c.HeadersDropped = FilterHeaders(r.Header)
	fail := func(status int, err error) Result {
		return Result{Capture: c, Status: status, Err: err}
	}
	if r.Method != http.MethodPost {
		return fail(http.StatusMethodNotAllowed, fmt.Errorf("method %s not allowed: Customer.io sends POST", r.Method))
	}
	if ct := r.Header.Get("Content-Type"); ct != "" && ct != "application/json" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return fail(http.StatusUnsupportedMediaType, fmt.Errorf("content type %q: want application/json", ct))
		}
	}
	body, err := h.readBody(r)
	if err != nil {
		return fail(http.StatusBadRequest, fmt.Errorf("read body: %w", err))
	}
	if int64(len(body)) > h.opts.MaxBodyBytes {
		return fail(http.StatusRequestEntityTooLarge, fmt.Errorf("body larger than %d bytes", h.opts.MaxBodyBytes))
	}
	c.Body = body
	ev, perr := customerio.Parse(body)
	if perr != nil {
		return fail(http.StatusBadRequest, fmt.Errorf("body is not a JSON object: %w", perr))
	}
	c.Signature, c.SignatureReason = h.verdict(r.Header, body, now)
	if h.opts.RequireSignature && c.Signature != SignatureValid {
		return Result{Capture: c, Event: ev, Status: http.StatusUnauthorized,
			Err: fmt.Errorf("signature %s: %s", c.Signature, c.SignatureReason)}
	}
	if h.opts.Redactor != nil {
		red, err := h.opts.Redactor.Capture(c)
		if err != nil {
			return fail(http.StatusInternalServerError, fmt.Errorf("redact: %w", err))
		}
		c = red
	} else if h.opts.Redact != nil {
		red, err := h.opts.Redact(body)
		if err != nil {
			return fail(http.StatusInternalServerError, fmt.Errorf("redact: %w", err))
		}
		c.Body = red
		c.Redacted = true
		delete(c.Headers, http.CanonicalHeaderKey(customerio.HeaderSignature))
	}
	if !c.Redacted {
		// customerio.Parse checked the body: encoding it need not validate it again
		c = c.WithValidBody()
	}
	at, err := h.store.Append(c)
	if err != nil {
		return Result{Capture: c, Event: ev, Status: http.StatusInternalServerError, Err: err}
	}
	return Result{Capture: c, Event: ev, Stored: at, Status: http.StatusOK}
}

// preallocBody is the largest declared Content-Length the body buffer is sized to up
// front; a larger body grows as it arrives, so a client declaring a large body and
// sending nothing does not make the receiver hold the memory.
const preallocBody = 64 << 10

// readBody reads the body, at most MaxBodyBytes+1 bytes (one more than allowed, to tell a
// body over the limit), as io.ReadAll(io.LimitReader(...)) does, but into a buffer sized by
// Content-Length when it is declared: one allocation instead of a buffer grown from 512
// bytes (and no LimitReader).
func (h *handler) readBody(r *http.Request) ([]byte, error) {
	limit := h.opts.MaxBodyBytes + 1
	size := int64(512)
	if n := r.ContentLength; n >= 0 && n < limit && n <= preallocBody {
		size = n + 1 // room to read the end of the body without growing
	}
	b := make([]byte, 0, size)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		room := b[len(b):cap(b)]
		if rest := limit - int64(len(b)); int64(len(room)) > rest {
			room = room[:rest]
		}
		n, err := r.Body.Read(room)
		b = b[:len(b)+n]
		switch {
		case err == io.EOF:
			return b, nil
		case err != nil:
			return b, err
		case int64(len(b)) >= limit:
			return b, nil
		}
	}
}

// verdict classifies the request's signature headers and, unless the signature is valid,
// says why in words a sender can act on.
func (h *handler) verdict(hdr http.Header, body []byte, now time.Time) (verdict, reason string) {
	tsName, sigName := customerio.HeaderTimestamp, customerio.HeaderSignature
	// (hdr.Values would canonicalise the names, allocating, on every request)
	tss, sigs := hdr[canonTimestamp], hdr[canonSignature]
	if len(tss) == 0 && len(sigs) == 0 {
		return SignatureAbsent, fmt.Sprintf("no %s or %s header", sigName, tsName)
	}
	// A repeated header is refused whatever its values and order: which copy a proxy or
	// framework reads differs, so a valid copy must not vouch for a forged one.
	for _, rep := range []struct {
		name string
		vals []string
	}{{sigName, sigs}, {tsName, tss}} {
		if len(rep.vals) > 1 {
			return SignatureInvalid, fmt.Sprintf("%s header sent %d times: a request carries exactly one", rep.name, len(rep.vals))
		}
	}
	if h.opts.Key.IsZero() {
		return SignatureUnchecked, "no signing key configured"
	}
	ts, sig := first(tss), first(sigs)
	switch {
	case sig == "":
		return SignatureAbsent, fmt.Sprintf("%s header missing (%s present)", sigName, tsName)
	case ts == "":
		return SignatureAbsent, fmt.Sprintf("%s header missing (%s present)", tsName, sigName)
	}
	vopts := customerio.VerifyOptions{Now: func() time.Time { return now }, Tolerance: h.opts.Tolerance}
	var err error
	if h.verifier != nil {
		err = h.verifier.Verify(ts, sig, body, vopts)
	} else {
		err = customerio.Verify(h.opts.Key.Bytes(), ts, sig, body, vopts)
	}
	switch {
	case err == nil:
		return SignatureValid, ""
	case errors.Is(err, customerio.ErrSignatureMissing):
		return SignatureAbsent, fmt.Sprintf("%s or %s header empty", sigName, tsName)
	case errors.Is(err, customerio.ErrTimestampInvalid):
		return SignatureInvalid, fmt.Sprintf("%s %q is not an integer (Unix seconds)", tsName, clip(ts, 40))
	case errors.Is(err, customerio.ErrSignatureMismatch):
		return SignatureInvalid, "signature does not match: wrong signing key, or the body or timestamp changed after signing"
	case errors.Is(err, customerio.ErrTimestampStale):
		tol := h.opts.Tolerance
		if tol <= 0 {
			tol = customerio.DefaultTolerance
		}
		n, _ := strconv.ParseInt(ts, 10, 64)
		d := now.Sub(time.Unix(n, 0)).Round(time.Second)
		if d < 0 {
			return SignatureInvalid, fmt.Sprintf("%s is %s in the future (tolerance %s): check the sender's clock", tsName, -d, tol)
		}
		return SignatureInvalid, fmt.Sprintf("%s is %s old (tolerance %s): a stale or replayed request", tsName, d, tol)
	default:
		return SignatureInvalid, err.Error()
	}
}

// The signature headers' names as net/http keys them.
var (
	canonTimestamp = http.CanonicalHeaderKey(customerio.HeaderTimestamp)
	canonSignature = http.CanonicalHeaderKey(customerio.HeaderSignature)
)

// first is the first of vs, or "" (what http.Header.Get returns).
func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// clip shortens s to at most n bytes for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Verdict is the signature check the handler applies, for callers that verify captures
// after the fact: it returns [SignatureValid], [SignatureInvalid], [SignatureAbsent], or
// [SignatureUnchecked] when key is zero.
func Verdict(key secret.Secret, hdr http.Header, body []byte, now time.Time, tolerance time.Duration) string {
	v, _ := CheckSignature(key, hdr, body, now, tolerance)
	return v
}

// CheckSignature is [Verdict] with the reason a signature is not valid: a repeated header,
// a missing one, a timestamp that is not an integer, too old or in the future, or a
// signature that does not match (wrong key, or a changed body). The reason is "" when the
// signature is valid.
func CheckSignature(key secret.Secret, hdr http.Header, body []byte, now time.Time, tolerance time.Duration) (verdict, reason string) {
	h := handler{opts: HandlerOptions{Key: key, Tolerance: tolerance}}
	return h.verdict(hdr, body, now)
}

// Package aep is the AEP streaming client: it fires bytes at a Data Collection Service (DCS)
// inlet the way production would — raw Customer.io bodies with the flow id (and the
// X-CIO-Signature Customer.io adds), single XDM messages, or batches of XDM messages — with
// authentication headers, retries with back-off, rate and concurrency control, a [Result] for
// every event and a dead-letter file for what could not be delivered.
//
// It knows nothing about XDM mapping (it sends bytes given to it) or the terminal.
package aep

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/ciosim/ciosim/internal/scrub"
	"github.com/ciosim/ciosim/secret"
)

// Mode selects the request shape.
type Mode string

// The three request shapes of the DCS streaming API.
const (
	// ModeRaw posts each Customer.io body byte-for-byte to {inletUrl}?x-adobe-flow-id={flowId}.
	ModeRaw Mode = "raw"
	// ModeXDM posts one XDM message per request to /collection/{inletId}.
	ModeXDM Mode = "xdm"
	// ModeBatch posts {"messages":[...]} to /collection/batch/{inletId} and reads the 207.
	ModeBatch Mode = "batch"
)

// MaxRequestBytes is AEP's documented request payload limit (1 MB); larger requests get 413.
const MaxRequestBytes = 1 << 20

// Headers the client sets.
const (
	HeaderFlowID  = "x-adobe-flow-id"
	HeaderAPIKey  = "x-api-key"
	HeaderOrgID   = "x-gw-ims-org-id"
	HeaderSandbox = "x-sandbox-name"
	// HeaderEmulator is the response header by which ciosim's emulator identifies itself
	// (AEP never sends it); see [Result.Emulator].
	HeaderEmulator = "X-Ciosim-Emulator"
)

// Auth holds the credentials of an authenticated inlet. The zero value sends no auth headers.
type Auth struct {
	// Token is the IMS access token, sent as "Authorization: Bearer <token>".
	Token secret.Secret
	// APIKey is sent as x-api-key.
	APIKey secret.Secret
	// OrgID is sent as x-gw-ims-org-id (e.g. "ABC123@AdobeOrg").
	OrgID string
	// Sandbox is sent as x-sandbox-name.
	Sandbox string
}

// Backoff describes the exponential back-off between attempts: the n-th retry waits
// Initial·Multiplier^(n-1), capped at Max, with ±Jitter (a fraction) of random spread.
type Backoff struct {
	Initial    time.Duration
	Max        time.Duration
	Multiplier float64
	Jitter     float64
}

// DefaultBackoff is used when Options.Backoff is zero: 500 ms, doubling, capped at 30 s, ±20%.
var DefaultBackoff = Backoff{Initial: 500 * time.Millisecond, Max: 30 * time.Second, Multiplier: 2, Jitter: 0.2}

// Customer.io sender constants (reference customerio-webhooks.md §6.3).
const (
	// CustomerIOTimeout is Customer.io's request timeout.
	CustomerIOTimeout = 4 * time.Second
	// CustomerIOFirstWait is Customer.io's wait before the first retry on the listed codes.
	CustomerIOFirstWait = time.Hour
	// CustomerIORetryWindow is how long Customer.io keeps retrying one event.
	CustomerIORetryWindow = 7 * 24 * time.Hour
)

// customerIOHourCodes are the statuses after which Customer.io waits an hour (§6.3).
var customerIOHourCodes = map[int]bool{400: true, 401: true, 402: true, 403: true, 404: true,
	405: true, 410: true, 429: true, 500: true, 502: true, 521: true}

// Options configures a [Client]. Only URL is required; every other zero value has a default.
type Options struct {
	// Mode is the request shape; "" means raw.
	Mode Mode
	// URL is the inlet URL as AEP returns it: https://dcs.adobedc.net/collection/{inletId}.
	// Batch mode posts to the same host at /collection/batch/{inletId}.
	URL string
	// FlowID is the dataflow id; in raw mode it is sent as ?x-adobe-flow-id= (or as a header
	// when FlowIDHeader is set).
	FlowID       string
	FlowIDHeader bool
	// SyncValidation adds ?syncValidation=true (single-message requests only: AEP does not
	// support it on /batch).
	SyncValidation bool
	// Gzip compresses request bodies (Content-Encoding: gzip).
	Gzip bool
	// Auth adds the authenticated-inlet headers.
	Auth Auth
	// SigningKey, when set, signs raw requests with X-CIO-Timestamp / X-CIO-Signature.
	SigningKey secret.Secret
	// Secrets are other credentials the process holds (a recorder's verification key, ...).
	// They are scrubbed from every text a Result carries, like Auth's token and API key, the
	// signing key and a password in URL.
	Secrets []secret.Secret
	// Timeout bounds each attempt; 0 means 10 s (4 s with CustomerIOSemantics).
	Timeout time.Duration
	// Retries is the number of retries after the first attempt (0 = none).
	Retries int
	// Backoff shapes the waits between attempts; zero means DefaultBackoff.
	Backoff Backoff
	// MaxRetryAfter caps how long a Retry-After header may make the client wait; 0 means 5 min.
	MaxRetryAfter time.Duration
	// CustomerIOSemantics reproduces Customer.io's sender: a 4 s timeout, one request at a
	// time in order (later events wait behind a failing one), every non-2xx retried, an hour's
	// wait before the first retry on the codes Customer.io lists, for up to seven days.
	CustomerIOSemantics bool
	// TimeScale multiplies every wait (back-off, Retry-After, the hour, the seven days) so
	// long schedules can be exercised quickly; 0 means 1.
	TimeScale float64
	// Rate limits requests per second (0 = unlimited).
	Rate float64
	// Concurrency is the number of requests in flight; 0 means 1.
	Concurrency int
	// Ordered keeps events with the same Message.Key (the customer) in input order by sending
	// them from one worker, one after the other.
	Ordered bool
	// BatchMaxBytes and BatchMaxMessages bound one batch request; 0 means MaxRequestBytes
	// and 1000.
	BatchMaxBytes    int
	BatchMaxMessages int
	// HTTPClient sends the requests (with net/http); nil means a client tuned for
	// Concurrency connections.
	HTTPClient *http.Client
	// Transport picks the HTTP library; "" (TransportAuto) means fasthttp for plain-http
	// inlets and net/http otherwise.
	Transport Transport
	// Pipeline is the most requests one connection carries at a time (HTTP/1.1 pipelining,
	// over fasthttp only: plain-http inlets reached directly). 0 pipelines to a loopback
	// inlet (the emulator, `ciosim serve`, a local checker) Concurrency/4 deep (at most 16)
	// in raw and xdm modes, and never elsewhere; 1 never pipelines; N > 1 pipelines N deep to any plain-http
	// inlet. https inlets, AEP's among them, are never pipelined.
	Pipeline int
	// Now is the clock (for signatures and latency); nil means time.Now.
	Now func() time.Time
}

// MaxPipeline bounds Options.Pipeline.
const MaxPipeline = 256

// ConfigError reports unusable Options.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return "aep: " + e.Msg }

var inletPath = regexp.MustCompile(`^(.*)/collection/(?:batch/)?([^/]+)/?$`)

// endpoints are the URLs derived from Options.URL.
type endpoints struct {
	single string // inlet URL with query (flow id, syncValidation)
	batch  string
}

func (o Options) endpoints() (endpoints, error) {
	u, err := url.Parse(o.URL)
	if err != nil {
		return endpoints{}, &ConfigError{Msg: fmt.Sprintf("inlet URL %q: %v", o.URL, err)}
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return endpoints{}, &ConfigError{Msg: fmt.Sprintf("inlet URL %q: want http(s)://host/collection/{inletId}", o.URL)}
	}
	var e endpoints
	single := *u
	q := single.Query()
	if o.mode() == ModeRaw && o.FlowID != "" && !o.FlowIDHeader {
		q.Set(HeaderFlowID, o.FlowID)
	}
	if o.SyncValidation {
		q.Set("syncValidation", "true")
	}
	single.RawQuery = q.Encode()
	e.single = single.String()
	if m := inletPath.FindStringSubmatch(u.Path); m != nil {
		b := *u
		b.Path = m[1] + "/collection/batch/" + m[2]
		b.RawPath = ""
		e.batch = b.String()
	} else if o.mode() == ModeBatch {
		return endpoints{}, &ConfigError{Msg: fmt.Sprintf("inlet URL %q: batch mode needs a path ending in /collection/{inletId}", o.URL)}
	}
	return e, nil
}

func (o Options) mode() Mode {
	if o.Mode == "" {
		return ModeRaw
	}
	return o.Mode
}

func (o Options) validate() error {
	switch o.mode() {
	case ModeRaw, ModeXDM, ModeBatch:
	default:
		return &ConfigError{Msg: fmt.Sprintf("unknown mode %q (want raw, xdm or batch)", o.Mode)}
	}
	if o.Retries < 0 {
		return &ConfigError{Msg: "retries must not be negative"}
	}
	if o.Rate < 0 || o.Concurrency < 0 || o.TimeScale < 0 {
		return &ConfigError{Msg: "rate, concurrency and time scale must not be negative"}
	}
	if o.Pipeline < 0 || o.Pipeline > MaxPipeline {
		return &ConfigError{Msg: fmt.Sprintf("pipeline must be between 0 and %d, got %d", MaxPipeline, o.Pipeline)}
	}
	if strings.TrimSpace(o.URL) == "" {
		return &ConfigError{Msg: "no inlet URL"}
	}
	return nil
}

// scrubber is built from every credential o makes the client use or names: the bearer token
// (alone and as the "Bearer <token>" header value), the API key, the signing key, a password
// in the inlet URL (sent as basic auth) and Options.Secrets. Reasons, excerpts and
// xactionIds are scrubbed with it, so an endpoint that echoes request headers cannot put a
// credential into a dead letter, the journal, a report, stderr or the TUI.
func scrubber(o Options) *scrub.Scrubber {
	var ss []string
	if !o.Auth.Token.IsZero() {
		ss = append(ss, o.Auth.Token.Reveal(), "Bearer "+o.Auth.Token.Reveal())
	}
	ss = append(ss, o.Auth.APIKey.Reveal(), o.SigningKey.Reveal())
	for _, s := range o.Secrets {
		ss = append(ss, s.Reveal())
	}
	if u, err := url.Parse(o.URL); err == nil && u.User != nil {
		if p, ok := u.User.Password(); ok {
			ss = append(ss, p, u.User.Username()+":"+p)
		}
	}
	return scrub.New(ss...)
}

// scrubConfigError masks credentials in a configuration error (it may quote the URL).
func scrubConfigError(sc *scrub.Scrubber, err error) error {
	var ce *ConfigError
	if sc != nil && errors.As(err, &ce) {
		return &ConfigError{Msg: sc.String(ce.Msg)}
	}
	return err
}

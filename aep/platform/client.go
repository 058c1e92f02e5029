package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ciosim/ciosim/internal/scrub"
	"github.com/ciosim/ciosim/secret"
)

// Service paths under the platform base URL (reference §0).
const (
	FlowServicePath = "/data/foundation/flowservice"
	DataPrepPath    = "/data/foundation/conversion"
	SchemaPath      = "/data/foundation/schemaregistry"
	CatalogPath     = "/data/foundation/catalog"
	ExportPath      = "/data/foundation/export"
)

// maxResponseBytes bounds what is read from any response.
const maxResponseBytes = 32 << 20

// Client calls the AEP control plane. It is safe for concurrent use.
type Client struct {
	cfg         Config
	http        *http.Client
	platformURL string
	imsURL      string

	tokMu sync.Mutex
	tok   Token
}

// New checks cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg, http: cfg.HTTPClient, platformURL: cfg.PlatformURL, imsURL: cfg.IMSURL}
	if c.http == nil {
		c.http = &http.Client{Timeout: 60 * time.Second}
	}
	if c.platformURL == "" {
		c.platformURL = DefaultPlatformURL
	}
	if c.imsURL == "" {
		c.imsURL = DefaultIMSURL
	}
	for _, u := range []string{c.platformURL, c.imsURL} {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("platform: base URL %q: want http(s)://host", u)
		}
	}
	c.platformURL = strings.TrimRight(c.platformURL, "/")
	if c.cfg.Retries == 0 {
		c.cfg.Retries = 4
	}
	return c, nil
}

// Config returns the configuration in use (secrets stay masked when printed).
func (c *Client) Config() Config { return c.cfg }

// PlatformURL is the platform base URL in use.
func (c *Client) PlatformURL() string { return c.platformURL }

// IMSURL is the IMS base URL in use.
func (c *Client) IMSURL() string { return c.imsURL }

// Sandbox is the sandbox name sent with every call.
func (c *Client) Sandbox() string { return c.cfg.sandbox() }

func (c *Client) now() time.Time {
	if c.cfg.Now != nil {
		return c.cfg.Now()
	}
	return time.Now()
}

// Error is an AEP platform error answer: the HTTP status, AEP's code (such as
// "FLOW-1404-412", "401013", "XDM-1010-404") and message, from whichever of the documented
// bodies the service sent (reference §1.6, §2.10, §4.4).
type Error struct {
	Op      string // such as "PATCH /flows/{id}"
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	code := e.Code
	if code == "" {
		code = strconv.Itoa(e.Status)
	}
	return fmt.Sprintf("platform: %s: %d %s: %s", e.Op, e.Status, code, e.Message)
}

// ErrNotFound matches (with errors.Is) any *Error with status 404.
var ErrNotFound = errors.New("platform: not found")

// ErrVersionMismatch matches a 412 answer to an If-Match that is no longer current.
var ErrVersionMismatch = errors.New("platform: version not matching")

// Is makes errors.Is(err, ErrNotFound) and ErrVersionMismatch work.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrVersionMismatch:
		return e.Status == http.StatusPreconditionFailed
	}
	return false
}

// parseError reads any of AEP's documented error bodies.
func parseError(op string, status int, body []byte) *Error {
	e := &Error{Op: op, Status: status}
	var b struct {
		ErrorCode    string          `json:"error_code"`
		Message      string          `json:"message"`
		Type         string          `json:"type"`
		Title        string          `json:"title"`
		Detail       string          `json:"detail"`
		ErrorMessage string          `json:"errorMessage"`
		Report       json.RawMessage `json:"report"`
		Error        string          `json:"error"`
		ErrorDesc    string          `json:"error_description"`
	}
	if json.Unmarshal(body, &b) != nil {
		var arr []struct {
			Message string `json:"message"`
			Status  string `json:"statusCode"`
		}
		if json.Unmarshal(body, &arr) == nil && len(arr) > 0 {
			e.Message = arr[0].Message
			return e
		}
		e.Message = strings.TrimSpace(string(truncate(body, 300)))
		if e.Message == "" {
			e.Message = http.StatusText(status)
		}
		return e
	}
	var rep struct {
		Detailed string `json:"detailed-message"`
		Message  string `json:"message"`
	}
	json.Unmarshal(b.Report, &rep)
	switch {
	case b.ErrorCode != "":
		e.Code, e.Message = b.ErrorCode, b.Message
	case b.Type != "":
		if i := strings.LastIndex(b.Type, "/"); i >= 0 && strings.Count(b.Type[i+1:], "-") >= 2 {
			e.Code = b.Type[i+1:]
		}
		e.Message = firstNonEmpty(rep.Detailed, b.ErrorMessage, b.Detail, rep.Message, b.Title)
		if e.Code == "" && b.Title != "" && e.Message != b.Title {
			e.Message = b.Title + ": " + e.Message
		}
	case b.ErrorMessage != "":
		e.Message = b.ErrorMessage
	case b.Error != "":
		e.Code, e.Message = b.Error, b.ErrorDesc
	default:
		e.Message = firstNonEmpty(b.Message, b.Title, b.Detail, http.StatusText(status))
	}
	return e
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// retryable reports whether a status may be retried: 429 and 502/503/504 always (the request
// was not processed, or may be repeated); 500 only when the call is idempotent.
func retryable(status int, idempotent bool) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case http.StatusInternalServerError:
		return idempotent
	}
	return false
}

// wait sleeps before retry n, honouring a Retry-After value (seconds or an HTTP date); it
// reports false when retries are used up or ctx ends.
func (c *Client) wait(ctx context.Context, n int, retryAfter string) bool {
	if c.cfg.Retries < 0 || n > c.cfg.Retries {
		return false
	}
	d := c.backoff(n)
	if ra := strings.TrimSpace(retryAfter); ra != "" {
		if secs, err := strconv.Atoi(ra); err == nil && secs >= 0 {
			d = time.Duration(secs) * time.Second
		} else if t, err := http.ParseTime(ra); err == nil {
			d = max(t.Sub(c.now()), 0)
		}
		d = min(d, 5*time.Minute)
	}
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func (c *Client) backoff(n int) time.Duration {
	if c.cfg.Backoff != nil {
		return c.cfg.Backoff(n)
	}
	d := min(500*time.Millisecond<<(n-1), 30*time.Second)
	return d/2 + rand.N(d/2+1)
}

// request is one platform call.
type request struct {
	method string
	path   string // under the platform URL, with its query
	body   any    // marshalled as JSON unless []byte
	ctype  string // Content-Type for a body; "" means application/json
	accept string // "" means application/json
	header map[string]string
	// idempotent calls are retried on 500 too; a create (non-idempotent) is retried only
	// after lookup says it did not happen.
	idempotent bool
	lookup     func(ctx context.Context) (id string, found bool, err error)
}

// response is a successful answer.
type response struct {
	// existing is the id a create's lookup found after an uncertain failure; body is then empty.
	existing string
	status   int
	header   http.Header
	body     []byte
}

// do sends r with the four headers, retrying what may be retried, and returns a 2xx answer
// or an *Error.
func (c *Client) do(ctx context.Context, r request) (*response, error) {
	op := r.method + " " + opPath(r.path)
	var payload []byte
	if r.body != nil {
		switch b := r.body.(type) {
		case []byte:
			payload = b
		case json.RawMessage:
			payload = b
		default:
			var err error
			if payload, err = json.Marshal(b); err != nil {
				return nil, fmt.Errorf("platform: %s: encode body: %w", op, err)
			}
		}
	}
	refreshed := false
	for attempt := 0; ; attempt++ {
		tok, err := c.Token(ctx)
		if err != nil {
			return nil, err
		}
		var body io.Reader
		if payload != nil {
			body = bytes.NewReader(payload)
		}
		req, err := http.NewRequestWithContext(ctx, r.method, c.platformURL+r.path, body)
		if err != nil {
			return nil, fmt.Errorf("platform: %s: %w", op, err)
		}
		h := req.Header
		h.Set("Authorization", "Bearer "+tok.Value.Reveal())
		h.Set("x-api-key", c.cfg.ClientID)
		h.Set("x-gw-ims-org-id", c.cfg.OrgID)
		h.Set("x-sandbox-name", c.cfg.sandbox())
		h.Set("Accept", cmpStr(r.accept, "application/json"))
		if payload != nil {
			h.Set("Content-Type", cmpStr(r.ctype, "application/json"))
		}
		for k, v := range r.header {
			h.Set(k, v)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// A connection failure on a create may or may not have created it: ask first,
			// and without a way to ask, do not repeat it.
			if !r.idempotent && r.lookup == nil {
				return nil, fmt.Errorf("platform: %s: %w", op, c.scrubErr(tok.Value, stripURL(err)))
			}
			if r.lookup != nil {
				if id, found, lerr := r.lookup(ctx); lerr == nil && found {
					return &response{status: http.StatusOK, existing: id}, nil
				}
			}
			if !c.wait(ctx, attempt+1, "") {
				return nil, fmt.Errorf("platform: %s: %w", op, c.scrubErr(tok.Value, stripURL(err)))
			}
			continue
		}
		rb, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		resp.Body.Close()
		if rerr != nil {
			return nil, fmt.Errorf("platform: %s: read response: %w", op, rerr)
		}
		if resp.StatusCode/100 == 2 {
			return &response{status: resp.StatusCode, header: resp.Header, body: rb}, nil
		}
		e := parseError(op, resp.StatusCode, rb)
		sc := c.scrubber(tok.Value)
		e.Code, e.Message = sc.String(e.Code), sc.String(e.Message)
		if resp.StatusCode == http.StatusUnauthorized && !refreshed && c.cfg.AccessToken.IsZero() {
			// The token was refused (expired early, or the emulator restarted): get a new one once.
			refreshed = true
			c.dropToken(tok.Value.Reveal())
			continue
		}
		if !retryable(resp.StatusCode, r.idempotent || r.lookup != nil) {
			return nil, e
		}
		if !r.idempotent && r.lookup == nil && resp.StatusCode != http.StatusTooManyRequests {
			// A create (or a new mapping version) that cannot be looked up may have happened:
			// never repeat it blindly.
			// (429 means it was refused, so it is safe to send again.)
			return nil, e
		}
		if r.lookup != nil && resp.StatusCode != http.StatusTooManyRequests {
			if id, found, lerr := r.lookup(ctx); lerr == nil && found {
				return &response{status: http.StatusOK, existing: id}, nil
			}
		}
		if !c.wait(ctx, attempt+1, resp.Header.Get("Retry-After")) {
			return nil, e
		}
	}
}

// opPath is the path without its query, for error messages.
func opPath(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}

// stripURL drops the query from a *url.Error so that it cannot carry anything sensitive.
func stripURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, opPath(ue.URL), ue.Err)
	}
	return err
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (c *Client) getJSON(ctx context.Context, path string, v any) error {
	resp, err := c.do(ctx, request{method: http.MethodGet, path: path, idempotent: true})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(resp.body, v); err != nil {
		return fmt.Errorf("platform: GET %s: decode: %w", opPath(path), err)
	}
	return nil
}

// esc escapes one path segment.
func esc(s string) string { return url.PathEscape(s) }

// scrubber masks the credentials this client uses — the client secret, the client id (sent
// as x-api-key), a configured access token and tok, the IMS token of the call — in text
// taken from an answer, so an echoing endpoint cannot put them into an error.
func (c *Client) scrubber(tok secret.Secret) *scrub.Scrubber {
	ss := []string{c.cfg.ClientSecret.Reveal(), c.cfg.ClientID, c.cfg.AccessToken.Reveal()}
	if !tok.IsZero() {
		ss = append(ss, tok.Reveal(), "Bearer "+tok.Reveal())
	}
	return scrub.New(ss...)
}

// scrubErr returns err with its text scrubbed by c.scrubber(tok); errors.Is and errors.As
// still see err.
func (c *Client) scrubErr(tok secret.Secret, err error) error {
	sc := c.scrubber(tok)
	if sc == nil || err == nil {
		return err
	}
	return &scrubbedError{text: sc.String(err.Error()), err: err}
}

type scrubbedError struct {
	text string
	err  error
}

func (e *scrubbedError) Error() string { return e.text }
func (e *scrubbedError) Unwrap() error { return e.err }

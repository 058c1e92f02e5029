// Package emulator is a local stand-in for AEP's streaming Data Collection Service (DCS): the
// same URL forms, status codes and bodies (reference aep-streaming.md §1–2), a mapping step
// and validation for raw posts that sorts what it receives into good and bad records with
// reasons, an inspection API on the same port, and seeded fault injection. It is what
// `ciosim send` fires at by default and what `ciosim serve` runs.
//
// It does not import the xdm package: a [Mapper] is injected by the caller.
package emulator

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ciosim/ciosim/internal/httpserve"
	"github.com/ciosim/ciosim/secret"
)

// Mapper turns a raw (Customer.io) body into the record AEP would store, the way the
// dataflow's Data Prep mapping set does, and validates it. reasons lists why the record is
// bad (empty when good); err means the body could not be mapped at all.
type Mapper interface {
	Map(body []byte) (record []byte, reasons []string, err error)
}

// MapperFunc adapts a function to [Mapper].
type MapperFunc func(body []byte) ([]byte, []string, error)

// Map calls f.
func (f MapperFunc) Map(body []byte) ([]byte, []string, error) { return f(body) }

// DefaultInletID is the inlet the emulator advertises; any 64-hex inlet id is accepted.
const DefaultInletID = "c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0"

// DefaultFlowID is the dataflow id the emulator advertises for raw posts.
const DefaultFlowID = "c105e000-0000-4000-8000-000000000001"

// DefaultOrgID is the IMS org the emulator reports in error messages.
const DefaultOrgID = "C105117E0000000000000000@AdobeOrg"

// DefaultMaxRecordBytes is the default bound on the bytes of kept records (256 MiB).
const DefaultMaxRecordBytes = 256 << 20

// SyncValidationPerMinute is AEP's sync-validation rate limit per connection (§2.5).
const SyncValidationPerMinute = 60

// MaxBodyBytes is the request size above which the emulator answers 413, like AEP.
const MaxBodyBytes = 1 << 20

// Options configures a [Server]. The zero value is an unauthenticated inlet with no faults
// that classifies raw posts with the customerio catalog.
type Options struct {
	// RequireAuth makes the inlet authenticated: requests without a bearer token get 401.
	RequireAuth bool
	// Token, when set with RequireAuth, is the only bearer token accepted (others get 403).
	Token secret.Secret
	// Mapper maps raw posts; nil classifies them with customerio.Parse and Validate.
	Mapper Mapper
	// Validator checks XDM entities whose schema no flow names (the built-in class rules,
	// injected by the caller from the xdm package); nil checks only the envelope.
	Validator Validator
	// Flows resolves dataflow ids (and, if it is also a [SchemaSource], schemas and
	// datasets) to the flow's mapping, schema, dataset and org; nil, or an unknown flow id,
	// keeps the defaults above.
	Flows FlowSource
	// Faults are injected into the collection endpoints (never the inspection API).
	Faults Faults
	// MaxRecords bounds the records kept for inspection (oldest dropped first; counts are
	// kept in full); 0 means 100 000.
	MaxRecords int
	// MaxRecordBytes bounds the bytes the kept records hold (bodies, mapped records and
	// reasons; oldest dropped first and counted); 0 means DefaultMaxRecordBytes.
	MaxRecordBytes int64
	// NoSyncLimit lifts AEP's limit of SyncValidationPerMinute sync-validation requests per
	// minute per inlet (on by default: the 61st request in a minute gets 429).
	NoSyncLimit bool
	// ClassRulesForUnknownSchemas validates an XDM message whose schemaRef names a schema
	// the flows do not know with the built-in class rules (Validator) instead of refusing it
	// with 400 "Message has unknown xdm format" as DCS does (S3: the schema must exist). It
	// matters only when the flows know at least one schema: with none, nothing can be
	// called unknown and the class rules apply.
	ClassRulesForUnknownSchemas bool
	// NoSyncValidation answers sync-validation requests with 501, as AEP does where the
	// endpoint is outside the data center that supports it (the "region mode").
	NoSyncValidation bool
	// AllowIPs, when not empty, is the IP allow-list of the collection endpoints: a client
	// address outside every prefix gets 403 with an empty body (the inspection API stays open).
	AllowIPs []netip.Prefix
	// HTTP bounds the listener started by [Server.Start]; the zero value is httpserve's defaults.
	HTTP httpserve.Config
	// OrgID appears in error messages; "" means DefaultOrgID.
	OrgID string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnRecord, when set, is called with each record kept (good or bad), after it is
	// stored, for metrics; it must not block.
	OnRecord func(Record)
}

// Server is the emulator, an http.Handler. Create it with [New].
type Server struct {
	o     Options
	dice  *dice
	now   func() time.Time
	seq   atomic.Int64
	done  chan struct{}
	close sync.Once

	mu        sync.Mutex
	store     *store
	counts    Counts
	syncLimit map[string]*window // per inlet, under mu
}

// New returns an emulator; it checks the fault configuration.
func New(o Options) (*Server, error) {
	if err := o.Faults.Validate(); err != nil {
		return nil, err
	}
	if o.MaxRecords <= 0 {
		o.MaxRecords = 100_000
	}
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if o.OrgID == "" {
		o.OrgID = DefaultOrgID
	}
	if o.Faults.TimeoutHold <= 0 {
		o.Faults.TimeoutHold = 30 * time.Second
	}
	s := &Server{o: o, dice: newDice(o.Faults), now: o.Now, done: make(chan struct{}),
		store: newStore(), syncLimit: map[string]*window{}}
	if s.now == nil {
		s.now = time.Now
	}
	s.counts = newCounts()
	return s, nil
}

var (
	collectionPath = regexp.MustCompile(`^/collection/(batch/)?([^/]+)$`)
	inletID        = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Header is the response header by which the emulator identifies itself (value "1") on
// every answer, so a client can tell it from AEP without changing a body AEP defines: a
// delivery that saw it asks the emulator for its verdicts (GET or POST /emulator/verdicts).
// AEP never sends it, so nothing else is ever asked.
const Header = "X-Ciosim-Emulator"

// ServeHTTP routes collection requests and the inspection API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(Header, "1")
	if strings.HasPrefix(r.URL.Path, InspectPrefix) {
		s.inspect(w, r)
		return
	}
	m := collectionPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		writeJSON(w, http.StatusNotFound, problem(http.StatusNotFound, "Not Found",
			fmt.Sprintf("no such endpoint %s (want /collection/{inletId}, /collection/batch/{inletId} or %s)", r.URL.Path, InspectPrefix)))
		return
	}
	batch, inlet := m[1] != "", m[2]
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, problem(http.StatusMethodNotAllowed, "Method Not Allowed", "use POST"))
		return
	}
	if !inletID.MatchString(inlet) {
		s.respond(w, http.StatusNotFound, problem(http.StatusNotFound, "Inlet Not Found",
			fmt.Sprintf("inletId: [%s] is not a 64-character lowercase hex inlet id", inlet)))
		return
	}
	if len(s.o.AllowIPs) > 0 && !s.allowed(r) {
		// AEP's IP allow-listing answers 403 with an empty body (S10).
		s.count(func(c *Counts) { c.Responses[http.StatusForbidden]++ })
		w.WriteHeader(http.StatusForbidden)
		return
	}
	if s.o.RequireAuth {
		if code, body := s.checkAuth(r); code != 0 {
			s.respond(w, code, body)
			return
		}
	}
	body, code, errBody := s.readBody(r, inlet)
	if code != 0 {
		s.respond(w, code, errBody)
		return
	}
	ft := s.dice.roll()
	if ft.delay > 0 && !s.wait(r.Context(), ft.delay) {
		return
	}
	switch {
	case ft.timeout:
		s.count(func(c *Counts) { c.Faults.Timeouts++ })
		if s.wait(r.Context(), s.o.Faults.TimeoutHold) {
			s.respond(w, http.StatusGatewayTimeout, problem(http.StatusGatewayTimeout, "Gateway Timeout", "injected timeout"))
		}
		return
	case ft.reset:
		s.count(func(c *Counts) { c.Faults.Resets++ })
		resetConn(w)
		return
	case ft.status != 0:
		s.count(func(c *Counts) { c.Faults.Statuses[ft.status]++ })
		if ra := s.o.Faults.RetryAfter; ra > 0 && (ft.status == http.StatusTooManyRequests || ft.status == http.StatusServiceUnavailable) {
			w.Header().Set("Retry-After", strconv.FormatInt(int64((ra+time.Second-1)/time.Second), 10))
		}
		s.respond(w, ft.status, problem(ft.status, http.StatusText(ft.status), "injected fault"))
		return
	}
	if batch {
		s.collectBatch(w, r, inlet, body)
		return
	}
	s.collectOne(w, r, inlet, body)
}

// wait sleeps d unless the request or the server ends first; it reports whether d passed.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.done:
		return false
	}
}

// Close releases requests held by injected timeouts. It does not close listeners.
func (s *Server) Close() { s.close.Do(func() { close(s.done) }) }

// bearerToken reads the Authorization header the way DCS does: the scheme is
// case-insensitive ("bearer x" works) and, per the legacy inlet doc, the token alone is
// accepted too. ok is false when no token is there ("Bearer" alone, or no header).
func bearerToken(h string) (string, bool) {
	f := strings.Fields(h)
	switch {
	case len(f) == 0:
		return "", false
	case strings.EqualFold(f[0], "bearer"):
		if len(f) != 2 {
			return "", false
		}
		return f[1], true
	case len(f) == 1:
		return f[0], true
	}
	return "", false
}

func (s *Server) checkAuth(r *http.Request) (int, any) {
	tok, ok := bearerToken(r.Header.Get("Authorization"))
	if !ok {
		// AEP's documented body: note the string status.
		return http.StatusUnauthorized, map[string]any{
			"type":   "https://ns.adobe.com/adobecloud/problem/data-collection-service-authorization",
			"status": "401", "title": "Authorization",
			"report": map[string]any{"message": fmt.Sprintf("[%d] Ims service token is empty", s.seq.Add(1))},
		}
	}
	if !s.o.Token.IsZero() && subtle.ConstantTimeCompare([]byte(tok), s.o.Token.Bytes()) != 1 {
		return http.StatusForbidden, map[string]any{
			"type":   "https://ns.adobe.com/adobecloud/problem/data-collection-service-authorization",
			"status": "403", "title": "Authorization",
			"report": map[string]any{"message": "Ims service token is invalid or expired"},
		}
	}
	return 0, nil
}

// allowed reports whether the client's address is in the allow-list.
func (s *Server) allowed(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	for _, p := range s.o.AllowIPs {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// readBody reads the request body (gunzipping it when asked) and enforces the 1 MB limit.
func (s *Server) readBody(r *http.Request, inlet string) ([]byte, int, any) {
	var rd io.Reader = r.Body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return nil, http.StatusBadRequest, problem(http.StatusBadRequest, "Bad Request", "Content-Encoding gzip: the body is not gzip")
		}
		defer zr.Close()
		rd = zr
	}
	body, err := io.ReadAll(io.LimitReader(rd, MaxBodyBytes+1))
	if err != nil {
		return nil, http.StatusBadRequest, problem(http.StatusBadRequest, "Bad Request", "the request body could not be read")
	}
	if len(body) > MaxBodyBytes {
		return nil, http.StatusRequestEntityTooLarge, problem(http.StatusRequestEntityTooLarge, "Request Entity Too Large",
			fmt.Sprintf("inletId: [%s] request payload exceeds the 1 MB limit", inlet))
	}
	return body, 0, nil
}

// respond writes a JSON answer and counts it.
func (s *Server) respond(w http.ResponseWriter, code int, body any) {
	s.count(func(c *Counts) { c.Responses[code]++ })
	writeJSON(w, code, body)
}

func (s *Server) count(f func(*Counts)) {
	s.mu.Lock()
	f(&s.counts)
	s.mu.Unlock()
}

func writeJSON(w http.ResponseWriter, code int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		code, b = http.StatusInternalServerError, []byte(`{"title":"encode response"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	w.Write(append(b, '\n'))
}

// problem is AEP's error body shape.
func problem(code int, title, msg string) map[string]any {
	return map[string]any{
		"type":   "http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet",
		"status": code, "title": title,
		"report": map[string]any{"message": msg},
	}
}

// resetConn closes the connection abruptly (TCP RST where possible).
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	raw := conn
	if u, ok := conn.(interface{ Unwrap() net.Conn }); ok {
		raw = u.Unwrap() // under httpserve's connection cap
	}
	if tc, ok := raw.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// xaction returns a new transaction id shaped like AEP's ("1584479347507:2153:240").
func (s *Server) xaction(now time.Time) (string, int64) {
	n := s.seq.Add(1)
	return fmt.Sprintf("%d:%d:%d", now.UnixMilli(), n%10000, n), n
}

// Start listens on addr (such as "127.0.0.1:0") and serves in the background.
func (s *Server) Start(addr string) (*Running, error) {
	hc := s.o.HTTP
	if hc.WriteTimeout <= 0 {
		// an injected timeout holds a request for TimeoutHold, then answers 504
		hc.WriteTimeout = max(httpserve.DefaultWriteTimeout, s.o.Faults.TimeoutHold+30*time.Second)
	}
	ln, err := httpserve.Listen(addr, hc)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	hs := httpserve.Server(s, hc)
	run := &Running{URL: "http://" + ln.Addr().String(), srv: hs, s: s, errc: httpserve.Serve(hs, ln)}
	return run, nil
}

// Running is a started emulator.
type Running struct {
	// URL is the base URL, such as http://127.0.0.1:4242.
	URL  string
	srv  *http.Server
	s    *Server
	errc <-chan error
}

// InletURL is the URL to post to: URL/collection/DefaultInletID.
func (r *Running) InletURL() string { return r.URL + "/collection/" + DefaultInletID }

// Close stops the server, releasing held requests.
func (r *Running) Close() error {
	r.s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := r.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = r.srv.Close()
	}
	if serr := <-r.errc; serr != nil {
		return serr
	}
	return err
}

var (
	_ http.Handler = (*Server)(nil)
	_ Mapper       = MapperFunc(nil)
)

// trimmed returns b without surrounding white space.
func trimmed(b []byte) []byte { return bytes.TrimSpace(b) }

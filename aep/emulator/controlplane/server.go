// Package controlplane is the emulator's AEP control plane: the IMS token endpoint, Flow
// Service, Data Prep, Schema Registry, Catalog and Data Access failed-record downloads, with
// AEP's bodies, codes and etag rules (reference aep-control-plane.md §9), state per sandbox
// (optionally persisted to a file), and a [emulator.FlowSource] so that each dataflow's inlet
// maps what it receives with that flow's current mapping set and schema. It is an
// http.Handler mounted beside the DCS emulator on the same port.
//
// It does not import the xdm package: a [Compile] function is injected by the wiring layer.
package controlplane

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/internal/httpserve"
	"github.com/ciosim/ciosim/secret"
)

// Compile turns a mapping set (AEP's JSON) and a schema (a JSON Schema, or nil when the flow
// has none) into the mapper and validator an inlet uses. It is injected by the wiring layer
// (which has the xdm package); a nil Compile leaves every flow on the DCS emulator's default
// mapping.
type Compile func(mappingJSON, schemaJSON []byte) (emulator.Mapper, emulator.Validator, error)

// Options configure a [Server].
type Options struct {
	// ClientID and ClientSecret, when set, are the only credentials the IMS endpoint
	// accepts; unset, any client id and secret get a token.
	ClientID     string
	ClientSecret secret.Secret
	// TenantID is the Schema Registry tenant (no underscore); "" means "ciosim".
	TenantID string
	// Compile builds each flow's mapper and validator.
	Compile Compile
	// StateFile, when set, is loaded at start and rewritten after every change.
	StateFile string
	// MaxFailedRecords bounds the failed records kept per run (counts stay complete); 0 means 100.
	MaxFailedRecords int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Static are flows given another way (serve --flow); the control plane's own flows,
	// schemas and datasets come first, then these.
	Static emulator.FlowSource
}

// Server is the control plane. Create it with [New].
type Server struct {
	o   Options
	now func() time.Time

	mu     sync.Mutex
	st     *state
	tokens map[string]string // access token → client id (never persisted)
	cache  map[string]compiled
}

type compiled struct {
	m   emulator.Mapper
	v   emulator.Validator
	err error
}

// New builds a control plane, loading o.StateFile when it exists.
func New(o Options) (*Server, error) {
	if o.TenantID == "" {
		o.TenantID = "ciosim"
	}
	if !regexp.MustCompile(`^[a-z][a-z0-9]*$`).MatchString(o.TenantID) {
		return nil, fmt.Errorf("controlplane: tenant id %q: want lowercase letters and digits, without the underscore", o.TenantID)
	}
	if o.MaxFailedRecords <= 0 {
		o.MaxFailedRecords = 100
	}
	s := &Server{o: o, now: o.Now, st: newState(), tokens: map[string]string{}, cache: map[string]compiled{}}
	if s.now == nil {
		s.now = time.Now
	}
	if o.StateFile != "" {
		b, err := os.ReadFile(o.StateFile)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("controlplane: state: %w", err)
		default:
			st, err := decodeState(b)
			if err != nil {
				return nil, fmt.Errorf("controlplane: state %s: %w", o.StateFile, err)
			}
			s.st = st
		}
	}
	return s, nil
}

// Handles reports whether path belongs to the control plane (IMS or platform APIs) rather
// than the DCS inlets.
func Handles(path string) bool {
	return strings.HasPrefix(path, "/ims/") || strings.HasPrefix(path, "/data/")
}

// Mount returns a handler that sends control-plane paths to cp and everything else to dcs.
func Mount(dcs, cp http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if Handles(r.URL.Path) {
			cp.ServeHTTP(w, r)
			return
		}
		dcs.ServeHTTP(w, r)
	})
}

// ServeHTTP answers IMS and platform calls.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/ims/token/") {
		s.token(w, r)
		return
	}
	sb, ok := s.authorize(w, r)
	if !ok {
		return
	}
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	c := &call{s: s, w: w, r: r, sb: sb, body: body}
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, flowPrefix):
		s.flowService(c, strings.TrimPrefix(p, flowPrefix))
	case strings.HasPrefix(p, prepPrefix):
		s.dataPrep(c, strings.TrimPrefix(p, prepPrefix))
	case strings.HasPrefix(p, schemaPrefix):
		s.schemaRegistry(c, strings.TrimPrefix(p, schemaPrefix))
	case strings.HasPrefix(p, catalogPrefix):
		s.catalog(c, strings.TrimPrefix(p, catalogPrefix))
	case strings.HasPrefix(p, exportPrefix):
		s.export(c, strings.TrimPrefix(p, exportPrefix))
	default:
		writeJSON(w, http.StatusNotFound, map[string]any{"error_code": "404010", "message": "Resource not found: " + p})
	}
}

const (
	flowPrefix    = "/data/foundation/flowservice/"
	prepPrefix    = "/data/foundation/conversion/"
	schemaPrefix  = "/data/foundation/schemaregistry/"
	catalogPrefix = "/data/foundation/catalog/"
	exportPrefix  = "/data/foundation/export/"
)

// call is one platform request in progress.
type call struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	sb   string
	body []byte
}

var sandboxName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// authorize checks the four headers in the gateway's order with its bodies (reference §1.6)
// and returns the sandbox name.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	tok, bearer := strings.CutPrefix(h, "Bearer ")
	tok = strings.TrimSpace(tok)
	if h == "" || !bearer || tok == "" {
		writeJSON(w, http.StatusForbidden, map[string]any{"error_code": "403010", "message": "Oauth token is missing."})
		return "", false
	}
	s.mu.Lock()
	client, known := s.tokens[tok]
	s.mu.Unlock()
	if !known {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error_code": "401013", "message": "Oauth token is not valid"})
		return "", false
	}
	key := r.Header.Get("x-api-key")
	switch {
	case key == "":
		writeJSON(w, http.StatusForbidden, map[string]any{"error_code": "403000", "message": "Api Key is required"})
		return "", false
	case key != client:
		writeJSON(w, http.StatusForbidden, map[string]any{"error_code": "403003", "message": "Api Key is invalid"})
		return "", false
	}
	org := r.Header.Get("x-gw-ims-org-id")
	if org == "" {
		writeJSON(w, http.StatusBadRequest, map[string]any{"error_code": "400003", "message": "Missing header"})
		return "", false
	}
	if !strings.HasSuffix(org, "@AdobeOrg") {
		writeJSON(w, http.StatusForbidden, map[string]any{"error_code": "403027", "message": "User region is missing"})
		return "", false
	}
	sb := r.Header.Get("x-sandbox-name")
	if sb == "" {
		flowError(w, http.StatusBadRequest, "2105-400", "x-sandbox-name is missing", "", "")
		return "", false
	}
	if !sandboxName.MatchString(sb) {
		flowError(w, http.StatusNotFound, "2100-404", fmt.Sprintf("Sandbox %s is not found", sb), "", "")
		return "", false
	}
	return sb, true
}

// maxRequestBytes bounds a control-plane request body (schemas can be large).
const maxRequestBytes = 8 << 20

func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
	default:
		return nil, true
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	if err != nil || len(b) > maxRequestBytes {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"type": "/placeholder/type/uri", "status": 413, "title": "PayloadTooLarge", "detail": "request body larger than 8 MB"})
		return nil, false
	}
	// The gateway wants a JSON content type on writes that carry a body (reference §1.6);
	// aepp's action calls send none and no body.
	ct := r.Header.Get("Content-Type")
	if len(bytes.TrimSpace(b)) > 0 && !strings.Contains(ct, "json") {
		writeJSON(w, http.StatusBadRequest, map[string]any{"type": "/placeholder/type/uri", "status": 400, "title": "BadRequestError", "detail": "A valid content-type must be specified"})
		return nil, false
	}
	return b, true
}

// flowError writes Flow Service's error body (reference §2.10).
func flowError(w http.ResponseWriter, status int, code, msg, id, typ string) {
	report := map[string]any{"detailed-message": msg, "request-id": newHex(16)}
	if id != "" {
		report["id"] = id
		report["type"] = typ
	}
	title := http.StatusText(status)
	if status == http.StatusNotFound {
		title = "Resource not found"
	}
	writeJSON(w, status, map[string]any{
		"type": "https://ns.adobe.com/aep/errors/FLOW-" + code, "title": title, "status": status,
		"report": report, "errorMessage": msg, "errorDetails": msg,
	})
}

// xdmError writes the Schema Registry's error body (reference §4.4).
func xdmError(w http.ResponseWriter, status int, code, title, msg string) {
	writeJSON(w, status, map[string]any{
		"type": "http://ns.adobe.com/aep/errors/XDM-" + code, "title": title, "status": status,
		"report": map[string]any{"registryRequestId": newHex(16), "timestamp": time.Now().UTC().Format("01-02-2006 15:04:05"),
			"detailed-message": msg, "sub-errors": []any{}},
		"detail": msg,
	})
}

// plainError is for Data Prep and Catalog, whose error bodies AEP does not document
// (reference §3, §5): an RFC 7807-like body without an AEP code.
func plainError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"title": http.StatusText(status), "status": status, "detail": msg})
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

func newHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func newUUID() string {
	h := newHex(16)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}

// newETag is shaped like AEP's, quotes included: "af00a717-0000-0200-0000-63ef2cbd0000".
func newETag(now time.Time) string {
	return fmt.Sprintf(`"%s-0000-0200-0000-%08x0000"`, newHex(4), uint32(now.Unix()))
}

// baseURL is the scheme and host the request came to, for links such as inletUrl.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// save writes the state file (atomically) when one is configured. Called with s.mu held.
func (s *Server) save() error {
	if s.o.StateFile == "" {
		return nil
	}
	b, err := json.MarshalIndent(s.st, "", " ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.o.StateFile)
	f, err := os.CreateTemp(dir, ".ciosim-state-*")
	if err != nil {
		return fmt.Errorf("controlplane: save state: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("controlplane: save state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("controlplane: save state: %w", err)
	}
	return os.Rename(f.Name(), s.o.StateFile)
}

// Save writes the state file now (runs and their counts are otherwise written only with the
// next change); serve calls it at shutdown.
func (s *Server) Save() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.save()
}

// Running is a DCS emulator and control plane served together on one port.
type Running struct {
	URL  string // such as http://127.0.0.1:8788
	srv  *http.Server
	dcs  *emulator.Server
	cp   *Server
	errc <-chan error
	once sync.Once
	err  error
}

// Start serves dcs and cp together on addr (such as "127.0.0.1:0"), bounded by hc (the
// zero value is httpserve's defaults; give WriteTimeout above any injected timeout hold).
func Start(addr string, hc httpserve.Config, dcs *emulator.Server, cp *Server) (*Running, error) {
	ln, err := httpserve.Listen(addr, hc)
	if err != nil {
		return nil, fmt.Errorf("controlplane: %w", err)
	}
	hs := httpserve.Server(Mount(dcs, cp), hc)
	return &Running{URL: "http://" + ln.Addr().String(), srv: hs, dcs: dcs, cp: cp, errc: httpserve.Serve(hs, ln)}, nil
}

// Close stops serving and saves the control plane's state. Calling it again does nothing.
func (r *Running) Close() error {
	r.once.Do(func() { r.err = r.close() })
	return r.err
}

func (r *Running) close() error {
	r.dcs.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := r.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = r.srv.Close()
	}
	if serr := <-r.errc; serr != nil {
		err = serr
	}
	if serr := r.cp.Save(); err == nil {
		err = serr
	}
	return err
}

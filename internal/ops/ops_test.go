package ops_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/internal/ops"
	"github.com/ciosim/ciosim/internal/ops/opstest"
)

func servedSerial(t *testing.T, addr string) int64 {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true}) // the test inspects the served cert
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

func TestServe_TLSReloadHealthAndDrain(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := opstest.WriteCert(t, dir, 1)
	cert, err := ops.LoadCert(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	release := make(chan struct{})
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			<-release
		}
		io.WriteString(w, "app "+r.Method+" "+r.URL.Path)
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := func() error { return nil }
	go func() {
		done <- ops.Serve(ctx, ln, ops.Handler(app, ops.NewRegistry(), ready), ops.ServeOptions{Cert: cert, DrainTimeout: 10 * time.Second})
	}()
	addr := ln.Addr().String()
	if s := servedSerial(t, addr); s != 1 {
		t.Fatalf("serial = %d, want 1", s)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	get := func(method, path string) (int, string) {
		req, _ := http.NewRequest(method, "https://"+addr+path, nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/healthz", "ok\n"}, {"GET", "/readyz", "ready\n"}, {"POST", "/healthz", "app POST /healthz"},
		{"GET", "/other", "app GET /other"},
	} {
		if code, body := get(c.method, c.path); code != 200 || body != c.want {
			t.Errorf("%s %s = %d %q, want %q", c.method, c.path, code, body, c.want)
		}
	}
	if code, body := get("GET", "/metrics"); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics = %d, no runtime metrics", code)
	}

	// A renewed certificate is served after Reload; a broken one keeps the current.
	opstest.WriteCert(t, dir, 2)
	if err := cert.Reload(); err != nil {
		t.Fatal(err)
	}
	if s := servedSerial(t, addr); s != 2 {
		t.Fatalf("serial after reload = %d, want 2", s)
	}
	os.WriteFile(certFile, []byte("garbage"), 0o600)
	if err := cert.Reload(); err == nil {
		t.Fatal("reloading a broken certificate succeeded")
	}
	if s := servedSerial(t, addr); s != 2 {
		t.Fatalf("serial after a failed reload = %d, want 2", s)
	}

	// Drain: a request in flight when ctx ends is answered; new connections are refused.
	slow := make(chan string, 1)
	go func() { _, body := get("GET", "/slow"); slow <- body }()
	<-started
	cancel()
	time.Sleep(100 * time.Millisecond)
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("a new connection was accepted while draining")
	}
	close(release)
	if body := <-slow; body != "app GET /slow" {
		t.Errorf("in-flight request answered %q", body)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve after a clean drain = %v, want nil", err)
	}
}

func TestHandler_notReady(t *testing.T) {
	h := ops.Handler(http.NotFoundHandler(), nil, func() error { return io.ErrClosedPipe })
	req, _ := http.NewRequest("GET", "/readyz", nil)
	rec := &recorder{h: http.Header{}}
	h.ServeHTTP(rec, req)
	if rec.code != 503 || !strings.Contains(rec.body.String(), "not ready") {
		t.Errorf("/readyz = %d %q", rec.code, rec.body.String())
	}
}

type recorder struct {
	h    http.Header
	code int
	body bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.h }
func (r *recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = 200
	}
	return r.body.Write(b)
}
func (r *recorder) WriteHeader(c int) { r.code = c }

func TestNewLogger(t *testing.T) {
	var b bytes.Buffer
	log, err := ops.NewLogger(&b, "json", "warn")
	if err != nil {
		t.Fatal(err)
	}
	log.Info("hidden")
	log.Warn("shown", "k", 1)
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil || m["msg"] != "shown" || m["level"] != "WARN" {
		t.Errorf("json log = %q (%v)", b.String(), err)
	}
	for _, bad := range [][2]string{{"xml", "info"}, {"json", "loud"}} {
		if _, err := ops.NewLogger(&b, bad[0], bad[1]); err == nil {
			t.Errorf("NewLogger(%q, %q) succeeded", bad[0], bad[1])
		}
	}
}

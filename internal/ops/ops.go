// Package ops makes ciosim's servers (the recorder and the emulator) operable: TLS with a
// certificate reloaded on demand, /healthz and /readyz, Prometheus metrics on /metrics,
// slog loggers chosen by flag, and a serve loop that drains gracefully. It is wiring shared
// by cmd; domain packages do not import it.
package ops

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Paths served by [Handler] ahead of the application.
const (
	HealthPath  = "/healthz"
	ReadyPath   = "/readyz"
	MetricsPath = "/metrics"
)

// Handler serves GET and HEAD on /healthz (the process is up), /readyz (ready reports nil)
// and /metrics (reg in the Prometheus text format) and passes every other request,
// including a POST to those paths, to app. A nil reg serves no metrics; a nil ready is
// always ready.
func Handler(app http.Handler, reg *prometheus.Registry, ready func() error) http.Handler {
	var metrics http.Handler
	if reg != nil {
		metrics = promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			app.ServeHTTP(w, r)
			return
		}
		switch r.URL.Path {
		case HealthPath:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, "ok\n")
		case ReadyPath:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			if ready != nil {
				if err := ready(); err != nil {
					w.WriteHeader(http.StatusServiceUnavailable)
					io.WriteString(w, "not ready: "+err.Error()+"\n")
					return
				}
			}
			io.WriteString(w, "ready\n")
		case MetricsPath:
			if metrics == nil {
				app.ServeHTTP(w, r)
				return
			}
			metrics.ServeHTTP(w, r)
		default:
			app.ServeHTTP(w, r)
		}
	})
}

// NewLogger returns a slog logger writing to w in format "json" or "text" at level
// "debug", "info", "warn" or "error".
func NewLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	o := &slog.HandlerOptions{Level: lv}
	switch strings.ToLower(format) {
	case "json":
		return slog.New(slog.NewJSONHandler(w, o)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, o)), nil
	}
	return nil, fmt.Errorf("log format %q: want json or text", format)
}

// Cert is a TLS certificate and key loaded from files that [Cert.Reload] loads again, so a
// renewed certificate is picked up without a restart (the recorder reloads on SIGHUP).
// Connections already open keep the certificate they were made with. It is safe for
// concurrent use.
type Cert struct {
	certFile, keyFile string
	mu                sync.RWMutex
	cert              *tls.Certificate
}

// LoadCert loads the PEM certificate chain and private key.
func LoadCert(certFile, keyFile string) (*Cert, error) {
	c := &Cert{certFile: certFile, keyFile: keyFile}
	if err := c.Reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// Reload loads the files again. On error the certificate in use stays.
func (c *Cert) Reload() error {
	kp, err := tls.LoadX509KeyPair(c.certFile, c.keyFile)
	if err != nil {
		return fmt.Errorf("ops: load TLS certificate %s: %w", c.certFile, err)
	}
	c.mu.Lock()
	c.cert = &kp
	c.mu.Unlock()
	return nil
}

// Config returns a TLS server configuration (TLS 1.2 and later) serving the current
// certificate.
func (c *Cert) Config() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			c.mu.RLock()
			defer c.mu.RUnlock()
			return c.cert, nil
		}}
}

// ServeOptions configure [Serve]. The zero value serves plain HTTP and drains for 30 s.
type ServeOptions struct {
	// Cert, when set, serves HTTPS with it.
	Cert *Cert
	// DrainTimeout bounds how long Serve waits for requests in flight after ctx ends; 0
	// means 30 s. Requests still running then are cut off.
	DrainTimeout time.Duration
	// Logger is told when the server starts draining; nil discards.
	Logger *slog.Logger
	// Server, when set, is the http.Server to use (timeouts, connection state); its
	// Handler, TLSConfig and BaseContext are set by Serve.
	Server *http.Server
}

// Serve serves h on ln until ctx ends, then drains: it stops accepting, closes idle
// connections and waits (up to DrainTimeout) for every request in flight to finish, so a
// recorder answers each capture it already started. It returns nil after a clean drain.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, o ServeOptions) error {
	srv := o.Server
	if srv == nil {
		srv = &http.Server{ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	}
	srv.Handler = h
	if o.DrainTimeout <= 0 {
		o.DrainTimeout = 30 * time.Second
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	errc := make(chan error, 1)
	if o.Cert != nil {
		srv.TLSConfig = o.Cert.Config()
		go func() { errc <- srv.ServeTLS(ln, "", "") }() // GetCertificate serves the files
	} else {
		go func() { errc <- srv.Serve(ln) }()
	}
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("draining: no new connections; waiting for requests in flight", "timeout", o.DrainTimeout.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), o.DrainTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		srv.Close()
		return fmt.Errorf("drain: %w", err)
	}
	return nil
}

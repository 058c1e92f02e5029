package wiring

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/pflag"

	"github.com/ciosim/ciosim/bucket"
	"github.com/ciosim/ciosim/internal/ops"
	"github.com/ciosim/ciosim/recordings"
)

// ServerOptions are the flags every long-running server (record, serve) shares: TLS,
// structured logs and the drain on SIGTERM.
type ServerOptions struct {
	TLSCert      string
	TLSKey       string
	LogFormat    string
	LogLevel     string
	DrainTimeout time.Duration
}

func AddServerFlags(f *pflag.FlagSet, o *ServerOptions) {
	f.StringVar(&o.TLSCert, "tls-cert", "", "serve HTTPS with this PEM certificate chain (with --tls-key; reloaded on SIGHUP)")
	f.StringVar(&o.TLSKey, "tls-key", "", "PEM private key for --tls-cert")
	f.StringVar(&o.LogFormat, "log-format", "text", "structured log format on stderr: text or json")
	f.StringVar(&o.LogLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.DurationVar(&o.DrainTimeout, "drain-timeout", 30*time.Second, "on SIGTERM, how long to wait for requests in flight (and, with --store, for the last upload)")
}

// StoreOptions are record's object-storage flags.
type StoreOptions struct {
	URL          string
	Host         string
	SegmentBytes int64
	SegmentAge   time.Duration
	Gzip         bool
	// ReadyLag bounds the upload lag /readyz accepts.
	ReadyLag time.Duration
}

func AddStoreFlags(f *pflag.FlagSet, o *StoreOptions) {
	f.StringVar(&o.URL, "store", "", "ship captures to this bucket (s3://, gs://, azblob://, file://): --dir becomes the local spool, each closed segment is uploaded as PREFIX/YYYY/MM/DD/HOST-ULID.jsonl and deleted locally once the upload is confirmed")
	f.StringVar(&o.Host, "store-host", "", "replica name in object keys (default: the host name)")
	f.Int64Var(&o.SegmentBytes, "segment-size", bucket.DefaultSegmentBytes, "with --store: close and ship a segment at this many bytes")
	f.DurationVar(&o.SegmentAge, "segment-age", bucket.DefaultSegmentAge, "with --store: close and ship a segment this long after its first capture")
	f.BoolVar(&o.Gzip, "store-gzip", false, "with --store: gzip objects (.jsonl.gz)")
	f.DurationVar(&o.ReadyLag, "ready-upload-lag", DefaultReadyUploadLag, "with --store: /readyz answers 503 once the oldest closed segment has waited this long for its upload")
}

// serverRuntime is what a server command built from ServerOptions: its logger, metrics
// registry and optional certificate.
type serverRuntime struct {
	o    ServerOptions
	log  *slog.Logger
	reg  *prometheus.Registry
	cert *ops.Cert
}

func (a *Env) newServerRuntime(o ServerOptions) (*serverRuntime, error) {
	log, err := ops.NewLogger(a.Err, o.LogFormat, o.LogLevel)
	if err != nil {
		return nil, Usagef("%v", err)
	}
	rt := &serverRuntime{o: o, log: log, reg: ops.NewRegistry()}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return nil, Usagef("--tls-cert and --tls-key go together")
	}
	if o.TLSCert != "" {
		if rt.cert, err = ops.LoadCert(o.TLSCert, o.TLSKey); err != nil {
			return nil, Usagef("%v", err)
		}
	}
	if o.DrainTimeout <= 0 {
		return nil, Usagef("--drain-timeout must be positive")
	}
	return rt, nil
}

func (rt *serverRuntime) scheme() string {
	if rt.cert != nil {
		return "https"
	}
	return "http"
}

// serve serves h (with /healthz, /readyz and /metrics in front) on ln with srv (its
// timeouts; nil for ops' defaults) until ctx ends, reloading the certificate on SIGHUP,
// then drains.
func (rt *serverRuntime) serve(ctx context.Context, ln net.Listener, srv *http.Server, h http.Handler, ready func() error) error {
	if rt.cert != nil {
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-hup:
					if err := rt.cert.Reload(); err != nil {
						rt.log.Error("TLS certificate reload failed; keeping the current one", "err", err)
					} else {
						rt.log.Info("TLS certificate reloaded", "cert", rt.o.TLSCert)
					}
				}
			}
		}()
	}
	return ops.Serve(ctx, ln, ops.Handler(h, rt.reg, ready), ops.ServeOptions{Cert: rt.cert,
		DrainTimeout: rt.o.DrainTimeout, Logger: rt.log, Server: srv})
}

// terminated reports whether ctx was cancelled by SIGTERM (main's signal.NotifyContext
// names the signal in the cause): the orchestrator's stop, answered by a drain and exit 0,
// unlike an interrupt (130).
func terminated(ctx context.Context) bool {
	cause := context.Cause(ctx)
	return cause != nil && strings.HasPrefix(cause.Error(), syscall.SIGTERM.String()+" signal")
}

// exitAfterDrain is the result of a server whose context ended: exit 0 after a SIGTERM
// drain, the interruption otherwise.
func (a *Env) exitAfterDrain() error {
	if terminated(a.Ctx) {
		return &ExitError{Code: 0}
	}
	return a.Ctx.Err()
}

// captureStore is where record appends: the local store, or a spool in front of a bucket.
type captureStore struct {
	recordings.Appender
	spool *bucket.Spool
	close func(ctx context.Context) error
	where string
}

// openCaptureStore opens the local store in dir or, with --store, the spool in dir in
// front of the bucket.
func (a *Env) openCaptureStore(dir string, policy recordings.SyncPolicy, maxFile int64, so StoreOptions, log *slog.Logger) (*captureStore, error) {
	if so.URL == "" {
		st, err := recordings.OpenStore(dir, recordings.StoreOptions{MaxFileBytes: maxFile, Sync: policy})
		if err != nil {
			return nil, err
		}
		return &captureStore{Appender: st, where: dir, close: func(context.Context) error { return st.Close() }}, nil
	}
	if !bucket.IsURL(so.URL) {
		return nil, Usagef("--store %q: want a bucket URL (s3://, gs://, azblob://, file://)", so.URL)
	}
	if strings.HasPrefix(so.URL, "mem://") {
		return nil, Usagef("--store mem:// would lose every capture when the recorder exits")
	}
	if so.SegmentBytes <= 0 || so.SegmentAge <= 0 {
		return nil, Usagef("--segment-size and --segment-age must be positive")
	}
	host := so.Host
	if host == "" {
		h, err := os.Hostname()
		if err != nil {
			return nil, fmt.Errorf("--store-host not set and no host name: %w", err)
		}
		host = h
	}
	b, err := bucket.Open(a.Ctx, so.URL)
	if err != nil {
		return nil, err
	}
	sp, err := bucket.OpenSpool(a.Ctx, dir, b, bucket.SpoolOptions{Host: host, SegmentBytes: so.SegmentBytes,
		SegmentAge: so.SegmentAge, Gzip: so.Gzip, Sync: policy, Logger: log})
	if err != nil {
		b.Close()
		return nil, err
	}
	return &captureStore{Appender: sp, spool: sp, where: so.URL + " (spool " + dir + ")",
		close: func(ctx context.Context) error { return errors.Join(sp.Close(ctx), b.Close()) }}, nil
}

// spoolReadiness is the spool's stats and last upload error, for /readyz.
func (c *captureStore) spoolReadiness() (ops.SpoolStats, string) {
	return c.spoolStats(), c.spool.Stats().LastError
}

// spoolStats adapts the spool's stats for the metrics.
func (c *captureStore) spoolStats() ops.SpoolStats {
	st := c.spool.Stats()
	return ops.SpoolStats{Segments: st.Segments, Bytes: st.Bytes, OldestCapture: st.OldestCapture,
		OldestClosed: st.OldestClosed, Uploaded: st.Uploaded, UploadedBytes: st.UploadedBytes, UploadErrors: st.UploadErrors}
}

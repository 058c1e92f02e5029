package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/internal/httpserve"
	"github.com/ciosim/ciosim/internal/ops"
	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/secret"
)

// Default environment variable names for keys. Keys are read only from the environment or
// from files, never from flag values, and never printed.
const (
	defaultSigningKeyEnv = "CIOSIM_SIGNING_KEY"
	defaultRedactKeyEnv  = "CIOSIM_REDACT_KEY"
)

type recordOptions struct {
	Listen           string
	Dir              string
	SigningKeyEnv    string
	SigningKeyFile   string
	RequireSignature bool
	Tolerance        time.Duration
	Redact           bool
	RedactKeyEnv     string
	RedactKeyFile    string
	Forward          string
	ForwardFlowID    string
	MaxBody          int64
	MaxFileSize      int64
	Fsync            string
	JSON             bool
	Server           serverOptions // TLS, logs, drain (cmd/serverops.go)
	Store            storeOptions  // --store: object storage (cmd/serverops.go)
}

func newRecordCmd(a *app) *cobra.Command {
	o := recordOptions{}
	c := &cobra.Command{
		Use:   "record",
		Short: "Run the capturing receiver: verify, store and optionally forward Customer.io webhooks",
		Long: `record listens for Customer.io Reporting Webhook POSTs, checks X-CIO-Signature, and appends
each request byte-exactly to Recording JSONL files in --dir (rotated by size and by UTC day).
It answers 200 only after the capture is appended (and, with --fsync always, on disk).
One line per request is printed on stdout (--json for JSON lines).

The signing key is read from the environment variable named by --signing-key-env or from
--signing-key-file; it is never printed or written into recordings. Without a key, signatures
are recorded as "unchecked".`,
		Example: `  CIOSIM_SIGNING_KEY=... ciosim record --listen 127.0.0.1:8787 --dir recordings --require-signature
  ciosim record --redact --forward http://127.0.0.1:8788/collection/abc`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return a.runRecord(o) },
	}
	f := c.Flags()
	f.StringVar(&o.Listen, "listen", "127.0.0.1:8787", "address to listen on (host:port; port 0 picks a free port)")
	f.StringVar(&o.Dir, "dir", "recordings", "directory for the Recording JSONL files")
	f.StringVar(&o.SigningKeyEnv, "signing-key-env", defaultSigningKeyEnv, "environment variable holding the Reporting Webhook signing key")
	f.StringVar(&o.SigningKeyFile, "signing-key-file", "", "file holding the signing key (instead of the environment)")
	f.BoolVar(&o.RequireSignature, "require-signature", false, "answer 401 to invalid or absent signatures and do not record them")
	f.DurationVar(&o.Tolerance, "tolerance", customerio.DefaultTolerance, "allowed distance between X-CIO-Timestamp and now")
	f.BoolVar(&o.Redact, "redact", false, "replace personal data with keyed pseudonyms before storing (body re-serialised, signature dropped)")
	f.StringVar(&o.RedactKeyEnv, "redact-key-env", defaultRedactKeyEnv, "environment variable holding the redaction key")
	f.StringVar(&o.RedactKeyFile, "redact-key-file", "", "file holding the redaction key (instead of the environment)")
	f.StringVar(&o.Forward, "forward", "", "also relay each stored capture (raw bytes) to this inlet URL through the aep client (auth from AEP_ACCESS_TOKEN, AEP_API_KEY, AEP_IMS_ORG, AEP_SANDBOX_NAME)")
	f.StringVar(&o.ForwardFlowID, "forward-flow-id", "", "dataflow id for --forward, sent as ?x-adobe-flow-id=")
	f.Int64Var(&o.MaxBody, "max-body", recordings.DefaultMaxBodyBytes, "largest body accepted, in bytes (larger gets 413)")
	f.Int64Var(&o.MaxFileSize, "max-file-size", recordings.DefaultMaxFileBytes, "rotate to a new file at this size, in bytes")
	f.StringVar(&o.Fsync, "fsync", "always", "durability before answering 200: always (fsync, group commit) or never (OS page cache: survives a killed process, not a power loss)")
	f.BoolVar(&o.JSON, "json", false, "print one JSON object per request instead of a text line")
	addServerFlags(f, &o.Server)
	addStoreFlags(f, &o.Store)
	return c
}

// loadKey reads a key from file (when set) or from the environment variable env.
func (a *app) loadKey(env, file string) (secret.Secret, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return secret.Secret{}, fmt.Errorf("read key file: %w", err)
		}
		return secret.New(string(b)), nil
	}
	if env == "" {
		return secret.Secret{}, nil
	}
	return secret.New(a.getenv(env)), nil
}

func (a *app) runRecord(o recordOptions) (err error) {
	rt, err := a.newServerRuntime(o.Server)
	if err != nil {
		return err
	}
	var policy recordings.SyncPolicy
	switch o.Fsync {
	case "always":
		policy = recordings.SyncAlways
	case "never":
		policy = recordings.SyncNever
	default:
		return usageErrorf("--fsync %q: want always or never", o.Fsync)
	}
	key, err := a.loadKey(o.SigningKeyEnv, o.SigningKeyFile)
	if err != nil {
		return err
	}
	if o.RequireSignature && key.IsZero() {
		return usageErrorf("--require-signature needs a signing key: set $%s or --signing-key-file", o.SigningKeyEnv)
	}
	hopts := recordings.HandlerOptions{Key: key, RequireSignature: o.RequireSignature,
		Tolerance: o.Tolerance, MaxBodyBytes: o.MaxBody}
	if o.Redact {
		rkey, err := a.loadKey(o.RedactKeyEnv, o.RedactKeyFile)
		if err != nil {
			return err
		}
		if rkey.IsZero() {
			return usageErrorf("--redact needs a redaction key: set $%s or --redact-key-file", o.RedactKeyEnv)
		}
		red, err := recordings.NewRedactor(rkey)
		if err != nil {
			return usageErrorf("$%s or --redact-key-file: %v", o.RedactKeyEnv, err)
		}
		hopts.Redactor = red
	}
	store, err := a.openCaptureStore(o.Dir, policy, o.MaxFileSize, o.Store, rt.log)
	if err != nil {
		return err
	}
	defer func() {
		// After the drain: close the store; with --store, ship the open segment.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(a.ctx), o.Server.DrainTimeout)
		defer cancel()
		if cerr := store.close(ctx); cerr != nil {
			rt.log.Error("closing the store", "err", cerr)
			if ee := (*ExitError)(nil); errors.As(err, &ee) && ee.Code == ExitOK {
				err = cerr // a drain that could not ship is a failure
			} else {
				err = errors.Join(err, cerr)
			}
		}
	}()
	if err := probeWritable(o.Dir); err != nil {
		return err
	}

	var fwd *wiring.Forwarder
	if o.Forward != "" {
		c, err := a.newAEPClient(aepTarget{URL: o.Forward, Mode: aep.ModeRaw, FlowID: o.ForwardFlowID,
			Retries: 3, Timeout: 10 * time.Second})
		if err != nil {
			return err
		}
		fwd = wiring.NewForwarder(a.ctx, c, a.s.Err)
		defer fwd.Close()
	}
	src := ops.RecorderSources{}
	if store.spool != nil {
		src.Spool = store.spoolStats
	}
	if fwd != nil {
		src.ForwardQueue = fwd.Len
	}
	metrics := ops.NewRecorderMetrics(rt.reg, src)
	var outMu sync.Mutex
	counts := map[string]int{}
	refused := 0
	defer func() {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(a.s.Err, "ciosim: stored %d captures (%d valid, %d invalid, %d absent, %d unchecked), refused %d requests\n",
			counts[recordings.SignatureValid]+counts[recordings.SignatureInvalid]+counts[recordings.SignatureAbsent]+counts[recordings.SignatureUnchecked],
			counts[recordings.SignatureValid], counts[recordings.SignatureInvalid], counts[recordings.SignatureAbsent],
			counts[recordings.SignatureUnchecked], refused)
	}()
	hopts.OnResult = func(r recordings.Result) {
		metrics.Observe(r.Status, r.Capture.Signature, len(r.Capture.Body))
		outMu.Lock()
		a.printCapture(r, o.JSON)
		if r.Status == http.StatusOK {
			counts[r.Capture.Signature]++
		} else {
			refused++
		}
		outMu.Unlock()
		if fwd != nil && r.Status == http.StatusOK {
			fwd.Enqueue(r.Capture.Body)
		}
	}

	ln, err := httpserve.Listen(o.Listen, httpserve.Config{})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.s.Err, "ciosim: recording to %s, listening on %s://%s (signature key %s)\n",
		store.where, rt.scheme(), ln.Addr(), keyState(key))
	srv := httpserve.Server(nil, httpserve.Config{}) // ops.Serve sets the handler
	if err := rt.serve(a.ctx, ln, srv, recordings.NewHandler(store, hopts), nil); err != nil {
		return err
	}
	return a.exitAfterDrain()
}

func keyState(k secret.Secret) string {
	if k.IsZero() {
		return "not set: signatures unchecked"
	}
	return "set"
}

// probeWritable fails early when dir cannot take new files (for example read-only).
func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return fmt.Errorf("--dir %s is not writable: %w", dir, errors.Unwrap(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

type captureLine struct {
	Time       string `json:"time"`
	Status     int    `json:"status"`
	ObjectType string `json:"object_type,omitempty"`
	Metric     string `json:"metric,omitempty"`
	EventID    string `json:"event_id,omitempty"`
	Signature  string `json:"signature,omitempty"`
	Reason     string `json:"signature_reason,omitempty"`
	Redacted   bool   `json:"redacted,omitempty"`
	Bytes      int    `json:"bytes"`
	File       string `json:"file,omitempty"`
	Line       int    `json:"line,omitempty"`
	Error      string `json:"error,omitempty"`
}

func (a *app) printCapture(r recordings.Result, asJSON bool) {
	l := captureLine{Time: r.Capture.ReceivedAt.UTC().Format("15:04:05.000"), Status: r.Status,
		ObjectType: r.Event.ObjectType, Metric: r.Event.Metric, EventID: r.Event.EventID,
		Signature: r.Capture.Signature, Reason: r.Capture.SignatureReason, Redacted: r.Capture.Redacted, Bytes: len(r.Capture.Body),
		File: r.Stored.File, Line: r.Stored.Line}
	if r.Err != nil {
		l.Error = r.Err.Error()
	}
	if asJSON {
		b, _ := json.Marshal(l)
		a.s.Out.Write(append(b, '\n'))
		return
	}
	pair := "-"
	if l.ObjectType != "" || l.Metric != "" {
		pair = l.ObjectType + "/" + l.Metric
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %d %-24s %-9s %6dB", l.Time, l.Status, pair, orDash(l.Signature), l.Bytes)
	if l.Redacted {
		b.WriteString(" redacted")
	}
	if l.File != "" {
		fmt.Fprintf(&b, " %s:%d", filepath.Base(l.File), l.Line)
	}
	if l.Error != "" {
		b.WriteString(" refused: " + l.Error)
	} else if l.Signature == recordings.SignatureInvalid {
		b.WriteString(" (" + l.Reason + ")")
	}
	fmt.Fprintln(a.s.Out, b.String())
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

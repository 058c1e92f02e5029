package wiring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/internal/httpserve"
	"github.com/ciosim/ciosim/internal/ops"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/secret"
)

// RecordOptions are record's flags.
type RecordOptions struct {
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
	ForwardJournal   string
	NoForwardJournal bool
	MaxBody          int64
	MaxFileSize      int64
	Fsync            string
	JSON             bool
	Server           ServerOptions // TLS, logs, drain (serverops.go)
	Store            StoreOptions  // --store: object storage (serverops.go)
}

// LoadKey reads a key from file (when set) or from the environment variable env.
func (a *Env) LoadKey(env, file string) (secret.Secret, error) {
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
	return secret.New(a.Getenv(env)), nil
}

// Record runs 'ciosim record' until the context ends.
func Record(a *Env, o RecordOptions) (err error) {
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
		return Usagef("--fsync %q: want always or never", o.Fsync)
	}
	key, err := a.LoadKey(o.SigningKeyEnv, o.SigningKeyFile)
	if err != nil {
		return err
	}
	if o.RequireSignature && key.IsZero() {
		return Usagef("--require-signature needs a signing key: set $%s or --signing-key-file", o.SigningKeyEnv)
	}
	var redactKey secret.Secret
	hopts := recordings.HandlerOptions{Key: key, RequireSignature: o.RequireSignature,
		Tolerance: o.Tolerance, MaxBodyBytes: o.MaxBody}
	if o.Redact {
		rkey, err := a.LoadKey(o.RedactKeyEnv, o.RedactKeyFile)
		if err != nil {
			return err
		}
		redactKey = rkey
		if rkey.IsZero() {
			return Usagef("--redact needs a redaction key: set $%s or --redact-key-file", o.RedactKeyEnv)
		}
		red, err := recordings.NewRedactor(rkey)
		if err != nil {
			return Usagef("$%s or --redact-key-file: %v", o.RedactKeyEnv, err)
		}
		hopts.Redactor = red
	} else {
		fmt.Fprintf(a.Err, "ciosim: warning: captures are stored as received and may hold personal data; --redact stores pseudonyms (key in $%s)\n", o.RedactKeyEnv)
	}
	store, err := a.openCaptureStore(o.Dir, policy, o.MaxFileSize, o.Store, rt.log)
	if err != nil {
		return err
	}
	defer func() {
		// After the drain: close the store; with --store, ship the open segment.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(a.Ctx), o.Server.DrainTimeout)
		defer cancel()
		if cerr := store.close(ctx); cerr != nil {
			rt.log.Error("closing the store", "err", cerr)
			if ee := (*ExitError)(nil); errors.As(err, &ee) && ee.Code == 0 {
				err = cerr // a drain that could not ship is a failure
			} else {
				err = errors.Join(err, cerr)
			}
		}
	}()
	if err := probeWritable(o.Dir); err != nil {
		return err
	}

	var fwd *Forwarder
	if o.Forward != "" {
		// The recorder's own keys are scrubbed from forwarding results too.
		c, err := a.AEPClient(AEPTarget{URL: o.Forward, Mode: aep.ModeRaw, FlowID: o.ForwardFlowID,
			Retries: 3, Timeout: 10 * time.Second, Secrets: []secret.Secret{key, redactKey}})
		if err != nil {
			return err
		}
		journal := ""
		if !o.NoForwardJournal {
			journal = Either(o.ForwardJournal, DefaultForwardJournal)
		}
		if fwd, err = NewForwarder(a.Ctx, c, a.Err, journal); err != nil {
			return err
		}
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
	// One line per request, written in batches: an unbuffered write(2) per request cost a
	// few per cent of the receiver's CPU. Lines are printed after the answer, so buffering
	// them changes nothing about what a 200 promises.
	out := newLineWriter(a.Out, 100*time.Millisecond)
	defer out.Close()
	var outMu sync.Mutex
	var line []byte // the printed line, reused (under outMu)
	counts := map[string]int{}
	refused := 0
	defer func() {
		outMu.Lock()
		defer outMu.Unlock()
		fmt.Fprintf(a.Err, "ciosim: stored %d captures (%d valid, %d invalid, %d absent, %d unchecked), refused %d requests\n",
			counts[recordings.SignatureValid]+counts[recordings.SignatureInvalid]+counts[recordings.SignatureAbsent]+counts[recordings.SignatureUnchecked],
			counts[recordings.SignatureValid], counts[recordings.SignatureInvalid], counts[recordings.SignatureAbsent],
			counts[recordings.SignatureUnchecked], refused)
	}()
	hopts.OnResult = func(r recordings.Result) {
		metrics.Observe(r.Status, r.Capture.Signature, len(r.Capture.Body))
		outMu.Lock()
		line = appendCaptureLine(line[:0], r, o.JSON)
		out.Write(line)
		if cap(line) > 4<<10 {
			line = nil // a long error message is not kept
		}
		if r.Status == http.StatusOK {
			counts[r.Capture.Signature]++
		} else {
			refused++
		}
		outMu.Unlock()
		if fwd != nil && r.Status == http.StatusOK {
			fwd.Enqueue(r)
		}
	}

	ln, err := httpserve.Listen(o.Listen, httpserve.Config{})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.Err, "ciosim: recording to %s, listening on %s://%s (signature key %s)\n",
		store.where, rt.scheme(), ln.Addr(), keyState(key))
	srv := httpserve.Server(nil, httpserve.Config{}) // ops.Serve sets the handler
	var spool func() (ops.SpoolStats, string)
	if store.spool != nil {
		if o.Store.ReadyLag <= 0 {
			return Usagef("--ready-upload-lag must be positive")
		}
		spool = store.spoolReadiness
	}
	ready := recordReady(o.Dir, spool, o.Store.ReadyLag, time.Now)
	if err := rt.serve(a.Ctx, ln, srv, recordings.NewHandler(store, hopts), ready); err != nil {
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

// appendCaptureLine appends the line printed for r to b: the JSON object of captureLine
// with asJSON, otherwise the text line
//
//	15:04:05.000 200 email/delivered          valid        517B capture-2026-03-01-001.jsonl:42
//
// built by appending, as fmt's "%s %d %-24s %-9s %6dB" would print it (widths in runes).
func appendCaptureLine(b []byte, r recordings.Result, asJSON bool) []byte {
	if asJSON {
		l := captureLine{Time: r.Capture.ReceivedAt.UTC().Format("15:04:05.000"), Status: r.Status,
			ObjectType: r.Event.ObjectType, Metric: r.Event.Metric, EventID: r.Event.EventID,
			Signature: r.Capture.Signature, Reason: r.Capture.SignatureReason, Redacted: r.Capture.Redacted, Bytes: len(r.Capture.Body),
			File: r.Stored.File, Line: r.Stored.Line}
		if r.Err != nil {
			l.Error = r.Err.Error()
		}
		j, _ := json.Marshal(l)
		return append(append(b, j...), '\n')
	}
	b = r.Capture.ReceivedAt.UTC().AppendFormat(b, "15:04:05.000")
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(r.Status), 10)
	b = append(b, ' ')
	start := len(b)
	if r.Event.ObjectType != "" || r.Event.Metric != "" {
		b = append(append(append(b, r.Event.ObjectType...), '/'), r.Event.Metric...)
	} else {
		b = append(b, '-')
	}
	b = padRunes(b, start, 24)
	b = append(b, ' ')
	start = len(b)
	b = append(b, OrDash(r.Capture.Signature)...)
	b = padRunes(b, start, 9)
	b = append(b, ' ')
	n := len(r.Capture.Body)
	for w := digits(n); w < 6; w++ {
		b = append(b, ' ')
	}
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, 'B')
	if r.Capture.Redacted {
		b = append(b, " redacted"...)
	}
	if r.Stored.File != "" {
		b = append(append(b, ' '), filepath.Base(r.Stored.File)...)
		b = strconv.AppendInt(append(b, ':'), int64(r.Stored.Line), 10)
	}
	if r.Err != nil {
		b = append(append(b, " refused: "...), r.Err.Error()...)
	} else if r.Capture.Signature == recordings.SignatureInvalid {
		b = append(append(append(b, " ("...), r.Capture.SignatureReason...), ')')
	}
	return append(b, '\n')
}

// padRunes pads b[start:] with spaces on the right to width runes, as fmt's %-Ns does.
func padRunes(b []byte, start, width int) []byte {
	for n := utf8.RuneCount(b[start:]); n < width; n++ {
		b = append(b, ' ')
	}
	return b
}

// digits is the number of decimal digits of n >= 0.
func digits(n int) int {
	d := 1
	for ; n >= 10; n /= 10 {
		d++
	}
	return d
}

// OrDash returns s, or "-" when s is empty.
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/secret"
	"github.com/spf13/cobra"
)

// Environment variables send reads credentials from (or the files named by the --*-file flags).
const (
	envSigningKey  = "CIOSIM_SIGNING_KEY"
	envAccessToken = "AEP_ACCESS_TOKEN"
	envAPIKey      = "AEP_API_KEY"
	envOrgID       = "AEP_IMS_ORG"
	envSandbox     = "AEP_SANDBOX_NAME"
)

// sendDeps are the pieces of send that come from other packages, injected so tests can fake
// them: the Customer.io → XDM message converter and the emulator's Data Prep mapper. load,
// when set, builds them for a tenant on first use (so commands other than send do not pay
// for compiling the mapping).
type sendDeps struct {
	wiring.XDM
	load func(tenant string) (wiring.XDM, error)
}

type sendOptions struct {
	to             string
	mode           string
	flowID         string
	rate           string
	concurrency    int
	retries        int
	timeout        time.Duration
	deadLetter     string
	report         string
	syncValidation bool
	gzip           bool
	ordered        bool
	cioSemantics   bool
	timeScale      float64
	signingKeyFile string
	tokenFile      string
	apiKeyFile     string
	orgID          string
	sandbox        string
	noProgress     bool
	timeoutSet     bool
	tenant         string
	journal        string
	resume         string
	json           bool
}

// defaultSendDeps wires the real converter and mapper from the xdm package (see wiring.XDMDeps).
func defaultSendDeps() sendDeps { return sendDeps{load: wiring.XDMDeps} }

func newSendCmd(a *app, deps sendDeps) *cobra.Command {
	var o sendOptions
	c := &cobra.Command{
		Use:   "send [FILE...|-]",
		Short: "Fire events at an AEP streaming endpoint (by default the embedded emulator)",
		Long: `send reads Customer.io events (bare JSONL, recordings, or a dead-letter file from an earlier
send) and posts them to an AEP streaming inlet, then prints a report: counts by status and by
object_type/metric, latency percentiles, retries and dead letters.

Modes:
  raw    each body byte-for-byte to {inlet URL}?x-adobe-flow-id={flow id}, as Customer.io posts
         it (signed with X-CIO-Timestamp/X-CIO-Signature when CIOSIM_SIGNING_KEY is set)
  xdm    one XDM message per request to /collection/{inletId}
  batch  {"messages":[...]} to /collection/batch/{inletId}, split under 1 MB, 207 read per message
In xdm and batch modes, input lines that are already XDM messages (with "header" and "body")
are sent as they are; Customer.io events are mapped with the built-in experience-event
mapping set (see 'ciosim transform') and wrapped in the XDM message envelope. The embedded
emulator applies the same mapping to raw posts and keeps what it rejects as bad records.

Without --to, send starts the AEP streaming emulator in-process on loopback and fires at it.

Retries: 429, 5xx and timeouts are retried with exponential back-off and jitter, honouring
Retry-After; 400/401/403/413 are not. What still fails goes to the dead-letter file (only
created when something failed), which send reads back as it is. Exit status 1 when anything
was dead-lettered or an input line could not be read.

Credentials come only from the environment or files, never flags, and are never printed:
  CIOSIM_SIGNING_KEY (or --signing-key-file)  Reporting Webhook signing key (raw mode)
  AEP_ACCESS_TOKEN   (or --token-file)        IMS access token: Authorization: Bearer
  AEP_API_KEY        (or --api-key-file)      x-api-key
  AEP_IMS_ORG, AEP_SANDBOX_NAME (or --org-id, --sandbox): x-gw-ims-org-id, x-sandbox-name`,
		Example: `  ciosim generate --all --count 1000 --seed 7 | ciosim send
  ciosim send events.jsonl --to https://dcs.adobedc.net/collection/$INLET --flow-id $FLOW --rate 50
  ciosim send events.jsonl --mode batch --concurrency 4 --report json
  ciosim send dead-letters.jsonl --to ... --flow-id ...     # re-send what failed`,
		RunE: func(c *cobra.Command, args []string) error {
			o.timeoutSet = c.Flags().Changed("timeout")
			return a.runSend(o, deps, args)
		},
	}
	f := c.Flags()
	f.StringVar(&o.to, "to", "", "inlet URL, https://dcs.adobedc.net/collection/{inletId} (default: the embedded emulator)")
	f.StringVar(&o.mode, "mode", "raw", "request shape: raw, xdm or batch")
	f.StringVar(&o.flowID, "flow-id", "", "dataflow id for raw mode (sent as ?x-adobe-flow-id=); the emulator's by default")
	f.StringVar(&o.rate, "rate", "", "requests per second, e.g. 100 or 100/s (default: unlimited)")
	f.IntVar(&o.concurrency, "concurrency", 8, "requests in flight")
	f.IntVar(&o.retries, "retries", 5, "retries per event after the first attempt")
	f.DurationVar(&o.timeout, "timeout", 10*time.Second, "per-request timeout (4s with --customerio-semantics)")
	f.StringVar(&o.deadLetter, "dead-letter", "dead-letters.jsonl", "file for events that could not be delivered (replaced; created only when needed)")
	f.StringVar(&o.report, "report", "text", "final report format: text or json (on stdout)")
	f.BoolVar(&o.syncValidation, "sync-validation", false, "ask AEP to validate synchronously (?syncValidation=true; not on batch)")
	f.BoolVar(&o.gzip, "gzip", false, "gzip request bodies (Content-Encoding: gzip)")
	f.BoolVar(&o.ordered, "ordered", false, "keep each customer's events in order (one worker per customer)")
	f.BoolVar(&o.cioSemantics, "customerio-semantics", false, "send like Customer.io: 4 s timeout, one at a time in order, a failing event holds back the rest, one-hour first wait")
	f.Float64Var(&o.timeScale, "time-scale", 1, "multiply every wait (back-off, Retry-After, Customer.io's hour) by this, e.g. 0.001")
	f.StringVar(&o.signingKeyFile, "signing-key-file", "", "file holding the signing key (instead of "+envSigningKey+")")
	f.StringVar(&o.tokenFile, "token-file", "", "file holding the IMS access token (instead of "+envAccessToken+")")
	f.StringVar(&o.apiKeyFile, "api-key-file", "", "file holding the API key (instead of "+envAPIKey+")")
	f.StringVar(&o.orgID, "org-id", "", "IMS org id for x-gw-ims-org-id (default $"+envOrgID+")")
	f.StringVar(&o.sandbox, "sandbox", "", "sandbox name for x-sandbox-name (default $"+envSandbox+")")
	f.StringVar(&o.tenant, "tenant", "", "tenant namespace of the built-in experience-event mapping, like _acme (env CIOSIM_TENANT)")
	f.BoolVar(&o.noProgress, "no-progress", false, "no progress bar, even on a terminal")
	f.StringVar(&o.journal, "journal", "", "delivery journal: one line per event outcome as it happens (default: beside the dead-letter file, NAME.journal.jsonl)")
	f.StringVar(&o.resume, "resume", "", "resume the run of this journal: send only what it does not show delivered or rejected, from its inputs")
	f.BoolVar(&o.json, "json", false, "print the final report as JSON (same as --report json)")
	return c
}

// credential reads a secret from file when given, else from the environment variable env.
func (a *app) credential(env, file string) (secret.Secret, error) {
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return secret.Secret{}, fmt.Errorf("read credential file: %w", err)
		}
		return secret.New(string(b)), nil
	}
	return secret.New(a.getenv(env)), nil
}

// parseRate reads "100", "100/s", "6000/m" as requests per second.
func parseRate(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	num, unit, _ := strings.Cut(s, "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 {
		return 0, usageErrorf("--rate %q: want a number per second, e.g. 100 or 100/s", s)
	}
	switch unit {
	case "", "s":
	case "m":
		n /= 60
	case "h":
		n /= 3600
	default:
		return 0, usageErrorf("--rate %q: unit must be /s, /m or /h", s)
	}
	return n, nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (a *app) sendConfig(o sendOptions) (aep.Options, error) {
	var ao aep.Options
	mode := aep.Mode(o.mode)
	if !slices.Contains([]aep.Mode{aep.ModeRaw, aep.ModeXDM, aep.ModeBatch}, mode) {
		return ao, usageErrorf("--mode %q: want raw, xdm or batch", o.mode)
	}
	if o.json {
		o.report = "json"
	}
	if o.report != "text" && o.report != "json" {
		return ao, usageErrorf("--report %q: want text or json", o.report)
	}
	if o.concurrency < 1 {
		return ao, usageErrorf("--concurrency must be at least 1, got %d", o.concurrency)
	}
	if o.retries < 0 {
		return ao, usageErrorf("--retries must not be negative, got %d", o.retries)
	}
	if o.timeScale <= 0 {
		return ao, usageErrorf("--time-scale must be greater than 0, got %g", o.timeScale)
	}
	rate, err := parseRate(o.rate)
	if err != nil {
		return ao, err
	}
	if o.to != "" {
		u, err := url.Parse(o.to)
		if err == nil && u.Query().Get(aep.HeaderFlowID) != "" {
			// The inlet URL as AEP shows it for the Customer.io source carries the flow id.
			q := u.Query()
			if fid := q.Get(aep.HeaderFlowID); o.flowID != "" && o.flowID != fid {
				return ao, usageErrorf("--flow-id %s conflicts with x-adobe-flow-id=%s in --to", o.flowID, fid)
			} else {
				o.flowID = fid
			}
			q.Del(aep.HeaderFlowID)
			u.RawQuery = q.Encode()
			o.to = u.String()
		}
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return ao, usageErrorf("--to %q: want an inlet URL like https://dcs.adobedc.net/collection/{inletId}", o.to)
		}
		if u.Scheme == "http" && !isLoopback(u.Hostname()) {
			fmt.Fprintf(a.s.Err, "ciosim: warning: --to uses plain http:// to %s; events and credentials travel unencrypted\n", u.Host)
		}
		if mode == aep.ModeRaw && o.flowID == "" {
			return ao, usageErrorf("raw mode needs --flow-id (the dataflow id AEP gave the Customer.io source)")
		}
	}
	ao = aep.Options{Mode: mode, URL: o.to, FlowID: o.flowID, SyncValidation: o.syncValidation, Gzip: o.gzip,
		Retries: o.retries, Rate: rate, Concurrency: o.concurrency, Ordered: o.ordered,
		CustomerIOSemantics: o.cioSemantics, TimeScale: o.timeScale}
	if !o.cioSemantics || o.timeoutSet {
		ao.Timeout = o.timeout
	}
	if ao.SigningKey, err = a.credential(envSigningKey, o.signingKeyFile); err != nil {
		return ao, err
	}
	if ao.Auth.Token, err = a.credential(envAccessToken, o.tokenFile); err != nil {
		return ao, err
	}
	if ao.Auth.APIKey, err = a.credential(envAPIKey, o.apiKeyFile); err != nil {
		return ao, err
	}
	ao.Auth.OrgID = cmp(o.orgID, a.getenv(envOrgID))
	ao.Auth.Sandbox = cmp(o.sandbox, a.getenv(envSandbox))
	return ao, nil
}

func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (a *app) runSend(o sendOptions, deps sendDeps, args []string) error {
	ao, err := a.sendConfig(o)
	if err != nil {
		return err
	}
	run := wiring.Run{Command: "send", Stderr: a.s.Err, DeadLetters: o.deadLetter, Journal: o.journal}
	if run.Journal == "" {
		run.Journal = wiring.DefaultJournal(o.deadLetter)
	}
	if o.resume != "" {
		if len(args) > 0 {
			return usageErrorf("--resume reads the inputs the journal names; give no FILE arguments")
		}
		if run.Resume, err = wiring.ReadResume(o.resume); err != nil {
			return &UsageError{Err: err}
		}
		args, run.Dir, run.Journal = run.Resume.First.Inputs, run.Resume.First.Dir, o.resume
	}
	files, _, err := wiring.ExpandInputs(run.Dir, args, func(s string) { fmt.Fprintf(a.s.Err, "ciosim: %s\n", s) })
	if err != nil {
		return err
	}
	run.Inputs = args
	if len(args) == 0 {
		run.Inputs = []string{"-"}
	}
	if deps.load != nil {
		if deps.XDM, err = deps.load(cmp(o.tenant, a.getenv("CIOSIM_TENANT"))); err != nil {
			return &UsageError{Err: err}
		}
	}
	if ao.URL == "" {
		emu, err := emulator.New(emulator.Options{Mapper: deps.Mapper})
		if err != nil {
			return err
		}
		er, err := emu.Start("127.0.0.1:0")
		if err != nil {
			return err
		}
		defer er.Close()
		ao.URL, run.Emulator = er.InletURL(), emu
		if ao.FlowID == "" {
			ao.FlowID = emulator.DefaultFlowID
		}
	}
	if run.Client, err = aep.New(ao); err != nil {
		return &UsageError{Err: err}
	}
	if ao.Mode != aep.ModeRaw {
		run.Options.Transform = xdmMessages(deps.Convert)
	}
	if run.Progress = !o.noProgress && isTerminal(a.s.Err); run.Progress && run.Resume == nil {
		run.Total = countLines(files)
	}
	src := wiring.NewFileSource(files, a.s.In)
	src.Dir = run.Dir
	defer src.Close()
	run.Options.OnSkip = func(err error) { fmt.Fprintf(a.s.Err, "ciosim: %v\n", err) }
	rep, err := run.Deliver(a.ctx, src)
	if werr := a.writeReport(rep, o.report); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		if a.ctx.Err() != nil {
			fmt.Fprintf(a.s.Err, "ciosim: interrupted; resume with: ciosim send --resume %s\n", run.Journal)
		}
		return err
	}
	if rep.Failed > 0 || rep.Rejected > 0 || rep.Unreadable > 0 || rep.Cancelled > 0 {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

// writeReport prints a delivery report as text or JSON on stdout.
func (a *app) writeReport(rep pipeline.Report, format string) error {
	if format == "json" {
		return rep.WriteJSON(a.s.Out)
	}
	return rep.WriteText(a.s.Out)
}

// xdmMessages is the xdm and batch modes' transform: a line that is already an XDM message
// (with "header" and "body") goes as it is, one with a header and no body is rejected, and
// a Customer.io event is mapped with convert (a record the mapping rejects is rejected).
func xdmMessages(convert func([]byte) ([]byte, error)) func(recordings.Record, []byte) ([]byte, error) {
	return func(rec recordings.Record, body []byte) ([]byte, error) {
		switch xdmShape(body) {
		case "message":
			return body, nil
		case "header only":
			return nil, errors.New("not an XDM message: it has a \"header\" and no \"body\" (an XDM streaming message needs both)")
		}
		if convert == nil {
			return nil, errors.New("convert to XDM: no Customer.io → XDM converter in this build; give XDM messages as input or use --mode raw")
		}
		x, err := convert(body)
		if err != nil {
			return nil, fmt.Errorf("convert to XDM: %w", err)
		}
		return x, nil
	}
}

// xdmShape says whether b is an XDM message envelope: "message" ({"header":..,"body":..}),
// "header only", or "" (anything else, such as a Customer.io event).
func xdmShape(b []byte) string {
	if !bytes.Contains(b, []byte(`"header"`)) {
		return ""
	}
	var probe struct {
		Header json.RawMessage `json:"header"`
		Body   json.RawMessage `json:"body"`
	}
	switch {
	case json.Unmarshal(b, &probe) != nil || probe.Header == nil:
		return ""
	case probe.Body == nil || string(probe.Body) == "null":
		return "header only"
	}
	return "message"
}

// countLines counts the lines of the named files (0 when reading stdin), for the progress bar.
func countLines(names []string) int {
	n := 0
	for _, name := range names {
		if name == "-" {
			return 0
		}
		f, err := os.Open(name)
		if err != nil {
			return 0
		}
		buf := make([]byte, 256*1024)
		for {
			k, err := f.Read(buf)
			n += bytes.Count(buf[:k], []byte{'\n'})
			if err != nil {
				break
			}
		}
		f.Close()
	}
	return n
}

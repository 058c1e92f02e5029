package cmd

import (
	"fmt"
	"slices"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/pipeline"
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
	noJournal      bool
	resume         string
	json           bool
	dataflow       string
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
			if err := applySendDataflow(&o); err != nil {
				return err
			}
			return a.runSend(o, deps, args)
		},
	}
	f := c.Flags()
	f.StringVar(&o.to, "to", "", "inlet URL, https://dcs.adobedc.net/collection/{inletId} (default: the embedded emulator)")
	f.StringVar(&o.mode, "mode", "raw", "request shape: raw, xdm or batch")
	f.StringVar(&o.dataflow, "dataflow", "", "a dataflow directory ('ciosim aep pull'): fire at its inlet with its flow id")
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
	f.BoolVar(&o.noJournal, "no-journal", false, "keep no journal (the run cannot be resumed)")
	f.StringVar(&o.resume, "resume", "", "resume the run of this journal: send only what it does not show delivered or rejected, from its inputs")
	f.BoolVar(&o.json, "json", false, "print the final report as JSON (same as --report json)")
	return c
}

// credential reads a secret from file when given, else from the environment variable env.
func (a *app) credential(env, file string) (secret.Secret, error) {
	return wiring.Credential(a.getenv, env, file)
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
	rate, err := wiring.ParseRate(o.rate)
	if err != nil {
		return ao, err
	}
	if o.to != "" {
		warn := func(m string) { fmt.Fprintf(a.s.Err, "ciosim: %s\n", m) }
		if o.to, o.flowID, err = wiring.InletURL("--to", o.to, o.flowID, warn); err != nil {
			return ao, err
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
	switch {
	case o.noJournal && (o.journal != "" || o.resume != ""):
		return usageErrorf("--no-journal cannot be combined with --journal or --resume")
	case o.noJournal:
	case run.Journal == "":
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
		emu, err := emulator.New(emulator.Options{Mapper: deps.Mapper, Validator: deps.Validator})
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
		run.Options.Transform = wiring.XDMMessages(deps.Convert)
	}
	if run.Progress = !o.noProgress && (a.s.Terminal || isTerminal(a.s.Err)); run.Progress && run.Resume == nil {
		run.Total = wiring.CountLines(files)
	}
	src := wiring.NewFileSource(files, a.s.In)
	src.Warn = func(s string) { fmt.Fprintf(a.s.Err, "ciosim: %s\n", s) } // bucket objects skipped
	src.Dir = run.Dir
	defer src.Close()
	run.Options.OnSkip = func(err error) { fmt.Fprintf(a.s.Err, "ciosim: %v\n", err) }
	rep, err := run.Deliver(a.ctx, src)
	if werr := a.writeReport(rep, o.report); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		if a.ctx.Err() != nil && run.Journal != "" {
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

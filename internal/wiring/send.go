package wiring

import (
	"fmt"
	"slices"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/dataflow"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/pipeline"
)

// SendDeps are the pieces of send that come from other packages, injected so tests can fake
// them: the Customer.io → XDM message converter and the emulator's Data Prep mapper. load,
// when set, builds them for a tenant on first use (so commands other than send do not pay
// for compiling the mapping).
type SendDeps struct {
	XDM
	Load func(tenant string) (XDM, error)
}

// SendOptions are send's flags.
type SendOptions struct {
	To             string
	Mode           string
	FlowID         string
	Rate           string
	Concurrency    int
	Pipeline       int
	Retries        int
	Timeout        time.Duration
	DeadLetter     string
	Report         string
	SyncValidation bool
	Gzip           bool
	Ordered        bool
	CIOSemantics   bool
	TimeScale      float64
	SigningKeyFile string
	TokenFile      string
	ApiKeyFile     string
	OrgID          string
	Sandbox        string
	NoProgress     bool
	TimeoutSet     bool
	Tenant         string
	Journal        string
	NoJournal      bool
	Resume         string
	JSON           bool
	Dataflow       string
}

// SendConfig checks send's options and reads its credentials into the aep client's options.
func SendConfig(a *Env, o SendOptions) (aep.Options, error) {
	var ao aep.Options
	mode := aep.Mode(o.Mode)
	if !slices.Contains([]aep.Mode{aep.ModeRaw, aep.ModeXDM, aep.ModeBatch}, mode) {
		return ao, Usagef("--mode %q: want raw, xdm or batch", o.Mode)
	}
	if o.JSON {
		o.Report = "json"
	}
	if o.Report != "text" && o.Report != "json" {
		return ao, Usagef("--report %q: want text or json", o.Report)
	}
	if o.Concurrency < 1 {
		return ao, Usagef("--concurrency must be at least 1, got %d", o.Concurrency)
	}
	if o.Pipeline < 0 || o.Pipeline > aep.MaxPipeline {
		return ao, Usagef("--pipeline must be between 0 (automatic) and %d, got %d", aep.MaxPipeline, o.Pipeline)
	}
	if o.Retries < 0 {
		return ao, Usagef("--retries must not be negative, got %d", o.Retries)
	}
	if o.TimeScale <= 0 {
		return ao, Usagef("--time-scale must be greater than 0, got %g", o.TimeScale)
	}
	rate, err := ParseRate(o.Rate)
	if err != nil {
		return ao, err
	}
	if o.To != "" {
		warn := a.Warn
		if o.To, o.FlowID, err = InletURL("--to", o.To, o.FlowID, warn); err != nil {
			return ao, err
		}
		if mode == aep.ModeRaw && o.FlowID == "" {
			return ao, Usagef("raw mode needs --flow-id (the dataflow id AEP gave the Customer.io source)")
		}
	}
	ao = aep.Options{Mode: mode, URL: o.To, FlowID: o.FlowID, SyncValidation: o.SyncValidation, Gzip: o.Gzip,
		Retries: o.Retries, Rate: rate, Concurrency: o.Concurrency, Pipeline: o.Pipeline, Ordered: o.Ordered,
		CustomerIOSemantics: o.CIOSemantics, TimeScale: o.TimeScale}
	if !o.CIOSemantics || o.TimeoutSet {
		ao.Timeout = o.Timeout
	}
	if ao.SigningKey, err = a.Credential(EnvSigningKey, o.SigningKeyFile); err != nil {
		return ao, err
	}
	if ao.Auth.Token, err = a.Credential(EnvAccessToken, o.TokenFile); err != nil {
		return ao, err
	}
	if ao.Auth.APIKey, err = a.Credential(EnvAPIKey, o.ApiKeyFile); err != nil {
		return ao, err
	}
	ao.Auth.OrgID = Either(o.OrgID, a.Getenv(EnvOrgID))
	ao.Auth.Sandbox = Either(o.Sandbox, a.Getenv(EnvSandbox))
	return ao, nil
}

// Either returns a unless it is empty, else b (a flag's value over the environment's).
func Either(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Send runs 'ciosim send' on the inputs args.
func Send(a *Env, o SendOptions, deps SendDeps, args []string) error {
	if err := applySendDataflow(&o); err != nil {
		return err
	}
	ao, err := SendConfig(a, o)
	if err != nil {
		return err
	}
	run := Run{Command: "send", Stderr: a.Err, DeadLetters: o.DeadLetter, Journal: o.Journal}
	switch {
	case o.NoJournal && (o.Journal != "" || o.Resume != ""):
		return Usagef("--no-journal cannot be combined with --journal or --resume")
	case o.NoJournal:
	case run.Journal == "":
		run.Journal = DefaultJournal(o.DeadLetter)
	}
	if o.Resume != "" {
		if len(args) > 0 {
			return Usagef("--resume reads the inputs the journal names; give no FILE arguments")
		}
		if run.Resume, err = ReadResume(o.Resume); err != nil {
			return &UsageError{Err: err}
		}
		args, run.Dir, run.Journal = run.Resume.First.Inputs, run.Resume.First.Dir, o.Resume
	}
	files, _, err := ExpandInputs(run.Dir, args, func(s string) { fmt.Fprintf(a.Err, "ciosim: %s\n", s) })
	if err != nil {
		return err
	}
	run.Inputs = args
	if len(args) == 0 {
		run.Inputs = []string{"-"}
	}
	if deps.Load != nil {
		if deps.XDM, err = deps.Load(Either(o.Tenant, a.Getenv("CIOSIM_TENANT"))); err != nil {
			return &UsageError{Err: err}
		}
	}
	if ao.URL == "" {
		emu, err := emulator.New(emulator.Options{Mapper: deps.Mapper, Validator: deps.Validator, MaxRecordBytes: emulator.EmbeddedMaxRecordBytes})
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
		run.Options.Transform = XDMMessages(deps.Convert)
	}
	if run.Progress = !o.NoProgress && a.ErrIsTerminal(); run.Progress && run.Resume == nil {
		run.Total = CountLines(files)
	}
	in := a.In
	if len(files) == 0 || slices.Contains(files, "-") {
		in = a.Stdin() // a hint and Ctrl-C when it is a terminal (wiring/stdin.go)
	}
	src := NewFileSource(files, in)
	src.Warn = func(s string) { fmt.Fprintf(a.Err, "ciosim: %s\n", s) } // bucket objects skipped
	src.Dir = run.Dir
	defer src.Close()
	run.Options.OnSkip = func(err error) { fmt.Fprintf(a.Err, "ciosim: %v\n", err) }
	rep, err := run.Deliver(a.Ctx, src)
	if werr := a.writeReport(rep, o.Report); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		if a.Ctx.Err() != nil && run.Journal != "" {
			fmt.Fprintf(a.Err, "ciosim: interrupted; resume with: ciosim send --resume %s\n", run.Journal)
		}
		return err
	}
	if rep.Failed > 0 || rep.Rejected > 0 || rep.Unreadable > 0 || rep.Cancelled > 0 {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

// writeReport prints a delivery report as text or JSON on stdout.
func (a *Env) writeReport(rep pipeline.Report, format string) error {
	if format == "json" {
		return rep.WriteJSON(a.Out)
	}
	return rep.WriteText(a.Out)
}

// applySendDataflow points send at a dataflow directory's inlet and flow id; --to and
// --flow-id given on the command line win.
func applySendDataflow(o *SendOptions) error {
	if o.Dataflow == "" {
		return nil
	}
	d, err := dataflow.ReadDir(o.Dataflow)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("--dataflow: %w", err)}
	}
	if d.Dataflow.InletURL == "" {
		return Usagef("--dataflow %s: dataflow.json has no inletUrl", o.Dataflow)
	}
	o.To = Either(o.To, d.Dataflow.InletURL)
	o.FlowID = Either(o.FlowID, d.Dataflow.FlowID)
	return nil
}

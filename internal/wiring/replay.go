package wiring

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/dataflow"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/bucket"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/xdm"
)

// ReplayOptions are replay's flags.
type ReplayOptions struct {
	To           string
	Mode         string
	Speed        string
	MaxGap       time.Duration
	ShiftToNow   bool
	NewEventIDs  bool
	ResignKeyEnv string
	ResignFile   string
	Follow       bool
	JSON         bool
	Mapping      string
	Tenant       string
	FlowID       string
	Retries      int
	Timeout      time.Duration
	BatchBytes   int
	BatchCount   int
	Journal      string
	Resume       string
	Dataflow     string
}

// parseSpeed reads --speed: a positive number, or "max" (returned as 0: no waiting).
func parseSpeed(s string) (float64, error) {
	if s == "max" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, Usagef("--speed %q: want a positive number or max", s)
	}
	return v, nil
}

// Replay runs 'ciosim replay' on the inputs args; mappingSet says --mapping was given.
func Replay(a *Env, o ReplayOptions, args []string, mappingSet bool) error {
	if err := applyReplayDataflow(&o, mappingSet); err != nil {
		return err
	}

	speed, err := parseSpeed(o.Speed)
	if err != nil {
		return err
	}
	var transform func(recordings.Record, []byte) ([]byte, error)
	switch o.Mode {
	case "raw":
	case "xdm", "batch":
		if transform, err = a.xdmTransform(o.Mapping, o.Tenant); err != nil {
			return err
		}
	default:
		return Usagef("--mode %q: want raw, xdm or batch", o.Mode)
	}
	if o.Retries < 0 {
		return Usagef("--retries must not be negative")
	}
	if o.BatchCount < 1 {
		return Usagef("--batch-max-messages must be at least 1")
	}
	if o.BatchBytes < 1 || o.BatchBytes > aep.MaxRequestBytes {
		return Usagef("--batch-max-bytes must be between 1 and %d (AEP's request limit)", aep.MaxRequestBytes)
	}
	if o.MaxGap < 0 {
		return Usagef("--max-gap must not be negative")
	}
	key, err := a.LoadKey(o.ResignKeyEnv, o.ResignFile)
	if err != nil {
		return err
	}
	if (o.ResignKeyEnv != "" || o.ResignFile != "") && key.IsZero() {
		return Usagef("--resign-key-env %s: the variable is empty", o.ResignKeyEnv)
	}
	run := Run{Command: "replay", Stderr: a.Err, Journal: o.Journal, Inputs: args}
	if o.Resume != "" {
		if len(args) > 0 {
			return Usagef("--resume reads the inputs the journal names; give no FILE arguments")
		}
		if run.Resume, err = ReadResume(o.Resume); err != nil {
			return &UsageError{Err: err}
		}
		args, run.Dir, run.Journal, run.Inputs = run.Resume.First.Inputs, run.Resume.First.Dir, o.Resume, run.Resume.First.Inputs
	}
	if o.Follow {
		for _, arg := range args {
			if bucket.IsURL(arg) {
				return Usagef("--follow watches local files and folders; %s is a bucket, which ciosim cannot follow: replay it without --follow (it replays what the bucket holds now)", MaskURL(arg))
			}
		}
	}
	files, dirs, err := ExpandInputs(run.Dir, args, a.Warn)
	if err != nil {
		return err
	}
	target := AEPTarget{URL: o.To, Mode: aep.Mode(o.Mode), FlowID: o.FlowID, SigningKey: key,
		Retries: o.Retries, Timeout: o.Timeout, BatchMaxBytes: o.BatchBytes, BatchMaxMessages: o.BatchCount}
	if target.URL == "" {
		deps, err := XDMDeps(Either(o.Tenant, a.Getenv("CIOSIM_TENANT")))
		if err != nil {
			return &UsageError{Err: err}
		}
		if run.Emulator, err = emulator.New(emulator.Options{Mapper: deps.Mapper, Validator: deps.Validator, MaxRecordBytes: emulator.EmbeddedMaxRecordBytes}); err != nil {
			return err
		}
		er, err := run.Emulator.Start("127.0.0.1:0")
		if err != nil {
			return err
		}
		defer er.Close()
		target.URL = er.InletURL()
		if target.FlowID == "" {
			target.FlowID = emulator.DefaultFlowID
		}
		fmt.Fprintf(a.Err, "ciosim: replaying to the embedded AEP emulator at %s\n", target.URL)
	}
	if run.Client, err = a.AEPClient(target); err != nil {
		return err
	}
	src := NewFileSource(files, a.In)
	src.Warn = func(s string) { fmt.Fprintf(a.Err, "ciosim: %s\n", s) } // bucket objects skipped
	src.Dir = run.Dir
	defer src.Close()
	if o.Follow {
		w, err := recordings.Watch(a.Ctx, append(dirs, parentDirs(args)...)...)
		if err != nil {
			return err
		}
		src.Follow(w, args)
	}
	// One line per event, written in batches (one write(2) per line cost about 6 % of a
	// --speed max replay's CPU); whole lines only, flushed every 100 ms and at the end.
	out := newLineWriter(a.Out, 100*time.Millisecond)
	defer out.Close()
	run.Options = pipeline.Options{Schedule: pipeline.NewSchedule(nil, speed, o.MaxGap), ShiftToNow: o.ShiftToNow,
		NewEventIDs: o.NewEventIDs, Transform: transform, // the aep client signs (target.SigningKey)
		OnSkip:   func(err error) { fmt.Fprintf(a.Err, "ciosim: %v\n", err) },
		OnResult: func(r pipeline.Result) { printReplay(out, r, o.JSON) }}
	rep, err := run.Deliver(a.Ctx, src)
	if werr := rep.WriteText(a.Err); werr != nil && err == nil {
		err = werr
	}
	if err != nil {
		return err
	}
	if rep.Failed > 0 || rep.Rejected > 0 || rep.Unreadable > 0 || rep.Cancelled > 0 {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

func parentDirs(args []string) []string {
	var out []string
	for _, arg := range args {
		if info, err := os.Stat(arg); err == nil && !info.IsDir() {
			out = append(out, filepath.Dir(arg))
		}
	}
	return out
}

// ReplayLine is one line of replay's --json output.
type ReplayLine struct {
	File     string  `json:"file"`
	Line     int     `json:"line"`
	EventID  string  `json:"event_id,omitempty"`
	Pair     string  `json:"pair,omitempty"`
	Status   int     `json:"status,omitempty"`
	LagMs    float64 `json:"lag_ms"`
	Latency  float64 `json:"latency_ms"`
	Bytes    int     `json:"bytes"`
	Outcome  string  `json:"outcome"`
	Error    string  `json:"error,omitempty"`
	Verdict  string  `json:"emulator,omitempty"`
	SentBody bool    `json:"rewritten,omitempty"`
}

func printReplay(w io.Writer, r pipeline.Result, asJSON bool) {
	m := r.Message
	l := ReplayLine{File: m.Input, Line: m.Line, EventID: m.EventID, Outcome: string(r.Outcome),
		Status: r.Status, LagMs: float64(r.Lag.Microseconds()) / 1000,
		Latency: float64(r.Latency.Microseconds()) / 1000, Bytes: len(m.Body)}
	if m.ObjectType != "" || m.Metric != "" {
		l.Pair = m.ObjectType + "/" + m.Metric
	}
	if r.Outcome != pipeline.Delivered {
		l.Error = r.Reason
		if r.Attempts > 1 {
			l.Error += fmt.Sprintf(" (after %d attempts)", r.Attempts)
		}
	}
	if v := r.Verdict; v != nil && !v.Good {
		l.Verdict = "bad: " + strings.Join(v.Reasons, "; ")
	}
	if asJSON {
		b, _ := json.Marshal(l)
		w.Write(append(b, '\n'))
		return
	}
	b := fmt.Appendf(nil, "%s:%d %-24s %3d %7.1fms lag %6.2fms", filepath.Base(l.File), l.Line, OrDash(l.Pair), l.Status, l.Latency, l.LagMs)
	if l.Outcome != string(pipeline.Delivered) {
		b = fmt.Appendf(b, " %s: %s", l.Outcome, l.Error)
	}
	if l.Verdict != "" {
		b = fmt.Appendf(b, " emulator: %s", l.Verdict)
	}
	w.Write(append(b, '\n')) // the whole line in one write
}

// applyReplayDataflow points replay at a dataflow directory: its inlet, flow id and, for the
// xdm and batch modes, its mapping; flags given on the command line win.
func applyReplayDataflow(o *ReplayOptions, mappingSet bool) error {
	if o.Dataflow == "" {
		return nil
	}
	d, err := dataflow.ReadDir(o.Dataflow)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("--dataflow: %w", err)}
	}
	o.To = Either(o.To, d.Dataflow.InletURL)
	o.FlowID = Either(o.FlowID, d.Dataflow.FlowID)
	if !mappingSet {
		o.Mapping = d.MappingPath()
	}
	return nil
}

// xdmTransform builds replay's --mode xdm step: the mapping set (built-in or file, as for
// `ciosim transform`) and the streaming envelope, with the same environment fallbacks
// (CIOSIM_TENANT, CIOSIM_IMS_ORG, CIOSIM_DATASET_ID, CIOSIM_FLOW_ID, CIOSIM_SCHEMA_ID).
func (a *Env) xdmTransform(mapping, tenant string) (func(recordings.Record, []byte) ([]byte, error), error) {
	to := struct{ tenant, imsOrg, datasetID, flowID, schemaID string }{tenant: tenant}
	a.EnvelopeDefaults(&to.tenant, &to.imsOrg, &to.datasetID, &to.flowID, &to.schemaID)
	if _, err := xdm.NormalizeTenant(to.tenant); err != nil {
		return nil, Usagef("--tenant: %v", err)
	}
	ms, builtin, err := LoadMapping(mapping, to.tenant)
	if err != nil {
		return nil, err
	}
	opts := xdm.Options{SourceFields: xdm.CustomerIOFields()}
	if builtin {
		opts.Required = xdm.DefaultRequired(ms.Name)
	}
	opts.Check = xdm.ClassRules{Class: ms.TargetClass()} // xdm's one validator, no schema known
	mp, err := xdm.Compile(ms, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ms.Name, err)
	}
	env := xdm.EnvelopeOptions{IMSOrgID: to.imsOrg, DatasetID: to.datasetID, FlowID: to.flowID, SchemaID: to.schemaID}
	if env.SchemaID == "" {
		if ms.OutputSchema != nil {
			env.SchemaID = ms.OutputSchema.SchemaRef.ID
		} else {
			env.SchemaID = ms.XDMSchema
		}
	}
	return func(rec recordings.Record, body []byte) ([]byte, error) {
		res, err := mp.Map(body)
		if err != nil {
			return nil, fmt.Errorf("map: %w", err)
		}
		if res.Rejected {
			return nil, fmt.Errorf("rejected by the mapping: %s", strings.Join(res.Reasons, "; "))
		}
		return xdm.Envelope(res.Record, env), nil
	}, nil
}

// EnvelopeDefaults fills the empty ones of the tenant and the XDM envelope's ids from the
// environment (the fallbacks of 'ciosim transform' and replay's xdm step): CIOSIM_TENANT, and
// AEP's ids under the AEP_* names every command uses — AEP_IMS_ORG, AEP_DATASET_ID,
// AEP_FLOW_ID, AEP_SCHEMA_ID. The older CIOSIM_IMS_ORG, CIOSIM_DATASET_ID, CIOSIM_FLOW_ID and
// CIOSIM_SCHEMA_ID are still read, with a deprecation warning on stderr.
func (a *Env) EnvelopeDefaults(tenant, imsOrg, datasetID, flowID, schemaID *string) {
	if *tenant == "" {
		*tenant = a.Getenv("CIOSIM_TENANT")
	}
	fill := func(v *string, name, old string) {
		if *v != "" {
			return
		}
		if *v = a.Getenv(name); *v != "" {
			return
		}
		if *v = a.Getenv(old); *v != "" {
			fmt.Fprintf(a.Err, "ciosim: warning: %s is deprecated: use %s\n", old, name)
		}
	}
	fill(imsOrg, EnvOrgID, "CIOSIM_IMS_ORG")
	fill(datasetID, "AEP_DATASET_ID", "CIOSIM_DATASET_ID")
	fill(flowID, "AEP_FLOW_ID", "CIOSIM_FLOW_ID")
	fill(schemaID, "AEP_SCHEMA_ID", "CIOSIM_SCHEMA_ID")
}

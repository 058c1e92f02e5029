package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
)

type replayOptions struct {
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

func newReplayCmd(a *app) *cobra.Command {
	o := replayOptions{}
	c := &cobra.Command{
		Use:   "replay FILE|DIR...",
		Short: "Replay recordings or event files at an endpoint, at the original pace or faster",
		Long: `replay sends every capture (Recording JSONL) or bare event (event JSONL) of the inputs, in
order, paced by the original arrival times (bare events: their timestamp) scaled by --speed.
A DIR means every *.jsonl file in it, by name (the recorder's names sort by time).

Without --shift-to-now and --new-event-ids the bytes sent are exactly the bytes captured. The
captured X-CIO-Timestamp and X-CIO-Signature headers are not sent (their time is stale);
--resign-key-env signs each request afresh. Lines that
cannot be read are reported with file and line and skipped; the exit status is then 1.

--mode xdm maps each event to an XDM streaming message (as 'ciosim transform' does) and posts
it alone. --mode batch maps them the same way and posts {"messages":[...]} to
/collection/batch/{inletId}: events due at the same moment (all of them with --speed max)
share a request, up to --batch-max-messages and --batch-max-bytes; an event due later starts
a new one, so pacing holds. AEP answers 207 with a status per message: each event is reported
on its own, only retryable failures are resent, and any failed event makes the exit status 1.`,
		Example: `  ciosim replay recordings/ --to http://127.0.0.1:8788/collection/abc --speed 10 --max-gap 5s
  ciosim replay recordings/ --mode batch --speed max --to https://dcs.adobedc.net/collection/{inletId}
  CIOSIM_SIGNING_KEY=... ciosim replay capture.jsonl --to URL --shift-to-now --new-event-ids --resign-key-env CIOSIM_SIGNING_KEY`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 && o.Resume == "" {
				return usageErrorf("replay needs FILE or DIR arguments (or --resume JOURNAL)")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if err := applyReplayDataflow(&o, c.Flags().Changed("mapping")); err != nil {
				return err
			}
			return a.runReplay(o, args)
		},
	}
	f := c.Flags()
	f.StringVar(&o.To, "to", "", "inlet URL to send to, e.g. https://dcs.adobedc.net/collection/{inletId} (default: the embedded AEP emulator)")
	f.StringVar(&o.Dataflow, "dataflow", "", "a dataflow directory ('ciosim aep pull'): its inlet, flow id and (xdm/batch) mapping")
	f.StringVar(&o.FlowID, "flow-id", "", "raw mode: dataflow id sent as ?x-adobe-flow-id= (the emulator's by default)")
	f.IntVar(&o.Retries, "retries", 3, "retries per event on 429, 5xx and transport errors (a retried event delays the ones after it)")
	f.DurationVar(&o.Timeout, "timeout", 10*time.Second, "per-request timeout")
	f.StringVar(&o.Mode, "mode", "raw", "raw (the captured bytes), xdm (each event mapped to an XDM streaming message) or batch (XDM messages grouped into {\"messages\":[...]} requests to /collection/batch/{inletId})")
	f.StringVar(&o.Mapping, "mapping", "experience-event", "--mode xdm|batch: built-in mapping set or mapping-set file, as for 'ciosim transform'")
	f.StringVar(&o.Tenant, "tenant", "", "--mode xdm|batch: tenant namespace of the built-in sets (env CIOSIM_TENANT)")
	f.IntVar(&o.BatchCount, "batch-max-messages", 1000, "--mode batch: at most this many messages per request")
	f.IntVar(&o.BatchBytes, "batch-max-bytes", aep.MaxRequestBytes, "--mode batch: at most this many bytes per request (AEP's limit, 1 MB, is the maximum)")
	f.StringVar(&o.Speed, "speed", "1", "pace: 1 = original pace, 10 = ten times faster, any positive number, or max (no waiting)")
	f.DurationVar(&o.MaxGap, "max-gap", 0, "cap any gap between two events to this (0 = no cap)")
	f.BoolVar(&o.ShiftToNow, "shift-to-now", false, "move every timestamp (and ULID event_id time) so the first event is now, keeping the gaps")
	f.BoolVar(&o.NewEventIDs, "new-event-ids", false, "mint a fresh ULID event_id per event (AEP would drop repeats as duplicates)")
	f.StringVar(&o.ResignKeyEnv, "resign-key-env", "", "environment variable holding a signing key: sign each request with a fresh X-CIO-Timestamp (raw mode)")
	f.StringVar(&o.ResignFile, "resign-key-file", "", "file holding the signing key to re-sign with")
	f.BoolVar(&o.Follow, "follow", false, "after the inputs end, keep watching them and replay new events as they land")
	f.BoolVar(&o.JSON, "json", false, "print one JSON object per event instead of a text line")
	f.StringVar(&o.Journal, "journal", "", "delivery journal: one line per event outcome as it happens (default: none)")
	f.StringVar(&o.Resume, "resume", "", "resume the run of this journal: replay only what it does not show delivered or rejected")
	return c
}

// parseSpeed reads --speed: a positive number, or "max" (returned as 0: no waiting).
func parseSpeed(s string) (float64, error) {
	if s == "max" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		return 0, usageErrorf("--speed %q: want a positive number or max", s)
	}
	return v, nil
}

func (a *app) runReplay(o replayOptions, args []string) error {
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
		return usageErrorf("--mode %q: want raw, xdm or batch", o.Mode)
	}
	if o.Retries < 0 {
		return usageErrorf("--retries must not be negative")
	}
	if o.BatchCount < 1 {
		return usageErrorf("--batch-max-messages must be at least 1")
	}
	if o.BatchBytes < 1 || o.BatchBytes > aep.MaxRequestBytes {
		return usageErrorf("--batch-max-bytes must be between 1 and %d (AEP's request limit)", aep.MaxRequestBytes)
	}
	if o.MaxGap < 0 {
		return usageErrorf("--max-gap must not be negative")
	}
	key, err := a.loadKey(o.ResignKeyEnv, o.ResignFile)
	if err != nil {
		return err
	}
	if (o.ResignKeyEnv != "" || o.ResignFile != "") && key.IsZero() {
		return usageErrorf("--resign-key-env %s: the variable is empty", o.ResignKeyEnv)
	}
	run := wiring.Run{Command: "replay", Stderr: a.s.Err, Journal: o.Journal, Inputs: args}
	if o.Resume != "" {
		if len(args) > 0 {
			return usageErrorf("--resume reads the inputs the journal names; give no FILE arguments")
		}
		if run.Resume, err = wiring.ReadResume(o.Resume); err != nil {
			return &UsageError{Err: err}
		}
		args, run.Dir, run.Journal, run.Inputs = run.Resume.First.Inputs, run.Resume.First.Dir, o.Resume, run.Resume.First.Inputs
	}
	files, dirs, err := wiring.ExpandInputs(run.Dir, args, func(s string) { fmt.Fprintf(a.s.Err, "ciosim: %s\n", s) })
	if err != nil {
		return err
	}
	target := aepTarget{URL: o.To, Mode: aep.Mode(o.Mode), FlowID: o.FlowID, SigningKey: key,
		Retries: o.Retries, Timeout: o.Timeout, BatchMaxBytes: o.BatchBytes, BatchMaxMessages: o.BatchCount}
	if target.URL == "" {
		deps, err := wiring.XDMDeps(cmp(o.Tenant, a.getenv("CIOSIM_TENANT")))
		if err != nil {
			return &UsageError{Err: err}
		}
		if run.Emulator, err = emulator.New(emulator.Options{Mapper: deps.Mapper, Validator: deps.Validator}); err != nil {
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
		fmt.Fprintf(a.s.Err, "ciosim: replaying to the embedded AEP emulator at %s\n", target.URL)
	}
	if run.Client, err = a.newAEPClient(target); err != nil {
		return err
	}
	src := wiring.NewFileSource(files, a.s.In)
	src.Warn = func(s string) { fmt.Fprintf(a.s.Err, "ciosim: %s\n", s) } // bucket objects skipped
	src.Dir = run.Dir
	defer src.Close()
	if o.Follow {
		w, err := recordings.Watch(a.ctx, append(dirs, parentDirs(args)...)...)
		if err != nil {
			return err
		}
		src.Follow(w, args)
	}
	run.Options = pipeline.Options{Schedule: pipeline.NewSchedule(nil, speed, o.MaxGap), ShiftToNow: o.ShiftToNow,
		NewEventIDs: o.NewEventIDs, Transform: transform, // the aep client signs (target.SigningKey)
		OnSkip:   func(err error) { fmt.Fprintf(a.s.Err, "ciosim: %v\n", err) },
		OnResult: func(r pipeline.Result) { a.printReplay(r, o.JSON) }}
	rep, err := run.Deliver(a.ctx, src)
	if werr := rep.WriteText(a.s.Err); werr != nil && err == nil {
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

type replayLine struct {
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

func (a *app) printReplay(r pipeline.Result, asJSON bool) {
	m := r.Message
	l := replayLine{File: m.Input, Line: m.Line, EventID: m.EventID, Outcome: string(r.Outcome),
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
		a.s.Out.Write(append(b, '\n'))
		return
	}
	fmt.Fprintf(a.s.Out, "%s:%d %-24s %3d %7.1fms lag %6.2fms", filepath.Base(l.File), l.Line, orDash(l.Pair), l.Status, l.Latency, l.LagMs)
	if l.Outcome != string(pipeline.Delivered) {
		fmt.Fprintf(a.s.Out, " %s: %s", l.Outcome, l.Error)
	}
	if l.Verdict != "" {
		fmt.Fprintf(a.s.Out, " emulator: %s", l.Verdict)
	}
	fmt.Fprintln(a.s.Out)
}

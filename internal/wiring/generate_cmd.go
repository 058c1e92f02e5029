package wiring

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/fixtures"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/pipeline"
)

// GenerateOptions are generate's flags.
type GenerateOptions struct {
	ObjectType  string
	Metric      string
	All         bool
	Origin      string
	Count       int
	Seed        int64
	TestMode    bool
	BodyContent bool
	IDOnly      bool
	Start       string
	Out         string

	// Scenarios and overrides (docs/scenarios.md).
	Scenario     string
	Customers    int
	Realtime     bool
	Speed        float64
	Check        string
	JSON         bool
	Set          []string
	Unset        []string
	Merge        []string
	AllowInvalid bool
	To           string
	FlowID       string
	// Journal, NoJournal and Resume are generate --to's delivery journal, as send's.
	Journal   string
	NoJournal bool
	Resume    string
}

// DefaultGenerateJournal is generate --to's journal unless --journal names another.
const DefaultGenerateJournal = "generate.journal.jsonl"

// GeneratedInput names the generated stream in journals: event N is ("generated", N).
const GeneratedInput = "generated"

// streamKey is what makes the generated events: the options a resume must repeat, as one
// JSON text for the journal's header.
func streamKey(o GenerateOptions) string {
	k := o
	k.Out, k.Realtime, k.Speed, k.Check, k.JSON, k.To, k.FlowID = "", false, 0, "", false, "", ""
	k.Journal, k.NoJournal, k.Resume = "", false, ""
	b, _ := json.Marshal(k)
	return string(b)
}

// reproducible says why the generated events could not be made again ("" when they can):
// a resume needs the same seed and a start that does not move with the clock.
func reproducible(o GenerateOptions, seedSet bool) string {
	if !seedSet {
		return "the run had no --seed, so its events cannot be made again"
	}
	switch s := o.Start; {
	case s == "now" || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+"):
		return fmt.Sprintf("--start %s moves with the clock, so the events cannot be made again (give an absolute --start)", s)
	}
	return ""
}

// parseStart reads --start: RFC 3339, Unix seconds, "now", or a signed Go duration from now.
func parseStart(s string, now time.Time) (time.Time, error) {
	switch {
	case s == "" || s == "now":
		return now, nil
	case strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+"):
		d, err := time.ParseDuration(s)
		if err != nil {
			return time.Time{}, fmt.Errorf("--start %q: %w", s, err)
		}
		return now.Add(d), nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--start %q: want RFC 3339 (2026-01-02T15:04:05Z), Unix seconds, 'now' or an offset like -2h", s)
	}
	return t, nil
}

// selectPairs applies --type, --metric and --origin to the catalog.
func selectPairs(o GenerateOptions) ([]customerio.Pair, error) {
	if o.ObjectType != "" && !slices.Contains(customerio.ObjectTypes(), o.ObjectType) {
		return nil, Usagef("unknown object type %q (valid: %s)", o.ObjectType, strings.Join(customerio.ObjectTypes(), ", "))
	}
	origin := customerio.Origin(o.Origin)
	if o.Origin != "" && !slices.Contains(customerio.Origins(), origin) {
		return nil, Usagef("unknown origin %q (valid: campaign, broadcast, newsletter, transactional)", o.Origin)
	}
	var out []customerio.Pair
	metricKnown := false
	for _, p := range customerio.Pairs() {
		if o.ObjectType != "" && p.ObjectType != o.ObjectType {
			continue
		}
		if o.Metric != "" && p.Metric != o.Metric {
			continue
		}
		metricKnown = true
		if origin != "" && !p.AllowsOrigin(origin) {
			continue
		}
		out = append(out, p)
	}
	if !metricKnown {
		if o.ObjectType != "" {
			if p, ok := customerio.Lookup(o.ObjectType, o.Metric); ok && !p.HasPayload {
				return nil, Usagef("%s/%s can be subscribed to but Customer.io publishes no payload for it (valid metrics for %s: %s)",
					o.ObjectType, o.Metric, o.ObjectType, strings.Join(customerio.Metrics(o.ObjectType), ", "))
			}
			return nil, Usagef("unknown metric %q for %s (valid: %s)", o.Metric, o.ObjectType, strings.Join(customerio.Metrics(o.ObjectType), ", "))
		}
		var all []string
		for _, p := range customerio.Pairs() {
			if !slices.Contains(all, p.Metric) {
				all = append(all, p.Metric)
			}
		}
		return nil, Usagef("unknown metric %q (valid: %s)", o.Metric, strings.Join(all, ", "))
	}
	if len(out) == 0 {
		return nil, Usagef("no selected pair has a %s origin (transactional exists only for email and push; customer subscription events have no origin)", o.Origin)
	}
	return out, nil
}

// nextEvent yields generated events; io.EOF ends the stream.
type nextEvent func() (customerio.Event, error)

// Generate runs 'ciosim generate': changed says which flags were given.
func Generate(a *Env, o GenerateOptions, changed func(string) bool) error {
	if o.Scenario == "list" {
		return ListScenarios(a.Out)
	}
	overrides, err := parseOverrides(o)
	if err != nil {
		return err
	}
	if o.Realtime && (o.Speed <= 0 || math.IsNaN(o.Speed) || math.IsInf(o.Speed, 0)) {
		return Usagef("--speed must be a positive number, got %v", o.Speed)
	}
	if changed("speed") && !o.Realtime {
		return Usagef("--speed needs --realtime")
	}
	if o.Check != "" && (o.Out != "" || o.Realtime || o.To != "") {
		return Usagef("--check compares instead of writing: it cannot be combined with --out, --realtime or --to")
	}
	if o.FlowID != "" && o.To == "" {
		return Usagef("--flow-id needs --to")
	}
	if (o.Journal != "" || o.NoJournal || o.Resume != "") && o.To == "" {
		return Usagef("--journal, --no-journal and --resume need --to")
	}
	var fire *Run
	if o.To != "" {
		if fire, err = a.generatedRun(o.To, o.FlowID); err != nil {
			return err
		}
		if err := generateJournal(fire, o, changed("seed")); err != nil {
			return err
		}
	}
	now := time.Now()
	var next nextEvent
	total := 0
	if o.Scenario != "" {
		for _, name := range []string{"type", "metric", "all", "origin", "count", "id-only"} {
			if changed(name) {
				return Usagef("--%s cannot be used with --scenario (the scenario says what to generate)", name)
			}
		}
		if o.Customers < 0 || (changed("customers") && o.Customers == 0) {
			return Usagef("--customers must be at least 1, got %d", o.Customers)
		}
		sc, err := fixtures.Load(o.Scenario)
		if err != nil {
			var fe *fixtures.Error
			if errors.Is(err, fixtures.ErrUnknownScenario) || errors.As(err, &fe) {
				return &UsageError{Err: err}
			}
			return err
		}
		sc.TestMode = sc.TestMode || o.TestMode
		sc.BodyContent = sc.BodyContent || o.BodyContent
		ro := fixtures.RunOptions{Seed: o.Seed, SeedSet: changed("seed"), Customers: o.Customers,
			Overrides: overrides, AllowInvalid: o.AllowInvalid, Now: func() time.Time { return now }}
		if changed("start") {
			if ro.Start, err = parseStart(o.Start, now); err != nil {
				return &UsageError{Err: err}
			}
		} else if changed("seed") && sc.Start == "" {
			ro.Start = generator.SeededStart() // reproducible: no clock in seeded output
		}
		run, err := sc.Run(ro)
		if err != nil {
			return &UsageError{Err: err}
		}
		next = run.Next
	} else {
		if changed("customers") {
			return Usagef("--customers needs --scenario")
		}
		if next, total, err = a.plainEvents(o, changed("seed"), changed("count"), overrides, now); err != nil {
			return err
		}
	}
	if o.JSON && o.Check == "" {
		return Usagef("--json needs --check (generated events are JSON already)")
	}
	if o.Check != "" {
		return a.checkFixture(o.Check, next, o.JSON)
	}

	var out io.Writer = a.Out
	if fire != nil && o.Out == "" {
		out = io.Discard // firing: the events go to the endpoint (and to --out when given)
	}
	var file *AtomicFile
	if o.Out != "" && o.Out != "-" {
		file, err = CreateAtomic(o.Out, 0o644)
		if err != nil {
			return err
		}
		defer file.Abort()
		out = file
	}
	var pace *pipeline.Schedule
	if o.Realtime {
		pace = pipeline.NewSchedule(nil, o.Speed, 0)
	}
	prog := NewProgress(a.Err, fire == nil && total > 0 && a.ErrIsTerminal() && total >= 10000, "generated", total)
	eo := EmitOptions{Pace: pace, Progress: prog, Fire: fire}
	n, err := a.writeEvents(out, next, eo)
	if err != nil {
		if fire != nil && a.Ctx.Err() != nil && fire.Journal != "" {
			fire.Report.WriteText(a.Err)
			if why := reproducible(o, changed("seed")); why == "" {
				fmt.Fprintf(a.Err, "ciosim: interrupted; resume by running the same command with --resume %s\n", fire.Journal)
			}
		}
		return err
	}
	prog.Done(n)
	if fire != nil {
		if err := fire.Report.WriteText(a.Err); err != nil {
			return err
		}
		if c := fire.Report.Counts; c.Failed > 0 || c.Rejected > 0 || c.Cancelled > 0 {
			if file != nil {
				if err := file.Commit(); err != nil {
					return err
				}
			}
			return &ExitError{Code: ExitFailure}
		}
	}
	if file != nil {
		return file.Commit()
	}
	return nil
}

// parseOverrides reads --set, --unset and --merge in that order.
func parseOverrides(o GenerateOptions) ([]fixtures.Override, error) {
	var out []fixtures.Override
	for _, s := range o.Set {
		ov, err := fixtures.ParseSet(s)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		out = append(out, ov)
	}
	for _, p := range o.Unset {
		if p == "" {
			return nil, Usagef("--unset needs a path, e.g. data.identifiers.cio_id")
		}
		out = append(out, fixtures.Override{Unset: []string{p}})
	}
	for _, m := range o.Merge {
		ov, err := fixtures.ParseMerge(m)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		out = append(out, ov)
	}
	if !o.AllowInvalid {
		for _, ov := range out {
			if err := ov.Check(); err != nil {
				return nil, &UsageError{Err: err}
			}
		}
	}
	return out, nil
}

// plainEvents is the catalog mode: --type/--metric/--all/--count events, one at a time.
func (a *Env) plainEvents(o GenerateOptions, seedSet, countSet bool, overrides []fixtures.Override, now time.Time) (nextEvent, int, error) {
	pairs, err := selectPairs(o)
	if err != nil {
		return nil, 0, err
	}
	if o.Count < 1 {
		return nil, 0, Usagef("--count must be at least 1, got %d", o.Count)
	}
	if o.All && !countSet {
		o.Count = len(pairs)
	}
	if o.Start == "" && seedSet {
		o.Start = generator.SeededStart().Format(time.RFC3339) // reproducible: no clock in seeded output
	}
	start, err := parseStart(o.Start, now)
	if err != nil {
		return nil, 0, &UsageError{Err: err}
	}
	if !seedSet {
		o.Seed = now.UnixNano() % 1_000_000_000
		fmt.Fprintf(a.Err, "ciosim: seed %d (pass --seed %d to reproduce)\n", o.Seed, o.Seed)
	}
	series, err := generator.NewSeries(generator.Options{Seed: o.Seed, Start: start, TestMode: o.TestMode,
		BodyContent: o.BodyContent, IDOnly: o.IDOnly, Origin: customerio.Origin(o.Origin)},
		generator.SeriesOptions{Pairs: pairs, Count: o.Count, InTurn: o.All})
	if err != nil {
		return nil, 0, err
	}
	context.AfterFunc(a.Ctx, series.Close)
	i := 0
	next := func() (customerio.Event, error) {
		i++
		ev, err := series.Next()
		if err != nil {
			series.Close()
		}
		if err != nil || len(overrides) == 0 {
			return ev, err
		}
		ev, _, err = fixtures.Apply(ev, overrides)
		if err != nil {
			return ev, &fixtures.InvalidEventError{N: i, Err: err}
		}
		if !o.AllowInvalid {
			if err := ev.Validate(); err != nil {
				return ev, &fixtures.InvalidEventError{N: i, Err: err}
			}
		}
		return ev, nil
	}
	return next, o.Count, nil
}

// writeEvents writes (and fires) events: see WriteEvents.
func (a *Env) writeEvents(out io.Writer, next nextEvent, eo EmitOptions) (int, error) {
	n, err := WriteEvents(a.Ctx, out, next, eo)
	var ie *fixtures.InvalidEventError
	if errors.As(err, &ie) {
		return n, Usagef("%v (pass --allow-invalid to write it anyway)", err)
	}
	return n, err
}

// checkFixture regenerates into a pipe and compares it with the committed fixture.
func (a *Env) checkFixture(path string, next nextEvent, asJSON bool) error {
	drift, err := CheckFixture(a.Ctx, path, next)
	if err != nil {
		return err
	}
	if asJSON {
		if drift.Diffs == nil {
			drift.Diffs = []fixtures.LineDiff{}
		}
		b, err := json.Marshal(struct {
			File     string `json:"file"`
			UpToDate bool   `json:"up_to_date"`
			*fixtures.Drift
		}{path, drift.None(), drift})
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(a.Out, "%s\n", b); err != nil {
			return err
		}
		if drift.None() {
			return nil
		}
		return &ExitError{Code: ExitFailure}
	}
	if drift.None() {
		fmt.Fprintf(a.Err, "%s: up to date (%d events)\n", path, drift.GotLines)
		return nil
	}
	if err := drift.Write(a.Out, path); err != nil {
		return err
	}
	return &ExitError{Code: ExitFailure}
}

// generatedRun builds the delivery of generate --to: the aep client in raw mode, each
// Customer.io body exactly as generated, signed when CIOSIM_SIGNING_KEY is set, with the
// credentials 'ciosim send' reads.
func (a *Env) generatedRun(to, flowID string) (*Run, error) {
	to, flowID, err := InletURL("--to", to, flowID, a.Warn)
	if err != nil {
		return nil, err
	}
	if flowID == "" {
		return nil, Usagef("--to needs --flow-id (the dataflow id AEP gave the Customer.io source)")
	}
	key, err := a.Credential(EnvSigningKey, "")
	if err != nil {
		return nil, err
	}
	c, err := a.AEPClient(AEPTarget{URL: to, Mode: aep.ModeRaw, FlowID: flowID, SigningKey: key, Retries: 3})
	if err != nil {
		return nil, err
	}
	return &Run{Command: "generate", Client: c, Stderr: a.Err}, nil
}

// generateJournal sets up generate --to's journal: each event's outcome under
// ("generated", N); with --resume, the journal's run is continued, firing only the events
// it does not show delivered, which needs the same stream (same options, a seed, a fixed
// start).
func generateJournal(run *Run, o GenerateOptions, seedSet bool) error {
	switch {
	case o.NoJournal && (o.Journal != "" || o.Resume != ""):
		return Usagef("--no-journal cannot be combined with --journal or --resume")
	case o.NoJournal:
		return nil
	case o.Resume != "" && o.Journal != "":
		return Usagef("--resume continues the journal it names: give no --journal")
	}
	run.Journal, run.Inputs, run.Generator = Either(o.Journal, DefaultGenerateJournal), []string{GeneratedInput}, streamKey(o)
	if o.Resume == "" {
		return nil
	}
	if why := reproducible(o, seedSet); why != "" {
		return Usagef("--resume: %s", why)
	}
	st, err := pipeline.ReadJournal(o.Resume)
	if err != nil {
		return &UsageError{Err: err}
	}
	if st.First.Command != "generate" {
		return Usagef("--resume: %s is a journal of %q, not of generate --to", o.Resume, st.First.Command)
	}
	if st.First.Generator != run.Generator {
		return Usagef("--resume: the options differ from the journal's run (%s); give the same ones to make the same events", st.First.Generator)
	}
	run.Resume, run.Journal = st, o.Resume
	return nil
}

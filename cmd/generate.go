package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/fixtures"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/spf13/cobra"
)

type generateOptions struct {
	objectType  string
	metric      string
	all         bool
	origin      string
	count       int
	seed        int64
	testMode    bool
	bodyContent bool
	idOnly      bool
	start       string
	out         string

	// Scenarios and overrides (docs/scenarios.md).
	scenario     string
	customers    int
	realtime     bool
	speed        float64
	check        string
	set          []string
	unset        []string
	merge        []string
	allowInvalid bool
	to           string
	flowID       string
}

func newGenerateCmd(a *app) *cobra.Command {
	var o generateOptions
	c := &cobra.Command{
		Use:   "generate",
		Short: "Generate realistic fake Customer.io events as JSONL",
		Long: `Generate realistic Customer.io Reporting Webhook events, one JSON object per line, exactly
as Customer.io would POST them (compact, keys sorted). The same --seed and flags always give
the same bytes.

Which pairs: --type and --metric filter the catalog (see 'ciosim catalog'). With --all the
selected pairs are cycled in catalog order (one of each when --count is not given);
otherwise each event is a random pair from the selection.

Scenarios: --scenario runs a built-in scenario by name (` + "`" + `ciosim generate --scenario list` + "`" + `) or a
scenario file (YAML or JSON, see docs/scenarios.md): whole message lifecycles for a population
of customers, in timestamp order. --seed, --start and --customers replace the scenario's
values; --test-mode and --body-content switch those options on.

Overrides (like Stripe fixtures) change every generated event after generation:
--set path=value (the value is JSON when it parses as JSON, else a string), --unset path,
--merge '{json merge patch}'. Paths are dot paths such as data.campaign_id or
data.identifiers.cio_id. The result must still be a valid Customer.io event unless
--allow-invalid is given (for negative fixtures).

--check FILE regenerates and compares with a committed fixture: exit 0 when identical,
exit 1 with a readable diff when the output drifted.

--to URL --flow-id ID also fires each event, as it is written, at an AEP inlet in raw mode
(credentials from CIOSIM_SIGNING_KEY, AEP_ACCESS_TOKEN, AEP_API_KEY, AEP_IMS_ORG,
AEP_SANDBOX_NAME); with --realtime at the scenario's pace. For concurrency, rates, XDM modes
and dead letters, pipe into 'ciosim send' instead.`,
		Example: `  ciosim generate --all --seed 42
  ciosim generate --type email --metric opened --count 100 --origin newsletter
  ciosim generate --type push --all --body-content --start 2026-01-01T09:00:00Z --out push.jsonl
  ciosim generate --all --count 1000000 > /dev/null
  ciosim generate --scenario welcome-email --customers 100000 > welcome.jsonl
  ciosim generate --scenario ./my-scenario.yaml --seed 7 --set data.campaign_id=12
  ciosim generate --scenario smoke --unset data.identifiers.cio_id --merge '{"data":{"subject":"Hi"}}'
  ciosim generate --scenario push-broadcast --realtime --speed 60
  ciosim generate --scenario smoke --check fixtures/golden/smoke.jsonl
  ciosim generate --scenario push-broadcast --realtime --speed 60 --to https://dcs.adobedc.net/collection/ID --flow-id FLOW`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return a.runGenerate(c, o)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.objectType, "type", "t", "", "object type: "+strings.Join(customerio.ObjectTypes(), ", "))
	f.StringVarP(&o.metric, "metric", "m", "", "metric, e.g. sent, delivered, opened, clicked (see 'ciosim catalog')")
	f.BoolVar(&o.all, "all", false, "cycle through every selected pair (one of each unless --count is given)")
	f.StringVar(&o.origin, "origin", "", "message origin: campaign, broadcast, newsletter or transactional (default: a mix)")
	f.IntVarP(&o.count, "count", "n", 1, "number of events")
	f.Int64Var(&o.seed, "seed", 0, "random seed (default: the scenario's; otherwise a new one, printed on stderr)")
	f.BoolVar(&o.testMode, "test-mode", false, "events like Customer.io's test sends (no identifiers.cio_id)")
	f.BoolVar(&o.bodyContent, "body-content", false, "include message content (and email headers) on sent events")
	f.BoolVar(&o.idOnly, "id-only", false, "an ID-only workspace: identifiers has only id")
	f.StringVar(&o.start, "start", "now", "time of the first event: RFC 3339, Unix seconds, 'now', or an offset from now like -2h (with --scenario, default: the scenario's start)")
	f.StringVarP(&o.out, "out", "o", "", "write to this file instead of stdout (replaced only when generation succeeds)")
	f.StringVarP(&o.scenario, "scenario", "s", "", "run a scenario: a built-in name ('list' shows them) or a .yaml/.json file")
	f.IntVar(&o.customers, "customers", 0, "number of customers in the scenario (default: the scenario's)")
	f.BoolVar(&o.realtime, "realtime", false, "emit events at the pace of their timestamps (scaled by --speed)")
	f.Float64Var(&o.speed, "speed", 1, "with --realtime: how many times faster than real time")
	f.StringVar(&o.check, "check", "", "compare the output with this committed JSONL fixture; exit 1 and print a diff on drift")
	f.StringArrayVar(&o.set, "set", nil, "override a field on every event: path=value, e.g. data.campaign_id=12 (repeatable)")
	f.StringArrayVar(&o.unset, "unset", nil, "remove a field from every event, e.g. data.identifiers.cio_id (repeatable)")
	f.StringArrayVar(&o.merge, "merge", nil, "apply a JSON merge patch to every event, e.g. '{\"data\":{\"subject\":\"Hi\"}}' (repeatable)")
	f.StringVar(&o.to, "to", "", "also fire each event, as it is written, at this AEP inlet URL (raw mode, one request per event; auth and signing from the environment as for 'ciosim send')")
	f.StringVar(&o.flowID, "flow-id", "", "with --to: the dataflow id (sent as ?x-adobe-flow-id=)")
	f.BoolVar(&o.allowInvalid, "allow-invalid", false, "keep events the overrides make invalid, and accept unknown override paths (negative fixtures)")
	return c
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
func selectPairs(o generateOptions) ([]customerio.Pair, error) {
	if o.objectType != "" && !slices.Contains(customerio.ObjectTypes(), o.objectType) {
		return nil, usageErrorf("unknown object type %q (valid: %s)", o.objectType, strings.Join(customerio.ObjectTypes(), ", "))
	}
	origin := customerio.Origin(o.origin)
	if o.origin != "" && !slices.Contains(customerio.Origins(), origin) {
		return nil, usageErrorf("unknown origin %q (valid: campaign, broadcast, newsletter, transactional)", o.origin)
	}
	var out []customerio.Pair
	metricKnown := false
	for _, p := range customerio.Pairs() {
		if o.objectType != "" && p.ObjectType != o.objectType {
			continue
		}
		if o.metric != "" && p.Metric != o.metric {
			continue
		}
		metricKnown = true
		if origin != "" && !p.AllowsOrigin(origin) {
			continue
		}
		out = append(out, p)
	}
	if !metricKnown {
		if o.objectType != "" {
			if p, ok := customerio.Lookup(o.objectType, o.metric); ok && !p.HasPayload {
				return nil, usageErrorf("%s/%s can be subscribed to but Customer.io publishes no payload for it (valid metrics for %s: %s)",
					o.objectType, o.metric, o.objectType, strings.Join(customerio.Metrics(o.objectType), ", "))
			}
			return nil, usageErrorf("unknown metric %q for %s (valid: %s)", o.metric, o.objectType, strings.Join(customerio.Metrics(o.objectType), ", "))
		}
		var all []string
		for _, p := range customerio.Pairs() {
			if !slices.Contains(all, p.Metric) {
				all = append(all, p.Metric)
			}
		}
		return nil, usageErrorf("unknown metric %q (valid: %s)", o.metric, strings.Join(all, ", "))
	}
	if len(out) == 0 {
		return nil, usageErrorf("no selected pair has a %s origin (transactional exists only for email and push; customer subscription events have no origin)", o.origin)
	}
	return out, nil
}

// nextEvent yields generated events; io.EOF ends the stream.
type nextEvent func() (customerio.Event, error)

func (a *app) runGenerate(c *cobra.Command, o generateOptions) error {
	changed := c.Flags().Changed
	if o.scenario == "list" {
		return a.listScenarios()
	}
	overrides, err := parseOverrides(o)
	if err != nil {
		return err
	}
	if o.realtime && (o.speed <= 0 || math.IsNaN(o.speed) || math.IsInf(o.speed, 0)) {
		return usageErrorf("--speed must be a positive number, got %v", o.speed)
	}
	if changed("speed") && !o.realtime {
		return usageErrorf("--speed needs --realtime")
	}
	if o.check != "" && (o.out != "" || o.realtime || o.to != "") {
		return usageErrorf("--check compares instead of writing: it cannot be combined with --out, --realtime or --to")
	}
	if o.flowID != "" && o.to == "" {
		return usageErrorf("--flow-id needs --to")
	}
	var fire *wiring.Run
	if o.to != "" {
		if fire, err = a.generatedRun(o.to, o.flowID); err != nil {
			return err
		}
	}
	now := time.Now()
	var next nextEvent
	total := 0
	if o.scenario != "" {
		for _, name := range []string{"type", "metric", "all", "origin", "count", "id-only"} {
			if changed(name) {
				return usageErrorf("--%s cannot be used with --scenario (the scenario says what to generate)", name)
			}
		}
		if o.customers < 0 || (changed("customers") && o.customers == 0) {
			return usageErrorf("--customers must be at least 1, got %d", o.customers)
		}
		sc, err := fixtures.Load(o.scenario)
		if err != nil {
			var fe *fixtures.Error
			if errors.Is(err, fixtures.ErrUnknownScenario) || errors.As(err, &fe) {
				return &UsageError{Err: err}
			}
			return err
		}
		sc.TestMode = sc.TestMode || o.testMode
		sc.BodyContent = sc.BodyContent || o.bodyContent
		ro := fixtures.RunOptions{Seed: o.seed, SeedSet: changed("seed"), Customers: o.customers,
			Overrides: overrides, AllowInvalid: o.allowInvalid, Now: func() time.Time { return now }}
		if changed("start") {
			if ro.Start, err = parseStart(o.start, now); err != nil {
				return &UsageError{Err: err}
			}
		}
		run, err := sc.Run(ro)
		if err != nil {
			return &UsageError{Err: err}
		}
		next = run.Next
	} else {
		if changed("customers") {
			return usageErrorf("--customers needs --scenario")
		}
		if next, total, err = a.plainEvents(o, changed("seed"), changed("count"), overrides, now); err != nil {
			return err
		}
	}
	if o.check != "" {
		return a.checkFixture(o.check, next)
	}

	var out io.Writer = a.s.Out
	if fire != nil && o.out == "" {
		out = io.Discard // firing: the events go to the endpoint (and to --out when given)
	}
	var file *wiring.AtomicFile
	if o.out != "" && o.out != "-" {
		file, err = createAtomic(o.out)
		if err != nil {
			return err
		}
		defer file.Abort()
		out = file
	}
	var pace *pipeline.Schedule
	if o.realtime {
		pace = pipeline.NewSchedule(nil, o.speed, 0)
	}
	prog := wiring.NewProgress(a.s.Err, fire == nil && total > 0 && (a.s.Terminal || isTerminal(a.s.Err)) && total >= 10000, "generated", total)
	eo := wiring.EmitOptions{Pace: pace, Progress: prog, Fire: fire}
	n, err := a.writeEvents(out, next, eo)
	if err != nil {
		return err
	}
	prog.Done(n)
	if fire != nil {
		if err := fire.Report.WriteText(a.s.Err); err != nil {
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
func parseOverrides(o generateOptions) ([]fixtures.Override, error) {
	var out []fixtures.Override
	for _, s := range o.set {
		ov, err := fixtures.ParseSet(s)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		out = append(out, ov)
	}
	for _, p := range o.unset {
		if p == "" {
			return nil, usageErrorf("--unset needs a path, e.g. data.identifiers.cio_id")
		}
		out = append(out, fixtures.Override{Unset: []string{p}})
	}
	for _, m := range o.merge {
		ov, err := fixtures.ParseMerge(m)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		out = append(out, ov)
	}
	if !o.allowInvalid {
		for _, ov := range out {
			if err := ov.Check(); err != nil {
				return nil, &UsageError{Err: err}
			}
		}
	}
	return out, nil
}

// plainEvents is the catalog mode: --type/--metric/--all/--count events, one at a time.
func (a *app) plainEvents(o generateOptions, seedSet, countSet bool, overrides []fixtures.Override, now time.Time) (nextEvent, int, error) {
	pairs, err := selectPairs(o)
	if err != nil {
		return nil, 0, err
	}
	if o.count < 1 {
		return nil, 0, usageErrorf("--count must be at least 1, got %d", o.count)
	}
	if o.all && !countSet {
		o.count = len(pairs)
	}
	start, err := parseStart(o.start, now)
	if err != nil {
		return nil, 0, &UsageError{Err: err}
	}
	if !seedSet {
		o.seed = now.UnixNano() % 1_000_000_000
		fmt.Fprintf(a.s.Err, "ciosim: seed %d (pass --seed %d to reproduce)\n", o.seed, o.seed)
	}
	series, err := generator.NewSeries(generator.Options{Seed: o.seed, Start: start, TestMode: o.testMode,
		BodyContent: o.bodyContent, IDOnly: o.idOnly, Origin: customerio.Origin(o.origin)},
		generator.SeriesOptions{Pairs: pairs, Count: o.count, InTurn: o.all})
	if err != nil {
		return nil, 0, err
	}
	context.AfterFunc(a.ctx, series.Close)
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
		if !o.allowInvalid {
			if err := ev.Validate(); err != nil {
				return ev, &fixtures.InvalidEventError{N: i, Err: err}
			}
		}
		return ev, nil
	}
	return next, o.count, nil
}

// writeEvents writes (and fires) events: see wiring.WriteEvents.
func (a *app) writeEvents(out io.Writer, next nextEvent, eo wiring.EmitOptions) (int, error) {
	n, err := wiring.WriteEvents(a.ctx, out, next, eo)
	var ie *fixtures.InvalidEventError
	if errors.As(err, &ie) {
		return n, usageErrorf("%v (pass --allow-invalid to write it anyway)", err)
	}
	return n, err
}

// checkFixture regenerates into a pipe and compares it with the committed fixture.
func (a *app) checkFixture(path string, next nextEvent) error {
	drift, err := wiring.CheckFixture(a.ctx, path, next)
	if err != nil {
		return err
	}
	if drift.None() {
		fmt.Fprintf(a.s.Err, "%s: up to date (%d events)\n", path, drift.GotLines)
		return nil
	}
	if err := drift.Write(a.s.Out, path); err != nil {
		return err
	}
	return &ExitError{Code: ExitFailure}
}

func (a *app) listScenarios() error { return wiring.ListScenarios(a.s.Out) }

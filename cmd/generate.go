package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/fixtures"
	"github.com/ciosim/ciosim/generator"
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
	var sender *generatedSender
	if o.to != "" {
		if sender, err = a.newGeneratedSender(o.to, o.flowID); err != nil {
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
	if sender != nil && o.out == "" {
		out = io.Discard // firing: the events go to the endpoint (and to --out when given)
	}
	var file *atomicFile
	if o.out != "" && o.out != "-" {
		file, err = createAtomic(o.out)
		if err != nil {
			return err
		}
		defer file.Abort()
		out = file
	}
	var pace *pacer
	if o.realtime {
		pace = newPacer(o.speed, time.Now, sleepCtx)
	}
	prog := newProgress(a.s.Err, total > 0 && isTerminal(a.s.Err) && total >= 10000, "generated", total)
	eo := emitOptions{pace: pace, prog: prog}
	failed := 0
	if sender != nil {
		eo.send, eo.failed = sender, &failed
	}
	n, err := a.writeEvents(out, next, eo)
	if err != nil {
		return err
	}
	prog.done(n)
	if sender != nil {
		fmt.Fprintf(a.s.Err, "ciosim: fired %d events at %s: %d accepted, %d failed\n", n, sender.url, n-failed, failed)
		if failed > 0 {
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

// eventSender is what firing generated events needs from a streaming client: deliver one
// Customer.io body, returning an error when it was not accepted (after any retries).
type eventSender interface {
	SendEvent(ctx context.Context, ev customerio.Event) error
}

// emitOptions say how writeEvents paces, reports and fires events.
type emitOptions struct {
	pace *pacer
	prog *progress
	// send, when set, fires each event after it is due; failures are counted in failed and
	// reported on stderr, and do not stop the run.
	send   eventSender
	failed *int
}

// writeEvents writes events as JSONL until the stream ends, pacing them when pace is set
// and firing them when send is set.
func (a *app) writeEvents(out io.Writer, next nextEvent, eo emitOptions) (int, error) {
	pace, prog := eo.pace, eo.prog
	w := bufio.NewWriterSize(out, 256*1024)
	n := 0
	for ; ; n++ {
		if n%1024 == 0 {
			if err := a.ctx.Err(); err != nil {
				return n, err
			}
			prog.update(n)
		}
		ev, err := next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var ie *fixtures.InvalidEventError
			if errors.As(err, &ie) {
				return n, usageErrorf("%v (pass --allow-invalid to write it anyway)", err)
			}
			return n, err
		}
		if pace != nil {
			if err := w.Flush(); err != nil {
				return n, fmt.Errorf("write: %w", err)
			}
			if err := pace.wait(a.ctx, ev.Timestamp); err != nil {
				return n, err
			}
		}
		if eo.send != nil {
			if err := eo.send.SendEvent(a.ctx, ev); err != nil {
				if a.ctx.Err() != nil {
					return n, a.ctx.Err()
				}
				*eo.failed++
				fmt.Fprintf(a.s.Err, "ciosim: event %d (%s %s): %v\n", n+1, ev.Pair(), ev.EventID, err)
			}
		}
		w.Write(ev.Bytes())
		if err := w.WriteByte('\n'); err != nil {
			return n, fmt.Errorf("write: %w", err)
		}
		if pace != nil {
			if err := w.Flush(); err != nil {
				return n, fmt.Errorf("write: %w", err)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return n, fmt.Errorf("write: %w", err)
	}
	return n, nil
}

// checkFixture regenerates into a pipe and compares it with the committed fixture.
func (a *app) checkFixture(path string, next nextEvent) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("--check: %w", err)
	}
	defer f.Close()
	pr, pw := io.Pipe()
	genErr := make(chan error, 1)
	go func() {
		_, err := a.writeEvents(pw, next, emitOptions{prog: newProgress(io.Discard, false, "", 0)})
		pw.CloseWithError(err)
		genErr <- err
	}()
	drift, cmpErr := fixtures.Compare(f, pr, 10)
	pr.CloseWithError(io.ErrClosedPipe) // unblock the generator if Compare stopped early
	if err := <-genErr; err != nil && !errors.Is(err, io.ErrClosedPipe) {
		return err
	}
	if cmpErr != nil {
		return cmpErr
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

func (a *app) listScenarios() error {
	w := bufio.NewWriter(a.s.Out)
	for _, name := range fixtures.Names() {
		sc, err := fixtures.Load(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%-22s %s\n", name, sc.Description)
	}
	return w.Flush()
}

// pacer delays events so they come out at the pace of their timestamps, divided by speed.
// The first event is due at once; the clock and sleep are injected for tests.
type pacer struct {
	speed     float64
	now       func() time.Time
	sleep     func(context.Context, time.Duration) error
	started   bool
	wallStart time.Time
	firstTS   int64
}

func newPacer(speed float64, now func() time.Time, sleep func(context.Context, time.Duration) error) *pacer {
	return &pacer{speed: speed, now: now, sleep: sleep}
}

func (p *pacer) wait(ctx context.Context, ts int64) error {
	if !p.started {
		p.started, p.wallStart, p.firstTS = true, p.now(), ts
		return nil
	}
	due := p.wallStart.Add(time.Duration(float64(ts-p.firstTS) * float64(time.Second) / p.speed))
	if d := due.Sub(p.now()); d > 0 {
		return p.sleep(ctx, d)
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

package cmd

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ciosim/ciosim/customerio"
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
otherwise each event is a random pair from the selection.`,
		Example: `  ciosim generate --all --seed 42
  ciosim generate --type email --metric opened --count 100 --origin newsletter
  ciosim generate --type push --all --body-content --start 2026-01-01T09:00:00Z --out push.jsonl
  ciosim generate --all --count 1000000 > /dev/null`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return a.runGenerate(o, c.Flags().Changed("seed"), c.Flags().Changed("count"))
		},
	}
	f := c.Flags()
	f.StringVarP(&o.objectType, "type", "t", "", "object type: "+strings.Join(customerio.ObjectTypes(), ", "))
	f.StringVarP(&o.metric, "metric", "m", "", "metric, e.g. sent, delivered, opened, clicked (see 'ciosim catalog')")
	f.BoolVar(&o.all, "all", false, "cycle through every selected pair (one of each unless --count is given)")
	f.StringVar(&o.origin, "origin", "", "message origin: campaign, broadcast, newsletter or transactional (default: a mix)")
	f.IntVarP(&o.count, "count", "n", 1, "number of events")
	f.Int64Var(&o.seed, "seed", 0, "random seed (default: a new one, printed on stderr)")
	f.BoolVar(&o.testMode, "test-mode", false, "events like Customer.io's test sends (no identifiers.cio_id)")
	f.BoolVar(&o.bodyContent, "body-content", false, "include message content (and email headers) on sent events")
	f.BoolVar(&o.idOnly, "id-only", false, "an ID-only workspace: identifiers has only id")
	f.StringVar(&o.start, "start", "now", "time of the first event: RFC 3339, Unix seconds, 'now', or an offset from now like -2h")
	f.StringVarP(&o.out, "out", "o", "", "write to this file instead of stdout (replaced only when generation succeeds)")
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

func (a *app) runGenerate(o generateOptions, seedSet, countSet bool) error {
	pairs, err := selectPairs(o)
	if err != nil {
		return err
	}
	if o.count < 1 {
		return usageErrorf("--count must be at least 1, got %d", o.count)
	}
	if o.all && !countSet {
		o.count = len(pairs)
	}
	now := time.Now()
	start, err := parseStart(o.start, now)
	if err != nil {
		return &UsageError{Err: err}
	}
	if !seedSet {
		o.seed = now.UnixNano() % 1_000_000_000
		fmt.Fprintf(a.s.Err, "ciosim: seed %d (pass --seed %d to reproduce)\n", o.seed, o.seed)
	}
	g := generator.New(generator.Options{Seed: o.seed, Start: start, TestMode: o.testMode,
		BodyContent: o.bodyContent, IDOnly: o.idOnly, Origin: customerio.Origin(o.origin)})

	var out io.Writer = a.s.Out
	var file *atomicFile
	if o.out != "" && o.out != "-" {
		file, err = createAtomic(o.out)
		if err != nil {
			return err
		}
		defer file.Abort()
		out = file
	}
	w := bufio.NewWriterSize(out, 256*1024)
	prog := newProgress(a.s.Err, isTerminal(a.s.Err) && o.count >= 10000, "generated", o.count)
	for i := 0; i < o.count; i++ {
		if i%1024 == 0 {
			if err := a.ctx.Err(); err != nil {
				return err
			}
			prog.update(i)
		}
		p := pairs[i%len(pairs)]
		if !o.all {
			p = pairs[g.Faker().Rand.Intn(len(pairs))]
		}
		ev, err := g.Event(p.ObjectType, p.Metric)
		if err != nil {
			return err
		}
		w.Write(ev.Bytes())
		if err := w.WriteByte('\n'); err != nil {
			return fmt.Errorf("write: %w", err)
		}
	}
	prog.done(o.count)
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if file != nil {
		return file.Commit()
	}
	return nil
}

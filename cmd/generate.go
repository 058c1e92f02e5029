package cmd

import (
	"strings"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/spf13/cobra"
)

func newGenerateCmd(a *app) *cobra.Command {
	var o wiring.GenerateOptions
	c := &cobra.Command{
		Use:   "generate",
		Short: "Generate realistic fake Customer.io events as JSONL",
		Long: `Generate realistic Customer.io Reporting Webhook events, one JSON object per line, exactly
as Customer.io would POST them (compact, keys sorted). The same --seed and flags always give
the same bytes: with --seed and no --start the first event is at 2026-01-01T00:00:00Z
(a scenario's own start wins); --start now asks for the clock.

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
exit 1 with a readable diff when the output drifted, exit 3 when FILE cannot be read.

--to URL --flow-id ID also fires each event, as it is written, at an AEP inlet in raw mode
(credentials from CIOSIM_SIGNING_KEY, AEP_ACCESS_TOKEN, AEP_API_KEY, AEP_IMS_ORG,
AEP_SANDBOX_NAME); with --realtime at the scenario's pace. For concurrency, rates, XDM modes
and dead letters, pipe into 'ciosim send' instead.`,
		Example: `  ciosim generate --all --seed 42
  ciosim generate --type email --metric opened --count 100 --origin newsletter
  ciosim generate --type push --all --body-content --start 2026-01-01T09:00:00Z --out push.jsonl
  ciosim generate --all --count 100000 > /dev/null
  ciosim generate --scenario welcome-email --customers 10000 > welcome.jsonl
  ciosim generate --scenario ./my-scenario.yaml --seed 7 --set data.identifiers.id=user-42
  ciosim generate --scenario smoke --unset data.identifiers.cio_id --merge '{"data":{"subject":"Hi"}}'
  ciosim generate --scenario push-broadcast --realtime --speed 60
  ciosim generate --scenario smoke --customers 25 --check fixtures/golden/smoke.jsonl
  ciosim generate --scenario push-broadcast --realtime --speed 60 --to https://dcs.adobedc.net/collection/ID --flow-id FLOW`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return wiring.Generate(a.env(), o, c.Flags().Changed)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.ObjectType, "type", "t", "", "object type: "+strings.Join(customerio.ObjectTypes(), ", "))
	f.StringVarP(&o.Metric, "metric", "m", "", "metric, e.g. sent, delivered, opened, clicked (see 'ciosim catalog')")
	f.BoolVar(&o.All, "all", false, "cycle through every selected pair (one of each unless --count is given)")
	f.StringVar(&o.Origin, "origin", "", "message origin: campaign, broadcast, newsletter or transactional (default: a mix)")
	f.IntVarP(&o.Count, "count", "n", 1, "number of events")
	f.Int64Var(&o.Seed, "seed", 0, "random seed (default: the scenario's; otherwise a new one, printed on stderr)")
	f.BoolVar(&o.TestMode, "test-mode", false, "events like Customer.io's test sends (no identifiers.cio_id)")
	f.BoolVar(&o.BodyContent, "body-content", false, "include message content (and email headers) on sent events")
	f.BoolVar(&o.IDOnly, "id-only", false, "an ID-only workspace: identifiers has only id")
	f.StringVar(&o.Start, "start", "", "time of the first event: RFC 3339, Unix seconds, 'now', or an offset from now like -2h (default: with --seed, "+generator.SeededStart().Format(time.RFC3339)+", so a seed always gives the same bytes; otherwise now; with --scenario, the scenario's start)")
	f.StringVarP(&o.Out, "out", "o", "", "write to this file instead of stdout (replaced only when generation succeeds)")
	f.StringVarP(&o.Scenario, "scenario", "s", "", "run a scenario: a built-in name ('list' shows them) or a .yaml/.json file")
	f.IntVar(&o.Customers, "customers", 0, "number of customers in the scenario (default: the scenario's)")
	f.BoolVar(&o.Realtime, "realtime", false, "emit events at the pace of their timestamps (scaled by --speed)")
	f.Float64Var(&o.Speed, "speed", 1, "with --realtime: how many times faster than real time")
	f.StringVar(&o.Check, "check", "", "compare the output with this committed JSONL fixture; exit 1 and print a diff on drift")
	f.BoolVar(&o.JSON, "json", false, "with --check: print the comparison as one JSON object")
	f.StringArrayVar(&o.Set, "set", nil, "override a field on every event: path=value, e.g. data.campaign_id=12 (repeatable)")
	f.StringArrayVar(&o.Unset, "unset", nil, "remove a field from every event, e.g. data.identifiers.cio_id (repeatable)")
	f.StringArrayVar(&o.Merge, "merge", nil, "apply a JSON merge patch to every event, e.g. '{\"data\":{\"subject\":\"Hi\"}}' (repeatable)")
	f.StringVar(&o.To, "to", "", "also fire each event, as it is written, at this AEP inlet URL (raw mode, one request per event; auth and signing from the environment as for 'ciosim send')")
	f.StringVar(&o.FlowID, "flow-id", "", "with --to: the dataflow id (sent as ?x-adobe-flow-id=)")
	f.StringVar(&o.Journal, "journal", "", "with --to: delivery journal, one line per event outcome as it happens (default "+wiring.DefaultGenerateJournal+")")
	f.BoolVar(&o.NoJournal, "no-journal", false, "with --to: keep no journal")
	f.StringVar(&o.Resume, "resume", "", "with --to: continue the run of this journal, firing only the events it does not show delivered (give the same options, with --seed)")
	f.BoolVar(&o.AllowInvalid, "allow-invalid", false, "keep events the overrides make invalid, and accept unknown override paths (negative fixtures)")
	return c
}

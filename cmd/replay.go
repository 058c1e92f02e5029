package cmd

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/internal/wiring"
)

func newReplayCmd(a *app) *cobra.Command {
	o := wiring.ReplayOptions{}
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
		Example: `  ciosim replay ciosim-recordings/ --speed 10 --max-gap 5s          # at the embedded emulator
  ciosim replay ciosim-recordings/ --mode batch --speed max
  ciosim replay ciosim-recordings/ --to https://dcs.adobedc.net/collection/$INLET --flow-id $FLOW  # docs-test:skip needs a real AEP inlet
  CIOSIM_SIGNING_KEY=... ciosim replay ciosim-recordings/capture-2026-11-29-001.jsonl --shift-to-now --new-event-ids --resign-key-env CIOSIM_SIGNING_KEY`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 && o.Resume == "" {
				return usageErrorf("replay needs FILE or DIR arguments (or --resume JOURNAL)")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return wiring.Replay(a.env(), o, args, c.Flags().Changed("mapping"))
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
	f.BoolVar(&o.Follow, "follow", false, "after the inputs end, keep watching them and replay new events as they land (local files and folders, not bucket URLs)")
	f.BoolVar(&o.JSON, "json", false, "print one JSON object per event instead of a text line")
	f.StringVar(&o.Journal, "journal", "", "delivery journal: one line per event outcome as it happens (default: none)")
	f.StringVar(&o.Resume, "resume", "", "resume the run of this journal: replay only what it does not show delivered or rejected")
	return c
}

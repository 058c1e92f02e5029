package cmd

import (
	"time"

	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/secret"
	"github.com/spf13/cobra"
)

// Environment variables send reads credentials from (or the files named by the --*-file flags).
const (
	envSigningKey  = wiring.EnvSigningKey
	envAccessToken = wiring.EnvAccessToken
	envAPIKey      = wiring.EnvAPIKey
	envOrgID       = wiring.EnvOrgID
	envSandbox     = wiring.EnvSandbox
)

type sendDeps = wiring.SendDeps

// defaultSendDeps wires the real converter and mapper from the xdm package (see wiring.XDMDeps).
func defaultSendDeps() sendDeps { return sendDeps{Load: wiring.XDMDeps} }

func newSendCmd(a *app, deps sendDeps) *cobra.Command {
	var o wiring.SendOptions
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
  ciosim send events.jsonl --to https://dcs.adobedc.net/collection/$INLET --flow-id $FLOW --rate 50  # docs-test:skip needs a real AEP inlet
  ciosim send events.jsonl --mode batch --concurrency 4 --json
  ciosim send dead-letters.jsonl     # re-send what failed (add the --to and --flow-id of the failed run)`,
		RunE: func(c *cobra.Command, args []string) error {
			o.TimeoutSet = c.Flags().Changed("timeout")
			if o.JSON {
				o.Report = "json" // wiring.SendConfig gets a copy of o: set it here for the report
			}
			return wiring.Send(a.env(), o, deps, args)
		},
	}
	f := c.Flags()
	f.StringVar(&o.To, "to", "", "inlet URL, https://dcs.adobedc.net/collection/{inletId} (default: the embedded emulator)")
	f.StringVar(&o.Mode, "mode", "raw", "request shape: raw, xdm or batch")
	f.StringVar(&o.Dataflow, "dataflow", "", "a dataflow directory ('ciosim aep pull'): fire at its inlet with its flow id")
	f.StringVar(&o.FlowID, "flow-id", "", "dataflow id for raw mode (sent as ?x-adobe-flow-id=); the emulator's by default")
	f.StringVar(&o.Rate, "rate", "", "requests per second, e.g. 100 or 100/s (default: unlimited)")
	f.IntVar(&o.Concurrency, "concurrency", 8, "requests in flight")
	f.IntVar(&o.Pipeline, "pipeline", 0, "most requests one connection carries at a time to a plain http:// inlet (HTTP/1.1 pipelining); 0: concurrency/4 (at most 16) to a loopback inlet, none elsewhere; 1: none")
	f.IntVar(&o.Retries, "retries", 5, "retries per event after the first attempt")
	f.DurationVar(&o.Timeout, "timeout", 10*time.Second, "per-request timeout (4s with --customerio-semantics)")
	f.StringVar(&o.DeadLetter, "dead-letter", "dead-letters.jsonl", "file for events that could not be delivered (replaced; created only when needed; when it is also an input, rewritten to what is still not delivered)")
	f.StringVar(&o.Report, "report", "text", "final report format: text or json (on stdout)")
	f.BoolVar(&o.SyncValidation, "sync-validation", false, "ask AEP to validate synchronously (?syncValidation=true; not on batch)")
	f.BoolVar(&o.Gzip, "gzip", false, "gzip request bodies (Content-Encoding: gzip)")
	f.BoolVar(&o.Ordered, "ordered", false, "keep each customer's events in order (one worker per customer)")
	f.BoolVar(&o.CIOSemantics, "customerio-semantics", false, "send like Customer.io: 4 s timeout, one at a time in order, a failing event holds back the rest, one-hour first wait")
	f.Float64Var(&o.TimeScale, "time-scale", 1, "multiply every wait (back-off, Retry-After, Customer.io's hour) by this, e.g. 0.001")
	f.StringVar(&o.SigningKeyFile, "signing-key-file", "", "file holding the signing key (instead of "+envSigningKey+")")
	f.StringVar(&o.TokenFile, "token-file", "", "file holding the IMS access token (instead of "+envAccessToken+")")
	f.StringVar(&o.ApiKeyFile, "api-key-file", "", "file holding the API key (instead of "+envAPIKey+")")
	f.StringVar(&o.OrgID, "org-id", "", "IMS org id for x-gw-ims-org-id (default $"+envOrgID+")")
	f.StringVar(&o.Sandbox, "sandbox", "", "sandbox name for x-sandbox-name (default $"+envSandbox+")")
	f.StringVar(&o.Tenant, "tenant", "", "tenant namespace of the built-in experience-event mapping, like _acme (env CIOSIM_TENANT)")
	f.BoolVar(&o.NoProgress, "no-progress", false, "no progress bar, even on a terminal")
	f.StringVar(&o.Journal, "journal", "", "delivery journal: one line per event outcome as it happens (default: beside the dead-letter file, NAME.journal.jsonl)")
	f.BoolVar(&o.NoJournal, "no-journal", false, "keep no journal (the run cannot be resumed)")
	f.StringVar(&o.Resume, "resume", "", "resume the run of this journal: send only what it does not show delivered or rejected, from its inputs")
	f.BoolVar(&o.JSON, "json", false, "print the final report as JSON (same as --report json)")
	return c
}

// credential reads a secret from file when given, else from the environment variable env.
func (a *app) credential(env, file string) (secret.Secret, error) {
	return a.env().Credential(env, file)
}

// cmp returns a unless it is empty, else b: see wiring.Either.
func cmp(a, b string) string { return wiring.Either(a, b) }

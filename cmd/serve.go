package cmd

import (
	"github.com/ciosim/ciosim/internal/wiring"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/spf13/cobra"
)

// serveDeps are injected into serve: see wiring.ServeDeps.
type serveDeps = wiring.ServeDeps

// defaultServeDeps wires the xdm package's experience-event mapping (see wiring.XDMDeps).
func defaultServeDeps() serveDeps {
	return serveDeps{Load: wiring.XDMDeps, Compile: wiring.ControlPlaneCompile}
}

func newServeCmd(a *app, deps serveDeps) *cobra.Command {
	var o wiring.ServeOptions
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the AEP streaming emulator (a local DCS endpoint with an inspection API)",
		Long: `serve runs the local AEP streaming emulator that 'ciosim send' uses by default: it answers
POST /collection/{inletId} (raw with ?x-adobe-flow-id= or the header; XDM messages;
?syncValidation=true) and POST /collection/batch/{inletId} (207) with AEP's status codes and
bodies, maps raw posts with the built-in experience-event Data Prep mapping set (as the
dataflow would) and validates them, and keeps good and bad records apart with reasons.

The AEP control plane answers on the same port (set AEP_PLATFORM_URL and AEP_IMS_URL to the
base URL, then use 'ciosim aep ...'): POST /ims/token/v3, /data/foundation/flowservice,
/data/foundation/conversion (Data Prep), /data/foundation/schemaregistry, /data/foundation/catalog
and /data/foundation/export. Each dataflow made there gets its own inlet URL, and a raw post with
its flow id is mapped with that flow's current mapping-set version and validated against its
dataset's schema; its runs count what arrived. --state FILE keeps flows, mapping sets, schemas,
datasets and runs across restarts (tokens are never stored: clients ask again).

Inspection API on the same port:
  GET  /emulator/records?status=good|bad|all&type=email&metric=opened&event_id=ID&limit=N
  GET  /emulator/verdicts?xactionId=ID&xactionId=ID   (POST {"xactionIds":[...]} too)
  GET  /emulator/counts
  POST /emulator/reset
Every answer carries the header X-Ciosim-Emulator: 1 (bodies are AEP's): 'ciosim send' and the
other firing commands then ask /emulator/verdicts, so their report lists each bad record's
reasons as with the embedded emulator.

Your own dataflow: --mapping FILE (a Data Prep mapping set, either JSON form) and --schema
FILE (the dataset's schema: a Schema Registry export or any draft-06+ JSON Schema) make the
default flow id map raw posts with that set and validate them against that schema; XDM posts
whose header.schemaRef.id is the schema's $id are validated against it. Several flows:
--flow ID=MAPPING[,SCHEMA[,DATASET]] (repeatable; leave MAPPING empty for the built-in set).
With a DATASET (or --dataset), XDM posts naming another datasetId, or a dataset of another
schema, are refused as AEP refuses them. An XDM post naming a schema no flow knows is refused
("Message has unknown xdm format"; --unknown-schema class-rules judges it by the built-in rules
of its class instead); with no schema given at all, every XDM post gets those class rules (an
ExperienceEvent needs _id and timestamp; a profile record does not).

Like AEP: sync validation is limited to 60 requests per minute per inlet (--no-sync-limit
lifts it) and answers 501 with --no-sync-validation (regions without it); header.imsOrgId
must be the inlet's org (--ims-org); --allow-ip makes other clients get 403 with an empty
body. Kept records are capped at --max-records and --max-record-bytes (oldest dropped first
and counted in /emulator/counts).

Fault injection is seeded (--seed), so a run can be repeated: --fail takes STATUS=RATE pairs
plus timeout=RATE and reset=RATE; --latency takes 20ms, 20ms±10ms, normal:20ms±5ms or exp:20ms.
With --require-auth, requests need "Authorization: Bearer <token>" (401 without); when
AEP_ACCESS_TOKEN (or --token-file) is set, only that token is accepted (403 otherwise).`,
		Example: `  ciosim serve
  ciosim serve --mapping mapping.json --schema schema.json --dataset 5e72608b10f6e318ad2dee0f
  ciosim serve --flow 0b1d…=events.json,events.schema.json --flow 9c2e…=,profile.schema.json
  ciosim serve --listen 127.0.0.1:8788 --fail 503=0.1,429=0.05,timeout=0.01 --latency 20ms±10ms --seed 7 &
  curl -s 'http://127.0.0.1:8788/emulator/records?status=bad' | jq .`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return wiring.Serve(a.env(), o, deps) },
	}
	f := c.Flags()
	f.StringVar(&o.Listen, "listen", "127.0.0.1:8788", "address to listen on (port 0 picks a free port)")
	f.BoolVar(&o.RequireAuth, "require-auth", false, "behave as an authenticated inlet: 401 without a bearer token")
	f.StringVar(&o.TokenFile, "token-file", "", "file holding the only accepted token (instead of "+envAccessToken+")")
	f.StringVar(&o.Fail, "fail", "", "fault rates, e.g. 503=0.1,429=0.05,500=1%,timeout=0.01,reset=0.01")
	f.StringVar(&o.Latency, "latency", "", "added latency: 20ms, 20ms±10ms, normal:20ms±5ms or exp:20ms")
	f.DurationVar(&o.RetryAfter, "retry-after", time.Second, "Retry-After sent with injected 429 and 503 (0 for none)")
	f.Int64Var(&o.Seed, "seed", 1, "seed for fault injection")
	f.StringVar(&o.Tenant, "tenant", "", "tenant namespace of the experience-event mapping applied to raw posts (env CIOSIM_TENANT)")
	f.BoolVar(&o.NoMapping, "no-mapping", false, "classify raw posts against the Customer.io catalog only, without Data Prep mapping")
	f.StringVar(&o.State, "state", "", "keep the control plane's state (flows, mapping sets, schemas, datasets, runs) in this file across restarts")
	f.StringArrayVar(&o.Dataflows, "dataflow", nil, "load a dataflow directory ('ciosim aep pull') into the emulator, keeping its flow and inlet ids (repeatable)")
	f.StringVar(&o.ClientID, "client-id", "", "the only client id the IMS endpoint accepts (default: any)")
	f.StringVar(&o.SecretFile, "client-secret-file", "", "file holding the only client secret the IMS endpoint accepts (default: any)")
	f.IntVar(&o.MaxRecords, "max-records", 100_000, "records kept for inspection (oldest dropped; counts stay complete)")
	f.Int64Var(&o.MaxRecordBytes, "max-record-bytes", emulator.DefaultMaxRecordBytes, "bytes the kept records may hold (oldest dropped and counted)")
	f.StringVar(&o.Mapping, "mapping", "", "Data Prep mapping set for raw posts to the default flow id (default: the built-in experience-event set)")
	f.StringVar(&o.Schema, "schema", "", "the dataset's schema: raw posts' records and XDM posts naming its $id are validated against it")
	f.StringVar(&o.Dataset, "dataset", "", "the default flow's dataset id: XDM posts naming another datasetId are refused")
	f.StringArrayVar(&o.Flows, "flow", nil, "a dataflow: ID=MAPPING[,SCHEMA[,DATASET]] (repeatable)")
	f.StringArrayVar(&o.SchemaRefs, "schema-ref", nil, "extra schema file that the schemas' $refs point to, matched by its $id (repeatable)")
	f.StringVar(&o.IMSOrg, "ims-org", emulator.DefaultOrgID, "the inlet's IMS org: XDM posts with another header.imsOrgId are refused")
	f.BoolVar(&o.NoSyncLimit, "no-sync-limit", false, "lift AEP's limit of 60 sync-validation requests per minute")
	f.BoolVar(&o.NoSyncValidation, "no-sync-validation", false, "answer ?syncValidation=true with 501, as AEP does in regions without it")
	f.StringVar(&o.UnknownSchema, "unknown-schema", "refuse", "XDM posts naming a schema no flow knows: refuse (as AEP) or class-rules")
	f.StringArrayVar(&o.AllowIPs, "allow-ip", nil, "IP allow-list (address or CIDR, repeatable): other clients get 403 with an empty body")
	wiring.AddServerFlags(f, &o.Server)
	return c
}

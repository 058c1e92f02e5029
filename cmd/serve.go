package cmd

import (
	"fmt"
	"github.com/ciosim/ciosim/internal/wiring"
	"strings"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/controlplane"
	"github.com/ciosim/ciosim/internal/httpserve"
	"github.com/ciosim/ciosim/internal/ops"
	"github.com/spf13/cobra"
)

// serveDeps are injected into serve: the Data Prep mapper for raw posts (from the xdm
// package; nil classifies raw posts with the customerio catalog).
type serveDeps struct {
	mapper    emulator.Mapper
	validator emulator.Validator
	load      func(tenant string) (wiring.XDM, error)
	// compile builds each control-plane dataflow's mapper and validator (cmd/aepflows.go).
	compile controlplane.Compile
}

// defaultServeDeps wires the xdm package's experience-event mapping (see wiring.XDMDeps).
func defaultServeDeps() serveDeps {
	return serveDeps{load: wiring.XDMDeps, compile: controlPlaneCompile}
}

type serveOptions struct {
	listen      string
	requireAuth bool
	tokenFile   string
	fail        string
	latency     string
	retryAfter  time.Duration
	seed        int64
	maxRecords  int
	tenant      string
	noMapping   bool
	state       string
	dataflows   []string
	clientID    string
	secretFile  string

	mapping, schema, dataset string
	flows, schemaRefs        []string
	imsOrg                   string
	noSyncLimit              bool
	noSyncValidation         bool
	allowIPs                 []string
	maxRecordBytes           int64
	server                   serverOptions // TLS, logs, drain, metrics (cmd/serverops.go)
}

func newServeCmd(a *app, deps serveDeps) *cobra.Command {
	var o serveOptions
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
  GET  /emulator/counts
  POST /emulator/reset

Your own dataflow: --mapping FILE (a Data Prep mapping set, either JSON form) and --schema
FILE (the dataset's schema: a Schema Registry export or any draft-06+ JSON Schema) make the
default flow id map raw posts with that set and validate them against that schema; XDM posts
whose header.schemaRef.id is the schema's $id are validated against it. Several flows:
--flow ID=MAPPING[,SCHEMA[,DATASET]] (repeatable; leave MAPPING empty for the built-in set).
With a DATASET (or --dataset), XDM posts naming another datasetId, or a dataset of another
schema, are refused as AEP refuses them. XDM posts naming no known schema get the built-in
rules of their class (an ExperienceEvent needs _id and timestamp; a profile record does not).

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
  ciosim serve --listen 127.0.0.1:8788 --fail 503=0.1,429=0.05,timeout=0.01 --latency 20ms±10ms --seed 7
  curl -s 'http://127.0.0.1:8788/emulator/records?status=bad' | jq .`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return a.runServe(o, deps) },
	}
	f := c.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:8788", "address to listen on (port 0 picks a free port)")
	f.BoolVar(&o.requireAuth, "require-auth", false, "behave as an authenticated inlet: 401 without a bearer token")
	f.StringVar(&o.tokenFile, "token-file", "", "file holding the only accepted token (instead of "+envAccessToken+")")
	f.StringVar(&o.fail, "fail", "", "fault rates, e.g. 503=0.1,429=0.05,500=1%,timeout=0.01,reset=0.01")
	f.StringVar(&o.latency, "latency", "", "added latency: 20ms, 20ms±10ms, normal:20ms±5ms or exp:20ms")
	f.DurationVar(&o.retryAfter, "retry-after", time.Second, "Retry-After sent with injected 429 and 503 (0 for none)")
	f.Int64Var(&o.seed, "seed", 1, "seed for fault injection")
	f.StringVar(&o.tenant, "tenant", "", "tenant namespace of the experience-event mapping applied to raw posts (env CIOSIM_TENANT)")
	f.BoolVar(&o.noMapping, "no-mapping", false, "classify raw posts against the Customer.io catalog only, without Data Prep mapping")
	f.StringVar(&o.state, "state", "", "keep the control plane's state (flows, mapping sets, schemas, datasets, runs) in this file across restarts")
	f.StringArrayVar(&o.dataflows, "dataflow", nil, "load a dataflow directory ('ciosim aep pull') into the emulator, keeping its flow and inlet ids (repeatable)")
	f.StringVar(&o.clientID, "client-id", "", "the only client id the IMS endpoint accepts (default: any)")
	f.StringVar(&o.secretFile, "client-secret-file", "", "file holding the only client secret the IMS endpoint accepts (default: any)")
	f.IntVar(&o.maxRecords, "max-records", 100_000, "records kept for inspection (oldest dropped; counts stay complete)")
	f.Int64Var(&o.maxRecordBytes, "max-record-bytes", emulator.DefaultMaxRecordBytes, "bytes the kept records may hold (oldest dropped and counted)")
	f.StringVar(&o.mapping, "mapping", "", "Data Prep mapping set for raw posts to the default flow id (default: the built-in experience-event set)")
	f.StringVar(&o.schema, "schema", "", "the dataset's schema: raw posts' records and XDM posts naming its $id are validated against it")
	f.StringVar(&o.dataset, "dataset", "", "the default flow's dataset id: XDM posts naming another datasetId are refused")
	f.StringArrayVar(&o.flows, "flow", nil, "a dataflow: ID=MAPPING[,SCHEMA[,DATASET]] (repeatable)")
	f.StringArrayVar(&o.schemaRefs, "schema-ref", nil, "extra schema file that the schemas' $refs point to, matched by its $id (repeatable)")
	f.StringVar(&o.imsOrg, "ims-org", emulator.DefaultOrgID, "the inlet's IMS org: XDM posts with another header.imsOrgId are refused")
	f.BoolVar(&o.noSyncLimit, "no-sync-limit", false, "lift AEP's limit of 60 sync-validation requests per minute")
	f.BoolVar(&o.noSyncValidation, "no-sync-validation", false, "answer ?syncValidation=true with 501, as AEP does in regions without it")
	f.StringArrayVar(&o.allowIPs, "allow-ip", nil, "IP allow-list (address or CIDR, repeatable): other clients get 403 with an empty body")
	addServerFlags(f, &o.server)
	return c
}

func (a *app) runServe(o serveOptions, deps serveDeps) error {
	rt, err := a.newServerRuntime(o.server)
	if err != nil {
		return err
	}
	faults := emulator.Faults{Seed: o.seed, RetryAfter: o.retryAfter}
	if err := faults.ParseRates(o.fail); err != nil {
		return usageErrorf("--fail: %v", err)
	}
	lat, err := emulator.ParseLatency(o.latency)
	if err != nil {
		return usageErrorf("--latency: %v", err)
	}
	faults.Latency = lat
	if o.maxRecords < 1 {
		return usageErrorf("--max-records must be at least 1")
	}
	if deps.load != nil && !o.noMapping {
		d, err := deps.load(cmp(o.tenant, a.getenv("CIOSIM_TENANT")))
		if err != nil {
			return &UsageError{Err: err}
		}
		deps.mapper, deps.validator = d.Mapper, d.Validator
	}
	if o.noMapping {
		deps.mapper = nil
	}
	if o.maxRecordBytes < 1<<20 {
		return usageErrorf("--max-record-bytes must be at least 1048576 (one request body)")
	}
	allow, err := parseAllowIPs(o.allowIPs)
	if err != nil {
		return usageErrorf("%v", err)
	}
	eo := emulator.Options{RequireAuth: o.requireAuth, Mapper: deps.mapper, Validator: deps.validator, Faults: faults,
		MaxRecords: o.maxRecords, MaxRecordBytes: o.maxRecordBytes, OrgID: o.imsOrg, NoSyncLimit: o.noSyncLimit,
		NoSyncValidation: o.noSyncValidation, AllowIPs: allow}
	metrics := ops.NewEmulatorMetrics(rt.reg)
	eo.OnRecord = func(r emulator.Record) { metrics.Record(r.FlowID, r.Good) }
	static, err := a.serveFlowSource(o)
	if err != nil {
		return err
	}
	if o.requireAuth {
		if eo.Token, err = a.credential(envAccessToken, o.tokenFile); err != nil {
			return err
		}
	}
	co := controlplane.Options{Compile: deps.compile, StateFile: o.state, ClientID: o.clientID, Static: static}
	if o.secretFile != "" {
		if co.ClientSecret, err = a.credential("", o.secretFile); err != nil {
			return err
		}
	}
	cp, err := controlplane.New(co)
	if err != nil {
		return usageErrorf("%v", err)
	}
	loaded, err := loadDataflows(cp, o.dataflows)
	if err != nil {
		return err
	}
	eo.Flows = cp
	s, err := emulator.New(eo)
	if err != nil {
		return usageErrorf("%v", err)
	}
	hc := eo.HTTP
	hc.WriteTimeout = max(httpserve.DefaultWriteTimeout, faults.TimeoutHold+30*time.Second) // as emulator.Start
	ln, err := httpserve.Listen(o.listen, hc)
	if err != nil {
		return err
	}
	defer s.Close() // releases requests held by injected latency
	run := struct{ URL string }{rt.scheme() + "://" + ln.Addr().String()}
	w := a.s.Out
	inletURL := run.URL + "/collection/" + emulator.DefaultInletID
	fmt.Fprintf(w, "AEP streaming emulator listening on %s\n", run.URL)
	fmt.Fprintf(w, "  inlet URL   %s\n", inletURL)
	fmt.Fprintf(w, "  raw (Customer.io webhook URL)  %s?x-adobe-flow-id=%s\n", inletURL, emulator.DefaultFlowID)
	fmt.Fprintf(w, "  batch       %s/collection/batch/%s\n", run.URL, emulator.DefaultInletID)
	fmt.Fprintf(w, "  records     %s%srecords?status=good|bad|all\n", run.URL, emulator.InspectPrefix)
	fmt.Fprintf(w, "  counts      %s%scounts\n", run.URL, emulator.InspectPrefix)
	fmt.Fprintf(w, "  control plane  AEP_PLATFORM_URL=%s AEP_IMS_URL=%s\n", run.URL, run.URL)
	if o.state != "" {
		fmt.Fprintf(w, "  state       %s\n", o.state)
	}
	for _, l := range loaded {
		fmt.Fprintf(w, "  dataflow    %s (%s): %s/collection/%s?x-adobe-flow-id=%s\n", l.name, l.dir, run.URL, l.inlet, l.flowID)
	}
	switch {
	case o.requireAuth && !eo.Token.IsZero():
		fmt.Fprintf(w, "  auth        required (token %s)\n", eo.Token.Mask())
	case o.requireAuth:
		fmt.Fprintln(w, "  auth        required (any bearer token)")
	}
	if fs, ok := static.(*emulator.StaticFlows); ok {
		fmt.Fprintf(w, "  flows       %s\n", strings.Join(fs.IDs(), ", "))
	}
	if o.fail != "" || o.latency != "" {
		fmt.Fprintf(w, "  faults      %s latency %s seed %d\n", o.fail, lat, o.seed)
	}
	// TLS, /healthz, /readyz, /metrics and the drain (cmd/serverops.go) around the emulator
	// and control plane.
	err = rt.serve(a.ctx, ln, httpserve.Server(nil, hc), controlplane.Mount(s, cp), nil)
	if serr := cp.Save(); err == nil && serr != nil {
		err = serr
	}
	if err != nil {
		return err
	}
	if terminated(a.ctx) {
		return &ExitError{Code: ExitOK}
	}
	return nil
}

// serveFlowSource builds the flows of --mapping/--schema/--dataset (the default flow id)
// and --flow; nil when none is given.
func (a *app) serveFlowSource(o serveOptions) (emulator.FlowSource, error) {
	var specs []flowSpec
	if o.mapping != "" || o.schema != "" {
		specs = append(specs, flowSpec{ID: emulator.DefaultFlowID, Mapping: o.mapping, Schema: o.schema, Dataset: o.dataset})
	} else if o.dataset != "" {
		return nil, usageErrorf("--dataset needs --mapping or --schema")
	}
	if len(o.flows) > maxFlows {
		return nil, usageErrorf("--flow: at most %d flows", maxFlows)
	}
	for _, f := range o.flows {
		sp, err := parseFlowFlag(f)
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		specs = append(specs, sp)
	}
	if len(specs) == 0 {
		return nil, nil
	}
	if o.noMapping {
		return nil, usageErrorf("--no-mapping cannot be combined with --mapping, --schema or --flow")
	}
	fs, err := serveFlows(specs, o.schemaRefs, cmp(o.tenant, a.getenv("CIOSIM_TENANT")), o.imsOrg)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return fs, nil
}

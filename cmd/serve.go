package cmd

import (
	"fmt"
	"net"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/internal/ops"
	"github.com/spf13/cobra"
)

// serveDeps are injected into serve: the Data Prep mapper for raw posts (from the xdm
// package; nil classifies raw posts with the customerio catalog).
type serveDeps struct {
	mapper emulator.Mapper
	load   func(tenant string) (sendDeps, error)
}

// defaultServeDeps wires the xdm package's experience-event mapping (see xdmDeps).
func defaultServeDeps() serveDeps { return serveDeps{load: xdmDeps} }

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
	server      serverOptions // TLS, logs, drain, metrics (cmd/serverops.go)
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

Inspection API on the same port:
  GET  /emulator/records?status=good|bad|all&type=email&metric=opened&event_id=ID&limit=N
  GET  /emulator/counts
  POST /emulator/reset

Fault injection is seeded (--seed), so a run can be repeated: --fail takes STATUS=RATE pairs
plus timeout=RATE and reset=RATE; --latency takes 20ms, 20ms±10ms, normal:20ms±5ms or exp:20ms.
With --require-auth, requests need "Authorization: Bearer <token>" (401 without); when
AEP_ACCESS_TOKEN (or --token-file) is set, only that token is accepted (403 otherwise).`,
		Example: `  ciosim serve
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
	f.IntVar(&o.maxRecords, "max-records", 100_000, "records kept for inspection (oldest dropped; counts stay complete)")
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
		deps.mapper = d.mapper
	}
	if o.noMapping {
		deps.mapper = nil
	}
	metrics := ops.NewEmulatorMetrics(rt.reg)
	eo := emulator.Options{RequireAuth: o.requireAuth, Mapper: deps.mapper, Faults: faults, MaxRecords: o.maxRecords,
		OnRecord: func(r emulator.Record) { metrics.Record(r.FlowID, r.Good) }}
	if o.requireAuth {
		if eo.Token, err = a.credential(envAccessToken, o.tokenFile); err != nil {
			return err
		}
	}
	s, err := emulator.New(eo)
	if err != nil {
		return usageErrorf("%v", err)
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer s.Close() // releases requests held by injected latency
	run := &emulator.Running{URL: rt.scheme() + "://" + ln.Addr().String()}
	w := a.s.Out
	fmt.Fprintf(w, "AEP streaming emulator listening on %s\n", run.URL)
	fmt.Fprintf(w, "  inlet URL   %s\n", run.InletURL())
	fmt.Fprintf(w, "  raw (Customer.io webhook URL)  %s?x-adobe-flow-id=%s\n", run.InletURL(), emulator.DefaultFlowID)
	fmt.Fprintf(w, "  batch       %s/collection/batch/%s\n", run.URL, emulator.DefaultInletID)
	fmt.Fprintf(w, "  records     %s%srecords?status=good|bad|all\n", run.URL, emulator.InspectPrefix)
	fmt.Fprintf(w, "  counts      %s%scounts\n", run.URL, emulator.InspectPrefix)
	switch {
	case o.requireAuth && !eo.Token.IsZero():
		fmt.Fprintf(w, "  auth        required (token %s)\n", eo.Token.Mask())
	case o.requireAuth:
		fmt.Fprintln(w, "  auth        required (any bearer token)")
	}
	if o.fail != "" || o.latency != "" {
		fmt.Fprintf(w, "  faults      %s latency %s seed %d\n", o.fail, lat, o.seed)
	}
	if err := rt.serve(a.ctx, ln, s, nil); err != nil {
		return err
	}
	if terminated(a.ctx) {
		return &ExitError{Code: ExitOK}
	}
	return nil
}

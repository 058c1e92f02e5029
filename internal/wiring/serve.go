package wiring

import (
	"fmt"
	"strings"
	"time"

	"github.com/ciosim/ciosim/aep/dataflow"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/controlplane"
	"github.com/ciosim/ciosim/internal/httpserve"
	"github.com/ciosim/ciosim/internal/ops"
)

// ServeDeps are injected into serve: the Data Prep mapper for raw posts (from the xdm
// package; nil classifies raw posts with the customerio catalog).
type ServeDeps struct {
	Mapper    emulator.Mapper
	Validator emulator.Validator
	Load      func(tenant string) (XDM, error)
	// Compile builds each control-plane dataflow's mapper and validator (ControlPlaneCompile).
	Compile controlplane.Compile
}

// ServeOptions are serve's flags.
type ServeOptions struct {
	Listen      string
	RequireAuth bool
	TokenFile   string
	Fail        string
	Latency     string
	RetryAfter  time.Duration
	Seed        int64
	MaxRecords  int
	Tenant      string
	NoMapping   bool
	State       string
	Dataflows   []string
	ClientID    string
	SecretFile  string

	Mapping, Schema, Dataset string
	Flows, SchemaRefs        []string
	IMSOrg                   string
	NoSyncLimit              bool
	NoSyncValidation         bool
	// UnknownSchema is what XDM posts naming a schema no flow knows get: "refuse" (DCS's
	// 400 "Message has unknown xdm format"; the default) or "class-rules".
	UnknownSchema  string
	AllowIPs       []string
	MaxRecordBytes int64
	Server         ServerOptions // TLS, logs, drain, metrics (serverops.go)
}

// ControlPlaneCompile is the controlplane.Compile the emulator's dataflows use: xdm's
// CompileFlow for a mapping set and the dataset's schema, so an inlet's
// good/bad verdicts come from the user's own mapping and schema. The control plane itself
// must not import xdm.
func ControlPlaneCompile(mappingJSON, schemaJSON []byte) (emulator.Mapper, emulator.Validator, error) {
	m, v, _, err := CompileFlow(mappingJSON, schemaJSON, nil, "")
	return m, v, err
}

// Serve runs 'ciosim serve' until the context ends.
func Serve(a *Env, o ServeOptions, deps ServeDeps) error {
	rt, err := a.newServerRuntime(o.Server)
	if err != nil {
		return err
	}
	faults := emulator.Faults{Seed: o.Seed, RetryAfter: o.RetryAfter}
	if err := faults.ParseRates(o.Fail); err != nil {
		return Usagef("--fail: %v", err)
	}
	lat, err := emulator.ParseLatency(o.Latency)
	if err != nil {
		return Usagef("--latency: %v", err)
	}
	faults.Latency = lat
	if o.MaxRecords < 1 {
		return Usagef("--max-records must be at least 1")
	}
	if deps.Load != nil && !o.NoMapping {
		d, err := deps.Load(Either(o.Tenant, a.Getenv("CIOSIM_TENANT")))
		if err != nil {
			return &UsageError{Err: err}
		}
		deps.Mapper, deps.Validator = d.Mapper, d.Validator
	}
	if o.NoMapping {
		deps.Mapper = nil
	}
	if o.MaxRecordBytes < 1<<20 {
		return Usagef("--record-budget must be at least 1MiB (one request body)")
	}
	allow, err := parseAllowIPs(o.AllowIPs)
	if err != nil {
		return Usagef("%v", err)
	}
	switch o.UnknownSchema {
	case "", "refuse", "class-rules":
	default:
		return Usagef("--unknown-schema %q: want refuse or class-rules", o.UnknownSchema)
	}
	eo := emulator.Options{RequireAuth: o.RequireAuth, Mapper: deps.Mapper, Validator: deps.Validator, Faults: faults,
		MaxRecords: o.MaxRecords, MaxRecordBytes: o.MaxRecordBytes, OrgID: o.IMSOrg, NoSyncLimit: o.NoSyncLimit,
		NoSyncValidation: o.NoSyncValidation, AllowIPs: allow, ClassRulesForUnknownSchemas: o.UnknownSchema == "class-rules"}
	metrics := ops.NewEmulatorMetrics(rt.reg)
	eo.OnRecord = func(r emulator.Record) { metrics.Record(r.FlowID, r.Good) }
	static, err := a.serveFlowSource(o)
	if err != nil {
		return err
	}
	if o.RequireAuth {
		if eo.Token, err = a.Credential(EnvAccessToken, o.TokenFile); err != nil {
			return err
		}
	}
	co := controlplane.Options{Compile: deps.Compile, StateFile: o.State, ClientID: o.ClientID, Static: static}
	if o.SecretFile != "" {
		if co.ClientSecret, err = a.Credential("", o.SecretFile); err != nil {
			return err
		}
	}
	cp, err := controlplane.New(co)
	if err != nil {
		return Usagef("%v", err)
	}
	loaded, err := loadDataflows(cp, o.Dataflows)
	if err != nil {
		return err
	}
	eo.Flows = cp
	s, err := emulator.New(eo)
	if err != nil {
		return Usagef("%v", err)
	}
	hc := eo.HTTP
	hc.WriteTimeout = max(httpserve.DefaultWriteTimeout, faults.TimeoutHold+30*time.Second) // as emulator.Start
	ln, err := httpserve.Listen(o.Listen, hc)
	if err != nil {
		return err
	}
	defer s.Close() // releases requests held by injected latency
	run := struct{ URL string }{rt.scheme() + "://" + ln.Addr().String()}
	w := a.Out
	inletURL := run.URL + "/collection/" + emulator.DefaultInletID
	fmt.Fprintf(w, "AEP streaming emulator listening on %s\n", run.URL)
	fmt.Fprintf(w, "  inlet URL   %s\n", inletURL)
	fmt.Fprintf(w, "  raw (Customer.io webhook URL)  %s?x-adobe-flow-id=%s\n", inletURL, emulator.DefaultFlowID)
	fmt.Fprintf(w, "  batch       %s/collection/batch/%s\n", run.URL, emulator.DefaultInletID)
	fmt.Fprintf(w, "  records     %s%srecords?status=good|bad|all\n", run.URL, emulator.InspectPrefix)
	fmt.Fprintf(w, "  counts      %s%scounts\n", run.URL, emulator.InspectPrefix)
	fmt.Fprintf(w, "  verdicts    %s%sverdicts?xactionId=ID\n", run.URL, emulator.InspectPrefix)
	fmt.Fprintf(w, "  control plane  AEP_PLATFORM_URL=%s AEP_IMS_URL=%s\n", run.URL, run.URL)
	if o.State != "" {
		fmt.Fprintf(w, "  state       %s\n", o.State)
	}
	for _, l := range loaded {
		fmt.Fprintf(w, "  dataflow    %s (%s): %s/collection/%s?x-adobe-flow-id=%s\n", l.name, l.dir, run.URL, l.inlet, l.flowID)
	}
	switch {
	case o.RequireAuth && !eo.Token.IsZero():
		fmt.Fprintf(w, "  auth        required (token %s)\n", eo.Token.Mask())
	case o.RequireAuth:
		fmt.Fprintln(w, "  auth        required (any bearer token)")
	}
	if fs, ok := static.(*emulator.StaticFlows); ok {
		fmt.Fprintf(w, "  flows       %s\n", strings.Join(fs.IDs(), ", "))
	}
	if o.Fail != "" || o.Latency != "" {
		fmt.Fprintf(w, "  faults      %s latency %s seed %d\n", o.Fail, lat, o.Seed)
	}
	// TLS, /healthz, /readyz, /metrics and the drain (serverops.go) around the emulator
	// and control plane.
	var ids []string
	if fs, ok := static.(*emulator.StaticFlows); ok {
		ids = fs.IDs()
	}
	for _, l := range loaded {
		ids = append(ids, l.flowID)
	}
	ready := serveReady(eo.Mapper, !o.NoMapping, cp, ids)
	err = rt.serve(a.Ctx, ln, httpserve.Server(nil, hc), controlplane.Mount(s, cp), ready)
	if serr := cp.Save(); err == nil && serr != nil {
		err = serr
	}
	if err != nil {
		return err
	}
	if terminated(a.Ctx) {
		return &ExitError{Code: 0}
	}
	return nil
}

// serveFlowSource builds the flows of --mapping/--schema/--dataset (the default flow id)
// and --flow; nil when none is given.
func (a *Env) serveFlowSource(o ServeOptions) (emulator.FlowSource, error) {
	var specs []flowSpec
	if o.Mapping != "" || o.Schema != "" {
		specs = append(specs, flowSpec{ID: emulator.DefaultFlowID, Mapping: o.Mapping, Schema: o.Schema, Dataset: o.Dataset})
	} else if o.Dataset != "" {
		return nil, Usagef("--dataset needs --mapping or --schema")
	}
	if len(o.Flows) > maxFlows {
		return nil, Usagef("--flow: at most %d flows", maxFlows)
	}
	for _, f := range o.Flows {
		sp, err := parseFlowFlag(f)
		if err != nil {
			return nil, Usagef("%v", err)
		}
		specs = append(specs, sp)
	}
	if len(specs) == 0 {
		return nil, nil
	}
	if o.NoMapping {
		return nil, Usagef("--no-mapping cannot be combined with --mapping, --schema or --flow")
	}
	fs, err := serveFlows(specs, o.SchemaRefs, Either(o.Tenant, a.Getenv("CIOSIM_TENANT")), o.IMSOrg)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return fs, nil
}

// loadedFlow is a dataflow directory serve loaded.
type loadedFlow struct{ dir, name, flowID, inlet string }

// loadDataflows loads serve's --dataflow directories into the control plane.
func loadDataflows(cp *controlplane.Server, dirs []string) ([]loadedFlow, error) {
	var out []loadedFlow
	for _, dir := range dirs {
		d, err := dataflow.ReadDir(dir)
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("--dataflow: %w", err)}
		}
		df := d.Dataflow
		name := Either(df.Name, df.FlowID)
		inlet, err := cp.Load(controlplane.LoadedFlow{Sandbox: df.SandboxName, OrgID: df.IMSOrgID, FlowID: df.FlowID, Name: name,
			InletURL: df.InletURL, DatasetID: df.DatasetID, SchemaID: df.SchemaRef, Mapping: d.Mapping, Schema: d.Schema})
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("--dataflow %s: %w", dir, err)}
		}
		out = append(out, loadedFlow{dir: dir, name: name, flowID: df.FlowID, inlet: inlet})
	}
	return out, nil
}

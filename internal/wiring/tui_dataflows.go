package wiring

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/dataflow"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/controlplane"
	"github.com/ciosim/ciosim/aep/platform"
	"github.com/ciosim/ciosim/internal/httpserve"
	"github.com/ciosim/ciosim/secret"
	"github.com/ciosim/ciosim/tui"
	"github.com/ciosim/ciosim/xdm"
)

// maxDataflowDirs bounds the dataflow directories one TUI session lists.
const maxDataflowDirs = 200

// ExpandDataflowDirs resolves the TUI's --dataflow arguments: a directory holding
// dataflow.json is one dataflow; any other directory is a parent whose immediate
// sub-directories holding dataflow.json are each one (sorted by name). A parent without
// any is a usage error, and so is a path that is not a directory. Duplicates are dropped.
func ExpandDataflowDirs(args []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(d string) {
		if c := filepath.Clean(d); !seen[c] {
			seen[c] = true
			out = append(out, d)
		}
	}
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			return nil, Usagef("--dataflow %s: not a directory", a)
		}
		if _, err := os.Stat(filepath.Join(a, dataflow.DataflowFile)); err == nil {
			add(a)
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, Usagef("--dataflow %s: %v", a, err)
		}
		n := 0
		for _, e := range ents {
			sub := filepath.Join(a, e.Name())
			if e.IsDir() {
				if _, err := os.Stat(filepath.Join(sub, dataflow.DataflowFile)); err == nil {
					add(sub)
					n++
				}
			}
		}
		if n == 0 {
			return nil, Usagef("--dataflow %s: no %s in it or in its sub-directories (write one with 'ciosim aep pull FLOW_ID --out DIR')", a, dataflow.DataflowFile)
		}
	}
	if len(out) > maxDataflowDirs {
		return nil, Usagef("--dataflow: %d dataflow directories; at most %d", len(out), maxDataflowDirs)
	}
	return out, nil
}

// flowSet is a dataflow's mapping set as the TUI's transformer holds it: compiled with the
// flow's own schema, its envelope naming the flow, dataset and schema. A directory's files
// are read again on every reload; a flow pulled from the emulator keeps the bytes pulled.
type flowSet struct {
	name          string
	dir           string
	mapping, body []byte // a pulled flow's mapping set and schema (dir == "")
	env           xdm.EnvelopeOptions
}

// compile builds the set's mapper.
func (f flowSet) compile() (*xdm.Mapper, xdm.EnvelopeOptions, error) {
	mapping, schema, mappingPath, schemaPath := f.mapping, f.body, f.name, "schema.json"
	env := f.env
	if f.dir != "" {
		d, err := dataflow.ReadDir(f.dir)
		if err != nil {
			return nil, env, err
		}
		mapping, schema, mappingPath, schemaPath = d.Mapping, d.Schema, d.MappingPath(), d.SchemaPath()
		env = flowEnvelope(d.Dataflow)
	}
	ms, err := xdm.ParseMappingSet(mapping)
	if err != nil {
		return nil, env, f.locate(mappingPath, mapping, err)
	}
	ms.Name = f.name
	opts := xdm.Options{SourceFields: xdm.CustomerIOFields()}
	if schema != nil {
		s, err := xdm.LoadSchema(xdm.SchemaFile{Name: schemaPath, Data: schema})
		if err != nil {
			return nil, env, fmt.Errorf("%s: %w", schemaPath, err)
		}
		opts.Schema = s
		env.SchemaID = cmpOr(env.SchemaID, s.ID())
	} else {
		opts.Check = xdm.ClassRules{Class: ms.TargetClass()}
	}
	if env.SchemaID == "" && ms.OutputSchema != nil {
		env.SchemaID = ms.OutputSchema.SchemaRef.ID
	}
	mp, err := xdm.Compile(ms, opts)
	if err != nil {
		return nil, env, f.locate(mappingPath, mapping, err)
	}
	return mp, env, nil
}

// locate places a mapping error at its line and column when the set came from a file.
func (f flowSet) locate(path string, b []byte, err error) error {
	var pe *xdm.ParseError
	var ce *xdm.CompileError
	switch {
	case errors.As(err, &pe):
		return xdm.Locate(path, b, pe)
	case errors.As(err, &ce):
		return xdm.Locate(path, b, ce)
	}
	return fmt.Errorf("%s: %w", path, err)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// flowEnvelope is the XDM envelope of a dataflow's messages: its flow, dataset, schema
// and org, as `transform --dataflow` writes it.
func flowEnvelope(df dataflow.Dataflow) xdm.EnvelopeOptions {
	return xdm.EnvelopeOptions{FlowID: df.FlowID, DatasetID: df.DatasetID, SchemaID: df.SchemaRef, IMSOrgID: df.IMSOrgID}
}

// tuiDataflows implements tui.Dataflows: the --dataflow directories, and the flows of the
// embedded emulator's control plane (listed and pulled over HTTP with the same client and
// calls as against AEP). Choosing one compiles its mapping set and schema into the
// transformer and builds senders for its inlet: the inlet in dataflow.json (AEP, or a
// `ciosim serve` elsewhere) and its copy in the embedded emulator, whose verdict on each
// event comes from that flow's mapping set and schema.
type tuiDataflows struct {
	dirs   []string
	tr     *liveTransformer
	cp     *controlplane.Server
	client *platform.Client
	emuURL string
	emu    *emulator.Server
	dead   *DeadLetterFile
	// real are the options of senders to inlets outside the embedded emulator
	// (credentials, signing key).
	real aep.Options

	mu sync.Mutex
	// loaded are the directories whose copy in the emulator is current, by directory:
	// the inlet id it got.
	loaded map[string]string
}

var _ tui.Dataflows = (*tuiDataflows)(nil)

// emulatorKeyPrefix marks a dataflow key as a flow of the embedded emulator's control plane.
const emulatorKeyPrefix = "emulator:"

// List reads every directory (one that does not read is listed with its problem) and lists
// the emulator's Customer.io dataflows not loaded from a directory.
func (t *tuiDataflows) List(ctx context.Context) ([]tui.Dataflow, error) {
	out := []tui.Dataflow{}
	fromDir := map[string]bool{}
	for _, dir := range t.dirs {
		d, err := dataflow.ReadDir(dir)
		df := d.Dataflow
		e := tui.Dataflow{Key: dir, Name: cmpOr(df.Name, filepath.Base(dir)), FlowID: df.FlowID, Origin: "dir " + dir,
			Inlet: MaskURL(df.InletURL), MappingVersion: df.MappingVersion}
		if err != nil {
			e.Problem = err.Error()
		}
		fromDir[df.FlowID] = true
		out = append(out, e)
	}
	if t.client == nil {
		return out, nil
	}
	flows, err := dataflow.ListFlows(ctx, t.client)
	if err != nil {
		return out, fmt.Errorf("the embedded emulator's flows: %w", err)
	}
	for _, f := range flows {
		if fromDir[f.FlowID] {
			continue
		}
		out = append(out, tui.Dataflow{Key: emulatorKeyPrefix + f.FlowID, Name: cmpOr(f.Name, f.FlowID), FlowID: f.FlowID,
			Origin: "emulator", Inlet: MaskURL(f.InletURL), MappingVersion: f.MappingVersion})
	}
	return out, nil
}

// Use puts a dataflow in force: its mapping set and schema in the transformer and
// senders to its inlets.
func (t *tuiDataflows) Use(ctx context.Context, key string) (tui.DataflowInUse, error) {
	if id, ok := strings.CutPrefix(key, emulatorKeyPrefix); ok {
		return t.useEmulatorFlow(ctx, id)
	}
	if !contains(t.dirs, key) {
		return tui.DataflowInUse{}, fmt.Errorf("no dataflow %s", key)
	}
	return t.useDir(key)
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// useDir compiles a directory's mapping set and schema, loads the flow into the emulator
// (so its copy judges with the same files) and builds its senders.
func (t *tuiDataflows) useDir(dir string) (tui.DataflowInUse, error) {
	d, err := dataflow.ReadDir(dir)
	if err != nil {
		return tui.DataflowInUse{}, err
	}
	df := d.Dataflow
	fs := flowSet{name: d.MappingPath(), dir: dir}
	if err := t.tr.UseFlow(fs); err != nil {
		return tui.DataflowInUse{}, err
	}
	inlet, err := t.load(d)
	if err != nil {
		return tui.DataflowInUse{}, err
	}
	name := cmpOr(df.Name, filepath.Base(dir))
	in := tui.DataflowInUse{MappingSet: fs.name, Dataflow: tui.Dataflow{Key: dir, Name: name, FlowID: df.FlowID,
		Origin: "dir " + dir, Inlet: MaskURL(df.InletURL), MappingVersion: df.MappingVersion}}
	if u := inletBase(df.InletURL); u != "" && !strings.HasPrefix(u, t.emuURL+"/") {
		o := t.real
		o.URL, o.FlowID = u, df.FlowID
		s, err := NewTUISender(o, t.tr, t.dead, nil)
		if err != nil {
			return tui.DataflowInUse{}, fmt.Errorf("dataflow %s: inlet %s: %w", dir, MaskURL(df.InletURL), err)
		}
		in.Endpoints = append(in.Endpoints, tui.Endpoint{Label: "dataflow " + name + " " + MaskURL(u), Sender: s})
	}
	emu, err := t.emulatorEndpoint(name, inlet, df.FlowID)
	if err != nil {
		return tui.DataflowInUse{}, err
	}
	in.Endpoints = append(in.Endpoints, emu)
	return in, nil
}

// load puts a directory's flow into the emulator's control plane, replacing the copy it
// had, and returns its inlet id there.
func (t *tuiDataflows) load(d dataflow.Dir) (string, error) {
	df := d.Dataflow
	inlet, err := t.cp.Load(controlplane.LoadedFlow{Sandbox: df.SandboxName, OrgID: df.IMSOrgID, FlowID: df.FlowID,
		Name: cmpOr(df.Name, df.FlowID), InletURL: df.InletURL, DatasetID: df.DatasetID, SchemaID: df.SchemaRef,
		Mapping: d.Mapping, Schema: d.Schema})
	if err != nil {
		return "", fmt.Errorf("dataflow %s: load into the embedded emulator: %w", d.Path, err)
	}
	t.mu.Lock()
	t.loaded[d.Path] = inlet
	t.mu.Unlock()
	return inlet, nil
}

// Reload loads again into the emulator the directories in use, after a save of their
// files (the transformer recompiles them itself). A directory that no longer reads keeps
// its previous copy; the transformer's reload reports the error.
func (t *tuiDataflows) Reload(context.Context) error {
	t.mu.Lock()
	dirs := make([]string, 0, len(t.loaded))
	for d := range t.loaded {
		dirs = append(dirs, d)
	}
	t.mu.Unlock()
	sort.Strings(dirs)
	for _, dir := range dirs {
		if d, err := dataflow.ReadDir(dir); err == nil {
			_, _ = t.load(d) // best effort: the transformer's reload reports a broken file
		}
	}
	return nil
}

// useEmulatorFlow pulls a flow from the emulator's control plane (flow, target connection,
// dataset, mapping set version, schema) and puts it in force.
func (t *tuiDataflows) useEmulatorFlow(ctx context.Context, flowID string) (tui.DataflowInUse, error) {
	if t.client == nil {
		return tui.DataflowInUse{}, errors.New("no emulator control plane")
	}
	d, err := dataflow.Pull(ctx, t.client, flowID)
	if err != nil {
		return tui.DataflowInUse{}, fmt.Errorf("pull flow %s from the embedded emulator: %w", flowID, err)
	}
	df := d.Dataflow
	name := cmpOr(df.Name, df.FlowID)
	fs := flowSet{name: fmt.Sprintf("emulator flow %s v%d", name, df.MappingVersion), mapping: d.Mapping, body: d.Schema, env: flowEnvelope(df)}
	if err := t.tr.UseFlow(fs); err != nil {
		return tui.DataflowInUse{}, err
	}
	u := inletBase(df.InletURL)
	inlet := u[strings.LastIndexByte(u, '/')+1:]
	emu, err := t.emulatorEndpoint(name, inlet, df.FlowID)
	if err != nil {
		return tui.DataflowInUse{}, err
	}
	return tui.DataflowInUse{MappingSet: fs.name, Endpoints: []tui.Endpoint{emu},
		Dataflow: tui.Dataflow{Key: emulatorKeyPrefix + flowID, Name: name, FlowID: df.FlowID, Origin: "emulator",
			Inlet: MaskURL(df.InletURL), MappingVersion: df.MappingVersion}}, nil
}

// emulatorEndpoint fires at a flow's inlet in the embedded emulator, with its verdicts.
func (t *tuiDataflows) emulatorEndpoint(name, inlet, flowID string) (tui.Endpoint, error) {
	o := aep.Options{URL: t.emuURL + "/collection/" + inlet, FlowID: flowID, Retries: 1,
		Backoff: aep.Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Multiplier: 2}, SigningKey: t.real.SigningKey}
	s, err := NewTUISender(o, t.tr, t.dead, t.emu)
	if err != nil {
		return tui.Endpoint{}, err
	}
	host := strings.TrimPrefix(t.emuURL, "http://")
	return tui.Endpoint{Label: "dataflow " + name + " · emulator " + host, Sender: s}, nil
}

// inletBase is an inlet URL without its query (the flow id travels as x-adobe-flow-id).
func inletBase(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return ""
	}
	p.RawQuery, p.Fragment = "", ""
	return p.String()
}

// tuiEmulator is the TUI's embedded emulator: the DCS inlets and the control plane on one
// loopback port, as `ciosim serve` runs them, so flows can be created in it with `ciosim
// aep setup` (AEP_PLATFORM_URL and AEP_IMS_URL set to URL) and fired at from the TUI.
type tuiEmulator struct {
	dcs    *emulator.Server
	cp     *controlplane.Server
	URL    string
	client *platform.Client
	stop   func()
}

// tuiEmulatorClientID is the client id the TUI lists the emulator's flows with.
const tuiEmulatorClientID = "ciosim-tui"

// startTUIEmulator starts the embedded emulator with its control plane. sandbox is the
// sandbox its flows are listed in ("" = prod).
func startTUIEmulator(tenant, sandbox string) (*tuiEmulator, error) {
	deps, err := XDMDeps(tenant)
	if err != nil {
		return nil, err
	}
	cp, err := controlplane.New(controlplane.Options{Compile: ControlPlaneCompile})
	if err != nil {
		return nil, err
	}
	dcs, err := emulator.New(emulator.Options{Mapper: deps.Mapper, Validator: deps.Validator, Flows: cp})
	if err != nil {
		return nil, err
	}
	run, err := controlplane.Start("127.0.0.1:0", httpserve.Config{}, dcs, cp)
	if err != nil {
		return nil, fmt.Errorf("start the embedded emulator: %w", err)
	}
	c, err := platform.New(platform.Config{ClientID: tuiEmulatorClientID, ClientSecret: secret.New("local"),
		OrgID: emulator.DefaultOrgID, Sandbox: sandbox, PlatformURL: run.URL, IMSURL: run.URL, Retries: -1})
	if err != nil {
		run.Close()
		return nil, err
	}
	return &tuiEmulator{dcs: dcs, cp: cp, URL: run.URL, client: c, stop: func() { run.Close() }}, nil
}

// chainReloader reloads the transformer, then the dataflows' emulator copies.
type chainReloader struct {
	tr  tui.Reloader
	dfs *tuiDataflows
}

// Reload implements tui.Reloader.
func (c chainReloader) Reload(ctx context.Context) error {
	err := c.tr.Reload(ctx)
	if err == nil {
		_ = c.dfs.Reload(ctx) // always nil
	}
	return err
}

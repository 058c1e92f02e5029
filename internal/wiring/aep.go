package wiring

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ciosim/ciosim/aep/dataflow"
	"github.com/ciosim/ciosim/aep/platform"
	"github.com/ciosim/ciosim/xdm"
)

// AEPOptions are the flags every 'aep' subcommand shares.
type AEPOptions struct {
	Config      string
	PlatformURL string
	IMSURL      string
	Sandbox     string
	JSON        bool
}

// AEPSetupOptions are 'aep setup”s flags.
type AEPSetupOptions struct {
	Name, Mapping, SchemaID, Schema, DatasetID, Out, Tenant string
	DryRun                                                  bool
}

// AEPLogin runs 'aep login'.
func AEPLogin(a *Env, o *AEPOptions) error {
	c, err := a.platformClient(o)
	if err != nil {
		return err
	}
	l, err := dataflow.CheckLogin(a.Ctx, c)
	if err != nil {
		return err
	}
	return a.aepPrint(o, l)
}

// AEPSetup runs 'aep setup'.
func AEPSetup(a *Env, o *AEPOptions, so AEPSetupOptions) error {
	if so.Name == "" {
		return Usagef("aep setup: --name is required")
	}
	if so.Schema != "" && so.SchemaID != "" {
		return Usagef("aep setup: give --schema-id or --schema, not both")
	}
	req := dataflow.SetupRequest{Name: so.Name, SchemaID: so.SchemaID, DatasetID: so.DatasetID, DryRun: so.DryRun}
	ms, _, err := LoadMapping(so.Mapping, Either(so.Tenant, a.Getenv("CIOSIM_TENANT")))
	if err != nil {
		return err
	}
	req.Mapping = ms.JSON()
	if !slices.Contains(xdm.DefaultNames(), so.Mapping) {
		// A file is sent as written (AEP's own JSON), not re-encoded.
		if req.Mapping, err = os.ReadFile(so.Mapping); err != nil {
			return err
		}
	}
	if so.Schema != "" {
		if req.Schema, err = readSmall(so.Schema, 16<<20); err != nil {
			return &UsageError{Err: fmt.Errorf("--schema: %w", err)}
		}
	}
	c, err := a.platformClient(o)
	if err != nil {
		return err
	}
	res, err := dataflow.Setup(a.Ctx, c, req)
	if err != nil {
		return err
	}
	if so.Out != "" && !so.DryRun {
		if err := dataflow.WriteDir(dataflow.Dir{Path: so.Out, Dataflow: res.Dataflow, Mapping: res.Mapping, Schema: res.Schema}); err != nil {
			return err
		}
	}
	return a.aepPrint(o, res)
}

// AEPPull runs 'aep pull FLOW_ID --out DIR'.
func AEPPull(a *Env, o *AEPOptions, flowID, out string) error {
	if out == "" {
		return Usagef("aep pull: --out DIR is required")
	}
	c, err := a.platformClient(o)
	if err != nil {
		return err
	}
	d, err := dataflow.Pull(a.Ctx, c, flowID)
	if err != nil {
		return err
	}
	d.Path = out
	if err := dataflow.WriteDir(d); err != nil {
		return err
	}
	if o.JSON {
		return a.aepPrint(o, d.Dataflow)
	}
	fmt.Fprintf(a.Out, "pulled flow %s (mapping set %s version %d) into %s\n", d.Dataflow.FlowID, d.Dataflow.MappingID, d.Dataflow.MappingVersion, out)
	return nil
}

// AEPPush runs 'aep push DIR'.
func AEPPush(a *Env, o *AEPOptions, dir string) error {
	d, err := dataflow.ReadDir(dir)
	if err != nil {
		return &UsageError{Err: err}
	}
	c, err := a.platformClient(o)
	if err != nil {
		return err
	}
	res, err := dataflow.Push(a.Ctx, c, d)
	if err != nil {
		return err
	}
	return a.aepPrint(o, res)
}

// AEPDiff runs 'aep diff DIR'.
func AEPDiff(a *Env, o *AEPOptions, dir string) error {
	d, err := dataflow.ReadDir(dir)
	if err != nil {
		return &UsageError{Err: err}
	}
	c, err := a.platformClient(o)
	if err != nil {
		return err
	}
	res, err := dataflow.Diff(a.Ctx, c, d)
	if err != nil {
		return err
	}
	if err := a.aepPrint(o, res); err != nil {
		return err
	}
	if !res.Same {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

// AEPFlows runs 'aep flows'.
func AEPFlows(a *Env, o *AEPOptions) error {
	c, err := a.platformClient(o)
	if err != nil {
		return err
	}
	fl, err := dataflow.ListFlows(a.Ctx, c)
	if err != nil {
		return err
	}
	return a.aepPrint(o, flowsList(fl))
}

// AEPStatus runs 'aep status FLOW_ID'.
func AEPStatus(a *Env, o *AEPOptions, flowID string, since time.Duration) error {
	if since <= 0 {
		return Usagef("--since must be positive, got %s", since)
	}
	c, err := a.platformClient(o)
	if err != nil {
		return err
	}
	st, err := dataflow.FlowStatus(a.Ctx, c, flowID, time.Now().Add(-since))
	if err != nil {
		return err
	}
	return a.aepPrint(o, st)
}

// readSmall reads a file of at most limit bytes.
func readSmall(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return b, nil
}

// flowsList gives the flow summaries a JSON array form and a table form.
type flowsList []dataflow.FlowSummary

func (l flowsList) WriteText(w io.Writer) error { return dataflow.WriteFlowsText(w, l) }

// platformClient builds the control-plane client: config file, then environment, then flags.
func (a *Env) platformClient(o *AEPOptions) (*platform.Client, error) {
	var cfg platform.Config
	path := Either(o.Config, a.Getenv("AEP_CONFIG"))
	if path != "" {
		var err error
		if cfg, err = platform.LoadConfigFile(path); err != nil {
			return nil, &UsageError{Err: err}
		}
	}
	cfg = platform.ConfigFromEnv(cfg, a.Getenv)
	if o.PlatformURL != "" {
		cfg.PlatformURL = o.PlatformURL
	}
	if o.IMSURL != "" {
		cfg.IMSURL = o.IMSURL
	}
	if o.Sandbox != "" {
		cfg.Sandbox = o.Sandbox
	}
	cfg.CacheDir = a.cacheDir()
	c, err := platform.New(cfg)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return c, nil
}

// cacheDir is ciosim's user cache directory (CIOSIM_CACHE_DIR, else the XDG rule); "" when
// none can be found, which turns the token cache off.
func (a *Env) cacheDir() string {
	if d := a.Getenv("CIOSIM_CACHE_DIR"); d != "" {
		return d
	}
	if d := a.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "ciosim")
	}
	if h := a.Getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache", "ciosim")
	}
	return ""
}

// textWriter is anything with a text form.
type textWriter interface{ WriteText(io.Writer) error }

// aepPrint writes v as indented JSON with --json, else its text form.
func (a *Env) aepPrint(o *AEPOptions, v any) error {
	if o.JSON {
		enc := json.NewEncoder(a.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	}
	if t, ok := v.(textWriter); ok {
		return t.WriteText(a.Out)
	}
	_, err := fmt.Fprintln(a.Out, v)
	return err
}

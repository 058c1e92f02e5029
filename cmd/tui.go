package cmd

import (
	"encoding/json"
	"os"
	"strings"

	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/tui"
	"github.com/spf13/cobra"
)

// tuiOptions are the root command's flags: what the TUI is configured with.
type tuiOptions struct {
	config   string
	endpoint string
	flowID   string
	mode     string
	mapping  string
	schema   string
	tenant   string
	seed     int64
	watch    []string
	logFile  string
	// credential files, instead of the environment variables send also reads
	tokenFile, apiKeyFile, signingKeyFile string
	deadLetter                            string
	dataflows                             []string
	dataflowLabel                         string
	recordDir, recordAddr                 string
	concurrency                           int
}

// tuiFile is the optional config file (JSON). Flags override it. It holds no secrets:
// credentials come only from environment variables or files named by them.
type tuiFile struct {
	Endpoint string   `json:"endpoint"`
	FlowID   string   `json:"flow_id"`
	Mode     string   `json:"mode"`
	Mapping  string   `json:"mapping"`
	Tenant   string   `json:"tenant"`
	Seed     *int64   `json:"seed"`
	Watch    []string `json:"watch"`
	LogFile  string   `json:"log_file"`
	// DeadLetter is the dead-letter file.
	DeadLetter string `json:"dead_letter"`
	// RecordDir and RecordAddr configure the recorder.
	RecordDir  string `json:"record_dir"`
	RecordAddr string `json:"record_addr"`
}

// tuiConfig is the resolved configuration.
type tuiConfig = wiring.TUIConfig

// envConfig names the config file when --config is not given. Credentials come from the
// same variables as send's (AEP_ACCESS_TOKEN, AEP_API_KEY, CIOSIM_SIGNING_KEY, ...).
const envConfig = "CIOSIM_CONFIG"

// attachTUI makes the root command start the TUI when run without a subcommand.
func attachTUI(root *cobra.Command, a *app) {
	var o tuiOptions
	root.Args = cobra.NoArgs
	root.Example = `  ciosim                                  # the TUI, firing at the embedded emulator
  ciosim --watch ./fixtures --watch ./ciosim-recordings --seed 7
  AEP_ACCESS_TOKEN=... ciosim --endpoint https://dcs.adobedc.net/collection/ID --flow-id FLOW --mode xdm`
	root.RunE = func(c *cobra.Command, _ []string) error {
		if err := applyTUIDataflow(&o, c.Flags().Changed); err != nil {
			return err
		}
		cfg, err := a.tuiConfig(o, c.Flags().Changed)
		if err != nil {
			return err
		}
		cfg.Dataflow, cfg.Dataflows = o.dataflowLabel, o.dataflows
		return wiring.RunTUI(a.env(), cfg)
	}
	f := root.Flags()
	f.StringVar(&o.config, "config", "", "config file (JSON: endpoint, flow_id, mode, mapping, tenant, seed, watch, log_file); default $"+envConfig)
	f.StringVar(&o.endpoint, "endpoint", "", "streaming endpoint URL (default: the embedded AEP emulator on loopback)")
	f.StringVar(&o.flowID, "flow-id", "", "dataflow id sent as x-adobe-flow-id")
	f.StringArrayVar(&o.dataflows, "dataflow", nil, "a dataflow directory ('ciosim aep pull'), or a folder of them: fire at its inlet with its flow id and map with its mapping.json (repeatable: D switches between them; the first is used at start)")
	f.StringVar(&o.mode, "mode", "raw", "fire mode: raw, xdm or batch")
	f.StringVar(&o.mapping, "mapping", "", "mapping set: a built-in name or a mapping set JSON file (a file is watched: every save reloads it)")
	f.StringVar(&o.schema, "schema", "", "XDM schema (JSON Schema file) records are validated against; watched: every save reloads it")
	f.StringVar(&o.tenant, "tenant", "", "XDM tenant id (the _tenant namespace in mapped paths)")
	f.Int64Var(&o.seed, "seed", 1, "random seed for generated events")
	f.StringArrayVar(&o.watch, "watch", nil, "folder of fixture or recording JSONL files to list and watch, or a bucket URL (s3://, gs://, azblob://, file://, mem://) listed once with its segments merged (repeatable)")
	f.StringVar(&o.logFile, "log-file", "", "write a JSON log here (nothing is logged to the terminal)")
	f.StringVar(&o.deadLetter, "dead-letter", "", "append events that could not be delivered to this JSONL file (re-sendable with 'ciosim send'); the d key lists them")
	f.IntVar(&o.concurrency, "concurrency", 4, "requests in flight when firing many events or replaying flat out")
	f.StringVar(&o.recordDir, "record-dir", "", "folder the R key records webhook captures into (default: the first --watch folder, else ./"+recordings.DefaultDir+")")
	f.StringVar(&o.recordAddr, "record-addr", "127.0.0.1:0", "address the R key's capturing receiver listens on (port 0: any free port, shown on screen)")
	f.StringVar(&o.tokenFile, "token-file", "", "file holding the IMS access token (instead of "+envAccessToken+")")
	f.StringVar(&o.apiKeyFile, "api-key-file", "", "file holding the API key (instead of "+envAPIKey+")")
	f.StringVar(&o.signingKeyFile, "signing-key-file", "", "file holding the Reporting Webhook signing key (instead of "+envSigningKey+"): signs raw sends, verifies recorded requests")
}

// tuiConfig merges the config file, the flags (which win) and the environment.
func (a *app) tuiConfig(o tuiOptions, changed func(string) bool) (tuiConfig, error) {
	var file tuiFile
	path := o.config
	if path == "" {
		path = a.getenv(envConfig)
	}
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return tuiConfig{}, usageErrorf("config: %w", err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&file); err != nil {
			return tuiConfig{}, usageErrorf("config %s: %v", path, err)
		}
	}
	pick := func(flag, flagVal, fileVal string) string {
		if changed(flag) || fileVal == "" {
			return flagVal
		}
		return fileVal
	}
	cfg := tuiConfig{
		Endpoint: pick("endpoint", o.endpoint, file.Endpoint),
		FlowID:   pick("flow-id", o.flowID, file.FlowID),
		Mode:     tui.Mode(pick("mode", o.mode, file.Mode)),
		Mapping:  pick("mapping", o.mapping, file.Mapping),
		Tenant:   pick("tenant", o.tenant, file.Tenant),
		LogFile:  pick("log-file", o.logFile, file.LogFile),
		Seed:     o.seed,
		Watch:    o.watch,
		Schema:   o.schema,
	}
	if !changed("seed") && file.Seed != nil {
		cfg.Seed = *file.Seed
	}
	if !changed("watch") && len(file.Watch) > 0 {
		cfg.Watch = file.Watch
	}
	switch cfg.Mode {
	case tui.ModeRaw, tui.ModeXDM, tui.ModeBatch:
	default:
		return tuiConfig{}, usageErrorf("--mode %q: want raw, xdm or batch", cfg.Mode)
	}
	for _, d := range wiring.LocalDirs(cfg.Watch) { // a bucket URL is listed, not watched
		if st, err := os.Stat(d); err != nil || !st.IsDir() {
			return tuiConfig{}, usageErrorf("--watch %s: not a folder", d)
		}
	}
	var err error
	if cfg.Auth.Token, err = a.credential(envAccessToken, o.tokenFile); err != nil {
		return tuiConfig{}, usageErrorf("%v", err)
	}
	if cfg.Auth.APIKey, err = a.credential(envAPIKey, o.apiKeyFile); err != nil {
		return tuiConfig{}, usageErrorf("%v", err)
	}
	if cfg.SigningKey, err = a.credential(envSigningKey, o.signingKeyFile); err != nil {
		return tuiConfig{}, usageErrorf("%v", err)
	}
	cfg.Auth.OrgID, cfg.Auth.Sandbox = a.getenv(envOrgID), a.getenv(envSandbox)
	cfg.DeadLetter = pick("dead-letter", o.deadLetter, file.DeadLetter)
	cfg.RecordDir = pick("record-dir", o.recordDir, file.RecordDir)
	cfg.RecordAddr = pick("record-addr", o.recordAddr, file.RecordAddr)
	cfg.Concurrency = o.concurrency
	if cfg.Concurrency == 0 && !changed("concurrency") {
		cfg.Concurrency = 4
	}
	if cfg.Concurrency < 1 {
		return tuiConfig{}, usageErrorf("--concurrency must be at least 1, got %d", cfg.Concurrency)
	}
	if cfg.RecordDir == "" {
		cfg.RecordDir = recordings.DefaultDir
		if local := wiring.LocalDirs(cfg.Watch); len(local) > 0 {
			cfg.RecordDir = local[0]
		}
	}
	if cfg.Endpoint != "" {
		if cfg.Endpoint, cfg.FlowID, err = wiring.InletURL("--endpoint", cfg.Endpoint, cfg.FlowID, nil); err != nil {
			return tuiConfig{}, err
		}
		if cfg.Mode == tui.ModeRaw && cfg.FlowID == "" {
			return tuiConfig{}, usageErrorf("--endpoint in raw mode needs --flow-id (the dataflow id AEP gave the Customer.io source)")
		}
	}
	return cfg, nil
}

package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/aymanbagabas/go-osc52/v2"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/secret"
	"github.com/ciosim/ciosim/tui"
	"github.com/muesli/termenv"
	"github.com/spf13/cobra"
)

// tuiOptions are the root command's flags: what the TUI is configured with.
type tuiOptions struct {
	config   string
	endpoint string
	flowID   string
	mode     string
	mapping  string
	tenant   string
	seed     int64
	watch    []string
	logFile  string
	// credential files, instead of the environment variables send also reads
	tokenFile, apiKeyFile, signingKeyFile string
	deadLetter                            string
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
type tuiConfig struct {
	Endpoint    string
	FlowID      string
	Mode        tui.Mode
	Mapping     string
	Tenant      string
	Seed        int64
	Watch       []string
	LogFile     string
	Auth        aep.Auth
	SigningKey  secret.Secret
	DeadLetter  string
	RecordDir   string
	RecordAddr  string
	Concurrency int
}

// envConfig names the config file when --config is not given. Credentials come from the
// same variables as send's (AEP_ACCESS_TOKEN, AEP_API_KEY, CIOSIM_SIGNING_KEY, ...).
const envConfig = "CIOSIM_CONFIG"

// attachTUI makes the root command start the TUI when run without a subcommand.
func attachTUI(root *cobra.Command, a *app) {
	var o tuiOptions
	root.Args = cobra.NoArgs
	root.Example = `  ciosim                                  # the TUI, firing at the embedded emulator
  ciosim --watch ./fixtures --watch ./recordings --seed 7
  CIOSIM_AEP_TOKEN=... ciosim --endpoint https://dcs.adobedc.net/collection/ID --flow-id FLOW --mode xdm`
	root.RunE = func(c *cobra.Command, _ []string) error {
		cfg, err := a.tuiConfig(o, c.Flags().Changed)
		if err != nil {
			return err
		}
		return a.runTUI(cfg)
	}
	f := root.Flags()
	f.StringVar(&o.config, "config", "", "config file (JSON: endpoint, flow_id, mode, mapping, tenant, seed, watch, log_file); default $"+envConfig)
	f.StringVar(&o.endpoint, "endpoint", "", "streaming endpoint URL (default: the embedded AEP emulator on loopback)")
	f.StringVar(&o.flowID, "flow-id", "", "dataflow id sent as x-adobe-flow-id")
	f.StringVar(&o.mode, "mode", "raw", "fire mode: raw, xdm or batch")
	f.StringVar(&o.mapping, "mapping", "", "mapping set: a built-in name or a mapping set JSON file")
	f.StringVar(&o.tenant, "tenant", "", "XDM tenant id (the _tenant namespace in mapped paths)")
	f.Int64Var(&o.seed, "seed", 1, "random seed for generated events")
	f.StringArrayVar(&o.watch, "watch", nil, "folder of fixture or recording JSONL files to list and watch (repeatable)")
	f.StringVar(&o.logFile, "log-file", "", "write a JSON log here (nothing is logged to the terminal)")
	f.StringVar(&o.deadLetter, "dead-letter", "", "append events that could not be delivered to this JSONL file (re-sendable with 'ciosim send'); the d key lists them")
	f.IntVar(&o.concurrency, "concurrency", 4, "requests in flight when firing many events or replaying flat out")
	f.StringVar(&o.recordDir, "record-dir", "", "folder the R key records webhook captures into (default: the first --watch folder, else ./recordings)")
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
	for _, d := range cfg.Watch {
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
		cfg.RecordDir = "recordings"
		if len(cfg.Watch) > 0 {
			cfg.RecordDir = cfg.Watch[0]
		}
	}
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return tuiConfig{}, usageErrorf("--endpoint %q: want an inlet URL like https://dcs.adobedc.net/collection/{inletId}", cfg.Endpoint)
		}
		if cfg.Mode == tui.ModeRaw && cfg.FlowID == "" {
			return tuiConfig{}, usageErrorf("--endpoint in raw mode needs --flow-id (the dataflow id AEP gave the Customer.io source)")
		}
	}
	return cfg, nil
}

// nonTTYHint is printed instead of starting the TUI when stdout is not a terminal.
const nonTTYHint = `ciosim: the TUI needs a terminal, and stdout is not one.
Use the commands instead, for example:
  ciosim generate --type email --metric opened --count 10
  ciosim catalog
Run 'ciosim --help' for the full list.
`

func (a *app) runTUI(cfg tuiConfig) error {
	if !isTerminal(a.s.Out) {
		fmt.Fprint(a.s.Err, nonTTYHint)
		return &ExitError{Code: ExitFailure}
	}
	logger, closeLog, err := openLog(cfg.LogFile)
	if err != nil {
		return err
	}
	defer closeLog()
	if a.noColor() {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
	ctx, cancel := context.WithCancel(a.ctx)
	defer cancel()
	deps, opts, cleanup, err := a.wireTUI(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer cleanup()
	m := tui.New(ctx, deps, opts)
	p := tea.NewProgram(m, tea.WithContext(ctx), tea.WithAltScreen(),
		tea.WithInput(a.s.In), tea.WithOutput(a.s.Out))
	final, err := p.Run()
	switch {
	case errors.Is(err, tea.ErrProgramPanic): // also wraps ErrProgramKilled: a crash, not an interrupt
		return fmt.Errorf("tui: %w", err)
	case errors.Is(err, tea.ErrInterrupted), errors.Is(err, tea.ErrProgramKilled):
		return context.Canceled
	case err != nil:
		return fmt.Errorf("tui: %w", err)
	}
	if fm, ok := final.(tui.Model); ok && fm.Err() != nil {
		return fm.Err()
	}
	return nil
}

func openLog(path string) (*slog.Logger, func(), error) {
	if path == "" {
		return slog.New(slog.DiscardHandler), func() {}, nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, usageErrorf("--log-file: %w", err)
	}
	return slog.New(slog.NewJSONHandler(f, nil)), func() { f.Close() }, nil
}

// wireTUI builds the TUI's collaborators from the configuration. cleanup releases what it
// started (watcher, emulator, recorder) and must be called after the program ends.
func (a *app) wireTUI(ctx context.Context, cfg tuiConfig, logger *slog.Logger) (tui.Deps, tui.Options, func(), error) {
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	deps := tui.Deps{
		NewGenerator: func(seed int64) tui.EventGenerator {
			return generator.New(generator.Options{Seed: seed})
		},
		Clipboard: osc52Clipboard{w: a.clipboardWriter(), tmux: a.getenv("TMUX") != ""},
		Logger:    logger,
	}
	opts := tui.Options{
		Seed:        cfg.Seed,
		Mode:        cfg.Mode,
		MappingSet:  cfg.Mapping,
		WatchDirs:   cfg.Watch,
		SaveDir:     ".",
		Concurrency: cfg.Concurrency,
	}
	if opts.MappingSet == "" {
		opts.MappingSet = "experience-event"
	}
	tr, err := newXDMTransformer(opts.MappingSet, cfg.Tenant, cfg.FlowID)
	if err != nil {
		return tui.Deps{}, tui.Options{}, cleanup, err
	}
	deps.Transformer = tr
	opts.MappingSets = tr.Names()
	if len(cfg.Watch) > 0 {
		opts.SaveDir = cfg.Watch[0]
	}
	var dead *deadLetterFile
	if cfg.DeadLetter != "" {
		dead = &deadLetterFile{path: cfg.DeadLetter}
		deps.DeadLetters = dead
	}
	if sc, err := newFixtureScenarios(); err == nil {
		deps.Scenarios = sc
	} else {
		logger.Warn("scenarios", "err", err)
	}
	if len(cfg.Watch) > 0 {
		ch, err := watchChanges(ctx, cfg.Watch)
		if err != nil {
			return tui.Deps{}, tui.Options{}, cleanup, err
		}
		deps.Changes = ch
	}
	if cfg.RecordAddr != "" {
		rec := newRecorder(cfg.RecordAddr, cfg.RecordDir, cfg.SigningKey)
		deps.Recorder = rec
		cleanups = append(cleanups, func() { _ = rec.Stop(context.Background()) })
	}
	// The embedded emulator always runs: it is the default endpoint, and the one E switches
	// back to when a real endpoint is configured.
	run, stop, err := startEmulator(cfg.Tenant)
	if err != nil {
		return tui.Deps{}, tui.Options{}, cleanup, err
	}
	cleanups = append(cleanups, stop)
	emuOpts := aep.Options{URL: run.InletURL(), FlowID: emulator.DefaultFlowID, Retries: 1,
		Backoff: aep.Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Multiplier: 2}, SigningKey: cfg.SigningKey}
	emu, err := newTUISender(emuOpts, tr, dead)
	if err != nil {
		return tui.Deps{}, tui.Options{}, cleanup, err
	}
	host := strings.TrimPrefix(run.URL, "http://")
	emuEndpoint := tui.Endpoint{Label: "emulator " + host, Sender: emu}
	if cfg.Endpoint != "" {
		real, err := newTUISender(aep.Options{URL: cfg.Endpoint, FlowID: cfg.FlowID, Auth: cfg.Auth, SigningKey: cfg.SigningKey, Retries: 2}, tr, dead)
		if err != nil {
			return tui.Deps{}, tui.Options{}, cleanup, &UsageError{Err: err}
		}
		deps.Endpoints = []tui.Endpoint{{Label: maskURL(cfg.Endpoint), Sender: real}, emuEndpoint}
		opts.Info = "firing at " + maskURL(cfg.Endpoint) + "; E switches to the embedded emulator on " + host
	} else {
		deps.Endpoints = []tui.Endpoint{emuEndpoint}
		opts.Info = "embedded AEP emulator on " + host + " (no endpoint configured)"
	}
	return deps, opts, cleanup, nil
}

// clipboardWriter is where OSC52 goes: stderr when it is the terminal (so the sequence
// never interleaves with the TUI's frames on stdout), else stdout.
func (a *app) clipboardWriter() io.Writer {
	if isTerminal(a.s.Err) {
		return a.s.Err
	}
	return a.s.Out
}

// osc52Clipboard copies with the OSC52 escape sequence, which terminals (and tmux with
// set-clipboard on) turn into a clipboard write, also over SSH.
type osc52Clipboard struct {
	w    io.Writer
	tmux bool
}

var _ tui.Clipboard = osc52Clipboard{}

func (c osc52Clipboard) Copy(_ context.Context, text string) error {
	seq := osc52.New(text)
	if c.tmux {
		seq = seq.Tmux()
	}
	_, err := seq.WriteTo(c.w)
	return err
}

// maskURL returns u fit for the status bar: a password in the user info and the values of
// query parameters that look like credentials are replaced by "***". A URL that does not
// parse is shown only by its scheme and host, so nothing secret can leak through it.
func maskURL(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		if i := strings.Index(u, "://"); i >= 0 {
			rest := u[i+3:]
			if j := strings.IndexAny(rest, "/?#"); j >= 0 {
				rest = rest[:j]
			}
			if k := strings.LastIndexByte(rest, '@'); k >= 0 {
				rest = "***@" + rest[k+1:]
			}
			return u[:i+3] + rest
		}
		return "(invalid URL)"
	}
	if p.User != nil {
		if _, ok := p.User.Password(); ok {
			p.User = url.UserPassword(p.User.Username(), "***")
		} else {
			p.User = url.User("***")
		}
	}
	q := p.Query()
	changed := false
	for k := range q {
		l := strings.ToLower(k)
		for _, w := range []string{"token", "key", "secret", "sig", "password", "auth"} {
			if strings.Contains(l, w) {
				q.Set(k, "***")
				changed = true
				break
			}
		}
	}
	if changed {
		p.RawQuery = strings.ReplaceAll(q.Encode(), "%2A%2A%2A", "***")
	}
	return strings.Replace(p.String(), "%2A%2A%2A", "***", 1)
}

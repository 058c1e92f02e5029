package wiring

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/dataflow"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/secret"
	"github.com/ciosim/ciosim/tui"
)

// TUIConfig is the TUI's configuration, from flags, the config file and the environment.
type TUIConfig struct {
	Endpoint string
	FlowID   string
	Mode     tui.Mode
	Mapping  string
	// Schema is an XDM schema file records are validated against ("" = the class rules);
	// it and a Mapping file are watched and reloaded on save.
	Schema      string
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
	// Dataflow names the dataflow directory's flow in the endpoint label ("" = none).
	Dataflow string
	// Dataflows are the dataflow directories the picker lists (ExpandDataflowDirs); the
	// first is the one Dataflow names, in force at start.
	Dataflows []string
}

// WireTUI builds the TUI's collaborators from the configuration. cleanup releases what it
// started (watcher, emulator, recorder) and must be called after the program ends.
func WireTUI(ctx context.Context, cfg TUIConfig, logger *slog.Logger, clip tui.Clipboard) (tui.Deps, tui.Options, func(), error) {
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
		Clipboard:   clip,
		Logger:      logger,
		OpenRecords: OpenRecords,
		Segments:    CountSegments,
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
	tr, err := NewLiveTransformer(opts.MappingSet, cfg.Tenant, cfg.FlowID, cfg.Schema)
	if err != nil {
		return tui.Deps{}, tui.Options{}, cleanup, err
	}
	deps.Transformer = tr
	opts.MappingSets = tr.Names()
	tr.WatchDataflows(cfg.Dataflows)
	// The embedded emulator always runs, with its control plane: it is the default
	// endpoint, the one E switches back to when a real endpoint is configured, and where
	// the picker's dataflows are fired at locally.
	emuRun, err := startTUIEmulator(cfg.Tenant, cfg.Auth.Sandbox)
	if err != nil {
		return tui.Deps{}, tui.Options{}, cleanup, err
	}
	cleanups = append(cleanups, emuRun.stop)
	var dead *DeadLetterFile
	if cfg.DeadLetter != "" {
		dead = &DeadLetterFile{path: cfg.DeadLetter}
		deps.DeadLetters = dead
	}
	dfs := &tuiDataflows{dirs: cfg.Dataflows, tr: tr, cp: emuRun.cp, client: emuRun.client, emuURL: emuRun.URL, emu: emuRun.dcs,
		dead: dead, loaded: map[string]string{},
		real: aep.Options{Auth: cfg.Auth, SigningKey: cfg.SigningKey, Retries: 2}}
	deps.Dataflows = dfs
	if files := tr.Watched(); len(files) > 0 {
		ch, err := WatchFiles(ctx, files)
		if err != nil {
			return tui.Deps{}, tui.Options{}, cleanup, Usagef("watch %v: %v", files, err)
		}
		deps.MappingChanges, deps.Reloader = ch, chainReloader{tr: tr, dfs: dfs}
	}
	local := LocalDirs(cfg.Watch) // bucket URLs are listed once, not watched or written
	if len(local) > 0 {
		opts.SaveDir = local[0]
	}
	if sc, err := NewFixtureScenarios(); err == nil {
		deps.Scenarios = sc
	} else {
		logger.Warn("scenarios", "err", err)
	}
	if len(local) > 0 {
		ch, err := WatchChanges(ctx, local)
		if err != nil {
			return tui.Deps{}, tui.Options{}, cleanup, err
		}
		deps.Changes = ch
	}
	if cfg.RecordAddr != "" {
		rec := NewRecorder(cfg.RecordAddr, cfg.RecordDir, cfg.SigningKey)
		deps.Recorder = rec
		cleanups = append(cleanups, func() { _ = rec.Stop(context.Background()) })
	}
	emuOpts := aep.Options{URL: emuRun.URL + "/collection/" + emulator.DefaultInletID, FlowID: emulator.DefaultFlowID, Retries: 1,
		Backoff: aep.Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Multiplier: 2}, SigningKey: cfg.SigningKey}
	emu, err := NewTUISender(emuOpts, tr, dead, emuRun.dcs)
	if err != nil {
		return tui.Deps{}, tui.Options{}, cleanup, err
	}
	host := strings.TrimPrefix(emuRun.URL, "http://")
	emuEndpoint := tui.Endpoint{Label: "emulator " + host, Sender: emu}
	if len(cfg.Dataflows) > 0 {
		// The dataflow in force at start has its copy in the emulator: E fires there, and
		// the verdicts come from its mapping set and schema.
		if d, err := dataflow.ReadDir(cfg.Dataflows[0]); err == nil {
			if inlet, err := dfs.load(d); err == nil {
				name := cmpOr(d.Dataflow.Name, filepath.Base(d.Path))
				if emuEndpoint, err = dfs.emulatorEndpoint(name, inlet, d.Dataflow.FlowID); err != nil {
					return tui.Deps{}, tui.Options{}, cleanup, err
				}
			}
		}
	}
	if cfg.Endpoint != "" {
		real, err := NewTUISender(aep.Options{URL: cfg.Endpoint, FlowID: cfg.FlowID, Auth: cfg.Auth, SigningKey: cfg.SigningKey, Retries: 2}, tr, dead, nil)
		if err != nil {
			return tui.Deps{}, tui.Options{}, cleanup, &UsageError{Err: err}
		}
		label := MaskURL(cfg.Endpoint)
		if cfg.Dataflow != "" {
			label = "dataflow " + cfg.Dataflow + " " + label
		}
		deps.Endpoints = []tui.Endpoint{{Label: label, Sender: real}, emuEndpoint}
		opts.Info = "firing at " + label + "; E switches to the embedded emulator on " + host
	} else {
		deps.Endpoints = []tui.Endpoint{emuEndpoint}
		opts.Info = "embedded AEP emulator on " + host + " (no endpoint configured)"
	}
	opts.Info += "; D lists dataflows"
	opts.ControlPlane = emuRun.URL
	if len(cfg.Dataflows) > 0 {
		opts.Dataflow = tui.Dataflow{Key: cfg.Dataflows[0], Name: cfg.Dataflow}
	}
	return deps, opts, cleanup, nil
}

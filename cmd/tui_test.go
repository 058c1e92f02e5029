package cmd

import (
	"context"
	"fmt"
	"github.com/ciosim/ciosim/internal/wiring"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/xdm"
)

func TestTUI_notATerminalPrintsHint(t *testing.T) {
	code, stdout, stderr := run(t, nil, "")
	if code != ExitFailure {
		t.Errorf("exit = %d, want %d", code, ExitFailure)
	}
	if stdout != "" || !strings.Contains(stderr, "the TUI needs a terminal") || !strings.Contains(stderr, "ciosim generate") {
		t.Errorf("stdout = %q, stderr = %q; want the hint on stderr", stdout, stderr)
	}
}

func TestTUI_badFlagsAreUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"endpoint": "x", "token": "secret"}`), 0o600)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"mode", []string{"--mode", "fast"}, `--mode "fast": want raw, xdm or batch`},
		{"watch", []string{"--watch", filepath.Join(dir, "missing")}, "not a folder"},
		{"config unknown field", []string{"--config", bad}, `unknown field "token"`},
		{"config missing", []string{"--config", filepath.Join(dir, "nope.json")}, "no such file"},
		{"args", []string{"extra"}, "unknown command"},
		{"endpoint", []string{"--endpoint", "dcs.adobedc.net/collection/x"}, "want an inlet URL"},
		{"concurrency", []string{"--concurrency", "0"}, "--concurrency must be at least 1"},
		{"raw needs flow", []string{"--endpoint", "https://dcs.adobedc.net/collection/x"}, "needs --flow-id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, nil, "", tt.args...)
			if code != ExitUsage || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
		})
	}
}

func TestTUI_configFileFlagsAndEnv(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "ciosim.json")
	tokenPath := filepath.Join(dir, "token")
	os.WriteFile(cfgPath, []byte(`{"endpoint":"https://dcs.adobedc.net/collection/abc","flow_id":"f-1","mode":"xdm","seed":7,"watch":["`+dir+`"],"tenant":"_acme"}`), 0o600)
	os.WriteFile(tokenPath, []byte("s3cr3t-token\n"), 0o600)
	a := &app{ctx: context.Background(), getenv: func(k string) string {
		return map[string]string{envConfig: cfgPath, envAPIKey: "k3y", envOrgID: "ORG@AdobeOrg"}[k]
	}}
	changed := map[string]bool{"mode": true}
	cfg, err := a.tuiConfig(tuiOptions{mode: "batch", seed: 1, tokenFile: tokenPath}, func(f string) bool { return changed[f] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Endpoint != "https://dcs.adobedc.net/collection/abc" || cfg.FlowID != "f-1" || cfg.Seed != 7 || cfg.Tenant != "_acme" {
		t.Errorf("config file not applied: %+v", cfg)
	}
	if cfg.Mode != "batch" {
		t.Errorf("mode = %s, want the flag's batch over the file's xdm", cfg.Mode)
	}
	if len(cfg.Watch) != 1 || cfg.Watch[0] != dir {
		t.Errorf("watch = %v", cfg.Watch)
	}
	if cfg.Auth.Token.Reveal() != "s3cr3t-token" || cfg.Auth.APIKey.Reveal() != "k3y" || cfg.Auth.OrgID != "ORG@AdobeOrg" {
		t.Errorf("credentials not read from --token-file and the environment")
	}
	if strings.Contains(fmt.Sprintf("%v %+v", cfg, cfg), "s3cr3t") || strings.Contains(fmt.Sprintf("%v", cfg), "k3y") {
		t.Errorf("config prints a credential unmasked")
	}
}

func TestXDMTransformer(t *testing.T) {
	dir := t.TempDir()
	custom := filepath.Join(dir, "tutorial-copy.json")
	ms, err := xdm.Default("tutorial", "")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(custom, ms.JSON(), 0o600)
	tr, err := wiring.NewXDMTransformer(custom, "_acme", "flow-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Names(); len(got) != 3 || got[0] != custom {
		t.Fatalf("Names() = %v, want the file first, then the built-in sets", got)
	}
	g := generator.New(generator.Options{Seed: 42, Start: time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)})
	ev, err := g.Event("email", "opened")
	if err != nil {
		t.Fatal(err)
	}
	res, err := tr.Transform(context.Background(), "experience-event", ev.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 0 || !strings.Contains(string(res.Record), `"_id"`) || !strings.Contains(string(res.Record), "_acme") {
		t.Errorf("experience-event: problems %v, record %s", res.Problems, res.Record)
	}
	if !strings.Contains(string(res.Message), `"xdmEntity"`) || !strings.Contains(string(res.Message), `"flowId":"flow-1"`) {
		t.Errorf("message = %s, want the envelope with the flow id", res.Message)
	}
	// An event without a timestamp breaks the required timestamp: a problem, not an error.
	broken := []byte(strings.Replace(string(ev.Bytes()), `"timestamp":`, `"ts":`, 1))
	res, err = tr.Transform(context.Background(), "experience-event", broken)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) == 0 {
		t.Errorf("no problems for an event without a timestamp: %s", res.Record)
	}
	if _, err := tr.Transform(context.Background(), "nope", ev.Bytes()); err == nil || !strings.Contains(err.Error(), "no mapping set") {
		t.Errorf("unknown set: err = %v", err)
	}
	if _, err := tr.Transform(context.Background(), "tutorial", []byte(`[1]`)); err == nil {
		t.Error("a non-object event maps without error")
	}
}

func TestMaskURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://dcs.adobedc.net/collection/abc?x-adobe-flow-id=f1", "https://dcs.adobedc.net/collection/abc?x-adobe-flow-id=f1"},
		{"https://user:pa55@dcs.example/collection/abc", "https://user:***@dcs.example/collection/abc"},
		{"https://t0ken@dcs.example/c", "https://***@dcs.example/c"},
		{"https://dcs.example/c?api_key=k3y&flow=1", "https://dcs.example/c?api_key=***&flow=1"},
		{"https://u:p@bad host/%zz", "https://***@bad host"},
	}
	for _, tt := range tests {
		got := wiring.MaskURL(tt.in)
		if got != tt.want {
			t.Errorf("wiring.MaskURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
		for _, s := range []string{"pa55", "t0ken", "k3y"} {
			if strings.Contains(got, s) {
				t.Errorf("wiring.MaskURL(%q) leaks %q", tt.in, s)
			}
		}
	}
}

func TestWireTUI_defaults(t *testing.T) {
	deps, opts, cleanup, err := wiring.WireTUI(context.Background(), tuiConfig{Mode: "raw", Seed: 3}, nil, wiring.OSC52Clipboard{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if deps.NewGenerator == nil || deps.Transformer == nil || deps.Clipboard == nil {
		t.Errorf("deps not wired: %+v", deps)
	}
	if opts.MappingSet != "experience-event" || len(opts.MappingSets) != 2 || opts.Seed != 3 {
		t.Errorf("opts = %+v", opts)
	}
	ev, err := deps.NewGenerator(3).Event("email", "opened")
	if err != nil || ev.Validate() != nil {
		t.Fatalf("generator: %v", err)
	}
	res, err := deps.Transformer.Transform(context.Background(), opts.MappingSet, ev.Bytes())
	if err != nil || len(res.Problems) != 0 {
		t.Errorf("transform: %v %v", err, res.Problems)
	}
}

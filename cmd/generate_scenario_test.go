package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/fixtures"
)

func TestGenerateScenario_checkGoldenAndDrift(t *testing.T) {
	for _, name := range fixtures.Names() {
		golden := filepath.Join("..", "fixtures", "golden", name+".jsonl")
		code, out, stderr := run(t, nil, "", "generate", "--scenario", name, "--customers", "25", "--check", golden)
		if code != 0 || out != "" || !strings.Contains(stderr, "up to date") {
			t.Fatalf("%s: --check of the committed fixture: exit %d\n%s%s", name, code, out, stderr)
		}
	}
	// A deliberate change to the fixture (one field of one event, one event dropped) is drift.
	b, err := os.ReadFile(filepath.Join("..", "fixtures", "golden", "welcome-email.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	lines[2] = strings.Replace(lines[2], `"campaign_id":12`, `"campaign_id":13`, 1)
	lines = lines[:len(lines)-1]
	changed := filepath.Join(t.TempDir(), "welcome.jsonl")
	os.WriteFile(changed, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	code, out, _ := run(t, nil, "", "generate", "--scenario", "welcome-email", "--customers", "25", "--check", changed)
	if code != 1 {
		t.Fatalf("drift: exit %d, want 1\n%s", code, out)
	}
	for _, want := range []string{"drift: 2 of", "line 3:", "data.campaign_id: 13 → 12", "not in the fixture"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff lacks %q:\n%s", want, out)
		}
	}
	// A different seed drifts everywhere.
	code, _, _ = run(t, nil, "", "generate", "--scenario", "welcome-email", "--customers", "25", "--seed", "5", "--check",
		filepath.Join("..", "fixtures", "golden", "welcome-email.jsonl"))
	if code != 1 {
		t.Fatalf("other seed: exit %d, want 1", code)
	}
}

func TestGenerateScenario_outputOrderedAndValid(t *testing.T) {
	code, out, stderr := run(t, nil, "", "generate", "--scenario", "multi-channel-journey", "--customers", "40", "--seed", "3",
		"--start", "2026-05-01T00:00:00Z", "--body-content", "--test-mode")
	if code != 0 {
		t.Fatal(stderr)
	}
	last := int64(0)
	types := map[string]bool{}
	for i, l := range strings.Split(strings.TrimSpace(out), "\n") {
		ev, err := customerio.Parse([]byte(l))
		if err != nil {
			t.Fatal(err)
		}
		if err := ev.Validate(); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if ev.Timestamp < last || ev.Timestamp < time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC).Unix() {
			t.Fatalf("line %d: timestamp %d out of order or before --start", i+1, ev.Timestamp)
		}
		last = ev.Timestamp
		if strings.Contains(l, "cio_id") {
			t.Fatalf("--test-mode event has cio_id: %s", l)
		}
		types[ev.ObjectType] = true
	}
	if len(types) != 7 {
		t.Fatalf("object types %v, want all 7 channels", types)
	}
	if !strings.Contains(out, `"content":`) {
		t.Fatal("--body-content ignored")
	}
}

func TestGenerateScenario_overrides(t *testing.T) {
	code, out, stderr := run(t, nil, "", "generate", "--scenario", "newsletter-bounces", "--customers", "10",
		"--set", "data.newsletter_id=999", "--unset", "data.identifiers.cio_id", "--merge", `{"data":{"content_id":7}}`)
	if code != 0 {
		t.Fatal(stderr)
	}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.Contains(l, `"newsletter_id":999`) || strings.Contains(l, "cio_id") || !strings.Contains(l, `"content_id":7`) {
			t.Fatalf("overrides not applied: %s", l)
		}
	}
	// Overrides work in catalog mode too, and metric can be changed.
	code, out, _ = run(t, nil, "", "generate", "--type", "email", "--metric", "delivered", "--seed", "1", "--count", "3", "--set", "metric=opened")
	if code != 0 || strings.Count(out, `"metric":"opened"`) != 3 {
		t.Fatalf("exit %d: %s", code, out)
	}
	// Negative fixtures: --allow-invalid keeps what would otherwise be refused.
	code, out, stderr = run(t, nil, "", "generate", "--scenario", "smoke", "--unset", "data.delivery_id", "--allow-invalid")
	if code != 0 || strings.Contains(out, "delivery_id") || strings.Count(out, "\n") != 69 {
		t.Fatalf("allow-invalid: exit %d %s", code, stderr)
	}
}

func TestGenerateScenario_badInput(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.yaml")
	os.WriteFile(typo, []byte("name: t\nmessages:\n  - channel: email\n    rates:\n      openned: 0.3\n"), 0o644)
	rate := filepath.Join(dir, "rate.json")
	os.WriteFile(rate, []byte("{\"name\": \"r\",\n \"messages\": [{\"channel\": \"push\",\n \"rates\": {\"clicked\": 7}}]}\n"), 0o644)
	tests := []struct {
		name    string
		args    []string
		wantErr []string
	}{
		{"unknown name lists built-ins", []string{"--scenario", "welcome"}, []string{`unknown scenario "welcome"`, "welcome-email", "smoke", "sms-transactional"}},
		{"typo in a key", []string{"--scenario", typo}, []string{"typo.yaml:5:", `unknown key "openned"`, "opened"}},
		{"rate outside [0,1]", []string{"--scenario", rate}, []string{"rate.json:3:", "rates.clicked: 7 is outside [0,1]"}},
		{"override path that does not exist", []string{"--scenario", "smoke", "--set", "data.campain_id=3"}, []string{`"data.campain_id" does not exist`}},
		{"unset path that does not exist", []string{"--scenario", "smoke", "--unset", "data.identifiers.cioid"}, []string{`"data.identifiers.cioid" does not exist`}},
		{"override makes invalid events", []string{"--scenario", "smoke", "--set", "data.delivery_id=5"}, []string{"invalid event", "data.delivery_id: expected string", "--allow-invalid"}},
		{"bad set", []string{"--scenario", "smoke", "--set", "novalue"}, []string{"want path=value"}},
		{"bad merge", []string{"--scenario", "smoke", "--merge", "{nope"}, []string{"--merge: want a JSON object"}},
		{"catalog flags with a scenario", []string{"--scenario", "smoke", "--type", "email"}, []string{"--type cannot be used with --scenario"}},
		{"customers without scenario", []string{"--customers", "3"}, []string{"--customers needs --scenario"}},
		{"zero customers", []string{"--scenario", "smoke", "--customers", "0"}, []string{"--customers must be at least 1"}},
		{"bad speed", []string{"--scenario", "smoke", "--realtime", "--speed", "0"}, []string{"--speed must be a positive number"}},
		{"speed without realtime", []string{"--scenario", "smoke", "--speed", "2"}, []string{"--speed needs --realtime"}},
		{"check with out", []string{"--scenario", "smoke", "--check", "x", "--out", "y"}, []string{"--check compares instead of writing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := run(t, nil, "", append([]string{"generate"}, tt.args...)...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr: %s", code, stderr)
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if out != "" {
				t.Errorf("stdout not empty: %.200q", out)
			}
		})
	}
	// A missing --check fixture is a failure, not drift.
	code, _, stderr := run(t, nil, "", "generate", "--scenario", "smoke", "--check", filepath.Join(dir, "none.jsonl"))
	if code != 1 || !strings.Contains(stderr, "no such file") {
		t.Fatalf("missing fixture: exit %d %s", code, stderr)
	}
}

func TestGenerateScenario_listAndRealtime(t *testing.T) {
	code, out, _ := run(t, nil, "", "generate", "--scenario", "list")
	if code != 0 || strings.Count(out, "\n") != len(fixtures.Names()) || !strings.Contains(out, "push-broadcast") {
		t.Fatalf("list: %d %s", code, out)
	}
	// Realtime pacing changes when lines appear, never what they are.
	_, want, _ := run(t, nil, "", "generate", "--scenario", "smoke")
	code, got, stderr := run(t, nil, "", "generate", "--scenario", "smoke", "--realtime", "--speed", "1e9")
	if code != 0 || got != want {
		t.Fatalf("realtime output differs (exit %d %s)", code, stderr)
	}
}

// TestGenerate_customersBounded runs `generate --customers 100000000000` in a child process
// under `ulimit -v` (it used to die with "fatal error: out of memory"): it must refuse with
// exit 2 and say why, before allocating. A scenario file asking for too many is refused
// with its file and line.
func TestGenerate_customersBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := exec.Command("sh", "-c", `ulimit -v 4194304 && exec "$0" -test.run='^TestGenerateBoundChild$'`, exe)
	child.Env = append(os.Environ(), "CIOSIM_BOUND_CHILD=1")
	out, _ := child.CombinedOutput()
	if !strings.Contains(string(out), "exit 2") || !strings.Contains(string(out), "customers 100000000000 is more than 10000000") {
		t.Errorf("child output:\n%s", out)
	}

	f := filepath.Join(t.TempDir(), "big.yaml")
	must(t, os.WriteFile(f, []byte("name: big\ncustomers: 100000000000\nevery_pair: true\n"), 0o644))
	code, _, stderr := run(t, nil, "", "generate", "--scenario", f)
	if code != ExitUsage || !strings.Contains(stderr, "big.yaml:2") || !strings.Contains(stderr, "more than 10000000") {
		t.Errorf("scenario with too many customers: exit %d %q", code, stderr)
	}
}

// TestGenerateBoundChild is the child of TestGenerate_customersBounded.
func TestGenerateBoundChild(t *testing.T) {
	if os.Getenv("CIOSIM_BOUND_CHILD") != "1" {
		t.Skip("helper process for TestGenerate_customersBounded")
	}
	var errb strings.Builder
	code := Main(context.Background(), []string{"generate", "--scenario", "smoke", "--customers", "100000000000"},
		Streams{In: strings.NewReader(""), Out: io.Discard, Err: &errb}, func(string) string { return "" })
	fmt.Printf("exit %d: %s\n", code, errb.String())
}

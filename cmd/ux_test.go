package cmd

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

func TestDidYouMean(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"generat"}, `unknown command "generat" for "ciosim" (did you mean "generate"?)`},
		{[]string{"sned", "x.jsonl"}, `(did you mean "send"?)`},
		{[]string{"generate", "--cout", "3"}, `unknown flag --cout (did you mean "--count"`},
		{[]string{"generate", "--scenario", "smok"}, `(did you mean "smoke"?)`},
		{[]string{"generate", "--set", "data.campain_id=1"}, `(did you mean "data.campaign_id"?)`},
	} {
		code, _, stderr := run(t, nil, "", tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %s", tc.args, code, stderr, tc.want)
		}
	}
}

func TestFlagValueErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--count", "abc"}, `--count "abc": want a whole number`},
		{[]string{"generate", "--seed", "x1"}, `--seed "x1": want a whole number`},
		{[]string{"generate", "--realtime", "--speed", "fast"}, `--speed "fast": want a number`},
	} {
		code, _, stderr := run(t, nil, "", tc.args...)
		if code != ExitUsage || !strings.Contains(stderr, tc.want) || strings.Contains(stderr, "strconv") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %s", tc.args, code, stderr, tc.want)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, nil, "", "--version")
	if code != 0 || !strings.HasPrefix(out, "ciosim ") {
		t.Fatalf("--version: exit %d, %q", code, out)
	}
	bi := &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-11-30T23:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	if got, want := version(bi, true), "v1.2.3 (0123456789ab, 2026-11-30T23:00:00Z, modified)"; got != want {
		t.Errorf("version = %q, want %q", got, want)
	}
	if got := version(&debug.BuildInfo{}, true); got != "(devel)" {
		t.Errorf("no vcs: %q", got)
	}
}

func TestCompletion_values(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"generate", "--type", ""}, []string{"email", "push", "customer"}},
		{[]string{"generate", "--type", "push", "--metric", "op"}, []string{"opened"}},
		{[]string{"generate", "--scenario", "sm"}, []string{"smoke", "sms-transactional"}},
		{[]string{"send", "--mode", ""}, []string{"raw", "xdm", "batch"}},
		{[]string{"transform", "--mapping", ""}, []string{"experience-event", "tutorial"}},
	} {
		code, out, stderr := run(t, nil, "", append([]string{cobra.ShellCompRequestCmd}, tc.args...)...)
		if code != 0 {
			t.Fatalf("%q: exit %d %s", tc.args, code, stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w+"\n") {
				t.Errorf("%q: completions %q lack %s", tc.args, out, w)
			}
		}
	}
}

// TestExitCodes is the README's exit-code table, command by command.
func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.jsonl")
	pii := filepath.Join(dir, "pii.jsonl")
	_, gen, _ := run(t, nil, "", "generate", "--scenario", "smoke")
	os.WriteFile(clean, []byte(`{"data":{"identifiers":{"id":"u1"}},"event_id":"01E2EMRMM6TZ12TF9WGZN0WJQT","metric":"opened","object_type":"email","timestamp":1}`+"\n"), 0o644)
	os.WriteFile(pii, []byte(`{"data":{"recipient":"jane.doe@gmail.com"},"event_id":"x","metric":"opened","object_type":"email","timestamp":1}`+"\n"), 0o644)
	drift := filepath.Join(dir, "drift.jsonl")
	os.WriteFile(drift, []byte(strings.Replace(gen, `"metric":"`, `"metric":"x`, 1)), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"check up to date", []string{"generate", "--scenario", "smoke", "--customers", "25", "--check", "../fixtures/golden/smoke.jsonl"}, ExitOK},
		{"check drift", []string{"generate", "--scenario", "smoke", "--check", drift}, ExitFailure},
		{"check file missing", []string{"generate", "--scenario", "smoke", "--check", filepath.Join(dir, "nope.jsonl")}, ExitInput},
		{"scan clean", []string{"scan", clean}, ExitOK},
		{"scan personal data", []string{"scan", pii}, ExitFailure},
		{"scan missing file", []string{"scan", filepath.Join(dir, "nope.jsonl")}, ExitInput},
		{"transform missing file", []string{"transform", filepath.Join(dir, "nope.jsonl")}, ExitInput},
		{"unknown command", []string{"nope"}, ExitUsage},
		{"bad flag value", []string{"generate", "--count", "x"}, ExitUsage},
	} {
		code, _, stderr := run(t, nil, "", tc.args...)
		if code != tc.want {
			t.Errorf("%s: exit %d, want %d (%s)", tc.name, code, tc.want, stderr)
		}
	}
}

// TestGenerate_seedWithoutStartIsReproducible: with --seed and no --start the output does not
// depend on the clock; --start now does; without --seed the clock is used as before.
func TestGenerate_seedWithoutStartIsReproducible(t *testing.T) {
	_, a, _ := run(t, nil, "", "generate", "--all", "--seed", "3")
	_, b, _ := run(t, nil, "", "generate", "--all", "--seed", "3", "--start", "2026-01-01T00:00:00Z")
	if a == "" || a != b {
		t.Fatalf("--seed without --start is not the documented 2026-01-01T00:00:00Z start")
	}
	_, now, _ := run(t, nil, "", "generate", "--all", "--seed", "3", "--start", "now")
	if now == a {
		t.Fatal("--start now did not use the clock")
	}
	// A scenario file without a start: the seeded start too.
	f := filepath.Join(t.TempDir(), "s.yaml")
	os.WriteFile(f, []byte("name: s\ncustomers: 2\nevery_pair: true\n"), 0o644)
	_, s1, e1 := run(t, nil, "", "generate", "--scenario", f, "--seed", "5")
	_, s2, _ := run(t, nil, "", "generate", "--scenario", f, "--seed", "5", "--start", "2026-01-01T00:00:00Z")
	if s1 == "" || s1 != s2 {
		t.Fatalf("scenario without start, seeded: not reproducible (%s)", e1)
	}
}

func TestCatalog_fits80ColumnsUnlessWide(t *testing.T) {
	widest := func(out string) int {
		w := 0
		for _, l := range strings.Split(out, "\n") {
			w = max(w, len([]rune(l)))
		}
		return w
	}
	for _, args := range [][]string{{"catalog"}, {"catalog", "--fields"}} {
		_, out, _ := run(t, nil, "", args...)
		if w := widest(out); w > 80 || !strings.Contains(out, "cio_subscription_preferences_changed") {
			t.Errorf("%q: widest line %d columns", args, w)
		}
	}
	_, out, _ := run(t, nil, "", "catalog", "--wide")
	if w := widest(out); w <= 80 || !strings.Contains(out, "REQUIRED DATA") {
		t.Errorf("--wide: widest line %d columns", w)
	}
}

func TestTransform_mappingShapes(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.json")
	array := filepath.Join(dir, "array.json")
	os.WriteFile(empty, []byte(`{"mappings":[]}`), 0o644)
	os.WriteFile(array, []byte(`[{"source":"metric","destination":"eventType"}]`), 0o644)
	_, ev, _ := run(t, nil, "", "generate", "--type", "email", "--metric", "opened", "--seed", "1")
	_, _, stderr := run(t, nil, ev, "transform", "--mapping", empty)
	if !strings.Contains(stderr, "warning: mapping set "+empty+" has no mappings") {
		t.Errorf("empty set: stderr %q, want a warning", stderr)
	}
	code, _, stderr := run(t, nil, ev, "transform", "--mapping", array)
	if code == 0 || !strings.Contains(stderr, `wrap the array: {"mappings": [...]}`) || strings.Contains(stderr, "Go value") {
		t.Errorf("bare array: exit %d, stderr %q", code, stderr)
	}
}

func TestJSONFlag_generateCheckAndSend(t *testing.T) {
	code, out, _ := run(t, nil, "", "generate", "--scenario", "smoke", "--customers", "25", "--check", "../fixtures/golden/smoke.jsonl", "--json")
	if code != 0 || !strings.HasPrefix(out, `{"file":"../fixtures/golden/smoke.jsonl","up_to_date":true,"want_lines":69,"got_lines":69,"diffs":[],"differing_lines":0}`) {
		t.Errorf("check --json: exit %d %s", code, out)
	}
	code, out, _ = run(t, nil, "", "generate", "--scenario", "smoke", "--check", "../fixtures/golden/smoke.jsonl", "--json")
	if code != ExitFailure || !strings.Contains(out, `"up_to_date":false`) || !strings.Contains(out, `"line":1`) {
		t.Errorf("check --json drift: exit %d %s", code, out)
	}
	_, ev, _ := run(t, nil, "", "generate", "--all", "--seed", "1", "--type", "email")
	code, out, stderr := run(t, nil, ev, "send", "--json", "--no-journal", "--dead-letter", filepath.Join(t.TempDir(), "dl.jsonl"))
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(out), "{") {
		t.Errorf("send --json: exit %d stdout %q stderr %q", code, out, stderr)
	}
}

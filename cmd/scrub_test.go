package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/internal/scrub/scrubtest"
	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/secret"
	"github.com/ciosim/ciosim/tui"
)

// credEnv holds the credentials every firing command reads.
var credEnv = map[string]string{"AEP_ACCESS_TOKEN": scrubtest.Token, "AEP_API_KEY": scrubtest.APIKey,
	"CIOSIM_SIGNING_KEY": scrubtest.SigningKey, "AEP_IMS_ORG": "ORG@AdobeOrg"}

// assertFilesClean checks every file under dir (dead letters, journals, outputs).
func assertFilesClean(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			scrubtest.AssertClean(t, p, string(b), scrubtest.Secrets...)
		}
		return nil
	})
}

// TestCommands_neverShowOrStoreCredentials points every firing command at endpoints that
// echo the bearer token and API key back in many encodings (error bodies, 207 batch
// elements, a redirect, a transport error naming the redirect's URL): no form of any
// credential reaches stdout, stderr, the dead-letter file or the journal.
func TestCommands_neverShowOrStoreCredentials(t *testing.T) {
	echo := scrubtest.NewEchoServer(t, false)
	refuse := scrubtest.NewEchoServer(t, true)
	in, _ := genEvents(t, 3)
	for _, tc := range []struct {
		name string
		args func(dir string) []string
	}{
		{"send raw", func(d string) []string {
			return []string{"send", "--to", echo.URL + "/collection/inlet-1", "--flow-id", "f", "--retries", "0", "--dead-letter", filepath.Join(d, "dl.jsonl")}
		}},
		{"send xdm json", func(d string) []string {
			return []string{"send", "--mode", "xdm", "--json", "--to", echo.URL + "/collection/inlet-1", "--retries", "0", "--dead-letter", filepath.Join(d, "dl.jsonl")}
		}},
		{"send batch", func(d string) []string {
			return []string{"send", "--mode", "batch", "--to", echo.URL + "/collection/inlet-1", "--retries", "0", "--dead-letter", filepath.Join(d, "dl.jsonl")}
		}},
		{"send transport error", func(d string) []string {
			return []string{"send", "--to", refuse.URL + "/collection/inlet-1", "--flow-id", "f", "--retries", "0", "--dead-letter", filepath.Join(d, "dl.jsonl")}
		}},
		{"replay", func(d string) []string {
			return []string{"replay", "--speed", "max", "--to", echo.URL + "/collection/inlet-1", "--flow-id", "f", "--retries", "0", "--journal", filepath.Join(d, "j.jsonl"), filepath.Join(d, "in.jsonl")}
		}},
		{"replay json batch", func(d string) []string {
			return []string{"replay", "--json", "--mode", "batch", "--speed", "max", "--to", echo.URL + "/collection/inlet-1", "--retries", "0", filepath.Join(d, "in.jsonl")}
		}},
		{"generate --to", func(d string) []string {
			return []string{"generate", "-n", "3", "--seed", "1", "--to", echo.URL + "/collection/inlet-1", "--flow-id", "f", "--out", filepath.Join(d, "gen.jsonl")}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "in.jsonl"), []byte(in), 0o600); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := run(t, credEnv, in, tc.args(dir)...)
			if code != ExitFailure {
				t.Fatalf("exit %d, want 1 (every event refused); stderr %s", code, stderr)
			}
			if !strings.Contains(stdout+stderr, "[redacted]") {
				t.Errorf("the echo is not shown (masked):\nstdout %s\nstderr %s", stdout, stderr)
			}
			scrubtest.AssertClean(t, "stdout", stdout, scrubtest.Secrets...)
			scrubtest.AssertClean(t, "stderr", stderr, scrubtest.Secrets...)
			assertFilesClean(t, dir)
			if strings.HasPrefix(tc.name, "send") {
				if b, err := os.ReadFile(filepath.Join(dir, "dl.jsonl")); err != nil || strings.Count(string(b), "\n") != 3 {
					t.Errorf("dead letters: %v\n%s", err, b)
				}
			}
		})
	}
	t.Run("record --forward", func(t *testing.T) {
		dir := t.TempDir()
		env := map[string]string{"AEP_ACCESS_TOKEN": scrubtest.Token, "AEP_API_KEY": scrubtest.APIKey, "REC_KEY": scrubtest.SigningKey}
		url, out, stop := startRecord(t, env, "--dir", dir, "--signing-key-env", "REC_KEY", "--forward", echo.URL+"/collection/inlet-1", "--forward-flow-id", "f")
		for _, b := range genBodies(t, 3) {
			if code, err := postSigned(url, scrubtest.SigningKey, b); err != nil || code != 200 {
				t.Fatalf("post: %d %v", code, err)
			}
		}
		code, stderr := stop()
		if code != ExitInterrupted || !strings.Contains(stderr, "failed         3") || !strings.Contains(stderr, "[redacted]") {
			t.Errorf("exit %d; stderr %s", code, stderr)
		}
		scrubtest.AssertClean(t, "stdout", out.String(), scrubtest.Secrets...)
		scrubtest.AssertClean(t, "stderr", stderr, scrubtest.Secrets...)
	})
}

// TestTUI_neverShowsCredentials fires from the real TUI at the echoing endpoint and opens the
// send-log detail and the dead-letter view (d, enter): neither the screens, the send log, the
// dead-letter list nor the dead-letter file hold a credential.
func TestTUI_neverShowsCredentials(t *testing.T) {
	prev := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.Ascii)
	defer lipgloss.SetColorProfile(prev)
	echo := scrubtest.NewEchoServer(t, false)
	dead := filepath.Join(t.TempDir(), "dead.jsonl")
	cfg := wiring.TUIConfig{Mode: tui.ModeRaw, Seed: 7, Endpoint: echo.URL + "/collection/inlet-1", FlowID: "f",
		Auth:       aep.Auth{Token: secret.New(scrubtest.Token), APIKey: secret.New(scrubtest.APIKey)},
		SigningKey: secret.New(scrubtest.SigningKey), DeadLetter: dead}
	deps, opts, cleanup, err := wiring.WireTUI(t.Context(), cfg, nil, wiring.OSC52Clipboard{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	// A screen wide enough that a credential would not be cut by wrapping.
	tm := teatest.NewTestModel(t, tui.New(t.Context(), deps, opts), teatest.WithInitialTermSize(400, 60))
	var screens strings.Builder
	screen := func(want ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			screens.Write(b)
			for _, w := range want {
				if !strings.Contains(string(b), w) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	key := func(keys ...string) {
		for _, k := range keys {
			switch k {
			case "tab":
				tm.Send(tea.KeyMsg{Type: tea.KeyTab})
			case "enter":
				tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
			case "esc":
				tm.Send(tea.KeyMsg{Type: tea.KeyEsc})
			default:
				tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
			}
		}
	}
	screen("Source")
	key("g")
	screen("Events 3")
	key("tab", "f")
	screen("400")
	key("tab", "tab", "enter") // the send-log row's detail
	screen("status     400", "[redacted]")
	key("esc", "d") // the dead-letter list
	screen("[redacted]")
	key("enter") // the dead letter's detail
	screen("[redacted]")
	key("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(tui.Model)
	log := fm.SendLog()
	if len(log) != 1 || log[0].Status != 400 {
		t.Fatalf("send log: %+v", log)
	}
	scrubtest.AssertClean(t, "send log body", log[0].Body, scrubtest.Secrets...)
	scrubtest.AssertClean(t, "send log error", log[0].Err, scrubtest.Secrets...)
	for _, d := range fm.DeadLetters() {
		scrubtest.AssertClean(t, "dead letter", d.Body, scrubtest.Secrets...)
	}
	scrubtest.AssertClean(t, "screens", screens.String(), scrubtest.Secrets...)
	scrubtest.AssertClean(t, "last screen", fm.View(), scrubtest.Secrets...)
	b, err := os.ReadFile(dead)
	if err != nil || len(b) == 0 {
		t.Fatalf("dead-letter file: %v", err)
	}
	scrubtest.AssertClean(t, "dead-letter file", string(b), scrubtest.Secrets...)
}

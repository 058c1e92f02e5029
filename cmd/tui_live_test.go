package cmd

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/tui"
)

// TestTUI_liveMapping runs the real TUI on the real wiring with a watched mapping file and
// schema, rewrites them on disk the way an editor saves, and checks what the screen shows:
// a new destination marked as added, a syntax error with its line and column while the
// previous XDM stays, the fix, and a schema that makes the records invalid and valid again.
func TestTUI_liveMapping(t *testing.T) {
	prev := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.Ascii)
	defer lipgloss.SetColorProfile(prev)
	t.Chdir(t.TempDir()) // short names in the titles
	mapping, schema := "mapping.json", "schema.json"
	email := `{"sourceType":"EXPRESSION","source":"upper(data.email_address)","destination":"_acme.email"}`
	version := `{"sourceType":"STATIC","source":"v2","destination":"_acme.version"}`
	// No uuid() or now() here: the TUI maps with the real clock and random source (what it
	// fires must be what AEP would make), so such fields differ on every reload.
	writeMapping := func(t *testing.T, path string, ms ...string) {
		t.Helper()
		saveByRename(t, path, `{"mappings":[
 {"sourceType":"ATTRIBUTE","source":"event_id","destination":"_id"},
 {"sourceType":"ATTRIBUTE","source":"timestamp","destination":"_acme.ts"},
 `+strings.Join(ms, ",\n ")+"]}\n")
	}
	writeMapping(t, mapping, email)
	writeSchema := func(maxLen int) {
		t.Helper()
		s := `{"type":"object","properties":{"_acme":{"type":"object","properties":{"version":{"type":"string","maxLength":` +
			string(rune('0'+maxLen)) + `}}}}}`
		saveByRename(t, schema, s)
	}
	writeSchema(5)

	deps, opts, cleanup, err := wiring.WireTUI(t.Context(), tuiConfig{Mode: "raw", Seed: 7, Mapping: mapping, Schema: schema}, nil, wiring.OSC52Clipboard{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	tm := teatest.NewTestModel(t, tui.New(t.Context(), deps, opts), teatest.WithInitialTermSize(260, 50))
	screen := func(step string, want ...string) {
		t.Helper()
		var last []byte
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			last = append(last, b...)
			if len(last) > 1<<20 {
				last = last[len(last)-1<<19:]
			}
			for _, w := range want {
				if !bytes.Contains(last, []byte(w)) {
					return false
				}
			}
			last = nil
			return true
		}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}

	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("g")}) // three customer events
	screen("generated", "Events 3", `"email":`, "✓ valid")

	// A new destination: the inspector marks the field as added, the list counts the records.
	writeMapping(t, mapping, email, version)
	screen("destination added", "reload 1: 3 records changed", `+   "version": "v2"`, "reload 1: +1 ~0 -0")

	// A syntax error: where it is, and the previous XDM still on screen.
	saveByRename(t, mapping, strings.Replace(readFile(t, mapping), "upper(data.email_address)", "upper(data.email_address", 1))
	screen("syntax error", "mapping.json:4:63: mapping 3 (→ _acme.email): syntax error at column 25", "✗ previous mapping kept: ")
	// A resize redraws the whole screen: the inspector still shows the last good XDM.
	tm.Send(tea.WindowSizeMsg{Width: 259, Height: 50})
	screen("previous XDM kept", `+   "version": "v2"`, "✗ previous mapping kept: ")

	// The fix: back to normal, nothing changed against the last good set.
	writeMapping(t, mapping, email, version)
	screen("fixed", "reload 2: 0 records changed")

	// A schema the records break, then one they meet again.
	writeSchema(1)
	screen("schema breaks the records", "reload 3: 3 records changed, 0 became valid, 3 invalid", "(was valid)", "maxLength")
	writeSchema(5)
	screen("schema fixed", "reload 4: 3 records changed, 3 became valid, 0 invalid", "✓ valid (was invalid)")

	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(tui.Model)
	r, ready := fm.Inspector()
	if !ready || r.Diff.Became != "valid" || r.XDMProblems != 0 {
		t.Errorf("final inspector: ready %v, diff %+v, problems %d", ready, r.Diff, r.XDMProblems)
	}
	for _, it := range fm.Events() {
		if !it.Checked || len(it.Problems) != 0 {
			t.Errorf("event %d: checked %v, problems %v", it.ID, it.Checked, it.Problems)
		}
	}
}

// saveByRename writes path the way vim and JetBrains IDEs save: a new file renamed over it.
func saveByRename(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp~"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

package cmd

import (
	"bytes"
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

// TestTUI_newcomerPath runs the real TUI on the real wiring (generator, transformer, the
// embedded emulator) at 80×24 and walks the path a newcomer takes: g on the first row,
// enter on an event, f, enter on the send-log row, q, checking what is on screen each time.
func TestTUI_newcomerPath(t *testing.T) {
	prev := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.Ascii) // as NO_COLOR: the screen is plain text
	defer lipgloss.SetColorProfile(prev)
	deps, opts, cleanup, err := wiring.WireTUI(t.Context(), tuiConfig{Mode: "raw", Seed: 7}, nil, wiring.OSC52Clipboard{})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	tm := teatest.NewTestModel(t, tui.New(t.Context(), deps, opts), teatest.WithInitialTermSize(80, 24))
	screen := func(step string, want ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			for _, w := range want {
				if !bytes.Contains(b, []byte(w)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
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
			case "end":
				tm.Send(tea.KeyMsg{Type: tea.KeyEnd})
			default:
				tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
			}
		}
	}

	// Start: the catalog with its first row selected, and how to quit.
	screen("start", "Source", ">▸ customer (3)", "q quit", "no events yet")
	// g on the first row (a collapsed object type): one event of each of its metrics.
	key("g")
	screen("g", "Events 3", "customer, one of each metric: 3 events", "▾ customer (3)")
	// enter on the event (the list has the newest selected): the whole event.
	key("tab", "enter")
	screen("enter on the event", "Event #2 customer/", "event_id", "Validation", "Customer.io JSON", "not fired yet (f fires it)")
	key("end")
	screen("end of the event", "Sends", "not fired yet: f fires it", "· end")
	// f fires it at the embedded emulator; the answer appears in the open view.
	key("f")
	screen("f", "  200  raw", "xactionId")
	// enter on the send-log row: the send's whole record.
	key("esc", "tab", "tab", "enter")
	screen("enter on the send-log row", "Send of event #2 customer/", "status     200", "xactionId  ")
	key("q")
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(tui.Model)
	log := fm.SendLog()
	if len(log) != 1 || log[0].Status != 200 || log[0].XactionID == "" || !strings.HasPrefix(log[0].Label, "customer/") {
		t.Errorf("send log at the end: %+v", log)
	}
	if fm.Err() != nil {
		t.Errorf("ended with %v", fm.Err())
	}
}

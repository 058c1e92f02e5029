package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

// sweepSizes are the terminal sizes the sweep draws: every size from 20×6 up to 120×40, where
// the layout's thresholds and the panes' column arithmetic live, and beyond that to 240×60
// every width and height that is a threshold or next to one, plus a stride.
func sweepSizes() [][2]int {
	near := func(v int, marks ...int) bool {
		for _, m := range marks {
			if v >= m-1 && v <= m+1 {
				return true
			}
		}
		return false
	}
	var ws, hs []int
	for w := 20; w <= 240; w++ {
		// Every width to 100; beyond, the layout's and the inspector's thresholds and a stride.
		if w <= 100 || w%9 == 0 || near(w, wideLayout, 240) {
			ws = append(ws, w)
		}
	}
	for h := 6; h <= 60; h++ {
		if h <= 26 || h%6 == 0 || near(h, wideMinMainH+chromeH, 60) {
			hs = append(hs, h)
		}
	}
	var out [][2]int
	for _, w := range ws {
		for _, h := range hs {
			if raceOn && (w > 40 || h > 16) && (w+h)%5 != 0 {
				continue // under -race: every small size, a fifth of the rest
			}
			// Small terminals get every size; large ones every other height.
			if w > 100 && h > 26 && h%2 == 1 && !near(h, 60) {
				continue
			}
			out = append(out, [2]int{w, h})
		}
	}
	return out
}

// screenProblem says what is wrong with a frame that is not exactly w×h cells.
func screenProblem(v string, w, h int) string {
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		return fmt.Sprintf("%d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			return fmt.Sprintf("line %d is %d cells wide, want %d: %q", i, got, w, l)
		}
	}
	return ""
}

// TestModel_everySizeDraws resizes a session holding a generated event, a send-log entry and
// a dead letter to every size of the sweep, with each pane focused and with each overlay
// open, and checks that View neither panics nor draws outside the terminal.
func TestModel_everySizeDraws(t *testing.T) {
	s := &fakeSender{failStatus: 400}
	s.setFail("1", true)
	h := newHarness(t, testDeps(s), Options{Seed: 1}, 80, 24)
	generateEmailOpened(h)
	h.keys("g", "f", "j") // a second event; fire it (rejected: a dead letter)
	h.keys("k", "f")      // and the first (accepted)
	if len(h.m.SendLog()) != 2 || len(h.m.DeadLetters()) != 1 {
		t.Fatalf("setup: send log %d entries, %d dead letters; want 2 and 1", len(h.m.SendLog()), len(h.m.DeadLetters()))
	}
	// Each state is a model with a pane focused or an overlay open, made with the keys.
	type state struct {
		name string
		m    Model
	}
	var states []state
	for _, st := range []struct {
		name string
		keys []string
	}{
		{"inspector", []string{"tab", "tab"}}, // the pane that panicked: drawn at every size
		{"source", nil},
		{"list", []string{"tab"}},
		{"log", []string{"tab", "tab", "tab"}},
		{"help", []string{"?"}},
		{"dead letters", []string{"d"}},
		{"dead-letter detail", []string{"d", "enter"}},
		{"event detail", []string{"tab", "enter"}},
		{"send detail", []string{"tab", "tab", "tab", "enter"}},
	} {
		c := *h
		c.keys(st.keys...)
		states = append(states, state{st.name, c.m})
	}
	// Every size draws the inspector focused and one of the other states in turn: the
	// states differ in what is highlighted far more than in geometry.
	for i, sz := range sweepSizes() {
		for _, st := range []state{states[0], states[1+i%(len(states)-1)]} {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("%s at %d×%d: panic: %v", st.name, sz[0], sz[1], r)
					}
				}()
				tm, _ := st.m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				v := tm.(Model).View()
				if p := screenProblem(v, sz[0], sz[1]); p != "" {
					t.Fatalf("%s at %d×%d: %s\n%s", st.name, sz[0], sz[1], p, v)
				}
			}()
		}
	}
}

// TestModel_tinyTerminalsDraw covers the sizes below the sweep, down to 1×1.
func TestModel_tinyTerminalsDraw(t *testing.T) {
	h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 1}, 80, 24)
	generateEmailOpened(h)
	for w := 1; w <= 30; w++ {
		for ht := 1; ht <= 8; ht++ {
			tm, _ := h.m.Update(tea.WindowSizeMsg{Width: w, Height: ht})
			if p := screenProblem(tm.(Model).View(), w, ht); p != "" {
				t.Fatalf("%d×%d: %s", w, ht, p)
			}
		}
	}
}

// TestModel_smallTerminalsShowFewerPanes: too short for the stack, the source column stays
// and tab brings each other pane beside it; too narrow for two columns, the focused pane is
// drawn alone; smaller still, one line says what size is needed.
func TestModel_smallTerminalsShowFewerPanes(t *testing.T) {
	h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 1}, 60, 15)
	generateEmailOpened(h)
	v := h.m.View()
	for _, want := range []string{"Source", "Events 1 · tab 2/4", "email/opened"} {
		if !strings.Contains(v, want) {
			t.Errorf("60×15 lacks %q:\n%s", want, v)
		}
	}
	h.keys("tab", "tab")
	if v := h.m.View(); !strings.Contains(v, "Inspector · tab 3/4") || !strings.Contains(v, "Customer.io JSON") || !strings.Contains(v, "Source") {
		t.Errorf("60×15 with the inspector focused:\n%s", v)
	}
	h.send(tea.WindowSizeMsg{Width: 40, Height: 15})
	if v := h.m.View(); !strings.Contains(v, "Inspector · tab 3/4") || strings.Contains(v, "Source") {
		t.Errorf("40×15 should show the inspector alone:\n%s", v)
	}
	h.send(tea.WindowSizeMsg{Width: 10, Height: 4})
	if v := h.m.View(); !strings.HasPrefix(v, "terminal") {
		t.Errorf("10×4: %q", v)
	}
}

// TestModel_footerKeepsQuitAndHelp: the help line is cut from the right on narrow terminals,
// so quit and help come before the rest.
func TestModel_footerKeepsQuitAndHelp(t *testing.T) {
	for _, w := range []int{60, 80} {
		h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 1}, w, 24)
		lines := strings.Split(h.m.View(), "\n")
		if last := lines[len(lines)-1]; !strings.Contains(last, "q quit") || !strings.Contains(last, "? help") {
			t.Errorf("%d columns: footer %q lacks q quit or ? help", w, last)
		}
	}
}

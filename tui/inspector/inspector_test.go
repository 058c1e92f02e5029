package inspector

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

const ev = `{"data":{"recipient":"a@b.c"},"event_id":"01E4C4C6P79C12J5A6KPE6XNFD","metric":"opened","object_type":"email","timestamp":1613063089}`

func counting(calls *atomic.Int32) TransformFunc {
	return func(_ context.Context, mapping string, e []byte) (Result, error) {
		calls.Add(1)
		if mapping == "broken" {
			return Result{}, errors.New("mapping 3 (→ _id): unknown function uuidd")
		}
		return Result{Record: []byte(`{"_id":"x","mapping":"` + mapping + `","n":1}`), Message: []byte(`{"header":{},"body":{"xdmEntity":{"_id":"x"}}}`),
			Problems: []Problem{{Path: "/n", Msg: "expected string"}}}, nil
	}
}

func run(t *testing.T, m Model, cmd tea.Cmd) Model {
	t.Helper()
	if cmd == nil {
		return m
	}
	m, _ = m.Update(cmd())
	return m
}

func TestModel_rendersInACommandAndCaches(t *testing.T) {
	var calls atomic.Int32
	m := New(context.Background(), counting(&calls), "default")
	m.SetSize(100, 12)
	cmd := m.Show([]byte(ev))
	if m.Ready() || cmd == nil || calls.Load() != 0 {
		t.Fatal("Show must not render synchronously")
	}
	if !strings.Contains(m.View(), "rendering…") {
		t.Error("no placeholder while rendering")
	}
	m = run(t, m, cmd)
	if !m.Ready() || calls.Load() != 1 {
		t.Fatalf("ready=%v calls=%d", m.Ready(), calls.Load())
	}
	// Another event and back: the first comes from the cache.
	m = run(t, m, m.Show([]byte(strings.Replace(ev, "a@b.c", "z@y.x", 1))))
	if cmd := m.Show([]byte(ev)); cmd != nil || !m.Ready() || calls.Load() != 2 {
		t.Errorf("cached rendering re-rendered: calls=%d", calls.Load())
	}
	// The envelope and the mapping set are part of the key.
	m = run(t, m, m.ToggleEnvelope())
	if !strings.Contains(m.Current().XDMPlain, "xdmEntity") || calls.Load() != 3 {
		t.Errorf("envelope: %s", m.Current().XDMPlain)
	}
	m = run(t, m, m.SetMapping("other"))
	m = run(t, m, m.ToggleEnvelope())
	if !strings.Contains(m.Current().XDMPlain, `"mapping": "other"`) {
		t.Errorf("mapping switch: %s", m.Current().XDMPlain)
	}
}

func TestModel_staleRenderingIsCachedNotShown(t *testing.T) {
	var calls atomic.Int32
	m := New(context.Background(), counting(&calls), "default")
	m.SetSize(100, 12)
	first := m.Show([]byte(ev))
	second := m.Show([]byte(strings.Replace(ev, "a@b.c", "late@b.c", 1)))
	m = run(t, m, first) // arrives after the user moved on
	if m.Ready() {
		t.Fatal("a stale rendering was shown")
	}
	m = run(t, m, second)
	if !strings.Contains(m.Current().CIOPlain, "late@b.c") {
		t.Errorf("shown: %s", m.Current().CIOPlain)
	}
}

func TestModel_layoutAndMarks(t *testing.T) {
	var calls atomic.Int32
	m := New(context.Background(), counting(&calls), "default")
	for _, w := range []int{60, 100} {
		m.SetSize(w, 14)
		m = run(t, m, m.Show([]byte(ev)))
		v := m.View()
		lines := strings.Split(v, "\n")
		if len(lines) != 14 {
			t.Errorf("width %d: %d lines", w, len(lines))
		}
		for i, l := range lines {
			if ansi.StringWidth(l) != w {
				t.Errorf("width %d: line %d is %d wide", w, i, ansi.StringWidth(l))
			}
		}
		side := strings.Contains(lines[0], "Customer.io JSON") && strings.Contains(lines[0], "XDM record")
		if side != (w >= 73) {
			t.Errorf("width %d: side by side = %v", w, side)
		}
		if !strings.Contains(v, `!  "n": 1`) || !strings.Contains(v, "↳ ✗ /n: expected string") || !strings.Contains(v, "✗ 1 problems") {
			t.Errorf("width %d: problem not marked:\n%s", w, v)
		}
		// The reason sits on the line right under the one it concerns.
		x := m.Current().XDM
		for i, l := range x {
			if strings.Contains(ansi.Strip(l), `"n": 1`) && (i+1 >= len(x) || !strings.Contains(ansi.Strip(x[i+1]), "↳ ✗ /n: expected string")) {
				t.Errorf("width %d: the reason is not under its line: %q", w, x)
			}
		}
	}
}

func TestModel_scrollAndTransformError(t *testing.T) {
	var calls atomic.Int32
	m := New(context.Background(), counting(&calls), "broken")
	m.SetSize(100, 4)
	m.Focus()
	m = run(t, m, m.Show([]byte(ev)))
	if !strings.Contains(m.View(), "transform failed: mapping 3") {
		t.Errorf("transform error not shown:\n%s", m.View())
	}
	for i := 0; i < 12 && !strings.Contains(m.View(), `"recipient": "a@b.c"`); i++ { // past the reasons under "data"
		m, _ = m.Update(tea.KeyMsg{Type: tea.KeyDown})
	}
	if !strings.Contains(m.View(), `"recipient": "a@b.c"`) {
		t.Errorf("scrolling did not move the view:\n%s", m.View())
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyHome})
	if !strings.Contains(m.View(), " {") {
		t.Errorf("home did not scroll to the top:\n%s", m.View())
	}
}

func TestModel_horizontalScrollReachesLongValues(t *testing.T) {
	long := strings.Repeat("abcdefghij", 8) + "-END"
	e := strings.Replace(ev, "a@b.c", long, 1)
	var calls atomic.Int32
	m := New(context.Background(), counting(&calls), "default")
	m.SetSize(60, 40)
	m.Focus()
	m = run(t, m, m.Show([]byte(e)))
	if strings.Contains(m.View(), "-END") {
		t.Fatal("the value fits: the test proves nothing")
	}
	if !strings.Contains(m.View(), "→l") {
		t.Errorf("no hint that lines continue to the right:\n%s", m.View())
	}
	for range 20 {
		m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'l'}})
	}
	if v := m.View(); !strings.Contains(v, "-END") {
		t.Errorf("scrolled right, the end of the value is not shown:\n%s", v)
	}
	for _, l := range strings.Split(m.View(), "\n") {
		if ansi.StringWidth(l) != 60 {
			t.Errorf("line %q is %d wide", l, ansi.StringWidth(l))
		}
	}
	// Reasons are wrapped, not scrolled: they stay readable while the JSON scrolls.
	if v := m.View(); !strings.Contains(v, "↳ ✗ data: missing origin: expected one of") || !strings.Contains(v, "transactional_message_id") {
		t.Errorf("a reason was scrolled away or cut:\n%s", v)
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyHome})
	if v := m.View(); !strings.Contains(v, `"recipient": "abcdef`) {
		t.Errorf("home did not return to the left edge:\n%s", v)
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEnd})
	if v := m.View(); !strings.Contains(v, "}") {
		t.Errorf("end did not scroll to the bottom:\n%s", v)
	}
}

func TestModel_documentProblemHasNoEmptyPath(t *testing.T) {
	fn := func(context.Context, string, []byte) (Result, error) {
		return Result{Record: []byte(`{"_id":"x"}`), Problems: []Problem{{Msg: "required key [timestamp] not found"}}}, nil
	}
	m := New(context.Background(), fn, "default")
	m.SetSize(100, 12)
	m = run(t, m, m.Show([]byte(ev)))
	if v := m.View(); !strings.Contains(v, "↳ ✗ required key [timestamp] not found") {
		t.Errorf("a problem of the whole document:\n%s", v)
	}
}

package tui

import (
	"context"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/tui/eventlist"
	"github.com/ciosim/ciosim/tui/inspector"
)

// BenchmarkFirstFrame measures New, the first WindowSizeMsg and the first View: the work
// between the program starting and the first frame reaching the renderer.
func BenchmarkFirstFrame(b *testing.B) {
	deps := testDeps(&fakeSender{})
	for b.Loop() {
		m := New(context.Background(), deps, Options{Seed: 1})
		tm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		_ = tm.View()
	}
}

func loaded(b *testing.B, n int) Model {
	b.Helper()
	g := newGen(1)
	items := make([]eventlist.Item, n)
	for i := range items {
		ev, err := g.Event("email", "opened")
		if err != nil {
			b.Fatal(err)
		}
		items[i] = eventlist.NewItem(ev, "bench")
	}
	m := New(context.Background(), testDeps(&fakeSender{}), Options{Seed: 1})
	tm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m = tm.(Model)
	m.list.Append(items...)
	m.setFocus(paneList)
	return m
}

// BenchmarkKeyToFrame100k measures one key press (cursor up in the event list, which also
// points the inspector at the new event) and the frame that follows, with 100,000 events.
// The inspector's rendering runs in a command (BenchmarkInspectorRender) and is not part
// of this frame; the frame shows the cached rendering or "rendering…".
func BenchmarkKeyToFrame100k(b *testing.B) {
	m := loaded(b, 100000)
	up := tea.KeyMsg{Type: tea.KeyUp}
	b.ResetTimer()
	for b.Loop() {
		tm, _ := m.Update(up)
		m = tm.(Model)
		_ = m.View()
	}
}

// BenchmarkFilterKeyToFrame100k is a key typed into the "/" filter: a scan of every event.
func BenchmarkFilterKeyToFrame100k(b *testing.B) {
	m := loaded(b, 100000)
	tm, _ := m.Update(keyMsg("/"))
	m = tm.(Model)
	keys := []tea.KeyMsg{keyMsg("o"), {Type: tea.KeyBackspace}}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		tm, _ := m.Update(keys[i%2])
		m = tm.(Model)
		_ = m.View()
	}
}

// BenchmarkInspectorRender is the command behind a new selection: transform (fake),
// pretty-print and highlight both documents.
func BenchmarkInspectorRender(b *testing.B) {
	ev, _ := newGen(1).Event("email", "opened")
	tr := fakeTransformer{}
	fn := func(ctx context.Context, mapping string, e []byte) (inspector.Result, error) {
		r, err := tr.Transform(ctx, mapping, e)
		return inspector.Result{Record: r.Record, Message: r.Message}, err
	}
	st := inspector.DefaultStyles()
	for b.Loop() {
		_ = inspector.Render(context.Background(), fn, st, inspector.Key{Mapping: "default"}, ev.Bytes())
	}
}

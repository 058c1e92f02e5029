package tui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/tui/eventlist"
)

// recordOnly is a Transformer whose Transform (with the streaming message) counts calls
// and whose TransformRecord is what checks and reloads must use; each call of either adds
// a counter to the record, so a re-map shows as a changed record.
type recordOnly struct {
	full, records atomic.Int32
}

func (r *recordOnly) Transform(ctx context.Context, name string, ev []byte) (Transformed, error) {
	r.full.Add(1)
	return fakeTransformer{}.Transform(ctx, name, ev)
}

func (r *recordOnly) TransformRecord(ctx context.Context, name string, ev []byte) (Transformed, error) {
	n := r.records.Add(1)
	t, err := fakeTransformer{}.Transform(ctx, name, ev)
	t.Message = nil
	t.Record = append(t.Record[:len(t.Record)-1:len(t.Record)-1], []byte(`,"n":`+string(rune('0'+n%10))+`}`)...)
	return t, err
}

// unchangedReloader answers ErrUnchanged while same is set, else nil.
type unchangedReloader struct{ same atomic.Bool }

func (u *unchangedReloader) Reload(context.Context) error {
	if u.same.Load() {
		return ErrUnchanged
	}
	return nil
}

func TestLive_reloadsAndChecksMapRecordsOnly(t *testing.T) {
	tr := &recordOnly{}
	rl := &unchangedReloader{}
	deps := testDeps(&fakeSender{})
	deps.Transformer, deps.Reloader = tr, rl
	deps.MappingChanges = make(chan FileChange)
	m := New(context.Background(), deps, Options{Seed: 1})
	tm, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
	m = tm.(Model)
	g := newGen(1)
	for _, mt := range []string{"opened", "clicked", "sent"} {
		ev, _ := g.Event("email", mt)
		m.list.Append(eventlist.NewItem(ev, "test"))
	}
	// The list's checks.
	if cmd := m.keepChecking(); cmd != nil {
		tm, _ = m.Update(cmd())
		m = tm.(Model)
	}
	full := tr.full.Load() // the inspector may render the selected event in full
	reload := func() Model {
		t.Helper()
		tm, _ := m.Update(mappingChangedMsg{change: FileChange{Path: "mapping.json"}})
		m := tm.(Model)
		tm, _ = m.Update(m.startReloadForTest()())
		return tm.(Model)
	}
	m = reload()
	if got := tr.full.Load() - full; got != 0 {
		t.Errorf("checks and reloads called Transform (with the message) %d times; want TransformRecord only", got)
	}
	if m.live.version != 1 || m.live.changed != 3 {
		t.Fatalf("first reload: version %d, %d changed; want 1, 3", m.live.version, m.live.changed)
	}

	// Files saved without an edit: nothing is mapped again, nothing changed.
	rl.same.Store(true)
	before := tr.records.Load()
	records := m.live.records
	m = reload()
	if n := tr.records.Load() - before; n != 0 {
		t.Errorf("an unchanged reload mapped %d events again", n)
	}
	if m.live.version != 2 || m.live.changed != 0 || !strings.Contains(m.View(), "reload 2: 0 records changed") {
		t.Errorf("unchanged reload: version %d, %d changed; view:\n%s", m.live.version, m.live.changed, m.View())
	}
	for id, r := range records {
		if string(m.live.records[id].record) != string(r.record) {
			t.Errorf("event %d: record changed on an unchanged reload", id)
		}
	}
	for _, it := range m.list.Items() {
		if !it.Checked {
			t.Errorf("event %d lost its check on an unchanged reload", it.ID)
		}
	}

	// An edit after it maps every event again.
	rl.same.Store(false)
	m = reload()
	if m.live.version != 3 || m.live.changed != 3 {
		t.Errorf("edit after an unchanged reload: version %d, %d changed; want 3, 3", m.live.version, m.live.changed)
	}
}

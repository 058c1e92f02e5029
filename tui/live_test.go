package tui

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/tui/eventlist"
)

// countingReloader counts reloads and fails while err is set.
type countingReloader struct {
	n   atomic.Int32
	err error
}

func (c *countingReloader) Reload(context.Context) error { c.n.Add(1); return c.err }

func TestLive_savesDuringAReloadCostOneMore(t *testing.T) {
	r := &countingReloader{}
	deps := testDeps(&fakeSender{})
	deps.Reloader = r
	deps.MappingChanges = make(chan FileChange) // never sends: the test delivers messages
	m := New(context.Background(), deps, Options{Seed: 1})
	tm, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 40})
	m = tm.(Model)
	ev, _ := newGen(1).Event("email", "opened")
	m.list.Append(eventlist.NewItem(ev, "test"))

	save := mappingChangedMsg{change: FileChange{Path: "dir/mapping.json"}}
	tm, _ = m.Update(save)
	m = tm.(Model)
	if !m.live.reloading {
		t.Fatal("a save did not start a reload")
	}
	reloadCmd := m.startReloadForTest()
	for range 5 { // a burst while the reload runs
		tm, _ = m.Update(save)
		m = tm.(Model)
	}
	tm, _ = m.Update(reloadCmd())
	m = tm.(Model)
	if !m.live.reloading || m.live.dirty {
		t.Fatalf("the burst did not queue exactly one more reload: reloading %v dirty %v", m.live.reloading, m.live.dirty)
	}
	tm, _ = m.Update(m.startReloadForTest()())
	m = tm.(Model)
	if m.live.reloading || m.live.version != 2 || r.n.Load() != 2 {
		t.Fatalf("reloading %v, version %d, %d reloads; want done, 2, 2", m.live.reloading, m.live.version, r.n.Load())
	}
	if !strings.Contains(m.View(), "reload 2:") {
		t.Errorf("the list does not count the reload:\n%s", m.View())
	}

	// A set that does not compile: the error stays in the status bar, the version stays.
	r.err = errors.New("mapping.json:4:63: mapping 3 (→ _acme.email): syntax error at column 25")
	tm, _ = m.Update(save)
	m = tm.(Model)
	tm, _ = m.Update(m.startReloadForTest()())
	m = tm.(Model)
	if m.live.version != 2 || !strings.Contains(m.View(), "✗ previous mapping kept: mapping.json:4:63: mapping 3") {
		t.Errorf("version %d; view:\n%s", m.live.version, m.View())
	}
	r.err = nil
	tm, _ = m.Update(save)
	m = tm.(Model)
	tm, _ = m.Update(m.startReloadForTest()())
	m = tm.(Model)
	if m.live.err != nil || strings.Contains(m.View(), "previous mapping kept") {
		t.Errorf("the fix did not clear the error: %v", m.live.err)
	}
}

// startReloadForTest builds the reload command for the model's current events without
// touching its reload state (the model's own command was dropped by the test).
func (m Model) startReloadForTest() tea.Cmd { return m.startReload() }

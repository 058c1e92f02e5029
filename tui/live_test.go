package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/tui/eventlist"
	"github.com/ciosim/ciosim/tui/source"
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

// fileScenarios is a Scenarios that also reads scenario files: a file holding "bad" does
// not parse, any other runs as email-campaign.
type fileScenarios struct{ fakeScenarios }

func (fileScenarios) Describe(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if strings.Contains(string(b), "bad") {
		return "", errors.New("line 2: field nme not found")
	}
	return "from a file", nil
}

func (f fileScenarios) Generate(ctx context.Context, name string, seed int64) ([]customerio.Event, error) {
	if strings.HasSuffix(name, ".yaml") {
		name = "email-campaign"
	}
	return f.fakeScenarios.Generate(ctx, name, seed)
}

func TestLive_scenarioFilesInWatchedFolders(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mine.yaml")
	os.WriteFile(path, []byte("name: mine\n"), 0o644)
	deps := testDeps(&fakeSender{})
	deps.Scenarios = fileScenarios{}
	// The test delivers the changes; a closed channel keeps the re-issued pump from blocking.
	changes := make(chan FileChange)
	close(changes)
	deps.Changes = changes
	h := newHarness(t, deps, Options{Seed: 1, WatchDirs: []string{dir}}, 160, 60)
	if fs := h.m.source.ScenarioFiles(); len(fs) != 1 || fs[0].Path != path || fs[0].Err != "" {
		t.Fatalf("scenario files: %+v", fs)
	}
	if !strings.Contains(h.m.View(), "mine.yaml (file)") {
		t.Errorf("not listed beside the built-ins:\n%s", h.m.View())
	}

	// A save that breaks it: listed with why, and not runnable.
	os.WriteFile(path, []byte("name: mine\nbad: 1\n"), 0o644)
	h.send(fileChangedMsg{change: FileChange{Path: path}})
	if fs := h.m.source.ScenarioFiles(); len(fs) != 1 || fs[0].Err != "line 2: field nme not found" || !strings.Contains(h.m.View(), "mine.yaml ! line 2") {
		t.Errorf("the parse error is not shown:\n%s", h.m.View())
	}

	// Fixed again, g on it runs it.
	os.WriteFile(path, []byte("name: mine\n"), 0o644)
	h.send(fileChangedMsg{change: FileChange{Path: path}})
	h.send(source.ActivatedMsg{Selection: source.Selection{Kind: source.KindScenario, Scenario: path}})
	if n := h.m.list.Len(); n != 3 {
		t.Errorf("running the scenario file gave %d events, want 3", n)
	}

	// Deleted: gone from the list.
	h.send(fileChangedMsg{change: FileChange{Path: path, Removed: true}})
	if len(h.m.source.ScenarioFiles()) != 0 {
		t.Error("a deleted scenario file is still listed")
	}
}

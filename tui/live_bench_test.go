package tui

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/tui/eventlist"
	"github.com/ciosim/ciosim/tui/inspector"
	"github.com/ciosim/ciosim/xdm"
)

// xdmLive is a Transformer and Reloader over the real mapping engine: each Reload swaps
// between the built-in experience-event set and the same set with one more destination, so
// every reload changes every record.
type xdmLive struct {
	mu      sync.RWMutex
	sets    [2]*xdm.Mapper
	current int
}

func newXDMLive(tb testing.TB) *xdmLive {
	ms, err := xdm.Default("experience-event", "")
	if err != nil {
		tb.Fatal(err)
	}
	opts := xdm.Options{SourceFields: xdm.CustomerIOFields(), Required: xdm.DefaultRequired(ms.Name), Check: xdm.ClassRules{Class: ms.TargetClass()}}
	a, err := xdm.Compile(ms, opts)
	if err != nil {
		tb.Fatal(err)
	}
	ms.Mappings = append(ms.Mappings, xdm.Mapping{SourceType: xdm.SourceStatic, Source: "v2", Destination: "_tenant.customerio.version"})
	b, err := xdm.Compile(ms, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return &xdmLive{sets: [2]*xdm.Mapper{a, b}}
}

func (x *xdmLive) Reload(context.Context) error {
	x.mu.Lock()
	x.current = 1 - x.current
	x.mu.Unlock()
	return nil
}

func (x *xdmLive) Transform(_ context.Context, _ string, event []byte) (Transformed, error) {
	x.mu.RLock()
	mp := x.sets[x.current]
	x.mu.RUnlock()
	res, err := mp.Map(event)
	if err != nil {
		return Transformed{}, err
	}
	out := Transformed{Record: res.Record, Warnings: res.Warnings}
	for _, v := range res.Violations {
		out.Problems = append(out.Problems, Problem{Path: strings.TrimPrefix(v.Pointer, "#"), Msg: v.Message})
	}
	return out, nil
}

// BenchmarkSaveToScreen10k measures the live loop from a save of the mapping set to the
// updated screen with 10,000 events loaded, on the real mapping engine: the reload command
// (recompile, transform and check every event), the model taking its results (diffs,
// validity, counts), the inspector's rendering of the selected event with its marks, and
// the frame. The watcher's debounce (recordings.DefaultDebounce, 100 ms) comes before it.
func BenchmarkSaveToScreen10k(b *testing.B) {
	const n = 10000
	live := newXDMLive(b)
	g := newGen(1)
	pairs := customerio.Pairs()
	items := make([]eventlist.Item, n)
	for i := range items {
		p := pairs[i%len(pairs)]
		ev, err := g.Event(p.ObjectType, p.Metric)
		if err != nil {
			b.Fatal(err)
		}
		items[i] = eventlist.NewItem(ev, "bench")
	}
	deps := testDeps(&fakeSender{})
	deps.Transformer, deps.Reloader = live, live
	m := New(context.Background(), deps, Options{Seed: 1, MappingSets: []string{"mapping.json"}})
	m.after = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	tm, _ := m.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
	m = tm.(Model)
	m.list.Append(items...)
	// A first reload gives every event its record under the set in force (the steady state
	// a user editing a mapping is in).
	m = saveToScreen(b, m)
	b.ResetTimer()
	for b.Loop() {
		m = saveToScreen(b, m)
	}
	b.StopTimer()
	if m.live.changed != n || m.live.err != nil {
		b.Fatalf("last reload: %d changed, err %v", m.live.changed, m.live.err)
	}
	if !strings.Contains(m.View(), "reload") {
		b.Fatal("the frame does not show the reload")
	}
}

func saveToScreen(b *testing.B, m Model) Model {
	msg := m.startReload()()
	tm, cmd := m.Update(msg)
	m = tm.(Model)
	for _, msg := range runAll(cmd) {
		if r, ok := msg.(inspector.RenderedMsg); ok {
			tm, _ = m.Update(r)
			m = tm.(Model)
		}
	}
	_ = m.View()
	return m
}

// runAll runs cmd and the commands of any batch it returns, collecting their messages.
func runAll(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if batch, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range batch {
			out = append(out, runAll(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

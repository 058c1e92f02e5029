package wiring

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/tui"
	"github.com/ciosim/ciosim/xdm"
)

// screenProbe wraps the TUI model in a running program and reports when a frame (View)
// first holds the awaited text: the moment the user would see it.
type screenProbe struct {
	m     tui.Model
	state *probeState
}

type probeState struct {
	want atomic.Pointer[string]
	hit  chan time.Time
}

func (p screenProbe) Init() tea.Cmd { return p.m.Init() }

func (p screenProbe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	tm, cmd := p.m.Update(msg)
	p.m = tm.(tui.Model)
	if w := p.state.want.Load(); w != nil && strings.Contains(p.m.View(), *w) {
		p.state.want.Store(nil)
		p.state.hit <- time.Now()
	}
	return p, cmd
}

func (p screenProbe) View() string { return p.m.View() }

// await waits for a frame holding want, started (the save made) at t0; it returns the time
// from t0 to that frame.
func (s *probeState) await(tb testing.TB, want string, act func()) time.Duration {
	tb.Helper()
	s.want.Store(&want)
	t0 := time.Now()
	act()
	select {
	case t1 := <-s.hit:
		return t1.Sub(t0)
	case <-time.After(60 * time.Second):
		tb.Fatalf("no frame with %q within 60 s", want)
		return 0
	}
}

// BenchmarkSaveToScreenE2E10k measures what the user waits for in the live mapping loop with
// 10,000 events loaded: from writing the mapping file on disk to the first frame that shows
// the reload's counts, through everything in between on the real wiring — the fsnotify
// watcher and its debounce, the live transformer's recompile, the re-mapping and
// re-validation of every event, the model taking the results and the frame's View (the
// terminal renderer's frame tick, at most 1/60 s, is not included). Each save toggles one
// destination, so every record changes on every reload. It reports ms/save (the same
// figure as ns/op) and cpu-ms/save, the process's user+system CPU per save, which a
// loaded machine inflates less than the wall time.
func BenchmarkSaveToScreenE2E10k(b *testing.B) {
	benchSaveToScreen(b, 10000)
}

func benchSaveToScreen(b *testing.B, n int) {
	dir := b.TempDir()
	ms, err := xdm.Default("experience-event", "")
	if err != nil {
		b.Fatal(err)
	}
	plain := ms.JSON()
	ms.Mappings = append(ms.Mappings, xdm.Mapping{SourceType: xdm.SourceStatic, Source: "v2", Destination: "_tenant.customerio.version"})
	extra := ms.JSON()
	mapping := filepath.Join(dir, "mapping.json")
	if err := os.WriteFile(mapping, plain, 0o644); err != nil {
		b.Fatal(err)
	}
	events := filepath.Join(dir, "events.jsonl")
	writeEvents(b, events, n)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr, err := NewLiveTransformer(mapping, "", "", "")
	if err != nil {
		b.Fatal(err)
	}
	ch, err := WatchFiles(ctx, tr.Watched())
	if err != nil {
		b.Fatal(err)
	}
	deps := tui.Deps{Transformer: tr, Reloader: tr, MappingChanges: ch,
		NewGenerator: func(seed int64) tui.EventGenerator { return generator.New(generator.Options{Seed: seed}) }}
	opts := tui.Options{Seed: 1, MappingSets: tr.Names(), MappingSet: mapping, WatchDirs: []string{dir}}
	st := &probeState{hit: make(chan time.Time, 1)}
	p := tea.NewProgram(screenProbe{m: tui.New(ctx, deps, opts), state: st}, tea.WithContext(ctx),
		tea.WithInput(nil), tea.WithOutput(io.Discard), tea.WithoutRenderer(), tea.WithoutSignalHandler())
	done := make(chan struct{})
	go func() { _, _ = p.Run(); close(done) }()
	defer func() { cancel(); <-done }()

	st.await(b, "events.jsonl", func() { p.Send(tea.WindowSizeMsg{Width: 160, Height: 50}) })
	st.await(b, fmt.Sprintf("Events %d", n), func() {
		p.Send(tea.KeyMsg{Type: tea.KeyEnd})
		p.Send(tea.KeyMsg{Type: tea.KeyEnter})
	})
	save := func(version int) time.Duration {
		content := plain
		if version%2 == 1 {
			content = extra
		}
		want := fmt.Sprintf("reload %d: %d records changed", version, n)
		return st.await(b, want, func() {
			if err := os.WriteFile(mapping, content, 0o644); err != nil {
				b.Fatal(err)
			}
		})
	}
	// The first save gives every event its record under a set (the steady state of a user
	// editing a mapping); the watcher must have settled before the next write.
	save(1)
	version := 1
	var total time.Duration
	cpu0 := processCPU()
	b.ResetTimer()
	for b.Loop() {
		version++
		total += save(version)
	}
	saves := float64(version - 1)
	b.ReportMetric(float64(total.Microseconds())/1000/saves, "ms/save")
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/saves, "cpu-ms/save")
}

func writeEvents(tb testing.TB, path string, n int) {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	g := generator.New(generator.Options{Seed: 1})
	pairs := customerio.Pairs()
	for i := range n {
		p := pairs[i%len(pairs)]
		ev, err := g.Event(p.ObjectType, p.Metric)
		if err != nil {
			tb.Fatal(err)
		}
		w.Write(ev.Bytes())
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

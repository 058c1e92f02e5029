package wiring

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
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
	want atomic.Pointer[func(view string) bool]
	hit  chan time.Time
}

func (p screenProbe) Init() tea.Cmd { return p.m.Init() }

func (p screenProbe) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	tm, cmd := p.m.Update(msg)
	p.m = tm.(tui.Model)
	if w := p.state.want.Load(); w != nil && (*w)(p.m.View()) {
		p.state.want.Store(nil)
		p.state.hit <- time.Now()
	}
	return p, cmd
}

func (p screenProbe) View() string { return p.m.View() }

// await runs act and waits for a frame holding want; it returns the time from act's start
// to that frame.
func (s *probeState) await(tb testing.TB, want string, act func()) time.Duration {
	tb.Helper()
	return s.awaitFunc(tb, want, func(v string) bool { return strings.Contains(v, want) }, act)
}

// awaitFunc is await with a test of the frame; what describes it.
func (s *probeState) awaitFunc(tb testing.TB, what string, ok func(view string) bool, act func()) time.Duration {
	tb.Helper()
	s.want.Store(&ok)
	t0 := time.Now()
	act()
	select {
	case t1 := <-s.hit:
		return t1.Sub(t0)
	case <-time.After(60 * time.Second):
		tb.Fatalf("no frame with %s within 60 s", what)
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
// loaded machine inflates less than the wall time, and heap-MB, the live heap after the
// last save (the TUI with its 10,000 events, records and decoded events).
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
	deps := tui.Deps{Transformer: tr, Reloader: tr, MappingChanges: ch, OpenRecords: OpenRecords,
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
	// A save is on screen when a later reload than the last one seen shows every record
	// changed (a watcher that reported a save twice makes a second, unchanged reload).
	reloadRE := regexp.MustCompile(`reload (\d+): (\d+) records changed`)
	seen := 0
	save := func(i int) time.Duration {
		content := plain
		if i%2 == 1 {
			content = extra
		}
		onScreen := func(v string) bool {
			m := reloadRE.FindStringSubmatch(v)
			if m == nil {
				return false
			}
			version, _ := strconv.Atoi(m[1])
			if version <= seen || m[2] != strconv.Itoa(n) {
				return false
			}
			seen = version
			return true
		}
		return st.awaitFunc(b, fmt.Sprintf("a reload after %d changing %d records", seen, n), onScreen, func() {
			if err := os.WriteFile(mapping, content, 0o644); err != nil {
				b.Fatal(err)
			}
		})
	}
	// The first save gives every event its record under a set (the steady state of a user
	// editing a mapping); the watcher must have settled before the next write.
	save(1)
	saves := 0
	var total time.Duration
	cpu0 := processCPU()
	b.ResetTimer()
	for b.Loop() {
		saves++
		total += save(saves + 1)
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(saves), "ms/save")
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/1000/float64(saves), "cpu-ms/save")
	b.StopTimer()
	runtime.GC()
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	b.ReportMetric(float64(mem.HeapAlloc>>20), "heap-MB")
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

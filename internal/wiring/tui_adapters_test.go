package wiring

import (
	"bytes"
	"context"
	"github.com/ciosim/ciosim/pipeline"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/tui"
	"github.com/ciosim/ciosim/tui/inspector"
	"github.com/muesli/termenv"
)

func tuiEvents(t *testing.T, pairs ...[2]string) []customerio.Event {
	t.Helper()
	g := generator.New(generator.Options{Seed: 5, Start: time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)})
	var out []customerio.Event
	for _, p := range pairs {
		ev, err := g.Event(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

func payloads(evs []customerio.Event) []tui.Payload {
	ps := make([]tui.Payload, len(evs))
	for i, ev := range evs {
		ps[i] = tui.Payload{ID: string(rune('a' + i)), Event: ev.Bytes()}
	}
	return ps
}

func TestTUISender_emulatorAllModes(t *testing.T) {
	_, run, stop, err := StartEmulator("")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	tr, err := NewXDMTransformer("experience-event", "", "")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewTUISender(aep.Options{URL: run.InletURL(), FlowID: emulator.DefaultFlowID}, tr, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	evs := tuiEvents(t, [2]string{"email", "opened"}, [2]string{"sms", "delivered"}, [2]string{"push", "clicked"})
	for _, mode := range tui.Modes() {
		t.Run(string(mode), func(t *testing.T) {
			res, err := s.Send(context.Background(), mode, "experience-event", payloads(evs))
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 3 {
				t.Fatalf("%d results, want 3", len(res))
			}
			for i, r := range res {
				if r.Outcome != pipeline.Delivered || r.XactionID == "" || r.Attempts != 1 || r.Latency <= 0 {
					t.Errorf("result %+v, want a 2xx with an xactionId", r)
				}
				if want := "tui #" + string(rune('a'+i)); r.Message.Input != want {
					t.Errorf("result %d is for %q, want %q: results come in the payloads' order", i, r.Message.Input, want)
				}
			}
		})
	}
	if _, err := s.Send(context.Background(), "fast", "experience-event", payloads(evs)); err == nil {
		t.Error("unknown mode accepted")
	}
	res, _ := s.Send(context.Background(), tui.ModeXDM, "nope", payloads(evs[:1]))
	if len(res) != 1 || res[0].Outcome != pipeline.Rejected || !strings.Contains(res[0].Reason, "transform") {
		t.Errorf("unknown mapping set: %+v", res)
	}
}

func TestTUISender_failuresAreDeadLettered(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"type":"https://ns.adobe.com/aep/errors/DCVS-1106-400","title":"Invalid data","report":{"message":"bad"}}`))
	}))
	defer srv.Close()
	dead := &DeadLetterFile{path: filepath.Join(t.TempDir(), "dead.jsonl")}
	s, err := NewTUISender(aep.Options{URL: srv.URL + "/collection/" + emulator.DefaultInletID, FlowID: "f"}, nil, dead, nil)
	if err != nil {
		t.Fatal(err)
	}
	evs := tuiEvents(t, [2]string{"email", "sent"})
	res, err := s.Send(context.Background(), tui.ModeRaw, "", payloads(evs))
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Status != 400 || res[0].Outcome != pipeline.Failed || !strings.Contains(res[0].Excerpt, "Invalid data") {
		t.Fatalf("result = %+v, want the 400 with its body", res)
	}
	list, err := dead.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Status != 400 || list[0].Mode != tui.ModeRaw || !bytes.Equal(list[0].Event, evs[0].Bytes()) || list[0].ID != evs[0].EventID {
		t.Errorf("dead letters = %+v", list)
	}
	missing := &DeadLetterFile{path: filepath.Join(t.TempDir(), "none.jsonl")}
	if l, err := missing.List(context.Background()); err != nil || len(l) != 0 {
		t.Errorf("missing file: %v %v", l, err)
	}
}

func TestFixtureScenarios(t *testing.T) {
	sc, err := NewFixtureScenarios()
	if err != nil {
		t.Fatal(err)
	}
	list := sc.List()
	if len(list) == 0 {
		t.Fatal("no built-in scenarios")
	}
	evs, err := sc.Generate(context.Background(), list[0].Name, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 {
		t.Fatalf("scenario %s made no events", list[0].Name)
	}
	for _, ev := range evs[:min(len(evs), 50)] {
		if err := ev.Validate(); err != nil {
			t.Fatalf("invalid event: %v", err)
		}
	}
	again, _ := sc.Generate(context.Background(), list[0].Name, 7)
	if len(again) != len(evs) || !bytes.Equal(again[0].Bytes(), evs[0].Bytes()) {
		t.Error("same seed, different scenario output")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := sc.Generate(ctx, list[0].Name, 7); err == nil {
		t.Error("a cancelled scenario run returned no error")
	}
	if _, err := sc.Generate(context.Background(), "no-such-scenario", 1); err == nil {
		t.Error("unknown scenario accepted")
	}
}

// TestTUIFlow_realEmulator is the flow end to end with the real wiring: launch,
// generate an email opened, see both JSONs, fire, and the send log shows the emulator's 200.
func TestTUIFlow_realEmulator(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	deps, opts, cleanup, err := WireTUI(context.Background(), TUIConfig{Mode: tui.ModeRaw, Seed: 42}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	m := tui.New(t.Context(), deps, opts)
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(120, 40))
	wait := func(want ...string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
			for _, w := range want {
				if !bytes.Contains(b, []byte(w)) {
					return false
				}
			}
			return true
		}, teatest.WithDuration(10*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	}
	wait("embedded AEP emulator")
	for _, k := range []string{"j", "l", "j", "j", "j", "j", "j", "g"} {
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)})
	}
	wait("email/opened", "Customer.io JSON", "XDM record · experience-event ✓ valid", `"_experience"`)
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("f")})
	wait("→ 200")
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q")})
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(tui.Model)
	log := fm.SendLog()
	if len(log) != 1 || log[0].Status != 200 || log[0].XactionID == "" || log[0].Label != "email/opened" {
		t.Fatalf("send log = %+v, want the emulator's 200 with an xactionId", log)
	}
	r, _ := fm.Inspector()
	if !strings.Contains(r.XDMPlain, `"eventType"`) {
		t.Errorf("XDM side:\n%s", r.XDMPlain)
	}
}

// BenchmarkInspectorRenderXDM is the inspector's background work for one newly selected
// event with the real experience-event mapping: map, validate, pretty-print, highlight.
func BenchmarkInspectorRenderXDM(b *testing.B) {
	tr, err := NewXDMTransformer("experience-event", "", "")
	if err != nil {
		b.Fatal(err)
	}
	g := generator.New(generator.Options{Seed: 1, Start: time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)})
	ev, _ := g.Event("email", "clicked")
	fn := func(ctx context.Context, mapping string, e []byte) (inspector.Result, error) {
		r, err := tr.Transform(ctx, mapping, e)
		out := inspector.Result{Record: r.Record, Message: r.Message, Warnings: r.Warnings}
		for _, p := range r.Problems {
			out.Problems = append(out.Problems, inspector.Problem{Path: p.Path, Msg: p.Msg})
		}
		return out, err
	}
	st := inspector.DefaultStyles()
	for b.Loop() {
		_ = inspector.Render(context.Background(), fn, st, inspector.Key{Mapping: "experience-event"}, ev.Bytes())
	}
}

// BenchmarkWireTUI is the start-up work before the first frame: compiling every mapping
// set, loading the scenarios and starting the embedded emulator.
func BenchmarkWireTUI(b *testing.B) {
	for b.Loop() {
		_, _, cleanup, err := WireTUI(context.Background(), TUIConfig{Mode: tui.ModeRaw}, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		cleanup()
	}
}

func TestTUISender_cancelledNotFailedAndEmulatorVerdicts(t *testing.T) {
	// Cancel while requests are in flight: they are cancelled, never dead-lettered.
	release := make(chan struct{})
	var once sync.Once
	arrived := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(arrived) })
		<-release
	}))
	defer srv.Close()
	defer close(release)
	dead := &DeadLetterFile{path: filepath.Join(t.TempDir(), "dead.jsonl")}
	s, err := NewTUISender(aep.Options{URL: srv.URL + "/collection/" + emulator.DefaultInletID, FlowID: "f"}, nil, dead, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	evs := tuiEvents(t, [2]string{"email", "sent"}, [2]string{"email", "opened"})
	res, err := s.Send(ctx, tui.ModeRaw, "", payloads(evs))
	if err != nil || len(res) != 2 {
		t.Fatalf("%d results, err %v", len(res), err)
	}
	for _, r := range res {
		if r.Outcome != pipeline.Cancelled {
			t.Errorf("result %+v, want cancelled", r)
		}
	}
	if l, _ := dead.List(context.Background()); len(l) != 0 {
		t.Errorf("cancelled sends were dead-lettered: %+v", l)
	}

	// On the embedded emulator, a delivered raw event it keeps as bad carries the reason.
	emuSrv, run, stop, err := StartEmulator("")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	es, err := NewTUISender(aep.Options{URL: run.InletURL(), FlowID: emulator.DefaultFlowID}, nil, nil, emuSrv)
	if err != nil {
		t.Fatal(err)
	}
	noTS := `{"data":{"customer_id":"42","identifiers":{"id":"42"}},"event_id":"01NOTIMESTAMP","metric":"subscribed","object_type":"customer"}`
	res, _ = es.Send(context.Background(), tui.ModeRaw, "", []tui.Payload{{ID: "a", Event: []byte(noTS)}})
	if len(res) != 1 || res[0].Outcome != pipeline.Delivered || res[0].Verdict == nil || res[0].Verdict.Good || !strings.Contains(strings.Join(res[0].Verdict.Reasons, " "), "timestamp") {
		t.Fatalf("result %+v verdict %+v: want delivered, kept as bad for its timestamp", res, res[0].Verdict)
	}
}

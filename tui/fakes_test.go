package tui

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/ciosim/ciosim/pipeline"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/recordings"
	"github.com/muesli/termenv"
)

func TestMain(m *testing.M) {
	// Goldens are plain text whatever terminal runs the tests (conventions §5.5).
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

var fixedStart = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func newGen(seed int64) EventGenerator {
	return generator.New(generator.Options{Seed: seed, Start: fixedStart})
}

// fakeTransformer maps an event to a tiny XDM record naming the mapping set; problems are
// returned for events whose metric is listed in fail.
type fakeTransformer struct {
	fail map[string][]Problem
}

func (f fakeTransformer) Transform(_ context.Context, mapping string, event []byte) (Transformed, error) {
	ev, err := customerio.Parse(event)
	if err != nil {
		return Transformed{}, err
	}
	rec, _ := json.Marshal(map[string]any{
		"_id":       ev.EventID,
		"eventType": "directMarketing." + ev.ObjectType + "." + ev.Metric,
		"timestamp": time.Unix(ev.Timestamp, 0).UTC().Format(time.RFC3339),
		"_mapping":  mapping,
	})
	msg := []byte(`{"header":{"schemaRef":{"id":"https://ns.adobe.com/x/schemas/1"}},"body":{"xdmEntity":` + string(rec) + `}}`)
	return Transformed{Record: rec, Message: msg, Problems: f.fail[ev.Metric]}, nil
}

// fakeSender answers 200 with an xactionId, or failStatus for ids in fail; it records every
// call.
type fakeSender struct {
	mu         sync.Mutex
	calls      []fakeCall
	fail       map[string]bool
	failStatus int
	// bad are ids the (emulated) endpoint accepts but keeps as bad records.
	bad map[string]bool
}

type fakeCall struct {
	mode     Mode
	mapping  string
	payloads []Payload
}

func (s *fakeSender) Send(ctx context.Context, mode Mode, mapping string, ps []Payload) ([]pipeline.Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, fakeCall{mode, mapping, ps})
	out := make([]pipeline.Result, len(ps))
	for i, p := range ps {
		if ctx.Err() != nil { // as the pipeline reports an interrupted send
			out[i] = result(aep.Result{Outcome: pipeline.Cancelled, Attempts: 1, Reason: "interrupted: not sent"})
			continue
		}
		if s.bad[p.ID] {
			out[i] = result(aep.Result{Outcome: pipeline.Delivered, Status: 200, XactionID: "xid-" + p.ID, Attempts: 1})
			out[i].Verdict = &pipeline.Verdict{Reasons: []string{"timestamp: required"}}
			continue
		}
		if s.fail[p.ID] {
			out[i] = result(aep.Result{Outcome: pipeline.Failed, Status: s.failStatus, Attempts: 3, Latency: 5 * time.Millisecond,
				Excerpt: `{"title":"Bad Request","report":{"message":"invalid"}}`})
			continue
		}
		out[i] = result(aep.Result{Outcome: pipeline.Delivered, Status: 200, XactionID: "xid-" + p.ID, Latency: 12 * time.Millisecond, Attempts: 1})
	}
	return out, nil
}

func (s *fakeSender) sentIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ids []string
	for _, c := range s.calls {
		for _, p := range c.payloads {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

func (s *fakeSender) setFail(id string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail == nil {
		s.fail = map[string]bool{}
	}
	s.fail[id] = on
}

type fakeRecorder struct {
	ch      chan recordings.Capture
	started int
	stopped int
}

func (r *fakeRecorder) Start(context.Context) (string, error) {
	r.started++
	return "127.0.0.1:4400", nil
}
func (r *fakeRecorder) Stop(context.Context) error          { r.stopped++; return nil }
func (r *fakeRecorder) Captures() <-chan recordings.Capture { return r.ch }

type fakeClipboard struct {
	mu   sync.Mutex
	text []string
}

func (c *fakeClipboard) Copy(_ context.Context, s string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.text = append(c.text, s)
	return nil
}

type fakeScenarios struct{}

func (fakeScenarios) List() []Scenario {
	return []Scenario{{Name: "email-campaign", Description: "sent, delivered, opened"}}
}

func (fakeScenarios) Generate(_ context.Context, name string, seed int64) ([]customerio.Event, error) {
	if name != "email-campaign" {
		return nil, fmt.Errorf("unknown scenario %q", name)
	}
	g := newGen(seed)
	var out []customerio.Event
	for _, mt := range []string{"sent", "delivered", "opened"} {
		ev, err := g.Event("email", mt)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

var fixedNow = func() time.Time { return time.Date(2026, 3, 14, 16, 0, 0, 0, time.UTC) }

// testDeps are fakes for every collaborator.
func testDeps(s *fakeSender) Deps {
	return Deps{
		NewGenerator: newGen,
		Transformer:  fakeTransformer{},
		Endpoints:    []Endpoint{{Label: "emulator 127.0.0.1:4318", Sender: s}, {Label: "https://dcs.example/collection/abc", Sender: s}},
		Scenarios:    fakeScenarios{},
		Clipboard:    &fakeClipboard{},
		Now:          fixedNow,
		OpenRecords:  openRecords,
	}
}

// openRecords reads a file with the tolerant recordings reader, as the real wiring's
// file source does.
func openRecords(path string) RecordSource { return &fileRecords{path: path} }

type fileRecords struct {
	path string
	f    *os.File
	r    *recordings.Reader
}

func (s *fileRecords) Next(context.Context) (recordings.Record, error) {
	if s.r == nil {
		f, err := os.Open(s.path)
		if err != nil {
			return recordings.Record{}, err
		}
		s.f, s.r = f, recordings.NewReader(f, s.path)
	}
	return s.r.Next()
}

func (s *fileRecords) Close() {
	if s.f != nil {
		s.f.Close()
	}
}

// harness drives a Model through Update and runs the commands it returns synchronously,
// expanding batches, firing scheduled ticks at once (recording their delays) and dropping
// status-clearing ticks, so every test is deterministic.
type harness struct {
	t      *testing.T
	m      Model
	delays []time.Duration
	// clock is the model's clock: it starts at deps.Now() and moves only when a scheduled
	// tick fires, by the tick's delay plus oversleep (a timer that wakes up late).
	clock     time.Time
	oversleep time.Duration
}

func newHarness(t *testing.T, deps Deps, opts Options, w, h int) *harness {
	t.Helper()
	hs := &harness{t: t, clock: fixedNow()}
	if deps.Now != nil {
		hs.clock = deps.Now()
	}
	deps.Now = func() time.Time { return hs.clock }
	m := New(context.Background(), deps, opts)
	m.after = func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		return func() tea.Msg {
			msg := fn(time.Time{})
			if _, ok := msg.(statusClearMsg); !ok {
				hs.delays = append(hs.delays, d)
				hs.clock = hs.clock.Add(d + hs.oversleep)
			}
			return msg
		}
	}
	hs.m = m
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(m.Init())
	return hs
}

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	tm, cmd := h.m.Update(msg)
	h.m = tm.(Model)
	h.run(cmd)
}

// keys sends each string as one key press: named keys ("enter", "tab", "esc", "up", ...)
// or runes.
func (h *harness) keys(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyMsg {
	named := map[string]tea.KeyType{"enter": tea.KeyEnter, "tab": tea.KeyTab, "esc": tea.KeyEsc,
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"space": tea.KeySpace, "backspace": tea.KeyBackspace, "ctrl+c": tea.KeyCtrlC, "shift+tab": tea.KeyShiftTab,
		"end": tea.KeyEnd, "home": tea.KeyHome, "pgdown": tea.KeyPgDown}
	if t, ok := named[k]; ok {
		return tea.KeyMsg{Type: t}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// typeText types s one rune at a time (into a prompt or filter).
func (h *harness) typeText(s string) {
	h.t.Helper()
	for _, r := range s {
		h.send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
	}
}

func (h *harness) run(cmd tea.Cmd) {
	h.t.Helper()
	queue := []tea.Cmd{cmd}
	for steps := 0; len(queue) > 0; steps++ {
		if steps > 100000 {
			h.t.Fatal("harness: too many commands")
		}
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		msg := c()
		switch msg := msg.(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case statusClearMsg:
		default:
			if t := fmt.Sprintf("%T", msg); t == "tea.QuitMsg" || t == "tea.InterruptMsg" {
				continue
			}
			if isBlink(msg) {
				continue
			}
			tm, next := h.m.Update(msg)
			h.m = tm.(Model)
			queue = append(queue, next)
		}
	}
}

func isBlink(msg tea.Msg) bool {
	switch fmt.Sprintf("%T", msg) {
	case "textinput.initialBlinkMsg", "cursor.initialBlinkMsg", "cursor.BlinkMsg", "cursor.blinkCanceled":
		return true
	}
	return false
}

// selectPair moves the source cursor to a pair with the pane's own keys.
func (h *harness) selectPair(objectType, metric string) {
	h.t.Helper()
	h.m.source.SelectPair(objectType, metric)
}

func itoa(i int) string { return strconv.Itoa(i) }

// result wraps an aep result as the delivery engine hands it on.
func result(r aep.Result) pipeline.Result { return pipeline.Result{Result: r} }

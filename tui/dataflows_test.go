package tui

import (
	"context"
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/internal/golden"
	"github.com/ciosim/ciosim/pipeline"
)

// fakeDataflows lists two directories, one that does not read and one flow of the
// emulator's control plane; Use gives each its own mapping set name and senders.
type fakeDataflows struct {
	senders map[string][]*fakeSender // by key: the real inlet's, then the emulator copy's
	used    []string
	listErr error
}

func (f *fakeDataflows) List(context.Context) ([]Dataflow, error) {
	if f.listErr != nil {
		return nil, f.listErr
	}
	return []Dataflow{
		{Key: "flows/orders", Name: "orders", FlowID: "f-orders", Origin: "dir flows/orders", Inlet: "https://dcs.adobedc.net/collection/aaa", MappingVersion: 2},
		{Key: "flows/signups", Name: "signups", FlowID: "f-signups", Origin: "dir flows/signups", Inlet: "https://dcs.adobedc.net/collection/bbb"},
		{Key: "flows/broken", Name: "broken", Origin: "dir flows/broken", Problem: "dataflow: flows/broken/dataflow.json: field flowId: missing"},
		{Key: "emulator:f-local", Name: "local", FlowID: "f-local", Origin: "emulator", Inlet: "http://127.0.0.1:4318/collection/ccc", MappingVersion: 1},
	}, nil
}

func (f *fakeDataflows) Use(_ context.Context, key string) (DataflowInUse, error) {
	f.used = append(f.used, key)
	ss, ok := f.senders[key]
	if !ok {
		return DataflowInUse{}, errors.New("no such dataflow")
	}
	name := strings.TrimPrefix(strings.TrimPrefix(key, "flows/"), "emulator:")
	in := DataflowInUse{Dataflow: Dataflow{Key: key, Name: name}, MappingSet: name + "/mapping.json"}
	labels := []string{"dataflow " + name + " https://dcs.adobedc.net/collection/x", "dataflow " + name + " · emulator 127.0.0.1:4318"}
	if len(ss) == 1 {
		labels = labels[1:]
	}
	for i, s := range ss {
		in.Endpoints = append(in.Endpoints, Endpoint{Label: labels[i], Sender: s})
	}
	return in, nil
}

func flowDeps(start *fakeSender, f *fakeDataflows) Deps {
	d := testDeps(start)
	d.Dataflows = f
	return d
}

// TestModel_dataflowPicker switches between dataflows: the chosen one's mapping set is the
// inspector's and the fire's, its inlet gets the events, E moves to its emulator copy, and
// the first row goes back to the start.
func TestModel_dataflowPicker(t *testing.T) {
	start, orders, ordersEmu, local := &fakeSender{}, &fakeSender{}, &fakeSender{}, &fakeSender{}
	f := &fakeDataflows{senders: map[string][]*fakeSender{"flows/orders": {orders, ordersEmu}, "emulator:f-local": {local}}}
	h := newHarness(t, flowDeps(start, f), Options{Seed: 42, MappingSets: []string{"default", "custom"}}, 80, 24)
	if v := h.m.View(); !strings.Contains(v, "D dataflows") {
		t.Fatalf("the help line at 80 columns does not show the picker's key:\n%s", v)
	}
	generateEmailOpened(h)

	h.keys("D")
	v := h.m.View()
	for _, want := range []string{"Dataflows", "as started", "endpoint emulator 127.0.0.1:4318", "mapping  default", "orders · dir flows/orders",
		"broken · dir flows/broken · ✗ cannot be used", "local · emulator", "enter use"} {
		if !strings.Contains(v, want) {
			t.Errorf("picker lacks %q:\n%s", want, v)
		}
	}
	checkSize(t, v, 80, 24)
	golden.RequireEqual(t, []byte(v))

	h.keys("j")
	if v := h.m.View(); !strings.Contains(v, "flow     f-orders") || !strings.Contains(v, "inlet    https://dcs.adobedc.net/collection/aaa") || !strings.Contains(v, "mapping  version 2") {
		t.Errorf("the cursor row's details are not shown:\n%s", v)
	}
	h.keys("enter")
	if name, ep := h.m.Dataflow(); name != "orders" || !strings.HasPrefix(ep, "dataflow orders https://") {
		t.Fatalf("after choosing orders: dataflow %q endpoint %q", name, ep)
	}
	if got := h.m.MappingSet(); got != "orders/mapping.json" {
		t.Fatalf("mapping set = %q, want the dataflow's", got)
	}
	r, _ := h.m.Inspector()
	if !strings.Contains(r.XDMPlain, `"_mapping": "orders/mapping.json"`) {
		t.Errorf("the inspector does not map with the dataflow's set:\n%s", r.XDMPlain)
	}
	h.keys("m", "f") // xdm mode: the transform is the dataflow's
	if len(orders.calls) != 1 || orders.calls[0].mapping != "orders/mapping.json" || orders.calls[0].mode != ModeXDM || len(start.calls) != 0 {
		t.Fatalf("fire went to %+v (start %d calls), want the dataflow's inlet with its mapping set", orders.calls, len(start.calls))
	}
	h.keys("E", "f")
	if len(ordersEmu.calls) != 1 {
		t.Errorf("E did not move to the dataflow's emulator copy: %d calls", len(ordersEmu.calls))
	}

	// a row that cannot be used says why and changes nothing
	h.keys("D", "j", "j") // the cursor stays where it was: on orders
	if v := h.m.View(); !strings.Contains(v, "✗ dataflow: flows/broken/dataflow.json: field flowId: missing") {
		t.Errorf("the broken row's problem is not shown:\n%s", v)
	}
	h.keys("enter")
	if name, _ := h.m.Dataflow(); name != "orders" || !strings.Contains(h.m.Status(), "field flowId: missing") {
		t.Errorf("broken row: dataflow %q, status %q", name, h.m.Status())
	}

	// the control plane's flow
	h.keys("esc", "D", "end", "enter", "f")
	if name, ep := h.m.Dataflow(); name != "f-local" || !strings.Contains(ep, "emulator") || len(local.calls) != 1 {
		t.Fatalf("emulator flow: dataflow %q endpoint %q, %d calls", name, ep, len(local.calls))
	}

	// back to the start
	h.keys("D", "home", "enter", "f")
	if name, ep := h.m.Dataflow(); name != "" || ep != "emulator 127.0.0.1:4318" || h.m.MappingSet() != "default" || len(start.calls) != 1 {
		t.Errorf("as started: dataflow %q endpoint %q mapping %q, %d calls", name, ep, h.m.MappingSet(), len(start.calls))
	}
	if got := strings.Join(f.used, ","); got != "flows/orders,emulator:f-local" {
		t.Errorf("Use calls = %s", got)
	}
}

// TestModel_dataflowLoadingHoldsFires: while a chosen dataflow loads, fire and the switch
// keys wait (they would go to the dataflow it replaces).
func TestModel_dataflowLoadingHoldsFires(t *testing.T) {
	start := &fakeSender{}
	f := &fakeDataflows{senders: map[string][]*fakeSender{"flows/orders": {&fakeSender{}}}}
	h := newHarness(t, flowDeps(start, f), Options{Seed: 1}, 100, 30)
	generateEmailOpened(h)
	h.keys("D", "j")
	// enter without running the Use command: the answer has not arrived yet
	tm, _ := h.m.Update(keyMsg("enter"))
	h.m = tm.(Model)
	for _, k := range []string{"f", "F", "E", "M", "p", "D"} {
		tm, cmd := h.m.Update(keyMsg(k))
		h.m = tm.(Model)
		if len(start.calls) != 0 || !strings.Contains(h.m.Status(), "still loading") {
			t.Errorf("%s while loading: %d sends, status %q", k, len(start.calls), h.m.Status())
		}
		_ = cmd
	}
}

// TestModel_dataflowStaleAnswerDropped: the answer to an earlier choice, arriving after a
// later one, does not switch.
func TestModel_dataflowStaleAnswerDropped(t *testing.T) {
	start := &fakeSender{}
	f := &fakeDataflows{senders: map[string][]*fakeSender{"flows/orders": {&fakeSender{}}}}
	h := newHarness(t, flowDeps(start, f), Options{Seed: 1}, 100, 30)
	h.keys("D", "j", "enter")
	h.send(flowUsedMsg{gen: h.m.flows.gen - 1, key: "flows/signups", in: DataflowInUse{Dataflow: Dataflow{Name: "signups"},
		MappingSet: "signups", Endpoints: []Endpoint{{Label: "stale", Sender: start}}}})
	if name, ep := h.m.Dataflow(); name != "orders" || strings.Contains(ep, "stale") {
		t.Errorf("a stale answer switched: %q %q", name, ep)
	}
}

// TestModel_dataflowErrorsAndJobs: a failing list or use is a status message; a running job
// keeps its dataflow; without Dataflows the key is off and the help line does not show it.
func TestModel_dataflowErrorsAndJobs(t *testing.T) {
	f := &fakeDataflows{listErr: errors.New("the embedded emulator's flows: connection refused")}
	h := newHarness(t, flowDeps(&fakeSender{}, f), Options{Seed: 1}, 100, 30)
	h.keys("D")
	if !strings.Contains(h.m.Status(), "connection refused") {
		t.Errorf("list error not shown: %q", h.m.Status())
	}
	f.listErr = nil
	h.keys("r", "j", "j", "j", "j", "enter") // the emulator flow, which this fake cannot use
	if !strings.Contains(h.m.Status(), "no such dataflow") {
		t.Errorf("use error not shown: %q", h.m.Status())
	}
	h.m.newJob("replay")
	h.keys("D")
	if h.m.modal == modalFlows || !strings.Contains(h.m.Status(), "x cancels it") {
		t.Errorf("the picker opened while a job runs")
	}
	h.m.cancelJob()

	plain := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 1}, 120, 30)
	plain.keys("D")
	if plain.m.modal == modalFlows || strings.Contains(plain.m.View(), "D dataflows") {
		t.Errorf("the picker is reachable without Dataflows")
	}
}

// TestModel_dataflowPickerEverySize draws the open picker at every size of the sweep.
func TestModel_dataflowPickerEverySize(t *testing.T) {
	f := &fakeDataflows{senders: map[string][]*fakeSender{}}
	h := newHarness(t, flowDeps(&fakeSender{}, f), Options{Seed: 1}, 80, 24)
	h.keys("D", "end")
	sizes := append(sweepSizes(), [2]int{1, 1}, [2]int{20, 6}, [2]int{40, 12}, [2]int{60, 16})
	for _, sz := range sizes {
		tm, _ := h.m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		v := tm.(Model).View()
		if p := screenProblem(v, sz[0], sz[1]); p != "" {
			t.Fatalf("picker at %d×%d: %s\n%s", sz[0], sz[1], p, v)
		}
	}
	tm, _ := h.m.Update(tea.WindowSizeMsg{Width: 60, Height: 12})
	v := tm.(Model).View()
	if !strings.Contains(v, ">") || !strings.Contains(v, "local") {
		t.Errorf("at 60×12 the cursor row (the last) is not shown:\n%s", v)
	}
}

func TestShortLabels(t *testing.T) {
	tests := []struct{ in, ep, mapping string }{
		{"emulator 127.0.0.1:4318", "emulator", "experience-event"},
		{"dataflow orders · emulator 127.0.0.1:4318", "orders emulator", "/tmp/flows/orders/mapping.json"},
		{"dataflow orders (flow f1) https://dcs.adobedc.net/collection/abc", "orders dcs.adobedc.net", "flows/orders/mapping.json"},
		{"https://dcs.adobedc.net/collection/abc", "dcs.adobedc.net", "mapping.json"},
	}
	wantMap := []string{"experience-event", "orders/mapping.json", "orders/mapping.json", "mapping.json"}
	for i, tt := range tests {
		if got := shortEndpoint(tt.in); got != tt.ep {
			t.Errorf("shortEndpoint(%q) = %q, want %q", tt.in, got, tt.ep)
		}
		if got := shortMapping(tt.mapping); got != wantMap[i] {
			t.Errorf("shortMapping(%q) = %q, want %q", tt.mapping, got, wantMap[i])
		}
	}
}

// judgingSender answers 200 with the emulator's verdict: bad for ids in bad, else good.
type judgingSender struct{ bad map[string]bool }

func (s judgingSender) Send(_ context.Context, _ Mode, _ string, ps []Payload) ([]Result, error) {
	out := make([]Result, len(ps))
	for i, p := range ps {
		v := &pipeline.Verdict{Good: true}
		if s.bad[p.ID] {
			v = &pipeline.Verdict{Reasons: []string{"#: required key [eventType] not found", "#/timestamp: expected type: String, found: Long"}}
		}
		out[i] = Result{ID: p.ID, Outcome: pipeline.Delivered, Status: 200, XactionID: "x-" + p.ID, Attempts: 1, Verdict: v}
	}
	return out, nil
}

// TestModel_verdictInSendLogAndDetail: the emulator's verdict leads the send log row (so a
// narrow pane still shows it) and the send's detail view gives every reason on its own line,
// or says the record is good.
func TestModel_verdictInSendLogAndDetail(t *testing.T) {
	d := testDeps(nil)
	d.Endpoints = []Endpoint{{Label: "dataflow orders · emulator 127.0.0.1:4318", Sender: judgingSender{bad: map[string]bool{"0": true}}}}
	h := newHarness(t, d, Options{Seed: 1}, 80, 24)
	generateEmailOpened(h)
	h.keys("g", "tab", "f", "k", "f") // a second event (good), then the first (bad)
	v := h.m.View()
	if !strings.Contains(v, "good · x-1") || !strings.Contains(v, "bad: #: require") || !strings.Contains(v, "orders emulator") {
		t.Fatalf("send log and status at 80×24:\n%s", v)
	}
	h.keys("tab", "tab", "end", "enter")
	v = h.m.View()
	for _, want := range []string{"Verdict: bad record", "#: required key [eventType] not found", "#/timestamp: expected type: String, found: Long"} {
		if !strings.Contains(v, want) {
			t.Errorf("detail of the bad send lacks %q:\n%s", want, v)
		}
	}
	h.keys("esc", "home", "enter")
	if v := h.m.View(); !strings.Contains(v, "verdict    good") {
		t.Errorf("detail of the good send:\n%s", v)
	}
}

package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/pipeline"
)

// aepError is an AEP streaming error body long enough to be cut on any pane.
const aepError = `{"type":"https://ns.adobe.com/aep/errors/XDM-1010-400","status":400,"title":"The message failed XDM validation","report":{"message":"The value provided for 'eventType' is not one of the enumerated values of schema https://ns.adobe.com/acme/schemas/9f3e2c4b5a6d7e8f: directMarketing.email.openedd is not allowed; allowed values include directMarketing.email.opened and directMarketing.email.sent"}}`

// rejectingSender rejects every event with aepError, or fails the transport with err.
type rejectingSender struct{ err error }

func (s rejectingSender) Send(_ context.Context, _ Mode, _ string, ps []Payload) ([]pipeline.Result, error) {
	out := make([]pipeline.Result, len(ps))
	for i := range ps {
		out[i] = result(aep.Result{Outcome: pipeline.Failed, Status: 400, Attempts: 1, Latency: time.Millisecond, Excerpt: aepError})
		if s.err != nil {
			out[i] = result(aep.Result{Outcome: pipeline.Failed, Attempts: 3, Reason: s.err.Error()})
		}
	}
	return out, nil
}

// onScreen reports whether every word of want appears on screen, in order, across wrapped
// lines: the detail view may break a long text anywhere but must not drop any of it.
func onScreen(view, want string) bool {
	flat := strings.NewReplacer("┃", "", "│", "").Replace(ansi.Strip(view))
	return strings.Contains(squeeze(flat), squeeze(want))
}

func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

func TestModel_detailViewsShowTheWholeText(t *testing.T) {
	deps := testDeps(nil)
	deps.Endpoints = []Endpoint{{Label: "https://dcs.example/collection/abc", Sender: rejectingSender{}}}
	h := newHarness(t, deps, Options{Seed: 1}, 80, 24)
	generateEmailOpened(h)
	h.keys("f")
	if v := h.m.View(); onScreen(v, aepError) {
		t.Fatal("the error body fits the send log at 80 columns; the test proves nothing")
	}

	// The event: its ids, validation, both documents and its sends with the whole body.
	h.keys("tab", "enter")
	if h.m.modal != modalDetail {
		t.Fatalf("enter on the event list opened no detail view:\n%s", h.m.View())
	}
	all := strings.Join(h.m.detail.Lines(), "\n")
	ev := h.m.Events()[0].Event
	for _, want := range []string{"Event #0 email/opened", "event_id   " + ev.EventID, "Validation", "Customer.io JSON", `"delivery_id"`, "XDM record · default", `"eventType": "directMarketing.email.opened"`, "Sends", "400"} {
		if !strings.Contains(all+h.m.View(), want) {
			t.Errorf("event detail lacks %q:\n%s", want, all)
		}
	}
	if !strings.Contains(squeeze(ansi.Strip(all)), squeeze(aepError)) {
		t.Errorf("event detail does not hold the whole error body:\n%s", all)
	}
	h.keys("end")
	if !strings.Contains(h.m.View(), "· end") {
		t.Errorf("end does not scroll to the bottom:\n%s", h.m.View())
	}
	h.keys("esc")
	if h.m.modal != modalNone {
		t.Fatal("esc did not close the detail view")
	}

	// The send-log row: the error body, readable at 80 columns.
	h.keys("tab", "tab", "enter")
	v := h.m.View()
	if !strings.Contains(v, "Send of event #0 email/opened → 400") || !onScreen(v, prettyJSON([]byte(aepError))) {
		t.Errorf("send detail does not show the whole body on screen:\n%s", v)
	}
	checkSize(t, v, 80, 24)
	h.keys("esc")

	// The dead letter: enter shows it, r re-sends it.
	h.keys("d", "enter")
	if v := h.m.View(); !strings.Contains(v, "Dead letter #0") || !strings.Contains(v, "XDM-1010-400") {
		t.Errorf("dead-letter detail:\n%s", v)
	}
	h.keys("r")
	if n := len(h.m.SendLog()); n != 2 {
		t.Errorf("r in the dead-letter detail: send log has %d entries, want 2", n)
	}
}

func TestModel_detailShowsTransportErrors(t *testing.T) {
	deps := testDeps(nil)
	long := "aep: post https://dcs.adobedc.net/collection/667b41cf0f4d2f7a9d3b5e1c2a4f6b8d0e1f3a5c7e9b1d3f5a7c9e1b3d5f7a9c: dial tcp: lookup dcs.adobedc.net on 127.0.0.53:53: no such host"
	deps.Endpoints = []Endpoint{{Label: "https://dcs.example/collection/abc", Sender: rejectingSender{err: errString(long)}}}
	h := newHarness(t, deps, Options{Seed: 1}, 60, 15)
	generateEmailOpened(h)
	h.keys("f", "tab", "tab", "tab", "enter")
	v := h.m.View()
	if !onScreen(v, long) {
		t.Errorf("transport error not readable at 60×15:\n%s", v)
	}
	checkSize(t, v, 60, 15)
}

type errString string

func (e errString) Error() string { return string(e) }

// TestModel_fireFromTheEventDetail: f in the event's detail view fires it and its answer
// appears under Sends without leaving the view.
func TestModel_fireFromTheEventDetail(t *testing.T) {
	h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 1}, 100, 30)
	generateEmailOpened(h)
	h.keys("tab", "enter")
	if !strings.Contains(strings.Join(h.m.detail.Lines(), "\n"), "not fired yet") {
		t.Fatal("detail of an unfired event")
	}
	h.keys("f")
	if h.m.modal != modalDetail || !strings.Contains(strings.Join(h.m.detail.Lines(), "\n"), "xactionId xid-0") {
		t.Errorf("after f the detail view shows:\n%s", strings.Join(h.m.detail.Lines(), "\n"))
	}
}

// TestModel_listChecksEveryEvent: the root model validates each event in the background and
// the list marks the invalid ones, which ! then isolates.
func TestModel_listChecksEveryEvent(t *testing.T) {
	deps := testDeps(&fakeSender{})
	deps.Transformer = fakeTransformer{fail: map[string][]Problem{"clicked": {{Path: "/eventType", Msg: "must be one of the enum values"}}}}
	h := newHarness(t, deps, Options{Seed: 1}, 100, 30)
	generateEmailOpened(h)
	h.selectPair("email", "clicked")
	h.keys("g")
	evs := h.m.list.Items()
	if len(evs) != 2 || len(evs[0].Problems) != 0 || !evs[0].Checked || len(evs[1].Problems) != 1 {
		t.Fatalf("items after the check: %+v", evs)
	}
	h.keys("tab", "!")
	if v, vis := h.m.View(), h.m.Events(); len(vis) != 1 || vis[0].Event.Metric != "clicked" || !strings.Contains(v, "Events 1/2") || !strings.Contains(v, "XDM /eventType: must be one") {
		t.Errorf("! should leave the invalid event only:\n%s", v)
	}
}

// TestModel_generateOnATypeMakesEachMetric: g on the first row a newcomer sees (a collapsed
// object type) generates one event of each of its metrics.
func TestModel_generateOnATypeMakesEachMetric(t *testing.T) {
	h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 1}, 80, 24)
	h.keys("g")
	evs := h.m.Events()
	want := customerio.Metrics("customer")
	if len(evs) != len(want) {
		t.Fatalf("g on customer made %d events, want %d", len(evs), len(want))
	}
	for i, it := range evs {
		if it.Event.ObjectType != "customer" || it.Event.Metric != want[i] {
			t.Errorf("event %d is %s, want customer/%s", i, it.Event.Pair(), want[i])
		}
	}
	if !strings.Contains(h.m.Status(), "customer, one of each metric: 3 events") {
		t.Errorf("status = %q", h.m.Status())
	}
}

// TestModel_cursorShowsWithoutColour: tests render with the Ascii profile, as NO_COLOR does,
// so reverse video is gone; every focused pane with a cursor still shows it as ">".
func TestModel_cursorShowsWithoutColour(t *testing.T) {
	h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 1}, 100, 30)
	generateEmailOpened(h)
	h.keys("f")
	for _, c := range []struct {
		focus pane
		want  string
	}{{paneSource, ">  opened"}, {paneList, "> 200 email/opened"}, {paneLog, ">16:00:00 200"}} {
		h.m.setFocus(c.focus)
		if v := h.m.View(); !strings.Contains(v, c.want) {
			t.Errorf("%s focused: no %q cursor without colour:\n%s", paneNames[c.focus], c.want, v)
		}
	}
}

// TestModel_transportErrorIsNotRepeatedAsABody: a transport error is shown once, not again as
// a response body that never arrived, and a dead letter without an answer says so.
func TestModel_transportErrorIsNotRepeatedAsABody(t *testing.T) {
	deps := testDeps(nil)
	deps.Endpoints = []Endpoint{{Label: "https://dcs.example/collection/abc", Sender: bodyIsErrSender{}}}
	h := newHarness(t, deps, Options{Seed: 1}, 100, 40)
	generateEmailOpened(h)
	h.keys("f", "tab", "tab", "tab", "enter")
	if v := h.m.View(); strings.Contains(v, "Response body") || strings.Count(v, "connection refused") != 1 {
		t.Errorf("transport error shown as a body too:\n%s", v)
	}
	h.keys("esc", "d", "enter")
	if v := h.m.View(); !strings.Contains(v, "status     none: no HTTP answer") {
		t.Errorf("dead letter without an answer:\n%s", v)
	}
}

// bodyIsErrSender fails the transport and, like the real sender, repeats the error as the body.
type bodyIsErrSender struct{}

func (bodyIsErrSender) Send(_ context.Context, _ Mode, _ string, ps []Payload) ([]pipeline.Result, error) {
	out := make([]pipeline.Result, len(ps))
	for i := range ps {
		err := errString("dial tcp 127.0.0.1:1: connect: connection refused")
		out[i] = result(aep.Result{Outcome: pipeline.Failed, Attempts: 3, Reason: err.Error(), Excerpt: err.Error()})
	}
	return out, nil
}

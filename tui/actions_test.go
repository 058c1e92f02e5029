package tui

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/internal/golden"
	"github.com/ciosim/ciosim/recordings"
)

func TestModel_watchedFolderChangesAppearLive(t *testing.T) {
	dir := t.TempDir()
	changes := make(chan FileChange, 4)
	h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 1, WatchDirs: []string{dir}}, 100, 30)
	// Init's pump would block on the empty channel in this synchronous harness; wire the
	// channel after Init and run the pump once the changes are queued.
	h.m.deps.Changes = changes
	h.m.watching = true
	if len(h.m.Files()) != 0 {
		t.Fatalf("files = %v, want none", h.m.Files())
	}
	path := filepath.Join(dir, "new.jsonl")
	writeRecording(t, path, 2, time.Second)
	changes <- FileChange{Path: path}
	changes <- FileChange{Path: filepath.Join(dir, "notes.txt")} // not an event file: ignored
	close(changes)                                               // the pump stops instead of spinning
	h.run(waitForChange(changes))
	if f := h.m.Files(); len(f) != 1 || f[0].Path != path || f[0].Records != 2 {
		t.Fatalf("files = %+v, want new.jsonl with 2 records", f)
	}
	if !strings.Contains(h.m.View(), "new.jsonl 2 ev") {
		t.Errorf("source pane does not list the file:\n%s", h.m.View())
	}
	if h.m.watching {
		t.Error("still watching after the channel closed")
	}

	// Loaded into the list, appended lines appear there too; a removed file disappears.
	h.m.source.SelectFile(path)
	h.keys("g")
	if n := len(h.m.Events()); n != 2 {
		t.Fatalf("loaded %d events, want 2", n)
	}
	writeRecording(t, path, 3, time.Second)
	h.send(fileChangedMsg{change: FileChange{Path: path}})
	h.run(scanFile(context.Background(), h.m.deps.OpenRecords, path))
	if n := len(h.m.Events()); n != 3 {
		t.Errorf("after an appended line the list has %d events, want 3", n)
	}
	h.send(fileChangedMsg{change: FileChange{Path: path, Removed: true}})
	if len(h.m.Files()) != 0 {
		t.Errorf("files after removal = %v, want none", h.m.Files())
	}
}

func TestModel_recordShowsCapturesArriving(t *testing.T) {
	rec := &fakeRecorder{ch: make(chan recordings.Capture, 2)}
	deps := testDeps(&fakeSender{})
	deps.Recorder = rec
	h := newHarness(t, deps, Options{Seed: 1}, 100, 30)
	g := newGen(3)
	for _, mt := range []string{"sent", "delivered"} {
		ev, _ := g.Event("email", mt)
		rec.ch <- recordings.Capture{ReceivedAt: fixedStart, Method: "POST", Path: "/", Body: ev.Bytes()}
	}
	close(rec.ch)
	h.keys("R")
	if rec.started != 1 {
		t.Fatalf("recorder started %d times, want 1", rec.started)
	}
	evs := h.m.Events()
	if len(evs) != 2 || evs[0].Origin != "captured" || !evs[0].ReceivedAt.Equal(fixedStart) {
		t.Fatalf("events = %+v, want the 2 captures", evs)
	}
	_, n := h.m.Recording()
	if n != 2 {
		t.Errorf("captured = %d, want 2", n)
	}
}

func TestModel_recordStartStop(t *testing.T) {
	rec := &fakeRecorder{ch: make(chan recordings.Capture)}
	deps := testDeps(&fakeSender{})
	deps.Recorder = rec
	h := newHarness(t, deps, Options{Seed: 1}, 100, 30)
	// Start without running the pump (it would block on the open channel).
	tm, _ := h.m.Update(recorderMsg{started: true, addr: "127.0.0.1:4400"})
	h.m = tm.(Model)
	if on, _ := h.m.Recording(); !on || !strings.Contains(h.m.View(), "● REC 127.0.0.1:4400") {
		t.Fatalf("recording not shown:\n%s", h.m.View())
	}
	h.keys("R")
	if rec.stopped != 1 {
		t.Fatalf("recorder stopped %d times, want 1", rec.stopped)
	}
	if on, _ := h.m.Recording(); on {
		t.Error("still recording after stop")
	}
}

func TestModel_recorderNotWired(t *testing.T) {
	h := newHarness(t, testDeps(&fakeSender{}), Options{}, 100, 30)
	h.keys("R")
	if !strings.Contains(h.m.Status(), "recorder not wired") {
		t.Errorf("status = %q", h.m.Status())
	}
}

func TestModel_editFieldInline(t *testing.T) {
	h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 1}, 100, 30)
	generateEmailOpened(h)
	h.keys("e")
	if !strings.Contains(h.m.View(), "edit field") {
		t.Fatalf("no edit prompt:\n%s", h.m.View())
	}
	h.typeText("data.recipient")
	h.keys("enter")
	if got := h.m.input.Value(); !strings.HasPrefix(got, `"`) || !strings.Contains(got, "@") {
		t.Fatalf("value prompt pre-filled with %q, want the current recipient", got)
	}
	h.m.input.SetValue(`"new@example.com"`)
	h.keys("enter")
	it := h.m.Events()[0]
	if it.Recipient != "new@example.com" || !bytes.Contains(it.Event.Bytes(), []byte(`"recipient":"new@example.com"`)) {
		t.Fatalf("event after edit = %s", it.Event.Bytes())
	}
	if err := it.Event.Validate(); err != nil || !strings.Contains(h.m.Status(), "still valid") {
		t.Errorf("validate = %v, status = %q", err, h.m.Status())
	}
	r, _ := h.m.Inspector()
	if !strings.Contains(r.CIOPlain, "new@example.com") {
		t.Error("inspector not refreshed after edit")
	}

	// A value that is not JSON is refused, saying how to enter text; nothing changes.
	before := string(h.m.Events()[0].Event.Bytes())
	h.keys("e")
	h.typeText("timestamp")
	h.keys("enter")
	h.m.input.SetValue("soon")
	h.keys("enter")
	if st := h.m.Status(); !strings.Contains(st, `not JSON`) || !strings.Contains(st, `quote it: "soon"`) {
		t.Errorf("status = %q, want a not-JSON error with the quoting hint", st)
	}
	if got := string(h.m.Events()[0].Event.Bytes()); got != before {
		t.Errorf("a refused edit changed the event:\n%s", got)
	}
	// An edit that breaks the event is applied and its problems are shown.
	h.keys("e")
	h.typeText("timestamp")
	h.keys("enter")
	h.m.input.SetValue(`"soon"`)
	h.keys("enter")
	if !strings.Contains(h.m.Status(), "now invalid: timestamp") {
		t.Errorf("status = %q, want the validation problem", h.m.Status())
	}
	r, _ = h.m.Inspector()
	if r.CIOProblems != 1 || !strings.Contains(strings.Join(r.CIO, "\n"), "↳ ✗ timestamp") {
		t.Errorf("inspector does not mark the problem: %d %v", r.CIOProblems, r.CIO)
	}
	// A path into a scalar is refused with a clear message.
	h.keys("e")
	h.typeText("metric.x")
	h.keys("enter", "enter")
	if !strings.Contains(h.m.Status(), `field metric.x: metric is a string, not an object or array`) {
		t.Errorf("status = %q", h.m.Status())
	}
}

// The edit prompt starts from the field's current value, as if selected: typing replaces
// it (it used to append to it), an arrow key keeps it for editing.
func TestModel_editValueStartsSelected(t *testing.T) {
	h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 1}, 100, 30)
	generateEmailOpened(h)
	h.keys("e")
	h.typeText("data.recipient")
	h.keys("enter")
	if old := h.m.input.Value(); !strings.Contains(old, "@") {
		t.Fatalf("prompt pre-filled with %q", old)
	}
	if !strings.Contains(h.m.Status(), "typing replaces") {
		t.Errorf("status = %q, want the hint", h.m.Status())
	}
	h.typeText(`"a@b.c"`)
	if got := h.m.input.Value(); got != `"a@b.c"` {
		t.Fatalf("typing over the current value gave %q, want it replaced", got)
	}
	h.keys("enter")
	if it := h.m.Events()[0]; it.Recipient != "a@b.c" {
		t.Fatalf("recipient = %q", it.Recipient)
	}
	// ← keeps the value and edits it.
	h.keys("e")
	h.typeText("data.recipient")
	h.keys("enter", "left", "backspace")
	h.typeText("m")
	if got := h.m.input.Value(); got != `"a@b.m"` {
		t.Fatalf("editing after ← gave %q", got)
	}
}

func TestSetField(t *testing.T) {
	ev := []byte(`{"data":{"a":[1,{"b":"<x>"}]},"metric":"opened"}`)
	tests := []struct{ field, value, want, err string }{
		{"data.a[1].b", `"y"`, `{"data":{"a":[1,{"b":"y"}]},"metric":"opened"}`, ""},
		{"data.new.deep", `42`, `{"data":{"a":[1,{"b":"<x>"}],"new":{"deep":42}},"metric":"opened"}`, ""},
		{"metric", `"clicked"`, `{"data":{"a":[1,{"b":"<x>"}]},"metric":"clicked"}`, ""},
		{"data.a.1.b", `null`, `{"data":{"a":[1,{"b":null}]},"metric":"opened"}`, ""},
		{"metric", `clicked`, "", `quote it: "clicked"`},
		{"data.a[5]", `1`, "", "out of range"},
		{"", `1`, "", "name a field"},
	}
	for _, tt := range tests {
		got, err := setField(ev, tt.field, tt.value)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("setField(%s) error = %v, want %q", tt.field, err, tt.err)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("setField(%s, %s) = %s, %v; want %s", tt.field, tt.value, got, err, tt.want)
		}
	}
}

func TestModel_copyPayloads(t *testing.T) {
	deps := testDeps(&fakeSender{})
	clip := deps.Clipboard.(*fakeClipboard)
	h := newHarness(t, deps, Options{Seed: 1}, 100, 30)
	generateEmailOpened(h)
	h.keys("y", "Y")
	if len(clip.text) != 2 || !strings.Contains(clip.text[0], `"metric": "opened"`) || !strings.Contains(clip.text[1], `"eventType"`) {
		t.Fatalf("clipboard = %q", clip.text)
	}
	if !strings.Contains(h.m.Status(), "copied XDM payload") {
		t.Errorf("status = %q", h.m.Status())
	}
}

func TestModel_saveVisibleAsFixture(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 9, SaveDir: dir, WatchDirs: []string{dir}}, 100, 30)
	generateEmailOpened(h)
	h.selectPair("sms", "sent")
	h.keys("g", "g")
	h.keys("w")
	want := filepath.Join(dir, "ciosim-seed9.jsonl")
	if h.m.input.Value() != want {
		t.Fatalf("save prompt = %q, want %q", h.m.input.Value(), want)
	}
	h.keys("enter")
	f, err := os.Open(want)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	evs := h.m.Events()
	if len(lines) != 3 {
		t.Fatalf("saved %d lines, want 3", len(lines))
	}
	for i, l := range lines {
		if l != string(evs[i].Event.Bytes()) {
			t.Errorf("line %d differs from event %d", i+1, i)
		}
		if ev, err := customerio.Parse([]byte(l)); err != nil || ev.Validate() != nil {
			t.Errorf("line %d is not a valid event: %v", i+1, err)
		}
	}
	if st, _ := os.Stat(want); st.Mode().Perm() != 0o644 {
		t.Errorf("fixture mode = %v, want 0644", st.Mode().Perm())
	}
	if !strings.Contains(h.m.Status(), "saved 3 events") {
		t.Errorf("status = %q", h.m.Status())
	}
	if f := h.m.Files(); len(f) != 1 || f[0].Records != 3 {
		t.Errorf("saved fixture not listed in the watched folder: %+v", f)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("save left %d files in the folder, want only the fixture", len(entries))
	}
}

func TestModel_filterLimitsFireAll(t *testing.T) {
	s := &fakeSender{}
	h := newHarness(t, testDeps(s), Options{Seed: 1}, 100, 30)
	generateEmailOpened(h)
	h.selectPair("sms", "sent")
	h.keys("g", "g")
	h.keys("/")
	h.typeText("SMS/")
	h.keys("enter")
	if got := h.m.list.VisibleLen(); got != 2 {
		t.Fatalf("visible = %d, want 2 sms events", got)
	}
	if !strings.Contains(h.m.View(), "Events 2/3") {
		t.Errorf("title does not show the filter count")
	}
	h.keys("F")
	if got := s.sentIDs(); len(got) != 2 || got[0] == "0" || got[1] == "0" {
		t.Errorf("fired %v, want only the two sms events", got)
	}
	h.keys("esc")
	if got := h.m.list.VisibleLen(); got != 3 {
		t.Errorf("visible after esc = %d, want 3", got)
	}
}

func TestModel_regenerateWithNewSeed(t *testing.T) {
	h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 5}, 100, 30)
	generateEmailOpened(h)
	before := string(h.m.Events()[0].Event.Bytes())
	h.keys("r")
	after := h.m.Events()[0]
	if h.m.Seed() != 6 || len(h.m.Events()) != 1 {
		t.Fatalf("seed = %d, events = %d; want seed 6 and the event replaced", h.m.Seed(), len(h.m.Events()))
	}
	if string(after.Event.Bytes()) == before || after.Event.Pair() != "email/opened" {
		t.Errorf("regenerated event = %s, want a different email/opened", after.Event.Bytes())
	}
	want, _ := newGen(6).Event("email", "opened")
	if string(after.Event.Bytes()) != string(want.Bytes()) {
		t.Errorf("regenerated event is not seed 6's first email/opened")
	}
}

func TestModel_mappingEnvelopeAndEndpointSwitch(t *testing.T) {
	s := &fakeSender{}
	h := newHarness(t, testDeps(s), Options{Seed: 1, MappingSets: []string{"default", "custom"}}, 120, 40)
	generateEmailOpened(h)
	h.keys("M")
	r, ready := h.m.Inspector()
	if !ready || !strings.Contains(r.XDMPlain, `"_mapping": "custom"`) {
		t.Fatalf("XDM after switching the mapping set:\n%s", r.XDMPlain)
	}
	h.keys("v")
	r, _ = h.m.Inspector()
	if !strings.Contains(r.XDMPlain, `"xdmEntity"`) || !strings.Contains(h.m.View(), "XDM message") {
		t.Errorf("envelope toggle does not show the message:\n%s", r.XDMPlain)
	}
	h.keys("E", "m", "f")
	if !strings.Contains(h.m.View(), "dcs.example") {
		t.Errorf("status bar does not show the second endpoint")
	}
	if c := s.calls[len(s.calls)-1]; c.mode != ModeXDM || c.mapping != "custom" {
		t.Errorf("fired with mode %s mapping %s, want xdm custom", c.mode, c.mapping)
	}
}

func TestModel_validationProblemsAreMarked(t *testing.T) {
	deps := testDeps(&fakeSender{})
	deps.Transformer = fakeTransformer{fail: map[string][]Problem{"opened": {{Path: "/eventType", Msg: "must be one of the enum values"}, {Path: "identityMap", Msg: "required"}}}}
	h := newHarness(t, deps, Options{Seed: 1}, 120, 40)
	generateEmailOpened(h)
	r, _ := h.m.Inspector()
	if r.XDMProblems != 2 {
		t.Fatalf("problems = %d, want 2", r.XDMProblems)
	}
	marked := 0
	for _, on := range r.XDMMarks {
		if on {
			marked++
		}
	}
	if marked != 2 { // the eventType line, and the root for the missing identityMap
		t.Errorf("marked lines = %d, want 2", marked)
	}
	v := h.m.View()
	// Each reason sits under the line it concerns, and the list marks the event with ✗ and
	// its first reason.
	for _, want := range []string{"✗ 2 problems", `!  "eventType"`, "↳ ✗ /eventType: must be one of", "↳ ✗ identityMap: required", ">✗·   email/opened", "XDM /eventType: must be one"} {
		if !strings.Contains(v, want) {
			t.Errorf("View() lacks %q:\n%s", want, v)
		}
	}
	golden.RequireEqual(t, []byte(v))
}

func TestModel_scenarioAndHelp(t *testing.T) {
	h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 1}, 80, 24)
	h.m.source.SelectScenario("email-campaign")
	h.keys("enter")
	if evs := h.m.Events(); len(evs) != 3 || evs[2].Event.Pair() != "email/opened" {
		t.Fatalf("scenario events = %d, want 3", len(evs))
	}
	h.keys("?")
	v := h.m.View()
	for _, want := range []string{"Help", "fire all visible", "dead letters", "replay file", "edit a field"} {
		if !strings.Contains(v, want) {
			t.Errorf("full help lacks %q", want)
		}
	}
	checkSize(t, v, 80, 24)
	golden.RequireEqual(t, []byte(v))
	h.keys("x")
	if strings.Contains(h.m.View(), "Help —") {
		t.Error("help still open after a key")
	}
}

func TestModel_missingDepsSayWhy(t *testing.T) {
	h := newHarness(t, Deps{NewGenerator: newGen}, Options{}, 80, 24)
	generateEmailOpened(h)
	r, _ := h.m.Inspector()
	if !strings.Contains(strings.Join(r.XDM, ""), "no transformer wired") {
		t.Errorf("XDM side = %q", r.XDM)
	}
	for _, k := range []string{"f", "y", "R"} {
		h.keys(k)
		if h.m.Status() == "" || !h.m.statusErr {
			t.Errorf("key %s: status = %q, want an error saying what is missing", k, h.m.Status())
		}
	}
	if !strings.Contains(h.m.View(), "no endpoint") {
		t.Error("status bar does not say there is no endpoint")
	}
}

func TestModel_ctrlCQuitsMidSend(t *testing.T) {
	s := &fakeSender{}
	h := newHarness(t, testDeps(s), Options{Seed: 1, Concurrency: 1}, 100, 30)
	generateEmailOpened(h)
	h.keys("g")
	tm, _ := h.m.Update(keyMsg("F"))
	h.m = tm.(Model)
	j := h.m.job
	tm, cmd := h.m.Update(keyMsg("ctrl+c"))
	if cmd == nil || cmd() != tea.Interrupt() {
		t.Fatal("ctrl+c did not interrupt the program")
	}
	if j.ctx.Err() == nil {
		t.Error("the running job's context was not cancelled")
	}
	_ = tm
}

func TestModel_cancelScenario(t *testing.T) {
	h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 1}, 100, 30)
	h.m.source.SelectScenario("email-campaign")
	tm, cmd := h.m.Update(keyMsg("g"))
	h.m = tm.(Model)
	if !h.m.Busy() || !strings.Contains(h.m.View(), "scenario email-campaign… x cancel") {
		t.Fatalf("no running job shown:\n%s", h.m.View())
	}
	h.keys("x")
	h.run(cmd) // the scenario's result arrives after the cancel and is dropped
	if n := len(h.m.Events()); n != 0 {
		t.Errorf("cancelled scenario added %d events", n)
	}
}

type fakeDeadLetters struct{ list []DeadLetter }

func (f fakeDeadLetters) List(context.Context) ([]DeadLetter, error) { return f.list, nil }

func TestModel_deadLettersFromFileAreResent(t *testing.T) {
	ev, _ := newGen(2).Event("sms", "sent")
	s := &fakeSender{}
	deps := testDeps(s)
	deps.DeadLetters = fakeDeadLetters{list: []DeadLetter{{ID: ev.EventID, Mode: ModeXDM, Event: ev.Bytes(), Status: 503, Body: "Service Unavailable", Attempts: 4}}}
	h := newHarness(t, deps, Options{Seed: 1}, 100, 30)
	h.keys("d")
	if !strings.Contains(h.m.View(), "Service Unavailable") {
		t.Fatalf("dead letter from the file not listed:\n%s", h.m.View())
	}
	h.keys("r")
	if len(s.calls) != 1 || s.calls[0].mode != ModeXDM || string(s.calls[0].payloads[0].Event) != string(ev.Bytes()) {
		t.Fatalf("re-send calls = %+v", s.calls)
	}
	if evs := h.m.Events(); len(evs) != 1 || evs[0].Origin != "dead letter" || evs[0].Status != "200" {
		t.Errorf("list after re-send = %+v", evs)
	}
	if len(h.m.DeadLetters()) != 0 {
		t.Errorf("dead letters after a good re-send = %+v", h.m.DeadLetters())
	}
}

func TestModel_resentDeadLetterStaysGoneWhenTheFileIsReread(t *testing.T) {
	ev, _ := newGen(2).Event("sms", "sent")
	s := &fakeSender{}
	deps := testDeps(s)
	deps.DeadLetters = fakeDeadLetters{list: []DeadLetter{{ID: ev.EventID, Mode: ModeRaw, Event: ev.Bytes(), Status: 503}}}
	h := newHarness(t, deps, Options{Seed: 1}, 100, 30)
	h.keys("d", "r", "esc", "d")
	if len(h.m.DeadLetters()) != 0 {
		t.Errorf("re-sent dead letter listed again from the file: %+v", h.m.DeadLetters())
	}
}

func TestModel_noSwitchingWhileAJobRuns(t *testing.T) {
	s := &fakeSender{}
	h := newHarness(t, testDeps(s), Options{Seed: 1, Concurrency: 1}, 100, 30)
	generateEmailOpened(h)
	h.keys("g")
	tm, cmd := h.m.Update(keyMsg("F"))
	h.m = tm.(Model)
	for _, k := range []string{"m", "M", "E"} {
		tm, _ = h.m.Update(keyMsg(k))
		h.m = tm.(Model)
	}
	if h.m.Mode() != ModeRaw || h.m.endpoint != 0 || h.m.mapping != 0 || !strings.Contains(h.m.Status(), "x cancels it") {
		t.Errorf("switched during a job: mode %s endpoint %d mapping %d status %q", h.m.Mode(), h.m.endpoint, h.m.mapping, h.m.Status())
	}
	h.run(cmd)
	for _, c := range s.calls {
		if c.mode != ModeRaw {
			t.Errorf("a job request went out in %s", c.mode)
		}
	}
}

package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/ciosim/ciosim/internal/golden"
	"github.com/ciosim/ciosim/recordings"
)

// generateEmailOpened drives the source pane with its keys: down to email, expand, down to
// opened, then g.
func generateEmailOpened(h *harness) {
	h.t.Helper()
	h.keys("j", "l") // email, expand
	for h.m.source.Selected().Metric != "opened" {
		h.keys("j")
		if h.m.source.Selected().ObjectType != "email" {
			h.t.Fatal("did not find email/opened")
		}
	}
	h.keys("g")
}

func TestModel_noLayoutBeforeSize(t *testing.T) {
	m := New(t.Context(), testDeps(&fakeSender{}), Options{})
	if v := m.View(); v != "" {
		t.Errorf("View() before WindowSizeMsg = %q, want empty", v)
	}
}

func TestModel_generateInspectFire(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(itoa(size.w)+"x"+itoa(size.h), func(t *testing.T) {
			s := &fakeSender{}
			h := newHarness(t, testDeps(s), Options{Seed: 42, Info: "embedded emulator on 127.0.0.1:4318"}, size.w, size.h)
			generateEmailOpened(h)
			evs := h.m.Events()
			if len(evs) != 1 || evs[0].Event.Pair() != "email/opened" {
				t.Fatalf("events = %v, want one email/opened", evs)
			}
			r, ready := h.m.Inspector()
			if !ready {
				t.Fatal("inspector not ready after generate")
			}
			if !strings.Contains(r.CIOPlain, `"metric": "opened"`) || !strings.Contains(r.XDMPlain, `"eventType": "directMarketing.email.opened"`) {
				t.Fatalf("inspector does not show both documents:\n%s\n%s", r.CIOPlain, r.XDMPlain)
			}
			h.keys("f")
			log := h.m.SendLog()
			if len(log) != 1 || log[0].Status != 200 || log[0].XactionID != "xid-0" || log[0].Mode != "raw" {
				t.Fatalf("send log = %+v, want one 200 with xid-0 in raw mode", log)
			}
			if got := h.m.Events()[0].Status; got != "200" {
				t.Errorf("list status = %q, want 200", got)
			}
			v := h.m.View()
			wants := []string{"email/opened", "XDM record", "200", "xid-0", "seed 42", "1 ev 1 delivered", "emulator 127.0.0.1:4318"}
			if size.w < 100 {
				wants[5], wants[6] = "1ev 1✓ 0✗", "emulator"
			}
			for _, want := range wants {
				if !strings.Contains(v, want) {
					t.Errorf("View() lacks %q", want)
				}
			}
			checkSize(t, v, size.w, size.h)
			golden.RequireEqual(t, []byte(v))
		})
	}
}

func checkSize(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Errorf("View() has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Errorf("line %d is %d cells wide, want %d: %q", i, got, w, l)
		}
	}
}

func TestModel_resizeKeepsEveryLineInTheWindow(t *testing.T) {
	h := newHarness(t, testDeps(&fakeSender{}), Options{Seed: 1}, 80, 24)
	generateEmailOpened(h)
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {119, 35}, {120, 40}, {200, 60}, {80, 24}} {
		h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		checkSize(t, h.m.View(), sz[0], sz[1])
	}
}

func TestModel_fireAllConfirmsAboveThreshold(t *testing.T) {
	s := &fakeSender{}
	h := newHarness(t, testDeps(s), Options{Seed: 1, ConfirmAbove: 2}, 100, 30)
	generateEmailOpened(h)
	h.keys("g", "g")
	h.keys("F")
	if !strings.Contains(h.m.View(), "Fire 3 events") {
		t.Fatalf("no confirmation shown:\n%s", h.m.View())
	}
	h.keys("n")
	if n := len(s.sentIDs()); n != 0 {
		t.Fatalf("sent %d after declining, want 0", n)
	}
	h.keys("F", "y")
	if got := s.sentIDs(); len(got) != 3 {
		t.Fatalf("sent %v, want 3 ids", got)
	}
	if h.m.Busy() {
		t.Error("job still running after all answers")
	}
	if !strings.Contains(h.m.Status(), "fire done: 3 sent, 0 failed") {
		t.Errorf("status = %q", h.m.Status())
	}
}

func TestModel_batchModeSendsOneRequest(t *testing.T) {
	s := &fakeSender{}
	h := newHarness(t, testDeps(s), Options{Seed: 1}, 100, 30)
	generateEmailOpened(h)
	h.keys("g", "g", "m", "m")
	if h.m.Mode() != ModeBatch {
		t.Fatalf("mode = %s, want batch", h.m.Mode())
	}
	h.keys("F")
	if len(s.calls) != 1 || len(s.calls[0].payloads) != 3 || s.calls[0].mode != ModeBatch {
		t.Fatalf("calls = %+v, want one batch call with 3 payloads", s.calls)
	}
	if len(h.m.SendLog()) != 3 {
		t.Errorf("send log has %d entries, want 3", len(h.m.SendLog()))
	}
}

func TestModel_cancelStopsFiring(t *testing.T) {
	s := &fakeSender{}
	h := newHarness(t, testDeps(s), Options{Seed: 1, Concurrency: 1}, 100, 30)
	generateEmailOpened(h)
	h.keys("g", "g", "g")
	// Press F without running its command, then cancel before the answer arrives.
	tm, cmd := h.m.Update(keyMsg("F"))
	h.m = tm.(Model)
	if !h.m.Busy() {
		t.Fatal("fire all did not start a job")
	}
	if !strings.Contains(h.m.View(), "fire 0/4") {
		t.Errorf("no progress shown:\n%s", h.m.View())
	}
	h.keys("x")
	h.run(cmd)
	if got := s.sentIDs(); len(got) != 1 {
		t.Errorf("sent %v after cancel, want only the request already in flight", got)
	}
	if h.m.Busy() {
		t.Error("job still running after cancel")
	}
	// The interrupted request is cancelled, not failed: no dead letter, and the status bar
	// counts it as cancelled.
	if c := h.m.counts; c.Cancelled != 1 || c.Failed != 0 || len(h.m.DeadLetters()) != 0 {
		t.Errorf("counts %+v, dead letters %v: want 1 cancelled, nothing failed", c, h.m.DeadLetters())
	}
	h.send(tea.WindowSizeMsg{Width: 160, Height: 30})
	if v := h.m.View(); !strings.Contains(v, "4 ev 0 delivered, 1 cancelled") || !strings.Contains(v, "CXL") {
		t.Errorf("status bar does not say cancelled:\n%s", v)
	}
}

func TestModel_emulatorBadVerdictInTheSendLog(t *testing.T) {
	s := &fakeSender{bad: map[string]bool{"0": true}}
	h := newHarness(t, testDeps(s), Options{Seed: 1}, 160, 40)
	generateEmailOpened(h)
	h.keys("f")
	log := h.m.SendLog()
	if len(log) != 1 || log[0].Bad() != "timestamp: required" {
		t.Fatalf("send log %+v, want the emulator's reason", log)
	}
	if !strings.Contains(h.m.Status(), "keeps it as bad: timestamp: required") {
		t.Errorf("the bad verdict is not in the status: %q", h.m.Status())
	}
}

func TestModel_failedSendIsDeadLetteredAndResent(t *testing.T) {
	s := &fakeSender{failStatus: 400}
	s.setFail("0", true)
	h := newHarness(t, testDeps(s), Options{Seed: 1}, 100, 30)
	generateEmailOpened(h)
	h.keys("f")
	log := h.m.SendLog()
	if len(log) != 1 || log[0].Status != 400 || log[0].Attempts != 3 || !strings.Contains(log[0].Body(), "Bad Request") {
		t.Fatalf("send log = %+v, want the 400 with its body and attempts", log)
	}
	if !strings.Contains(h.m.View(), "Bad Request") {
		t.Errorf("error body not on screen:\n%s", h.m.View())
	}
	if len(h.m.DeadLetters()) != 1 {
		t.Fatalf("dead letters = %v, want 1", h.m.DeadLetters())
	}
	h.keys("d")
	if !strings.Contains(h.m.View(), "Dead letters") || !strings.Contains(h.m.View(), "#0") {
		t.Fatalf("dead-letter list not shown:\n%s", h.m.View())
	}
	s.setFail("0", false)
	h.keys("r")
	if len(h.m.DeadLetters()) != 0 {
		t.Errorf("dead letters after a successful re-send = %v, want none", h.m.DeadLetters())
	}
	if got := h.m.SendLog(); len(got) != 2 || got[1].Status != 200 {
		t.Errorf("send log = %+v, want the re-send's 200", got)
	}
}

func TestModel_replayAtTenTimes(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rec.jsonl")
	writeRecording(t, path, 4, time.Second)
	s := &fakeSender{}
	h := newHarness(t, testDeps(s), Options{Seed: 1, WatchDirs: []string{dir}}, 120, 40)
	if f := h.m.Files(); len(f) != 1 || f[0].Records != 4 {
		t.Fatalf("files = %+v, want rec.jsonl with 4 records", f)
	}
	h.m.source.SelectFile(path)
	h.keys("+", "+", "+") // 1 → 2 → 5 → 10
	if h.m.speedLabel() != "10×" {
		t.Fatalf("speed = %s, want 10×", h.m.speedLabel())
	}
	h.keys("p")
	if got := s.sentIDs(); len(got) != 4 {
		t.Fatalf("replay sent %v, want 4", got)
	}
	want := []time.Duration{100 * time.Millisecond, 100 * time.Millisecond, 100 * time.Millisecond}
	if len(h.delays) != len(want) {
		t.Fatalf("delays = %v, want %v", h.delays, want)
	}
	for i := range want {
		if h.delays[i] != want[i] {
			t.Errorf("delay %d = %v, want %v", i, h.delays[i], want[i])
		}
	}
	if h.m.Busy() || !strings.Contains(h.m.Status(), "replay rec.jsonl done: 4 sent") {
		t.Errorf("busy=%v status=%q", h.m.Busy(), h.m.Status())
	}
}

func TestModel_replayPauseAndResume(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rec.jsonl")
	writeRecording(t, path, 3, time.Second)
	s := &fakeSender{}
	h := newHarness(t, testDeps(s), Options{Seed: 1, WatchDirs: []string{dir}}, 120, 40)
	h.m.source.SelectFile(path)
	// Hold the scheduled ticks instead of firing them, to pause in between.
	var held []func() any
	h.m.after = func(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
		return func() tea.Msg {
			msg := fn(time.Time{})
			if _, ok := msg.(statusClearMsg); ok {
				return nil
			}
			held = append(held, func() any { return msg })
			return nil
		}
	}
	h.keys("p")
	if got := s.sentIDs(); len(got) != 1 || len(held) != 1 {
		t.Fatalf("sent %v, held %d; want the first event sent and the next tick scheduled", got, len(held))
	}
	h.keys("space")
	if !strings.Contains(h.m.View(), "paused") {
		t.Errorf("status bar does not say paused")
	}
	h.send(held[0]()) // the tick scheduled before the pause is dropped
	if got := s.sentIDs(); len(got) != 1 {
		t.Fatalf("sent %v while paused, want 1", got)
	}
	h.keys("space") // resume re-anchors the schedule: the next event is due after the rest of its gap
	if got := s.sentIDs(); len(got) != 1 || len(held) != 2 {
		t.Fatalf("sent %v held %d after resume, want 1 sent and the next tick scheduled", got, len(held))
	}
	h.send(held[len(held)-1]())
	if got := s.sentIDs(); len(got) != 2 {
		t.Fatalf("sent %v, want 2", got)
	}
	h.send(held[len(held)-1]())
	if got := s.sentIDs(); len(got) != 3 || h.m.Busy() {
		t.Fatalf("sent %v busy=%v, want all 3 and done", got, h.m.Busy())
	}
}

func writeRecording(t *testing.T, path string, n int, gap time.Duration) {
	t.Helper()
	g := newGen(7)
	var b []byte
	at := fixedStart
	for i := range n {
		ev, err := g.Event("email", []string{"sent", "delivered", "opened", "clicked"}[i%4])
		if err != nil {
			t.Fatal(err)
		}
		c := recordings.Capture{ReceivedAt: at, Method: "POST", Path: "/", Headers: map[string]string{}, Body: ev.Bytes(), Signature: recordings.SignatureAbsent}
		b, err = c.AppendJSON(b)
		if err != nil {
			t.Fatal(err)
		}
		b = append(b, '\n')
		at = at.Add(gap)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestModel_replayAtMaxSpeedWaitsForAnswers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rec.jsonl")
	writeRecording(t, path, 3, time.Second)
	s := &fakeSender{}
	h := newHarness(t, testDeps(s), Options{Seed: 1, Concurrency: 1, Speeds: []float64{0}}, 100, 30)
	tm, _ := h.m.Update(loadFile(context.Background(), h.m.deps.OpenRecords, path, true)())
	h.m = tm.(Model)
	tm, cmd := h.m.Update(replayTickMsg{job: h.m.job.id, index: 0})
	h.m = tm.(Model)
	if !h.m.job.waiting {
		t.Fatal("with one request in flight the next event did not wait for the answer")
	}
	h.run(cmd) // the answer releases the next event, and so on
	if got := s.sentIDs(); len(got) != 3 || got[0] != "0" || got[2] != "2" {
		t.Fatalf("sent %v, want 0 1 2 in order", got)
	}
	if h.m.Busy() {
		t.Error("replay not finished")
	}
}

// TestModel_replayPaceDoesNotDriftOnALateClock replays on a clock whose every tick wakes up
// 3 ms late: the TUI asks the replay schedule (the one `ciosim replay` uses) for each delay,
// so the error stays one oversleep however many events there are.
func TestModel_replayPaceDoesNotDriftOnALateClock(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "rec.jsonl")
	const n = 200
	writeRecording(t, path, n, time.Second)
	s := &fakeSender{}
	h := newHarness(t, testDeps(s), Options{Seed: 1, WatchDirs: []string{dir}}, 120, 40)
	h.oversleep = 3 * time.Millisecond
	start := h.clock
	h.m.source.SelectFile(path)
	h.keys("p")
	if got := s.sentIDs(); len(got) != n {
		t.Fatalf("replay sent %d, want %d", len(got), n)
	}
	// The last event is due at start + 199 s; it went at most one oversleep late.
	if lag := h.clock.Sub(start) - (n-1)*time.Second; lag < 0 || lag > h.oversleep {
		t.Fatalf("the last event went %v late after %d events, want at most %v (no drift)", lag, n, h.oversleep)
	}
	for i, d := range h.delays {
		if i > 0 && d != time.Second-h.oversleep {
			t.Fatalf("delay %d = %v, want %v (each tick makes up for the last one's lateness)", i, d, time.Second-h.oversleep)
		}
	}
}

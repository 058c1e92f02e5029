package tui

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
)

// Flows run the real Bubble Tea program (real ticks, real goroutines for commands) and
// synchronise on what the user would see, never on sleeps (conventions §5.4).

func waitFor(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func press(tm *teatest.TestModel, keys ...string) {
	for _, k := range keys {
		tm.Send(keyMsg(k))
	}
}

func finalModel(t *testing.T, tm *teatest.TestModel) Model {
	t.Helper()
	tm.Send(keyMsg("q"))
	return tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
}

func TestFlow_generateInspectFire(t *testing.T) {
	s := &fakeSender{}
	tm := teatest.NewTestModel(t, New(t.Context(), testDeps(s), Options{Seed: 42}), teatest.WithInitialTermSize(120, 40))
	press(tm, "j", "l", "j", "j", "j", "j", "j", "g") // email, expand, down to opened, generate
	waitFor(t, tm, "email/opened", "Customer.io JSON", `"action_id": 522`, `"eventType": "directMarketing.email.op`)
	press(tm, "f")
	waitFor(t, tm, "xid-0")
	fm := finalModel(t, tm)
	log := fm.SendLog()
	if len(log) != 1 || log[0].Status != 200 || log[0].Label != "email/opened" {
		t.Fatalf("send log = %+v, want one 200 for email/opened", log)
	}
	r, ready := fm.Inspector()
	if !ready || !strings.Contains(r.CIOPlain, `"metric": "opened"`) || !strings.Contains(r.XDMPlain, "directMarketing.email.opened") {
		t.Errorf("inspector at the end: ready=%v\n%s\n%s", ready, r.CIOPlain, r.XDMPlain)
	}
}

func TestFlow_replayRecordingAtTenTimes(t *testing.T) {
	dir := t.TempDir()
	writeRecording(t, filepath.Join(dir, "rec.jsonl"), 4, time.Second)
	s := &fakeSender{}
	tm := teatest.NewTestModel(t, New(t.Context(), testDeps(s), Options{Seed: 1, WatchDirs: []string{dir}}), teatest.WithInitialTermSize(120, 40))
	waitFor(t, tm, "rec.jsonl 4 ev")
	for range 14 { // to the last row: the file
		press(tm, "j")
	}
	press(tm, "+", "+", "+", "p")
	waitFor(t, tm, "replay rec.jsonl done: 4 sent, 0 failed")
	fm := finalModel(t, tm)
	if got := s.sentIDs(); len(got) != 4 {
		t.Fatalf("sent %v, want 4", got)
	}
	for _, e := range fm.SendLog() {
		if e.Status != 200 {
			t.Errorf("send log entry %+v, want 200", e)
		}
	}
	if fm.speedLabel() != "10×" {
		t.Errorf("speed = %s", fm.speedLabel())
	}
}

func TestFlow_fileWrittenIntoWatchedFolderAppears(t *testing.T) {
	dir := t.TempDir()
	changes := make(chan FileChange)
	deps := testDeps(&fakeSender{})
	deps.Changes = changes
	tm := teatest.NewTestModel(t, New(t.Context(), deps, Options{Seed: 1, WatchDirs: []string{dir}}), teatest.WithInitialTermSize(100, 30))
	waitFor(t, tm, "(empty)")
	path := filepath.Join(dir, "new.jsonl")
	writeRecording(t, path, 2, time.Second)
	changes <- FileChange{Path: path} // what the watcher reports; the pump hands it over
	waitFor(t, tm, "new.jsonl 2 ev")
	fm := finalModel(t, tm)
	if f := fm.Files(); len(f) != 1 || f[0].Records != 2 {
		t.Errorf("files = %+v", f)
	}
}

// TestFlow_ctrlCInterrupts runs the real program (teatest treats an interrupted program as a
// failure, so this flow uses tea.NewProgram directly): ctrl+c ends Run with ErrInterrupted,
// which cmd maps to exit code 130, and the running job's sends are cancelled.
func TestFlow_ctrlCInterrupts(t *testing.T) {
	var out bytes.Buffer
	p := tea.NewProgram(New(t.Context(), testDeps(&fakeSender{}), Options{}),
		tea.WithInput(nil), tea.WithOutput(&out), tea.WithContext(t.Context()))
	go func() {
		p.Send(tea.WindowSizeMsg{Width: 80, Height: 24}) // blocks until the loop runs
		p.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	}()
	final, err := p.Run()
	if !errors.Is(err, tea.ErrInterrupted) {
		t.Fatalf("Run() error = %v, want tea.ErrInterrupted", err)
	}
	if _, ok := final.(Model); !ok {
		t.Errorf("final model is %T", final)
	}
}

package wiring

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/ciosim/ciosim/secret"
	"github.com/ciosim/ciosim/tui"
	"github.com/muesli/termenv"
)

func TestRecorder_capturesArriveAndAreStored(t *testing.T) {
	dir := t.TempDir()
	r := NewRecorder("127.0.0.1:0", dir, secret.Secret{})
	addr, err := r.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Start(context.Background()); err == nil {
		t.Error("second Start while recording did not fail")
	}
	ev := tuiEvents(t, [2]string{"email", "opened"})[0]
	resp, err := http.Post("http://"+addr+"/webhook", "application/json", bytes.NewReader(ev.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("recorder answered %d", resp.StatusCode)
	}
	select {
	case c := <-r.Captures():
		if !bytes.Equal(c.Body, ev.Bytes()) || c.Method != "POST" {
			t.Errorf("capture = %+v", c)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no capture on the channel")
	}
	if err := r.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if len(files) != 1 {
		t.Fatalf("files = %v, want one recording", files)
	}
	b, _ := os.ReadFile(files[0])
	if !bytes.Contains(b, ev.Bytes()) {
		t.Errorf("recording does not hold the body byte-exactly")
	}
	if _, err := http.Post("http://"+addr+"/webhook", "application/json", bytes.NewReader(ev.Bytes())); err == nil {
		t.Error("recorder still listening after Stop")
	}
	// It can start again after a stop.
	if _, err := r.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.Stop(context.Background())
}

func TestWatchChanges(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	ch, err := WatchChanges(ctx, []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "new.jsonl")
	if err := os.WriteFile(path, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(5 * time.Second)
	for found := false; !found; {
		select {
		case c := <-ch:
			found = c.Path == path && !c.Removed
		case <-deadline:
			t.Fatal("no change naming the new file")
		}
	}
	os.Remove(path)
	for found := false; !found; {
		select {
		case c := <-ch:
			found = c == (tui.FileChange{Path: path, Removed: true})
		case <-deadline:
			t.Fatal("no removal reported")
		}
	}
	cancel()
	for range ch { // closes when ctx ends
	}
}

// TestTUIFlow_watchRecordReplay drives the real wiring: a file written into the watched
// folder appears in the source pane (fsnotify through recordings.Watch); R starts the
// recorder and a posted webhook arrives in the list; the recording, replayed at 10×, is
// all accepted by the embedded emulator.
func TestTUIFlow_watchRecordReplay(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := TUIConfig{Mode: tui.ModeRaw, Seed: 42, Watch: []string{dir}, RecordDir: dir, RecordAddr: "127.0.0.1:0"}
	deps, opts, cleanup, err := WireTUI(ctx, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	tm := teatest.NewTestModel(t, tui.New(ctx, deps, opts), teatest.WithInitialTermSize(120, 40))
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
	key := func(k string) { tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}) }
	wait("(empty)")

	evs := tuiEvents(t, [2]string{"email", "sent"}, [2]string{"email", "delivered"})
	var b []byte
	for _, ev := range evs {
		b = append(append(b, ev.Bytes()...), '\n')
	}
	if err := os.WriteFile(filepath.Join(dir, "dropped.jsonl"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	wait("dropped.jsonl 2 ev")

	key("R")
	wait("● REC 127.0.0.1:")
	addr := recorderAddr(t, deps)
	resp, err := http.Post("http://"+addr+"/", "application/json", bytes.NewReader(evs[0].Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wait("Events 1") // the capture arrived in the list
	key("R")
	wait("recording stopped: 1 captured")

	// Replay the dropped file at 10×: select it (the last row of the source pane) and press p.
	for range 30 {
		tm.Send(tea.KeyMsg{Type: tea.KeyDown})
	}
	key("+")
	key("+")
	key("+")
	key("p")
	wait("done: 2 sent, 0 failed")
	key("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(tui.Model)
	log := final.SendLog()
	if len(log) != 2 {
		t.Fatalf("send log = %+v, want the 2 replayed events", log)
	}
	for _, e := range log {
		if e.Status != 200 || e.XactionID == "" {
			t.Errorf("replayed send %+v, want 200 from the emulator", e)
		}
	}
	if on, n := final.Recording(); on || n != 1 {
		t.Errorf("recording = %v, %d captured; want stopped with 1", on, n)
	}
}

func recorderAddr(t *testing.T, deps tui.Deps) string {
	t.Helper()
	r := deps.Recorder.(*recorder)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv == nil {
		t.Fatal("recorder not started")
	}
	return r.listenAddr
}

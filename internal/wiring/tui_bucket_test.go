package wiring

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/ciosim/ciosim/bucket"
	"github.com/ciosim/ciosim/bucket/buckettest"
	"github.com/ciosim/ciosim/tui"
	"github.com/muesli/termenv"
)

// TestTUIFlow_bucket drives the real wiring with an S3 bucket (gofakes3 over httptest) as a
// watched entry: the source pane lists it as one row counting its segments and their events,
// says it is not watched, and loading it fills the list with the segments of two replicas
// merged in received_at order, then p replays them all to the embedded emulator. A local
// folder beside it is still listed and watched.
func TestTUIFlow_bucket(t *testing.T) {
	lipgloss.SetColorProfile(termenv.Ascii)
	s3 := buckettest.Start(t, "rec", nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	evs := tuiEvents(t, [2]string{"email", "sent"}, [2]string{"email", "delivered"}, [2]string{"email", "opened"})
	line := func(at string, i int) string {
		b, err := json.Marshal(map[string]any{"received_at": at, "method": "POST", "path": "/", "query": "",
			"headers": map[string]any{}, "body": json.RawMessage(evs[i].Bytes()), "signature": "absent", "redacted": false})
		if err != nil {
			t.Fatal(err)
		}
		return string(b) + "\n"
	}
	b, err := bucket.Open(ctx, s3.URL(""))
	if err != nil {
		t.Fatal(err)
	}
	put := func(key, data string) {
		if err := b.WriteAll(ctx, key, []byte(data), nil); err != nil {
			t.Fatal(err)
		}
	}
	// Replica a holds the 1st and 3rd capture, replica b the 2nd; an object outside the
	// prefix and one that is not a recording are not read.
	put("prod/2026/11/30/a-01KB0000000000000000000000.jsonl", line("2026-11-30T00:00:01Z", 0)+line("2026-11-30T00:00:03Z", 2))
	put("prod/2026/11/30/b-01KB0000000000000000000001.jsonl", line("2026-11-30T00:00:02Z", 1))
	put("prod/notes.txt", "x")
	put("other/2026/11/30/c-01KB0000000000000000000002.jsonl", line("2026-11-30T00:00:00Z", 0))
	b.Close()

	url := s3.URL("prod")
	dir := t.TempDir()
	cfg := TUIConfig{Mode: tui.ModeRaw, Seed: 42, Watch: []string{dir, url}, RecordAddr: ""}
	deps, opts, cleanup, err := WireTUI(ctx, cfg, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	if opts.SaveDir != dir {
		t.Errorf("SaveDir = %q, want the local folder %q, never the bucket", opts.SaveDir, dir)
	}
	tm := teatest.NewTestModel(t, tui.New(ctx, deps, opts), teatest.WithInitialTermSize(160, 60))
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
	wait("2 segments, merged 3 ev", "listed once")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnd}) // the bucket's row is the last one
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	wait("loaded 3 events from")
	key("p")
	wait("6 ev 3 delivered") // paced at 1×: two seconds of captures
	key("q")
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(tui.Model)
	var ids []string
	for _, it := range final.Events() {
		ids = append(ids, it.Event.EventID)
	}
	want := []string{evs[0].EventID, evs[1].EventID, evs[2].EventID}
	// loaded once with enter, then again by p
	if strings.Join(ids, ",") != strings.Join(append(want, want...), ",") {
		t.Errorf("events = %v, want %v twice (received_at order across replicas)", ids, want)
	}
	var files []string
	for _, f := range final.Files() {
		files = append(files, f.Path)
		if f.Path == url && (f.Records != 3 || f.Segments != 2 || !f.Bucket) {
			t.Errorf("bucket row = %+v, want 3 records in 2 segments", f)
		}
	}
	if len(files) != 1 || files[0] != url {
		t.Errorf("files = %v, want only the bucket", files)
	}
	if len(final.SendLog()) != 3 {
		t.Errorf("send log has %d entries, want 3", len(final.SendLog()))
	}
}

// CountSegments counts the recording objects under a file:// bucket, as Merge reads them,
// and says which URL it could not open.
func TestCountSegments_file(t *testing.T) {
	root := t.TempDir()
	for _, p := range []string{"2026/11/30/a-1.jsonl", "2026/11/30/b-2.jsonl.gz", "2026/12/01/c-3.jsonl", "notes.txt"} {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n, err := CountSegments(context.Background(), "file://"+root)
	if err != nil || n != 3 {
		t.Errorf("CountSegments = %d, %v; want 3", n, err)
	}
	if _, err := CountSegments(context.Background(), "ftp://x"); err == nil || !strings.Contains(err.Error(), "ftp://x") {
		t.Errorf("bad URL: err = %v", err)
	}
}

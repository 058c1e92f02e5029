package recordings

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/fsnotify/fsnotify"
)

func TestDebounce(t *testing.T) {
	jsonl := func(p string) bool { return strings.HasSuffix(p, ".jsonl") }
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		in := make(chan fsnotify.Event)
		out := make(chan Change, 16)
		done := make(chan struct{})
		go func() { debounce(ctx, in, out, 100*time.Millisecond, jsonl); close(done) }()

		// A burst: create then writes 30 ms apart; one Created after 100 ms of quiet.
		in <- fsnotify.Event{Name: "d/a.jsonl", Op: fsnotify.Create}
		for range 5 {
			time.Sleep(30 * time.Millisecond)
			in <- fsnotify.Event{Name: "d/a.jsonl", Op: fsnotify.Write}
		}
		in <- fsnotify.Event{Name: "d/ignored.txt", Op: fsnotify.Write}
		time.Sleep(99 * time.Millisecond)
		synctest.Wait()
		if len(out) != 0 {
			t.Fatalf("change reported before the quiet period ended: %v", <-out)
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if got := drain(out); len(got) != 1 || got[0] != (Change{"d/a.jsonl", Created}) {
			t.Fatalf("got %v, want one Created for a.jsonl", got)
		}

		// Appends to an existing file, and a removal, each debounced separately.
		in <- fsnotify.Event{Name: "d/a.jsonl", Op: fsnotify.Write}
		in <- fsnotify.Event{Name: "d/b.jsonl", Op: fsnotify.Write}
		in <- fsnotify.Event{Name: "d/b.jsonl", Op: fsnotify.Remove}
		in <- fsnotify.Event{Name: "d/c.jsonl", Op: fsnotify.Chmod}
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		got := drain(out)
		want := []Change{{"d/a.jsonl", Appended}, {"d/b.jsonl", Removed}}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("got %v, want %v", got, want)
		}

		cancel()
		synctest.Wait()
		select {
		case <-done:
		default:
			t.Fatal("debounce did not return on context end")
		}
	})
}

func drain(ch chan Change) []Change {
	var out []Change
	for {
		select {
		case c := <-ch:
			out = append(out, c)
		default:
			return out
		}
	}
}

func TestWatch_realDirectory(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	ch, err := WatchWith(ctx, WatchOptions{Debounce: 10 * time.Millisecond}, dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "new.jsonl")
	os.WriteFile(filepath.Join(dir, "skip.txt"), []byte("x"), 0o644)
	if err := os.WriteFile(path, []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	timeout := time.After(5 * time.Second)
	for found := false; !found; {
		select {
		case c := <-ch:
			if strings.HasSuffix(c.Path, ".txt") {
				t.Fatalf("unwanted extension reported: %v", c)
			}
			found = c.Path == path
		case <-timeout:
			t.Fatal("no change reported for the new file")
		}
	}
	cancel()
	for range ch {
	}
	// closed: the range ended
}

func TestWatch_missingDir(t *testing.T) {
	if _, err := Watch(t.Context(), filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Fatal("watching a missing directory succeeded")
	}
}

// TestWatchFiles_editorSaves saves a watched file the ways editors do, in a real
// directory, and expects exactly one change per save (a burst of saves included).
func TestWatchFiles_editorSaves(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mapping.json")
	other := filepath.Join(dir, "other.json")
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(path, "{}")
	write(other, "{}")
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	const quiet = 200 * time.Millisecond // long beside the burst's gaps, even on a loaded machine
	ch, err := WatchFiles(ctx, WatchOptions{Debounce: quiet}, path)
	if err != nil {
		t.Fatal(err)
	}
	// expect waits for one change to path and then for quiet×4 with no other change.
	expect := func(name string, want ChangeKind) {
		t.Helper()
		select {
		case c := <-ch:
			if c.Path != path || c.Kind != want {
				t.Fatalf("%s: got %v %v, want %v %v", name, c.Path, c.Kind, path, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no change reported", name)
		}
		select {
		case c := <-ch:
			t.Fatalf("%s: a second change %v %v for one save", name, c.Path, c.Kind)
		case <-time.After(4 * quiet):
		}
	}

	write(path, `{"a":1}`)
	expect("write in place", Appended)

	// vim (backupcopy=no): rename the file away, write a new one, remove the backup.
	os.Rename(path, path+"~")
	write(path, `{"a":2}`)
	os.Remove(path + "~")
	expect("vim write by rename", Created)

	// JetBrains safe write: write a temp file, rename the original away, the temp in.
	write(path+"___jb_tmp___", `{"a":3}`)
	os.Rename(path, path+"___jb_old___")
	os.Rename(path+"___jb_tmp___", path)
	os.Remove(path + "___jb_old___")
	expect("JetBrains safe write", Created)

	os.Remove(path)
	write(path, `{"a":4}`)
	expect("delete and recreate", Created)

	for i := range 10 {
		write(path, `{"a":`+string(rune('5'+i%5))+`}`)
		time.Sleep(quiet / 40)
	}
	expect("a burst of saves", Appended)

	write(other, `{"b":1}`) // a neighbour is not reported
	os.Remove(path)
	expect("delete", Removed)
}

package recordings

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
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
		go func() { debounce(ctx, in, out, quiet{d: 100 * time.Millisecond}, jsonl); close(done) }()

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

// TestDebounce_settle: a change whose file is empty or missing when its quiet period ends
// waits for the rest of the save (one change, not two), or at most the settle time.
func TestDebounce_settle(t *testing.T) {
	all := func(string) bool { return true }
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		in := make(chan fsnotify.Event)
		out := make(chan Change, 16)
		var full atomic.Bool // the file's state as the settle check sees it
		q := quiet{d: 30 * time.Millisecond, settle: 250 * time.Millisecond, settled: func(string) bool { return full.Load() }}
		go debounce(ctx, in, out, q, all)

		// Truncate, then the editor stalls 100 ms before writing: one change, after the write.
		in <- fsnotify.Event{Name: "m.json", Op: fsnotify.Write}
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		if len(out) != 0 {
			t.Fatalf("an empty file reported before its save ended: %v", <-out)
		}
		full.Store(true)
		in <- fsnotify.Event{Name: "m.json", Op: fsnotify.Write}
		time.Sleep(29 * time.Millisecond)
		synctest.Wait()
		if len(out) != 0 {
			t.Fatal("reported before the quiet period after the write")
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if got := drain(out); len(got) != 1 || got[0] != (Change{"m.json", Appended}) {
			t.Fatalf("got %v, want one Appended", got)
		}

		// A settled file is reported after the quiet period alone.
		in <- fsnotify.Event{Name: "m.json", Op: fsnotify.Write}
		time.Sleep(30 * time.Millisecond)
		synctest.Wait()
		if got := drain(out); len(got) != 1 {
			t.Fatalf("got %v, want one change after 30 ms", got)
		}

		// Deleted and not recreated: reported once the settle time has passed.
		full.Store(false)
		start := time.Now()
		in <- fsnotify.Event{Name: "m.json", Op: fsnotify.Remove}
		for len(out) == 0 {
			time.Sleep(time.Millisecond)
			synctest.Wait()
		}
		if got, waited := drain(out), time.Since(start); len(got) != 1 || got[0].Kind != Removed || waited != 30*time.Millisecond+250*time.Millisecond {
			t.Fatalf("got %v after %v, want one Removed after 280ms", got, waited)
		}
	})
}

// TestDebounce_settledBeforeItsEvents: the settle check reads the file, so it can see a
// save before the save's own events arrive (a loaded machine delays them); the change then
// waits one more quiet period, and the late event joins it: one change, not two.
func TestDebounce_settledBeforeItsEvents(t *testing.T) {
	all := func(string) bool { return true }
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		in := make(chan fsnotify.Event)
		out := make(chan Change, 16)
		var full atomic.Bool
		q := quiet{d: 30 * time.Millisecond, settle: 250 * time.Millisecond, settled: func(string) bool { return full.Load() }}
		go debounce(ctx, in, out, q, all)

		in <- fsnotify.Event{Name: "m.json", Op: fsnotify.Write} // the truncate
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		full.Store(true) // the write landed; its event is late
		time.Sleep(25 * time.Millisecond)
		synctest.Wait()
		in <- fsnotify.Event{Name: "m.json", Op: fsnotify.Write} // the late event
		time.Sleep(time.Second)
		synctest.Wait()
		if got := drain(out); len(got) != 1 || got[0] != (Change{"m.json", Appended}) {
			t.Fatalf("got %v, want one Appended", got)
		}

		// Settled with no event at all: still reported, one quiet period later.
		full.Store(false)
		in <- fsnotify.Event{Name: "m.json", Op: fsnotify.Write}
		time.Sleep(100 * time.Millisecond)
		synctest.Wait()
		full.Store(true)
		time.Sleep(time.Second)
		synctest.Wait()
		if got := drain(out); len(got) != 1 {
			t.Fatalf("got %v, want one change", got)
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
// directory, and expects exactly one change per save (a burst of saves included), with a
// long quiet period and with the short one the TUI's mapping watch uses.
func TestWatchFiles_editorSaves(t *testing.T) {
	t.Run("quiet 200ms", func(t *testing.T) { testEditorSaves(t, WatchOptions{Debounce: 200 * time.Millisecond}) })
	t.Run("edit", func(t *testing.T) { testEditorSaves(t, WatchOptions{Debounce: EditDebounce, Settle: EditSettle}) })
}

func testEditorSaves(t *testing.T, opts WatchOptions) {
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
	ch, err := WatchFiles(ctx, opts, path)
	if err != nil {
		t.Fatal(err)
	}
	// Silence long enough that any second change for one save would have come.
	silence := max(3*opts.Debounce, opts.Debounce+2*opts.Settle)
	// collect returns the changes up to a silence.
	collect := func(name string) []Change {
		t.Helper()
		var got []Change
		select {
		case c := <-ch:
			got = append(got, c)
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: no change reported", name)
		}
		for {
			select {
			case c := <-ch:
				got = append(got, c)
			case <-time.After(silence):
				return got
			}
		}
	}
	expect := func(name string, want ChangeKind) {
		t.Helper()
		got := collect(name)
		if len(got) != 1 || got[0].Path != path || got[0].Kind != want {
			t.Fatalf("%s: got %v, want one %v of %s", name, got, want, path)
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

	if opts.Settle > 0 {
		// An editor that truncates, then stalls past the quiet period before writing.
		os.Truncate(path, 0)
		time.Sleep(3 * opts.Debounce)
		write(path, `{"a":5}`)
		expect("truncate, stall, write", Appended)
		// One that deletes, stalls, and recreates.
		os.Remove(path)
		time.Sleep(3 * opts.Debounce)
		write(path, `{"a":6}`)
		expect("delete, stall, recreate", Created)
	}

	// A burst of saves: one change, as long as no gap between two saves reached the quiet
	// period (on a loaded machine one may; each such gap may then add one change).
	long := 0
	last := time.Now()
	for i := range 10 {
		write(path, `{"a":`+string(rune('5'+i%5))+`}`)
		if now := time.Now(); now.Sub(last) >= opts.Debounce {
			long++
		}
		last = time.Now()
		time.Sleep(opts.Debounce / 40)
	}
	got := collect("a burst of saves")
	if len(got) < 1 || len(got) > 1+long {
		t.Fatalf("a burst of saves: got %d changes %v, want 1 (gaps at or over the quiet period: %d)", len(got), got, long)
	}
	if long > 0 {
		t.Logf("a burst of saves: %d gaps reached the quiet period (loaded machine); %d changes", long, len(got))
	}

	write(other, `{"b":1}`) // a neighbour is not reported
	os.Remove(path)
	expect("delete", Removed)
}

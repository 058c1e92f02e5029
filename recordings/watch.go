package recordings

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/fsnotify/fsnotify"
)

// ChangeKind says what happened to a watched file.
type ChangeKind int

// The kinds of [Change].
const (
	Created ChangeKind = iota + 1
	Appended
	Removed
)

// String returns created, appended or removed.
func (k ChangeKind) String() string {
	switch k {
	case Created:
		return "created"
	case Appended:
		return "appended"
	case Removed:
		return "removed"
	}
	return fmt.Sprintf("ChangeKind(%d)", int(k))
}

// Change is one debounced change to a file in a watched directory.
type Change struct {
	Path string
	Kind ChangeKind
}

// DefaultDebounce is how long a file must stay quiet before its change is reported.
const DefaultDebounce = 100 * time.Millisecond

// EditDebounce and EditSettle suit files people save from an editor (mapping sets,
// schemas), where the wait is on the user's save-to-screen time: an editor writes a file
// in one burst of system calls well under EditDebounce, and a change whose file is empty
// or missing when the quiet period ends (a truncate-then-write or delete-and-recreate
// caught between its steps) waits up to EditSettle for the rest of the save.
const (
	EditDebounce = 30 * time.Millisecond
	EditSettle   = 250 * time.Millisecond
)

// WatchOptions tunes [WatchWith]. The zero value works.
type WatchOptions struct {
	// Exts are the file name endings reported; nil means .jsonl and .json.
	Exts []string
	// Debounce is the quiet period per file; 0 means [DefaultDebounce].
	Debounce time.Duration
	// Match, when set, decides which paths are reported instead of Exts. It is called
	// with the path as fsnotify names it: the watched directory joined with the name.
	Match func(path string) bool
	// Settle, when > 0, is how much longer a change may wait, after its quiet period,
	// while its file is empty or missing: a save caught between truncating and writing,
	// or between deleting and recreating, is then reported once, whole. A file that stays
	// empty or missing is reported when Settle has passed.
	Settle time.Duration
}

// Watch is [WatchWith] with default options.
func Watch(ctx context.Context, dirs ...string) (<-chan Change, error) {
	return WatchWith(ctx, WatchOptions{}, dirs...)
}

// WatchWith watches the directories (not the files: editors and rotation replace files,
// which a file watch loses) with one fsnotify watcher, keeps only files with the wanted
// extensions, debounces bursts per file, and sends typed changes on the returned channel.
// The channel is closed, and the watcher released, when ctx ends.
func WatchWith(ctx context.Context, opts WatchOptions, dirs ...string) (<-chan Change, error) {
	if opts.Exts == nil {
		opts.Exts = []string{".jsonl", ".json"}
	}
	if opts.Debounce <= 0 {
		opts.Debounce = DefaultDebounce
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("recordings: watch: %w", err)
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		d = filepath.Clean(d)
		if seen[d] {
			continue
		}
		seen[d] = true
		if err := w.Add(d); err != nil {
			w.Close()
			return nil, fmt.Errorf("recordings: watch %s: %w", d, err)
		}
	}
	out := make(chan Change)
	go func() {
		defer close(out)
		defer w.Close()
		wanted := func(p string) bool {
			return slices.ContainsFunc(opts.Exts, func(e string) bool { return filepath.Ext(p) == e })
		}
		if opts.Match != nil {
			wanted = opts.Match
		}
		var settled func(string) bool
		if opts.Settle > 0 {
			settled = func(p string) bool {
				fi, err := os.Stat(p)
				return err == nil && fi.Size() > 0
			}
		}
		debounce(ctx, w.Events, out, quiet{d: opts.Debounce, settle: opts.Settle, settled: settled}, wanted)
	}()
	return out, nil
}

type pending struct {
	kind ChangeKind
	due  time.Time
	// quietAt is when the change first came due; settling waits are counted from it.
	quietAt time.Time
	// waited says the file was not settled at the last check and no event came since.
	waited bool
}

// quiet is debounce's timing: the quiet period d and, when settled is set, how long a due
// change whose file is not settled may wait more.
type quiet struct {
	d       time.Duration
	settle  time.Duration
	settled func(path string) bool
}

// debounce turns raw fsnotify events into one [Change] per file after q.d without further
// events for it (and, with q.settled, once the file is settled or q.settle has passed). A
// create followed by writes is reported as Created; anything followed by a remove or
// rename as Removed. It returns when ctx ends or in is closed (after flushing).
func debounce(ctx context.Context, in <-chan fsnotify.Event, out chan<- Change, q quiet, wanted func(string) bool) {
	d := q.d
	pend := map[string]*pending{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	rearm := func() {
		var next time.Time
		for _, p := range pend {
			if next.IsZero() || p.due.Before(next) {
				next = p.due
			}
		}
		timer.Stop()
		if !next.IsZero() {
			timer.Reset(time.Until(next))
		}
	}
	emit := func(all bool) bool {
		now := time.Now()
		var ready []string
		for path, p := range pend {
			if !all && p.due.After(now) {
				continue
			}
			if !all && q.settled != nil {
				if p.quietAt.IsZero() {
					p.quietAt = now
				}
				if now.Sub(p.quietAt) < q.settle {
					if !q.settled(path) {
						p.waited = true
						p.due = now.Add(min(d, q.settle-now.Sub(p.quietAt)))
						continue
					}
					if p.waited {
						// Settled while we waited, seen on disk before any event for it: the
						// save's own events may still be on their way (a loaded machine delays
						// them), and arriving after a report they would report it again. Give
						// them one more quiet period.
						p.waited = false
						p.due = now.Add(d)
						continue
					}
				}
			}
			ready = append(ready, path)
		}
		slices.Sort(ready)
		for _, path := range ready {
			select {
			case out <- Change{Path: path, Kind: pend[path].kind}:
				delete(pend, path)
			case <-ctx.Done():
				return false
			}
		}
		return true
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-in:
			if !ok {
				emit(true)
				return
			}
			if !wanted(ev.Name) {
				continue
			}
			kind := Appended
			switch {
			case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
				kind = Removed
			case ev.Has(fsnotify.Create):
				kind = Created
			case ev.Has(fsnotify.Write):
				kind = Appended
			default:
				continue // chmod
			}
			p := pend[ev.Name]
			switch {
			case p == nil:
				p = &pending{kind: kind}
				pend[ev.Name] = p
			case kind == Appended && p.kind == Created:
				// still a new file
			default:
				p.kind = kind
			}
			p.due, p.quietAt, p.waited = time.Now().Add(d), time.Time{}, false
			rearm()
		case <-timer.C:
			if !emit(false) {
				return
			}
			rearm()
		}
	}
}

// WatchFiles watches the named files (through their directories, so saves by rename, as
// vim and JetBrains IDEs do, and delete-and-recreate are seen) and reports changes to them
// only, debounced per file as [WatchWith] does; opts.Exts and opts.Match are ignored.
// Change.Path is the name as given.
func WatchFiles(ctx context.Context, opts WatchOptions, files ...string) (<-chan Change, error) {
	byAbs := map[string]string{}
	var dirs []string
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, fmt.Errorf("recordings: watch %s: %w", f, err)
		}
		byAbs[abs] = f
		dirs = append(dirs, filepath.Dir(abs))
	}
	opts.Match = func(p string) bool {
		_, ok := byAbs[p]
		return ok
	}
	in, err := WatchWith(ctx, opts, dirs...)
	if err != nil {
		return nil, err
	}
	out := make(chan Change)
	go func() {
		defer close(out)
		for c := range in {
			c.Path = byAbs[c.Path]
			select {
			case out <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}

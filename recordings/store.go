package recordings

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// SyncPolicy says when the [Store] forces appended lines to stable storage.
type SyncPolicy int

const (
	// SyncAlways fsyncs before Append returns (with group commit: one fsync covers every
	// line written while the previous fsync ran). A capture answered 200 survives a process
	// crash and a power loss. The default.
	SyncAlways SyncPolicy = iota
	// SyncNever leaves flushing to the operating system. Every Append is one write(2) into
	// the kernel's page cache, so a capture answered 200 survives the receiver being killed,
	// but not a power loss or kernel crash.
	SyncNever
)

// DefaultMaxFileBytes is the size at which the store starts a new file.
const DefaultMaxFileBytes = 256 << 20

// StoreOptions tunes a [Store]. The zero value works.
type StoreOptions struct {
	// MaxFileBytes rotates to a new file when the next line would take the current one past
	// this size; 0 means [DefaultMaxFileBytes]. A single line larger than the limit still
	// goes into a file of its own.
	MaxFileBytes int64
	// Sync is the durability policy; the zero value is [SyncAlways].
	Sync SyncPolicy
	// Prefix starts every file name; "" means "capture".
	Prefix string
	// Now is the clock used to pick the day of the file (UTC); nil means time.Now.
	Now func() time.Time
}

// Location says where a capture was stored.
type Location struct {
	File string // path of the file
	Line int    // 1-based line number within the file
}

// Store is an append-only Recording JSONL store in one directory. Files are named
// PREFIX-YYYY-MM-DD-NNN.jsonl (UTC day, sequence from 001) and rotate when the day changes
// or the size limit is reached. Each capture is written as one whole line with a single
// write on a file opened O_APPEND, under a lock, so concurrent appends never interleave;
// a write that fails part-way is truncated away, so a crash or a full disk leaves at most
// one torn last line, which [Reader] skips with a warning.
type Store struct {
	dir  string
	opts StoreOptions

	mu      sync.Mutex // guards the fields below
	f       *os.File
	info    os.FileInfo // f's identity when opened, to notice it is no longer at path
	broken  bool        // f may end in a partial line or lost data: start a new file
	path    string
	day     string
	seq     int
	size    int64
	lines   int
	written uint64 // lines written since open
	closed  bool

	// beforeSync, when set (by tests), runs after a line is written and before it is
	// synced, to act in that window.
	beforeSync func(path string)

	smu     sync.Mutex // guards durable, syncing, checkedLo, checkedHi; never held while taking mu
	cond    *sync.Cond
	durable uint64
	syncing bool
	// Lines checkedLo+1 through checkedHi were made durable by the last group commit, which
	// found their file still at its path after the fsync: their appends need no stat of
	// their own (one stat per fsync instead of one per line).
	checkedLo, checkedHi uint64

	// stat is os.Stat; tests count the calls.
	stat func(string) (os.FileInfo, error)
}

// ErrStoreClosed is returned by [Store.Append] after [Store.Close].
var ErrStoreClosed = errors.New("recordings: store closed")

// DefaultDir is where captures go unless told otherwise: a name of its own, outside any Go
// package, kept out of git (see [OpenStore]).
const DefaultDir = "ciosim-recordings"

// gitignore is written into a directory the store creates: captures hold personal data.
const gitignore = "# Written by ciosim: recordings hold real webhook traffic, often personal data.\n# Keep them out of git; commit redacted fixtures instead (ciosim redact, ciosim scan).\n*\n"

// OpenStore opens (creating it if needed) the store in dir and checks that it can write
// there, so a bad directory is reported at start-up rather than on the first capture. It
// continues today's newest file unless that file ends in a torn line or is full. A
// directory it creates gets a .gitignore that ignores everything in it.
func OpenStore(dir string, opts StoreOptions) (*Store, error) {
	if opts.MaxFileBytes <= 0 {
		opts.MaxFileBytes = DefaultMaxFileBytes
	}
	if opts.Prefix == "" {
		opts.Prefix = "capture"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("recordings: open store: %w", err)
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte(gitignore), 0o644); err != nil {
			return nil, fmt.Errorf("recordings: open store: %w", err)
		}
	}
	s := &Store{dir: dir, opts: opts, stat: os.Stat}
	s.cond = sync.NewCond(&s.smu)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.openFor(opts.Now().UTC(), 0); err != nil {
		return nil, err
	}
	return s, nil
}

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

func (s *Store) name(day string, seq int) string {
	return filepath.Join(s.dir, fmt.Sprintf("%s-%s-%03d.jsonl", s.opts.Prefix, day, seq))
}

// openFor opens the file to write the next line of n bytes into at time t. Called with mu
// held, after the previous file (if any) was synced and closed.
func (s *Store) openFor(t time.Time, n int64) error {
	day := t.Format(time.DateOnly)
	seq := 1
	if day == s.day {
		seq = s.seq + 1
	} else if last := s.lastSeq(day); last > 0 {
		seq = last
		if info, err := os.Stat(s.name(day, seq)); err == nil && info.Size() > 0 &&
			(info.Size()+n > s.opts.MaxFileBytes || !endsWithNewline(s.name(day, seq), info.Size())) {
			seq++
		}
	}
	path := s.name(day, seq)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if errors.Is(err, os.ErrNotExist) {
		// The directory was removed while recording: make it again.
		if merr := os.MkdirAll(s.dir, 0o755); merr == nil {
			f, err = os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		}
	}
	if err != nil {
		return fmt.Errorf("recordings: open store file: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return fmt.Errorf("recordings: open store file: %w", err)
	}
	lines := 0
	if info.Size() > 0 {
		lines, err = countLines(path)
		if err != nil {
			f.Close()
			return err
		}
	}
	s.f, s.info, s.broken = f, info, false
	s.path, s.day, s.seq, s.size, s.lines = path, day, seq, info.Size(), lines
	return nil
}

// lastSeq returns the highest sequence number of an existing file for day, or 0.
func (s *Store) lastSeq(day string) int {
	matches, _ := filepath.Glob(filepath.Join(s.dir, s.opts.Prefix+"-"+day+"-*.jsonl"))
	best := 0
	for _, m := range matches {
		num := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(m), s.opts.Prefix+"-"+day+"-"), ".jsonl")
		if n, err := strconv.Atoi(num); err == nil && n > best {
			best = n
		}
	}
	return best
}

func endsWithNewline(path string, size int64) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, size-1); err != nil {
		return false
	}
	return b[0] == '\n'
}

func countLines(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("recordings: open store file: %w", err)
	}
	defer f.Close()
	buf := make([]byte, 64*1024)
	n := 0
	for {
		k, err := f.Read(buf)
		for _, c := range buf[:k] {
			if c == '\n' {
				n++
			}
		}
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, fmt.Errorf("recordings: read store file: %w", err)
		}
	}
}

// Append writes c as one line and, under [SyncAlways], returns only once the line is on
// stable storage. It is safe for concurrent use.
//
// Append never reports a line stored that cannot be read back at its Location: after each
// write it checks that the file the line went to is still the one at its path (under
// [SyncAlways] once, after the fsync, which covers a change before the write too), so a file
// deleted or renamed while recording (or its directory removed) is noticed, a new file is
// opened (the directory made again when needed) and the line written there. Every failure
// leaves the store able to try again on the next Append: a file that could not be opened is
// opened on the next call, and a file that may end in a partial line is left for a new one.
func (s *Store) Append(c Capture) (Location, error) {
	// Encode before taking the lock: the lock covers only the write (and rotation), so
	// concurrent requests encode in parallel.
	bp := linePool.Get().(*[]byte)
	defer linePool.Put(bp)
	line, err := c.AppendJSON((*bp)[:0])
	if err != nil {
		return Location{}, fmt.Errorf("recordings: encode capture: %w", err)
	}
	line = append(line, '\n')
	if cap(line) <= maxPooledLine {
		*bp = line
	}
	for attempt := 0; ; attempt++ {
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return Location{}, ErrStoreClosed
		}
		at, seq, err := s.write(line, s.opts.Now().UTC())
		info := s.info
		s.mu.Unlock()
		if err != nil {
			return Location{}, err
		}
		if s.opts.Sync == SyncNever {
			return at, nil
		}
		if s.beforeSync != nil {
			s.beforeSync(at.File)
		}
		checked, err := s.waitDurable(seq)
		if err != nil {
			return Location{}, err
		}
		// The line is on disk in the file it was written to. A file deleted or renamed
		// between the write and the fsync took the line with it: write it again. The
		// group commit that synced the line usually checked its file already.
		if checked {
			return at, nil
		}
		if cur, err := s.stat(at.File); err == nil && os.SameFile(cur, info) {
			return at, nil
		}
		// Lines written to that file from now on would be lost too: the next goes to a new one.
		s.mu.Lock()
		if s.f != nil && os.SameFile(s.info, info) {
			s.broken = true
		}
		s.mu.Unlock()
		if attempt == 1 {
			return Location{}, fmt.Errorf("recordings: append to %s: the file was removed or replaced while syncing", at.File)
		}
	}
}

// linePool holds the buffers captures are encoded into; buffers that grew past
// maxPooledLine (a large body) are not kept.
var linePool = sync.Pool{New: func() any { return new([]byte) }}

const maxPooledLine = 64 << 10

// write appends line to the current file, opening or rotating first as needed, and checks
// afterwards that the line landed in the file at s.path; if it did not (the file was
// deleted or renamed meanwhile) it writes the line once more into a new file. Called with
// mu held.
func (s *Store) write(line []byte, now time.Time) (Location, uint64, error) {
	n := int64(len(line))
	for attempt := 0; ; attempt++ {
		if err := s.ready(now, n); err != nil {
			return Location{}, 0, err
		}
		k, werr := s.f.Write(line)
		if werr != nil || int64(k) != n {
			// Remove whatever part of the line made it, so the next line starts clean; if
			// that fails too, the next line goes to a new file.
			if terr := s.f.Truncate(s.size); terr != nil || errors.Is(werr, syscall.EFBIG) {
				// A file at its size limit (ulimit -f) takes no more lines either.
				s.broken = true
			}
			if werr == nil {
				werr = io.ErrShortWrite
			}
			return Location{}, 0, fmt.Errorf("recordings: append to %s: %w", s.path, werr)
		}
		s.size += n
		s.lines++
		s.written++
		if s.opts.Sync == SyncAlways || s.atPath() {
			// (under SyncAlways, Append checks the path after the fsync instead)
			return Location{File: s.path, Line: s.lines}, s.written, nil
		}
		// The line went to a file that is no longer at its path: it cannot be read back
		// where we would say it is. Start a new file and write it there.
		s.broken = true
		if attempt == 1 {
			return Location{}, 0, fmt.Errorf("recordings: append to %s: the file was removed or replaced while writing", s.path)
		}
	}
}

// ready makes s.f the file the next line of n bytes goes to at time now: it opens a file
// when none is open (an earlier open failed) or the current one is broken (it may end in a
// partial line, or a write found it no longer at its path), and rotates by day and size.
// Called with mu held.
func (s *Store) ready(now time.Time, n int64) error {
	switch {
	case s.f == nil:
		return s.openFor(now, n)
	case s.broken:
		// (a file that left its path is noticed after the write, which then marks it broken)
		_ = s.closeFile() // its lines' waiters learn of a failed sync from waitDurable
		return s.openFor(now, n)
	case !s.sameDay(now) || (s.size > 0 && s.size+n > s.opts.MaxFileBytes):
		return s.rotate(now, n)
	}
	return nil
}

// sameDay reports whether now falls on the current file's day (compared without
// formatting a string per append).
func (s *Store) sameDay(now time.Time) bool {
	var buf [len(time.DateOnly)]byte
	return string(now.AppendFormat(buf[:0], time.DateOnly)) == s.day
}

// atPath reports whether the open file is still the one at s.path. Called with mu held.
func (s *Store) atPath() bool {
	info, err := s.stat(s.path)
	return err == nil && os.SameFile(info, s.info)
}

// rotate syncs and closes the current file and opens the next. Called with mu held. A
// failed close is reported to the waiters of the lines it held (waitDurable), not to the
// line about to be written, which goes to the next file.
func (s *Store) rotate(now time.Time, n int64) error {
	_ = s.closeFile()
	return s.openFor(now, n)
}

// closeFile syncs and closes the current file, marking every line written so far durable.
// Called with mu held.
func (s *Store) closeFile() error {
	if s.f == nil {
		return nil
	}
	serr := s.f.Sync()
	cerr := s.f.Close()
	s.f = nil
	if err := errors.Join(serr, cerr); err != nil {
		return fmt.Errorf("recordings: close %s: %w", s.path, err)
	}
	s.smu.Lock()
	s.durable = max(s.durable, s.written)
	s.cond.Broadcast()
	s.smu.Unlock()
	return nil
}

// waitDurable returns once line seq is synced. One caller at a time runs fsync; everyone
// whose line was written before that fsync started is released by it (group commit). After
// the fsync the syncer checks once that the file is still at its path; checked reports
// that this check covered line seq (otherwise the caller checks for itself).
func (s *Store) waitDurable(seq uint64) (checked bool, err error) {
	s.smu.Lock()
	defer s.smu.Unlock()
	for s.durable < seq {
		if s.syncing {
			s.cond.Wait()
			continue
		}
		s.syncing = true
		s.smu.Unlock()
		s.mu.Lock()
		f, info, target, path := s.f, s.info, s.written, s.path
		// Taken under mu, so no rotation comes between: every line after lo and up to
		// target was written to f (a rotation or close makes all earlier lines durable).
		s.smu.Lock()
		lo := s.durable
		s.smu.Unlock()
		s.mu.Unlock()
		var err error
		atPath := false
		if f != nil {
			if err = f.Sync(); err == nil {
				cur, serr := s.stat(path)
				atPath = serr == nil && os.SameFile(cur, info)
			}
		}
		s.smu.Lock()
		s.syncing = false
		s.cond.Broadcast()
		switch {
		case f == nil || errors.Is(err, os.ErrClosed):
			// Rotation or Close synced and closed the file and advanced durable, unless
			// that close failed.
			if s.durable < seq {
				return false, fmt.Errorf("recordings: sync %s: file closed before the line was synced", path)
			}
		case err != nil:
			// After a failed fsync the kernel may have dropped the dirty pages: what the
			// file holds is unknown, so the next line goes to a new file.
			s.smu.Unlock()
			s.mu.Lock()
			if s.f == f {
				s.broken = true
			}
			s.mu.Unlock()
			s.smu.Lock()
			return false, fmt.Errorf("recordings: sync %s: %w", path, err)
		default:
			if target > s.durable {
				s.durable = target
				if atPath && target > lo {
					s.checkedLo, s.checkedHi = lo, target
				}
			}
		}
	}
	return s.checkedLo < seq && seq <= s.checkedHi, nil
}

// Files lists the store's files, oldest first.
func (s *Store) Files() ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(s.dir, s.opts.Prefix+"-*.jsonl"))
	if err != nil {
		return nil, err
	}
	slices.Sort(matches)
	return matches, nil
}

// Close syncs and closes the current file. Appends after Close fail with [ErrStoreClosed].
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.closeFile()
}

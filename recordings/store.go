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
// or the size limit is reached. Each capture is written as one whole line on a file opened
// O_APPEND, so concurrent appends never interleave; a write that fails part-way is
// truncated away, so a crash or a full disk leaves at most one torn last line, which
// [Reader] skips with a warning.
//
// Appends are written by group commit: the lines of concurrent appends queue up while one
// of them (the writer of the moment) writes the queued lines with one write(2), fsyncs
// them under [SyncAlways] and checks once that the file is still at its path; then every
// append of that batch returns.
type Store struct {
	dir  string
	opts StoreOptions

	mu         sync.Mutex // guards closed, queue, pend, spareQueue, spare, flushing
	cond       *sync.Cond // on mu: a batch was written, or the writer's turn is free
	closed     bool
	queue      []*queued // appends waiting to be written, in order
	pend       []byte    // their lines, concatenated
	spareQueue []*queued // the previous batch's buffers, for the next one (or nil)
	spare      []byte
	flushing   bool // someone holds the writer's turn

	// The file: used only by the holder of the writer's turn (or OpenStore).
	f      *os.File
	info   os.FileInfo // f's identity when opened, to notice it is no longer at path
	broken bool        // f may end in a partial line or lost data: start a new file
	path   string
	day    string
	seq    int
	size   int64
	lines  int

	// afterWrite, when set (by tests), runs after each write of a batch's lines (before
	// the fsync under SyncAlways), to act in that window.
	afterWrite func(path string)
	// stat is os.Stat; tests count the calls.
	stat func(string) (os.FileInfo, error)
}

// queued is one append in the queue: its line's length, then its result. The writer sets
// at and err without mu, then done under mu; the append reads them once done.
type queued struct {
	n    int
	done bool
	at   Location
	err  error
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
	s.cond = sync.NewCond(&s.mu)
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

// openFor opens the file to write the next line of n bytes into at time t. Called by the
// writer, after the previous file (if any) was synced and closed.
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
// write (under [SyncAlways] after the fsync, which covers a change before the write too) it
// checks that the file the lines went to is still the one at its path, so a file deleted
// or renamed while recording (or its directory removed) is noticed, a new file is opened
// (the directory made again when needed) and the lines written there. Every failure leaves
// the store able to try again on the next Append: a file that could not be opened is
// opened on the next call, and a file that may end in a partial line is left for a new one.
func (s *Store) Append(c Capture) (Location, error) {
	// Encode before taking the lock: the lock covers only queueing the bytes, so
	// concurrent requests encode in parallel.
	bp := linePool.Get().(*[]byte)
	line, err := c.AppendJSON((*bp)[:0])
	if err != nil {
		linePool.Put(bp)
		return Location{}, fmt.Errorf("recordings: encode capture: %w", err)
	}
	line = append(line, '\n')
	p := &queued{n: len(line)}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		linePool.Put(bp)
		return Location{}, ErrStoreClosed
	}
	s.queue = append(s.queue, p)
	s.pend = append(s.pend, line...)
	if cap(line) <= maxPooledLine {
		*bp = line
	}
	linePool.Put(bp)
	for !p.done {
		if s.flushing {
			s.cond.Wait()
			continue
		}
		// The writer's turn is free: write everything queued so far, this line included.
		s.flushing = true
		batch, lines := s.queue, s.pend
		// (the spare buffers become the queue's; the batch's become the spares after)
		s.queue, s.pend = s.spareQueue[:0], s.spare[:0]
		s.spareQueue, s.spare = nil, nil
		s.mu.Unlock()
		s.writeBatch(batch, lines)
		s.mu.Lock()
		for i, q := range batch {
			q.done = true
			batch[i] = nil
		}
		if cap(batch) <= maxSpareQueue {
			s.spareQueue = batch
		}
		if cap(lines) <= maxSpare {
			s.spare = lines
		}
		s.flushing = false
		s.cond.Broadcast()
	}
	s.mu.Unlock()
	return p.at, p.err
}

// linePool holds the buffers captures are encoded into; buffers that grew past
// maxPooledLine (a large body) are not kept.
var linePool = sync.Pool{New: func() any { return new([]byte) }}

const (
	maxPooledLine = 64 << 10
	// maxSpare and maxSpareQueue bound the batch buffers kept for the next batch.
	maxSpare      = 1 << 20
	maxSpareQueue = 4096
)

// writeBatch writes the queued lines (lines is their concatenation, in queue order) and
// sets each one's result (the caller marks them done under mu). Lines that fit in the
// current file go out in one write(2); a rotation (day, size) starts a new run. Called by
// the holder of the writer's turn, without mu.
func (s *Store) writeBatch(batch []*queued, lines []byte) {
	now := s.opts.Now().UTC()
	for off := 0; len(batch) > 0; {
		// A run: the lines that go into the file the first one goes to.
		k, n := 1, int64(batch[0].n)
		if err := s.ready(now, n); err != nil {
			for _, p := range batch {
				p.err = err
			}
			return
		}
		for k < len(batch) && s.size+n+int64(batch[k].n) <= s.opts.MaxFileBytes {
			n += int64(batch[k].n)
			k++
		}
		s.writeRun(batch[:k], lines[off:off+int(n)], now)
		batch, off = batch[k:], off+int(n)
	}
}

// writeRun writes run (one or more whole lines, the results of which are batch) to the
// current file with one write, syncs it under SyncAlways, and checks that the file is still
// at its path; if it is not (deleted or renamed meanwhile), it writes the run once more
// into a new file. Called by the writer after ready.
func (s *Store) writeRun(batch []*queued, run []byte, now time.Time) {
	fail := func(err error) {
		for _, p := range batch {
			p.err = err
		}
	}
	n := int64(len(run))
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			if err := s.ready(now, n); err != nil {
				fail(err)
				return
			}
		}
		k, werr := s.f.Write(run)
		if werr != nil || int64(k) != n {
			// Remove whatever part of the lines made it, so the next line starts clean; if
			// that fails too, the next line goes to a new file.
			if terr := s.f.Truncate(s.size); terr != nil || errors.Is(werr, syscall.EFBIG) {
				// A file at its size limit (ulimit -f) takes no more lines either.
				s.broken = true
			}
			if werr == nil {
				werr = io.ErrShortWrite
			}
			fail(fmt.Errorf("recordings: append to %s: %w", s.path, werr))
			return
		}
		first := s.lines
		s.size += n
		s.lines += len(batch)
		if s.afterWrite != nil {
			s.afterWrite(s.path)
		}
		when := "writing"
		if s.opts.Sync == SyncAlways {
			when = "syncing"
			if err := s.f.Sync(); err != nil {
				// After a failed fsync the kernel may have dropped the dirty pages: what
				// the file holds is unknown, so the next line goes to a new file.
				s.broken = true
				fail(fmt.Errorf("recordings: sync %s: %w", s.path, err))
				return
			}
		}
		// One check for the whole run: the lines are where we say only if the file is
		// still the one at its path (under SyncAlways, after the fsync).
		if s.atPath() {
			for i, p := range batch {
				p.at = Location{File: s.path, Line: first + 1 + i}
			}
			return
		}
		// The lines went to a file that is no longer at its path: they cannot be read
		// back where we would say they are. Start a new file and write them there.
		s.broken = true
		if attempt == 1 {
			fail(fmt.Errorf("recordings: append to %s: the file was removed or replaced while %s", s.path, when))
			return
		}
	}
}

// ready makes s.f the file the next line of n bytes goes to at time now: it opens a file
// when none is open (an earlier open failed) or the current one is broken (it may end in a
// partial line, or a write found it no longer at its path), and rotates by day and size.
// Called by the writer.
func (s *Store) ready(now time.Time, n int64) error {
	switch {
	case s.f == nil:
		return s.openFor(now, n)
	case s.broken:
		// (a file that left its path is noticed after the write, which then marks it broken)
		_ = s.closeFile() // its lines were answered already
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

// atPath reports whether the open file is still the one at s.path. Called by the writer.
func (s *Store) atPath() bool {
	info, err := s.stat(s.path)
	return err == nil && os.SameFile(info, s.info)
}

// rotate syncs and closes the current file and opens the next. Called by the writer. The
// lines of the closed file were synced and answered already; a failed close loses nothing
// answered.
func (s *Store) rotate(now time.Time, n int64) error {
	_ = s.closeFile()
	return s.openFor(now, n)
}

// closeFile syncs and closes the current file. Called by the writer.
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
	return nil
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

// Close syncs and closes the current file, after the appends in progress. Appends after
// Close fail with [ErrStoreClosed].
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	// Appends already queued are written first: wait for the writer's turn while any are
	// in flight (each queued append takes the turn itself when it is free).
	for s.flushing || len(s.queue) > 0 {
		s.cond.Wait()
	}
	s.flushing = true // no writer from now on
	s.mu.Unlock()
	return s.closeFile()
}

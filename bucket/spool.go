package bucket

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oklog/ulid/v2"
	"gocloud.dev/blob"

	"github.com/ciosim/ciosim/recordings"
)

// Defaults for [SpoolOptions].
const (
	DefaultSegmentBytes = 64 << 20
	DefaultSegmentAge   = 60 * time.Second
)

// segmentPrefix names a segment directory in the spool: seg-ULID.
const segmentPrefix = "seg-"

// ErrSpoolClosed is returned by [Spool.Append] after [Spool.Close] began.
var ErrSpoolClosed = errors.New("bucket: spool closed")

// SpoolOptions tunes a [Spool]. Host is required; the zero value of the rest works.
type SpoolOptions struct {
	// Host names this replica in object keys (HOST-ULID.jsonl); characters other than
	// letters, digits, '.', '_' and '-' become '-'. Two replicas should not share a Host,
	// although the ULID alone already keeps their keys apart.
	Host string
	// SegmentBytes closes the open segment once it holds this many bytes; 0 means
	// [DefaultSegmentBytes].
	SegmentBytes int64
	// SegmentAge closes the open segment this long after its first capture; 0 means
	// [DefaultSegmentAge].
	SegmentAge time.Duration
	// Gzip compresses objects (HOST-ULID.jsonl.gz).
	Gzip bool
	// Sync is the durability policy of the local segment files, as for the recordings store.
	Sync recordings.SyncPolicy
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives upload and recovery events; nil discards them.
	Logger *slog.Logger
	// RetryMin and RetryMax bound the back-off between failed uploads (1 s and 30 s when 0).
	RetryMin, RetryMax time.Duration
}

// Stats is a snapshot of a spool, for metrics and readiness.
type Stats struct {
	// Segments and Bytes are what waits in the local spool: closed segments not yet
	// shipped, plus the open one.
	Segments int
	Bytes    int64
	// OldestCapture is when the oldest capture not yet shipped was appended (zero when
	// none): now minus it is the spool lag, bounded by SegmentAge plus the upload lag.
	OldestCapture time.Time
	// OldestClosed is when the oldest closed segment still waiting for upload was closed
	// (zero when none): now minus it is the upload lag.
	OldestClosed time.Time
	// Uploaded and UploadedBytes count confirmed uploads since the spool opened
	// (recovered segments included); UploadErrors counts failed attempts.
	Uploaded, UploadedBytes, UploadErrors int64
	// LastError is the message of the last failed upload, "" after a success.
	LastError string
}

// segment is one spool directory: a recordings store while open, then a closed set of
// files waiting for upload.
type segment struct {
	id    ulid.ULID
	dir   string
	store *recordings.Store // nil once closed
	bytes atomic.Int64
	lines atomic.Int64
	first atomic.Int64 // unix nanos of the first append, 0 before
	// rotating is set by the one caller replacing this segment.
	rotating atomic.Bool
	closed   time.Time // when it was closed (or found at start-up)
}

// Spool is a recorder's local, durable buffer in front of a bucket. Each capture is
// appended to the open segment (a [recordings.Store] in its own directory, so durability
// is the store's: under [recordings.SyncAlways] Append returns only once the line is on
// disk). A segment is closed when it reaches SegmentBytes or SegmentAge, then shipped as
// one object, its lines sorted by received_at, and deleted from the spool only once the
// upload is confirmed. An upload that fails is retried with back-off and the segment stays
// on disk; segments a crashed process left behind are shipped when the spool next opens.
//
// Object keys are YYYY/MM/DD/HOST-ULID.jsonl (under the bucket's prefix), where the ULID
// carries the time of the segment's first capture and randomness fixed when the segment
// was opened: shipping the same segment twice (a crash between the upload and the delete)
// writes the same key with the same bytes, so every capture is in the bucket exactly once.
//
// One process at a time may use a spool directory (it is locked where the OS supports it).
// Append is safe for concurrent use.
type Spool struct {
	dir  string
	b    *blob.Bucket
	opts SpoolOptions
	log  *slog.Logger
	lock io.Closer

	shipCtx    context.Context // uploads run under it; Close cancels it when its deadline passes
	cancelShip context.CancelFunc

	mu     sync.RWMutex // Append holds it shared; rotation and Close exclusively
	cur    *segment
	closed bool

	pmu     sync.Mutex // guards pending and the stats below
	pending []*segment
	stats   Stats

	wake     chan struct{} // a segment is ready to ship
	stop     chan struct{} // closed by Close: the rotator ends
	draining chan struct{} // closed by Close: the shipper ships what is left, then ends
	done     sync.WaitGroup
	encPool  sync.Pool
}

var _ recordings.Appender = (*Spool)(nil)

// OpenSpool opens (creating it) the spool in dir in front of bucket b, queues for upload
// every segment a previous process left there, opens a new segment and starts shipping.
// It fails when the bucket is not accessible, so a wrong URL or missing credentials are
// reported at start-up. The caller must call Close.
func OpenSpool(ctx context.Context, dir string, b *blob.Bucket, opts SpoolOptions) (*Spool, error) {
	if opts.Host = sanitizeHost(opts.Host); opts.Host == "" {
		return nil, errors.New("bucket: open spool: a host name is required")
	}
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = DefaultSegmentBytes
	}
	if opts.SegmentAge <= 0 {
		opts.SegmentAge = DefaultSegmentAge
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = time.Second
	}
	if opts.RetryMax < opts.RetryMin {
		opts.RetryMax = max(30*time.Second, opts.RetryMin)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if ok, err := b.IsAccessible(ctx); err != nil || !ok {
		if err == nil {
			err = errors.New("bucket does not exist or is not accessible")
		}
		return nil, fmt.Errorf("bucket: open spool: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("bucket: open spool: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s := &Spool{dir: dir, b: b, opts: opts, log: log, lock: lock,
		wake: make(chan struct{}, 1),
		stop: make(chan struct{}), draining: make(chan struct{})}
	s.shipCtx, s.cancelShip = context.WithCancel(context.WithoutCancel(ctx))
	left, err := s.leftBehind()
	if err != nil {
		s.cancelShip()
		lock.Close()
		return nil, err
	}
	for _, seg := range left {
		log.Info("spool: segment left by a previous run queued for upload", "segment", filepath.Base(seg.dir))
		s.pending = append(s.pending, seg)
	}
	if s.cur, err = s.newSegment(); err != nil {
		s.cancelShip()
		lock.Close()
		return nil, err
	}
	if len(s.pending) > 0 { // before the shipper starts: it owns pending from then on (under pmu)
		s.signal(s.wake)
	}
	s.done.Add(2)
	go s.rotator()
	go s.shipper()
	return s, nil
}

// sanitizeHost keeps letters, digits, '.', '_' and '-', so a host name is a safe key part.
func sanitizeHost(h string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '-'
	}, h)
}

// leftBehind returns the segment directories already in the spool, oldest first.
func (s *Spool) leftBehind() ([]*segment, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("bucket: open spool: %w", err)
	}
	var out []*segment
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), segmentPrefix) {
			continue
		}
		id, err := ulid.ParseStrict(strings.TrimPrefix(e.Name(), segmentPrefix))
		if err != nil {
			continue
		}
		seg := &segment{id: id, dir: filepath.Join(s.dir, e.Name()), closed: s.opts.Now()}
		files, _ := filepath.Glob(filepath.Join(seg.dir, "*.jsonl"))
		for _, f := range files {
			if info, err := os.Stat(f); err == nil {
				seg.bytes.Add(info.Size())
			}
		}
		out = append(out, seg)
	}
	slices.SortFunc(out, func(a, b *segment) int { return a.id.Compare(b.id) })
	return out, nil
}

// newSegment creates and opens a segment directory.
func (s *Spool) newSegment() (*segment, error) {
	id, err := ulid.New(ulid.Timestamp(s.opts.Now()), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("bucket: new segment: %w", err)
	}
	dir := filepath.Join(s.dir, segmentPrefix+id.String())
	st, err := recordings.OpenStore(dir, recordings.StoreOptions{MaxFileBytes: 1 << 62, Sync: s.opts.Sync, Now: s.opts.Now})
	if err != nil {
		return nil, fmt.Errorf("bucket: new segment: %w", err)
	}
	return &segment{id: id, dir: dir, store: st}, nil
}

// Append stores c in the open segment; it returns once the store says the line is durable.
func (s *Spool) Append(c recordings.Capture) (recordings.Location, error) {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return recordings.Location{}, ErrSpoolClosed
	}
	seg := s.cur
	loc, err := seg.store.Append(c)
	full := false
	if err == nil {
		n := s.encodedSize(c)
		seg.first.CompareAndSwap(0, s.opts.Now().UnixNano())
		seg.lines.Add(1)
		full = seg.bytes.Add(n) >= s.opts.SegmentBytes
	}
	s.mu.RUnlock()
	if full {
		// Rotating here, once per segment, keeps segments within one capture of the limit.
		if rerr := s.rotate(seg); rerr != nil {
			s.log.Error("spool: rotate", "err", rerr)
		}
	}
	return loc, err
}

// encodedSize is the size of c's line in the segment.
func (s *Spool) encodedSize(c recordings.Capture) int64 {
	bp, _ := s.encPool.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	b, err := c.AppendJSON((*bp)[:0])
	n := int64(len(b) + 1)
	if err != nil {
		n = int64(len(c.Body)) // cannot happen once Append succeeded
	}
	*bp = b
	s.encPool.Put(bp)
	return n
}

func (s *Spool) signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// rotator closes the open segment when it is old enough (or full, should a rotation in
// Append have failed).
func (s *Spool) rotator() {
	defer s.done.Done()
	tick := time.NewTicker(min(s.opts.SegmentAge/4, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-tick.C:
		}
		s.mu.RLock()
		seg := s.cur
		s.mu.RUnlock()
		if seg == nil {
			continue
		}
		first := seg.first.Load()
		full := seg.bytes.Load() >= s.opts.SegmentBytes
		old := first != 0 && s.opts.Now().Sub(time.Unix(0, first)) >= s.opts.SegmentAge
		if full || old {
			if err := s.rotate(seg); err != nil {
				s.log.Error("spool: rotate", "err", err)
			}
		}
	}
}

// rotate replaces seg, if it is still the open segment, with a new one and queues it.
func (s *Spool) rotate(seg *segment) error {
	if !seg.rotating.CompareAndSwap(false, true) {
		return nil // another caller is replacing it
	}
	next, err := s.newSegment()
	if err != nil {
		seg.rotating.Store(false)
		return err
	}
	s.mu.Lock()
	if s.closed || s.cur != seg {
		s.mu.Unlock()
		next.store.Close()
		os.RemoveAll(next.dir)
		return nil
	}
	s.cur = next // in-flight appends to seg finished: they held mu shared
	s.mu.Unlock()
	return s.closeSegment(seg)
}

// closeSegment closes seg's store and queues it for upload.
func (s *Spool) closeSegment(seg *segment) error {
	err := seg.store.Close()
	seg.store = nil
	seg.closed = s.opts.Now()
	s.pmu.Lock()
	s.pending = append(s.pending, seg)
	s.pmu.Unlock()
	s.signal(s.wake)
	if err != nil {
		return fmt.Errorf("bucket: close segment %s: %w", filepath.Base(seg.dir), err)
	}
	return nil
}

// shipper uploads pending segments in order, retrying with back-off; once draining, it
// ships what is left and ends.
func (s *Spool) shipper() {
	defer s.done.Done()
	backoff := s.opts.RetryMin
	draining := false
	for {
		s.pmu.Lock()
		var seg *segment
		if len(s.pending) > 0 {
			seg = s.pending[0]
		}
		s.pmu.Unlock()
		if seg == nil {
			if draining {
				return
			}
			select {
			case <-s.wake:
			case <-s.draining:
				draining = true
			}
			continue
		}
		err := s.ship(s.shipCtx, seg)
		if err == nil {
			backoff = s.opts.RetryMin
			continue
		}
		s.log.Error("spool: upload failed; the segment stays in the spool and is retried",
			"segment", filepath.Base(seg.dir), "retry_in", backoff.String(), "err", err)
		if draining {
			return // Close reports what is left
		}
		select {
		case <-time.After(backoff):
		case <-s.draining:
			draining = true
		}
		backoff = min(backoff*2, s.opts.RetryMax)
	}
}

// line locates one capture line in a segment's files.
type line struct {
	file int
	off  int64
	n    int
	at   time.Time
}

// ship uploads seg as one object and removes it from the spool once the upload is confirmed.
func (s *Spool) ship(ctx context.Context, seg *segment) error {
	files, lines, dropped, err := indexSegment(seg.dir)
	if err != nil {
		s.failed(err)
		return err
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	if dropped > 0 {
		s.log.Warn("spool: dropped a torn last line (a write cut short by a crash, never acknowledged)",
			"segment", filepath.Base(seg.dir), "lines", dropped)
	}
	var n int64
	key := ""
	if len(lines) > 0 {
		slices.SortStableFunc(lines, func(a, b line) int { return a.at.Compare(b.at) })
		key = s.objectKey(seg, lines[0].at)
		if n, err = s.upload(ctx, key, files, lines); err != nil {
			err = fmt.Errorf("bucket: upload %s: %w", key, err)
			s.failed(err)
			return err
		}
	}
	for _, f := range files {
		f.Close()
	}
	if err := os.RemoveAll(seg.dir); err != nil {
		// The object is in the bucket; a later run re-ships the same key, which is harmless.
		s.log.Warn("spool: remove shipped segment", "segment", filepath.Base(seg.dir), "err", err)
	}
	s.pmu.Lock()
	s.pending = slices.DeleteFunc(s.pending, func(p *segment) bool { return p == seg })
	if key != "" {
		s.stats.Uploaded++
		s.stats.UploadedBytes += n
	}
	s.stats.LastError = ""
	s.pmu.Unlock()
	if key != "" {
		s.log.Info("spool: segment shipped", "key", key, "captures", len(lines), "bytes", n)
	}
	return nil
}

func (s *Spool) failed(err error) {
	s.pmu.Lock()
	s.stats.UploadErrors++
	s.stats.LastError = err.Error()
	s.pmu.Unlock()
}

// objectKey is YYYY/MM/DD/HOST-ULID.jsonl[.gz], the ULID made of the first capture's time
// and the segment's own randomness, so that the key is the same whenever seg is shipped.
func (s *Spool) objectKey(seg *segment, first time.Time) string {
	var id ulid.ULID
	_ = id.SetTime(ulid.Timestamp(first)) // only fails past the year 10889
	_ = id.SetEntropy(seg.id.Entropy())
	ext := ".jsonl"
	if s.opts.Gzip {
		ext += ".gz"
	}
	return first.UTC().Format("2006/01/02/") + s.opts.Host + "-" + id.String() + ext
}

// upload writes the lines, in order, as one object and returns the bytes written before
// compression. The upload is confirmed when the writer's Close succeeds.
func (s *Spool) upload(ctx context.Context, key string, files []*os.File, lines []line) (int64, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // an unfinished write is aborted, never committed
	w, err := s.b.NewWriter(ctx, key, &blob.WriterOptions{ContentType: "application/x-ndjson"})
	if err != nil {
		return 0, err
	}
	out, finish := compressor(w, s.opts.Gzip)
	bw := bufio.NewWriterSize(out, 256<<10)
	var buf []byte
	var n int64
	for _, l := range lines {
		buf = slices.Grow(buf[:0], l.n)[:l.n]
		if _, err := files[l.file].ReadAt(buf, l.off); err != nil {
			cancel()
			w.Close()
			return 0, fmt.Errorf("read spool: %w", err)
		}
		if _, err := bw.Write(buf); err != nil {
			cancel()
			w.Close()
			return 0, err
		}
		n += int64(l.n)
	}
	if err := errors.Join(bw.Flush(), finish()); err != nil {
		cancel()
		w.Close()
		return 0, err
	}
	return n, w.Close()
}

// indexSegment opens a segment's files and locates every complete line with its
// received_at. An unterminated last line is a torn write (the store answers only after the
// whole line is written, so it was never acknowledged): it is counted in dropped and left
// out. A complete line whose time cannot be read keeps the time of the line before it.
func indexSegment(dir string) (files []*os.File, lines []line, dropped int, err error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		return nil, nil, 0, fmt.Errorf("bucket: index segment: %w", err)
	}
	slices.Sort(names)
	var prev time.Time
	for i, name := range names {
		f, err := os.Open(name)
		if err != nil {
			for _, f := range files {
				f.Close()
			}
			return nil, nil, 0, fmt.Errorf("bucket: index segment: %w", err)
		}
		files = append(files, f)
		br := bufio.NewReaderSize(f, 256<<10)
		var off int64
		var cur []byte
		for {
			part, rerr := br.ReadSlice('\n')
			cur = append(cur, part...)
			if errors.Is(rerr, bufio.ErrBufferFull) {
				if len(cur) > MaxLineBytes {
					rerr = fmt.Errorf("%s: line longer than %d bytes", name, MaxLineBytes)
				} else {
					continue
				}
			}
			if errors.Is(rerr, io.EOF) {
				if len(bytes.TrimSpace(cur)) > 0 {
					dropped++
				}
				break
			}
			if rerr != nil {
				for _, f := range files {
					f.Close()
				}
				return nil, nil, 0, fmt.Errorf("bucket: index segment: %w", rerr)
			}
			if len(bytes.TrimSpace(cur)) > 0 {
				if t, ok := ReceivedAt(cur); ok {
					prev = t
				}
				lines = append(lines, line{file: i, off: off, n: len(cur), at: prev})
			}
			off += int64(len(cur))
			cur = cur[:0]
		}
	}
	return files, lines, dropped, nil
}

// Stats returns a snapshot of the spool.
func (s *Spool) Stats() Stats {
	s.mu.RLock()
	cur := s.cur
	s.mu.RUnlock()
	s.pmu.Lock()
	st := s.stats
	st.Segments = len(s.pending)
	for _, p := range s.pending {
		if st.OldestClosed.IsZero() || p.closed.Before(st.OldestClosed) {
			st.OldestClosed = p.closed
		}
		if f := p.first.Load(); f != 0 && (st.OldestCapture.IsZero() || time.Unix(0, f).Before(st.OldestCapture)) {
			st.OldestCapture = time.Unix(0, f)
		}
		if f := p.first.Load(); f == 0 && (st.OldestCapture.IsZero() || p.closed.Before(st.OldestCapture)) {
			st.OldestCapture = p.closed // left by a previous run: its captures are at least this old
		}
		st.Bytes += p.bytes.Load()
	}
	s.pmu.Unlock()
	if cur != nil {
		st.Segments++
		st.Bytes += cur.bytes.Load()
		if f := cur.first.Load(); f != 0 && (st.OldestCapture.IsZero() || time.Unix(0, f).Before(st.OldestCapture)) {
			st.OldestCapture = time.Unix(0, f)
		}
	}
	return st
}

// Flush closes the open segment (when it holds any capture) and waits until every closed
// segment is shipped or ctx ends. It is how tests and operators force an upload.
func (s *Spool) Flush(ctx context.Context) error {
	s.mu.RLock()
	seg, closed := s.cur, s.closed
	s.mu.RUnlock()
	if closed {
		return ErrSpoolClosed
	}
	if seg.lines.Load() > 0 {
		if err := s.rotate(seg); err != nil {
			return err
		}
	}
	return s.waitShipped(ctx)
}

func (s *Spool) waitShipped(ctx context.Context) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		s.pmu.Lock()
		n, last := len(s.pending), s.stats.LastError
		s.pmu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			if last != "" {
				return fmt.Errorf("bucket: %d segments not shipped: %s: %w", n, last, ctx.Err())
			}
			return fmt.Errorf("bucket: %d segments not shipped: %w", n, ctx.Err())
		case <-t.C:
		}
	}
}

// Close stops accepting appends (waiting for those in flight), closes the open segment and
// ships every segment still in the spool, retrying until ctx ends. Segments it could not
// ship stay in the spool, are named in the error, and are shipped by the next OpenSpool.
func (s *Spool) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	seg := s.cur
	s.cur = nil
	s.mu.Unlock()
	close(s.stop)
	var errs []error
	if seg.lines.Load() > 0 {
		errs = append(errs, s.closeSegment(seg))
	} else {
		seg.store.Close()
		os.RemoveAll(seg.dir)
	}
	// The shipper keeps retrying (with back-off) while ctx lasts; then it is told to drain,
	// which makes it give up after one more failed attempt.
	werr := s.waitShipped(ctx)
	if werr != nil {
		s.cancelShip() // abort an upload in flight: the segment stays for the next run
	}
	close(s.draining)
	s.done.Wait()
	s.cancelShip()
	errs = append(errs, werr, s.lock.Close())
	return errors.Join(errs...)
}

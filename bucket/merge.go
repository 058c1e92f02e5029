package bucket

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/oklog/ulid/v2"
	"gocloud.dev/blob"
)

// MaxLineBytes bounds one line read from an object: a capture is at most the recorder's
// body limit (1 MiB by default) plus its headers, so anything far larger is not a recording.
const MaxLineBytes = 64 << 20

// MergeOptions tunes [Merge]. The zero value works.
type MergeOptions struct {
	// OnSkip is told about each listed object that is not a recording (its key does not end
	// in .jsonl or .jsonl.gz). Nil ignores them.
	OnSkip func(key string)
}

// object is one recording object to merge.
type object struct {
	key   string
	start time.Time // lower bound of its first received_at (from the ULID); zero if unknown
}

// cursor reads one object line by line.
type cursor struct {
	idx  int // position in key order, the tie-break between equal times
	key  string
	rc   io.ReadCloser
	gz   *gzip.Reader
	br   *bufio.Reader
	line []byte // current line, ending in '\n'; owned by the cursor
	at   time.Time
	seq  int64
}

// Merged is the merged stream of a bucket's recording objects: a reader of Recording JSONL
// lines in received_at order. Create it with [Merge]; it is not safe for concurrent use.
type Merged struct {
	ctx     context.Context
	b       *blob.Bucket
	pending []object // not opened yet, by start time
	next    int      // index in pending of the next object to open
	h       cursorHeap
	cur     []byte // rest of the line being read out
	out     []byte // the line returned last; reused
	lastKey string
	err     error
	objects int
}

var _ io.ReadCloser = (*Merged)(nil)

// Merge lists every object in b whose key ends in .jsonl or .jsonl.gz and returns a reader
// of their lines merged by received_at. Objects are streamed, never downloaded whole, and
// opened only when their first capture can be next (the ULID in the recorder's object names
// gives the time of each object's first capture), so memory stays flat however large the
// bucket: a few buffers per object that overlaps in time with another, as segments of
// concurrent replicas do.
//
// Within an object lines must be in received_at order, as [Spool] ships them; equal times
// keep object order (by start time, then key), then line order. A line without received_at (a bare event) takes the time
// of the line before it in the same object. Gzip objects (.jsonl.gz) are decompressed.
//
// The caller must Close the reader; it does not close b.
func Merge(ctx context.Context, b *blob.Bucket, opts MergeOptions) (*Merged, error) {
	var objs []object
	it := b.List(nil)
	for {
		o, err := it.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("bucket: list: %w", err)
		}
		if o.IsDir {
			continue
		}
		if !strings.HasSuffix(o.Key, ".jsonl") && !strings.HasSuffix(o.Key, ".jsonl.gz") {
			if opts.OnSkip != nil {
				opts.OnSkip(o.Key)
			}
			continue
		}
		objs = append(objs, object{key: o.Key, start: keyTime(o.Key)})
	}
	slices.SortStableFunc(objs, func(a, b object) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	return &Merged{ctx: ctx, b: b, pending: objs}, nil
}

// Objects returns how many recording objects were opened so far.
func (m *Merged) Objects() int { return m.objects }

// keyTime returns the time in the ULID at the end of a key's base name (HOST-ULID.jsonl),
// or the zero time when there is none.
func keyTime(key string) time.Time {
	base := strings.TrimSuffix(strings.TrimSuffix(path.Base(key), ".gz"), ".jsonl")
	if len(base) < ulid.EncodedSize {
		return time.Time{}
	}
	id, err := ulid.ParseStrict(base[len(base)-ulid.EncodedSize:])
	if err != nil {
		return time.Time{}
	}
	return ulid.Time(id.Time())
}

// Read implements io.Reader over the merged lines.
func (m *Merged) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if len(m.cur) == 0 {
			if m.err != nil {
				break
			}
			line, err := m.nextLine()
			if err != nil {
				m.err = err
				break
			}
			m.cur = line
		}
		k := copy(p[n:], m.cur)
		m.cur = m.cur[k:]
		n += k
	}
	if n > 0 {
		return n, nil
	}
	return 0, m.err
}

// NextLine returns the next line (with its '\n') in received_at order, the key of the
// object it came from, and io.EOF after the last. The slice is valid until the next call.
func (m *Merged) NextLine() (line []byte, key string, err error) {
	if m.err != nil {
		return nil, "", m.err
	}
	line, err = m.nextLine()
	if err != nil {
		m.err = err
		return nil, "", err
	}
	return line, m.lastKey, nil
}

// nextLine opens every object that may hold the next line, then takes the earliest line.
func (m *Merged) nextLine() ([]byte, error) {
	if err := m.ctx.Err(); err != nil {
		return nil, err
	}
	for m.next < len(m.pending) && (m.h.Len() == 0 || !m.pending[m.next].start.After(m.h[0].at)) {
		o := m.pending[m.next]
		c, err := m.open(o, m.next)
		m.next++
		if err != nil {
			return nil, err
		}
		if c != nil {
			heap.Push(&m.h, c)
		}
	}
	if m.h.Len() == 0 {
		return nil, io.EOF
	}
	c := m.h[0]
	m.out = append(m.out[:0], c.line...)
	m.lastKey = c.key
	more, err := c.advance()
	if err != nil {
		return nil, err
	}
	if more {
		heap.Fix(&m.h, 0)
	} else {
		heap.Pop(&m.h)
		c.close()
	}
	return m.out, nil
}

// open starts reading an object; it returns nil for an empty one.
func (m *Merged) open(o object, idx int) (*cursor, error) {
	rc, err := m.b.NewReader(m.ctx, o.key, nil)
	if err != nil {
		return nil, fmt.Errorf("bucket: open %s: %w", o.key, err)
	}
	m.objects++
	c := &cursor{idx: idx, key: o.key, rc: rc}
	var src io.Reader = rc
	if strings.HasSuffix(o.key, ".gz") {
		gz, err := gzip.NewReader(bufio.NewReaderSize(rc, 32<<10))
		if err != nil {
			rc.Close()
			return nil, fmt.Errorf("bucket: read %s: %w", o.key, err)
		}
		c.gz, src = gz, gz
	}
	c.br = bufio.NewReaderSize(src, 64<<10)
	more, err := c.advance()
	if err != nil {
		c.close()
		return nil, err
	}
	if !more {
		c.close()
		return nil, nil
	}
	return c, nil
}

// advance reads the cursor's next non-blank line; false at the end of the object.
func (c *cursor) advance() (bool, error) {
	for {
		c.line = c.line[:0]
		for {
			part, err := c.br.ReadSlice('\n')
			if len(c.line)+len(part) > MaxLineBytes {
				return false, fmt.Errorf("bucket: read %s: line longer than %d bytes", c.key, MaxLineBytes)
			}
			c.line = append(c.line, part...)
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if errors.Is(err, io.EOF) {
				if len(bytes.TrimSpace(c.line)) == 0 {
					return false, nil
				}
				c.line = append(c.line, '\n')
				break
			}
			if err != nil {
				return false, fmt.Errorf("bucket: read %s: %w", c.key, err)
			}
			break
		}
		if len(bytes.TrimSpace(c.line)) == 0 {
			continue
		}
		if t, ok := ReceivedAt(c.line); ok {
			c.at = t
		}
		c.seq++
		return true, nil
	}
}

func (c *cursor) close() {
	if c.gz != nil {
		c.gz.Close()
	}
	c.rc.Close()
}

// Close closes every object still open.
func (m *Merged) Close() error {
	for _, c := range m.h {
		c.close()
	}
	m.h = nil
	if m.err == nil {
		m.err = errors.New("bucket: merged reader closed")
	}
	return nil
}

// receivedAtPrefix is how the recordings store starts every capture line.
var receivedAtPrefix = []byte(`{"received_at":"`)

// ReceivedAt returns the received_at time of a Recording JSONL line, false when the line has
// none (a bare event) or it does not parse. Lines written by the recordings store are read
// without a JSON decode.
func ReceivedAt(line []byte) (time.Time, bool) {
	if bytes.HasPrefix(line, receivedAtPrefix) {
		rest := line[len(receivedAtPrefix):]
		if i := bytes.IndexByte(rest, '"'); i > 0 {
			if t, err := time.Parse(time.RFC3339Nano, string(rest[:i])); err == nil {
				return t, true
			}
		}
	}
	if !bytes.Contains(line, []byte(`"received_at"`)) {
		return time.Time{}, false
	}
	var probe struct {
		ReceivedAt *time.Time `json:"received_at"`
	}
	if json.Unmarshal(line, &probe) != nil || probe.ReceivedAt == nil {
		return time.Time{}, false
	}
	return *probe.ReceivedAt, true
}

// cursorHeap orders cursors by their current line's time, then object, then line.
type cursorHeap []*cursor

func (h cursorHeap) Len() int { return len(h) }
func (h cursorHeap) Less(i, j int) bool {
	if c := h[i].at.Compare(h[j].at); c != 0 {
		return c < 0
	}
	return h[i].idx < h[j].idx
}
func (h cursorHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *cursorHeap) Push(x any)   { *h = append(*h, x.(*cursor)) }
func (h *cursorHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}

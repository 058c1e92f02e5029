package wiring

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/ciosim/ciosim/pipeline"
)

// deadInput is a run's dead-letter file when it is also one of the run's inputs (`ciosim
// send dead-letters.jsonl`, the default name). The run then rewrites the file to what is
// still not delivered: the events that failed again (fresh dead letters, with this run's
// reason) and, verbatim, every line of the old file this run did not deliver or fail —
// rejected, cancelled by an interrupt, not read yet, unreadable. Delivered events leave the
// file. The new file is written beside the old one and renamed over it, so a crash leaves
// the old file whole, and an interrupt loses nothing.
type deadInput struct {
	path string
	dir  string
	info os.FileInfo

	mu    sync.Mutex
	names map[string]bool // input names seen: whether each is the dead-letter file
	done  map[int]bool    // its lines delivered or dead-lettered again in this run
	// delivered and failed count the file's events by outcome in this run.
	delivered, failed int
}

// newDeadInput returns the tracker for path (relative names opened from dir), or nil when
// the file does not exist yet.
func newDeadInput(path, dir string) *deadInput {
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		return nil
	}
	return &deadInput{path: path, dir: dir, info: info, names: map[string]bool{}, done: map[int]bool{}}
}

// observe marks the dead-letter file's lines this result settles: delivered (gone from
// the file) or failed (written again by the dead-letter writer).
func (d *deadInput) observe(r pipeline.Result) {
	if r.Outcome != pipeline.Delivered && r.Outcome != pipeline.Failed {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	in := r.Message.Input
	is, ok := d.names[in]
	if !ok {
		name := in
		if !filepath.IsAbs(name) && d.dir != "" {
			name = filepath.Join(d.dir, name)
		}
		if fi, err := os.Stat(name); err == nil && os.SameFile(fi, d.info) {
			is = true
		}
		d.names[in] = is
	}
	if is && !d.done[r.Message.Line] {
		d.done[r.Message.Line] = true
		if r.Outcome == pipeline.Delivered {
			d.delivered++
		} else {
			d.failed++
		}
	}
}

// read reports whether the run read the dead-letter file at all.
func (d *deadInput) read() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, is := range d.names {
		if is {
			return true
		}
	}
	return false
}

// copyRest appends to w every non-blank line of the old file that this run did not
// settle, verbatim and in order, and returns how many.
func (d *deadInput) copyRest(w io.Writer) (int, error) {
	f, err := os.Open(d.path)
	if err != nil {
		return 0, fmt.Errorf("re-read %s: %w", d.path, err)
	}
	defer f.Close()
	d.mu.Lock()
	defer d.mu.Unlock()
	br := bufio.NewReaderSize(f, 64<<10)
	bw := bufio.NewWriter(w)
	n, line := 0, 0
	for {
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			line++
			if !d.done[line] && !blank(b) {
				if _, werr := bw.Write(b); werr != nil {
					return n, werr
				}
				n++
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, fmt.Errorf("re-read %s: %w", d.path, err)
		}
	}
	return n, bw.Flush()
}

func blank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}

// finish ends a run that read the dead-letter file: it appends what the run did not settle
// to the new file dl and commits it, or removes the file when nothing is left, and says
// which on w. runErr is the delivery's error: a file error keeps the old file as it is;
// failedInRun counts every dead letter the run wrote (from any input).
func (d *deadInput) finish(dl *AtomicFile, runErr error, failedInRun int, command string, w io.Writer) error {
	if runErr != nil && !errors.Is(runErr, context.Canceled) && !errors.Is(runErr, context.DeadlineExceeded) {
		dl.Abort()
		fmt.Fprintf(w, "ciosim: %s: %s left as it was (the run failed)\n", command, d.path)
		return nil
	}
	kept, err := d.copyRest(dl)
	if err != nil {
		dl.Abort()
		return err
	}
	d.mu.Lock()
	delivered, failed := d.delivered, d.failed
	d.mu.Unlock()
	if kept == 0 && failedInRun == 0 {
		dl.Abort()
		if err := os.Remove(d.path); err != nil {
			return fmt.Errorf("remove %s: %w", d.path, err)
		}
		fmt.Fprintf(w, "ciosim: %s: every event in %s was delivered; the file is removed\n", command, d.path)
		return nil
	}
	if err := dl.Commit(); err != nil {
		return err
	}
	fmt.Fprintf(w, "ciosim: %s: %s rewritten to what is still not delivered: %d delivered and removed, %d failed again, %d kept as they were\n",
		command, d.path, delivered, failed, kept)
	return nil
}

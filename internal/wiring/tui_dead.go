package wiring

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"sync"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/tui"
)

// OpenRecords reads one file through a [FileSource]: how the TUI reads the files it lists,
// loads and replays, and its dead letters, as the commands read their inputs.
func OpenRecords(path string) tui.RecordSource { return NewFileSource([]string{path}, nil) }

// DeadLetterFile keeps the TUI's dead letters in the aep dead-letter JSONL format (readable
// by `ciosim send` and `ciosim replay`), and lists them for the TUI's dead-letter view.
type DeadLetterFile struct {
	path string
	mu   sync.Mutex
}

var _ tui.DeadLetters = (*DeadLetterFile)(nil)

// add appends r, written by client c's dead-letter writer so the line records c's mode.
func (d *DeadLetterFile) add(c *aep.Client, r aep.Result) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	f, err := os.OpenFile(d.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	w := c.NewDeadLetterWriter(f)
	err = w.Write(r)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// List reads the file; a missing file is an empty list.
func (d *DeadLetterFile) List(ctx context.Context) ([]tui.DeadLetter, error) {
	d.mu.Lock()
	b, err := os.ReadFile(d.path)
	d.mu.Unlock()
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []tui.DeadLetter
	// The records come from the one file source; the dead-letter member of each line is
	// read from the same bytes.
	r := OpenRecords(d.path)
	defer r.Close()
	lines := bytes.Split(b, []byte("\n"))
	for {
		rec, err := r.Next(ctx)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		var le *recordings.LineError
		if errors.As(err, &le) {
			continue
		}
		if err != nil {
			return out, err
		}
		dl := tui.DeadLetter{ID: rec.Event.EventID, Event: rec.Body}
		if rec.Line-1 < len(lines) {
			if info, ok := aep.ReadDeadLetter(lines[rec.Line-1]); ok {
				dl.Mode, dl.Status, dl.Attempts = tui.Mode(info.Mode), info.Status, info.Attempts
				dl.Body = info.Reason
				if info.Response != "" {
					dl.Body += " " + info.Response
				}
			}
		}
		if dl.ID == "" {
			dl.ID = d.path + ":" + strconv.Itoa(rec.Line)
		}
		out = append(out, dl)
	}
}

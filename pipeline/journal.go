package pipeline

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"
)

// Journal is the delivery journal: an append-only JSONL file with one line per event
// outcome, written as it happens, so that an interrupted run (Ctrl-C, or kill -9) can be
// resumed with exactly the events it does not show as delivered or rejected.
//
// The first line of each run is a [JournalHeader]; then one [JournalEntry] per result;
// a run that ends normally or on an interrupt adds a [JournalEnd]. Writes are
// group-committed: each worker's results are in the file (one write(2) shared by every
// worker waiting at that moment) before the worker sends its next event, so a kill loses
// at most the events in flight; the file is fsynced every SyncEvery and at Close.
type Journal struct {
	f        *os.File
	path     string
	mu       sync.Mutex
	cond     *sync.Cond
	buf      []byte
	spare    []byte
	appended uint64
	written  uint64
	writing  bool
	err      error
	stop     chan struct{}
	stopped  chan struct{}
}

// JournalHeader starts a run in the journal.
type JournalHeader struct {
	Journal int    `json:"journal"` // format version, 1
	Command string `json:"command"`
	Mode    string `json:"mode"`
	// Dir is the working directory Inputs are relative to.
	Dir    string   `json:"dir"`
	Inputs []string `json:"inputs"`
	// InFlight is the most events the run can have had in flight at once (concurrency, times
	// the batch size in batch mode): a kill may leave that many sent but not journaled.
	InFlight int       `json:"in_flight"`
	Started  time.Time `json:"started"`
	Resume   bool      `json:"resume,omitempty"`
}

// JournalEntry is one event's outcome.
type JournalEntry struct {
	Input    string  `json:"input"`
	Line     int     `json:"line"`
	EventID  string  `json:"event_id,omitempty"`
	Outcome  Outcome `json:"outcome"`
	Status   int     `json:"status,omitempty"`
	Attempts int     `json:"attempts,omitempty"`
	// Reason says why an event was not delivered.
	Reason string `json:"reason,omitempty"`
}

// JournalEnd closes a run that ended normally or on an interrupt.
type JournalEnd struct {
	End    time.Time `json:"end"`
	Counts Counts    `json:"counts"`
}

// SyncEvery is how often the journal is fsynced while a run goes on.
const SyncEvery = 200 * time.Millisecond

// CreateJournal opens path for a run described by h: truncated for a new run, appended
// to when h.Resume is set.
func CreateJournal(path string, h JournalHeader) (*Journal, error) {
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if h.Resume {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, fmt.Errorf("pipeline: journal: %w", err)
	}
	h.Journal = 1
	b, _ := json.Marshal(h)
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return nil, fmt.Errorf("pipeline: journal: %w", err)
	}
	j := &Journal{f: f, path: path, stop: make(chan struct{}), stopped: make(chan struct{})}
	j.cond = sync.NewCond(&j.mu)
	go j.syncLoop()
	return j, nil
}

// Path returns the journal's file name.
func (j *Journal) Path() string { return j.path }

func (j *Journal) syncLoop() {
	defer close(j.stopped)
	t := time.NewTicker(SyncEvery)
	defer t.Stop()
	for {
		select {
		case <-j.stop:
			return
		case <-t.C:
			j.f.Sync()
		}
	}
}

// Record appends one line per result and returns once they are written (group commit).
func (j *Journal) Record(rs ...Result) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, r := range rs {
		j.buf = appendEntry(j.buf, r)
	}
	j.appended++
	mine := j.appended
	for j.written < mine && j.err == nil {
		if j.writing {
			j.cond.Wait()
			continue
		}
		j.writing = true
		b, upto := j.buf, j.appended
		j.buf = j.spare[:0]
		j.mu.Unlock()
		_, err := j.f.Write(b)
		j.mu.Lock()
		j.spare = b
		j.writing = false
		j.written = upto
		if err != nil && j.err == nil {
			j.err = fmt.Errorf("pipeline: journal: %w", err)
		}
		j.cond.Broadcast()
	}
	return j.err
}

// appendEntry writes a JournalEntry line by hand (it is on every event's path).
func appendEntry(b []byte, r Result) []byte {
	m := r.Message
	b = append(b, `{"input":`...)
	b = appendJSONString(b, m.Input)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(m.Line), 10)
	if m.EventID != "" {
		b = append(b, `,"event_id":`...)
		b = appendJSONString(b, m.EventID)
	}
	b = append(b, `,"outcome":"`...)
	b = append(b, r.Outcome...)
	b = append(b, '"')
	if r.Status != 0 {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(r.Status), 10)
	}
	if r.Attempts != 0 {
		b = append(b, `,"attempts":`...)
		b = strconv.AppendInt(b, int64(r.Attempts), 10)
	}
	if r.Outcome != Delivered && r.Reason != "" {
		b = append(b, `,"reason":`...)
		b = appendJSONString(b, r.Reason)
	}
	return append(b, "}\n"...)
}

// Close writes the run's end line with its counts, syncs and closes the file.
func (j *Journal) Close(c Counts) error {
	close(j.stop)
	<-j.stopped
	j.mu.Lock()
	defer j.mu.Unlock()
	b, _ := json.Marshal(JournalEnd{End: time.Now().UTC(), Counts: c})
	_, err := j.f.Write(append(b, '\n'))
	if err == nil {
		err = j.f.Sync()
	}
	if cerr := j.f.Close(); err == nil {
		err = cerr
	}
	if err != nil && j.err == nil {
		j.err = fmt.Errorf("pipeline: journal: %w", err)
	}
	return j.err
}

// JournalState is what a journal says about earlier runs, for resume.
type JournalState struct {
	// First is the header of the first run: the inputs to read again.
	First JournalHeader
	// Ended is true when the last run wrote its end line (it was not killed).
	Ended bool
	// InFlight is the last run's in-flight bound.
	InFlight int
	done     map[journalKey]bool
	maybe    map[journalKey]bool
}

type journalKey struct {
	input string
	line  int
}

// ReadJournal reads a journal for resume. A torn last line (a kill in mid-write) is
// ignored; any other unreadable line is an error naming it.
func ReadJournal(path string) (*JournalState, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pipeline: journal: %w", err)
	}
	defer f.Close()
	st := &JournalState{done: map[journalKey]bool{}, maybe: map[journalKey]bool{}}
	rd := bufio.NewReader(f)
	n := 0
	for {
		line, err := rd.ReadBytes('\n')
		if len(line) == 0 && errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("pipeline: journal: %w", err)
		}
		n++
		torn := line[len(line)-1] != '\n'
		var probe struct {
			Journal  int       `json:"journal"`
			End      time.Time `json:"end"`
			Outcome  Outcome   `json:"outcome"`
			Input    string    `json:"input"`
			Line     int       `json:"line"`
			Attempts int       `json:"attempts"`
		}
		if jerr := json.Unmarshal(line, &probe); jerr != nil {
			if torn {
				break
			}
			return nil, fmt.Errorf("pipeline: journal %s:%d: %v", path, n, jerr)
		}
		switch {
		case probe.Journal != 0:
			var h JournalHeader
			json.Unmarshal(line, &h)
			if n == 1 {
				st.First = h
			}
			st.Ended, st.InFlight = false, h.InFlight
		case !probe.End.IsZero():
			st.Ended = true
		case probe.Outcome != "":
			k := journalKey{probe.Input, probe.Line}
			switch probe.Outcome {
			case Delivered, Rejected:
				st.done[k] = true
				delete(st.maybe, k)
			case Cancelled:
				if probe.Attempts > 0 && !st.done[k] {
					st.maybe[k] = true
				}
			}
		}
		if n == 1 && probe.Journal == 0 {
			return nil, fmt.Errorf("pipeline: journal %s: the first line is not a journal header", path)
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("pipeline: journal %s: empty", path)
	}
	return st, nil
}

// Done reports whether the journal shows the event at input:line delivered or rejected.
func (s *JournalState) Done(input string, line int) bool { return s.done[journalKey{input, line}] }

// MaybeSent reports whether the event at input:line was cancelled after an attempt: it
// may have reached the endpoint.
func (s *JournalState) MaybeSent(input string, line int) bool {
	return s.maybe[journalKey{input, line}]
}

// DoneCount returns how many events the journal shows delivered or rejected.
func (s *JournalState) DoneCount() int { return len(s.done) }

// appendJSONString appends s as a JSON string: as it is when it has only printable ASCII
// that needs no escape (the usual file name or event id), through encoding/json otherwise.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s)
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

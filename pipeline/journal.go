package pipeline

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/ciosim/ciosim/aep"
)

// Journal is the delivery journal: an append-only JSONL file with one line per event
// outcome, written as it happens, so that an interrupted run (Ctrl-C, or kill -9) can be
// resumed with exactly the events it does not show as delivered or rejected.
//
// The first line of each run is a [JournalHeader]; then one [JournalEntry] per result;
// a run that ends normally or on an interrupt adds a [JournalEnd].
//
// Writes are group-committed. [Journal.Append] only adds a result's line to a buffer and
// hands back a [Ticket]; [Journal.Wait] returns once the line is written to the file
// (write(2): in the kernel's page cache, so a kill -9 of the process cannot lose it; not
// necessarily on the disk). [Deliver]'s worker waits on its previous result's ticket just
// before it sends its next event, so each worker has at most one event sent and not
// journaled at any moment, and a kill loses at most the concurrency's worth. The one write
// carries every line appended by then: those of all the workers that finished in the
// meantime (a waiting worker first yields once so that workers ready to run can add
// theirs). Lines are also written every SyncEvery, which then fsyncs the file, and at
// Close.
type Journal struct {
	f        *os.File
	path     string
	mu       sync.Mutex
	cond     *sync.Cond
	buf      []byte
	spare    []byte
	appended Ticket // the last ticket handed out
	written  Ticket // every ticket up to this one is in the file
	writing  bool
	err      error
	writes   uint64 // write(2) calls for entries, and the entries they carried
	entries  uint64
	stop     chan struct{}
	stopped  chan struct{}
}

// Ticket names the lines of one [Journal.Append] call, for [Journal.Wait]. The zero
// Ticket is always written.
type Ticket uint64

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
	InFlight int `json:"in_flight"`
	// Sending says the run journals each batch request before sending it (a
	// [JournalSending] line; batch mode), so a resume knows exactly which events may have
	// been in flight.
	Sending bool      `json:"sends_journaled,omitempty"`
	Started time.Time `json:"started"`
	Resume  bool      `json:"resume,omitempty"`
	// Generator, for generate --to, holds the options that make the generated stream
	// (Inputs is then ["generated"]): a resume must make the same events again.
	Generator string `json:"generator,omitempty"`
	// Append adds the run to the journal instead of replacing it (Resume implies it): a
	// restarted recorder keeps the lines of the run that crashed. It is not written.
	Append bool `json:"-"`
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

// JournalSending is written, and in the file, before a batch request is sent: the events
// it carries. Those with no outcome line after it may have reached the endpoint.
type JournalSending struct {
	Sending []JournalRef `json:"sending"`
}

// JournalRef names an event by its input and line.
type JournalRef struct {
	Input string `json:"input"`
	Line  int    `json:"line"`
}

// JournalEnd closes a run that ended normally or on an interrupt.
type JournalEnd struct {
	End    time.Time `json:"end"`
	Counts Counts    `json:"counts"`
}

// SyncEvery is how often the journal is fsynced while a run goes on. fsync protects
// against a power loss, not a killed process (written lines are in the page cache), and
// each one stalls the workers' appends for milliseconds on ext4: at 200 ms the stalls cost
// ~10 % of send's CPU, at 1 s ~2 % (issue 10's measurements), for at most one second of
// lines lost to a power cut (re-sent on resume: duplicates, never losses).
const SyncEvery = time.Second

// CreateJournal opens path for a run described by h: truncated for a new run, appended
// to when h.Resume or h.Append is set.
func CreateJournal(path string, h JournalHeader) (*Journal, error) {
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if h.Resume || h.Append {
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
			// Lines wait in memory only until their worker's next send; a worker with
			// nothing more to send would otherwise keep its last line here.
			if j.Wait(j.last()) == nil {
				j.f.Sync()
			}
		}
	}
}

func (j *Journal) last() Ticket {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.appended
}

// Record appends one line per result and returns once they are written:
// Wait(Append(rs...)).
func (j *Journal) Record(rs ...Result) error { return j.Wait(j.Append(rs...)) }

// Append adds one line per result to the journal's buffer and returns the ticket to
// [Journal.Wait] on before anything that must come after the lines are in the file.
// Append is safe for concurrent use.
func (j *Journal) Append(rs ...Result) Ticket {
	j.mu.Lock()
	for _, r := range rs {
		j.buf = appendEntry(j.buf, r)
	}
	j.entries += uint64(len(rs))
	j.appended++
	t := j.appended
	j.mu.Unlock()
	return t
}

// Wait returns once the lines of ticket t (and of every earlier ticket) are written to
// the file, with the first write error if any. When no write is under way, the caller
// writes everything appended so far in one write(2); before that it yields once, so
// workers that are ready to run can append their lines to the same write.
// Wait is safe for concurrent use.
func (j *Journal) Wait(t Ticket) error {
	j.mu.Lock()
	if j.written >= t || j.err != nil {
		err := j.err
		j.mu.Unlock()
		return err
	}
	if !j.writing {
		j.mu.Unlock()
		runtime.Gosched()
		j.mu.Lock()
	}
	for j.written < t && j.err == nil {
		if j.writing {
			j.cond.Wait()
			continue
		}
		j.writing = true
		b, upto := j.buf, j.appended
		j.buf = j.spare[:0]
		j.writes++
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
	err := j.err
	j.mu.Unlock()
	return err
}

// JournalStats counts a journal's entries and the write(2) calls that carried them.
type JournalStats struct {
	Entries, Writes uint64
}

// Stats returns how many entries were appended and how many writes carried them.
func (j *Journal) Stats() JournalStats {
	j.mu.Lock()
	defer j.mu.Unlock()
	return JournalStats{Entries: j.entries, Writes: j.writes}
}

// AppendSending adds a [JournalSending] line for the events of msgs and returns its ticket:
// waiting on it before the request is sent means a kill cannot leave those events sent
// without the journal saying they may have been.
func (j *Journal) AppendSending(msgs []aep.Message) Ticket {
	j.mu.Lock()
	j.buf = append(j.buf, `{"sending":[`...)
	for i, m := range msgs {
		if i > 0 {
			j.buf = append(j.buf, ',')
		}
		j.buf = append(j.buf, `{"input":`...)
		j.buf = appendJSONString(j.buf, m.Input)
		j.buf = append(j.buf, `,"line":`...)
		j.buf = strconv.AppendInt(j.buf, int64(m.Line), 10)
		j.buf = append(j.buf, '}')
	}
	j.buf = append(j.buf, "]}\n"...)
	j.appended++
	t := j.appended
	j.mu.Unlock()
	return t
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
	j.Wait(j.last())
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
	// Sending is true when the last run journaled each request before sending it: then
	// MaybeSent knows exactly which events may have been in flight at a kill, and InFlight
	// need not be assumed.
	Sending bool
	done    map[journalKey]bool
	maybe   map[journalKey]bool
	pending map[journalKey]bool // in a JournalSending line, with no outcome after it
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
	st := &JournalState{done: map[journalKey]bool{}, maybe: map[journalKey]bool{}, pending: map[journalKey]bool{}}
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
			Journal  int          `json:"journal"`
			End      time.Time    `json:"end"`
			Outcome  Outcome      `json:"outcome"`
			Input    string       `json:"input"`
			Line     int          `json:"line"`
			Attempts int          `json:"attempts"`
			Sending  []JournalRef `json:"sending"`
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
			st.Ended, st.InFlight, st.Sending = false, h.InFlight, h.Sending
		case !probe.End.IsZero():
			st.Ended = true
		case probe.Sending != nil:
			for _, r := range probe.Sending {
				if k := (journalKey{r.Input, r.Line}); !st.done[k] {
					st.pending[k] = true
				}
			}
		case probe.Outcome != "":
			k := journalKey{probe.Input, probe.Line}
			delete(st.pending, k)
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

// MaybeSent reports whether the event at input:line may have reached the endpoint: it was
// cancelled after an attempt, or it was in a request journaled as sending whose outcome the
// journal does not have (the run was killed while it was in flight).
func (s *JournalState) MaybeSent(input string, line int) bool {
	k := journalKey{input, line}
	return s.maybe[k] || s.pending[k]
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

package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
)

// Run is one delivery by a firing command (send, replay, generate --to, record --forward):
// the pipeline plus what every such command does around it — the first failure of each
// kind on stderr as it happens, the dead-letter file, the journal and resume, a progress
// line on a terminal, and the report.
type Run struct {
	Command string
	Client  *aep.Client
	// Emulator, when the endpoint is the embedded emulator, gives each delivered event its
	// verdict.
	Emulator *emulator.Server
	// DeadLetters is the dead-letter file (replaced; created only when something failed);
	// "" keeps none.
	DeadLetters string
	// Journal is the journal file; "" keeps none. Resume, when set, is the state read from
	// it: the run appends to it and skips what it shows delivered or rejected.
	Journal string
	Resume  *pipeline.JournalState
	// Dir and Inputs describe the inputs for the journal's header.
	Dir    string
	Inputs []string
	// Stderr gets the first failure of each kind and the progress line.
	Stderr io.Writer
	// Progress draws a progress line on Stderr (a terminal) with Total events expected
	// (0: unknown).
	Progress bool
	Total    int
	// Options are the pipeline options (schedule, rewrites, transform, OnResult, ...);
	// Tally, Journal, DeadLetters, Verdict and OnFirstFailure are set by Deliver.
	Options pipeline.Options
	// Report is the last Deliver's report.
	Report pipeline.Report
}

// Deliver runs the delivery and returns its report; err is the delivery's error (ctx's on
// an interrupt, after the report is complete) or a file's.
func (r *Run) Deliver(ctx context.Context, src pipeline.Source) (pipeline.Report, error) {
	o := r.Options
	tally := pipeline.NewTally(nil)
	o.Tally = tally
	if r.Emulator != nil {
		o.Verdict = func(x string) (pipeline.Verdict, bool) {
			v, ok := r.Emulator.Verdict(x)
			return pipeline.Verdict{Good: v.Good, Reasons: v.Reasons}, ok
		}
	}
	var errMu sync.Mutex
	o.OnFirstFailure = func(res pipeline.Result) {
		errMu.Lock()
		defer errMu.Unlock()
		clearLine(r)
		kind := pipeline.FailureKind(res)
		if res.Outcome == pipeline.Rejected {
			kind = "rejected"
		}
		fmt.Fprintf(r.Stderr, "ciosim: %s: %s %s: %s\n", r.Command, res.Message.Source, kind, res.Reason)
	}
	var dl *AtomicFile
	var self *deadInput // the dead-letter file when it is also an input (deadresend.go)
	if r.DeadLetters != "" {
		var err error
		self = newDeadInput(r.DeadLetters, r.Dir)
		if dl, err = CreateAtomic(r.DeadLetters, 0o600); err != nil {
			return pipeline.Report{}, err
		}
		defer dl.Abort()
		o.DeadLetters = r.Client.NewDeadLetterWriter(dl)
	}
	co := r.Client.Options()
	inFlight := co.Concurrency
	if co.Mode == aep.ModeBatch {
		inFlight *= co.BatchMaxMessages
	}
	refired, maybe := 0, 0
	if st := r.Resume; st != nil {
		o.Skip = func(rec recordings.Record) bool {
			if st.Done(rec.File, rec.Line) {
				return true
			}
			refired++
			if st.MaybeSent(rec.File, rec.Line) {
				maybe++
			}
			return false
		}
	}
	if r.Journal != "" {
		dir := r.Dir
		if dir == "" {
			dir, _ = os.Getwd()
		}
		j, err := pipeline.CreateJournal(r.Journal, pipeline.JournalHeader{Command: r.Command, Mode: string(co.Mode),
			Dir: dir, Inputs: r.Inputs, InFlight: inFlight, Started: time.Now().UTC(), Resume: r.Resume != nil})
		if err != nil {
			return pipeline.Report{}, err
		}
		o.Journal = j
	}
	if r.Progress {
		user := o.OnResult
		var last time.Time
		start := time.Now()
		o.OnResult = func(res pipeline.Result) {
			if user != nil {
				user(res)
			}
			if now := time.Now(); now.Sub(last) >= 100*time.Millisecond {
				last = now
				errMu.Lock()
				fmt.Fprintf(r.Stderr, "\r\x1b[K%s", ProgressLine(tally.Counts(), r.Total, now.Sub(start)))
				errMu.Unlock()
			}
		}
	}
	if self != nil {
		user := o.OnResult
		o.OnResult = func(res pipeline.Result) {
			self.observe(res)
			if user != nil {
				user(res)
			}
		}
	}
	err := pipeline.Deliver(ctx, src, r.Client, o)
	tally.Finish()
	clearLine(r)
	rep := tally.Report(r.Command, string(co.Mode), r.Emulator != nil)
	if o.Journal != nil {
		if jerr := o.Journal.Close(tally.Counts()); jerr != nil && err == nil {
			err = jerr
		}
		rep.JournalFile = r.Journal
	}
	if r.Resume != nil {
		rep.MaybeDuplicates = maybe
		if !r.Resume.Ended {
			rep.MaybeDuplicates += min(r.Resume.InFlight, refired-maybe)
		}
	}
	if o.DeadLetters != nil {
		if ferr := o.DeadLetters.Flush(); ferr != nil && err == nil {
			err = ferr
		}
		if self != nil && self.read() {
			// Re-sending the dead-letter file: it becomes what is still not delivered.
			if ferr := self.finish(dl, err, rep.Failed, r.Command, r.Stderr); ferr != nil && err == nil {
				err = ferr
			}
			if _, serr := os.Stat(r.DeadLetters); serr == nil && rep.Failed > 0 {
				rep.DeadLetterFile = r.DeadLetters
			}
		} else if rep.Failed > 0 {
			if cerr := dl.Commit(); cerr != nil && err == nil {
				err = cerr
			}
			rep.DeadLetterFile = r.DeadLetters
		}
	}
	r.Report = rep
	return rep, err
}

func clearLine(r *Run) {
	if r.Progress {
		fmt.Fprint(r.Stderr, "\r\x1b[K")
	}
}

// ProgressLine is the one progress line of a delivery (commands on a terminal; the TUI's
// status bar shows the same counts): a bar when the total is known, counts by outcome and
// the rate.
func ProgressLine(c pipeline.Counts, total int, elapsed time.Duration) string {
	rate := float64(c.Events) / max(elapsed.Seconds(), 1e-9)
	var b strings.Builder
	if total > 0 {
		const width = 30
		fill := min(width, c.Events*width/total)
		fmt.Fprintf(&b, "[%s%s] %d/%d  ", strings.Repeat("█", fill), strings.Repeat("░", width-fill), c.Events, total)
	} else {
		fmt.Fprintf(&b, "sent %d  ", c.Events)
	}
	fmt.Fprintf(&b, "%s  %.0f/s", c, rate)
	return b.String()
}

// DefaultJournal is the journal's default name, beside the dead-letter file:
// dead-letters.jsonl → dead-letters.journal.jsonl.
func DefaultJournal(deadLetters string) string {
	ext := filepath.Ext(deadLetters)
	return strings.TrimSuffix(deadLetters, ext) + ".journal.jsonl"
}

// ReadResume reads a journal to resume and returns its state and the inputs to read again.
// Standard input cannot be read again.
func ReadResume(path string) (*pipeline.JournalState, error) {
	st, err := pipeline.ReadJournal(path)
	if err != nil {
		return nil, err
	}
	for _, in := range st.First.Inputs {
		if in == "-" {
			return nil, errors.New("--resume: the journal's run read standard input, which cannot be read again; save the input to a file")
		}
	}
	if len(st.First.Inputs) == 0 {
		return nil, errors.New("--resume: the journal names no inputs (its run read standard input)")
	}
	return st, nil
}

package tui

import (
	"time"

	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/tui/eventlist"
	"github.com/ciosim/ciosim/tui/source"
)

// generatedMsg reports events made by generateEvent or generateScenario; handled by the
// root, which appends them (or replaces item replace when it is >= 0).
type generatedMsg struct {
	job     int
	label   string
	seed    int64
	replace int
	items   []eventlist.Item
	err     error
}

// sentMsg reports the outcome of sendPayloads; handled by the root, which updates the list,
// the send log, the dead letters and the running job. ids are list item ids.
type sentMsg struct {
	job     int
	mode    Mode
	ids     []int
	results []pipeline.Result
	err     error
	at      time.Time
	resend  bool
}

// filesListedMsg carries the initial listing of the watched folders, from listFiles.
type filesListedMsg struct {
	files []source.File
	err   error
}

// fileChangedMsg is one change from the watcher pump (waitForChange).
type fileChangedMsg struct{ change FileChange }

// watchStoppedMsg says the watcher's channel closed; the pump is not re-issued.
type watchStoppedMsg struct{}

// fileScannedMsg carries a watched file's records, from scanFile.
type fileScannedMsg struct {
	file  source.File
	items []eventlist.Item
}

// fileLoadedMsg carries a file's events for the list, from loadFile; replay starts a replay
// job on them.
type fileLoadedMsg struct {
	path   string
	items  []eventlist.Item
	errs   []string
	replay bool
	err    error
}

// replayTickMsg says it is time to send event index of replay job; tag drops ticks
// scheduled before a pause or speed change.
type replayTickMsg struct {
	job, tag, index int
}

// capturedMsg is one capture from the recorder pump (waitForCapture).
type capturedMsg struct {
	item eventlist.Item
	err  error
}

// capturesClosedMsg says the recorder's channel closed.
type capturesClosedMsg struct{}

// recorderMsg reports that the recorder started (addr set) or stopped.
type recorderMsg struct {
	started bool
	addr    string
	err     error
}

// deadLettersMsg carries dead letters listed from Deps.DeadLetters.
type deadLettersMsg struct {
	list []DeadLetter
	err  error
}

// copiedMsg reports a clipboard copy.
type copiedMsg struct {
	what string
	err  error
}

// savedMsg reports a fixture save.
type savedMsg struct {
	path string
	n    int
	err  error
}

// editedMsg reports an inline edit of item id.
type editedMsg struct {
	id       int
	items    []eventlist.Item
	problems []string
	err      error
}

// statusClearMsg clears the status message id when it is still the one shown.
type statusClearMsg struct{ id int }

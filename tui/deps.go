package tui

import (
	"context"
	"log/slog"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
)

// The interfaces below are the TUI's view of the domain packages (conventions §3.3:
// interfaces belong to the consumer). cmd adapts the real xdm, aep, recordings, pipeline and
// fixtures types to them; tests pass fakes.

// Mode is how events are fired at the endpoint.
type Mode string

// Fire modes.
const (
	// ModeRaw posts the Customer.io event exactly as Customer.io would.
	ModeRaw Mode = "raw"
	// ModeXDM maps each event to an XDM message and posts it alone.
	ModeXDM Mode = "xdm"
	// ModeBatch maps events to XDM messages and posts them in batches.
	ModeBatch Mode = "batch"
)

// Modes lists the fire modes in the order the mode key cycles through them.
func Modes() []Mode { return []Mode{ModeRaw, ModeXDM, ModeBatch} }

// EventGenerator makes one event of a pair; *generator.Generator satisfies it. It need not
// be safe for concurrent use: the TUI serialises calls.
type EventGenerator interface {
	Event(objectType, metric string) (customerio.Event, error)
}

// Problem is one validation problem of an XDM record. Path may be a JSON pointer
// ("/a/b/0") or a dotted path ("a.b[0]").
type Problem struct {
	Path string
	Msg  string
}

// Transformed is what a [Transformer] makes of one Customer.io event.
type Transformed struct {
	// Record is the XDM record the mapping set produces.
	Record []byte
	// Message is the full XDM streaming message (header and body) that xdm mode posts;
	// nil when the transformer does not build envelopes.
	Message []byte
	// Warnings are non-fatal notes from the mapping (unmapped fields, defaults used).
	Warnings []string
	// Problems are schema validation errors of Record.
	Problems []Problem
}

// Transformer maps a Customer.io event to XDM with a named mapping set. It must be safe for
// concurrent use: the inspector renders in commands that may overlap.
type Transformer interface {
	Transform(ctx context.Context, mappingSet string, event []byte) (Transformed, error)
}

// Payload is one event handed to a [Sender], identified by the TUI's id for it.
type Payload struct {
	ID    string
	Event []byte
}

// Sender fires payloads in a mode, transforming them with mappingSet in the XDM modes. It
// returns the delivery engine's result for each payload, results[i] for payloads[i], with
// its outcome set; the error is for a failure that affects the whole call (payloads left
// without a result then count as failed). It must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, mode Mode, mappingSet string, payloads []Payload) ([]pipeline.Result, error)
}

// Endpoint is one target the user can switch to.
type Endpoint struct {
	// Label is what the status bar shows: "emulator 127.0.0.1:4318" or a URL with its
	// credentials already masked.
	Label  string
	Sender Sender
}

// Scenario describes a built-in scenario.
type Scenario struct {
	Name, Description string
}

// Scenarios generates whole scenarios (lifecycles with shared ids).
type Scenarios interface {
	List() []Scenario
	Generate(ctx context.Context, name string, seed int64) ([]customerio.Event, error)
}

// ScenarioFiles reads scenario files (YAML or JSON) found in watched folders; a Scenarios
// implementation may also implement it, and Generate then takes such a file's path as name.
type ScenarioFiles interface {
	// Describe parses the scenario file at path and returns its description, or why it
	// does not parse (with the line when known).
	Describe(path string) (string, error)
}

// Recorder is the capturing receiver. Start and Stop are called from commands; Captures is
// read by a pump, one capture per message, and stays open across Start and Stop.
type Recorder interface {
	Start(ctx context.Context) (addr string, err error)
	Stop(ctx context.Context) error
	Captures() <-chan recordings.Capture
}

// FileChange reports that a file in a watched folder appeared, grew or was removed.
type FileChange struct {
	Path    string
	Removed bool
}

// Reloader re-reads the watched mapping-set and schema files (the user saved one). Reload
// compiles them and, when they compile, puts them in force for the [Transformer] and returns
// nil; otherwise the last good ones stay in force and the error says why, with the file,
// mapping index, line and column when known. It is called in a command.
type Reloader interface {
	Reload(ctx context.Context) error
}

// DeadLetter is a payload the sender gave up on.
type DeadLetter struct {
	ID       string
	Mode     Mode
	Event    []byte
	Status   int
	Body     string
	Attempts int
}

// DeadLetters lists dead letters kept outside the session (the sender's dead-letter file).
type DeadLetters interface {
	List(ctx context.Context) ([]DeadLetter, error)
}

// Clipboard copies text, for example with OSC52 on the terminal.
type Clipboard interface {
	Copy(ctx context.Context, text string) error
}

// RecordSource reads the records of one recording or event file the way every command reads
// its inputs: tolerantly (a line it cannot read comes back as a *recordings.LineError and
// reading goes on) up to io.EOF. Close ends it early.
type RecordSource interface {
	Next(ctx context.Context) (recordings.Record, error)
	Close()
}

// OpenRecords opens a file for reading its records; it does no I/O before the first Next.
type OpenRecords func(path string) RecordSource

// Deps are the TUI's collaborators. Generator and at least one endpoint are needed to
// generate and fire; every other field may be nil, which disables the actions that use it
// and says so in the status bar.
type Deps struct {
	// NewGenerator returns a generator for seed. It is called inside commands.
	NewGenerator func(seed int64) EventGenerator
	Transformer  Transformer
	// Endpoints are the targets; the first is used at start.
	Endpoints []Endpoint
	Scenarios Scenarios
	Recorder  Recorder
	Changes   <-chan FileChange
	// MappingChanges reports saves of the watched mapping-set and schema files, which
	// Reloader then reloads; both nil when nothing is watched.
	MappingChanges <-chan FileChange
	Reloader       Reloader
	DeadLetters    DeadLetters
	Clipboard      Clipboard
	// Dataflows lists the dataflows the picker (D) switches between; nil disables it.
	Dataflows Dataflows
	// OpenRecords reads the files of the watched folders and the files the user loads or
	// replays; nil leaves them unread (their rows say so).
	OpenRecords OpenRecords
	// Segments counts the recording objects under a bucket URL listed in WatchDirs, for its
	// row in the source pane; nil leaves the count out.
	Segments SegmentCounter
	// Now is the clock: send answers are stamped with it and replay is paced on it (a
	// pipeline.Schedule, the one `ciosim replay` uses); nil means the wall clock.
	Now    func() time.Time
	Logger *slog.Logger
}

// Options are the user's settings. The zero value works.
type Options struct {
	Seed int64
	// Mode is the initial fire mode; "" means raw.
	Mode Mode
	// MappingSets are the mapping set names the user can switch between; MappingSet is the
	// one used at start (the first when empty).
	MappingSets []string
	MappingSet  string
	// WatchDirs are the fixture and recording folders listed in the source pane. Their
	// changes arrive on Deps.Changes. A bucket URL among them is listed once, as one row
	// (its segments merged in received_at order), and is not watched.
	WatchDirs []string
	// SaveDir is where "save as fixture" proposes to write; "" means the current directory.
	SaveDir string
	// ConfirmAbove asks before firing more than this many events at once; 0 means 100.
	ConfirmAbove int
	// Concurrency is how many sends are in flight when firing many; 0 means 4.
	Concurrency int
	// BatchSize is the number of events per request in batch mode; 0 means 50.
	BatchSize int
	// Speeds are the replay speeds the speed keys step through (0 = as fast as possible);
	// nil means 1, 2, 5, 10, 100, max. ReplaySpeed is the initial one (1 when 0).
	Speeds      []float64
	ReplaySpeed float64
	// Info is shown in the status bar before any other message (for example "embedded
	// emulator started on 127.0.0.1:4318").
	Info string
	// Dataflow is the dataflow in force at start (Key and Name), marked in the picker; the
	// zero value for none.
	Dataflow Dataflow
	// ControlPlane is the base URL of the embedded emulator's control plane, where `ciosim
	// aep setup` creates flows the picker then lists ("" = none).
	ControlPlane string
}

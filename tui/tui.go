// Package tui is ciosim's terminal UI: a Bubble Tea v1 root model that lays out five panes
// (source, event list, inspector, send log, status bar), routes keys and messages between
// them and runs every action as a tea.Cmd. It owns no I/O of its own: generation, transforms,
// sends, file reads, the watcher, the recorder and the clipboard all arrive through the small
// interfaces in [Deps], which cmd wires to the real packages and tests replace with fakes.
// Update and View never touch the clock, the disk, the network or a random source.
package tui

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strconv"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/tui/detail"
	"github.com/ciosim/ciosim/tui/eventlist"
	"github.com/ciosim/ciosim/tui/inspector"
	"github.com/ciosim/ciosim/tui/sendlog"
	"github.com/ciosim/ciosim/tui/source"
)

type pane int

const (
	paneSource pane = iota
	paneList
	paneInspector
	paneLog
	paneCount
)

var paneNames = [...]string{"Source", "Events", "Inspector", "Send log"}

type modal int

const (
	modalNone modal = iota
	modalHelp
	modalConfirm
	modalPrompt
	modalDead
	modalDetail
	modalFlows
)

type promptKind int

const (
	promptEditField promptKind = iota
	promptEditValue
	promptSave
)

// job is the long operation in progress (fire all, replay, scenario): one at a time, with
// a progress bar and cancellation.
type job struct {
	id     int
	kind   string
	total  int
	done   int
	failed int
	// ctx is the job's own context, cancelled by the cancel key; kept here because commands
	// take no parameters (conventions §4.1.10).
	ctx    context.Context
	cancel context.CancelFunc
	// fire: ids still to send and requests in flight.
	queue    []int
	inflight int
	// replay: the events, their capture times, the schedule and the offsets placed on it,
	// the next index, pause state and tick tag.
	ids     []int
	times   []time.Time
	sched   *pipeline.Schedule
	offsets []time.Duration
	next    int
	paused  bool
	tag     int
	waiting bool // the next tick waits for an answer (back-pressure)
}

// Model is the root model. It lays out the panes, keeps focus, routes messages and runs the
// actions; each pane owns its own state and keys.
type Model struct {
	// ctx is the program's context. Storing a context is a deliberate exception for a
	// Bubble Tea root model: commands take no parameters, so they capture it from here
	// (conventions §4.1.10).
	ctx  context.Context
	deps Deps
	opts Options
	log  *slog.Logger
	now  func() time.Time
	// after schedules a message; tea.Tick, replaced in model tests.
	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd

	keys   KeyMap
	styles Styles
	help   help.Model
	bar    progress.Model

	source source.Model
	list   eventlist.Model
	insp   inspector.Model
	log_   sendlog.Model

	focus         pane
	width, height int
	ready         bool
	lay           layout

	seed     int64
	gen      *genBox
	mode     Mode
	mappings []string
	mapping  int
	// startMapping is the mapping set at start, which the picker's built-in entry restores.
	startMapping string
	// endpoints are the targets in force: Deps.Endpoints, or a chosen dataflow's inlets.
	endpoints []Endpoint
	endpoint  int
	// flows is the dataflow picker (dataflows.go).
	flows     flowPicker
	speeds    []float64
	speed     int
	scenarios []source.Scenario

	job    *job
	nextID int

	modal   modal
	confirm func(Model) (Model, tea.Cmd)
	ask     string
	input   textinput.Model
	pkind   promptKind
	pfield  string
	pitem   int
	// pfresh: the edit prompt still shows the field's current value untouched, as if
	// selected; the first character typed replaces it, an arrow key starts editing it.
	pfresh bool

	dead       []DeadLetter
	deadCursor int
	// delivered holds the payloads re-sent successfully from the dead-letter list.
	delivered map[string]bool

	// detail is the enter view of an event, a send-log entry or a dead letter; detailBack
	// the overlay it returns to.
	detail     detail.Model
	detailKind detailKind
	detailID   int
	detailSend sendlog.Entry
	detailDead DeadLetter
	detailBack modal

	// checking says a check command is running; checkMapping is the mapping set the
	// list's problems were checked under (check.go).
	checking     bool
	checkMapping string

	// live is the live mapping loop: reloads of the watched mapping set (live.go).
	live liveState

	recording bool
	recAddr   string
	pumping   bool
	captured  int
	watching  bool
	loaded    map[string]int

	statusText string
	statusErr  bool
	statusID   int

	// counts are the session's send outcomes, as the commands' reports count them.
	counts pipeline.Counts
	err    error
}

// New returns the root model. It does no I/O: the watched folders are listed and the pumps
// started by the commands Init returns.
func New(ctx context.Context, deps Deps, opts Options) Model {
	if ctx == nil {
		ctx = context.Background()
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := deps.Now
	if now == nil {
		now = time.Now // a function value: only commands call it
	}
	mode := opts.Mode
	if mode == "" {
		mode = ModeRaw
	}
	mappings := opts.MappingSets
	if len(mappings) == 0 {
		mappings = []string{"default"}
	}
	mi := 0
	for i, name := range mappings {
		if name == opts.MappingSet {
			mi = i
		}
	}
	if opts.MappingSet != "" && mappings[mi] != opts.MappingSet {
		mappings = append([]string{opts.MappingSet}, mappings...)
	}
	speeds := opts.Speeds
	if len(speeds) == 0 {
		speeds = []float64{1, 2, 5, 10, 100, 0}
	}
	si := 0
	for i, s := range speeds {
		if s == opts.ReplaySpeed || (opts.ReplaySpeed == 0 && s == 1) {
			si = i
			break
		}
	}
	var scen []source.Scenario
	if deps.Scenarios != nil {
		for _, s := range deps.Scenarios.List() {
			scen = append(scen, source.Scenario{Name: s.Name, Description: s.Description})
		}
	}
	var tf inspector.TransformFunc
	if deps.Transformer != nil {
		t := deps.Transformer
		tf = func(ctx context.Context, mapping string, ev []byte) (inspector.Result, error) {
			r, err := t.Transform(ctx, mapping, ev)
			out := inspector.Result{Record: r.Record, Message: r.Message, Warnings: r.Warnings}
			for _, p := range r.Problems {
				out.Problems = append(out.Problems, inspector.Problem{Path: p.Path, Msg: p.Msg})
			}
			return out, err
		}
	}
	in := textinput.New()
	in.CharLimit = 4096
	// A steady cursor: blinking would be a tick per key press for nothing.
	in.Cursor.SetMode(cursor.CursorStatic)
	h := help.New()
	m := Model{
		ctx: ctx, deps: deps, opts: opts, log: log, now: now, after: tea.Tick,
		keys: DefaultKeyMap(), styles: DefaultStyles(), help: h,
		bar:    progress.New(progress.WithoutPercentage(), progress.WithWidth(20), progress.WithSolidFill("6")),
		source: source.New(scen, opts.WatchDirs), list: eventlist.New(),
		insp: inspector.New(ctx, tf, mappings[mi]), log_: sendlog.New(), detail: detail.New(),
		seed: opts.Seed, mode: mode, mappings: mappings, mapping: mi, speeds: speeds, speed: si,
		startMapping: mappings[mi], endpoints: deps.Endpoints, flows: flowPicker{keys: DefaultFlowKeyMap(), started: true, inUse: opts.Dataflow.Key, name: opts.Dataflow.Name},
		scenarios: scen, input: in, loaded: map[string]int{}, delivered: map[string]bool{},
		gen: &genBox{make: deps.NewGenerator},
	}
	// The picker's key is shown and live only when dataflows are wired.
	m.keys.Dataflow.SetEnabled(deps.Dataflows != nil)
	m.focus = paneSource
	m.source.Focus()
	m.statusText = opts.Info
	return m
}

// Init lists the watched folders and starts the watcher pump.
func (m Model) Init() tea.Cmd {
	var cmds []tea.Cmd
	if len(m.opts.WatchDirs) > 0 {
		cmds = append(cmds, listFiles(m.ctx, m.deps.OpenRecords, m.deps.Segments, m.opts.WatchDirs))
		if sf, ok := m.deps.Scenarios.(ScenarioFiles); ok {
			// Listing a folder is I/O: done in a command, like listFiles.
			dirs := m.opts.WatchDirs
			cmds = append(cmds, func() tea.Msg {
				if c := listScenarioFiles(sf, dirs); c != nil {
					return c()
				}
				return nil
			})
		}
	}
	if m.deps.Changes != nil {
		cmds = append(cmds, waitForChange(m.deps.Changes))
	}
	if m.deps.MappingChanges != nil {
		cmds = append(cmds, waitForMappingChange(m.deps.MappingChanges))
	}
	return tea.Batch(cmds...)
}

// Err returns the fatal error that ended the program, if any.
func (m Model) Err() error { return m.err }

// Events returns the list's events passing the filter (for tests and callers after Run).
func (m Model) Events() []eventlist.Item { return m.list.Items() }

// SendLog returns the send log entries, oldest first.
func (m Model) SendLog() []sendlog.Entry { return m.log_.Entries() }

// Inspector returns the inspector's current rendering and whether it is ready.
func (m Model) Inspector() (inspector.Rendered, bool) { return m.insp.Current(), m.insp.Ready() }

// Status returns the status bar's transient message.
func (m Model) Status() string { return m.statusText }

// Files returns the watched files the source pane lists.
func (m Model) Files() []source.File { return m.source.Files() }

// Seed returns the seed in use.
func (m Model) Seed() int64 { return m.seed }

// Mode returns the fire mode.
func (m Model) Mode() Mode { return m.mode }

// Busy reports whether a long job is running.
func (m Model) Busy() bool { return m.job != nil }

// DeadLetters returns the dead letters of the session.
func (m Model) DeadLetters() []DeadLetter { return m.dead }

// Recording reports whether the recorder runs and how many captures arrived.
func (m Model) Recording() (on bool, captured int) { return m.recording, m.captured }

func (m Model) endpointLabel() string {
	if len(m.endpoints) == 0 {
		return "no endpoint"
	}
	return m.endpoints[m.endpoint].Label
}

func (m Model) sender() Sender {
	if len(m.endpoints) == 0 {
		return nil
	}
	return m.endpoints[m.endpoint].Sender
}

// Dataflow returns the name of the dataflow in force ("" for what the session started
// with) and the endpoint label fires go to.
func (m Model) Dataflow() (name, endpoint string) { return m.flows.name, m.endpointLabel() }

// MappingSet returns the mapping set in force.
func (m Model) MappingSet() string { return m.mappingName() }

func (m Model) mappingName() string { return m.mappings[m.mapping] }

func (m Model) speedLabel() string {
	if s := m.speeds[m.speed]; s > 0 {
		return strconv.FormatFloat(s, 'f', -1, 64) + "×"
	}
	return "max"
}

// setStatus shows a transient message and schedules its removal.
func (m *Model) setStatus(isErr bool, format string, a ...any) tea.Cmd {
	m.statusID++
	m.statusText = fmt.Sprintf(format, a...)
	m.statusErr = isErr
	id := m.statusID
	d := 6 * time.Second
	if isErr {
		d = 12 * time.Second
	}
	return m.after(d, func(time.Time) tea.Msg { return statusClearMsg{id: id} })
}

func (m *Model) setFocus(p pane) {
	m.source.Blur()
	m.list.Blur()
	m.insp.Blur()
	m.log_.Blur()
	m.focus = p
	switch p {
	case paneSource:
		m.source.Focus()
	case paneList:
		m.list.Focus()
	case paneInspector:
		m.insp.Focus()
	case paneLog:
		m.log_.Focus()
	}
}

// Update routes a message. See keys.go for the key map.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	tm, cmd := m.update(msg)
	nm := tm.(Model)
	cmd2 := nm.afterUpdate(msg)
	return nm, tea.Batch(cmd, cmd2)
}

func (m Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case tea.KeyMsg:
		return m.handleKey(msg)
	case source.ActivatedMsg:
		return m.activate(msg.Selection)
	case inspector.RenderedMsg:
		m.insp, _ = m.insp.Update(msg)
		return m, nil
	case statusClearMsg:
		if msg.id == m.statusID {
			m.statusText = ""
			m.statusErr = false
		}
		return m, nil
	case generatedMsg:
		return m.onGenerated(msg)
	case sentMsg:
		return m.onSent(msg)
	case filesListedMsg:
		for _, f := range msg.files {
			m.source.SetFile(f)
		}
		if msg.err != nil {
			return m, m.setStatus(true, "watch: %v", msg.err)
		}
		return m, nil
	case fileChangedMsg:
		next := waitForChange(m.deps.Changes)
		if msg.change.Removed {
			m.source.RemoveFile(msg.change.Path)
			m.source.RemoveScenarioFile(msg.change.Path)
			delete(m.loaded, msg.change.Path)
			return m, next
		}
		if sf, ok := m.deps.Scenarios.(ScenarioFiles); ok && isScenarioFile(msg.change.Path) {
			if msg.change.Removed {
				m.source.RemoveScenarioFile(msg.change.Path)
				return m, next
			}
			return m, tea.Batch(next, describeScenario(sf, msg.change.Path))
		}
		if !isEventFile(msg.change.Path) {
			return m, next
		}
		return m, tea.Batch(next, scanFile(m.ctx, m.deps.OpenRecords, msg.change.Path))
	case watchStoppedMsg:
		m.watching = false
		return m, nil
	case fileScannedMsg:
		m.source.SetFile(msg.file)
		// Lines appended to a file already loaded into the list appear there too.
		if n, ok := m.loaded[msg.file.Path]; ok && len(msg.items) > n {
			m.list.Append(msg.items[n:]...)
			m.loaded[msg.file.Path] = len(msg.items)
			return m, m.showSelected()
		}
		return m, nil
	case fileLoadedMsg:
		return m.onFileLoaded(msg)
	case replayTickMsg:
		return m.onReplayTick(msg)
	case capturedMsg:
		next := waitForCapture(m.deps.Recorder.Captures())
		if msg.err != nil {
			return m, tea.Batch(next, m.setStatus(true, "%v", msg.err))
		}
		m.captured++
		m.list.Append(msg.item)
		return m, tea.Batch(next, m.showSelected())
	case capturesClosedMsg:
		m.pumping = false
		m.recording = false
		return m, nil
	case recorderMsg:
		return m.onRecorder(msg)
	case deadLettersMsg:
		if msg.err != nil {
			return m, m.setStatus(true, "dead letters: %v", msg.err)
		}
		var fresh []DeadLetter
		for _, d := range msg.list {
			// The file is append-only: what was re-sent fine this session is still in it.
			if !m.delivered[string(d.Event)] {
				fresh = append(fresh, d)
			}
		}
		m.dead = mergeDead(m.dead, fresh)
		return m, nil
	case copiedMsg:
		if msg.err != nil {
			return m, m.setStatus(true, "copy: %v", msg.err)
		}
		return m, m.setStatus(false, "copied %s to the clipboard", msg.what)
	case savedMsg:
		if msg.err != nil {
			return m, m.setStatus(true, "%v", msg.err)
		}
		cmd := m.setStatus(false, "saved %d events to %s", msg.n, msg.path)
		for _, d := range m.opts.WatchDirs {
			if filepath.Clean(filepath.Dir(msg.path)) == filepath.Clean(d) {
				// Show it at once, whether or not a watcher reports it.
				return m, tea.Batch(cmd, scanFile(m.ctx, m.deps.OpenRecords, msg.path))
			}
		}
		return m, cmd
	case editedMsg:
		return m.onEdited(msg)
	case checkedMsg:
		return m.onChecked(msg)
	case scenarioFileMsg:
		m.source.SetScenarioFile(msg.file)
		return m, nil
	case mappingChangedMsg:
		return m.onMappingChanged(msg)
	case mappingWatchStoppedMsg:
		return m, nil
	case reloadedMsg:
		return m.onReloaded(msg)
	case flowsListedMsg:
		return m.onFlowsListed(msg)
	case flowUsedMsg:
		return m.onFlowUsed(msg)
	}
	return m, nil
}

func (m *Model) resize(w, h int) {
	m.width, m.height, m.ready = w, h, true
	m.lay = computeLayout(w, h)
	m.source.SetSize(m.lay.source.innerW(), m.lay.source.innerH())
	m.list.SetSize(m.lay.list.innerW(), m.lay.list.innerH())
	m.insp.SetSize(m.lay.insp.innerW(), m.lay.insp.innerH())
	m.log_.SetSize(m.lay.log.innerW(), m.lay.log.innerH())
	m.detail.SetSize(max(w-frameSize, 0), max(m.lay.mainH-frameSize, 0))
	m.help.Width = w
}

func (m Model) handleKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	// Bubble Tea v1 delivers runes read together (a held key, tmux send-keys) as one
	// message; outside text inputs each rune is its own command, so split them.
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && m.modal != modalPrompt && !m.list.Filtering() {
		var tm tea.Model = m
		var cmds []tea.Cmd
		for _, r := range msg.Runes {
			var cmd tea.Cmd
			tm, cmd = tm.(Model).handleKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt})
			cmds = append(cmds, cmd)
		}
		return tm, tea.Batch(cmds...)
	}
	if msg.Type == tea.KeyCtrlC {
		// Ctrl-C always quits, also mid-send or in a prompt; Bubble Tea restores the
		// terminal and Run returns tea.ErrInterrupted, which cmd turns into exit code 130.
		m.cancelJob()
		return m, tea.Interrupt
	}
	switch m.modal {
	case modalHelp:
		m.modal = modalNone
		return m, nil
	case modalConfirm:
		switch {
		case key.Matches(msg, m.keys.Confirm):
			m.modal = modalNone
			f := m.confirm
			m.confirm = nil
			return f(m)
		case key.Matches(msg, m.keys.Deny):
			m.modal = modalNone
			m.confirm = nil
			return m, m.setStatus(false, "cancelled")
		}
		return m, nil
	case modalPrompt:
		return m.promptKey(msg)
	case modalDead:
		return m.deadKey(msg)
	case modalDetail:
		return m.detailKey(msg)
	case modalFlows:
		return m.flowsKey(msg)
	}
	if m.list.Filtering() {
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(msg)
		return m, tea.Batch(cmd, m.showSelected())
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		m.cancelJob()
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.modal = modalHelp
		return m, nil
	case key.Matches(msg, k.NextPane):
		m.setFocus((m.focus + 1) % paneCount)
		return m, nil
	case key.Matches(msg, k.PrevPane):
		m.setFocus((m.focus + paneCount - 1) % paneCount)
		return m, nil
	case key.Matches(msg, k.Filter):
		m.setFocus(paneList)
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(msg)
		return m, cmd
	case key.Matches(msg, k.Generate):
		return m.activate(m.source.Selected())
	case key.Matches(msg, k.Regenerate):
		return m.regenerate()
	case key.Matches(msg, k.Edit):
		return m.startEdit()
	case m.flows.busy && (key.Matches(msg, k.Fire) || key.Matches(msg, k.FireAll) || key.Matches(msg, k.Replay) ||
		key.Matches(msg, k.Endpoint) || key.Matches(msg, k.Mapping) || key.Matches(msg, k.Dataflow)):
		// What is fired goes to the dataflow just chosen, never to the one it replaces.
		return m, m.setStatus(true, "the dataflow is still loading: try again in a moment")
	case key.Matches(msg, k.Fire):
		return m.fireSelected()
	case key.Matches(msg, k.FireAll):
		return m.fireAllVisible()
	case m.job != nil && (key.Matches(msg, k.Mode) || key.Matches(msg, k.Mapping) || key.Matches(msg, k.Endpoint) || key.Matches(msg, k.Dataflow)):
		// A running job keeps the target it started with: results stay attributable.
		return m, m.setStatus(true, "%s running: x cancels it before switching", m.job.kind)
	case key.Matches(msg, k.Mode):
		modes := Modes()
		for i, md := range modes {
			if md == m.mode {
				m.mode = modes[(i+1)%len(modes)]
				break
			}
		}
		return m, m.setStatus(false, "mode %s", m.mode)
	case key.Matches(msg, k.Mapping):
		m.mapping = (m.mapping + 1) % len(m.mappings)
		cmd := m.insp.SetMapping(m.mappingName())
		return m, tea.Batch(cmd, m.setStatus(false, "mapping set %s", m.mappingName()))
	case key.Matches(msg, k.Dataflow):
		return m.openFlows()
	case key.Matches(msg, k.Endpoint):
		if len(m.endpoints) < 2 {
			return m, m.setStatus(false, "only one endpoint configured (%s)", m.endpointLabel())
		}
		m.endpoint = (m.endpoint + 1) % len(m.endpoints)
		return m, m.setStatus(false, "endpoint %s", m.endpointLabel())
	case key.Matches(msg, k.Envelope):
		cmd := m.insp.ToggleEnvelope()
		return m, cmd
	case key.Matches(msg, k.Replay):
		return m.startReplay()
	case key.Matches(msg, k.Pause):
		return m.togglePause()
	case key.Matches(msg, k.Faster):
		m.speed = min(m.speed+1, len(m.speeds)-1)
		return m, tea.Batch(m.respeed(), m.setStatus(false, "replay speed %s", m.speedLabel()))
	case key.Matches(msg, k.Slower):
		m.speed = max(m.speed-1, 0)
		return m, tea.Batch(m.respeed(), m.setStatus(false, "replay speed %s", m.speedLabel()))
	case key.Matches(msg, k.Cancel):
		if m.job == nil {
			return m, nil
		}
		j := m.job
		m.cancelJob()
		return m, m.setStatus(false, "cancelled %s at %d/%d", j.kind, j.done, j.total)
	case key.Matches(msg, k.Record):
		return m.toggleRecord()
	case key.Matches(msg, k.DeadLetters):
		m.modal = modalDead
		m.deadCursor = 0
		if m.deps.DeadLetters != nil {
			return m, listDeadLetters(m.ctx, m.deps.DeadLetters)
		}
		return m, nil
	case key.Matches(msg, k.CopyCIO), key.Matches(msg, k.CopyXDM):
		return m.copyPayload(key.Matches(msg, k.CopyXDM))
	case key.Matches(msg, k.Open) && m.focus != paneSource:
		return m.openDetail()
	case key.Matches(msg, k.Save):
		if m.list.VisibleLen() == 0 {
			return m, m.setStatus(true, "nothing to save: the list is empty")
		}
		name := fmt.Sprintf("ciosim-seed%d.jsonl", m.seed)
		m.openPrompt(promptSave, "save visible events as fixture JSONL: ", filepath.Join(m.opts.SaveDir, name))
		return m, nil
	}
	return m.updateFocused(msg)
}

// updateFocused forwards a key to the focused pane and refreshes the inspector when the
// selection moved.
func (m Model) updateFocused(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch m.focus {
	case paneSource:
		m.source, cmd = m.source.Update(msg)
	case paneList:
		m.list, cmd = m.list.Update(msg)
		return m, tea.Batch(cmd, m.showSelected())
	case paneInspector:
		m.insp, cmd = m.insp.Update(msg)
	case paneLog:
		m.log_, cmd = m.log_.Update(msg)
	}
	return m, cmd
}

// showSelected points the inspector at the selected event (rendering it in a command).
func (m *Model) showSelected() tea.Cmd {
	it, ok := m.list.Selected()
	if !ok {
		m.insp.Clear()
		return nil
	}
	m.insp.SetDiff(m.diffFor(it.ID))
	return m.insp.Show(it.Event.Bytes())
}

func (m Model) activate(sel source.Selection) (tea.Model, tea.Cmd) {
	switch sel.Kind {
	case source.KindObjectType:
		m.source.Expand(sel.ObjectType)
		if m.deps.NewGenerator == nil {
			return m, m.setStatus(true, "no generator wired")
		}
		return m, generateType(m.gen, m.seed, sel.ObjectType)
	case source.KindPair:
		if m.deps.NewGenerator == nil {
			return m, m.setStatus(true, "no generator wired")
		}
		return m, generateEvent(m.gen, m.seed, sel.ObjectType, sel.Metric, -1)
	case source.KindScenario:
		if m.deps.Scenarios == nil {
			return m, m.setStatus(true, "scenarios not wired")
		}
		if m.job != nil {
			return m, m.setStatus(true, "%s running: x cancels it", m.job.kind)
		}
		j := m.newJob("scenario " + sel.Scenario)
		return m, generateScenario(j.ctx, m.deps.Scenarios, j.id, sel.Scenario, m.seed)
	case source.KindFile:
		return m, loadFile(m.ctx, m.deps.OpenRecords, sel.Path, false)
	}
	return m, m.setStatus(false, "select a pair, scenario or file in the source pane")
}

func (m *Model) newJob(kind string) *job {
	m.nextID++
	ctx, cancel := context.WithCancel(m.ctx)
	m.job = &job{id: m.nextID, kind: kind, ctx: ctx, cancel: cancel}
	return m.job
}

func (m *Model) cancelJob() {
	if m.job != nil {
		m.job.cancel()
		m.job = nil
	}
}

func (m *Model) finishJob() tea.Cmd {
	j := m.job
	m.job.cancel()
	m.job = nil
	return m.setStatus(j.failed > 0, "%s done: %d sent, %d failed", j.kind, j.done-j.failed, j.failed)
}

func (m Model) onGenerated(msg generatedMsg) (tea.Model, tea.Cmd) {
	if msg.job != 0 {
		if m.job == nil || m.job.id != msg.job {
			return m, nil // cancelled scenario
		}
		m.job.cancel()
		m.job = nil
	}
	if msg.err != nil {
		return m, m.setStatus(true, "generate %s: %v", msg.label, msg.err)
	}
	if msg.replace >= 0 && len(msg.items) == 1 {
		m.list.Replace(msg.replace, msg.items[0].Event)
		return m, tea.Batch(m.showSelected(), m.setStatus(false, "regenerated %s with seed %d", msg.label, msg.seed))
	}
	m.list.Append(msg.items...)
	var cmd tea.Cmd
	if len(msg.items) == 1 {
		cmd = m.setStatus(false, "generated %s", msg.label)
	} else {
		cmd = m.setStatus(false, "%s: %d events", msg.label, len(msg.items))
	}
	return m, tea.Batch(m.showSelected(), cmd)
}

func (m Model) regenerate() (tea.Model, tea.Cmd) {
	it, ok := m.list.Selected()
	if !ok {
		return m, m.setStatus(true, "no event selected")
	}
	if m.deps.NewGenerator == nil {
		return m, m.setStatus(true, "no generator wired")
	}
	m.seed++
	return m, generateEvent(m.gen, m.seed, it.Event.ObjectType, it.Event.Metric, it.ID)
}

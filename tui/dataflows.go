package tui

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/ciosim/ciosim/tui/cell"
)

// Dataflow is one dataflow the picker lists: a directory written by `ciosim aep pull` or
// `aep setup --out`, or a flow of the embedded emulator's control plane.
type Dataflow struct {
	// Key identifies it to [Dataflows.Use]: the directory, or "emulator:" and the flow id.
	Key    string
	Name   string
	FlowID string
	// Origin says where it comes from, for the picker: "dir flows/a" or "emulator".
	Origin string
	// Inlet is its inlet URL, credentials masked.
	Inlet          string
	MappingVersion int
	// Problem is why it cannot be used (a directory that does not read), "" when it can.
	Problem string
}

// DataflowInUse is what choosing a dataflow puts in force: the transformer's name for its
// mapping set (compiled with its schema, so the inspector and the list check with them) and
// the endpoints that fire at its inlet, the first used at once (E cycles through them).
type DataflowInUse struct {
	Dataflow   Dataflow
	MappingSet string
	Endpoints  []Endpoint
}

// Dataflows lists the dataflows the TUI knows and puts one in force. Both are called in
// commands: List reads directories and asks the emulator's Flow Service; Use compiles the
// flow's mapping set and schema and builds senders for its inlet.
type Dataflows interface {
	List(ctx context.Context) ([]Dataflow, error)
	Use(ctx context.Context, key string) (DataflowInUse, error)
}

// builtinFlowKey is the picker's first row: back to what the session started with.
const builtinFlowKey = ""

// FlowKeyMap are the dataflow picker's keys.
type FlowKeyMap struct {
	Up, Down, Use, Refresh, Close key.Binding
}

// DefaultFlowKeyMap returns the picker's keys.
func DefaultFlowKeyMap() FlowKeyMap {
	return FlowKeyMap{
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Use:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "use")),
		Refresh: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Close:   key.NewBinding(key.WithKeys("esc", "D", "q"), key.WithHelp("esc", "close")),
	}
}

// ShortHelp implements help.KeyMap: the help line while the picker is open.
func (k FlowKeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Use, k.Close, k.Up, k.Down, k.Refresh}
}

// FullHelp implements help.KeyMap.
func (k FlowKeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// flowPicker is the dataflow picker's state in the root model.
type flowPicker struct {
	keys    FlowKeyMap
	flows   []Dataflow // as last listed; row 0 of the view is the built-in entry
	cursor  int        // over the rows: 0 built-in, i+1 flows[i]
	listing bool
	err     error
	// started says the session's start configuration is in force (the picker's first row,
	// and Options.Dataflow when set); else inUse is the key of the dataflow in force.
	// using is the key a Use command runs for.
	started      bool
	inUse, using string
	busy         bool
	// name is the dataflow in force's name, for the status bar.
	name string
	// gen is bumped on every switch, so an answer to an older Use is dropped.
	gen int
}

// flowsListedMsg carries the picker's list, from listDataflows.
type flowsListedMsg struct {
	flows []Dataflow
	err   error
}

// flowUsedMsg carries what choosing a dataflow put in force, from useDataflow.
type flowUsedMsg struct {
	gen int
	key string
	in  DataflowInUse
	err error
}

// listDataflows lists the dataflows in a command.
func listDataflows(ctx context.Context, d Dataflows) tea.Cmd {
	return func() tea.Msg {
		fs, err := d.List(ctx)
		return flowsListedMsg{flows: fs, err: err}
	}
}

// useDataflow puts a dataflow in force in a command.
func useDataflow(ctx context.Context, d Dataflows, gen int, key string) tea.Cmd {
	return func() tea.Msg {
		in, err := d.Use(ctx, key)
		return flowUsedMsg{gen: gen, key: key, in: in, err: err}
	}
}

// openFlows opens the picker and lists the dataflows afresh (a flow may have been created
// through the emulator's control plane meanwhile).
func (m Model) openFlows() (tea.Model, tea.Cmd) {
	if m.deps.Dataflows == nil {
		return m, m.setStatus(true, "no dataflows: start with --dataflow DIR (a directory from 'ciosim aep pull', or a folder of them)")
	}
	m.modal = modalFlows
	m.flows.listing = true
	return m, listDataflows(m.ctx, m.deps.Dataflows)
}

// flowsKey handles a key while the picker is open.
func (m Model) flowsKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.flows.keys
	rows := len(m.flows.flows) + 1
	switch {
	case key.Matches(msg, k.Close):
		m.modal = modalNone
	case key.Matches(msg, k.Up):
		m.flows.cursor = max(m.flows.cursor-1, 0)
	case key.Matches(msg, k.Down):
		m.flows.cursor = min(m.flows.cursor+1, rows-1)
	case msg.String() == "home":
		m.flows.cursor = 0
	case msg.String() == "end":
		m.flows.cursor = rows - 1
	case key.Matches(msg, k.Refresh):
		m.flows.listing = true
		return m, listDataflows(m.ctx, m.deps.Dataflows)
	case key.Matches(msg, k.Use):
		if m.job != nil {
			return m, m.setStatus(true, "%s running: x cancels it before switching", m.job.kind)
		}
		if m.flows.cursor == 0 {
			m.modal = modalNone
			return m.useBuiltin()
		}
		f := m.flows.flows[m.flows.cursor-1]
		if f.Problem != "" {
			return m, m.setStatus(true, "dataflow %s: %s", f.Name, f.Problem)
		}
		m.modal = modalNone
		m.flows.gen++
		m.flows.busy, m.flows.using = true, f.Key
		return m, tea.Batch(useDataflow(m.ctx, m.deps.Dataflows, m.flows.gen, f.Key),
			m.setStatus(false, "loading dataflow %s…", f.Name))
	}
	return m, nil
}

// useBuiltin goes back to the endpoints and mapping set the session started with.
func (m Model) useBuiltin() (tea.Model, tea.Cmd) {
	m.flows.gen++
	m.flows.busy = false
	m.flows.started, m.flows.inUse, m.flows.name = true, m.opts.Dataflow.Key, m.opts.Dataflow.Name
	m.endpoints, m.endpoint = m.deps.Endpoints, 0
	for i, n := range m.mappings {
		if n == m.startMapping {
			m.mapping = i
		}
	}
	cmd := m.insp.SetMapping(m.mappingName())
	return m, tea.Batch(cmd, m.setStatus(false, "back to the start: %s, mapping set %s", m.endpointLabel(), m.mappingName()))
}

// onFlowsListed shows the picker's list.
func (m Model) onFlowsListed(msg flowsListedMsg) (tea.Model, tea.Cmd) {
	m.flows.listing = false
	m.flows.err = msg.err
	if msg.err != nil {
		return m, m.setStatus(true, "dataflows: %v", msg.err)
	}
	m.flows.flows = msg.flows
	m.flows.cursor = min(m.flows.cursor, len(msg.flows))
	return m, nil
}

// onFlowUsed puts a chosen dataflow in force: its mapping set (with its schema) for the
// inspector, the list's checks and the XDM modes, and its inlet for every fire.
func (m Model) onFlowUsed(msg flowUsedMsg) (tea.Model, tea.Cmd) {
	if msg.gen != m.flows.gen {
		return m, nil // a later choice replaced it
	}
	m.flows.busy = false
	if msg.err != nil {
		return m, m.setStatus(true, "dataflow: %v", msg.err)
	}
	if m.job != nil {
		return m, m.setStatus(true, "%s running: dataflow not switched", m.job.kind)
	}
	in := msg.in
	if len(in.Endpoints) == 0 || in.MappingSet == "" {
		return m, m.setStatus(true, "dataflow %s: no inlet or mapping set", in.Dataflow.Name)
	}
	m.flows.started, m.flows.inUse, m.flows.name = false, msg.key, in.Dataflow.Name
	m.endpoints, m.endpoint = in.Endpoints, 0
	found := false
	for i, n := range m.mappings {
		if n == in.MappingSet {
			m.mapping, found = i, true
		}
	}
	if !found {
		m.mappings = append(m.mappings, in.MappingSet)
		m.mapping = len(m.mappings) - 1
	}
	// Compiled afresh: what the list shows is checked again even under the same name.
	m.list.RecheckAll()
	m.checkMapping = m.mappingName()
	cmd := m.insp.SetMapping(m.mappingName())
	return m, tea.Batch(cmd, m.showSelected(), m.setStatus(false, "dataflow %s: firing at %s", in.Dataflow.Name, m.endpointLabel()))
}

// flowsView is the picker: the start entry, then every dataflow by name and origin (the one
// in force marked ●), and under the list the cursor row's flow id, inlet and mapping
// version, or why it cannot be used, on lines of their own so that they show whole on a
// narrow terminal.
func (m Model) flowsView(w, h int) string {
	p := m.flows
	mark := func(key string) string {
		if (p.started && (key == builtinFlowKey || key == m.opts.Dataflow.Key)) || (!p.started && key == p.inUse) {
			return "●"
		}
		if p.busy && key == p.using {
			return "…"
		}
		return " "
	}
	rows := make([]string, 0, len(p.flows)+1)
	rows = append(rows, mark(builtinFlowKey)+" as started")
	for _, f := range p.flows {
		s := fmt.Sprintf("%s %s · %s", mark(f.Key), f.Name, f.Origin)
		if f.Problem != "" {
			s += " · ✗ cannot be used"
		}
		rows = append(rows, s)
	}
	var details []string
	if p.cursor == 0 {
		details = []string{"endpoint " + m.startLabel(), "mapping  " + m.startMapping}
		if u := m.opts.ControlPlane; u != "" {
			details = append(details, "control  "+u+" ('ciosim aep setup' with AEP_PLATFORM_URL and AEP_IMS_URL set to it makes flows here; r lists them)")
		}
	} else if f := p.flows[p.cursor-1]; f.Problem != "" {
		details = []string{"✗ " + f.Problem}
	} else {
		details = []string{"flow     " + f.FlowID, "inlet    " + f.Inlet, fmt.Sprintf("mapping  version %d", f.MappingVersion)}
	}
	var head []string
	switch {
	case p.listing && len(p.flows) == 0:
		head = []string{"listing dataflows…"}
	case len(p.flows) == 0:
		head = []string{"no dataflows found (--dataflow DIR, or 'ciosim aep setup' against the embedded emulator)"}
	}
	// The details take their lines only when the list keeps at least three.
	room := h - len(head)
	if room-len(details)-1 >= 3 {
		room -= len(details) + 1
	} else {
		details = nil
	}
	out := make([]string, 0, h)
	for _, l := range head {
		out = append(out, cell.Fit(l, w))
	}
	start := max(p.cursor-room+1, 0)
	for i := start; i < len(rows) && i-start < room; i++ {
		cur := " "
		if i == p.cursor {
			cur = ">"
		}
		out = append(out, cell.Fit(cur+rows[i], w))
	}
	if len(details) > 0 {
		for len(out) < h-len(details) {
			out = append(out, "")
		}
		for _, d := range details {
			out = append(out, cell.Fit("  "+d, w))
		}
	}
	return strings.Join(out, "\n")
}

// startLabel describes the start entry: the endpoint used at start.
func (m Model) startLabel() string {
	if len(m.deps.Endpoints) > 0 {
		return m.deps.Endpoints[0].Label
	}
	return "no endpoint"
}

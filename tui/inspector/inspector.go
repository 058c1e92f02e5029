// Package inspector is the TUI pane that shows the selected event's Customer.io JSON beside
// the XDM payload its mapping set produces (stacked when the pane is narrow), highlighted,
// scrollable, with validation problems marked on the lines they concern. The transform and
// the highlighting run in a command and the result is cached by content, mapping set and
// envelope toggle, so View only slices cached lines.
package inspector

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/tui/jsonview"
	"github.com/ciosim/ciosim/xdm/xdmdiff"

	"github.com/ciosim/ciosim/tui/cell"
)

// Problem is a validation problem shown on the XDM side.
type Problem struct{ Path, Msg string }

// String is "path: reason", or the reason alone for a problem of the whole document.
func (p Problem) String() string {
	if p.Path == "" {
		return p.Msg
	}
	return p.Path + ": " + p.Msg
}

// Result is what a [TransformFunc] returns.
type Result struct {
	Record, Message []byte
	Warnings        []string
	Problems        []Problem
}

// TransformFunc maps Customer.io event bytes to XDM with a mapping set. It is called in a
// command; nil means no transformer is wired and the XDM side says so.
type TransformFunc func(ctx context.Context, mappingSet string, event []byte) (Result, error)

// Key identifies a rendering: content hash, mapping set, envelope toggle and the version
// of the mapping set (reloads of a watched file).
type Key struct {
	Hash     uint64
	Mapping  string
	Envelope bool
	Version  int
}

// Diff is what the last reload of the mapping set changed in the shown event's XDM record.
type Diff struct {
	// Version is the reload it belongs to (0: none).
	Version int
	// Old is the record before the reload, nil when it did not change; the render
	// command compares it with the new one.
	Old []byte
	// Fields are the added, removed and changed fields of the record, filled in by the
	// render command.
	Fields []xdmdiff.Change
	// Became is "valid" or "invalid" when the record's verdict flipped.
	Became string
}

// Rendered is a cached rendering.
type Rendered struct {
	CIO, XDM           []string // highlighted lines, problem lines appended on the XDM side
	CIOPlain, XDMPlain string   // pretty JSON without styles, for copying
	CIOMarks, XDMMarks []bool
	// CIOWrap and XDMWrap say, per line, whether it is prose (a problem's reason, an error,
	// a warning) that View wraps to the column instead of cutting, and in which style.
	CIOWrap, XDMWrap []Wrap
	CIOProblems      int
	XDMProblems      int
	// CIOProblemList and XDMProblemList are the problems themselves, for the detail view
	// and the event list.
	CIOProblemList, XDMProblemList []Problem
	Warnings                       []string
	Err                            error
	// Diff is the reload's changes the rendering marks: added fields "+" and changed
	// ones "~" in the gutter of their lines, removed ones listed under the record.
	Diff Diff
}

// Wrap is how View treats a line that is wider than its column.
type Wrap uint8

// Line treatments.
const (
	// NoWrap lines (JSON) are cut at the edge and scroll sideways.
	NoWrap Wrap = iota
	// WrapProblem and WrapDim lines are wrapped, each piece in the problem or dim style.
	WrapProblem
	WrapDim
)

// RenderedMsg carries a rendering back from the command; the root model routes it here.
type RenderedMsg struct {
	Key      Key
	Rendered Rendered
}

// KeyMap are the inspector's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Left, Right                             key.Binding
	Envelope                                key.Binding
}

// DefaultKeyMap returns the inspector's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "top, left edge")),
		Bottom:   key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "bottom")),
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "scroll left")),
		Right:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "scroll right")),
		Envelope: key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "envelope on/off")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Down, k.Envelope} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.Left, k.Right, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Envelope}}
}

// Styles are the inspector's styles.
type Styles struct {
	Title, Mark, Problem, Dim lipgloss.Style
	// Added, Changed and Removed mark what the last reload of the mapping set changed.
	Added, Changed, Removed lipgloss.Style
	JSON                    jsonview.Styles
}

// DefaultStyles returns the default styles.
func DefaultStyles() Styles {
	return Styles{
		Title:   lipgloss.NewStyle().Bold(true),
		Mark:    lipgloss.NewStyle().Foreground(lipgloss.Color("1")).Bold(true),
		Problem: lipgloss.NewStyle().Foreground(lipgloss.Color("1")),
		Dim:     lipgloss.NewStyle().Faint(true),
		Added:   lipgloss.NewStyle().Foreground(lipgloss.Color("2")).Bold(true),
		Changed: lipgloss.NewStyle().Foreground(lipgloss.Color("3")).Bold(true),
		Removed: lipgloss.NewStyle().Foreground(lipgloss.Color("3")),
		JSON:    jsonview.DefaultStyles(),
	}
}

// Model is the inspector.
type Model struct {
	KeyMap KeyMap
	Styles Styles

	// ctx is the program's context, kept so render commands can pass it to the
	// transformer (Cmds take no parameters; conventions §4.1.10).
	ctx       context.Context
	transform TransformFunc
	cache     map[Key]Rendered

	cur      []byte
	has      bool
	key      Key
	mapping  string
	envelope bool
	version  int
	diff     Diff
	rendered Rendered
	ready    bool
	// shown is the rendering laid out for the current width (prose wrapped); View and the
	// scroll arithmetic use it.
	shown   shown
	scroll  int
	hscroll int // columns scrolled right
	width   int
	height  int
	focused bool
}

// shown is a rendering laid out for a width: prose lines wrapped, flagged so that
// horizontal scrolling leaves them alone.
type shown struct {
	cio, xdm   []string
	cm, xm     []bool
	cioP, xdmP []bool // prose: not scrolled sideways
	width      int
	cioW, xdmW int // widest JSON line
}

// New returns an inspector that transforms with fn (nil: none wired) and mapping set mapping.
func New(ctx context.Context, fn TransformFunc, mapping string) Model {
	return Model{KeyMap: DefaultKeyMap(), Styles: DefaultStyles(), ctx: ctx, transform: fn,
		cache: map[Key]Rendered{}, mapping: mapping}
}

// SetSize sets the pane's inner size.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h; m.layout(); m.clampScroll() }

// Focus focuses the pane.
func (m *Model) Focus() { m.focused = true }

// Blur unfocuses the pane.
func (m *Model) Blur() { m.focused = false }

// Focused reports whether the pane has focus.
func (m Model) Focused() bool { return m.focused }

// Envelope reports whether the XDM side shows the full streaming message.
func (m Model) Envelope() bool { return m.envelope }

// Mapping returns the mapping set in use.
func (m Model) Mapping() string { return m.mapping }

// Ready reports whether the current event's rendering has arrived.
func (m Model) Ready() bool { return m.ready }

// Current returns the rendering on screen.
func (m Model) Current() Rendered { return m.rendered }

// Show displays event bytes, rendering them in a command unless cached.
func (m *Model) Show(event []byte) tea.Cmd {
	if m.has && string(event) == string(m.cur) {
		return nil
	}
	m.cur, m.has, m.scroll, m.hscroll = event, true, 0, 0
	return m.refresh()
}

// Clear empties the pane.
func (m *Model) Clear() { m.cur, m.has, m.ready = nil, false, false; m.layout() }

// SetMapping switches the mapping set and re-renders.
func (m *Model) SetMapping(name string) tea.Cmd { m.mapping = name; return m.refresh() }

// SetVersion says the mapping set was reloaded (version counts reloads): renderings made
// before are dropped and the current event is rendered again.
func (m *Model) SetVersion(v int) tea.Cmd {
	if v == m.version {
		return nil
	}
	m.version = v
	m.cache = map[Key]Rendered{}
	return m.refresh()
}

// SetDiff sets the changes of the last reload for the event about to be shown; call it
// before [Model.Show].
func (m *Model) SetDiff(d Diff) { m.diff = d }

// ToggleEnvelope switches between the XDM record and the full message, and re-renders.
func (m *Model) ToggleEnvelope() tea.Cmd { m.envelope = !m.envelope; return m.refresh() }

func (m *Model) refresh() tea.Cmd {
	if !m.has {
		return nil
	}
	h := fnv.New64a()
	_, _ = h.Write(m.cur)
	m.key = Key{Hash: h.Sum64(), Mapping: m.mapping, Envelope: m.envelope, Version: m.version}
	if r, ok := m.cache[m.key]; ok {
		m.rendered, m.ready = r, true
		m.layout()
		m.clampScroll()
		return nil
	}
	m.ready = false
	return render(m.ctx, m.transform, m.Styles, m.key, m.cur, m.diff)
}

// render transforms and highlights event in a command; handled by Update as RenderedMsg.
func render(ctx context.Context, fn TransformFunc, st Styles, k Key, event []byte, d Diff) tea.Cmd {
	return func() tea.Msg {
		r := Render(ctx, fn, st, k, event)
		if d.Version == k.Version && d.Version > 0 && !k.Envelope {
			r = withDiff(r, d, st)
		}
		return RenderedMsg{Key: k, Rendered: r}
	}
}

// withDiff marks the reload's changes in a rendering: "+" or "~" in place of the first
// indentation space of an added or changed field's line, and the removed fields listed
// under the record.
func withDiff(r Rendered, d Diff, st Styles) Rendered {
	if d.Old != nil && r.XDMPlain != "" {
		d.Fields, _ = xdmdiff.Fields(d.Old, []byte(r.XDMPlain))
	}
	r.Diff = d
	doc, err := jsonview.Parse([]byte(r.XDMPlain))
	if err != nil {
		return r
	}
	var ptrs []string
	var tags []string
	var removed []string
	for _, c := range d.Fields {
		switch c.Kind {
		case xdmdiff.Removed:
			removed = append(removed, c.String())
		case xdmdiff.Added:
			ptrs, tags = append(ptrs, c.Pointer), append(tags, st.Added.Render("+"))
		default:
			ptrs, tags = append(ptrs, c.Pointer), append(tags, st.Changed.Render("~"))
		}
	}
	// The rendering's lines are the document's lines with problem reasons inserted after
	// some; map document lines to rendering lines by skipping the inserted prose.
	at := doc.LinesOf(ptrs)
	row := make([]int, 0, len(doc.Lines))
	for i := range r.XDM {
		if i < len(r.XDMWrap) && r.XDMWrap[i] != NoWrap {
			continue
		}
		row = append(row, i)
	}
	xdm := append([]string(nil), r.XDM...)
	for i, line := range at {
		if line < 0 || line >= len(row) {
			continue
		}
		l := xdm[row[line]]
		if strings.HasPrefix(l, " ") {
			xdm[row[line]] = tags[i] + l[1:]
		}
	}
	wraps := append([]Wrap(nil), r.XDMWrap...)
	marks := append([]bool(nil), r.XDMMarks...)
	for _, s := range removed {
		xdm = append(xdm, st.Removed.Render("- "+s))
		wraps, marks = append(wraps, WrapDim), append(marks, false)
	}
	r.XDM, r.XDMWrap, r.XDMMarks = xdm, wraps, marks
	return r
}

// Render does the work of the render command: exported for benchmarks and tests.
func Render(ctx context.Context, fn TransformFunc, st Styles, k Key, event []byte) Rendered {
	return render1(ctx, fn, st, k, event)
}

func render1(ctx context.Context, fn TransformFunc, st Styles, k Key, event []byte) Rendered {
	var r Rendered
	if doc, err := jsonview.Parse(event); err != nil {
		r.CIO = []string{st.Problem.Render("not JSON: " + err.Error())}
		r.CIOWrap = []Wrap{WrapProblem}
		r.CIOPlain = string(event)
	} else {
		var ptrs []string
		var probs []customerio.Problem
		if ev, err := customerio.Parse(event); err == nil {
			var ve *customerio.ValidationError
			if errors.As(ev.Validate(), &ve) {
				probs = ve.Problems
			}
		}
		for _, p := range probs {
			ptrs = append(ptrs, jsonview.Pointer(p.Path))
		}
		r.CIOProblems = len(probs)
		for _, p := range probs {
			r.CIOProblemList = append(r.CIOProblemList, Problem{Path: p.Path, Msg: p.Msg})
		}
		r.CIOPlain = doc.Plain()
		r.CIO, r.CIOMarks, r.CIOWrap = withReasons(doc, doc.Render(st.JSON), doc.LinesOf(ptrs), r.CIOProblemList, st)
	}
	if fn == nil {
		r.XDM = []string{st.Dim.Render("no transformer wired: XDM preview unavailable")}
		r.XDMWrap = []Wrap{WrapDim}
		return r
	}
	res, err := fn(ctx, k.Mapping, event)
	if err != nil {
		r.Err = err
		r.XDM = []string{st.Problem.Render("! transform failed: " + err.Error())}
		r.XDMWrap = []Wrap{WrapProblem}
		return r
	}
	body := res.Record
	if k.Envelope && len(res.Message) > 0 {
		body = res.Message
	}
	doc, err := jsonview.Parse(body)
	if err != nil {
		r.Err = fmt.Errorf("inspector: XDM output: %w", err)
		r.XDM = []string{st.Problem.Render("! XDM output is not JSON: " + err.Error())}
		r.XDMWrap = []Wrap{WrapProblem}
		return r
	}
	ptrs := make([]string, len(res.Problems))
	for i, p := range res.Problems {
		ptrs[i] = jsonview.Pointer(p.Path)
		if k.Envelope && len(res.Message) > 0 {
			ptrs[i] = "" // paths refer to the record; mark the message root instead
		}
	}
	r.XDMPlain = doc.Plain()
	r.XDM, r.XDMMarks, r.XDMWrap = withReasons(doc, doc.Render(st.JSON), doc.LinesOf(ptrs), res.Problems, st)
	r.XDMProblems = len(res.Problems)
	r.XDMProblemList = res.Problems
	r.Warnings = res.Warnings
	for _, w := range res.Warnings {
		r.XDM = append(r.XDM, st.Dim.Render("~ "+w))
		r.XDMWrap = append(r.XDMWrap, WrapDim)
	}
	return r
}

// withReasons puts each problem's reason on its own line right under the line it concerns
// (a missing field's under its nearest parent), indented to that line, and marks the line.
func withReasons(doc jsonview.Doc, lines []string, at []int, probs []Problem, st Styles) ([]string, []bool, []Wrap) {
	reasons := make(map[int][]string, len(probs))
	for i, p := range probs {
		line := 0
		if i < len(at) && at[i] >= 0 {
			line = at[i]
		}
		reasons[line] = append(reasons[line], p.String())
	}
	out := make([]string, 0, len(lines)+len(probs))
	marks := make([]bool, 0, len(lines)+len(probs))
	wraps := make([]Wrap, 0, len(lines)+len(probs))
	for i, l := range lines {
		out = append(out, l)
		rs := reasons[i]
		marks = append(marks, len(rs) > 0)
		wraps = append(wraps, NoWrap)
		depth := 0
		if i < len(doc.Lines) {
			depth = doc.Lines[i].Depth
		}
		for _, r := range rs {
			out = append(out, st.Problem.Render(strings.Repeat("  ", depth+1)+"↳ ✗ "+r))
			marks = append(marks, false)
			wraps = append(wraps, WrapProblem)
		}
	}
	if len(lines) == 0 {
		for _, ps := range reasons {
			for _, r := range ps {
				out = append(out, st.Problem.Render("↳ ✗ "+r))
				marks = append(marks, false)
				wraps = append(wraps, WrapProblem)
			}
		}
	}
	return out, marks, wraps
}

// Update handles RenderedMsg and, when focused, the scroll keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case RenderedMsg:
		if len(m.cache) > 1024 {
			m.cache = map[Key]Rendered{}
		}
		m.cache[msg.Key] = msg.Rendered
		if msg.Key == m.key {
			m.rendered, m.ready = msg.Rendered, true
			m.layout()
			m.clampScroll()
		}
		return m, nil
	case tea.KeyMsg:
		if !m.focused {
			return m, nil
		}
		page := max(m.bodyHeight()-1, 1)
		switch {
		case key.Matches(msg, m.KeyMap.Up):
			m.scroll--
		case key.Matches(msg, m.KeyMap.Down):
			m.scroll++
		case key.Matches(msg, m.KeyMap.PageUp):
			m.scroll -= page
		case key.Matches(msg, m.KeyMap.PageDown):
			m.scroll += page
		case key.Matches(msg, m.KeyMap.Top):
			m.scroll, m.hscroll = 0, 0
		case key.Matches(msg, m.KeyMap.Bottom):
			m.scroll = max(len(m.shown.cio), len(m.shown.xdm))
		case key.Matches(msg, m.KeyMap.Left):
			m.hscroll -= hstep
		case key.Matches(msg, m.KeyMap.Right):
			m.hscroll += hstep
		case key.Matches(msg, m.KeyMap.Envelope):
			return m, m.ToggleEnvelope()
		}
		m.clampScroll()
	}
	return m, nil
}

func (m Model) sideBySide() bool { return m.width >= 2*36+1 }

func (m Model) bodyHeight() int {
	if m.sideBySide() || m.height < 4 {
		return max(m.height-1, 0)
	}
	return max((m.height-2)/2, 1)
}

// layout lays the rendering out for the current width: JSON lines as they are, prose
// (reasons, errors, warnings) wrapped to the column with its indentation kept.
func (m *Model) layout() {
	r := m.rendered
	w := max(m.textWidth(), 1)
	m.shown = shown{width: w}
	m.shown.cio, m.shown.cm, m.shown.cioP, m.shown.cioW = wrapProse(r.CIO, r.CIOMarks, r.CIOWrap, w, m.Styles)
	m.shown.xdm, m.shown.xm, m.shown.xdmP, m.shown.xdmW = wrapProse(r.XDM, r.XDMMarks, r.XDMWrap, w, m.Styles)
}

func wrapProse(lines []string, marks []bool, wraps []Wrap, w int, st Styles) (out []string, outMarks, prose []bool, widest int) {
	out = make([]string, 0, len(lines))
	outMarks = make([]bool, 0, len(lines))
	prose = make([]bool, 0, len(lines))
	for i, l := range lines {
		kind := NoWrap
		if i < len(wraps) {
			kind = wraps[i]
		}
		mark := i < len(marks) && marks[i]
		lw := ansi.StringWidth(l)
		if kind == NoWrap || lw <= w {
			out, outMarks, prose = append(out, l), append(outMarks, mark), append(prose, kind != NoWrap)
			if kind == NoWrap {
				widest = max(widest, lw)
			}
			continue
		}
		style := st.Problem
		if kind == WrapDim {
			style = st.Dim
		}
		text := ansi.Strip(l)
		body := strings.TrimLeft(text, " ")
		indent := strings.Repeat(" ", len(text)-len(body))
		hang := indent + "    " // continuation lines hang under the text after "↳ ✗ "
		if len(hang) > w/2 {
			indent, hang = "", "  "
		}
		first := true
		for _, piece := range strings.Split(ansi.Wrap(body, max(w-len(hang), 1), ""), "\n") {
			lead := hang
			if first {
				lead = indent
			}
			out = append(out, style.Render(lead+piece))
			outMarks, prose = append(outMarks, mark && first), append(prose, true)
			first = false
		}
	}
	return out, outMarks, prose, widest
}

// hstep is how far one left or right key press scrolls.
const hstep = 8

// textWidth is the width a document's text gets in its column (the gutter takes one cell).
func (m Model) textWidth() int {
	if m.sideBySide() {
		return (m.width-1)/2 - 1
	}
	return m.width - 1
}

func (m *Model) clampScroll() {
	n := max(len(m.shown.cio), len(m.shown.xdm))
	m.scroll = min(max(m.scroll, 0), max(n-m.bodyHeight(), 0))
	widest := max(m.shown.cioW, m.shown.xdmW)
	m.hscroll = min(max(m.hscroll, 0), max(widest-m.textWidth()+1, 0))
}

// View renders the pane at exactly its size.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	cioTitle := "Customer.io JSON"
	if m.rendered.CIOProblems > 0 && m.ready {
		cioTitle += fmt.Sprintf(" ✗ %d", m.rendered.CIOProblems)
	}
	xdmTitle := "XDM record"
	if m.envelope {
		xdmTitle = "XDM message"
	}
	xdmTitle += " · " + m.mapping
	if m.ready && m.rendered.Err == nil && len(m.rendered.XDMPlain) > 0 {
		if m.rendered.XDMProblems > 0 {
			xdmTitle += fmt.Sprintf(" ✗ %d problems", m.rendered.XDMProblems)
		} else {
			xdmTitle += " ✓ valid"
		}
		if d := m.rendered.Diff; d.Became == "valid" {
			xdmTitle += " (was invalid)"
		} else if d.Became == "invalid" {
			xdmTitle += " (was valid)"
		}
		if d := m.rendered.Diff; len(d.Fields) > 0 {
			var add, chg, rem int
			for _, c := range d.Fields {
				switch c.Kind {
				case xdmdiff.Added:
					add++
				case xdmdiff.Removed:
					rem++
				default:
					chg++
				}
			}
			xdmTitle += fmt.Sprintf(" · reload %d: +%d ~%d -%d", d.Version, add, chg, rem)
		}
	}
	if m.ready && max(m.shown.cioW, m.shown.xdmW) > m.textWidth() {
		// Lines are cut at the edge: say where the rest is.
		hint := " →l"
		if m.hscroll > 0 {
			hint = fmt.Sprintf(" h← +%d →l", m.hscroll)
		}
		cioTitle += hint
	}
	var cio, xdm []string
	var cm, xm, cp, xp []bool
	switch {
	case !m.has:
		cio = []string{m.Styles.Dim.Render("select an event")}
	case !m.ready:
		cio = []string{m.Styles.Dim.Render("rendering…")}
	default:
		sh := m.shown
		cio, xdm, cm, xm, cp, xp = sh.cio, sh.xdm, sh.cm, sh.xm, sh.cioP, sh.xdmP
	}
	if m.sideBySide() {
		lw := (m.width - 1) / 2
		rw := m.width - 1 - lw
		h := m.bodyHeight()
		left := m.column(cioTitle, cio, cm, cp, lw, h)
		right := m.column(xdmTitle, xdm, xm, xp, rw, h)
		out := make([]string, len(left))
		for i := range left {
			out[i] = left[i] + "│" + right[i]
		}
		return strings.Join(out, "\n")
	}
	if m.height < 4 {
		// No room for two titled halves: the Customer.io side alone.
		return strings.Join(m.column(cioTitle, cio, cm, cp, m.width, m.height-1), "\n")
	}
	h := m.bodyHeight()
	top := m.column(cioTitle, cio, cm, cp, m.width, h)
	bottom := m.column(xdmTitle, xdm, xm, xp, m.width, m.height-2-h)
	return strings.Join(append(top, bottom...), "\n")
}

// column renders a title and h body lines from the scroll offset, each exactly w cells.
func (m Model) column(title string, lines []string, marks, prose []bool, w, h int) []string {
	h = max(h, 0)
	out := make([]string, 0, h+1)
	out = append(out, m.Styles.Title.Render(cell.Fit(title, w)))
	for i := m.scroll; i < m.scroll+h; i++ {
		if i >= len(lines) || w < 2 {
			out = append(out, cell.Fit("", w))
			continue
		}
		gutter := " "
		if i < len(marks) && marks[i] {
			gutter = m.Styles.Mark.Render("!")
		}
		l := lines[i]
		if m.hscroll > 0 && (i >= len(prose) || !prose[i]) {
			l = ansi.Cut(l, m.hscroll, m.hscroll+w-1)
		}
		out = append(out, gutter+cell.Fit(l, w-1))
	}
	return out
}

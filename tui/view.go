package tui

import (
	"fmt"
	"github.com/ciosim/ciosim/pipeline"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/ciosim/ciosim/tui/cell"
)

// View draws the screen from the model and the panes' cached renderings; it does no work
// proportional to the number of events.
func (m Model) View() string {
	if !m.ready {
		return "" // no layout before the first WindowSizeMsg
	}
	if m.lay.arrange == arrangeNone {
		return m.tooSmall()
	}
	var main string
	switch m.modal {
	case modalHelp:
		main = m.frame("Help — any key closes", m.fullHelpView(m.width-frameSize), box{0, 0, m.width, m.lay.mainH}, true)
	case modalDead:
		main = m.frame("Dead letters — enter details, r re-sends, esc closes", m.deadView(m.width-frameSize, m.lay.mainH-frameSize), box{0, 0, m.width, m.lay.mainH}, true)
	case modalFlows:
		main = m.frame("Dataflows — enter uses, esc closes", m.flowsView(m.width-frameSize, m.lay.mainH-frameSize), box{0, 0, m.width, m.lay.mainH}, true)
	case modalDetail:
		title := m.detail.Title() + " · " + m.detail.Position()
		main = m.frame(title, m.detail.View(), box{0, 0, m.width, m.lay.mainH}, true)
	default:
		main = m.panes()
	}
	return main + "\n" + m.statusView() + "\n" + m.bottomLine()
}

// tooSmall fills a terminal too small for any pane with one line saying so, exactly
// width×height.
func (m Model) tooSmall() string {
	lines := make([]string, max(m.height, 1))
	for i := range lines {
		lines[i] = cell.Fit("", m.width)
	}
	lines[0] = cell.Fit(fmt.Sprintf("terminal %d×%d too small: ciosim needs %d×%d", m.width, m.height, oneMinW, oneMinMainH+chromeH), m.width)
	return strings.Join(lines, "\n")
}

// shownRight is the pane drawn beside the source column when only two fit: the focused
// one, or the event list while the source pane has focus.
func (m Model) shownRight() pane {
	if m.focus == paneSource {
		return paneList
	}
	return m.focus
}

func (m Model) panes() string {
	l := m.lay
	switch l.arrange {
	case arrangeOne:
		return m.paneView(m.focus, l.source)
	case arrangeTwo:
		p := m.shownRight()
		return beside(m.paneView(paneSource, l.source), m.paneView(p, l.list))
	}
	src := m.paneView(paneSource, l.source)
	list := m.paneView(paneList, l.list)
	insp := m.paneView(paneInspector, l.insp)
	lg := m.paneView(paneLog, l.log)
	var right string
	if l.insp.x > l.list.x {
		right = beside(list+"\n"+lg, insp)
	} else {
		right = list + "\n" + insp + "\n" + lg
	}
	return beside(src, right)
}

// beside puts two blocks side by side line by line. The layout makes every frame exactly its
// box, so unlike lipgloss.JoinHorizontal nothing is measured or padded: a frame costs what
// its lines do. A shorter block is padded with blank lines as wide as its first line.
func beside(left, right string) string {
	l, r := strings.Split(left, "\n"), strings.Split(right, "\n")
	n := max(len(l), len(r))
	var b strings.Builder
	b.Grow(len(left) + len(right) + n)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(l) {
			b.WriteString(l[i])
		} else {
			b.WriteString(strings.Repeat(" ", ansi.StringWidth(l[0])))
		}
		if i < len(r) {
			b.WriteString(r[i])
		}
	}
	return b.String()
}

// paneView frames pane p in box b. When panes are hidden for lack of room, the title says
// which of the four this is and that tab shows the others.
func (m Model) paneView(p pane, b box) string {
	title := paneNames[p]
	if p == paneList {
		title = fmt.Sprintf("%s %d", title, m.list.Len())
		if m.list.VisibleLen() != m.list.Len() {
			title = fmt.Sprintf("%s %d/%d", paneNames[paneList], m.list.VisibleLen(), m.list.Len())
		}
		if m.live.version > 0 {
			title += fmt.Sprintf(" · reload %d: %s", m.live.version, m.live.summary())
		}
	}
	if m.lay.arrange == arrangeOne || (m.lay.arrange == arrangeTwo && p != paneSource) {
		title += fmt.Sprintf(" · tab %d/%d", p+1, paneCount)
	}
	var body string
	switch p {
	case paneSource:
		body = m.source.View()
	case paneList:
		body = m.list.View()
	case paneInspector:
		body = m.insp.View()
	case paneLog:
		body = m.log_.View()
	}
	return m.frame(title, body, b, m.focus == p)
}

// frame draws a pane's border with its title in the top edge. The focused pane gets a heavy
// border, which shows even without colour.
func (m Model) frame(title, body string, b box, focused bool) string {
	tl, tr, bl, br, hz, vt := "┌", "┐", "└", "┘", "─", "│"
	bs, ts := m.styles.Border, m.styles.Title
	if focused {
		tl, tr, bl, br, hz, vt = "┏", "┓", "┗", "┛", "━", "┃"
		bs, ts = m.styles.FocusedBorder, m.styles.FocusedTitle
	}
	iw, ih := b.innerW(), b.innerH()
	t := ansi.Truncate(" "+title+" ", max(iw-1, 0), "…")
	top := bs.Render(tl+hz) + ts.Render(t) + bs.Render(strings.Repeat(hz, max(iw-1-ansi.StringWidth(t), 0))+tr)
	lines := strings.Split(body, "\n")
	out := make([]string, 0, b.h)
	out = append(out, top)
	side := bs.Render(vt) // rendered once: styling is most of a frame's cost
	for i := 0; i < ih; i++ {
		s := ""
		if i < len(lines) {
			s = lines[i]
		}
		out = append(out, side+cell.Fit(s, iw)+side)
	}
	out = append(out, bs.Render(bl+strings.Repeat(hz, iw)+br))
	return strings.Join(out, "\n")
}

// statusView is the status bar: endpoint, mode, mapping, seed, counts, recorder, and either
// the running job's progress or the transient message.
func (m Model) statusView() string {
	parts := []string{
		m.endpointLabel(),
		"mode " + string(m.mode),
		"map " + m.mappingName(),
		fmt.Sprintf("seed %d", m.seed),
		fmt.Sprintf("%d ev %s", m.list.Len(), m.counts),
	}
	if m.width < 100 {
		parts = []string{shortEndpoint(m.endpointLabel()), string(m.mode), shortMapping(m.mappingName()),
			fmt.Sprintf("seed %d", m.seed), compactCounts(m.list.Len(), m.counts)}
	}
	if m.recording {
		parts = append([]string{fmt.Sprintf("● REC %s %d", m.recAddr, m.captured)}, parts...)
	}
	left := " " + strings.Join(parts, " │ ") + " "
	var right string
	if j := m.job; j != nil {
		pct := 0.0
		if j.total > 0 {
			pct = float64(j.done) / float64(j.total)
		}
		state := ""
		if strings.HasPrefix(j.kind, "replay") {
			state = " " + m.speedLabel()
			if j.paused {
				state += " paused"
			}
		}
		if j.total == 0 {
			right = fmt.Sprintf(" %s… x cancel", j.kind) // size unknown until it is done
		} else {
			right = fmt.Sprintf(" %s %d/%d%s %s x cancel", j.kind, j.done, j.total, state, m.bar.ViewAs(pct))
		}
	} else if m.live.err != nil {
		// A mapping set or schema that does not compile stays on screen until a save
		// fixes it; the previous set is still in force.
		right = " ✗ previous mapping kept: " + firstLine(m.live.err.Error())
	} else if m.statusText != "" {
		right = " " + m.statusText
	}
	leftW := min(ansi.StringWidth(left), m.width)
	if right != "" {
		// The message or progress gets at least half of a narrow bar.
		leftW = min(leftW, max(m.width-ansi.StringWidth(right), m.width/2))
	}
	line := cell.Fit(left, leftW)
	rest := m.width - ansi.StringWidth(line)
	st := m.styles.Info
	if m.statusErr || (m.job == nil && m.live.err != nil) {
		st = m.styles.Error
	}
	return m.styles.Status.Render(line) + st.Render(cell.Fit(right, rest))
}

// bottomLine is the help line, or the prompt or confirmation when one is open.
func (m Model) bottomLine() string {
	switch m.modal {
	case modalPrompt:
		return cell.Fit(m.input.View(), m.width)
	case modalConfirm:
		return cell.Fit(m.styles.Error.Render(m.ask), m.width)
	case modalDetail:
		return cell.Fit(m.help.ShortHelpView(m.detailHelp()), m.width)
	case modalFlows:
		return cell.Fit(m.help.ShortHelpView(m.flows.keys.ShortHelp()), m.width)
	}
	return cell.Fit(m.help.ShortHelpView(m.keys.ShortHelp()), m.width)
}

// fullHelpView lays the key groups out in as many rows of columns as the width needs.
func (m Model) fullHelpView(w int) string {
	h := m.help
	h.Width = 0
	var rows []string
	var row fullHelp
	for _, g := range m.fullHelp() {
		try := append(append(fullHelp{}, row...), g)
		if len(row) > 0 && ansi.StringWidth(firstLine(h.FullHelpView(try))) > w {
			rows = append(rows, h.FullHelpView(row))
			row = fullHelp{g}
			continue
		}
		row = try
	}
	if len(row) > 0 {
		rows = append(rows, h.FullHelpView(row))
	}
	return strings.Join(rows, "\n\n")
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (m Model) fullHelp() fullHelp {
	groups := m.keys.FullHelp()
	switch m.focus {
	case paneSource:
		groups = append(groups, m.source.KeyMap.FullHelp()...)
	case paneList:
		groups = append(groups, m.list.KeyMap.FullHelp()...)
	case paneInspector:
		groups = append(groups, m.insp.KeyMap.FullHelp()...)
	case paneLog:
		groups = append(groups, m.log_.KeyMap.FullHelp()...)
	}
	return fullHelp(groups)
}

func (m Model) deadView(w, h int) string {
	if len(m.dead) == 0 {
		return "no dead letters: every fire so far was accepted"
	}
	out := make([]string, 0, h)
	start := max(m.deadCursor-h+1, 0)
	for i := start; i < len(m.dead) && len(out) < h; i++ {
		d := m.dead[i]
		cur := " "
		if i == m.deadCursor {
			cur = ">"
		}
		out = append(out, cell.Fit(fmt.Sprintf("%s #%-6s %-5s %3d  tries %d  %s", cur, d.ID, d.Mode, d.Status, d.Attempts,
			strings.Join(strings.Fields(d.Body), " ")), w))
	}
	return strings.Join(out, "\n")
}

// shortEndpoint abbreviates an endpoint label for narrow status bars: "emulator" or the host,
// after the dataflow's name when the label names one ("dataflow NAME ...").
func shortEndpoint(label string) string {
	if rest, ok := strings.CutPrefix(label, "dataflow "); ok {
		name, where, _ := strings.Cut(rest, " ")
		return name + " " + shortEndpoint(strings.TrimPrefix(where, "· "))
	}
	if strings.HasPrefix(label, "emulator") {
		return "emulator"
	}
	if i := strings.Index(label, "://"); i >= 0 {
		host := label[i+3:]
		if j := strings.IndexByte(host, '/'); j >= 0 {
			host = host[:j]
		}
		return host
	}
	return label
}

// shortMapping abbreviates a mapping set that is a file path for narrow status bars to
// its folder and name ("orders/mapping.json": a dataflow directory's set).
func shortMapping(name string) string {
	if !strings.ContainsRune(name, '/') {
		return name
	}
	name = strings.TrimRight(name, "/")
	dir, file := name[:strings.LastIndexByte(name, '/')], name[strings.LastIndexByte(name, '/')+1:]
	if i := strings.LastIndexByte(dir, '/'); i >= 0 {
		dir = dir[i+1:]
	}
	if dir == "" {
		return file
	}
	return dir + "/" + file
}

// compactCounts is the narrow status bar's counts: events, delivered ✓, rejected or
// failed ✗, and cancelled ⊘ when any.
func compactCounts(events int, c pipeline.Counts) string {
	s := fmt.Sprintf("%dev %d✓ %d✗", events, c.Delivered, c.Rejected+c.Failed)
	if c.Cancelled > 0 {
		s += fmt.Sprintf(" %d⊘", c.Cancelled)
	}
	return s
}

// Package sendlog is the TUI pane listing every fire: status, AEP xactionId, latency,
// attempts and the error body. It keeps the newest entries (a bounded ring), follows the
// tail unless the user scrolls up, and does no I/O.
package sendlog

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/ciosim/ciosim/tui/cell"
)

// Entry is one send outcome.
type Entry struct {
	// At is when the answer arrived (read from the clock inside the send command).
	At time.Time
	// Event is the list item id; Label the event's pair.
	Event int
	Label string
	Mode  string
	// Outcome is delivered, rejected, failed or cancelled ("" = judged by Status and Err).
	Outcome   string
	Status    int
	XactionID string
	Latency   time.Duration
	Attempts  int
	Body      string
	Err       string
	// Bad is the embedded emulator's reason for keeping a delivered event as a bad record.
	Bad string
	// Good says the emulator kept the delivered event as a good record (mapped and
	// validated by the flow's mapping set and schema); neither Good nor Bad: not known.
	Good bool
}

// OK reports a delivered event (a 2xx answer).
func (e Entry) OK() bool {
	if e.Outcome != "" {
		return e.Outcome == "delivered"
	}
	return e.Err == "" && e.Status >= 200 && e.Status < 300
}

// KeyMap are the pane's keys. The root model opens the entry under the cursor with enter.
type KeyMap struct{ Up, Down, PageUp, PageDown, Home, End key.Binding }

// DefaultKeyMap returns the pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "older")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "newer")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Home:     key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "oldest")),
		End:      key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "newest, follow")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}}
}

// Styles are the pane's styles.
type Styles struct{ Header, Selected, OK, Failed lipgloss.Style }

// DefaultStyles returns the default styles.
func DefaultStyles() Styles {
	return Styles{
		Header:   lipgloss.NewStyle().Bold(true),
		Selected: lipgloss.NewStyle().Reverse(true),
		OK:       lipgloss.NewStyle().Foreground(lipgloss.Color("2")),
		Failed:   lipgloss.NewStyle().Foreground(lipgloss.Color("1")),
	}
}

// Model is the send log.
type Model struct {
	KeyMap KeyMap
	Styles Styles
	// Limit is the number of entries kept; older ones are dropped.
	Limit int

	entries []Entry
	// cursor is the selected entry; while follow is set it moves to each new entry.
	cursor  int
	follow  bool
	offset  int // first entry on screen
	width   int
	height  int
	focused bool
	ok, bad int
}

// New returns an empty log keeping 5,000 entries.
func New() Model {
	return Model{KeyMap: DefaultKeyMap(), Styles: DefaultStyles(), Limit: 5000, follow: true}
}

// Add appends an entry.
func (m *Model) Add(e Entry) {
	if e.OK() {
		m.ok++
	} else {
		m.bad++
	}
	m.entries = append(m.entries, e)
	if drop := len(m.entries) - m.Limit; drop > 0 {
		m.entries = append([]Entry(nil), m.entries[drop:]...)
		// Keep the cursor on the same entry while it is still kept.
		m.cursor -= drop
		m.offset -= drop
	}
	if m.follow {
		m.cursor = len(m.entries) - 1
	}
	m.clamp()
}

// Entries returns the entries kept, oldest first.
func (m Model) Entries() []Entry { return m.entries }

// Counts returns the number of accepted and failed sends since start.
func (m Model) Counts() (ok, failed int) { return m.ok, m.bad }

// SetSize sets the inner size.
func (m *Model) SetSize(w, h int) { m.width, m.height = w, h; m.clamp() }

// Focus focuses the pane.
func (m *Model) Focus() { m.focused = true }

// Blur unfocuses the pane.
func (m *Model) Blur() { m.focused = false }

// Focused reports whether the pane has focus.
func (m Model) Focused() bool { return m.focused }

func (m *Model) rows() int { return max(m.height-1, 1) }

// Selected returns the entry under the cursor.
func (m Model) Selected() (Entry, bool) {
	if len(m.entries) == 0 {
		return Entry{}, false
	}
	return m.entries[m.cursor], true
}

func (m *Model) clamp() {
	n, rows := len(m.entries), m.rows()
	m.cursor = min(max(m.cursor, 0), max(n-1, 0))
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = min(max(m.offset, 0), max(n-rows, 0))
}

// Update handles the scroll keys when focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok || !m.focused {
		return m, nil
	}
	switch {
	case key.Matches(km, m.KeyMap.Up):
		m.cursor--
	case key.Matches(km, m.KeyMap.Down):
		m.cursor++
	case key.Matches(km, m.KeyMap.PageUp):
		m.cursor -= m.rows()
	case key.Matches(km, m.KeyMap.PageDown):
		m.cursor += m.rows()
	case key.Matches(km, m.KeyMap.Home):
		m.cursor = 0
	case key.Matches(km, m.KeyMap.End):
		m.cursor = len(m.entries) - 1
	default:
		return m, nil
	}
	m.clamp()
	// On the newest entry the log follows the tail again.
	m.follow = m.cursor >= len(m.entries)-1
	return m, nil
}

// View renders the header and the entries on screen, exactly width×height.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	out := make([]string, 0, m.height)
	out = append(out, m.Styles.Header.Render(cell.Fit(" "+fmt.Sprintf(rowFormat, "TIME", "ST", "LATENCY", "TRY", "#EVENT", "MODE", "XACTIONID / ERROR"), m.width)))
	end := min(m.offset+m.rows(), len(m.entries))
	for i := m.offset; i < end && len(out) < m.height; i++ {
		e := m.entries[i]
		st := fmt.Sprint(e.Status)
		switch {
		case e.Outcome == "rejected":
			st = "REJ"
		case e.Outcome == "cancelled":
			st = "CXL"
		case e.Err != "" && e.Status == 0:
			st = "ERR"
		}
		// The verdict comes first: on a narrow pane it is what matters, the id can be cut.
		detail := e.XactionID
		switch {
		case e.Bad != "":
			detail = "bad: " + e.Bad + " · " + e.XactionID
		case e.Good:
			detail = "good · " + e.XactionID
		}
		if !e.OK() {
			detail = strings.Join(strings.Fields(e.Err+" "+e.Body), " ")
		}
		line := fmt.Sprintf(rowFormat, e.At.UTC().Format("15:04:05"), st,
			latency(e.Latency), fmt.Sprint(e.Attempts), fmt.Sprintf("#%d", e.Event), e.Mode, detail)
		// The cursor is a character, so it shows without colour too (NO_COLOR).
		marker := " "
		if i == m.cursor {
			marker = ">"
		}
		line = cell.Fit(marker+line, m.width)
		switch {
		case i == m.cursor && m.focused:
			line = m.Styles.Selected.Render(line)
		case e.OK() && e.Bad == "":
			line = m.Styles.OK.Render(line)
		default:
			line = m.Styles.Failed.Render(line)
		}
		out = append(out, line)
	}
	if len(m.entries) == 0 {
		out = append(out, cell.Fit("  nothing fired yet: f fires the selected event", m.width))
	}
	for len(out) < m.height {
		out = append(out, strings.Repeat(" ", m.width))
	}
	return strings.Join(out, "\n")
}

const rowFormat = "%-8s %-3s %8s %3s  %-7s %-5s %s"

func latency(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%dµs", d.Microseconds())
	case d < 10*time.Second:
		return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
	default:
		return d.Round(time.Second).String()
	}
}

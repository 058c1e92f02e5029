// Package detail is the TUI's detail view: the whole text of one thing (an event with its
// XDM payload, validation problems and send results; a send-log entry; a dead letter),
// wrapped to the width of the screen so that nothing is cut, and scrollable. The root model
// opens it with enter and closes it with esc. It is a Bubbles-style component and does no I/O.
package detail

import (
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/ciosim/ciosim/tui/cell"
)

// Section is a titled block of text. Body is plain text; its lines are wrapped, never cut.
type Section struct {
	Title string
	Body  string
	// Problem draws the body in the problem style (validation problems, errors).
	Problem bool
}

// KeyMap are the view's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
}

// DefaultKeyMap returns the view's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u", "b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d", " "), key.WithHelp("pgdn/space", "page down")),
		Home:     key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "top")),
		End:      key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "bottom")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Down, k.PageDown} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}}
}

// Styles are the view's styles.
type Styles struct {
	Section, Problem lipgloss.Style
}

// DefaultStyles returns the default styles.
func DefaultStyles() Styles {
	return Styles{
		Section: lipgloss.NewStyle().Bold(true),
		Problem: lipgloss.NewStyle().Foreground(lipgloss.Color("1")),
	}
}

// Model is the detail view.
type Model struct {
	KeyMap KeyMap
	Styles Styles

	title    string
	sections []Section
	lines    []string // wrapped for width, styled
	scroll   int
	width    int
	height   int
}

// New returns an empty view.
func New() Model { return Model{KeyMap: DefaultKeyMap(), Styles: DefaultStyles()} }

// SetContent replaces what the view shows and scrolls to the top.
func (m *Model) SetContent(title string, sections ...Section) {
	m.title, m.sections, m.scroll = title, sections, 0
	m.wrap()
}

// Replace replaces what the view shows, keeping the scroll position (new answers arriving
// while it is open).
func (m *Model) Replace(title string, sections ...Section) {
	m.title, m.sections = title, sections
	m.wrap()
}

// Title is the view's title, for the frame around it.
func (m Model) Title() string { return m.title }

// SetSize sets the inner size and rewraps.
func (m *Model) SetSize(w, h int) {
	if w != m.width {
		m.width = w
		m.wrap()
	}
	m.height = h
	m.clamp()
}

// Lines returns the wrapped lines (styled), for tests.
func (m Model) Lines() []string { return m.lines }

// wrap lays every section out at the current width: word-wrapped, with words longer than
// the width (ids, URLs, base64) broken, so every character is on screen somewhere.
func (m *Model) wrap() {
	m.lines = m.lines[:0]
	w := max(m.width, 1)
	for i, s := range m.sections {
		if i > 0 {
			m.lines = append(m.lines, "")
		}
		if s.Title != "" {
			for _, l := range strings.Split(ansi.Wrap(s.Title, w, ""), "\n") {
				m.lines = append(m.lines, m.Styles.Section.Render(l))
			}
		}
		for _, raw := range strings.Split(strings.TrimRight(s.Body, "\n"), "\n") {
			raw = strings.ReplaceAll(raw, "\t", "    ")
			for _, l := range strings.Split(ansi.Wrap(raw, w, ""), "\n") {
				if s.Problem {
					l = m.Styles.Problem.Render(l)
				}
				m.lines = append(m.lines, l)
			}
		}
	}
	m.clamp()
}

func (m *Model) clamp() {
	m.scroll = min(max(m.scroll, 0), max(len(m.lines)-m.height, 0))
}

// Update handles the scroll keys.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	page := max(m.height-1, 1)
	switch {
	case key.Matches(km, m.KeyMap.Up):
		m.scroll--
	case key.Matches(km, m.KeyMap.Down):
		m.scroll++
	case key.Matches(km, m.KeyMap.PageUp):
		m.scroll -= page
	case key.Matches(km, m.KeyMap.PageDown):
		m.scroll += page
	case key.Matches(km, m.KeyMap.Home):
		m.scroll = 0
	case key.Matches(km, m.KeyMap.End):
		m.scroll = len(m.lines)
	}
	m.clamp()
	return m, nil
}

// Position describes the scroll position: "top", "end", "all" or a percentage.
func (m Model) Position() string {
	switch {
	case len(m.lines) <= m.height:
		return "all"
	case m.scroll == 0:
		return "top"
	case m.scroll >= len(m.lines)-m.height:
		return "end"
	}
	return strconv.Itoa(100*(m.scroll+m.height)/len(m.lines)) + "%"
}

// View renders the lines on screen, exactly width×height.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	out := make([]string, 0, m.height)
	for i := m.scroll; i < m.scroll+m.height; i++ {
		s := ""
		if i < len(m.lines) {
			s = m.lines[i]
		}
		out = append(out, cell.Fit(s, m.width))
	}
	return strings.Join(out, "\n")
}

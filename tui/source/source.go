// Package source is the TUI's source pane: the catalog (object type → metric), the built-in
// scenarios and the files in the watched fixture and recording folders, kept current by the
// root model as file changes arrive. It is a Bubbles-style component and does no I/O.
package source

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/ciosim/ciosim/customerio"

	"github.com/ciosim/ciosim/tui/cell"
)

// Kind is what a row stands for.
type Kind uint8

// Row kinds.
const (
	KindHeader Kind = iota
	KindObjectType
	KindPair
	KindScenario
	KindFile
	KindNote
)

// Selection is the row under the cursor.
type Selection struct {
	Kind               Kind
	ObjectType, Metric string
	Scenario           string
	Path               string
}

// ActivatedMsg is sent when the user presses enter on a pair, scenario or file; the root
// model handles it like the generate key.
type ActivatedMsg struct{ Selection Selection }

// File is a watched file as last scanned.
type File struct {
	Path    string
	Records int
	Skipped int
	Err     string
	// Bucket marks a bucket URL listed in a folder's place: Path is the URL, and the row
	// stands for every segment under it, read merged. Segments counts them (0: unknown).
	Bucket   bool
	Segments int
}

// Scenario is a built-in scenario.
type Scenario struct{ Name, Description string }

type row struct {
	kind  Kind
	text  string
	sel   Selection
	depth int
	// name is a file row's name, shortened in the middle when the pane is narrow so that
	// the end (a rotated recording's date and sequence) stays; text is then its counts.
	name string
}

// KeyMap are the pane's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End, Expand, Collapse, Activate key.Binding
}

// DefaultKeyMap returns the pane's keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Home:     key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "first")),
		End:      key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "last")),
		Expand:   key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "expand")),
		Collapse: key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "collapse")),
		Activate: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "expand / generate / load")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.Activate} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End, k.Expand, k.Collapse, k.Activate}}
}

// Styles are the pane's styles.
type Styles struct {
	Header, Selected, Dim, Err lipgloss.Style
}

// DefaultStyles returns the default styles.
func DefaultStyles() Styles {
	return Styles{
		Header:   lipgloss.NewStyle().Bold(true),
		Selected: lipgloss.NewStyle().Reverse(true),
		Dim:      lipgloss.NewStyle().Faint(true),
		Err:      lipgloss.NewStyle().Foreground(lipgloss.Color("1")),
	}
}

// Model is the source pane.
type Model struct {
	KeyMap KeyMap
	Styles Styles

	expanded  map[string]bool
	scenarios []Scenario
	// scenarioFiles are scenario files found in the watched folders, by path.
	scenarioFiles map[string]ScenarioFile
	dirs          []string
	files         map[string]File
	rows          []row
	cursor        int
	offset        int
	width         int
	height        int
	focused       bool
}

// New returns the pane listing the catalog, scenarios and the watched dirs.
func New(scenarios []Scenario, dirs []string) Model {
	m := Model{KeyMap: DefaultKeyMap(), Styles: DefaultStyles(), expanded: map[string]bool{},
		scenarios: scenarios, dirs: dirs, files: map[string]File{}, scenarioFiles: map[string]ScenarioFile{}}
	m.rebuild()
	m.cursor = 1 // the first object type
	return m
}

func (m *Model) rebuild() {
	var sel Selection
	if m.cursor < len(m.rows) {
		sel = m.rows[m.cursor].sel
	}
	m.rows = nil
	m.rows = append(m.rows, row{kind: KindHeader, text: "CATALOG"})
	for _, ot := range customerio.ObjectTypes() {
		metrics := customerio.Metrics(ot)
		mark := "▸"
		if m.expanded[ot] {
			mark = "▾"
		}
		m.rows = append(m.rows, row{kind: KindObjectType, text: fmt.Sprintf("%s %s (%d)", mark, ot, len(metrics)),
			sel: Selection{Kind: KindObjectType, ObjectType: ot}})
		if m.expanded[ot] {
			for _, mt := range metrics {
				m.rows = append(m.rows, row{kind: KindPair, text: mt, depth: 1,
					sel: Selection{Kind: KindPair, ObjectType: ot, Metric: mt}})
			}
		}
	}
	m.rows = append(m.rows, row{kind: KindHeader, text: "SCENARIOS"})
	if len(m.scenarios) == 0 {
		m.rows = append(m.rows, row{kind: KindNote, text: "none available", depth: 1})
	}
	for _, s := range m.scenarios {
		m.rows = append(m.rows, row{kind: KindScenario, text: s.Name, depth: 1, sel: Selection{Kind: KindScenario, Scenario: s.Name}})
	}
	sfs := make([]string, 0, len(m.scenarioFiles))
	for p := range m.scenarioFiles {
		sfs = append(sfs, p)
	}
	sort.Strings(sfs)
	for _, p := range sfs {
		f := m.scenarioFiles[p]
		if f.Err != "" {
			// A file that does not parse is listed with why, and cannot be run.
			m.rows = append(m.rows, row{kind: KindNote, text: filepath.Base(p) + " ! " + f.Err, depth: 1})
			continue
		}
		m.rows = append(m.rows, row{kind: KindScenario, text: filepath.Base(p) + " (file)", depth: 1, sel: Selection{Kind: KindScenario, Scenario: p}})
	}
	m.rows = append(m.rows, row{kind: KindHeader, text: "FILES"})
	if len(m.dirs) == 0 {
		m.rows = append(m.rows, row{kind: KindNote, text: "no watched folders", depth: 1})
	}
	paths := make([]string, 0, len(m.files))
	for p := range m.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, d := range m.dirs {
		if f, ok := m.files[d]; ok && f.Bucket {
			m.bucketRows(f)
			continue
		} else if isURL(d) {
			m.rows = append(m.rows, row{kind: KindNote, text: d, depth: 0}, row{kind: KindNote, text: "listing…", depth: 1})
			continue
		}
		m.rows = append(m.rows, row{kind: KindNote, text: d + "/", depth: 0})
		n := 0
		for _, p := range paths {
			if filepath.Dir(p) != filepath.Clean(d) {
				continue
			}
			f := m.files[p]
			text := fmt.Sprintf(" %d ev", f.Records)
			if f.Skipped > 0 {
				text += fmt.Sprintf(" %d bad", f.Skipped)
			}
			if f.Err != "" {
				text = " ! " + f.Err
			}
			name := filepath.Base(p)
			if 1+2+ansi.StringWidth(name+text) <= m.width || m.width == 0 {
				m.rows = append(m.rows, row{kind: KindFile, name: name, text: text, depth: 1, sel: Selection{Kind: KindFile, Path: p}})
			} else {
				// Too narrow for both: the name gets the row (so rotated recordings can be
				// told apart) and the counts go on the line below.
				m.rows = append(m.rows, row{kind: KindFile, name: name, depth: 1, sel: Selection{Kind: KindFile, Path: p}},
					row{kind: KindNote, text: strings.TrimSpace(text), depth: 2})
			}
			n++
		}
		if n == 0 {
			m.rows = append(m.rows, row{kind: KindNote, text: "(empty)", depth: 1})
		}
	}
	// Keep the cursor on the same thing when rows move.
	for i, r := range m.rows {
		if r.kind != KindHeader && r.kind != KindNote && r.sel == sel {
			m.cursor = i
			break
		}
	}
	m.clamp()
}

// SetFile adds or updates a watched file.
func (m *Model) SetFile(f File) { m.files[f.Path] = f; m.rebuild() }

// ScenarioFile is a scenario file in a watched folder: runnable by its path, or Err says
// why it does not parse.
type ScenarioFile struct {
	Path, Description, Err string
}

// SetScenarioFile lists (or updates) a scenario file beside the built-in scenarios.
func (m *Model) SetScenarioFile(f ScenarioFile) { m.scenarioFiles[f.Path] = f; m.rebuild() }

// RemoveScenarioFile removes a scenario file that was deleted.
func (m *Model) RemoveScenarioFile(path string) { delete(m.scenarioFiles, path); m.rebuild() }

// ScenarioFiles returns the scenario files listed, sorted by path.
func (m Model) ScenarioFiles() []ScenarioFile {
	out := make([]ScenarioFile, 0, len(m.scenarioFiles))
	for _, f := range m.scenarioFiles {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// RemoveFile removes a watched file.
func (m *Model) RemoveFile(path string) { delete(m.files, path); m.rebuild() }

// Files returns the files listed, sorted by path.
func (m Model) Files() []File {
	out := make([]File, 0, len(m.files))
	for _, f := range m.files {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Expand opens an object type.
func (m *Model) Expand(objectType string) { m.expanded[objectType] = true; m.rebuild() }

// SelectPair expands the pair's object type and moves the cursor to it.
func (m *Model) SelectPair(objectType, metric string) {
	m.Expand(objectType)
	m.selectWhere(func(s Selection) bool { return s.Kind == KindPair && s.ObjectType == objectType && s.Metric == metric })
}

// SelectScenario moves the cursor to a scenario.
func (m *Model) SelectScenario(name string) {
	m.selectWhere(func(s Selection) bool { return s.Kind == KindScenario && s.Scenario == name })
}

// SelectFile moves the cursor to a watched file.
func (m *Model) SelectFile(path string) {
	m.selectWhere(func(s Selection) bool { return s.Kind == KindFile && s.Path == path })
}

func (m *Model) selectWhere(f func(Selection) bool) {
	for i, r := range m.rows {
		if r.kind != KindHeader && r.kind != KindNote && f(r.sel) {
			m.cursor = i
			m.clamp()
			return
		}
	}
}

// Selected returns the selection under the cursor.
func (m Model) Selected() Selection {
	if m.cursor < len(m.rows) {
		return m.rows[m.cursor].sel
	}
	return Selection{}
}

// SetSize sets the inner size.
func (m *Model) SetSize(w, h int) {
	rewrap := w != m.width
	m.width, m.height = w, h
	if rewrap && len(m.files) > 0 {
		m.rebuild()
	}
	m.clamp()
}

// Focus focuses the pane.
func (m *Model) Focus() { m.focused = true }

// Blur unfocuses the pane.
func (m *Model) Blur() { m.focused = false }

// Focused reports whether the pane has focus.
func (m Model) Focused() bool { return m.focused }

func (m *Model) move(d int) {
	for i := m.cursor + d; i >= 0 && i < len(m.rows); i += d {
		if k := m.rows[i].kind; k != KindHeader && k != KindNote {
			m.cursor = i
			break
		}
	}
	m.clamp()
}

func (m *Model) clamp() {
	m.cursor = min(max(m.cursor, 0), max(len(m.rows)-1, 0))
	h := max(m.height, 1)
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	// Show the section header above the first row when scrolled to it.
	m.offset = min(max(m.offset, 0), max(len(m.rows)-h, 0))
}

// Update handles the pane's keys when focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok || !m.focused {
		return m, nil
	}
	sel := m.Selected()
	switch {
	case key.Matches(km, m.KeyMap.Up):
		m.move(-1)
	case key.Matches(km, m.KeyMap.Down):
		m.move(1)
	case key.Matches(km, m.KeyMap.PageUp):
		m.cursor = max(m.cursor-max(m.height-1, 1), 0)
		if k := m.rows[m.cursor].kind; k == KindHeader || k == KindNote {
			m.move(1)
		}
	case key.Matches(km, m.KeyMap.PageDown):
		m.cursor = min(m.cursor+max(m.height-1, 1), len(m.rows)-1)
		if k := m.rows[m.cursor].kind; k == KindHeader || k == KindNote {
			m.move(-1)
		}
	case key.Matches(km, m.KeyMap.Home):
		m.cursor = 0
		m.move(1)
	case key.Matches(km, m.KeyMap.End):
		m.cursor = len(m.rows) - 1
		if k := m.rows[m.cursor].kind; k == KindHeader || k == KindNote {
			m.move(-1)
		}
	case key.Matches(km, m.KeyMap.Expand):
		if sel.Kind == KindObjectType {
			m.expanded[sel.ObjectType] = true
			m.rebuild()
		}
	case key.Matches(km, m.KeyMap.Collapse):
		if sel.ObjectType != "" {
			delete(m.expanded, sel.ObjectType)
			m.rebuild()
			m.selectWhere(func(s Selection) bool { return s.Kind == KindObjectType && s.ObjectType == sel.ObjectType })
		}
	case key.Matches(km, m.KeyMap.Activate):
		if sel.Kind == KindObjectType {
			m.expanded[sel.ObjectType] = !m.expanded[sel.ObjectType]
			m.rebuild()
			return m, nil
		}
		if sel.Kind == KindPair || sel.Kind == KindScenario || sel.Kind == KindFile {
			return m, func() tea.Msg { return ActivatedMsg{Selection: sel} }
		}
	}
	return m, nil
}

// View renders the rows on screen, exactly width×height.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	out := make([]string, 0, m.height)
	for i := m.offset; i < m.offset+m.height; i++ {
		if i >= len(m.rows) {
			out = append(out, strings.Repeat(" ", m.width))
			continue
		}
		r := m.rows[i]
		// The cursor is a character, so it shows without colour too (NO_COLOR).
		gutter := ""
		if i == m.cursor {
			gutter = ">"
		}
		body := strings.Repeat("  ", r.depth) + r.text
		if r.kind == KindFile {
			indent := strings.Repeat("  ", r.depth)
			room := m.width - 1 - ansi.StringWidth(indent) - ansi.StringWidth(r.text) // 1: the cursor
			name := r.name
			if ansi.StringWidth(name) > room {
				// Every listed file holds events; the usual extension is the first to go.
				name = strings.TrimSuffix(name, ".jsonl")
			}
			body = indent + cell.Middle(name, max(room, min(8, ansi.StringWidth(name)))) + r.text
		}
		text := cell.Fit(gutter+body, m.width)
		switch {
		case i == m.cursor && m.focused:
			text = m.Styles.Selected.Render(text)
		case i == m.cursor:
		case r.kind == KindHeader:
			text = m.Styles.Header.Render(text)
		case r.kind == KindNote:
			text = m.Styles.Dim.Render(text)
		}
		out = append(out, text)
	}
	return strings.Join(out, "\n")
}

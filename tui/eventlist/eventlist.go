// Package eventlist is the TUI's event list: every loaded, generated, captured or replayed
// event with its type, metric, time, recipient and last send status. It is virtualised
// (View renders only the rows on screen, so 100,000 events cost what 20 do) and filters with
// "/". It is a Bubbles-style component and does no I/O.
package eventlist

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/ciosim/ciosim/customerio"

	"github.com/ciosim/ciosim/tui/cell"
)

// Item is one event in the list.
type Item struct {
	// ID is the item's index in the list, assigned by [Model.Append]; it never changes.
	ID    int
	Event customerio.Event
	// At is the event's timestamp; Recipient its recipient or person identifier.
	At        time.Time
	Recipient string
	// Origin says where the event came from: "generated", a file name, "captured".
	Origin string
	// ReceivedAt is when a recorded event was captured (zero otherwise); replay paces by it.
	ReceivedAt time.Time
	// Status is the last send status: "" never sent, "..." in flight, "200", "ERR".
	Status string
	// Problems are the event's validation problems (Customer.io and XDM), one reason
	// each; Checked says whether they are known yet (the root model checks every event in
	// the background and reports with [Model.SetChecked]).
	Problems []string
	Checked  bool

	hay string
}

// NewItem describes ev. It decodes the event's data to find the recipient, so callers
// building many items do it inside a command.
func NewItem(ev customerio.Event, origin string) Item {
	it := Item{Event: ev, Origin: origin, Recipient: recipientOf(ev.Data)}
	if ev.Timestamp > 0 {
		it.At = time.Unix(ev.Timestamp, 0).UTC()
	}
	it.hay = strings.ToLower(ev.ObjectType + "/" + ev.Metric + " " + it.Recipient + " " + ev.EventID + " " + origin)
	return it
}

func recipientOf(data json.RawMessage) string {
	var d struct {
		Recipient   any `json:"recipient"`
		Identifiers struct {
			Email any `json:"email"`
			ID    any `json:"id"`
		} `json:"identifiers"`
		CustomerID any `json:"customer_id"`
	}
	if json.Unmarshal(data, &d) != nil {
		return ""
	}
	for _, v := range []any{d.Recipient, d.Identifiers.Email, d.Identifiers.ID, d.CustomerID} {
		switch v := v.(type) {
		case string:
			if v != "" {
				return v
			}
		case float64:
			return fmt.Sprint(v)
		}
	}
	return ""
}

// Validity limits the list to valid or invalid events.
type Validity uint8

// Validity filters.
const (
	AnyValidity Validity = iota
	OnlyInvalid
	OnlyValid
)

func (v Validity) String() string {
	switch v {
	case OnlyInvalid:
		return "invalid only (✗)"
	case OnlyValid:
		return "valid only"
	}
	return "valid and invalid"
}

// KeyMap are the list's keys.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Filter, ClearFilter, AcceptFilter     key.Binding
	// Validity cycles the validity filter: all → invalid only → valid only.
	Validity key.Binding
}

// DefaultKeyMap returns the list's default keys.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:           key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:         key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:       key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:     key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Home:         key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "first")),
		End:          key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "last")),
		Filter:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ClearFilter:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		AcceptFilter: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply filter")),
		Validity:     key.NewBinding(key.WithKeys("!"), key.WithHelp("!", "invalid only / valid only / all")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.Filter} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}, {k.Filter, k.AcceptFilter, k.ClearFilter, k.Validity}}
}

// Styles are the list's styles.
type Styles struct {
	Header, Selected, OK, Failed, Pending, Dim lipgloss.Style
	// Invalid draws the ✗ marker and the reason of an invalid event.
	Invalid lipgloss.Style
}

// DefaultStyles returns the default styles.
func DefaultStyles() Styles {
	return Styles{
		Header:   lipgloss.NewStyle().Bold(true),
		Selected: lipgloss.NewStyle().Reverse(true),
		OK:       lipgloss.NewStyle().Foreground(lipgloss.Color("2")),
		Failed:   lipgloss.NewStyle().Foreground(lipgloss.Color("1")),
		Pending:  lipgloss.NewStyle().Foreground(lipgloss.Color("3")),
		Dim:      lipgloss.NewStyle().Faint(true),
		Invalid:  lipgloss.NewStyle().Foreground(lipgloss.Color("1")),
	}
}

// Model is the event list.
type Model struct {
	KeyMap KeyMap
	Styles Styles

	items   []Item
	vis     []int // indexes of items passing the filter; nil means all
	cursor  int   // index into the visible rows
	offset  int   // first visible row on screen
	width   int
	height  int
	focused bool

	input     textinput.Model
	filtering bool
	filter    string
	validity  Validity

	// pending are the ids whose problems are to be (re)checked, oldest first.
	pending []int
}

// New returns an empty list.
func New() Model {
	in := textinput.New()
	in.Prompt = "/"
	in.CharLimit = 200
	in.Cursor.SetMode(cursor.CursorStatic)
	return Model{KeyMap: DefaultKeyMap(), Styles: DefaultStyles(), input: in}
}

// SetSize sets the size the list renders at, header and filter line included.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = w, h
	m.input.Width = max(w-2, 1)
	m.clamp()
}

// Focus focuses the list.
func (m *Model) Focus() { m.focused = true }

// Blur unfocuses the list.
func (m *Model) Blur() { m.focused = false }

// Focused reports whether the list has focus.
func (m Model) Focused() bool { return m.focused }

// Filtering reports whether the filter input has the keyboard.
func (m Model) Filtering() bool { return m.filtering }

// Filter returns the applied filter text.
func (m Model) Filter() string { return m.filter }

// Len is the number of events; VisibleLen the number passing the filter.
func (m Model) Len() int { return len(m.items) }

// VisibleLen is the number of events passing the filter.
func (m Model) VisibleLen() int {
	if m.vis == nil {
		return len(m.items)
	}
	return len(m.vis)
}

func (m Model) at(row int) int {
	if m.vis == nil {
		return row
	}
	return m.vis[row]
}

// Append adds items, assigning their IDs, and returns the IDs' range start. When the cursor
// was on the last row (or the list was empty) it follows to the newest visible item.
func (m *Model) Append(items ...Item) int {
	first := len(m.items)
	follow := m.VisibleLen() == 0 || m.cursor >= m.VisibleLen()-1
	for i := range items {
		items[i].ID = len(m.items)
		items[i].Checked, items[i].Problems = false, nil
		m.items = append(m.items, items[i])
		m.pending = append(m.pending, items[i].ID)
		if m.vis != nil && m.matches(items[i]) {
			m.vis = append(m.vis, items[i].ID)
		}
	}
	if follow {
		m.cursor = max(m.VisibleLen()-1, 0)
	}
	m.clamp()
	return first
}

// Replace swaps the event of item id (after an edit), keeping its status and origin.
func (m *Model) Replace(id int, ev customerio.Event) {
	if id < 0 || id >= len(m.items) {
		return
	}
	old := m.items[id]
	it := NewItem(ev, old.Origin)
	it.ID, it.Status, it.ReceivedAt = id, old.Status, old.ReceivedAt
	m.items[id] = it
	m.pending = append(m.pending, id)
}

// TakeUnchecked returns up to n items whose problems are to be checked, and forgets them:
// the root model checks them in a command and reports with [Model.SetChecked].
func (m *Model) TakeUnchecked(n int) []Item {
	n = min(n, len(m.pending))
	out := make([]Item, 0, n)
	for _, id := range m.pending[:n] {
		out = append(out, m.items[id])
	}
	m.pending = m.pending[n:]
	if len(m.pending) == 0 {
		m.pending = nil
	}
	return out
}

// Unchecked is the number of items waiting for a check.
func (m Model) Unchecked() int { return len(m.pending) }

// RecheckAll queues every item for a new check (the mapping set changed).
func (m *Model) RecheckAll() {
	m.pending = m.pending[:0]
	for id := range m.items {
		m.pending = append(m.pending, id)
	}
}

// Recheck queues the items again for a check (their check was made under a mapping set
// that has since been reloaded).
func (m *Model) Recheck(ids ...int) {
	for _, id := range ids {
		if id >= 0 && id < len(m.items) {
			m.pending = append(m.pending, id)
		}
	}
}

// SetChecked records the problems found for items (none: valid). An item whose event
// changed since it was taken (an edit) keeps waiting for its own check.
func (m *Model) SetChecked(problems map[int][]string, events map[int][]byte) {
	for id, ps := range problems {
		if id < 0 || id >= len(m.items) {
			continue
		}
		if b, ok := events[id]; ok && string(b) != string(m.items[id].Event.Bytes()) {
			continue
		}
		m.items[id].Problems, m.items[id].Checked = ps, true
	}
	if m.validity != AnyValidity {
		m.SetFilter(m.filter) // items may have moved in or out of the validity filter
	}
}

// Validity returns the validity filter.
func (m Model) Validity() Validity { return m.validity }

// SetValidity limits the list to invalid or valid events (AnyValidity: no limit).
func (m *Model) SetValidity(v Validity) {
	m.validity = v
	m.SetFilter(m.filter)
}

// SetStatus records the last send status of item id.
func (m *Model) SetStatus(id int, status string) {
	if id >= 0 && id < len(m.items) {
		m.items[id].Status = status
	}
}

// Item returns item id.
func (m Model) Item(id int) (Item, bool) {
	if id < 0 || id >= len(m.items) {
		return Item{}, false
	}
	return m.items[id], true
}

// Selected returns the item under the cursor.
func (m Model) Selected() (Item, bool) {
	if m.VisibleLen() == 0 {
		return Item{}, false
	}
	return m.items[m.at(m.cursor)], true
}

// Select moves the cursor to item id if it is visible.
func (m *Model) Select(id int) {
	if m.vis == nil {
		if id >= 0 && id < len(m.items) {
			m.cursor = id
			m.clamp()
		}
		return
	}
	// vis is in ascending id order: it is built by scanning items and only ever appended to.
	if row, ok := slices.BinarySearch(m.vis, id); ok {
		m.cursor = row
		m.clamp()
	}
}

// VisibleIDs returns the IDs of the items passing the filter, in order.
func (m Model) VisibleIDs() []int {
	ids := make([]int, m.VisibleLen())
	for row := range ids {
		ids[row] = m.at(row)
	}
	return ids
}

// Items returns the items passing the filter, in order. The caller must not modify them.
func (m Model) Items() []Item {
	if m.vis == nil {
		return m.items
	}
	out := make([]Item, len(m.vis))
	for i, id := range m.vis {
		out[i] = m.items[id]
	}
	return out
}

func (m Model) matches(it Item) bool {
	switch m.validity {
	case OnlyInvalid:
		if len(it.Problems) == 0 {
			return false
		}
	case OnlyValid:
		if !it.Checked || len(it.Problems) > 0 {
			return false
		}
	}
	return m.filter == "" || strings.Contains(it.hay, m.filter)
}

// SetFilter applies a filter (case-insensitive substring of pair, recipient, id, origin).
func (m *Model) SetFilter(f string) {
	sel, had := m.Selected()
	m.filter = strings.ToLower(strings.TrimSpace(f))
	if m.filter == "" && m.validity == AnyValidity {
		m.vis = nil
	} else {
		m.vis = make([]int, 0, len(m.items)/8)
		for i := range m.items {
			if m.matches(m.items[i]) {
				m.vis = append(m.vis, i)
			}
		}
	}
	m.cursor = 0
	if had {
		m.Select(sel.ID)
	}
	m.clamp()
}

func (m *Model) rows() int {
	h := m.height - 1 // header
	if m.filtering || m.filter != "" || m.validity != AnyValidity {
		h--
	}
	return max(h, 0)
}

func (m *Model) clamp() {
	n := m.VisibleLen()
	m.cursor = min(max(m.cursor, 0), max(n-1, 0))
	rows := m.rows()
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+rows {
		m.offset = m.cursor - rows + 1
	}
	m.offset = min(max(m.offset, 0), max(n-rows, 0))
}

// Update handles the list's keys when it is focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	if m.filtering {
		switch {
		case key.Matches(km, m.KeyMap.AcceptFilter):
			m.filtering = false
			m.input.Blur()
			m.clamp()
			return m, nil
		case key.Matches(km, m.KeyMap.ClearFilter):
			m.filtering = false
			m.input.Blur()
			m.input.SetValue("")
			m.SetFilter("")
			return m, nil
		}
		var cmd tea.Cmd
		m.input, cmd = m.input.Update(km)
		if strings.ToLower(strings.TrimSpace(m.input.Value())) != m.filter {
			m.SetFilter(m.input.Value())
		}
		return m, cmd
	}
	rows := m.rows()
	switch {
	case key.Matches(km, m.KeyMap.Up):
		m.cursor--
	case key.Matches(km, m.KeyMap.Down):
		m.cursor++
	case key.Matches(km, m.KeyMap.PageUp):
		m.cursor -= rows
	case key.Matches(km, m.KeyMap.PageDown):
		m.cursor += rows
	case key.Matches(km, m.KeyMap.Home):
		m.cursor = 0
	case key.Matches(km, m.KeyMap.End):
		m.cursor = m.VisibleLen() - 1
	case key.Matches(km, m.KeyMap.Validity):
		m.SetValidity((m.validity + 1) % 3)
		return m, nil
	case key.Matches(km, m.KeyMap.Filter):
		m.filtering = true
		m.input.SetValue(m.filter)
		m.input.CursorEnd()
		m.clamp()
		m.input.Focus()
		return m, nil
	case key.Matches(km, m.KeyMap.ClearFilter):
		if m.filter != "" || m.validity != AnyValidity {
			m.input.SetValue("")
			m.validity = AnyValidity
			m.SetFilter("")
		}
		return m, nil
	default:
		return m, nil
	}
	m.clamp()
	return m, nil
}

// View renders the header, the rows on screen and the filter line, exactly width×height.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	w := m.width
	// Columns: cursor and ✗ 2, status 4, pair up to 24 (the longest pair), time 8, and the
	// recipient or first problem takes the rest, so a reason is cut as late as possible.
	pairW := min(max((w-6-10)/2, 4), 24)
	// Narrow lists drop the time (the detail view has it) so the pair stays readable.
	timeW := 9
	if w < 56 {
		timeW = 0
		pairW = min(max((w-6)/2, 4), 24)
	}
	timeCol := func(s string) string {
		if timeW == 0 {
			return ""
		}
		return " " + cell.Fit(s, 8)
	}
	lines := make([]string, 0, m.height)
	lines = append(lines, m.Styles.Header.Render(cell.Fit("  "+cell.Fit("ST", 4)+cell.Fit("TYPE/METRIC", pairW)+timeCol("TIME")+" RECIPIENT / PROBLEM", w)))
	rows := m.rows()
	n := m.VisibleLen()
	for r := m.offset; r < m.offset+rows && len(lines) < m.height; r++ {
		if r >= n {
			if r == 0 {
				empty := "  no events yet: g in the source pane generates some"
				if len(m.items) > 0 {
					empty = "  no events match the filter"
				}
				lines = append(lines, m.Styles.Dim.Render(cell.Fit(empty, w)))
				continue
			}
			lines = append(lines, strings.Repeat(" ", w))
			continue
		}
		it := m.items[m.at(r)]
		t := "--:--:--"
		if !it.At.IsZero() {
			t = it.At.Format("15:04:05")
		}
		st := it.Status
		if st == "" {
			st = "·"
		}
		// Both markers are characters, so they show without colour too (NO_COLOR).
		marker := " "
		if r == m.cursor {
			marker = ">"
		}
		valid, last := " ", it.Recipient
		if len(it.Problems) > 0 {
			valid, last = "✗", it.Problems[0]
			if len(it.Problems) > 1 {
				last = fmt.Sprintf("%s (+%d)", last, len(it.Problems)-1)
			}
		}
		row := cell.Fit(marker+valid+cell.Fit(st, 4)+cell.Fit(it.Event.Pair(), pairW)+timeCol(t)+" "+last, w)
		switch {
		case r == m.cursor && m.focused:
			row = m.Styles.Selected.Render(row)
		case len(it.Problems) > 0 && (it.Status == "" || it.Status == "..."):
			row = m.Styles.Invalid.Render(row)
		default:
			row = m.colour(it.Status, row)
		}
		lines = append(lines, row)
	}
	if len(lines) < m.height {
		switch {
		case m.filtering:
			lines = append(lines, cell.Fit(m.input.View(), w))
		case m.filter != "" || m.validity != AnyValidity:
			what := fmt.Sprintf("filter %q", m.filter)
			switch {
			case m.filter == "":
				what = m.validity.String()
			case m.validity != AnyValidity:
				what += ", " + m.validity.String()
			}
			lines = append(lines, m.Styles.Dim.Render(cell.Fit(fmt.Sprintf("%s: %d of %d (/ text, ! validity, esc clears)", what, n, len(m.items)), w)))
		}
	}
	for len(lines) < m.height {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return strings.Join(lines, "\n")
}

func (m Model) colour(status, row string) string {
	switch {
	case status == "":
		return row
	case status == "...":
		return m.Styles.Pending.Render(row)
	case len(status) == 3 && status[0] == '2':
		return m.Styles.OK.Render(row)
	default:
		return m.Styles.Failed.Render(row)
	}
}

// fit truncates or pads s to exactly w cells.

package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/ciosim/ciosim/tui/detail"
	"github.com/ciosim/ciosim/tui/inspector"
	"github.com/ciosim/ciosim/tui/sendlog"
)

// What the detail view shows.
type detailKind uint8

const (
	detailEvent detailKind = iota
	detailSend
	detailDead
)

// openDetail opens the detail view for the focused pane's selection: the event under the
// cursor (event list, inspector) or the send-log entry under the cursor.
func (m Model) openDetail() (tea.Model, tea.Cmd) {
	switch m.focus {
	case paneLog:
		e, ok := m.log_.Selected()
		if !ok {
			return m, m.setStatus(true, "nothing fired yet: f fires the selected event")
		}
		m.detailKind, m.detailSend = detailSend, e
	default:
		it, ok := m.list.Selected()
		if !ok {
			return m, m.setStatus(true, "no event selected: generate or load one first")
		}
		m.detailKind, m.detailID = detailEvent, it.ID
	}
	m.detailBack = m.modal
	m.modal = modalDetail
	m.refreshDetail(true)
	return m, nil
}

// openDeadDetail opens the detail view for the dead letter under the cursor.
func (m Model) openDeadDetail() (tea.Model, tea.Cmd) {
	if len(m.dead) == 0 {
		return m, nil
	}
	m.detailKind, m.detailDead = detailDead, m.dead[m.deadCursor]
	m.detailBack = modalDead
	m.modal = modalDetail
	m.refreshDetail(true)
	return m, nil
}

// detailKey handles keys while the detail view is open: esc (or enter, backspace) goes
// back, q quits, f fires the event shown (its answer appears under Sends), r re-sends the
// dead letter shown, and the rest scroll.
func (m Model) detailKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	switch msg.String() {
	case "esc", "enter", "backspace":
		m.modal = m.detailBack
		return m, nil
	case "q":
		m.cancelJob()
		return m, tea.Quit
	case "f":
		if m.detailKind == detailEvent {
			m.list.Select(m.detailID)
			show := m.showSelected()
			tm, cmd := m.fireSelected()
			return tm, tea.Batch(show, cmd)
		}
	case "r":
		if m.detailKind == detailDead {
			m.modal = modalDead
			return m.deadKey(msg)
		}
	}
	var cmd tea.Cmd
	m.detail, cmd = m.detail.Update(msg)
	return m, cmd
}

// detailHelp is the help line while the detail view is open.
func (m Model) detailHelp() []key.Binding {
	k := m.detail.KeyMap
	back := key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back"))
	out := []key.Binding{back, m.keys.Quit, k.Down, k.PageDown}
	switch m.detailKind {
	case detailEvent:
		out = append(out, key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fire it")))
	case detailDead:
		out = append(out, key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-send it")))
	}
	return append(out, k.Home, k.End)
}

// refreshDetail rebuilds the detail view's text from the model: on opening (top) and when
// an answer or a rendering arrives while it is open (keeping the scroll position).
func (m *Model) refreshDetail(top bool) {
	var title string
	var secs []detail.Section
	switch m.detailKind {
	case detailEvent:
		title, secs = m.eventDetail()
	case detailSend:
		title, secs = sendDetail(m.detailSend, m.eventBytes(m.detailSend.Event))
	case detailDead:
		title, secs = deadDetail(m.detailDead)
	}
	if top {
		m.detail.SetContent(title, secs...)
		return
	}
	m.detail.Replace(title, secs...)
}

func (m Model) eventBytes(id int) []byte {
	if it, ok := m.list.Item(id); ok {
		return it.Event.Bytes()
	}
	return nil
}

func (m Model) eventDetail() (string, []detail.Section) {
	it, ok := m.list.Item(m.detailID)
	if !ok {
		return "Event", []detail.Section{{Body: "the event is no longer in the list"}}
	}
	ev := it.Event
	title := fmt.Sprintf("Event #%d %s", it.ID, ev.Pair())
	var head strings.Builder
	fmt.Fprintf(&head, "event_id   %s\n", ev.EventID)
	if !it.At.IsZero() {
		fmt.Fprintf(&head, "timestamp  %d (%s)\n", ev.Timestamp, it.At.Format(time.RFC3339))
	}
	if it.Recipient != "" {
		fmt.Fprintf(&head, "recipient  %s\n", it.Recipient)
	}
	fmt.Fprintf(&head, "origin     %s\n", it.Origin)
	status := it.Status
	if status == "" {
		status = "not fired yet (f fires it)"
	}
	fmt.Fprintf(&head, "last send  %s", status)
	secs := []detail.Section{{Body: head.String()}}

	r, ready := m.insp.Current(), m.insp.Ready()
	// The inspector shows the selected event; its rendering is this event's when the
	// selection is still on it.
	sel, selOK := m.list.Selected()
	ready = ready && selOK && sel.ID == it.ID
	switch {
	case !ready:
		secs = append(secs, detail.Section{Title: "Validation", Body: "rendering…"},
			detail.Section{Title: "Customer.io JSON", Body: prettyJSON(ev.Bytes())})
	default:
		secs = append(secs, validationSection(r.CIOProblemList, r.XDMProblemList, r.Err, r.Warnings, r.XDMPlain != ""))
		secs = append(secs, detail.Section{Title: "Customer.io JSON", Body: r.CIOPlain})
		xdm := "XDM record · " + m.insp.Mapping()
		if m.insp.Envelope() {
			xdm = "XDM message · " + m.insp.Mapping()
		}
		body := r.XDMPlain
		if body == "" {
			body = "no XDM output"
		}
		secs = append(secs, detail.Section{Title: xdm, Body: body})
	}
	var sends strings.Builder
	for _, e := range m.log_.Entries() {
		if e.Event == it.ID {
			sends.WriteString(sendSummary(e) + "\n")
		}
	}
	if sends.Len() == 0 {
		sends.WriteString("not fired yet: f fires it")
	}
	secs = append(secs, detail.Section{Title: "Sends", Body: sends.String()})
	return title, secs
}

// validationSection lists both documents' problems, each with its path and reason.
func validationSection(cio, xdm []inspector.Problem, err error, warnings []string, haveXDM bool) detail.Section {
	var b strings.Builder
	for _, p := range cio {
		fmt.Fprintf(&b, "✗ Customer.io %s\n", p)
	}
	for _, p := range xdm {
		fmt.Fprintf(&b, "✗ XDM %s\n", p)
	}
	if err != nil {
		fmt.Fprintf(&b, "✗ transform failed: %v\n", err)
	}
	s := detail.Section{Title: "Validation", Body: b.String(), Problem: b.Len() > 0}
	if b.Len() == 0 {
		s.Body = "✓ the Customer.io event and its XDM payload are valid"
		if !haveXDM {
			s.Body = "✓ the Customer.io event is valid (no XDM preview)"
		}
	}
	for _, w := range warnings {
		s.Body += "\n~ " + w
	}
	return s
}

// sendSummary is one send on one line (the detail view wraps it).
func sendSummary(e sendlog.Entry) string {
	s := fmt.Sprintf("%s  %s  %s  %s, %d attempt(s)", e.At.UTC().Format("15:04:05"), statusText(e), e.Mode, e.Latency.Round(time.Microsecond), e.Attempts)
	if e.XactionID != "" {
		s += "  xactionId " + e.XactionID
	}
	if e.Err != "" {
		s += "\n    error: " + e.Err
	}
	if e.Body != "" && e.Body != e.Err && !e.OK() {
		s += "\n    body: " + strings.Join(strings.Fields(e.Body), " ")
	}
	return s
}

func statusText(e sendlog.Entry) string {
	if e.Status == 0 && e.Err != "" {
		return "ERR"
	}
	return fmt.Sprint(e.Status)
}

func sendDetail(e sendlog.Entry, event []byte) (string, []detail.Section) {
	title := fmt.Sprintf("Send of event #%d %s → %s", e.Event, e.Label, statusText(e))
	var b strings.Builder
	fmt.Fprintf(&b, "answered   %s\n", e.At.UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(&b, "status     %s\n", statusText(e))
	fmt.Fprintf(&b, "mode       %s\n", e.Mode)
	fmt.Fprintf(&b, "latency    %s\n", e.Latency)
	fmt.Fprintf(&b, "attempts   %d\n", e.Attempts)
	if e.XactionID != "" {
		fmt.Fprintf(&b, "xactionId  %s", e.XactionID)
	}
	if e.Good {
		fmt.Fprintf(&b, "\nverdict    good: the emulator mapped and validated it")
	}
	secs := []detail.Section{{Body: b.String()}}
	if e.Bad != "" {
		// The emulator's reasons, one per line, in the validator's (AEP's) words.
		secs = append(secs, detail.Section{Title: "Verdict: bad record (the emulator keeps it with the flow's failed records)",
			Body: strings.ReplaceAll(e.Bad, "; ", "\n"), Problem: true})
	}
	if e.Err != "" {
		secs = append(secs, detail.Section{Title: "Error", Body: e.Err, Problem: true})
	}
	if e.Body != "" && e.Body != e.Err { // a transport error has no body of its own
		secs = append(secs, detail.Section{Title: "Response body", Body: prettyJSON([]byte(e.Body)), Problem: !e.OK()})
	}
	if event != nil {
		secs = append(secs, detail.Section{Title: fmt.Sprintf("Event #%d (Customer.io JSON)", e.Event), Body: prettyJSON(event)})
	}
	return title, secs
}

func deadDetail(d DeadLetter) (string, []detail.Section) {
	title := fmt.Sprintf("Dead letter #%s", d.ID)
	var b strings.Builder
	if d.Status == 0 {
		b.WriteString("status     none: no HTTP answer\n")
	} else {
		fmt.Fprintf(&b, "status     %d\n", d.Status)
	}
	fmt.Fprintf(&b, "mode       %s\n", d.Mode)
	fmt.Fprintf(&b, "attempts   %d", d.Attempts)
	secs := []detail.Section{{Body: b.String()}}
	if d.Body != "" {
		secs = append(secs, detail.Section{Title: "Error / response body", Body: prettyJSON([]byte(d.Body)), Problem: true})
	}
	secs = append(secs, detail.Section{Title: "Event", Body: prettyJSON(d.Event)})
	return title, secs
}

// prettyJSON indents JSON for reading, or returns the text as it is when it is not JSON.
func prettyJSON(b []byte) string {
	var out bytes.Buffer
	if json.Indent(&out, bytes.TrimSpace(b), "", "  ") == nil {
		return out.String()
	}
	return string(b)
}

// afterUpdate keeps the open detail view current as answers and renderings arrive.
// and starts the next background check of the list's events.
func (m *Model) afterUpdate(msg tea.Msg) tea.Cmd {
	if m.modal == modalDetail {
		switch msg.(type) {
		case sentMsg, inspector.RenderedMsg, generatedMsg, tea.WindowSizeMsg:
			m.refreshDetail(false)
		}
	}
	return m.keepChecking()
}

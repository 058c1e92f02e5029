package sendlog

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

func TestModel_followsTailAndScrollsBack(t *testing.T) {
	m := New()
	m.Limit = 50
	m.SetSize(80, 4) // header + 3 rows
	m.Focus()
	for i := range 60 {
		e := Entry{At: time.Unix(int64(i), 0), Event: i, Status: 200, XactionID: fmt.Sprintf("x%d", i), Latency: 3 * time.Millisecond, Attempts: 1, Mode: "raw"}
		if i%7 == 0 {
			e.Status, e.XactionID, e.Body = 503, "", `{"title":"Service Unavailable"}`
		}
		m.Add(e)
	}
	if len(m.Entries()) != 50 {
		t.Errorf("kept %d entries, want the limit 50", len(m.Entries()))
	}
	if ok, bad := m.Counts(); ok+bad != 60 || bad != 9 {
		t.Errorf("counts = %d ok %d failed", ok, bad)
	}
	v := m.View()
	if !strings.Contains(v, "x59") || strings.Contains(v, "x55") {
		t.Errorf("not following the tail:\n%s", v)
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyUp})
	m.Add(Entry{Event: 60, Status: 200, XactionID: "x60"})
	if v := m.View(); strings.Contains(v, "x60") || !strings.Contains(v, "x58") {
		t.Errorf("scrolled back view moved on append:\n%s", v)
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEnd})
	if !strings.Contains(m.View(), "x60") {
		t.Error("end does not follow again")
	}
	m.SetSize(120, 30)
	if !strings.Contains(m.View(), `503    3.0ms   1  #56     raw   {"title":"Service Unavailable"}`) {
		t.Errorf("failed entry not shown with its body:\n%s", m.View())
	}
}

func TestModel_showsOutcomesAndTheEmulatorsVerdict(t *testing.T) {
	m := New()
	m.SetSize(140, 5)
	m.Add(Entry{Event: 1, Outcome: "delivered", Status: 200, XactionID: "x1", Bad: "timestamp: required", Mode: "raw", Attempts: 1})
	m.Add(Entry{Event: 2, Outcome: "rejected", Err: "transform: timestamp: not a date-time", Mode: "xdm"})
	m.Add(Entry{Event: 3, Outcome: "cancelled", Err: "interrupted: not sent", Mode: "raw", Attempts: 1})
	v := m.View()
	for _, want := range []string{"bad: timestamp: required · x1", "REJ", "transform: timestamp: not a date-time", "CXL"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	if ok, bad := m.Counts(); ok != 1 || bad != 2 {
		t.Errorf("counts %d ok %d not", ok, bad)
	}
}

func TestModel_cursorSelectsAnEntry(t *testing.T) {
	m := New()
	m.SetSize(80, 4)
	m.Focus()
	for i := range 10 {
		m.Add(Entry{Event: i, Status: 200, XactionID: fmt.Sprintf("x%d", i)})
	}
	if e, ok := m.Selected(); !ok || e.Event != 9 {
		t.Fatalf("selected %+v while following, want the newest", e)
	}
	if !strings.Contains(m.View(), ">") {
		t.Errorf("no cursor character (it must show without colour):\n%s", m.View())
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyHome})
	if e, _ := m.Selected(); e.Event != 0 || !strings.Contains(m.View(), "x0") {
		t.Errorf("home selected #%d:\n%s", e.Event, m.View())
	}
	m.Add(Entry{Event: 10, Status: 200, XactionID: "x10"})
	if e, _ := m.Selected(); e.Event != 0 {
		t.Errorf("a new entry moved the cursor off #0 to #%d", e.Event)
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEnd})
	m.Add(Entry{Event: 11, Status: 200, XactionID: "x11"})
	if e, _ := m.Selected(); e.Event != 11 {
		t.Errorf("after end the cursor should follow new entries, selected #%d", e.Event)
	}
}

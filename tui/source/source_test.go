package source

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

func k(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

func TestModel_catalogScenariosFiles(t *testing.T) {
	m := New([]Scenario{{Name: "email-campaign"}}, []string{"/data/rec"})
	m.SetSize(30, 40)
	m.Focus()
	if s := m.Selected(); s.Kind != KindObjectType || s.ObjectType != "customer" {
		t.Fatalf("initial selection = %+v", s)
	}
	m, _ = m.Update(k("j"))
	m, _ = m.Update(k("enter")) // expand email
	m, _ = m.Update(k("j"))
	if s := m.Selected(); s.Kind != KindPair || s.ObjectType != "email" || s.Metric != "drafted" {
		t.Fatalf("after expand and down: %+v", s)
	}
	_, cmd := m.Update(k("enter"))
	if cmd == nil {
		t.Fatal("enter on a pair does not activate it")
	}
	if msg, ok := cmd().(ActivatedMsg); !ok || msg.Selection.Metric != "drafted" {
		t.Errorf("activated %+v", msg)
	}
	m, _ = m.Update(k("h")) // collapse back to the type
	if s := m.Selected(); s.Kind != KindObjectType || s.ObjectType != "email" {
		t.Errorf("after collapse: %+v", s)
	}
	m.SetFile(File{Path: "/data/rec/a.jsonl", Records: 3})
	m.SetFile(File{Path: "/data/rec/b.jsonl", Records: 1, Skipped: 2})
	v := m.View()
	for _, want := range []string{"SCENARIOS", "email-campaign", "/data/rec/", "a.jsonl 3 ev", "b.jsonl 1 ev 2 bad"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	m.SelectFile("/data/rec/b.jsonl")
	m.RemoveFile("/data/rec/a.jsonl")
	if s := m.Selected(); s.Path != "/data/rec/b.jsonl" {
		t.Errorf("selection moved when another file went away: %+v", s)
	}
	if strings.Contains(m.View(), "a.jsonl") {
		t.Error("removed file still listed")
	}
	m.RemoveFile("/data/rec/b.jsonl")
	if !strings.Contains(m.View(), "(empty)") {
		t.Error("empty folder not shown as empty")
	}
}

func TestModel_scrollsToCursor(t *testing.T) {
	m := New(nil, nil)
	m.SetSize(20, 5)
	m.Focus()
	for _, ot := range []string{"email", "push", "sms"} {
		m.Expand(ot)
	}
	for range 30 {
		m, _ = m.Update(k("down"))
	}
	v := m.View()
	if len(strings.Split(v, "\n")) != 5 {
		t.Fatalf("view is not 5 lines")
	}
	sel := m.Selected()
	if sel.Metric == "" || !strings.Contains(v, sel.Metric) {
		t.Errorf("cursor row %+v not on screen:\n%s", sel, v)
	}
}

// TestModel_rotatedRecordingsStayDistinct: in a narrow pane, names of rotated recordings are
// shortened in the middle (their ends differ) and the counts move below, and the cursor is
// a character (NO_COLOR shows no reverse video).
func TestModel_rotatedRecordingsStayDistinct(t *testing.T) {
	m := New(nil, []string{"/data/rec"})
	m.SetSize(18, 40)
	m.Focus()
	names := []string{"ciosim-2026-03-14-001.jsonl", "ciosim-2026-03-14-002.jsonl", "ciosim-2026-04-14-001.jsonl"}
	for _, n := range names {
		m.SetFile(File{Path: "/data/rec/" + n, Records: 4})
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(m.View(), "\n") {
		if strings.Contains(l, "…") {
			if seen[l] {
				t.Errorf("two files look alike: %q", l)
			}
			seen[l] = true
		}
	}
	if len(seen) != 3 || !strings.Contains(m.View(), "4 ev") {
		t.Errorf("files not all listed with their counts:\n%s", m.View())
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEnd})
	if s := m.Selected(); s.Path != "/data/rec/"+names[2] {
		t.Errorf("end selected %+v, want the last file", s)
	}
	if !strings.Contains(m.View(), ">  ") {
		t.Errorf("no cursor character on the focused pane:\n%s", m.View())
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyHome})
	if s := m.Selected(); s.Kind != KindObjectType || s.ObjectType != "customer" {
		t.Errorf("home selected %+v, want the first object type", s)
	}
	m.SetSize(18, 5)
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyPgDown})
	if s := m.Selected(); s.Kind != KindObjectType || s.ObjectType != "sms" {
		t.Errorf("page down selected %+v, want sms four rows on", s)
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyPgUp})
	if s := m.Selected(); s.ObjectType != "customer" {
		t.Errorf("page up selected %+v, want customer", s)
	}
}

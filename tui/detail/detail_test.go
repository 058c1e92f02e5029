package detail

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
)

func TestModel_wrapsEveryCharacterAndScrolls(t *testing.T) {
	id := strings.Repeat("0123456789", 9) // one word longer than the width
	m := New()
	m.SetSize(20, 3)
	m.SetContent("t", Section{Title: "Ids", Body: "delivery_id " + id}, Section{Title: "Error", Body: "dial tcp: no such host", Problem: true})
	var all strings.Builder
	for _, l := range m.Lines() {
		if w := ansi.StringWidth(l); w > 20 {
			t.Errorf("line %q is %d cells wide", l, w)
		}
		all.WriteString(strings.ReplaceAll(ansi.Strip(l), " ", ""))
	}
	if !strings.Contains(all.String(), id) || !strings.Contains(all.String(), "dialtcp:nosuchhost") {
		t.Errorf("text lost in wrapping: %q", all.String())
	}
	if m.Position() != "top" {
		t.Errorf("position %q, want top", m.Position())
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEnd})
	if v := ansi.Strip(m.View()); !strings.Contains(v, "host") || m.Position() != "end" {
		t.Errorf("end shows %q (position %s)", v, m.Position())
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyHome})
	if v := ansi.Strip(m.View()); !strings.HasPrefix(v, "Ids") {
		t.Errorf("home shows %q", v)
	}
	m.SetSize(200, 3) // wider: fewer lines, nothing cut
	if len(m.Lines()) != 5 {
		t.Errorf("at 200 columns: %d lines, want 5: %q", len(m.Lines()), m.Lines())
	}
}

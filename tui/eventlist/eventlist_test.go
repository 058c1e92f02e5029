package eventlist

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/ciosim/ciosim/customerio"
)

func event(i int, metric string) customerio.Event {
	data := fmt.Sprintf(`{"recipient":"user%d@example.com","identifiers":{"id":"%d"}}`, i, i)
	return customerio.Assemble(fmt.Sprintf("ev%06d", i), "email", metric, 1773500000+int64(i), []byte(data))
}

func items(n int) []Item {
	out := make([]Item, n)
	for i := range out {
		m := "opened"
		if i%10 == 0 {
			m = "clicked"
		}
		out[i] = NewItem(event(i, m), "test")
	}
	return out
}

func press(k string) tea.KeyMsg {
	switch k {
	case "down":
		return tea.KeyMsg{Type: tea.KeyDown}
	case "up":
		return tea.KeyMsg{Type: tea.KeyUp}
	case "end":
		return tea.KeyMsg{Type: tea.KeyEnd}
	case "pgdown":
		return tea.KeyMsg{Type: tea.KeyPgDown}
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

func TestNewItem(t *testing.T) {
	it := NewItem(event(7, "opened"), "file.jsonl")
	if it.Recipient != "user7@example.com" || !it.At.Equal(time.Unix(1773500007, 0)) || it.Origin != "file.jsonl" {
		t.Errorf("NewItem = %+v", it)
	}
	noRecipient := customerio.Assemble("e", "customer", "subscribed", 1, []byte(`{"identifiers":{"email":"a@b.c"}}`))
	if got := NewItem(noRecipient, "").Recipient; got != "a@b.c" {
		t.Errorf("recipient falls back to identifiers.email: got %q", got)
	}
}

func TestModel_virtualisedViewRendersOnlyTheWindow(t *testing.T) {
	m := New()
	m.Focus()
	m.SetSize(60, 10)
	m.Append(items(100000)...)
	v := m.View()
	lines := strings.Split(v, "\n")
	if len(lines) != 10 {
		t.Fatalf("View() has %d lines, want 10", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != 60 {
			t.Errorf("line %d is %d wide", i, w)
		}
	}
	// The cursor followed the tail: the last event is on screen and selected.
	if sel, _ := m.Selected(); sel.ID != 99999 || !strings.Contains(v, "user99999@") {
		t.Errorf("selected %d; view:\n%s", sel.ID, v)
	}
	m, _ = m.Update(press("g")) // not a list key: nothing moves
	m, _ = m.Update(press("up"))
	if sel, _ := m.Selected(); sel.ID != 99998 {
		t.Errorf("after up: selected %d, want 99998", sel.ID)
	}
}

func TestModel_navigation(t *testing.T) {
	m := New()
	m.Focus()
	m.SetSize(60, 6) // header + 5 rows
	m.Append(items(20)...)
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyHome})
	tests := []struct {
		key  string
		want int
	}{
		{"down", 1}, {"j", 2}, {"pgdown", 7}, {"end", 19}, {"up", 18}, {"k", 17},
	}
	for _, tt := range tests {
		m, _ = m.Update(press(tt.key))
		if sel, _ := m.Selected(); sel.ID != tt.want {
			t.Errorf("after %s: selected %d, want %d", tt.key, sel.ID, tt.want)
		}
		if !strings.Contains(m.View(), fmt.Sprintf("user%d@", tt.want)) {
			t.Errorf("after %s: selected row not on screen", tt.key)
		}
	}
	// Appending while not on the last row keeps the selection.
	m, _ = m.Update(press("up"))
	m.Append(items(1)...)
	if sel, _ := m.Selected(); sel.ID != 16 {
		t.Errorf("selection moved on append: %d", sel.ID)
	}
}

func TestModel_filter(t *testing.T) {
	m := New()
	m.Focus()
	m.SetSize(70, 8)
	m.Append(items(100)...)
	m, _ = m.Update(press("/"))
	if !m.Filtering() {
		t.Fatal("/ did not open the filter")
	}
	for _, r := range "CLICKED" {
		m, _ = m.Update(press(string(r)))
	}
	if got := m.VisibleLen(); got != 10 {
		t.Errorf("visible = %d, want 10 clicked events", got)
	}
	m, _ = m.Update(press("enter"))
	if m.Filtering() || m.Filter() != "clicked" {
		t.Errorf("filtering=%v filter=%q after enter", m.Filtering(), m.Filter())
	}
	if !strings.Contains(m.View(), `filter "clicked": 10 of 100`) {
		t.Errorf("view lacks the filter line:\n%s", m.View())
	}
	ids := m.VisibleIDs()
	for _, id := range ids {
		if id%10 != 0 {
			t.Errorf("visible id %d is not a clicked event", id)
		}
	}
	// New matching events join the filtered view; others do not.
	m.Append(NewItem(event(100, "clicked"), "x"), NewItem(event(101, "opened"), "x"))
	if got := m.VisibleLen(); got != 11 {
		t.Errorf("visible after append = %d, want 11", got)
	}
	m, _ = m.Update(press("esc"))
	if got := m.VisibleLen(); got != 102 {
		t.Errorf("visible after esc = %d, want all 102", got)
	}
	m.SetFilter("user5@")
	if got := m.VisibleLen(); got != 1 {
		t.Errorf("recipient filter: %d visible, want 1", got)
	}
}

func TestModel_statusAndReplace(t *testing.T) {
	m := New()
	m.SetSize(60, 5)
	m.Append(items(3)...)
	m.SetStatus(1, "202")
	m.Replace(1, event(42, "clicked"))
	it, _ := m.Item(1)
	if it.Status != "202" || it.Event.Metric != "clicked" || it.Recipient != "user42@example.com" || it.ID != 1 {
		t.Errorf("item after replace = %+v", it)
	}
	if !strings.Contains(m.View(), "202") {
		t.Error("status not shown")
	}
}

func BenchmarkView100k(b *testing.B) {
	m := New()
	m.Focus()
	m.SetSize(100, 30)
	m.Append(items(100000)...)
	b.ResetTimer()
	for b.Loop() {
		m, _ = m.Update(press("up"))
		_ = m.View()
	}
}

func BenchmarkFilterKeystroke100k(b *testing.B) {
	m := New()
	m.SetSize(100, 30)
	m.Append(items(100000)...)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		m.SetFilter([]string{"click", "clicke", "user9", "opened"}[i%4])
		_ = m.View()
	}
}

func TestModel_invalidEventsAreMarkedAndFiltered(t *testing.T) {
	m := New()
	m.SetSize(100, 10)
	m.Focus()
	m.Append(items(6)...)
	if got := m.TakeUnchecked(4); len(got) != 4 || m.Unchecked() != 2 {
		t.Fatalf("took %d, %d left; want 4 and 2", len(got), m.Unchecked())
	}
	m.TakeUnchecked(10)
	m.SetChecked(map[int][]string{0: nil, 1: {"XDM /eventType: must be one of the enum values", "Customer.io data.recipient: required"}, 2: nil, 3: nil, 4: {"Customer.io timestamp: expected integer"}, 5: nil}, nil)
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "✗·   email/opened") || !strings.Contains(v, "XDM /eventType: must be one of the enum values (+1)") {
		t.Errorf("invalid event not marked with its reason:\n%s", v)
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'!'}})
	if m.Validity() != OnlyInvalid || m.VisibleLen() != 2 || !strings.Contains(ansi.Strip(m.View()), "invalid only (✗): 2 of 6") {
		t.Errorf("invalid only: %d visible:\n%s", m.VisibleLen(), ansi.Strip(m.View()))
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{'!'}})
	if m.Validity() != OnlyValid || m.VisibleLen() != 4 {
		t.Errorf("valid only: %d visible", m.VisibleLen())
	}
	// An edited event is checked again; until then it is not known to be valid.
	m.Replace(0, event(0, "opened"))
	if m.Unchecked() != 1 || m.VisibleLen() != 4 {
		t.Errorf("after an edit: %d unchecked, %d visible", m.Unchecked(), m.VisibleLen())
	}
	m.SetChecked(map[int][]string{0: {"Customer.io x: y"}}, nil)
	if m.VisibleLen() != 3 {
		t.Errorf("a check result did not update the validity filter: %d visible", m.VisibleLen())
	}
	m, _ = m.Update(tea.KeyMsg{Type: tea.KeyEsc})
	if m.Validity() != AnyValidity || m.VisibleLen() != 6 {
		t.Errorf("esc: validity %v, %d visible", m.Validity(), m.VisibleLen())
	}
}

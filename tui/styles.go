package tui

import "github.com/charmbracelet/lipgloss"

// Styles are the root model's styles; each pane has its own.
type Styles struct {
	Border, FocusedBorder lipgloss.Style
	Title, FocusedTitle   lipgloss.Style
	Status, StatusKey     lipgloss.Style
	Info, Error           lipgloss.Style
	Modal                 lipgloss.Style
}

// DefaultStyles returns the default styles.
func DefaultStyles() Styles {
	return Styles{
		Border:        lipgloss.NewStyle().Faint(true),
		FocusedBorder: lipgloss.NewStyle().Foreground(lipgloss.Color("6")),
		Title:         lipgloss.NewStyle().Bold(true),
		FocusedTitle:  lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("6")),
		Status:        lipgloss.NewStyle().Reverse(true),
		StatusKey:     lipgloss.NewStyle().Bold(true),
		Info:          lipgloss.NewStyle().Foreground(lipgloss.Color("2")),
		Error:         lipgloss.NewStyle().Foreground(lipgloss.Color("1")).Bold(true),
		Modal:         lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
	}
}

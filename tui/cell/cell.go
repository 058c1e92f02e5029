// Package cell lays text into fixed-width terminal cells: the one piece of text geometry
// every pane of the TUI shares. It measures display width, not bytes, and is ANSI-aware.
package cell

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Fit truncates s to w display columns (ending in "…" when cut) and pads it with spaces to
// exactly w columns. A width of zero or less gives "".
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

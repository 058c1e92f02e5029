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

// Middle shortens plain text s to at most w columns by replacing its middle with "…",
// keeping more of the end than of the start: names that differ at the end (rotated files,
// ids with a sequence) stay distinguishable. s is returned as it is when it fits.
func Middle(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	if w <= 1 {
		return Fit(s, w)
	}
	head := min((w-1)/3, 4)
	tail := w - 1 - head
	n := ansi.StringWidth(s)
	return ansi.Cut(s, 0, head) + "…" + ansi.Cut(s, n-tail, n)
}

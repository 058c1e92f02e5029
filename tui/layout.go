package tui

// box is a framed pane's outer rectangle.
type box struct{ x, y, w, h int }

// frameSize is the border around every pane: one cell on each side.
const frameSize = 2

func (b box) innerW() int { return max(b.w-frameSize, 0) }
func (b box) innerH() int { return max(b.h-frameSize, 0) }

// arrangement says which panes a layout shows at once.
type arrangement uint8

const (
	// arrangeAll shows the four panes: the source column and the others stacked beside it,
	// or, from wideLayout columns, the inspector in a column of its own.
	arrangeAll arrangement = iota
	// arrangeTwo shows the source column and one more pane at full height: the focused
	// one, or the event list while the source pane has focus. Tab walks through them.
	arrangeTwo
	// arrangeOne shows the focused pane alone.
	arrangeOne
	// arrangeNone is a terminal too small for any pane: only a one-line note is drawn.
	arrangeNone
)

// layout places the panes. The source pane is a left column. Below 160 columns the event
// list, inspector and send log are stacked on the right (from about 100 columns the inspector
// is wide enough to put both JSON documents side by side); from 160 columns the inspector
// gets its own right column at full height. Terminals too short for the stack show the
// source column and the focused pane; terminals too narrow for two columns show the focused
// pane alone. Every box fits inside w×h at any size, so no pane is ever asked to draw into
// a negative size.
type layout struct {
	source, list, insp, log box
	mainH                   int
	arrange                 arrangement
}

// chromeH is the status bar and the help line.
const chromeH = 2

// wideLayout is the width from which the inspector gets a column of its own.
const wideLayout = 160

// Thresholds of the smaller arrangements: the stack needs room for a list, an inspector
// and a log of a few rows each; two columns need a readable source column beside a pane.
const (
	stackMinW, stackMinMainH = 60, 18
	twoMinW                  = 60
	oneMinW, oneMinMainH     = 12, 3
	wideMinMainH             = 12
)

func computeLayout(w, h int) layout {
	w, h = max(w, 0), max(h, 0)
	var l layout
	l.mainH = max(h-chromeH, 0)
	switch {
	case w < oneMinW || l.mainH < oneMinMainH:
		l.arrange = arrangeNone
		return l
	case w < twoMinW:
		l.arrange = arrangeOne
		full := box{0, 0, w, l.mainH}
		l.source, l.list, l.insp, l.log = full, full, full, full
		return l
	case l.mainH < stackMinMainH && (w < wideLayout || l.mainH < wideMinMainH):
		l.arrange = arrangeTwo
		srcW := min(max(w/4, 18), 26)
		right := box{srcW, 0, w - srcW, l.mainH}
		l.source = box{0, 0, srcW, l.mainH}
		l.list, l.insp, l.log = right, right, right
		return l
	}
	l.arrange = arrangeAll
	if w >= wideLayout {
		srcW := min(max(w/5, 26), 34)
		rest := w - srcW
		listW := rest * 45 / 100
		logH := max(l.mainH/3, 6)
		l.source = box{0, 0, srcW, l.mainH}
		l.list = box{srcW, 0, listW, l.mainH - logH}
		l.log = box{srcW, l.mainH - logH, listW, logH}
		l.insp = box{srcW + listW, 0, rest - listW, l.mainH}
		return l
	}
	srcW := min(max(w/4, 18), 26)
	rest := w - srcW
	listH := max(l.mainH*30/100, 5)
	logH := max(l.mainH/5, 5)
	l.source = box{0, 0, srcW, l.mainH}
	l.list = box{srcW, 0, rest, listH}
	l.log = box{srcW, l.mainH - logH, rest, logH}
	l.insp = box{srcW, listH, rest, l.mainH - listH - logH}
	return l
}

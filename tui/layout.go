package tui

// box is a framed pane's outer rectangle.
type box struct{ x, y, w, h int }

// frameSize is the border around every pane: one cell on each side.
const frameSize = 2

func (b box) innerW() int { return max(b.w-frameSize, 0) }
func (b box) innerH() int { return max(b.h-frameSize, 0) }

// layout places the panes. The source pane is a left column. Below 160 columns the event
// list, inspector and send log are stacked on the right (from about 100 columns the inspector
// is wide enough to put both JSON documents side by side); from 160 columns the inspector
// gets its own right column at full height.
type layout struct {
	source, list, insp, log box
	mainH                   int
}

// chromeH is the status bar and the help line.
const chromeH = 2

// wideLayout is the width from which the inspector gets a column of its own.
const wideLayout = 160

func computeLayout(w, h int) layout {
	w, h = max(w, 40), max(h, 12)
	var l layout
	l.mainH = h - chromeH
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

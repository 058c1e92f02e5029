package javatime

import (
	"fmt"
	"strings"
	"time"
)

// ParseError reports text the pattern does not match, in Java's words.
type ParseError struct {
	Text string
	Pos  int // byte offset where parsing stopped; -1 when the fields did not resolve
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Pos >= 0 {
		return fmt.Sprintf("Text %q could not be parsed at index %d", e.Text, e.Pos)
	}
	return fmt.Sprintf("Text %q could not be parsed: %s", e.Text, e.Msg)
}

// parsed holds the fields read from the text (DateTimeParseContext's Parsed).
type parsed struct {
	vals   [numFields]int64
	set    [numFields]bool
	zone   *time.Location
	offset int
	hasOff bool
	// nameDST is 1 when the zone came from a standard-time name (PST), 2 from a
	// daylight-time name (PDT), 0 otherwise.
	nameDST int8
}

func (p *parsed) setField(f field, v int64) bool {
	if p.set[f] && p.vals[f] != v {
		return false
	}
	p.vals[f], p.set[f] = v, true
	return true
}

// Parse reads text with the pattern as Java's DateTimeFormatter.parse does (strict, case
// sensitive, ResolverStyle.SMART) and resolves it to a date-time as
// parseBest(ZonedDateTime, LocalDateTime, LocalDate) would: a time missing from the text
// (or not resolvable, as h without a) is midnight, a zone missing from it is UTC
// (ZoneOffset.UTC).
func (f *Formatter) Parse(text string) (time.Time, error) { return f.parse(text, false) }

// ParseFixedNames is Parse except that a zone name read by z or zzzz stands for its own
// offset: "PST" is -08:00 even on a summer date, where java.time applies the rules of
// America/Los_Angeles (-07:00). This is how SimpleDateFormat reads names and what Adobe's
// documented example of date() with "PST" shows; the result keeps the name's zone.
func (f *Formatter) ParseFixedNames(text string) (time.Time, error) { return f.parse(text, true) }

// Matches is Parse without the error: false where Parse fails, and then it allocates
// nothing, so trying a list of patterns in turn (as Data Prep's date() and date-time
// coercion do) costs no garbage for the patterns that do not match.
func (f *Formatter) Matches(text string) (time.Time, bool) {
	var p parsed
	if pos := parseItems(f.items, text, 0, &p); pos != len(text) {
		return time.Time{}, false
	}
	t, err := p.resolve()
	return t, err == nil
}

func (f *Formatter) parse(text string, fixedNames bool) (time.Time, error) {
	var p parsed
	pos := parseItems(f.items, text, 0, &p)
	if pos < 0 {
		return time.Time{}, &ParseError{Text: text, Pos: ^pos}
	}
	if pos < len(text) {
		return time.Time{}, &ParseError{Text: text, Pos: pos, Msg: "unparsed text found"}
	}
	t, err := p.resolve()
	if err != nil {
		return time.Time{}, &ParseError{Text: text, Pos: -1, Msg: err.Error()}
	}
	if fixedNames && p.nameDST != 0 && !p.hasOff {
		if off, ok := nameOffset(t, p.nameDST == 2); ok {
			y, mo, d := t.Date()
			h, mi, s := t.Clock()
			t = time.Date(y, mo, d, h, mi, s, t.Nanosecond(), time.FixedZone("", off)).In(t.Location())
		}
	}
	return t, nil
}

// parseItems returns the position after the items, or ^errorPosition.
func parseItems(items []item, text string, pos int, p *parsed) int {
	for i := range items {
		it := &items[i]
		if it.kind == kOptional {
			saved := *p
			n := parseItems(it.opt, text, pos, p)
			if n < 0 {
				*p = saved
				continue
			}
			pos = n
			continue
		}
		if it.pad > 0 {
			pos = parsePadded(it, text, pos, p)
		} else {
			pos = parseItem(it, text, pos, p)
		}
		if pos < 0 {
			return pos
		}
	}
	return pos
}

// parsePadded skips the pad characters and parses the item within the pad width.
func parsePadded(it *item, text string, pos int, p *parsed) int {
	end := pos + it.pad
	if end > len(text) {
		return ^pos
	}
	j := pos
	for j < end && text[j] == ' ' {
		j++
	}
	inner := *it
	inner.pad = 0
	n := parseItem(&inner, text[:end], j, p)
	if n < 0 || n != end {
		return ^pos
	}
	return n
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func parseItem(it *item, text string, pos int, p *parsed) int {
	switch it.kind {
	case kLit:
		if strings.HasPrefix(text[pos:], it.lit) {
			return pos + len(it.lit)
		}
		return ^pos
	case kNum, kReduced, kFrac:
		return parseNumber(it, text, pos, p)
	case kText:
		return parseText(it, text, pos, p)
	case kOffset:
		secs, n := parseOffset(text, pos, it.min, it.zero)
		if n < 0 {
			return n
		}
		if p.hasOff && p.offset != secs {
			return ^pos
		}
		p.offset, p.hasOff = secs, true
		return n
	case kLocOffset:
		return parseLocalizedOffset(text, pos, p)
	case kZoneID, kZoneText, kZoneGeneric:
		return parseZone(it, text, pos, p)
	}
	return ^pos
}

// parseNumber is NumberPrinterParser.parse in a strict context, with the reserved width of
// adjacent fixed-width fields (subsequentWidth).
func parseNumber(it *item, text string, pos int, p *parsed) int {
	length := len(text)
	if pos == length {
		return ^pos
	}
	start := pos
	minW, maxW := it.min, it.max+max(it.sub, 0)
	neg, plus := false, false
	switch text[pos] {
	case '+':
		fixed := it.sub == -1 || (it.sub > 0 && it.min == it.max && it.sign == signNotNegative)
		if !signParse(it, true, fixed) {
			return ^pos
		}
		plus = true
		pos++
	case '-':
		fixed := it.sub == -1 || (it.sub > 0 && it.min == it.max && it.sign == signNotNegative)
		if !signParse(it, false, fixed) {
			return ^pos
		}
		neg = true
		pos++
	}
	digitsStart := pos
	if pos+minW > length {
		return ^start
	}
	var total int64
	end := pos
	for pass := 0; pass < 2; pass++ {
		maxEnd := min(pos+maxW, length)
		total, end = 0, pos
		counting := it.sub > 0 && pass == 0 // only the length matters on the first pass
		for end < maxEnd && isDigit(text[end]) {
			if !counting {
				if end-pos >= 18 {
					return ^start // beyond what any field holds
				}
				total = total*10 + int64(text[end]-'0')
			}
			end++
		}
		if end < pos+minW {
			return ^start
		}
		if it.sub > 0 && pass == 0 {
			maxW = max(minW, end-pos-it.sub)
			continue
		}
		break
	}
	n := end - digitsStart
	if neg {
		if total == 0 {
			return ^(start)
		}
		total = -total
	} else if it.sign == signExceedsPad {
		if plus && n <= it.min {
			return ^start
		}
		if !plus && n > it.min {
			return ^start
		}
	}
	switch it.kind {
	case kReduced:
		if n == 2 && total >= 0 {
			total += 2000 // base 2000: 2000-2099
		}
	case kFrac:
		for i := n; i < 9; i++ {
			total *= 10
		}
	}
	if !p.setField(it.field, total) {
		return ^start
	}
	return end
}

// signParse is SignStyle.parse for a strict context.
func signParse(it *item, positive bool, fixed bool) bool {
	switch it.sign {
	case signNormal:
		return !positive
	case signExceedsPad:
		return true
	}
	return false
}

func parseText(it *item, text string, pos int, p *parsed) int {
	var names []string
	first := int64(1)
	switch it.field {
	case fEra:
		first = 0
		names = map[textStyle][]string{styleShort: {"BC", "AD"}, styleFull: {"Before Christ", "Anno Domini"}, styleNarrow: {"B", "A"}}[it.style]
	case fMonth:
		switch it.style {
		case styleShort:
			names = monthsShort[:]
		case styleFull:
			names = monthsFull[:]
		default:
			for _, m := range monthsFull {
				names = append(names, m[:1])
			}
		}
	case fQuarter:
		switch it.style {
		case styleShort:
			names = quarterAbbr[:]
		case styleFull:
			names = quarterFull[:]
		default:
			names = []string{"1", "2", "3", "4"}
		}
	case fDayOfWeek:
		switch it.style {
		case styleShort:
			names = daysShort[:]
		case styleFull:
			names = daysFull[:]
		default:
			for _, d := range daysFull {
				names = append(names, d[:1])
			}
		}
	case fAmPm:
		first = 0
		names = []string{"AM", "PM"}
	default: // day periods are not parsed
		return ^pos
	}
	// Java tries the longest text first; for equal texts (narrow styles) the last value wins.
	best, bestV := -1, int64(0)
	for i, n := range names {
		if strings.HasPrefix(text[pos:], n) && len(n) >= best {
			best, bestV = len(n), int64(i)+first
		}
	}
	if best < 0 {
		return ^pos
	}
	if !p.setField(it.field, bestV) {
		return ^pos
	}
	return pos + best
}

// parseOffset is OffsetIdPrinterParser.parse in a strict context; it returns the offset in
// seconds and the position after it (or ^position).
func parseOffset(text string, pos, typ int, zero string) (int, int) {
	if pos == len(text) {
		return 0, ^pos
	}
	if zero != "" && strings.HasPrefix(text[pos:], zero) {
		return 0, pos + len(zero)
	}
	sign := text[pos]
	if sign != '+' && sign != '-' {
		return 0, ^pos
	}
	colon := offsetColon(typ)
	at := pos + 1
	var v [3]int
	ok := true
	digits := func(idx int, withColon bool) bool {
		q := at
		if withColon {
			if q >= len(text) || text[q] != ':' {
				return false
			}
			q++
		}
		if q+2 > len(text) || !isDigit(text[q]) || !isDigit(text[q+1]) {
			return false
		}
		n := int(text[q]-'0')*10 + int(text[q+1]-'0')
		if n > 59 {
			return false
		}
		v[idx] = n
		at = q + 2
		return true
	}
	ok = digits(0, false)
	switch typ {
	case 1, 2:
		if ok {
			digits(1, colon)
		}
	case 3, 4:
		ok = ok && digits(1, colon)
	case 5, 6:
		ok = ok && digits(1, colon)
		if ok {
			digits(2, colon)
		}
	}
	if !ok {
		return 0, ^pos
	}
	if v[0] > 23 {
		return 0, ^pos
	}
	secs := v[0]*3600 + v[1]*60 + v[2]
	if sign == '-' {
		secs = -secs
	}
	return secs, at
}

// parseLocalizedOffset reads "GMT", "GMT+8", "GMT-08:00", "GMT+5:30:15".
func parseLocalizedOffset(text string, pos int, p *parsed) int {
	if !strings.HasPrefix(text[pos:], "GMT") {
		return ^pos
	}
	at := pos + 3
	secs := 0
	if at < len(text) && (text[at] == '+' || text[at] == '-') {
		neg := text[at] == '-'
		at++
		h := 0
		n := 0
		for n < 2 && at < len(text) && isDigit(text[at]) {
			h = h*10 + int(text[at]-'0')
			at++
			n++
		}
		if n == 0 || h > 23 {
			return ^pos
		}
		m, s := 0, 0
		if at+2 < len(text) && text[at] == ':' && isDigit(text[at+1]) && isDigit(text[at+2]) {
			m = int(text[at+1]-'0')*10 + int(text[at+2]-'0')
			at += 3
			if at+2 < len(text) && text[at] == ':' && isDigit(text[at+1]) && isDigit(text[at+2]) {
				s = int(text[at+1]-'0')*10 + int(text[at+2]-'0')
				at += 3
			}
		}
		if m > 59 || s > 59 {
			return ^pos
		}
		secs = h*3600 + m*60 + s
		if neg {
			secs = -secs
		}
	}
	if p.hasOff && p.offset != secs {
		return ^pos
	}
	p.offset, p.hasOff = secs, true
	return at
}

// parseZone is ZoneIdPrinterParser.parse (VV) and ZoneTextPrinterParser.parse (z, v).
func parseZone(it *item, text string, pos int, p *parsed) int {
	if pos == len(text) {
		return ^pos
	}
	setZone := func(l *time.Location, end int) int {
		if p.zone != nil && p.zone.String() != l.String() {
			return ^pos
		}
		p.zone = l
		return end
	}
	rest := text[pos:]
	c := rest[0]
	if c == '+' || c == '-' {
		secs, n := parseOffset(text, pos, 6, "Z")
		if n < 0 {
			return ^pos
		}
		return setZone(offsetZone(secs), n)
	}
	for _, pfx := range []string{"UTC", "GMT", "UT"} {
		if !strings.HasPrefix(rest, pfx) {
			continue
		}
		if pfx == "GMT" && strings.HasPrefix(rest, "GMT0") {
			return setZone(time.FixedZone("GMT0", 0), pos+4)
		}
		at := pos + len(pfx)
		if at < len(text) && (text[at] == '+' || text[at] == '-') {
			secs, n := parseOffset(text, at, 6, "0")
			if n >= 0 {
				if secs == 0 {
					return setZone(time.FixedZone(pfx, 0), n)
				}
				return setZone(time.FixedZone(pfx+offsetID(secs), secs), n)
			}
		}
		if pfx == "UTC" {
			return setZone(UTCZone, at)
		}
		return setZone(time.FixedZone(pfx, 0), at)
	}
	tb := table()
	var keys []string
	var names map[string]string
	switch {
	case it.kind == kZoneText && it.style == styleFull:
		keys, names = tb.fullKeys, tb.full
	case it.kind == kZoneText:
		keys, names = tb.shortKeys, tb.short
	default:
		keys = tb.shortKeys // ids only, checked below
	}
	for _, k := range keys {
		if !strings.HasPrefix(rest, k) {
			continue
		}
		id := k
		if names != nil {
			if z, ok := names[k]; ok {
				id = z
			}
		}
		if n, ok := tb.names[id]; ok && it.kind == kZoneText && k != id {
			switch k {
			case n.short, n.full:
				p.nameDST = 1
			case n.shortDST, n.fullDST:
				p.nameDST = 2
			}
		}
		if _, isID := tb.names[id]; !isID {
			continue
		}
		if it.kind == kZoneID || it.kind == kZoneGeneric {
			if _, isID := tb.names[k]; !isID {
				continue
			}
		}
		l, err := LoadZone(id)
		if err != nil {
			continue
		}
		return setZone(l, pos+len(k))
	}
	if c == 'Z' {
		return setZone(time.UTC, pos+1)
	}
	return ^pos
}

// nameOffset finds the zone's standard (or daylight) offset around t: the offset at t when
// that is of the wanted kind, else at the nearest of the next eleven months that is.
func nameOffset(t time.Time, dst bool) (int, bool) {
	for i := 0; i < 12; i++ {
		u := t.AddDate(0, i, 0)
		if u.IsDST() == dst {
			_, off := u.Zone()
			return off, true
		}
		u = t.AddDate(0, -i, 0)
		if u.IsDST() == dst {
			_, off := u.Zone()
			return off, true
		}
	}
	return 0, false
}

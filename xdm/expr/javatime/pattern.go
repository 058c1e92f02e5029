// Package javatime formats and parses date-times with the pattern language of Java's
// java.time.format.DateTimeFormatter.ofPattern, as AEP Data Prep's date functions do.
//
// The rules follow DateTimeFormatterBuilder.appendPattern of OpenJDK 17 in Locale.US (the
// locale is fixed: English month and day names, weeks starting on Sunday with one minimal
// day in the first week, "AM"/"PM"), with the ResolverStyle.SMART defaults of ofPattern:
// parsing is strict and case sensitive, a day-of-month past the month's end is clamped.
// Zone ids are IANA ids resolved through time.LoadLocation with the embedded time/tzdata;
// zone names and abbreviations come from a table generated from Java 17 (see zonedata.go).
//
// What differs from Java is listed in docs/transform.md; in short: parsing narrow text
// (MMMMM, EEEEE) and the localized week fields Y, w, W, e, c is refused, and a time with
// neither zone nor offset in the text is taken as UTC (as AEP's date() does).
package javatime

import (
	"fmt"
	"strings"
)

// MaxPatternLength bounds a pattern; Data Prep expressions are at most 4096 characters.
const MaxPatternLength = 4096

type kind uint8

const (
	kLit         kind = iota
	kNum              // a numeric field
	kReduced          // a two-digit year (yy, uu, YY)
	kFrac             // S: fraction of second
	kText             // G, M/L/Q/q (3+), E, e/c (3+), a, B
	kOffset           // X, x, Z (1-3, 5)
	kLocOffset        // O, ZZZZ
	kZoneID           // VV
	kZoneText         // z, zzzz
	kZoneGeneric      // v, vvvv
	kOptional         // [ ... ]
)

type field uint8

const (
	fEra field = iota
	fYearOfEra
	fYear
	fQuarter
	fMonth
	fDayOfYear
	fDayOfMonth
	fAlignedDayOfWeekInMonth
	fDayOfWeek
	fLocalDayOfWeek // e, c: Sunday = 1 in Locale.US
	fAmPm
	fHourOfDay
	fClockHourOfDay
	fHourOfAmPm
	fClockHourOfAmPm
	fMinute
	fSecond
	fNano
	fMilliOfDay
	fNanoOfDay
	fModifiedJulianDay
	fWeekBasedYear
	fWeekOfWeekBasedYear
	fWeekOfMonth
	fDayPeriod
	numFields
)

var fieldNames = [numFields]string{
	"Era", "YearOfEra", "Year", "QuarterOfYear", "MonthOfYear", "DayOfYear", "DayOfMonth",
	"AlignedDayOfWeekInMonth", "DayOfWeek", "DayOfWeek", "AmPmOfDay", "HourOfDay", "ClockHourOfDay",
	"HourOfAmPm", "ClockHourOfAmPm", "MinuteOfHour", "SecondOfMinute", "NanoOfSecond",
	"MilliOfDay", "NanoOfDay", "ModifiedJulianDay", "WeekBasedYear[WeekFields[SUNDAY,1]]",
	"WeekOfWeekBasedYear[WeekFields[SUNDAY,1]]", "WeekOfMonth[WeekFields[SUNDAY,1]]", "DayPeriod",
}

type signStyle uint8

const (
	signNormal signStyle = iota
	signExceedsPad
	signNotNegative
)

type textStyle uint8

const (
	styleShort textStyle = iota
	styleFull
	styleNarrow
)

type item struct {
	kind  kind
	field field
	lit   string
	min   int // numbers: minimum width; offsets: pattern type
	max   int
	sign  signStyle
	style textStyle
	// sub is the width reserved for adjacent fixed-width numbers that follow (Java's
	// subsequentWidth); -1 marks a number that is itself fixed width in such a run.
	sub  int
	pad  int    // pN: pad the output to this width with spaces
	zero string // offsets: the text for a zero offset
	opt  []item // kOptional
}

// Formatter is a compiled pattern. It is immutable and safe for concurrent use.
type Formatter struct {
	pattern string
	items   []item
	flat    []item // items with optional sections inlined: formatting prints them all
}

// String returns the pattern.
func (f *Formatter) String() string { return f.pattern }

// PatternError reports a pattern Java's ofPattern would refuse, in Java's words.
type PatternError struct {
	Pattern string
	Msg     string
}

func (e *PatternError) Error() string {
	return fmt.Sprintf("date format %q: %s", e.Pattern, e.Msg)
}

// builder mirrors DateTimeFormatterBuilder: one level per optional section.
type builder struct {
	items      []item
	valueIdx   int // index of the active adjacent-value parser, -1 when none
	padNext    int
	parent     *builder
	inOptional bool
}

func (b *builder) appendInternal(it item) int {
	if b.padNext > 0 {
		it.pad = b.padNext
		b.padNext = 0
	}
	b.items = append(b.items, it)
	b.valueIdx = -1
	return len(b.items) - 1
}

// appendValue adds a number with Java's adjacent value parsing: a fixed-width,
// not-negative number right after another number reserves its width in that one.
func (b *builder) appendValue(it item) {
	if b.valueIdx >= 0 && b.padNext == 0 && b.items[b.valueIdx].pad == 0 {
		base := b.valueIdx
		if it.min == it.max && it.sign == signNotNegative {
			if b.items[base].sub >= 0 {
				b.items[base].sub += it.max
			}
			it.sub = -1
			b.appendInternal(it)
			b.valueIdx = base
			return
		}
		b.items[base].sub = -1
		b.valueIdx = b.appendInternal(it)
		return
	}
	b.valueIdx = b.appendInternal(it)
}

func num(f field, min, max int, s signStyle) item {
	return item{kind: kNum, field: f, min: min, max: max, sign: s}
}

// Compile parses a DateTimeFormatter pattern.
func Compile(pattern string) (*Formatter, error) {
	if len(pattern) > MaxPatternLength {
		return nil, &PatternError{pattern[:40] + "…", fmt.Sprintf("longer than %d characters", MaxPatternLength)}
	}
	fail := func(format string, a ...any) (*Formatter, error) {
		return nil, &PatternError{pattern, fmt.Sprintf(format, a...)}
	}
	b := &builder{valueIdx: -1}
	for pos := 0; pos < len(pattern); pos++ {
		cur := pattern[pos]
		switch {
		case isLetter(cur):
			start := pos
			pos++
			for pos < len(pattern) && pattern[pos] == cur {
				pos++
			}
			count := pos - start
			if cur == 'p' {
				pad := 0
				if pos < len(pattern) && isLetter(pattern[pos]) {
					pad = count
					cur = pattern[pos]
					start = pos
					pos++
					for pos < len(pattern) && pattern[pos] == cur {
						pos++
					}
					count = pos - start
				}
				if pad == 0 {
					return fail("Pad letter 'p' must be followed by valid pad pattern")
				}
				b.padNext = pad
			}
			if err := b.letter(cur, count); err != "" {
				return fail("%s", err)
			}
			pos--
		case cur == '\'':
			start := pos
			pos++
			for ; pos < len(pattern); pos++ {
				if pattern[pos] == '\'' {
					if pos+1 < len(pattern) && pattern[pos+1] == '\'' {
						pos++
					} else {
						break
					}
				}
			}
			if pos >= len(pattern) {
				return fail("Pattern ends with an incomplete string literal")
			}
			s := pattern[start+1 : pos]
			if s == "" {
				b.appendInternal(item{kind: kLit, lit: "'"})
			} else {
				b.appendInternal(item{kind: kLit, lit: strings.ReplaceAll(s, "''", "'")})
			}
		case cur == '[':
			b.valueIdx = -1
			b = &builder{valueIdx: -1, parent: b, inOptional: true}
		case cur == ']':
			if b.parent == nil {
				return fail("Pattern invalid as it contains ] without previous [")
			}
			sub := b.items
			b = b.parent
			b.appendInternal(item{kind: kOptional, opt: sub})
		case cur == '{' || cur == '}' || cur == '#':
			return fail("Pattern includes reserved character: '%c'", cur)
		default:
			// a literal character (UTF-8 bytes of one rune are kept together)
			n := 1
			for n < 4 && pos+n < len(pattern) && pattern[pos+n]&0xC0 == 0x80 {
				n++
			}
			b.appendInternal(item{kind: kLit, lit: pattern[pos : pos+n]})
			pos += n - 1
		}
	}
	for b.parent != nil { // Java closes open optional sections at the end
		sub := b.items
		b = b.parent
		b.appendInternal(item{kind: kOptional, opt: sub})
	}
	items := mergeLiterals(b.items)
	return &Formatter{pattern: pattern, items: items, flat: mergeLiterals(flatten(nil, items))}, nil
}

func flatten(dst, items []item) []item {
	for _, it := range items {
		if it.kind == kOptional {
			dst = flatten(dst, it.opt)
			continue
		}
		dst = append(dst, it)
	}
	return dst
}

// mergeLiterals joins adjacent literals (formatting writes them in one go).
func mergeLiterals(items []item) []item {
	out := items[:0:0]
	for _, it := range items {
		if it.kind == kOptional {
			it.opt = mergeLiterals(it.opt)
		}
		if it.kind == kLit && it.pad == 0 && len(out) > 0 && out[len(out)-1].kind == kLit && out[len(out)-1].pad == 0 {
			out[len(out)-1].lit += it.lit
			continue
		}
		out = append(out, it)
	}
	return out
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

// letter appends the item for count repetitions of the pattern letter c; it returns
// Java's message when the combination is refused.
func (b *builder) letter(c byte, count int) string {
	tooMany := "Too many pattern letters: " + string(c)
	text := func(f field, count int) string {
		switch count {
		case 3:
			b.appendInternal(item{kind: kText, field: f, style: styleShort})
		case 4:
			b.appendInternal(item{kind: kText, field: f, style: styleFull})
		case 5:
			b.appendInternal(item{kind: kText, field: f, style: styleNarrow})
		default:
			return tooMany
		}
		return ""
	}
	switch c {
	case 'u', 'y':
		f := fYearOfEra
		if c == 'u' {
			f = fYear
		}
		switch {
		case count == 2:
			b.appendValue(item{kind: kReduced, field: f, min: 2, max: 2, sign: signNotNegative})
		case count < 4:
			b.appendValue(num(f, count, 19, signNormal))
		default:
			if count > 19 {
				return "Minimum width must be from 1 to 19 inclusive but was " + fmt.Sprint(count)
			}
			b.appendValue(num(f, count, 19, signExceedsPad))
		}
	case 'c':
		if count == 1 {
			b.appendValue(num(fLocalDayOfWeek, 1, 1, signNotNegative))
			return ""
		}
		if count == 2 {
			return `Invalid pattern "cc"`
		}
		return text(fDayOfWeek, count)
	case 'L', 'q', 'M', 'Q', 'E', 'e':
		f := map[byte]field{'L': fMonth, 'M': fMonth, 'q': fQuarter, 'Q': fQuarter, 'E': fDayOfWeek, 'e': fDayOfWeek}[c]
		if count <= 2 {
			switch c {
			case 'e':
				b.appendValue(num(fLocalDayOfWeek, count, count, signNotNegative))
			case 'E':
				b.appendInternal(item{kind: kText, field: fDayOfWeek, style: styleShort})
			default:
				if count == 1 {
					b.appendValue(num(f, 1, 19, signNormal))
				} else {
					b.appendValue(num(f, 2, 2, signNotNegative))
				}
			}
			return ""
		}
		return text(f, count)
	case 'a':
		if count != 1 {
			return tooMany
		}
		b.appendInternal(item{kind: kText, field: fAmPm, style: styleShort})
	case 'G':
		switch {
		case count <= 3:
			b.appendInternal(item{kind: kText, field: fEra, style: styleShort})
		case count == 4:
			b.appendInternal(item{kind: kText, field: fEra, style: styleFull})
		case count == 5:
			b.appendInternal(item{kind: kText, field: fEra, style: styleNarrow})
		default:
			return tooMany
		}
	case 'S':
		if count > 9 {
			return "Maximum width must be from 1 to 9 inclusive but was " + fmt.Sprint(count)
		}
		// a fixed-width fraction without a decimal point takes part in adjacent parsing
		b.appendValue(item{kind: kFrac, field: fNano, min: count, max: count, sign: signNotNegative})
	case 'F':
		if count != 1 {
			return tooMany
		}
		b.appendValue(num(fAlignedDayOfWeekInMonth, 1, 19, signNormal))
	case 'd', 'h', 'H', 'k', 'K', 'm', 's':
		f := map[byte]field{'d': fDayOfMonth, 'h': fClockHourOfAmPm, 'H': fHourOfDay, 'k': fClockHourOfDay,
			'K': fHourOfAmPm, 'm': fMinute, 's': fSecond}[c]
		switch count {
		case 1:
			b.appendValue(num(f, 1, 19, signNormal))
		case 2:
			b.appendValue(num(f, 2, 2, signNotNegative))
		default:
			return tooMany
		}
	case 'D':
		switch count {
		case 1:
			b.appendValue(num(fDayOfYear, 1, 19, signNormal))
		case 2, 3:
			b.appendValue(num(fDayOfYear, count, 3, signNotNegative))
		default:
			return tooMany
		}
	case 'g':
		if count > 19 {
			return "Minimum width must be from 1 to 19 inclusive but was " + fmt.Sprint(count)
		}
		b.appendValue(num(fModifiedJulianDay, count, 19, signNormal))
	case 'A', 'n', 'N':
		if count > 19 {
			return "Minimum width must be from 1 to 19 inclusive but was " + fmt.Sprint(count)
		}
		f := map[byte]field{'A': fMilliOfDay, 'n': fNano, 'N': fNanoOfDay}[c]
		b.appendValue(num(f, count, 19, signNotNegative))
	case 'z':
		switch {
		case count > 4:
			return tooMany
		case count == 4:
			b.appendInternal(item{kind: kZoneText, style: styleFull})
		default:
			b.appendInternal(item{kind: kZoneText, style: styleShort})
		}
	case 'V':
		if count != 2 {
			return "Pattern letter count must be 2: V"
		}
		b.appendInternal(item{kind: kZoneID})
	case 'v':
		switch count {
		case 1:
			b.appendInternal(item{kind: kZoneGeneric, style: styleShort})
		case 4:
			b.appendInternal(item{kind: kZoneGeneric, style: styleFull})
		default:
			return "Wrong number of pattern letters: v"
		}
	case 'Z':
		switch {
		case count < 4:
			b.appendInternal(item{kind: kOffset, min: 3, zero: "+0000"})
		case count == 4:
			b.appendInternal(item{kind: kLocOffset, style: styleFull})
		case count == 5:
			b.appendInternal(item{kind: kOffset, min: 6, zero: "Z"})
		default:
			return tooMany
		}
	case 'O':
		switch count {
		case 1:
			b.appendInternal(item{kind: kLocOffset, style: styleShort})
		case 4:
			b.appendInternal(item{kind: kLocOffset, style: styleFull})
		default:
			return "Pattern letter count must be 1 or 4: O"
		}
	case 'X', 'x':
		if count > 5 {
			return tooMany
		}
		typ := count
		if count != 1 {
			typ++
		}
		zero := "Z"
		if c == 'x' {
			switch {
			case count == 1:
				zero = "+00"
			case count%2 == 0:
				zero = "+0000"
			default:
				zero = "+00:00"
			}
		}
		b.appendInternal(item{kind: kOffset, min: typ, zero: zero})
	case 'W':
		if count > 1 {
			return tooMany
		}
		b.appendValue(num(fWeekOfMonth, 1, 1, signNotNegative))
	case 'w':
		if count > 2 {
			return tooMany
		}
		b.appendValue(num(fWeekOfWeekBasedYear, count, 2, signNotNegative))
	case 'Y':
		if count == 2 {
			b.appendValue(item{kind: kReduced, field: fWeekBasedYear, min: 2, max: 2, sign: signNotNegative})
		} else {
			if count > 19 {
				return "Minimum width must be from 1 to 19 inclusive but was " + fmt.Sprint(count)
			}
			s := signNormal
			if count >= 4 {
				s = signExceedsPad
			}
			b.appendValue(num(fWeekBasedYear, count, 19, s))
		}
	case 'B':
		switch count {
		case 1:
			b.appendInternal(item{kind: kText, field: fDayPeriod, style: styleShort})
		case 4:
			b.appendInternal(item{kind: kText, field: fDayPeriod, style: styleFull})
		case 5:
			b.appendInternal(item{kind: kText, field: fDayPeriod, style: styleNarrow})
		default:
			return "Wrong number of pattern letters: B"
		}
	default:
		return "Unknown pattern letter: " + string(c)
	}
	return ""
}

// MustCompile is Compile for patterns known to be valid; it panics otherwise.
func MustCompile(pattern string) *Formatter {
	f, err := Compile(pattern)
	if err != nil {
		panic(err)
	}
	return f
}

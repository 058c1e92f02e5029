package javatime

import (
	"fmt"
	"strconv"
	"time"
)

var (
	monthsShort = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	monthsFull  = [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	// days are indexed by Java's DayOfWeek - 1 (Monday first)
	daysShort   = [7]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}
	daysFull    = [7]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}
	quarterAbbr = [4]string{"Q1", "Q2", "Q3", "Q4"}
	quarterFull = [4]string{"1st quarter", "2nd quarter", "3rd quarter", "4th quarter"}
)

// FormatError reports a value the pattern cannot print, in Java's words.
type FormatError struct{ Msg string }

func (e *FormatError) Error() string { return e.Msg }

// Format renders t with the pattern. t's location is the ZonedDateTime's zone: time.UTC
// stands for Java's ZoneOffset.UTC ("Z"), a location named after an IANA id for that
// ZoneId, and a fixed zone named like "+05:30" for that ZoneOffset.
func (f *Formatter) Format(t time.Time) (string, error) {
	var buf [64]byte
	b, err := f.AppendFormat(buf[:0], t)
	return string(b), err
}

// AppendFormat is Format appending to dst.
func (f *Formatter) AppendFormat(dst []byte, t time.Time) ([]byte, error) {
	var fs fieldSet
	fs.t = t
	return appendItems(dst, f.flat, &fs)
}

// fieldSet computes the calendar fields of one instant once.
type fieldSet struct {
	t        time.Time
	have     bool
	year     int
	month    int
	day      int
	yday     int
	wday     int // Java DayOfWeek: Monday = 1 ... Sunday = 7
	hour     int
	min, sec int
	nano     int
	offset   int
}

func (fs *fieldSet) load() {
	if fs.have {
		return
	}
	fs.have = true
	y, m, d := fs.t.Date()
	fs.year, fs.month, fs.day = y, int(m), d
	fs.hour, fs.min, fs.sec = fs.t.Clock()
	fs.nano = fs.t.Nanosecond()
	_, fs.offset = fs.t.Zone()
}

// loadDays adds the day of the year and of the week, which few patterns need.
func (fs *fieldSet) loadDays() {
	fs.load()
	if fs.yday != 0 {
		return
	}
	fs.yday = fs.t.YearDay()
	fs.wday = int(fs.t.Weekday())
	if fs.wday == 0 {
		fs.wday = 7
	}
}

func (fs *fieldSet) get(f field) int64 {
	switch f {
	case fDayOfYear, fDayOfWeek, fLocalDayOfWeek, fWeekBasedYear, fWeekOfWeekBasedYear, fWeekOfMonth:
		fs.loadDays()
	default:
		fs.load()
	}
	switch f {
	case fEra:
		if fs.year >= 1 {
			return 1
		}
		return 0
	case fYearOfEra:
		if fs.year >= 1 {
			return int64(fs.year)
		}
		return int64(1 - fs.year)
	case fYear:
		return int64(fs.year)
	case fQuarter:
		return int64((fs.month-1)/3 + 1)
	case fMonth:
		return int64(fs.month)
	case fDayOfYear:
		return int64(fs.yday)
	case fDayOfMonth:
		return int64(fs.day)
	case fAlignedDayOfWeekInMonth: // Java 17's F (JDK-8169833 made it the week in Java 20)
		return int64((fs.day-1)%7 + 1)
	case fDayOfWeek:
		return int64(fs.wday)
	case fLocalDayOfWeek:
		return int64(localDow(fs.wday))
	case fAmPm:
		return int64(fs.hour / 12)
	case fHourOfDay:
		return int64(fs.hour)
	case fClockHourOfDay:
		if fs.hour == 0 {
			return 24
		}
		return int64(fs.hour)
	case fHourOfAmPm:
		return int64(fs.hour % 12)
	case fClockHourOfAmPm:
		if h := fs.hour % 12; h != 0 {
			return int64(h)
		}
		return 12
	case fMinute:
		return int64(fs.min)
	case fSecond:
		return int64(fs.sec)
	case fNano:
		return int64(fs.nano)
	case fMilliOfDay:
		return int64(((fs.hour*60+fs.min)*60+fs.sec)*1000 + fs.nano/1e6)
	case fNanoOfDay:
		return int64((fs.hour*60+fs.min)*60+fs.sec)*1e9 + int64(fs.nano)
	case fModifiedJulianDay:
		return epochDay(fs.year, fs.month, fs.day) + 40587
	case fWeekBasedYear:
		return int64(weekBasedYear(fs.year, fs.yday, fs.wday))
	case fWeekOfWeekBasedYear:
		return int64(weekOfWeekBasedYear(fs.year, fs.yday, fs.wday))
	case fWeekOfMonth:
		dow := localDow(fs.wday)
		return int64(computeWeek(startOfWeekOffset(fs.day, dow), fs.day))
	}
	return 0
}

// localDow is the Locale.US day-of-week number: Sunday = 1 ... Saturday = 7.
func localDow(javaDow int) int { return javaDow%7 + 1 }

// startOfWeekOffset and computeWeek are WeekFields.ComputedDayOfField's, for weeks that
// start on Sunday with a minimum of one day in the first week.
func startOfWeekOffset(day, dow int) int {
	weekStart := floorMod(day-dow, 7)
	offset := -weekStart
	if weekStart+1 > 1 {
		offset = 7 - weekStart
	}
	return offset
}

func computeWeek(offset, day int) int { return (7 + offset + (day - 1)) / 7 }

func floorMod(a, b int) int { return ((a % b) + b) % b }

func yearLen(y int) int {
	if isLeap(y) {
		return 366
	}
	return 365
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func weekBasedYear(year, doy, javaDow int) int {
	dow := localDow(javaDow)
	offset := startOfWeekOffset(doy, dow)
	week := computeWeek(offset, doy)
	if week == 0 {
		return year - 1
	}
	if week >= computeWeek(offset, yearLen(year)+1) {
		return year + 1
	}
	return year
}

func weekOfWeekBasedYear(year, doy, javaDow int) int {
	dow := localDow(javaDow)
	offset := startOfWeekOffset(doy, dow)
	week := computeWeek(offset, doy)
	if week == 0 {
		// the last week of the previous year: recompute from the day before this year
		prevDow := floorMod(javaDow-1-doy, 7) + 1
		return weekOfWeekBasedYear(year-1, yearLen(year-1), prevDow)
	}
	if week > 50 {
		if nw := computeWeek(offset, yearLen(year)+1); week >= nw {
			week = week - nw + 1
		}
	}
	return week
}

// epochDay is the number of days from 1970-01-01 (proleptic Gregorian).
func epochDay(y, m, d int) int64 {
	yy, mm := int64(y), int64(m)
	total := 365 * yy
	if yy >= 0 {
		total += (yy+3)/4 - (yy+99)/100 + (yy+399)/400
	} else {
		total -= yy/-4 - yy/-100 + yy/-400
	}
	total += (367*mm - 362) / 12
	total += int64(d) - 1
	if mm > 2 {
		total--
		if !isLeap(y) {
			total--
		}
	}
	return total - 719528
}

var exceedPoints = [...]int64{0, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000, 1000000000, 10000000000}

func appendItems(dst []byte, items []item, fs *fieldSet) ([]byte, error) {
	for i := range items {
		it := &items[i]
		start := len(dst)
		var err error
		dst, err = appendItem(dst, it, fs)
		if err != nil {
			return dst, err
		}
		if it.pad > 0 {
			n := len([]rune(string(dst[start:])))
			if n > it.pad {
				return dst, &FormatError{fmt.Sprintf("Cannot print as output of %d characters exceeds pad width of %d", n, it.pad)}
			}
			if n < it.pad {
				pad := it.pad - n
				dst = append(dst, make([]byte, pad)...)
				copy(dst[start+pad:], dst[start:len(dst)-pad])
				for j := start; j < start+pad; j++ {
					dst[j] = ' '
				}
			}
		}
	}
	return dst, nil
}

func appendItem(dst []byte, it *item, fs *fieldSet) ([]byte, error) {
	switch it.kind {
	case kLit:
		return append(dst, it.lit...), nil
	// kOptional never reaches here: a ZonedDateTime has every field, so optional
	// sections always print and Compile inlines them (Formatter.flat).
	case kNum:
		return appendNumber(dst, it, fs.get(it.field))
	case kReduced:
		v := fs.get(it.field)
		if v < 0 {
			v = -v
		}
		v %= 100
		return append(dst, byte('0'+v/10), byte('0'+v%10)), nil
	case kFrac:
		var tmp [20]byte
		s := strconv.AppendInt(tmp[:0], fs.get(fNano)+1e9, 10)[1:]
		return append(dst, s[:it.min]...), nil
	case kText:
		return append(dst, text(it, fs)...), nil
	case kOffset:
		fs.load()
		return appendOffset(dst, fs.offset, it.min, it.zero), nil
	case kLocOffset:
		fs.load()
		return appendLocalizedOffset(dst, fs.offset, it.style), nil
	case kZoneID:
		return append(dst, zoneID(fs.t)...), nil
	case kZoneText:
		return append(dst, zoneText(fs.t, it.style)...), nil
	case kZoneGeneric:
		return append(dst, zoneGeneric(fs.t, it.style)...), nil
	}
	return dst, nil
}

func (fs *fieldSet) getInt(f field) int { return int(fs.get(f)) }

func appendNumber(dst []byte, it *item, v int64) ([]byte, error) {
	if v >= 0 && v < 1e9 && it.sign != signExceedsPad || v >= 0 && v < 10000 {
		// the common case: a small non-negative value, zero-padded to the minimum width
		n := 1
		for x := v; x >= 10; x /= 10 {
			n++
		}
		if n <= it.max {
			w := max(n, it.min)
			start := len(dst)
			for range w {
				dst = append(dst, '0')
			}
			for i, x := len(dst)-1, v; i >= start+w-n; i-- {
				dst[i] = byte('0' + x%10)
				x /= 10
			}
			return dst, nil
		}
	}
	abs := uint64(v)
	if v < 0 {
		abs = -abs
	}
	var tmp [20]byte
	s := strconv.AppendUint(tmp[:0], abs, 10)
	if len(s) > it.max {
		return dst, &FormatError{fmt.Sprintf("Field %s cannot be printed as the value %d exceeds the maximum print width of %d", fieldNames[it.field], v, it.max)}
	}
	if v >= 0 {
		if it.sign == signExceedsPad && it.min < 19 && it.min < len(exceedPoints) && v >= exceedPoints[it.min] {
			dst = append(dst, '+')
		}
	} else {
		if it.sign == signNotNegative {
			return dst, &FormatError{fmt.Sprintf("Field %s cannot be printed as the value %d cannot be negative according to the SignStyle", fieldNames[it.field], v)}
		}
		dst = append(dst, '-')
	}
	for i := len(s); i < it.min; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...), nil
}

func text(it *item, fs *fieldSet) string {
	switch it.field {
	case fEra:
		era := fs.get(fEra)
		switch it.style {
		case styleFull:
			return [2]string{"Before Christ", "Anno Domini"}[era]
		case styleNarrow:
			return [2]string{"B", "A"}[era]
		}
		return [2]string{"BC", "AD"}[era]
	case fMonth:
		m := fs.getInt(fMonth) - 1
		switch it.style {
		case styleFull:
			return monthsFull[m]
		case styleNarrow:
			return monthsFull[m][:1]
		}
		return monthsShort[m]
	case fQuarter:
		q := fs.getInt(fQuarter) - 1
		switch it.style {
		case styleFull:
			return quarterFull[q]
		case styleNarrow:
			return quarterAbbr[q][1:]
		}
		return quarterAbbr[q]
	case fDayOfWeek:
		d := fs.getInt(fDayOfWeek) - 1
		switch it.style {
		case styleFull:
			return daysFull[d]
		case styleNarrow:
			return daysFull[d][:1]
		}
		return daysShort[d]
	case fAmPm:
		return [2]string{"AM", "PM"}[fs.get(fAmPm)]
	case fDayPeriod:
		fs.load()
		return dayPeriod(fs.hour*60+fs.min, it.style)
	}
	return ""
}

// dayPeriod is CLDR's English day period ("B") for a minute of the day.
func dayPeriod(mod int, style textStyle) string {
	switch {
	case mod == 0:
		if style == styleNarrow {
			return "mi"
		}
		return "midnight"
	case mod == 12*60:
		if style == styleNarrow {
			return "n"
		}
		return "noon"
	case mod >= 6*60 && mod < 12*60:
		return "in the morning"
	case mod >= 12*60 && mod < 18*60:
		return "in the afternoon"
	case mod >= 18*60 && mod < 21*60:
		return "in the evening"
	}
	return "at night"
}

// offset pattern types, as Java's OffsetIdPrinterParser.PATTERNS
// 0 +HH, 1 +HHmm, 2 +HH:mm, 3 +HHMM, 4 +HH:MM, 5 +HHMMss, 6 +HH:MM:ss
func offsetColon(typ int) bool { return typ == 2 || typ == 4 || typ == 6 }

func appendOffset(dst []byte, total, typ int, zero string) []byte {
	if total == 0 {
		return append(dst, zero...)
	}
	absH := abs((total / 3600) % 100)
	absM := abs((total / 60) % 60)
	absS := abs(total % 60)
	start := len(dst)
	output := absH
	if total < 0 {
		dst = append(dst, '-')
	} else {
		dst = append(dst, '+')
	}
	dst = append(dst, byte('0'+absH/10), byte('0'+absH%10))
	colon := offsetColon(typ)
	if (typ >= 3 && typ <= 8) || (typ >= 1 && absM > 0) {
		if colon {
			dst = append(dst, ':')
		}
		dst = append(dst, byte('0'+absM/10), byte('0'+absM%10))
		output += absM
		if typ >= 5 && absS > 0 {
			if colon {
				dst = append(dst, ':')
			}
			dst = append(dst, byte('0'+absS/10), byte('0'+absS%10))
			output += absS
		}
	}
	if output == 0 {
		return append(dst[:start], zero...)
	}
	return dst
}

func appendLocalizedOffset(dst []byte, total int, style textStyle) []byte {
	dst = append(dst, "GMT"...)
	if total == 0 {
		return dst
	}
	absH := abs((total / 3600) % 100)
	absM := abs((total / 60) % 60)
	absS := abs(total % 60)
	if total < 0 {
		dst = append(dst, '-')
	} else {
		dst = append(dst, '+')
	}
	if style == styleFull {
		dst = append(dst, byte('0'+absH/10), byte('0'+absH%10), ':', byte('0'+absM/10), byte('0'+absM%10))
		if absS != 0 {
			dst = append(dst, ':', byte('0'+absS/10), byte('0'+absS%10))
		}
		return dst
	}
	if absH >= 10 {
		dst = append(dst, byte('0'+absH/10))
	}
	dst = append(dst, byte('0'+absH%10))
	if absM != 0 || absS != 0 {
		dst = append(dst, ':', byte('0'+absM/10), byte('0'+absM%10))
		if absS != 0 {
			dst = append(dst, ':', byte('0'+absS/10), byte('0'+absS%10))
		}
	}
	return dst
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

package javatime

import (
	"fmt"
	"time"
)

var errNoDate = javaErr("Unable to obtain ZonedDateTime from TemporalAccessor")

func (p *parsed) take(f field) (int64, bool) {
	if !p.set[f] {
		return 0, false
	}
	p.set[f] = false
	return p.vals[f], true
}

func checkRange(f field, v, lo, hi int64) error {
	if v < lo || v > hi {
		return javaErrf("Invalid value for %s (valid values %d - %d): %d", fieldNames[f], lo, hi, v)
	}
	return nil
}

// resolve turns the parsed fields into a date-time as ResolverStyle.SMART does, then
// cross-checks the fields it did not use (a day-of-week that does not match the date is
// a conflict).
func (p *parsed) resolve() (time.Time, error) {
	// year
	var year int64
	haveYear := false
	if v, ok := p.take(fYear); ok {
		year, haveYear = v, true
	}
	if yoe, ok := p.take(fYearOfEra); ok {
		if err := checkRange(fYearOfEra, yoe, 1, 999999999); err != nil && yoe < 1 {
			return time.Time{}, err
		}
		y := yoe
		if era, ok := p.take(fEra); ok {
			if err := checkRange(fEra, era, 0, 1); err != nil {
				return time.Time{}, err
			}
			if era == 0 {
				y = 1 - yoe
			}
		}
		if haveYear && y != year {
			return time.Time{}, javaErrf("Conflict found: Year %d differs from Year %d", year, y)
		}
		year, haveYear = y, true
	}
	if haveYear {
		if err := checkRange(fYear, year, -999999999, 999999999); err != nil {
			return time.Time{}, err
		}
	}
	// date
	var y, mo, d int
	haveDate := false
	switch {
	case haveYear && p.set[fMonth] && p.set[fDayOfMonth]:
		m, _ := p.take(fMonth)
		dd, _ := p.take(fDayOfMonth)
		if err := checkRange(fMonth, m, 1, 12); err != nil {
			return time.Time{}, err
		}
		if err := checkRange(fDayOfMonth, dd, 1, 31); err != nil {
			return time.Time{}, err
		}
		y, mo, d = int(year), int(m), int(dd)
		if n := monthLen(y, mo); d > n { // SMART: clamp to the month's end
			d = n
		}
		haveDate = true
	case haveYear && p.set[fDayOfYear]:
		doy, _ := p.take(fDayOfYear)
		if err := checkRange(fDayOfYear, doy, 1, 366); err != nil {
			return time.Time{}, err
		}
		if doy == 366 && !isLeap(int(year)) {
			return time.Time{}, javaErrf("Invalid date 'DayOfYear 366' as '%d' is not a leap year", year)
		}
		t := time.Date(int(year), 1, int(doy), 0, 0, 0, 0, time.UTC)
		y, mo, d = t.Year(), int(t.Month()), t.Day()
		haveDate = true
	case p.set[fWeekBasedYear] && p.set[fWeekOfWeekBasedYear] && (p.set[fDayOfWeek] || p.set[fLocalDayOfWeek]):
		wby, _ := p.take(fWeekBasedYear)
		w, _ := p.take(fWeekOfWeekBasedYear)
		var ldow int64
		if v, ok := p.take(fLocalDayOfWeek); ok {
			ldow = v
		} else {
			v, _ := p.take(fDayOfWeek)
			ldow = int64(localDow(int(v)))
		}
		if err := checkRange(fLocalDayOfWeek, ldow, 1, 7); err != nil {
			return time.Time{}, err
		}
		if err := checkRange(fWeekOfWeekBasedYear, w, 1, 53); err != nil {
			return time.Time{}, err
		}
		jan1 := time.Date(int(wby), 1, 1, 0, 0, 0, 0, time.UTC)
		jd := int(jan1.Weekday())
		if jd == 0 {
			jd = 7
		}
		offset := startOfWeekOffset(1, localDow(jd))
		newYearWeek := computeWeek(offset, yearLen(int(wby))+1)
		w = min(w, int64(newYearWeek-1))
		t := jan1.AddDate(0, 0, -offset+int(ldow-1)+int(w-1)*7)
		y, mo, d = t.Year(), int(t.Month()), t.Day()
		haveDate = true
	}
	if !haveDate && p.set[fModifiedJulianDay] {
		mjd, _ := p.take(fModifiedJulianDay)
		if mjd < -365243219162+40587 || mjd > 365241780471+40587 {
			return time.Time{}, javaErrf("Invalid value for ModifiedJulianDay: %d", mjd)
		}
		t := time.Unix((mjd-40587)*86400, 0).UTC()
		y, mo, d = t.Year(), int(t.Month()), t.Day()
		haveDate = true
	}
	if !haveDate {
		return time.Time{}, errNoDate
	}
	// time
	if ch, ok := p.take(fClockHourOfDay); ok {
		if ch != 0 {
			if err := checkRange(fClockHourOfDay, ch, 1, 24); err != nil {
				return time.Time{}, err
			}
		}
		if ch == 24 {
			ch = 0
		}
		if !p.setField(fHourOfDay, ch) {
			return time.Time{}, javaErrf("Conflict found: HourOfDay differs from ClockHourOfDay %d", ch)
		}
	}
	if ch, ok := p.take(fClockHourOfAmPm); ok {
		if ch != 0 {
			if err := checkRange(fClockHourOfAmPm, ch, 1, 12); err != nil {
				return time.Time{}, err
			}
		}
		if ch == 12 {
			ch = 0
		}
		if !p.setField(fHourOfAmPm, ch) {
			return time.Time{}, javaErrf("Conflict found: HourOfAmPm differs from ClockHourOfAmPm %d", ch)
		}
	}
	if p.set[fAmPm] && p.set[fHourOfAmPm] {
		ap, _ := p.take(fAmPm)
		hap, _ := p.take(fHourOfAmPm)
		if err := checkRange(fAmPm, ap, 0, 1); err != nil {
			return time.Time{}, err
		}
		if err := checkRange(fHourOfAmPm, hap, 0, 11); err != nil {
			return time.Time{}, err
		}
		if !p.setField(fHourOfDay, ap*12+hap) {
			return time.Time{}, javaErrf("Conflict found: HourOfDay differs from AmPmOfDay %d and HourOfAmPm %d", ap, hap)
		}
	}
	if nod, ok := p.take(fNanoOfDay); ok {
		if err := checkRange(fNanoOfDay, nod, 0, 86400*1e9-1); err != nil {
			return time.Time{}, err
		}
		if !p.setField(fHourOfDay, nod/3600e9) || !p.setField(fMinute, nod/60e9%60) ||
			!p.setField(fSecond, nod/1e9%60) || !p.setField(fNano, nod%1e9) {
			return time.Time{}, javaErr("Conflict found: NanoOfDay differs from the time fields")
		}
	}
	if mod, ok := p.take(fMilliOfDay); ok {
		if err := checkRange(fMilliOfDay, mod, 0, 86400*1000-1); err != nil {
			return time.Time{}, err
		}
		// a nano-of-second read as well refines the milliseconds (Java merges the two)
		nano := mod % 1000 * 1e6
		if p.set[fNano] && p.vals[fNano]/1e6 == mod%1000 {
			nano = p.vals[fNano]
		}
		if !p.setField(fHourOfDay, mod/3600e3) || !p.setField(fMinute, mod/60e3%60) ||
			!p.setField(fSecond, mod/1e3%60) || !p.setField(fNano, nano) {
			return time.Time{}, javaErr("Conflict found: MilliOfDay differs from the time fields")
		}
	}
	var hh, mm, ss, ns int64
	extraDay := 0
	timeOK := false
	if hod, ok := p.take(fHourOfDay); ok {
		timeOK = true
		moh, hasM := p.take(fMinute)
		som, hasS := p.take(fSecond)
		nos, hasN := p.take(fNano)
		if (!hasM && (hasS || hasN)) || (hasM && !hasS && hasN) {
			moh, som, nos, timeOK = 0, 0, 0, false
		}
		if err := checkRange(fMinute, moh, 0, 59); err != nil {
			return time.Time{}, err
		}
		if err := checkRange(fNano, nos, 0, 999999999); err != nil {
			return time.Time{}, err
		}
		if hod == 24 && moh == 0 && som == 0 && nos == 0 {
			extraDay = 1
		} else {
			if err := checkRange(fHourOfDay, hod, 0, 23); err != nil {
				return time.Time{}, err
			}
			if err := checkRange(fSecond, som, 0, 59); err != nil {
				return time.Time{}, err
			}
			hh = hod
		}
		mm, ss, ns = moh, som, nos
	}
	// Otherwise no LocalTime resolves (h without a, a minute without an hour): as
	// parseBest(ZonedDateTime, LocalDateTime, LocalDate) the date is kept at midnight and
	// those fields are not checked.
	if !timeOK {
		hh, mm, ss, ns, extraDay = 0, 0, 0, 0, 0
		for _, f := range []field{fHourOfAmPm, fAmPm, fMinute, fSecond, fNano} {
			p.set[f] = false
		}
	}
	// zone
	loc := time.UTC
	switch {
	case p.zone != nil:
		loc = p.zone
	case p.hasOff:
		loc = offsetZone(p.offset)
	}
	t := time.Date(y, time.Month(mo), d+extraDay, int(hh), int(mm), int(ss), int(ns), loc)
	if p.zone != nil && p.hasOff {
		// Java takes the instant from the offset and shows it in the zone
		t = time.Date(y, time.Month(mo), d+extraDay, int(hh), int(mm), int(ss), int(ns), offsetZone(p.offset)).In(loc)
	}
	// cross-check the remaining fields against the result
	var fs fieldSet
	fs.t = time.Date(y, time.Month(mo), d+extraDay, int(hh), int(mm), int(ss), int(ns), time.UTC)
	for f := field(0); f < numFields; f++ {
		if !p.set[f] {
			continue
		}
		if got := fs.get(f); got != p.vals[f] {
			return time.Time{}, javaErrf("Conflict found: Field %s %d differs from %s %d derived from %s",
				fieldNames[f], got, fieldNames[f], p.vals[f], fs.t.Format("2006-01-02"))
		}
	}
	return t, nil
}

func monthLen(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// javaError carries one of java.time's messages, in its words (capitalised).
type javaError string

func (e javaError) Error() string { return string(e) }

func javaErr(msg string) error { return javaError(msg) }

func javaErrf(format string, a ...any) error { return javaError(fmt.Sprintf(format, a...)) }

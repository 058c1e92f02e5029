package expr

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/ciosim/ciosim/xdm/expr/javatime"
)

// dateFormats is the ordered list of input formats date() tries when no format is given
// (Data Prep's data-handling page); the first that matches wins.
var dateFormats = [...]string{
	"yyyy-MM-dd HH:mm:ssZ", "yyyy-MM-dd HH:mm:ss.SSSZ", "yyyy-MM-dd HH:mm:ss.SSS",
	"yyyy-MM-dd'T'HH:mm:ss.SSSX", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd", "yyyy/MM/dd",
	"yyyy.MM.dd", "yyyy-MMM-dd", "yyyyMMdd", "MM-dd-yyyy", "MMddyyyy", "M/dd/yyyy", "dd.M.yyyy",
	"M/dd/yyyy hh:mm:ss a", "dd.M.yyyy hh:mm:ss a", "dd.MMM.yyyy", "dd-MMM-yyyy",
}

// DateFormats returns the ordered Java patterns date() tries when no format is given.
func DateFormats() []string { return append([]string(nil), dateFormats[:]...) }

// extraFormats are tried after dateFormats. Adobe's own examples parse strings that no
// pattern of the documented list matches — date("2019-10-23 11:24") gives
// 2019-10-23T11:24:00Z and date_part("MM", date("2019-10-17 11:55:12")) gives 10 — and
// date-time fields take ISO 8601 strings such as "2019-10-17T11:55:12+02:00", so ciosim
// also accepts RFC 3339 and the date with hours and minutes (and seconds).
var extraFormats = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02 15:04"}

// defaultFormatters are the compiled dateFormats.
var defaultFormatters = sync.OnceValue(func() []*javatime.Formatter {
	out := make([]*javatime.Formatter, len(dateFormats))
	for i, f := range dateFormats {
		out[i] = javatime.MustCompile(f)
	}
	return out
})

// formatter compiles a Java pattern, keeping it in the Env's Cache when it has one.
func (e *Env) formatter(pat string) (*javatime.Formatter, error) {
	if e.Cache != nil {
		if f, ok := e.Cache.fmts.Load(pat); ok {
			return f.(*javatime.Formatter), nil
		}
	}
	f, err := javatime.Compile(pat)
	if err == nil && e.Cache != nil {
		e.Cache.fmts.Store(pat, f)
	}
	return f, err
}

// ParseDate parses s with the ordered list of [DateFormats] (then RFC 3339), as Data Prep does
// when a string is mapped onto a date-time field.
func ParseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, f := range defaultFormatters() {
		if t, ok := f.Matches(s); ok {
			return t, true
		}
	}
	for _, l := range extraFormats {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func (e *Env) parseAny(s string) (time.Time, bool) { return ParseDate(s) }

func (e *Env) toTime(v any) (time.Time, error) {
	switch v := v.(type) {
	case time.Time:
		return v, nil
	case string:
		if t, ok := e.parseAny(v); ok {
			return t, nil
		}
		return time.Time{}, fmt.Errorf("%q is not a recognised date", v)
	}
	return time.Time{}, fmt.Errorf("%s is not a date", show(v))
}

func addDateFuncs(add adder) {
	add("now", 0, 0, func(e *Env, _ []any) (any, error) { return e.now().UTC(), nil })
	add("timestamp", 0, 0, func(e *Env, _ []any) (any, error) { return e.now().UnixMilli(), nil })
	add("date", 1, 3, func(e *Env, a []any) (any, error) {
		if a[0] == nil {
			if len(a) == 3 {
				return a[2], nil
			}
			return nil, nil
		}
		if t, ok := a[0].(time.Time); ok {
			return t, nil
		}
		s := str(a[0])
		if len(a) == 1 {
			if t, ok := e.parseAny(s); ok {
				return t, nil
			}
			return nil, fmt.Errorf("%q matches none of the supported date formats", s)
		}
		f, err := e.formatter(str(a[1]))
		if err != nil {
			return nil, err
		}
		t, err := f.ParseFixedNames(s)
		if err != nil {
			if len(a) == 3 {
				return a[2], nil
			}
			return nil, err
		}
		return t, nil
	})
	add("format", 2, 3, func(e *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		t, err := e.toTime(a[0])
		if err != nil {
			return nil, err
		}
		f, err := e.formatter(str(a[1]))
		if err != nil {
			return nil, err
		}
		return f.Format(t)
	})
	add("dformat", 2, 2, func(e *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		ms, ok := toInt(a[0])
		if !ok {
			f, okf := toNumber(a[0])
			if !okf || math.IsNaN(f) || f < -(1<<63) || f >= 1<<63 {
				return nil, fmt.Errorf("%s is not a number of milliseconds", show(a[0]))
			}
			ms = int64(f)
		}
		f, err := e.formatter(str(a[1]))
		if err != nil {
			return nil, err
		}
		return f.Format(time.UnixMilli(ms).UTC())
	})
	add("date_part", 2, 2, func(e *Env, a []any) (any, error) {
		if a[1] == nil {
			return nil, nil
		}
		t, err := e.toTime(a[1])
		if err != nil {
			return nil, err
		}
		switch strings.ToLower(str(a[0])) {
		case "year", "yyyy", "yy":
			return int64(t.Year()), nil
		case "quarter", "qq", "q":
			return int64((t.Month()-1)/3 + 1), nil
		case "month", "mm", "m":
			return int64(t.Month()), nil
		case "dayofyear", "dy", "y":
			return int64(t.YearDay()), nil
		case "day", "dd", "d":
			return int64(t.Day()), nil
		case "week", "ww", "w":
			_, w := t.ISOWeek()
			return int64(w), nil
		case "weekday", "dw":
			return int64(t.Weekday()) + 1, nil // Sunday = 1, as SQL DATEPART
		case "hour", "hh", "hh24":
			return int64(t.Hour()), nil
		case "hh12":
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			return int64(h), nil
		case "minute", "mi", "n":
			return int64(t.Minute()), nil
		case "second", "ss", "s":
			return int64(t.Second()), nil
		case "millisecond", "sss":
			return int64(t.Nanosecond() / 1e6), nil
		}
		return nil, fmt.Errorf("unknown date component %q", str(a[0]))
	})
	add("set_date_part", 3, 3, func(e *Env, a []any) (any, error) {
		if a[2] == nil {
			return nil, nil
		}
		t, err := e.toTime(a[2])
		if err != nil {
			return nil, err
		}
		v, err := needInt(a[1], "value")
		if err != nil {
			return nil, err
		}
		y, mo, d := t.Date()
		h, mi, s := t.Clock()
		n := int(v)
		switch strings.ToLower(str(a[0])) {
		case "year", "yyyy", "yy":
			y = n
		case "month", "mm", "m":
			mo = time.Month(n)
		case "day", "dd", "d":
			d = n
		case "hour", "hh":
			h = n
		case "minute", "mi", "n":
			mi = n
		case "second", "ss", "s":
			s = n
		default:
			return nil, fmt.Errorf("unknown date component %q", str(a[0]))
		}
		return time.Date(y, mo, d, h, mi, s, t.Nanosecond(), t.Location()), nil
	})
	mk := func(e *Env, a []any) (any, error) {
		var p [7]int
		for i := range 7 {
			v, err := needInt(a[i], "date part")
			if err != nil {
				return nil, err
			}
			p[i] = int(v)
		}
		loc, err := javatime.LoadZone(str(a[7]))
		if err != nil {
			return nil, err
		}
		return time.Date(p[0], time.Month(p[1]), p[2], p[3], p[4], p[5], p[6], loc), nil
	}
	add("make_date_time", 8, 8, mk)
	add("make_timestamp", 8, 8, mk)
	add("zone_date_to_utc", 1, 1, func(e *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		t, err := e.toTime(a[0])
		if err != nil {
			return nil, err
		}
		return t.UTC(), nil
	})
	add("zone_date_to_zone", 2, 2, func(e *Env, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		t, err := e.toTime(a[0])
		if err != nil {
			return nil, err
		}
		loc, err := javatime.LoadZone(str(a[1]))
		if err != nil {
			return nil, err
		}
		return t.In(loc), nil
	})
}

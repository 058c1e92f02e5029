package javatime

import (
	"testing"
	"time"
)

// FuzzPattern compiles arbitrary patterns; one that compiles must format without panicking
// and its output must parse back without panicking (text fields and reduced years may
// legitimately fail to round-trip, so only a successful parse of an instant pattern is
// compared).
func FuzzPattern(f *testing.F) {
	for _, p := range []string{"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "yyyy-MM-dd HH:mm:ss z", "''yy''", "[yyyy][-MM]", "ppH",
		"YYYY-'W'ww-e", "ssSSS", "G u y Y Q q M L w W D d F E e c a h K k H m s S A n N g VV z v O X x Z B", "'unterminated", "p"} {
		f.Add(p, "2019-10-17 11:55:12 PST")
	}
	at := time.Date(2019, 10, 17, 11, 55, 12, 123456789, time.UTC)
	f.Fuzz(func(t *testing.T, pattern, text string) {
		fm, err := Compile(pattern)
		if err != nil {
			return
		}
		pt, perr := fm.Parse(text)
		if mt, ok := fm.Matches(text); ok != (perr == nil) || !mt.Equal(pt) || mt.Location().String() != pt.Location().String() {
			t.Fatalf("%q on %q: Matches gives %v %v, Parse %v %v", pattern, text, mt, ok, pt, perr)
		}
		for _, z := range []string{"Z", "America/Los_Angeles", "+05:30"} {
			loc, _ := LoadZone(z)
			s, err := fm.Format(at.In(loc))
			if err != nil {
				continue
			}
			_, _ = fm.Parse(s)
		}
	})
}

// TestMatches: Matches agrees with Parse, and a pattern that does not match allocates
// nothing (date() and date-time coercion try up to 18 patterns per string).
func TestMatches(t *testing.T) {
	pats := []string{"yyyy-MM-dd HH:mm:ssZ", "yyyy-MM-dd'T'HH:mm:ss.SSSX", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MMM-dd", "M/dd/yyyy hh:mm:ss a", "dd.MMM.yyyy", "yyyy-MM-dd HH:mm:ss z"}
	texts := []string{"2026-03-01T00:00:00Z", "2026-03-01T00:00:00.123Z", "2026-03-01 00:00:00+0100", "2026-Mar-01", "3/01/2026 01:02:03 PM", "01.Mar.2026", "2019-10-17 11:55:12 PST", "2026-02-30T00:00:00Z", "", "x"}
	for _, p := range pats {
		fm := MustCompile(p)
		for _, s := range texts {
			pt, perr := fm.Parse(s)
			mt, ok := fm.Matches(s)
			if ok != (perr == nil) || !mt.Equal(pt) {
				t.Errorf("%q on %q: Matches gives %v %v, Parse %v %v", p, s, mt, ok, pt, perr)
			}
		}
	}
	fm := MustCompile("yyyy-MM-dd HH:mm:ssZ")
	if n := testing.AllocsPerRun(100, func() { fm.Matches("2026-03-01T00:00:00Z") }); n != 0 {
		t.Errorf("a failed Matches allocates %v times", n)
	}
}

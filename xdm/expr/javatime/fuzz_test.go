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
		_, _ = fm.Parse(text)
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

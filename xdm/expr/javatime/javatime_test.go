package javatime

import (
	"bufio"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestJava17Table checks every case of testdata/java17.tsv, whose expected column was
// produced by Java 17 (OpenJDK 17.0.15, Locale.US) from DateTimeFormatter.ofPattern:
//
//	F pattern instant zone source expected   format Instant.parse(instant).atZone(ZoneId.of(zone))
//	P pattern text    -    source expected   parse; expected is ISO_OFFSET_DATE_TIME + " " + zone id
//
// An expected value starting with "!" is the exception Java threw. The source column says
// where the case comes from: javadoc (DateTimeFormatter's "Patterns for Formatting and
// Parsing" table, Java 17), adobe (Adobe's Data Prep date documentation: date() formats
// and examples, shared/reference/aep-streaming.md §3.3 and §3.5) or issue12 (the cases
// named in ciosim issue 12). testdata/java holds the Java program that made the table
// (not needed to build or test).
func TestJava17Table(t *testing.T) {
	f, err := os.Open("testdata/java17.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for line := 1; sc.Scan(); line++ {
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 6 {
			t.Fatalf("testdata/java17.tsv:%d: %d columns", line, len(c))
		}
		n++
		kind, pattern, in, zone, want := c[0], c[1], c[2], c[3], c[5]
		got, err := run(kind, pattern, in, zone)
		if strings.HasPrefix(want, "!") {
			if err == nil {
				t.Errorf("line %d: %s %q %q (%s): got %q, want Java's %s", line, kind, pattern, in, zone, got, want)
				continue
			}
			var pe *PatternError
			if (want == "!IllegalArgumentException") != errors.As(err, &pe) {
				t.Errorf("line %d: %s %q %q: got error %v, want Java's %s", line, kind, pattern, in, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("line %d: %s %q %q (%s): %v, want %q", line, kind, pattern, in, zone, err, want)
			continue
		}
		if got != want {
			t.Errorf("line %d: %s %q %q (%s) = %q, want %q", line, kind, pattern, in, zone, got, want)
		}
	}
	if n < 150 {
		t.Fatalf("only %d cases", n)
	}
}

func run(kind, pattern, in, zone string) (string, error) {
	fm, err := Compile(pattern)
	if err != nil {
		return "", err
	}
	if kind == "F" {
		at, err := parseInstant(in)
		if err != nil {
			return "", err
		}
		loc, err := LoadZone(zone)
		if err != nil {
			return "", err
		}
		return fm.Format(at.In(loc))
	}
	tm, err := fm.Parse(in)
	if err != nil {
		return "", err
	}
	return isoOffset(tm), nil
}

// parseInstant reads Instant.toString forms, including years beyond 9999 and before 1.
func parseInstant(s string) (time.Time, error) {
	year := 0
	rest := s
	if s[0] == '+' || s[0] == '-' {
		i := strings.IndexByte(s[1:], '-') + 1
		y, err := strconv.Atoi(s[1:i])
		if err != nil {
			return time.Time{}, err
		}
		if s[0] == '-' {
			y = -y
		}
		year, rest = y, "2000"+s[i:]
	}
	t, err := time.Parse(time.RFC3339Nano, rest)
	if err != nil || year == 0 && rest == s {
		return t, err
	}
	return time.Date(year, t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), nil
}

// isoOffset is Java's ISO_OFFSET_DATE_TIME followed by the zone id.
func isoOffset(t time.Time) string {
	base := MustCompile("uuuu-MM-dd'T'HH:mm:ss")
	s, _ := base.Format(t)
	if ns := t.Nanosecond(); ns != 0 {
		s += "." + strings.TrimRight(strconv.Itoa(ns + 1e9)[1:], "0")
	}
	off, _ := MustCompile("XXXXX' 'VV").Format(t)
	return s + off
}

// TestParseFixedNames: Adobe's documented example reads "PST" as -08:00 on an October date
// (zone_date_to_utc gives 19:55:12Z), where java.time applies Los Angeles' summer rules.
func TestParseFixedNames(t *testing.T) {
	f := MustCompile("yyyy-MM-dd'T'HH:mm:ss z")
	for _, tc := range []struct{ in, java, fixed string }{
		{"2019-10-17T11:55:12 PST", "2019-10-17T18:55:12Z", "2019-10-17T19:55:12Z"},
		{"2019-10-17T11:55:12 PDT", "2019-10-17T18:55:12Z", "2019-10-17T18:55:12Z"},
		{"2019-01-17T11:55:12 PDT", "2019-01-17T19:55:12Z", "2019-01-17T18:55:12Z"},
		{"2019-10-17T11:55:12 America/Los_Angeles", "2019-10-17T18:55:12Z", "2019-10-17T18:55:12Z"},
		{"2019-10-17T11:55:12 CET", "2019-10-17T09:55:12Z", "2019-10-17T10:55:12Z"},
	} {
		j, err := f.Parse(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		x, err := f.ParseFixedNames(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if got := j.UTC().Format(time.RFC3339); got != tc.java {
			t.Errorf("Parse(%q) = %s, want %s", tc.in, got, tc.java)
		}
		if got := x.UTC().Format(time.RFC3339); got != tc.fixed {
			t.Errorf("ParseFixedNames(%q) = %s, want %s", tc.in, got, tc.fixed)
		}
		if x.Location() != j.Location() {
			t.Errorf("ParseFixedNames(%q) zone %v, want %v", tc.in, x.Location(), j.Location())
		}
	}
}

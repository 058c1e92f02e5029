package javatime

import (
	"testing"
	"time"
)

// TestLoadZone: ZoneId.of's forms (Java 17): region ids, Z, offsets, prefixed offsets;
// the SHORT_IDS abbreviations (PST, EST) are refused as ZoneId.of refuses them.
func TestLoadZone(t *testing.T) {
	at := time.Date(2019, 10, 17, 12, 0, 0, 0, time.UTC)
	vv := MustCompile("VV xxx")
	for id, want := range map[string]string{
		"America/Los_Angeles": "America/Los_Angeles -07:00",
		"Z":                   "Z +00:00",
		"UTC":                 "UTC +00:00",
		"+05:30":              "+05:30 +05:30",
		"-08":                 "-08:00 -08:00",
		"+0130":               "+01:30 +01:30",
		"+01:02:03":           "+01:02:03 +01:02",
		"UTC+01:00":           "UTC+01:00 +01:00",
		"GMT-8":               "GMT-08:00 -08:00",
		"Etc/GMT+8":           "Etc/GMT+8 -08:00",
		"GMT0":                "GMT0 +00:00",
	} {
		loc, err := LoadZone(id)
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		got, err := vv.Format(at.In(loc))
		if err != nil || got != want {
			t.Errorf("%s: %q (%v), want %q", id, got, err, want)
		}
	}
	for _, id := range []string{"PST", "EST", "Mars/Base", "+19:00", "+5:30", "", "UTC+", "america/los_angeles"} {
		if _, err := LoadZone(id); err == nil {
			t.Errorf("%q accepted", id)
		}
	}
	if id, ok := AbbreviationZone("PST"); !ok || id != "America/Los_Angeles" {
		t.Errorf("PST → %q %v", id, ok)
	}
}

package javatime

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // zone ids resolve the same on every machine
)

type zoneNames struct {
	short, shortDST, full, fullDST, genShort, genFull string
}

type zoneTable struct {
	names map[string]*zoneNames // by Java zone id
	ids   []string              // every Java zone id, sorted
	short map[string]string     // short name → the id Java's "z" parser resolves it to
	full  map[string]string     // full name → the id Java's "zzzz" parser resolves it to
	// shortKeys/fullKeys: every name the parser tries (ids and names), longest first
	shortKeys, fullKeys []string
}

// table is read-only after it is built from the generated zoneData.
var table = sync.OnceValue(func() *zoneTable {
	t := &zoneTable{names: map[string]*zoneNames{}, short: map[string]string{}, full: map[string]string{}}
	for _, line := range strings.Split(strings.TrimSpace(zoneData), "\n") {
		f := strings.Split(line, "\t")
		switch f[0] {
		case "=s":
			t.short[f[1]] = f[2]
		case "=f":
			t.full[f[1]] = f[2]
		default:
			t.names[f[0]] = &zoneNames{f[1], f[2], f[3], f[4], f[5], f[6]}
			t.ids = append(t.ids, f[0])
		}
	}
	sort.Strings(t.ids)
	keys := func(m map[string]string) []string {
		ks := append([]string(nil), t.ids...)
		for k := range m {
			ks = append(ks, k)
		}
		sort.Slice(ks, func(i, j int) bool {
			if len(ks[i]) != len(ks[j]) {
				return len(ks[i]) > len(ks[j])
			}
			return ks[i] < ks[j]
		})
		return ks
	}
	t.shortKeys, t.fullKeys = keys(t.short), keys(t.full)
	return t
})

// AbbreviationZone returns the zone id Java 17 (Locale.US) resolves a short zone name such
// as "PST" to when parsing with the pattern letter z, and whether it knows the name.
func AbbreviationZone(name string) (string, bool) {
	id, ok := table().short[name]
	return id, ok
}

// zones caches loaded locations; only ids in Java's table (about 600) are ever stored,
// so it stays bounded whatever the data.
var zones sync.Map

// UTCZone is the location of Java's ZoneId.of("UTC") (a region, written "UTC" by the
// pattern letter z); time.UTC stands for ZoneOffset.UTC ("Z").
var UTCZone = time.FixedZone("UTC", 0)

// LoadZone resolves a Java zone id: an IANA region id ("America/Los_Angeles"), "Z", an
// offset ("+05:30", "-08"), or a prefixed offset ("UTC+01:00", "GMT-8"), as ZoneId.of does.
// Java's three-letter short ids (ZoneId.SHORT_IDS, e.g. "PST") are refused as ZoneId.of refuses them.
func LoadZone(id string) (*time.Location, error) {
	if l, ok := zones.Load(id); ok {
		return l.(*time.Location), nil
	}
	bad := fmt.Errorf("unknown time-zone ID %q", id)
	switch {
	case id == "Z":
		return time.UTC, nil
	case strings.HasPrefix(id, "+") || strings.HasPrefix(id, "-"):
		secs, ok := parseOffsetID(id)
		if !ok {
			return nil, fmt.Errorf("invalid ID for ZoneOffset, invalid format: %s", id)
		}
		return offsetZone(secs), nil
	}
	for _, p := range []string{"UTC", "GMT", "UT"} {
		if strings.HasPrefix(id, p) && len(id) > len(p) && (id[len(p)] == '+' || id[len(p)] == '-') {
			secs, ok := parseOffsetID(id[len(p):])
			if !ok {
				return nil, bad
			}
			return time.FixedZone(p+offsetID(secs), secs), nil
		}
	}
	if _, known := table().names[id]; !known {
		return nil, bad
	}
	var l *time.Location
	if id == "UTC" {
		l = UTCZone
	} else {
		var err error
		if l, err = time.LoadLocation(id); err != nil {
			return nil, bad
		}
	}
	zones.Store(id, l)
	return l, nil
}

// parseOffsetID parses +h, +hh, +hh:mm, +hhmm, +hh:mm:ss, +hhmmss (ZoneOffset.of).
func parseOffsetID(s string) (int, bool) {
	if len(s) < 2 || (s[0] != '+' && s[0] != '-') {
		return 0, false
	}
	neg := s[0] == '-'
	d := s[1:]
	digits := func(x string) (int, bool) {
		n := 0
		for i := 0; i < len(x); i++ {
			if x[i] < '0' || x[i] > '9' {
				return 0, false
			}
			n = n*10 + int(x[i]-'0')
		}
		return n, true
	}
	var h, m, sec int
	var ok1, ok2, ok3 = true, true, true
	switch len(d) {
	case 1, 2:
		h, ok1 = digits(d)
	case 4:
		h, ok1 = digits(d[:2])
		m, ok2 = digits(d[2:])
	case 5:
		if d[2] != ':' {
			return 0, false
		}
		h, ok1 = digits(d[:2])
		m, ok2 = digits(d[3:])
	case 6:
		h, ok1 = digits(d[:2])
		m, ok2 = digits(d[2:4])
		sec, ok3 = digits(d[4:])
	case 8:
		if d[2] != ':' || d[5] != ':' {
			return 0, false
		}
		h, ok1 = digits(d[:2])
		m, ok2 = digits(d[3:5])
		sec, ok3 = digits(d[6:])
	default:
		return 0, false
	}
	if !ok1 || !ok2 || !ok3 || h > 18 || m > 59 || sec > 59 {
		return 0, false
	}
	total := h*3600 + m*60 + sec
	if total > 18*3600 {
		return 0, false
	}
	if neg {
		total = -total
	}
	return total, true
}

// offsetID is ZoneOffset.getId: "Z", "+05:30", "-08:00", "+01:02:03".
func offsetID(secs int) string {
	if secs == 0 {
		return "Z"
	}
	b := appendOffset(nil, secs, 6, "Z")
	if len(b) == 3 { // +HH: ZoneOffset ids always have minutes
		b = append(b, ":00"...)
	}
	return string(b)
}

// offsetZone is the location standing for a ZoneOffset.
func offsetZone(secs int) *time.Location {
	if secs == 0 {
		return time.UTC
	}
	return time.FixedZone(offsetID(secs), secs)
}

// javaZone describes t's location as Java would: its id and whether it is a ZoneOffset.
func javaZone(t time.Time) (id string, isOffset bool) {
	loc := t.Location()
	if loc == time.UTC {
		return "Z", true
	}
	name := loc.String()
	if name == "Local" {
		_, off := t.Zone()
		return offsetID(off), true
	}
	if strings.HasPrefix(name, "+") || strings.HasPrefix(name, "-") {
		return name, true
	}
	return name, false
}

func zoneID(t time.Time) string {
	id, _ := javaZone(t)
	return id
}

func zoneText(t time.Time, style textStyle) string {
	id, off := javaZone(t)
	if off {
		return id
	}
	n, ok := table().names[id]
	if !ok {
		abbr, _ := t.Zone()
		return abbr
	}
	dst := t.IsDST() && n.shortDST != ""
	switch {
	case style == styleFull && dst:
		return n.fullDST
	case style == styleFull:
		return n.full
	case dst:
		return n.shortDST
	}
	return n.short
}

func zoneGeneric(t time.Time, style textStyle) string {
	id, off := javaZone(t)
	if off {
		return id
	}
	n, ok := table().names[id]
	if !ok {
		abbr, _ := t.Zone()
		return abbr
	}
	if style == styleFull {
		return n.genFull
	}
	return n.genShort
}

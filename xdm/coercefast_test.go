package xdm

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ciosim/ciosim/xdm/expr"
)

// slowDateTime is date-time coercion without the canonical shortcut: the oracle.
func slowDateTime(s string) (string, bool) {
	t, ok := expr.ParseDate(s)
	if !ok || t.Year() < 0 || t.Year() > 9999 {
		return "", false
	}
	return t.Format(time.RFC3339Nano), true
}

// checkCanonical fails when canonicalDateTime keeps a string that date-time coercion
// would change or refuse, or when coerce differs from the oracle.
func checkCanonical(t *testing.T, s string) bool {
	t.Helper()
	want, ok := slowDateTime(s)
	if canonicalDateTime(s) && (!ok || want != s) {
		t.Fatalf("canonicalDateTime keeps %q; coercion gives %q (ok %v)", s, want, ok)
	}
	got, err := coerce(s, "string", "date-time")
	if ok != (err == nil) || ok && got != want {
		t.Fatalf("coerce(%q) = %v, %v; want %q (ok %v)", s, got, err, want, ok)
	}
	return canonicalDateTime(s)
}

// TestCanonicalDateTime: the strings date-time coercion keeps as they are, on edge cases
// and their mutations, are exactly ones it would give back unchanged.
func TestCanonicalDateTime(t *testing.T) {
	cases := []string{"2026-03-01T00:00:00Z", "2026-03-01T23:59:59.123Z", "2026-03-01T00:00:00.120Z",
		"2026-03-01T00:00:00.000Z", "2024-02-29T12:00:00Z", "2026-02-29T12:00:00Z", "1900-02-29T00:00:00Z",
		"2000-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
		"2026-03-00T00:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01T00:60:00Z", "2026-03-01T00:00:60Z",
		"0999-03-01T00:00:00Z", "1000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2026-03-01T00:00:00z",
		"2026-03-01t00:00:00Z", "2026-03-01 00:00:00Z", "2026-03-01T00:00:00+00:00", "2026-03-01T00:00:00.1Z",
		"2026-03-01T00:00:00.12345Z", "2026-03-01T00:00:00", " 2026-03-01T00:00:00Z", "2026-03-01T00:00:00.12Z"}
	kept := 0
	for _, c := range cases {
		if checkCanonical(t, c) {
			kept++
		}
	}
	r := rand.New(rand.NewPCG(5, 9))
	const alphabet = "0123456789:-.TZ +z"
	for range 50000 {
		b := []byte(cases[r.IntN(len(cases))])
		for range 1 + r.IntN(2) {
			if i := r.IntN(len(b)); r.IntN(4) == 0 {
				b = append(b[:i], b[i+1:]...)
			} else {
				b[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		if checkCanonical(t, string(b)) {
			kept++
		}
	}
	if kept < 1000 {
		t.Fatalf("only %d strings kept: the test exercises little", kept)
	}
}

func FuzzCanonicalDateTime(f *testing.F) {
	for _, s := range []string{"2026-03-01T00:00:00Z", "2026-03-01T23:59:59.123Z", "2024-02-29T12:00:00Z", "2026-03-01T00:00:00.120Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkCanonical(t, s) })
}

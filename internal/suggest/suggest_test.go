package suggest

import (
	"slices"
	"testing"
)

func TestClosest(t *testing.T) {
	cmds := []string{"catalog", "generate", "record", "replay", "redact", "scan", "send", "serve", "transform"}
	for word, want := range map[string][]string{
		"generat":   {"generate"},
		"gen":       {"generate"},
		"sned":      {"send"},
		"replya":    {"replay"},
		"xyzzy":     nil,
		"generate":  nil,
		"TRANSFORM": {"transform"},
	} {
		if got := Closest(word, cmds); !slices.Equal(got, want) {
			t.Errorf("Closest(%q) = %q, want %q", word, got, want)
		}
	}
	if got := Closest("data.campain_id", []string{"data.campaign_id", "data.content_id", "event_id"}); !slices.Equal(got, []string{"data.campaign_id"}) {
		t.Errorf("path: %q", got)
	}
}

func TestHint(t *testing.T) {
	if got := Hint([]string{"a", "b"}); got != ` (did you mean "a" or "b"?)` {
		t.Errorf("got %q", got)
	}
	if Hint(nil) != "" {
		t.Error("empty hint not empty")
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"a", "", 1}, {"kitten", "sitting", 3}, {"send", "sned", 1}, {"ab", "ba", 1}, {"abc", "ca", 3}} {
		if got := Distance(c.a, c.b); got != c.d {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

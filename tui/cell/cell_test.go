package cell

import "testing"

func TestFit(t *testing.T) {
	tests := []struct {
		s    string
		w    int
		want string
	}{
		{"abc", 5, "abc  "},
		{"abcdef", 4, "abc…"},
		{"abcd", 4, "abcd"},
		{"héllo", 3, "hé…"},
		{"\x1b[1mbold\x1b[0m", 6, "\x1b[1mbold\x1b[0m  "},
		{"x", 0, ""},
		{"x", -1, ""},
	}
	for _, tt := range tests {
		if got := Fit(tt.s, tt.w); got != tt.want {
			t.Errorf("Fit(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.want)
		}
	}
}

func TestMiddle(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want string
	}{
		{"short", 10, "short"},
		{"ciosim-2026-03-14-001", 15, "cios…-03-14-001"},
		{"abcdef", 4, "a…ef"},
		{"abcdef", 1, "…"},
	} {
		if got := Middle(c.in, c.w); got != c.want {
			t.Errorf("Middle(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}

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

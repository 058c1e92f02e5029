// Package suggest finds the names a mistyped word was probably meant to be, for "did you
// mean" hints on commands, flags, scenario names and override paths.
package suggest

import (
	"slices"
	"strings"
)

// Closest returns the candidates nearest to word: those word is a prefix of (when it has 3
// or more letters) and those within an edit distance of 1 (words of up to 4 letters), 2,
// or a quarter of word's length for long words, best first. At most three are returned;
// none when word is itself a candidate. Case is ignored.
func Closest(word string, candidates []string) []string {
	if word == "" || slices.Contains(candidates, word) {
		return nil
	}
	limit := max(2, len(word)/4)
	if len(word) <= 4 {
		limit = 1
	}
	type hit struct {
		s string
		d int
	}
	var hits []hit
	lw := strings.ToLower(word)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		if len(word) >= 3 && strings.HasPrefix(lc, lw) {
			hits = append(hits, hit{c, -1})
		} else if d := Distance(lw, lc); d <= limit {
			hits = append(hits, hit{c, d})
		}
	}
	slices.SortStableFunc(hits, func(a, b hit) int { return a.d - b.d })
	var out []string
	for _, h := range hits {
		if !slices.Contains(out, h.s) {
			out = append(out, h.s)
		}
		if len(out) == 3 {
			break
		}
	}
	return out
}

// Hint formats suggestions as a sentence tail: ` (did you mean "a" or "b"?)`, or "".
func Hint(suggestions []string) string {
	if len(suggestions) == 0 {
		return ""
	}
	q := make([]string, len(suggestions))
	for i, s := range suggestions {
		q[i] = `"` + s + `"`
	}
	return " (did you mean " + strings.Join(q, " or ") + "?)"
}

// Distance is the edit distance between a and b (insertions, deletions, substitutions and
// transpositions of neighbours: optimal string alignment), counted in bytes (names here are
// ASCII). Inputs longer than 256 bytes count as far apart.
func Distance(a, b string) int {
	if len(a) > 256 || len(b) > 256 {
		return max(len(a), len(b))
	}
	// d[i][j] over three rolling rows: pp (i-2), prev (i-1), cur (i).
	pp := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], pp[j-2]+1)
			}
		}
		pp, prev, cur = prev, cur, pp
	}
	return prev[len(b)]
}

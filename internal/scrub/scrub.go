// Package scrub removes the credentials a process is using from text it stores or shows:
// response bodies, error messages and the reasons built from them. An endpoint that echoes
// request headers back (a debugging proxy, a misconfigured gateway, an error page) would
// otherwise put the bearer token or API key into dead letters, journals, reports, stderr
// and the TUI.
//
// A [Scrubber] is built once from the credentials in use. It masks every occurrence of
// each credential in the forms an echo is likely to use:
//
//   - the value itself, and as it appears inside a JSON string (both escapings of
//     encoding/json, and with "/" written as "\/");
//   - URL-encoded: url.QueryEscape and url.PathEscape, with upper- or lower-case hex;
//   - base64, standard and URL alphabets, padded or not, at any position inside a longer
//     encoded value ("Basic base64(user:password)", "base64(Bearer <token>)"): the
//     characters that depend only on the credential's bytes are masked, for each of the
//     three alignments a value can have in base64; also with its '+' and '/' URL-encoded.
//
// Overlapping matches are merged and replaced by one [Mask]. The mask is chosen so that
// masking can never make a new occurrence appear, so one pass leaves no form of any
// credential in the text. Credentials shorter than [MinLen] bytes are not scrubbed (they
// would mask ordinary words); base64 forms are matched for credentials of at least
// [MinBase64Len] bytes, so that a match is never a coincidence in ids and hashes.
//
// The package imports nothing of ciosim but jsonstr; a nil *Scrubber scrubs nothing.
package scrub

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"

	"github.com/ciosim/ciosim/internal/jsonstr"
)

// Mask replaces each credential found.
const Mask = "[redacted]"

// MinLen is the shortest credential scrubbed; shorter values are ignored.
const MinLen = 4

// MinBase64Len is the shortest credential whose base64 forms are scrubbed (its
// alignment-free base64 cores are then at least 8 characters long).
const MinBase64Len = 7

// Scrubber masks a fixed set of credentials. It is safe for concurrent use.
type Scrubber struct {
	forms []string
	mask  string
	// grams has a bit set for the hash of each form's first four bytes (every form is at
	// least MinLen long): a text none of whose 4-byte windows hits a bit holds no form, which
	// one pass tells (most texts, such as a delivered event's answer).
	grams [gramBits / 64]uint64
}

const gramBits = 1 << 16

func gramHash[T string | []byte](s T) uint32 {
	v := uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
	return (v * 2654435761) >> 16 // Fibonacci hashing to 16 bits
}

// New returns a Scrubber for secrets, or nil when none is at least MinLen bytes long (a nil
// Scrubber returns text unchanged).
func New(secrets ...string) *Scrubber {
	seen := map[string]bool{}
	var forms []string
	add := func(f string) {
		if len(f) >= MinLen && !seen[f] { // always, for a secret of MinLen or more
			seen[f] = true
			forms = append(forms, f)
		}
	}
	for _, s := range secrets {
		if len(s) < MinLen {
			continue
		}
		for _, f := range Forms(s) {
			add(f)
		}
	}
	if len(forms) == 0 {
		return nil
	}
	// Longest first: it only affects the order of equal starts, but keeps output stable.
	slices.SortStableFunc(forms, func(a, b string) int { return len(b) - len(a) })
	sc := &Scrubber{forms: forms, mask: chooseMask(forms)}
	for _, f := range forms {
		h := gramHash(f)
		sc.grams[h/64] |= 1 << (h % 64)
	}
	return sc
}

// Forms returns the strings that stand for secret in text: the value, its JSON-escaped,
// URL-encoded and base64 forms (see the package comment). Base64 forms are the cores that
// depend on the secret's bytes only.
func Forms(secret string) []string {
	out := []string{secret}
	for _, m := range []jsonstr.Mode{jsonstr.Plain, jsonstr.HTML} {
		q := jsonstr.Append(nil, secret, m)
		j := string(q[1 : len(q)-1])
		out = append(out, j, strings.ReplaceAll(j, "/", `\/`))
	}
	for _, e := range []string{url.QueryEscape(secret), url.PathEscape(secret)} {
		out = append(out, e, lowerHex(e))
	}
	if len(secret) >= MinBase64Len {
		for shift := 0; shift < 3; shift++ {
			core := base64Core(secret, shift)
			esc := url.QueryEscape(core) // base64 sent in a query parameter
			out = append(out, core, strings.NewReplacer("+", "-", "/", "_").Replace(core), esc, lowerHex(esc))
		}
	}
	// Drop duplicates, keeping order.
	var uniq []string
	for _, f := range out {
		if f != "" && !slices.Contains(uniq, f) {
			uniq = append(uniq, f)
		}
	}
	return uniq
}

// base64Core returns the standard base64 characters of secret placed shift bytes (0–2)
// into an encoded value that depend on the secret's bits only: those characters appear
// whenever the secret sits at a byte offset ≡ shift (mod 3) inside any base64 text.
func base64Core(secret string, shift int) string {
	buf := make([]byte, shift+len(secret))
	copy(buf[shift:], secret)
	enc := base64.RawStdEncoding.EncodeToString(buf)
	startBit, endBit := 8*shift, 8*(shift+len(secret))
	from := (startBit + 5) / 6 // first character wholly inside the secret
	to := endBit / 6           // one past the last
	if to > len(enc) {
		to = len(enc)
	}
	if from >= to {
		return ""
	}
	return enc[from:to]
}

// lowerHex returns e with the hex digits of its %XX escapes in lower case.
func lowerHex(e string) string {
	if !strings.Contains(e, "%") {
		return e
	}
	b := []byte(e)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			for k := i + 1; k <= i+2; k++ {
				if b[k] >= 'A' && b[k] <= 'F' {
					b[k] += 'a' - 'A'
				}
			}
			i += 2
		}
	}
	return string(b)
}

// chooseMask returns Mask unless a form could combine with it into a new occurrence (a form
// holding '[' or ']', or one found inside the mask); then a run of a byte no form holds.
func chooseMask(forms []string) string {
	safe := true
	for _, f := range forms {
		if strings.ContainsAny(f, "[]") || strings.Contains(Mask, f) {
			safe = false
			break
		}
	}
	if safe {
		return Mask
	}
	var used [256]bool
	for _, f := range forms {
		for i := 0; i < len(f); i++ {
			used[f[i]] = true
		}
	}
	for _, c := range []byte("*#~^|!") {
		if !used[c] {
			return strings.Repeat(string(c), 6)
		}
	}
	for c := 0x21; c < 0x7f; c++ {
		if !used[c] {
			return strings.Repeat(string(rune(c)), 6)
		}
	}
	for c := 0; c < 256; c++ {
		if !used[c] {
			return strings.Repeat(string([]byte{byte(c)}), 6)
		}
	}
	return "" // every byte is in some form: matches are removed, repeatedly (see String)
}

// String returns s with every form of every credential masked.
func (sc *Scrubber) String(s string) string {
	if sc == nil || s == "" || !mayHold(sc, s) {
		return s
	}
	for {
		out, changed := sc.once(s)
		if !changed || sc.mask != "" {
			return out
		}
		s = out // removal can join two halves into a new match: repeat until none
	}
}

// Bytes is [Scrubber.String] for a byte slice. It returns b itself when nothing matched.
func (sc *Scrubber) Bytes(b []byte) []byte {
	if sc == nil || len(b) == 0 || !mayHold(sc, b) {
		return b
	}
	s := sc.String(string(b))
	if s == string(b) {
		return b
	}
	return []byte(s)
}

// Strings scrubs each element of ss in place and returns ss.
func (sc *Scrubber) Strings(ss []string) []string {
	for i := range ss {
		ss[i] = sc.String(ss[i])
	}
	return ss
}

// mayHold reports whether s may hold a form: whether one of its 4-byte windows hashes to a
// form's first four bytes.
func mayHold[T string | []byte](sc *Scrubber, s T) bool {
	for i := 0; i+MinLen <= len(s); i++ {
		h := gramHash(s[i : i+MinLen])
		if sc.grams[h/64]&(1<<(h%64)) != 0 {
			return true
		}
	}
	return false
}

type span struct{ from, to int }

// once masks every occurrence found in s, merging overlapping ones.
func (sc *Scrubber) once(s string) (string, bool) {
	var spans []span
	for _, f := range sc.forms {
		for at := 0; at+len(f) <= len(s); {
			i := strings.Index(s[at:], f)
			if i < 0 {
				break
			}
			spans = append(spans, span{at + i, at + i + len(f)})
			at += i + 1 // overlapping occurrences too
		}
	}
	if len(spans) == 0 {
		return s, false
	}
	slices.SortFunc(spans, func(a, b span) int { return a.from - b.from })
	var b strings.Builder
	b.Grow(len(s))
	pos := 0
	cur := spans[0]
	flush := func(sp span) {
		b.WriteString(s[pos:sp.from])
		b.WriteString(sc.mask)
		pos = sp.to
	}
	for _, sp := range spans[1:] {
		if sp.from <= cur.to {
			cur.to = max(cur.to, sp.to)
			continue
		}
		flush(cur)
		cur = sp
	}
	flush(cur)
	b.WriteString(s[pos:])
	return b.String(), true
}

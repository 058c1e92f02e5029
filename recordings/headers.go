package recordings

import (
	"bytes"
	"cmp"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/ciosim/ciosim/customerio"
)

// Bounds on the headers written into one capture. Customer.io sends about ten headers and a
// tunnel adds about as many again; anything past these bounds is dropped and counted in
// [Capture.HeadersDropped], so one request cannot make a capture line large.
const (
	// MaxCaptureHeaders is the most header names a capture keeps.
	MaxCaptureHeaders = 64
	// MaxCaptureHeaderBytes is the most bytes of header names and values a capture keeps.
	MaxCaptureHeaderBytes = 16 << 10
)

// Masked replaces the value of a query parameter that looks like a credential.
const Masked = "REDACTED"

// connectionHeaders describe the connection rather than the request, or carry AEP
// credentials; they are never written to a recording.
var connectionHeaders = map[string]bool{
	"Connection":      true,
	"Keep-Alive":      true,
	"X-Gw-Ims-Org-Id": true,
	"X-Sandbox-Name":  true,
}

// secretWords are the parts of a header or query parameter name that mark it as carrying a
// credential (compared case-insensitively, anywhere in the name).
var secretWords = []string{"key", "token", "secret", "password", "passwd", "auth", "session", "cookie", "credential"}

// SecretName reports whether a header or query parameter name looks like it carries a
// credential: it contains key, token, secret, password, passwd, auth, session, cookie or
// credential (signature-key, api_key, X-Hook-Key, Authorization, Set-Cookie, ...). The two
// headers a Customer.io signature is verified with, X-CIO-Signature and X-CIO-Timestamp,
// are not secret: the signature is a MAC of the body, not the key.
func SecretName(name string) bool {
	var buf [64]byte
	if len(name) > len(buf) || !isASCII(name) {
		return secretLower(strings.ToLower(name))
	}
	// ASCII (every header name) and short: lowered into buf, without allocating.
	l := buf[:len(name)]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		l[i] = c
	}
	if string(l) == "x-cio-signature" || string(l) == "x-cio-timestamp" {
		return false
	}
	for _, w := range secretWordBytes {
		if bytes.Contains(l, w) {
			return true
		}
	}
	return false
}

var secretWordBytes = func() [][]byte {
	b := make([][]byte, len(secretWords))
	for i, w := range secretWords {
		b[i] = []byte(w)
	}
	return b
}()

func secretLower(l string) bool {
	if l == "x-cio-signature" || l == "x-cio-timestamp" {
		return false
	}
	for _, w := range secretWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

var (
	bearerRe = regexp.MustCompile(`(?i)^\s*(?:bearer|basic|token|digest|negotiate)\s+\S{6,}`)
	jwtRe    = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
)

// SecretValue reports whether a header or query value looks like a credential whatever its
// name: an HTTP authorization value ("Bearer …", "Basic …") or a JSON Web Token anywhere in
// it.
func SecretValue(v string) bool {
	// Cheap necessary conditions first: most values match neither pattern, and running
	// both expressions on every header value cost more than the rest of the filtering.
	return (maybeScheme(v) && bearerRe.MatchString(v)) || (strings.Contains(v, "eyJ") && jwtRe.MatchString(v))
}

// maybeScheme reports whether v, after leading white space as \s matches it, starts with a
// letter that can begin bearer, basic, token, digest or negotiate under (?i) (none of b, t,
// d, n folds to a letter outside ASCII).
func maybeScheme(v string) bool {
	v = strings.TrimLeft(v, "\t\n\f\r ")
	if v == "" {
		return false
	}
	switch v[0] | 0x20 {
	case 'b', 't', 'd', 'n':
		return true
	}
	return false
}

// KeepHeaders returns the headers of h that may be written to a recording; see
// [FilterHeaders].
func KeepHeaders(h http.Header) map[string]string {
	kept, _ := FilterHeaders(h)
	return kept
}

// headerFirst are kept before any other header when the bounds bite.
var headerFirst = []string{
	http.CanonicalHeaderKey(customerio.HeaderSignature),
	http.CanonicalHeaderKey(customerio.HeaderTimestamp),
	"Content-Type", "User-Agent", "Content-Length",
}

// FilterHeaders returns the headers of h that may be written to a recording, one value per
// name (repeated values joined with ", "), and how many names were dropped by the bounds.
//
// Dropped without being counted: credentials (names [SecretName] matches, values
// [SecretValue] matches) and connection headers. Then at most [MaxCaptureHeaders] names and
// [MaxCaptureHeaderBytes] bytes are kept: the Customer.io signature headers, Content-Type
// and User-Agent first, the rest in name order; every header that does not fit is dropped
// and counted.
func FilterHeaders(h http.Header) (kept map[string]string, dropped int) {
	type ranked struct {
		rank int
		name string
	}
	var small [24]ranked // (a request's headers fit: no allocation for the names)
	names := small[:0]
	for k, vs := range h {
		if connectionHeaders[http.CanonicalHeaderKey(k)] || SecretName(k) || anySecret(vs) {
			continue
		}
		rank := len(headerFirst)
		for i, f := range headerFirst {
			if strings.EqualFold(k, f) {
				rank = i
				break
			}
		}
		names = append(names, ranked{rank, k})
	}
	slices.SortFunc(names, func(a, b ranked) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		return strings.Compare(a.name, b.name)
	})
	kept = make(map[string]string, min(len(names), MaxCaptureHeaders))
	bytes := 0
	for _, r := range names {
		k := r.name
		v := strings.Join(h[k], ", ")
		if len(kept) == MaxCaptureHeaders || bytes+len(k)+len(v) > MaxCaptureHeaderBytes {
			dropped++
			continue
		}
		kept[k] = v
		bytes += len(k) + len(v)
	}
	return kept, dropped
}

func anySecret(vs []string) bool {
	for _, v := range vs {
		if SecretValue(v) {
			return true
		}
	}
	return false
}

// MaskQuery returns the raw query q with the value of every parameter whose name is a
// [SecretName] or whose value is a [SecretValue] replaced by [Masked]. Every other byte,
// including the order and encoding of the other parameters, is kept.
func MaskQuery(q string) string {
	if q == "" {
		return q
	}
	if !anySecretParam(q) {
		return q // (the common case, without splitting)
	}
	parts := strings.Split(q, "&")
	changed := false
	for i, p := range parts {
		name, val, hasVal := strings.Cut(p, "=")
		if !hasVal || val == Masked {
			continue
		}
		if secretParam(name, val) {
			parts[i] = name + "=" + Masked
			changed = true
		}
	}
	if !changed {
		return q
	}
	return strings.Join(parts, "&")
}

// anySecretParam reports whether MaskQuery would mask a parameter of q.
func anySecretParam(q string) bool {
	for rest := q; ; {
		p, more, found := strings.Cut(rest, "&")
		if name, val, hasVal := strings.Cut(p, "="); hasVal && val != Masked && secretParam(name, val) {
			return true
		}
		if !found {
			return false
		}
		rest = more
	}
}

func secretParam(rawName, rawVal string) bool {
	name, err := url.QueryUnescape(rawName)
	if err != nil {
		name = rawName
	}
	val, err := url.QueryUnescape(rawVal)
	if err != nil {
		val = rawVal
	}
	return SecretName(name) || SecretValue(val) || SecretValue(rawVal)
}

// ScanCapture reports credentials left in a capture's query string and headers (what
// recordings made before masking, or edited by hand, may hold), and personal data in
// them (an X-Forwarded-For address, an email in the query), as findings with paths "query.NAME" and "headers.NAME". Kind is "secret"
// for credentials. The body is not looked at: use [Scan].
func ScanCapture(c Capture) []Finding {
	var out []Finding
	if c.Query != "" {
		for _, p := range strings.Split(c.Query, "&") {
			rawName, rawVal, hasVal := strings.Cut(p, "=")
			if !hasVal || rawVal == "" || rawVal == Masked {
				continue
			}
			name, err := url.QueryUnescape(rawName)
			if err != nil {
				name = rawName
			}
			if secretParam(rawName, rawVal) {
				out = append(out, Finding{"query." + name, "secret", mask(rawVal)})
				continue
			}
			val, err := url.QueryUnescape(rawVal)
			if err != nil {
				val = rawVal
			}
			scanText("query."+name, val, &out)
		}
	}
	names := make([]string, 0, len(c.Headers))
	for k := range c.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		v := c.Headers[k]
		if v == "" || v == Masked {
			continue
		}
		if SecretName(k) || SecretValue(v) {
			out = append(out, Finding{"headers." + k, "secret", mask(v)})
			continue
		}
		scanText("headers."+k, v, &out)
	}
	return out
}

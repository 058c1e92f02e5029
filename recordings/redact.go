package recordings

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"github.com/ciosim/ciosim/secret"
)

// Redactor replaces personal data in Customer.io event bodies with keyed pseudonyms: the
// HMAC-SHA256 of the value under a local key, so the same person gets the same stand-in in
// every event and every file redacted with the same key (and AEP identity stitching can
// still be tested), while the original cannot be recovered without the key. Stand-ins keep
// their format: an email stays an email (at example.com), an E.164 number stays E.164 with
// the same number of digits (in the reserved +999 country code), an IP stays an IP of the same family,
// an all-digit id stays all digits of the same length, a hex id stays hex.
//
// What is redacted: in data, customer_id, email_address, identifiers.* (id, email, cio_id
// and any other), recipient, recipients (every string inside), to, from, name, first_name,
// last_name, ip and ip_address, device_id, content and subject (message text, replaced
// by a marker), the query string of href, link and url values; and anywhere in the event,
// any other string that contains an email address, an E.164 phone number or an IP address
// (for example a failure_message quoting the recipient). Envelope fields (event_id,
// object_type, metric, timestamp) and message ids (delivery_id, campaign_id, ...) are kept.
type Redactor struct {
	key []byte
}

// NewRedactor returns a Redactor keyed with key, which must not be zero.
func NewRedactor(key secret.Secret) *Redactor {
	return &Redactor{key: key.Bytes()}
}

func (r *Redactor) mac(kind, v string) []byte {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(v))
	return m.Sum(nil)
}

// Email returns the pseudonym of an email address: u<12 hex>@example.com. Case is folded
// first, as mail systems do, so Ada@X.com and ada@x.com map to the same stand-in.
func (r *Redactor) Email(v string) string {
	return "u" + hex.EncodeToString(r.mac("email", strings.ToLower(strings.TrimSpace(v))))[:12] + "@example.com"
}

// PseudoPhonePrefix starts every phone pseudonym: +999 is a country code ITU holds in
// reserve, so a stand-in is a well-formed E.164 number that can never reach a person, and
// [Scan] can tell it from a real one.
const PseudoPhonePrefix = "+999"

// Phone returns the pseudonym of an E.164 number: [PseudoPhonePrefix] followed by digits
// from the HMAC, as many digits in all as the original has (at least 7, at most 15).
func (r *Redactor) Phone(v string) string {
	digits := strings.TrimPrefix(v, "+")
	h := r.mac("phone", digits)
	n := min(max(len(digits), 7), 15)
	var b strings.Builder
	b.WriteString(PseudoPhonePrefix)
	for i := 3; i < n; i++ {
		b.WriteByte('0' + h[i%len(h)]%10)
	}
	return b.String()
}

// ID returns the pseudonym of an identifier, keeping its shape: all digits stay digits
// (no leading zero), lowercase hex stays hex, anything else becomes id_<16 hex>.
func (r *Redactor) ID(v string) string {
	h := r.mac("id", v)
	switch {
	case v == "":
		return v
	case isDigits(v):
		var b strings.Builder
		for i := range len(v) {
			d := h[i%len(h)] % 10
			if i == 0 && len(v) > 1 && d == 0 {
				d = 1 + h[(i+7)%len(h)]%9
			}
			b.WriteByte('0' + d)
		}
		return b.String()
	case isHex(v) && len(v) <= 64:
		return hex.EncodeToString(h)[:len(v)]
	default:
		return "id_" + hex.EncodeToString(h)[:16]
	}
}

// Name returns the pseudonym of a person's name.
func (r *Redactor) Name(v string) string {
	return "name_" + hex.EncodeToString(r.mac("name", strings.ToLower(v)))[:8]
}

// IP returns the pseudonym of an IP address: 10.x.x.x for IPv4, fd00::/8 for IPv6.
func (r *Redactor) IP(a netip.Addr) netip.Addr {
	h := r.mac("ip", a.String())
	if a.Is4() {
		return netip.AddrFrom4([4]byte{10, h[0], h[1], h[2]})
	}
	var b [16]byte
	copy(b[:], h)
	b[0] = 0xfd
	return netip.AddrFrom16(b)
}

// Text returns the marker that replaces message text.
func (r *Redactor) Text(v string) string {
	return fmt.Sprintf("[redacted %d chars %s]", len(v), hex.EncodeToString(r.mac("text", v))[:8])
}

// URL keeps the scheme, host and path of a link and replaces each query value (and any
// fragment) with a pseudonym, so tracked links stay links without carrying who clicked.
func (r *Redactor) URL(v string) string {
	u, err := url.Parse(v)
	if err != nil || (u.RawQuery == "" && u.Fragment == "") {
		return r.Strings(v)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		u.RawQuery = "redacted=" + hex.EncodeToString(r.mac("query", u.RawQuery))[:12]
	} else {
		for k, vs := range q {
			for i, x := range vs {
				vs[i] = hex.EncodeToString(r.mac("query", x))[:12]
			}
			q[k] = vs
		}
		u.RawQuery = q.Encode()
	}
	if u.Fragment != "" {
		u.Fragment = hex.EncodeToString(r.mac("query", u.Fragment))[:8]
	}
	return u.String()
}

var (
	emailRe = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	phoneRe = regexp.MustCompile(`\+[1-9][0-9]{6,14}\b`)
	ipv4Re  = regexp.MustCompile(`\b(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\b`)
	ipv6Re  = regexp.MustCompile(`\b(?:[0-9a-fA-F]{1,4}:){2,7}[0-9a-fA-F]{1,4}\b|\b(?:[0-9a-fA-F]{1,4}:){1,6}:(?:[0-9a-fA-F]{1,4})?\b`)
)

// Strings replaces every email address, E.164 number and IP address inside free text.
func (r *Redactor) Strings(v string) string {
	v = emailRe.ReplaceAllStringFunc(v, r.Email)
	v = phoneRe.ReplaceAllStringFunc(v, r.Phone)
	v = ipv4Re.ReplaceAllStringFunc(v, r.ipString)
	v = ipv6Re.ReplaceAllStringFunc(v, r.ipString)
	return v
}

func (r *Redactor) ipString(s string) string {
	a, err := netip.ParseAddr(s)
	if err != nil || a.IsLoopback() || a.IsUnspecified() {
		return s
	}
	return r.IP(a).String()
}

// Value redacts one string found under key: by the key's meaning when it names personal
// data, else by the shape of the value.
func (r *Redactor) Value(key, v string) string {
	switch {
	case v == "":
		return v
	case emailRe.MatchString(v) && emailRe.FindString(v) == v:
		return r.Email(v)
	case phoneRe.MatchString(v) && phoneRe.FindString(v) == v:
		return r.Phone(v)
	}
	if a, err := netip.ParseAddr(v); err == nil {
		return r.IP(a).String()
	}
	switch key {
	case "id", "customer_id", "cio_id", "device_id", "recipient", "to", "from", "email", "email_address", "ip", "ip_address":
		return r.ID(v)
	case "name", "first_name", "last_name", "full_name":
		return r.Name(v)
	case "content", "subject", "body":
		return r.Text(v)
	case "href", "link", "url":
		return r.URL(v)
	}
	return r.Strings(v)
}

// Body redacts one event body and re-serialises it as compact JSON with sorted keys (the
// form Customer.io sends). Numbers keep their exact text.
func (r *Redactor) Body(body []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("redact: body is not a JSON object")
	}
	for k, x := range obj {
		if k == "data" {
			obj[k] = r.walk("", x, false)
		} else if s, ok := x.(string); ok && k != "event_id" && k != "object_type" && k != "metric" {
			obj[k] = r.Strings(s)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return nil, fmt.Errorf("redact: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// walk redacts x found under key; all marks values inside identifiers or recipients,
// where every string is personal.
func (r *Redactor) walk(key string, x any, all bool) any {
	switch t := x.(type) {
	case map[string]any:
		for k, v := range t {
			t[k] = r.walk(k, v, all || k == "identifiers" || k == "recipients")
		}
		return t
	case []any:
		for i, v := range t {
			t[i] = r.walk(key, v, all)
		}
		return t
	case string:
		if all && key != "device_platform" && key != "failure_message" {
			if out := r.Value(key, t); out != t {
				return out
			}
			return r.ID(t)
		}
		return r.Value(key, t)
	case json.Number:
		if (all || key == "customer_id" || key == "id") && isDigits(t.String()) {
			return json.Number(r.ID(t.String()))
		}
		return t
	default:
		return t
	}
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func isHex(s string) bool {
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}

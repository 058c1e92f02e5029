package recordings

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/bits"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/secret"
)

// Redactor replaces personal data in Customer.io event bodies with keyed pseudonyms, so the
// same person gets the same stand-in in every event and every file redacted with the same
// key (and AEP identity stitching can still be tested), while the original cannot be
// recovered without the key.
//
// Pseudonyms are one-to-one within a key: two different values never share a stand-in.
// Where the format leaves room, a stand-in is a keyed permutation of the value's own format
// (format-preserving encryption: a Feistel network, cycle-walked into the exact domain), so
// it cannot collide at all: an all-digit id stays all digits of the same length (with a
// leading zero exactly when the original has one), a hex id of up to 15 digits stays hex
// of the same length, a phone number of up to 12 digits becomes +999 followed by the same
// number of digits (the number widened by the reserved +999 country code), and an IPv4
// address becomes an address in a key-derived IPv6 unique-local /64 (widened, since no
// unroutable IPv4 range is as large as IPv4). Where the format is wider than any real
// data set (an email address: u<20 hex>@example.com, 80 bits; a name: name_<16 hex>; an
// IPv6 address: fd00::/8, 120 bits; longer ids: 64 bits and more), the stand-in is a keyed
// hash of that width.
//
// What is redacted: in data, customer_id, email_address, identifiers.* (id, email, cio_id
// and any other), recipient, recipients (every string inside), to, from, name, first_name,
// last_name, ip and ip_address, device_id, phone keys (phone, mobile, msisdn, ...),
// content and subject (message text, replaced by a marker), the query string of href,
// link and url values; and anywhere in the event, whatever [FindPII] finds in any other
// string (for example a failure_message quoting the recipient, or an address in a link's
// path). Envelope fields (event_id, object_type, metric, timestamp) and message ids
// (delivery_id, campaign_id, ...) are kept.
type Redactor struct {
	key    []byte
	prfKey [32]byte
}

// MinRedactKeyBytes is the shortest redaction key accepted: a shorter key could be guessed
// by trying keys against known values, which would undo every pseudonym.
const MinRedactKeyBytes = 16

// ErrRedactKeyShort is returned by [NewRedactor] for a key under [MinRedactKeyBytes].
var ErrRedactKeyShort = fmt.Errorf("recordings: redaction key shorter than %d bytes", MinRedactKeyBytes)

// NewRedactor returns a Redactor keyed with key, which must be at least
// [MinRedactKeyBytes] long (for example 32 random bytes: openssl rand -hex 32).
func NewRedactor(key secret.Secret) (*Redactor, error) {
	k := key.Bytes()
	if len(k) < MinRedactKeyBytes {
		return nil, fmt.Errorf("%w (got %d): use a random key, for example openssl rand -hex 32", ErrRedactKeyShort, len(k))
	}
	r := &Redactor{key: k}
	copy(r.prfKey[:], r.mac("fpe", ""))
	return r, nil
}

func (r *Redactor) mac(kind, v string) []byte {
	m := hmac.New(sha256.New, r.key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(v))
	return m.Sum(nil)
}

// prf is the Feistel round function: 64 bits of SHA-256 over a secret key and the round's
// inputs (fixed length, so a keyed prefix is a PRF here).
func (r *Redactor) prf(domain uint64, kind byte, round int, x uint64) uint64 {
	var b [32 + 1 + 1 + 8 + 8]byte
	copy(b[:], r.prfKey[:])
	b[32], b[33] = kind, byte(round)
	binary.BigEndian.PutUint64(b[34:], domain)
	binary.BigEndian.PutUint64(b[42:], x)
	h := sha256.Sum256(b[:])
	return binary.BigEndian.Uint64(h[:8])
}

// permute is a keyed permutation of [0, n): a balanced 8-round Feistel network on the
// smallest even number of bits that covers n, cycle-walked until the result is below n
// (it terminates because a permutation's cycle through x < n returns to values below n).
func (r *Redactor) permute(kind byte, n, x uint64) uint64 {
	w := bits.Len64(n - 1)
	w = max(w+w%2, 2)
	half := uint(w / 2)
	m := uint64(1)<<half - 1
	for {
		l, rt := x>>half, x&m
		for round := range 8 {
			l, rt = rt, l^(r.prf(n, kind, round, rt)&m)
		}
		x = l<<half | rt
		if x < n {
			return x
		}
	}
}

var pow10 = func() (p [19]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// permuteDigits maps a string of n ≤ 18 digits to another of n digits, one-to-one; a value
// with a leading zero maps to one with a leading zero, and one without to one without (so
// a JSON number stays a number).
func (r *Redactor) permuteDigits(kind byte, v string) string {
	n := len(v)
	x, _ := strconv.ParseUint(v, 10, 64)
	var out uint64
	switch {
	case n == 1:
		out = r.permute(kind, 10, x)
	case v[0] == '0':
		out = r.permute(kind|0x80, pow10[n-1], x)
	default:
		out = pow10[n-1] + r.permute(kind, 9*pow10[n-1], x-pow10[n-1])
	}
	s := strconv.FormatUint(out, 10)
	return strings.Repeat("0", n-len(s)) + s
}

// Email returns the pseudonym of an email address: u<20 hex>@example.com. Case is folded
// first, as mail systems do, so Ada@X.com and ada@x.com map to the same stand-in; the
// URL-encoded form (ada%40x.com) maps to the same stand-in, URL-encoded.
func (r *Redactor) Email(v string) string {
	at := "@"
	if !strings.Contains(v, "@") && strings.Contains(v, "%40") {
		at = "%40"
		v = strings.Replace(v, "%40", "@", 1)
	}
	if u, err := url.PathUnescape(v); err == nil {
		v = u
	}
	return "u" + hex.EncodeToString(r.mac("email", strings.ToLower(strings.TrimSpace(v))))[:20] + at + "example.com"
}

// PseudoPhonePrefix starts every phone pseudonym: +999 is a country code ITU holds in
// reserve, so a stand-in is a well-formed E.164 number that can never reach a person, and
// [Scan] can tell it from a real one.
const PseudoPhonePrefix = "+999"

// Phone returns the pseudonym of a phone number in any form (+14155550123,
// +1 415 555 0123, (415) 555-0123, 4155550123): [PseudoPhonePrefix] followed by a keyed
// permutation of its digits, as many as it has (one-to-one for up to 12 digits, which
// keeps the stand-in within E.164's 15), or 12 digits of a keyed hash for longer ones.
func (r *Redactor) Phone(v string) string {
	digits := make([]byte, 0, len(v))
	for i := range len(v) {
		if v[i] >= '0' && v[i] <= '9' {
			digits = append(digits, v[i])
		}
	}
	if len(digits) == 0 {
		return v
	}
	if len(digits) <= 12 {
		n := len(digits)
		x, _ := strconv.ParseUint(string(digits), 10, 64)
		s := strconv.FormatUint(r.permute('p', pow10[n], x), 10)
		return PseudoPhonePrefix + strings.Repeat("0", n-len(s)) + s
	}
	h := r.mac("phone", string(digits))
	var b strings.Builder
	b.WriteString(PseudoPhonePrefix)
	for i := range 12 {
		b.WriteByte('0' + h[i]%10)
	}
	return b.String()
}

// ID returns the pseudonym of an identifier, keeping its shape: all digits stay digits of
// the same length and hex stays hex of the same length (one-to-one up to 18 and 15
// characters; a 64-bit-or-wider keyed hash beyond), anything else becomes id_<16 hex>.
func (r *Redactor) ID(v string) string {
	switch {
	case v == "":
		return v
	case isDigits(v) && len(v) <= 18:
		return r.permuteDigits('d', v)
	case isDigits(v):
		h := r.mac("id", v)
		var b strings.Builder
		for i := range len(v) {
			d := h[i%len(h)] % 10
			if i == 0 && d == 0 {
				d = 1 + h[(i+7)%len(h)]%9
			}
			b.WriteByte('0' + d)
		}
		return b.String()
	case isHex(v) && len(v) <= 15:
		// v has a letter (all digits went above). Walk the permutation until the stand-in
		// has one too, so it can never equal the stand-in of an all-digit id: a
		// permutation of the hex strings that contain a letter.
		x, _ := strconv.ParseUint(v, 16, 64)
		n := uint64(1) << (4 * len(v))
		for {
			x = r.permute('h', n, x)
			if s := strconv.FormatUint(x, 16); !isDigits(s) {
				return strings.Repeat("0", len(v)-len(s)) + s
			}
		}
	case isHex(v) && len(v) <= 64:
		return hex.EncodeToString(r.mac("id", v))[:len(v)]
	default:
		return "id_" + hex.EncodeToString(r.mac("id", v))[:16]
	}
}

// Name returns the pseudonym of a person's name: name_<16 hex>.
func (r *Redactor) Name(v string) string {
	return "name_" + hex.EncodeToString(r.mac("name", strings.ToLower(v)))[:16]
}

// IP returns the pseudonym of an IP address, always in fd00::/8 (unique-local): an IPv4
// address becomes a keyed permutation of its 32 bits inside a key-derived /64, so distinct
// addresses never share a stand-in; an IPv6 address becomes 120 bits of a keyed hash.
func (r *Redactor) IP(a netip.Addr) netip.Addr {
	a = a.Unmap()
	var b [16]byte
	if a.Is4() {
		net := r.mac("ip4net", "")
		b[0] = 0xfd
		copy(b[1:8], net[:7])
		v4 := a.As4()
		binary.BigEndian.PutUint32(b[12:], uint32(r.permute('4', 1<<32, uint64(binary.BigEndian.Uint32(v4[:])))))
		return netip.AddrFrom16(b)
	}
	copy(b[:], r.mac("ip", a.String()))
	b[0] = 0xfd
	return netip.AddrFrom16(b)
}

// Text returns the marker that replaces message text.
func (r *Redactor) Text(v string) string {
	return fmt.Sprintf("[redacted %d chars %s]", len(v), hex.EncodeToString(r.mac("text", v))[:8])
}

// URL keeps the scheme, host and path of a link and replaces each query value (and any
// fragment) with a pseudonym, so tracked links stay links without carrying who clicked;
// personal data in the rest (an address in the path) is replaced as in free text.
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
		u.RawFragment = ""
	}
	return r.Strings(u.String())
}

// Strings replaces everything [FindPII] finds in free text with its pseudonym.
func (r *Redactor) Strings(v string) string {
	found := FindPII(v)
	if len(found) == 0 {
		return v
	}
	var b strings.Builder
	last := 0
	for _, p := range found {
		b.WriteString(v[last:p.Start])
		m := v[p.Start:p.End]
		switch p.Kind {
		case KindEmail:
			b.WriteString(r.Email(m))
		case KindPhone:
			b.WriteString(r.Phone(m))
		case KindIP:
			b.WriteString(r.ipString(m))
		}
		last = p.End
	}
	b.WriteString(v[last:])
	return b.String()
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
	if v == "" {
		return v
	}
	if found := FindPII(v); len(found) == 1 && found[0].Start == 0 && found[0].End == len(v) {
		return r.Strings(v)
	}
	if a, err := netip.ParseAddr(v); err == nil {
		return r.IP(a).String()
	}
	switch classifyKey(key) {
	case keyPhone:
		if countDigits(v) >= 4 {
			return r.Phone(v)
		}
		return r.Strings(v)
	case keyID:
		return r.ID(v)
	case keyName:
		return r.Name(v)
	case keyText:
		return r.Text(v)
	case keyLink:
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
		if PhoneKey(key) && isDigits(t.String()) {
			return json.Number(r.Phone(t.String())[1:])
		}
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

// Capture returns c redacted: the body through [Redactor.Body], credentials in the query
// string masked and personal data in it replaced, headers refiltered by [FilterHeaders]'
// credential rule, and the X-CIO-Signature header dropped (it no longer matches the body).
func (r *Redactor) Capture(c Capture) (Capture, error) {
	body, err := r.Body(c.Body)
	if err != nil {
		return c, err
	}
	out := c
	out.Body, out.Redacted = body, true
	out.Query = r.query(MaskQuery(c.Query))
	out.Headers = make(map[string]string, len(c.Headers))
	sig := http.CanonicalHeaderKey(customerio.HeaderSignature)
	for k, v := range c.Headers {
		if http.CanonicalHeaderKey(k) == sig || connectionHeaders[http.CanonicalHeaderKey(k)] || SecretName(k) || SecretValue(v) {
			continue
		}
		out.Headers[k] = r.Strings(v)
	}
	return out, nil
}

// query replaces personal data in each value of a raw query string, keeping its layout.
func (r *Redactor) query(q string) string {
	if q == "" {
		return q
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		name, val, ok := strings.Cut(p, "=")
		if !ok || val == Masked {
			continue
		}
		if dec, err := url.QueryUnescape(val); err == nil && len(FindPII(dec)) > 0 {
			parts[i] = name + "=" + url.QueryEscape(r.Strings(dec))
		}
	}
	return strings.Join(parts, "&")
}

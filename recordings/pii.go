package recordings

import (
	"net/netip"
	"regexp"
	"strings"
)

// Kinds of personal data the detector finds in text.
const (
	KindEmail = "email"
	KindPhone = "phone"
	KindIP    = "ip"
)

// PII is one piece of personal data found in text by [FindPII]: s[Start:End] is the match.
type PII struct {
	Start, End int
	Kind       string // KindEmail, KindPhone or KindIP
}

var (
	// emailRe matches an address with a literal @ or its URL-encoded form %40 (a link that
	// carries the address in its path or query).
	emailRe = regexp.MustCompile(`(?:[A-Za-z0-9._+\-]|%[0-9A-Fa-f]{2})+(?:@|%40)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// phoneIntlRe: a + with a country code and 6 to 14 more digits, in groups separated by
	// single spaces, dots or dashes, with an optional parenthesised group: +14155550123,
	// +1 415 555 0123, +44 (0)20 7946 0958.
	phoneIntlRe = regexp.MustCompile(`\+[1-9][0-9]{0,3}(?:[ .\-]?(?:\([0-9]{1,4}\)|[0-9]{1,4})){1,7}`)
	// phoneNatRe: North American national forms, (415) 555-0123, 415-555-0123, 415.555.0123.
	phoneNatRe = regexp.MustCompile(`\([2-9][0-9]{2}\)[ .\-]?[0-9]{3}[ .\-][0-9]{4}|[2-9][0-9]{2}[.\-][0-9]{3}[.\-][0-9]{4}`)
	ipv4Re     = regexp.MustCompile(`(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])`)
	// ipv6CandRe finds runs of hex digits, colons and dots with at least two colons; each is
	// confirmed by netip.ParseAddr, which knows every compressed form.
	ipv6CandRe = regexp.MustCompile(`[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*`)
)

// FindPII returns the email addresses (also URL-encoded, a%40b.com), phone numbers (E.164,
// international with spaces, dots or dashes, North American national forms) and IP
// addresses (IPv4 and every IPv6 form, compressed or not; loopback and unspecified
// excepted) in free text, in order and without overlaps. It is the one detector behind
// both [Redactor] and [Scan], so what redact replaces is what scan looks for. A bare run of
// digits is not a phone number in free text (ids and timestamps look the same); under a
// phone key ([PhoneKey]) it is.
func FindPII(s string) []PII {
	if len(s) < 7 {
		return nil
	}
	var out []PII
	taken := func(a, b int) bool {
		for _, p := range out {
			if a < p.End && p.Start < b {
				return true
			}
		}
		return false
	}
	add := func(a, b int, kind string) {
		if !taken(a, b) {
			out = append(out, PII{a, b, kind})
		}
	}
	if strings.Contains(s, "@") || strings.Contains(s, "%40") {
		for _, m := range emailRe.FindAllStringIndex(s, -1) {
			add(m[0], m[1], KindEmail)
		}
	}
	if strings.Contains(s, ":") {
		for _, m := range ipv6CandRe.FindAllStringIndex(s, -1) {
			if a, b, ok := ipv6At(s, m[0], m[1]); ok {
				add(a, b, KindIP)
			}
		}
	}
	if strings.Count(s, ".") >= 3 {
		for _, m := range ipv4Re.FindAllStringIndex(s, -1) {
			if glued(s, m[0]-1) || alnumAt(s, m[1]) || byteAt(s, m[1]) == '.' && digitAt(s, m[1]+1) {
				continue
			}
			if a, err := netip.ParseAddr(s[m[0]:m[1]]); err == nil && !a.IsLoopback() && !a.IsUnspecified() {
				add(m[0], m[1], KindIP)
			}
		}
	}
	for _, re := range []*regexp.Regexp{phoneIntlRe, phoneNatRe} {
		for _, m := range re.FindAllStringIndex(s, -1) {
			a, b := m[0], m[1]
			if digitAt(s, b) || alnumAt(s, a-1) || digitAt(s, a-1) {
				continue
			}
			if n := countDigits(s[a:b]); n >= 7 && n <= 15 {
				add(a, b, KindPhone)
			}
		}
	}
	sortPII(out)
	return out
}

// ipv6At confirms an IPv6 candidate s[a:b], trimming the dots and colons that end a
// sentence or a list, and rejects one glued to a longer word.
func ipv6At(s string, a, b int) (int, int, bool) {
	if glued(s, a-1) || alnumAt(s, b) {
		return 0, 0, false
	}
	for b > a && (s[b-1] == '.' || (s[b-1] == ':' && !strings.HasSuffix(s[a:b], "::"))) {
		b--
	}
	ip, err := netip.ParseAddr(s[a:b])
	if err != nil || !ip.Is6() || ip.IsLoopback() || ip.IsUnspecified() {
		return 0, 0, false
	}
	return a, b, true
}

func byteAt(s string, i int) byte {
	if i < 0 || i >= len(s) {
		return 0
	}
	return s[i]
}

func digitAt(s string, i int) bool { c := byteAt(s, i); return c >= '0' && c <= '9' }

func alnumAt(s string, i int) bool {
	c := byteAt(s, i)
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

// glued reports whether the byte at i joins what follows it into a longer word, host name
// or address (a letter, digit, '.', '@' or '%').
func glued(s string, i int) bool {
	c := byteAt(s, i)
	return alnumAt(s, i) || c == '.' || c == '@' || c == '%'
}

func countDigits(s string) int {
	n := 0
	for i := range len(s) {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

func sortPII(p []PII) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j].Start < p[j-1].Start; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}

// Key classes: what a JSON key says about the string under it. [Redactor] and [Scan] use
// the same classes.
const (
	keyOther = iota
	keyName  // a person's name
	keyText  // message text
	keyLink  // a URL
	keyPhone // a phone number in any form, digits alone included
	keyID    // an identifier of a person (not reported by scan: it cannot tell a pseudonym)
)

// PhoneKey reports whether a JSON key names a phone number (phone, phone_number, mobile,
// msisdn, sms_number, tel, telephone, ...), under which a bare run of digits is a phone.
func PhoneKey(k string) bool { return classifyKey(k) == keyPhone }

func classifyKey(k string) int {
	switch strings.ToLower(k) {
	case "name", "first_name", "last_name", "full_name", "firstname", "lastname", "fullname":
		return keyName
	case "content", "subject", "body", "preheader":
		return keyText
	case "href", "link", "url":
		return keyLink
	case "phone", "phone_number", "phonenumber", "mobile", "mobile_phone", "mobile_number", "msisdn",
		"sms_number", "tel", "telephone", "cell", "cell_phone":
		return keyPhone
	case "id", "customer_id", "cio_id", "device_id", "recipient", "to", "from", "email", "email_address", "ip", "ip_address":
		return keyID
	}
	return keyOther
}

// personalIP reports whether scan should report an address: public unicast, outside the
// ranges reserved for documentation (which fixtures use).
func personalIP(a netip.Addr) bool {
	a = a.Unmap()
	if a.IsPrivate() || a.IsLoopback() || a.IsUnspecified() || a.IsLinkLocalUnicast() || a.IsMulticast() {
		return false
	}
	for _, p := range docNets {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

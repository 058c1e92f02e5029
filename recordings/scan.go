package recordings

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"net/url"
	"sort"
	"strings"
)

// Finding is one piece of personal data [Scan] found.
type Finding struct {
	// Path is where in the body, in dotted form with [i] for array items ("data.recipient").
	Path string
	// Kind is email, phone, ip, name, content or link-query.
	Kind string
	// Masked is the value with most characters hidden, safe to print.
	Masked string
}

// Scan reports personal data left in a Customer.io event body: what [FindPII] finds
// (the detector [Redactor] uses) except the stand-ins the redactor makes: email addresses
// outside the reserved example domains (also URL-encoded), phone numbers in any form it
// knows that are not +999 stand-ins, public IP addresses (IPv4 and every IPv6 form); and by
// key, digits under a phone key, person names under name keys, message text under content
// that is not a redaction marker, and link query strings that are not pseudonymised. Ids
// (customer_id, identifiers.id, cio_id) cannot be told apart from their pseudonyms and are
// not reported; nor are addresses in the ranges reserved for documentation, which
// fixtures use. A body that is not JSON is scanned as text. For a capture's query string
// and headers, see [ScanCapture].
func Scan(body []byte) []Finding {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	var out []Finding
	if err := dec.Decode(&v); err != nil {
		scanText("", string(body), &out)
		return out
	}
	scanValue("", "", v, &out)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func scanValue(path, key string, v any, out *[]Finding) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			p := k
			if path != "" {
				p = path + "." + k
			}
			scanValue(p, k, x, out)
		}
	case []any:
		for i, x := range t {
			scanValue(path+"["+itoa(i)+"]", key, x, out)
		}
	case string:
		if t == "" {
			return
		}
		switch classifyKey(key) {
		case keyName:
			if !strings.HasPrefix(t, "name_") {
				*out = append(*out, Finding{path, "name", mask(t)})
			}
			return
		case keyText:
			if !strings.HasPrefix(t, "[redacted ") {
				*out = append(*out, Finding{path, "content", mask(t)})
			}
			return
		case keyPhone:
			if n := countDigits(t); n >= 4 && !strings.HasPrefix(t, PseudoPhonePrefix) && len(FindPII(t)) == 0 {
				*out = append(*out, Finding{path, "phone", mask(t)})
				return
			}
		case keyLink:
			if u, err := url.Parse(t); err == nil && u.RawQuery != "" && !pseudoQuery(u.Query()) {
				*out = append(*out, Finding{path, "link-query", mask(t)})
			}
		}
		scanText(path, t, out)
	case json.Number:
		if PhoneKey(key) && !strings.HasPrefix(t.String(), PseudoPhonePrefix[1:]) {
			*out = append(*out, Finding{path, "phone", mask(t.String())})
		}
	}
}

// pseudoQuery reports whether every query value looks like a redactor pseudonym.
func pseudoQuery(q url.Values) bool {
	for _, vs := range q {
		for _, v := range vs {
			if len(v) != 12 || !isHex(v) {
				return false
			}
		}
	}
	return true
}

// scanText reports what [FindPII] finds in s that is not a stand-in the redactor makes:
// addresses at reserved example domains, +999 numbers, and addresses that are not public
// are not personal.
func scanText(path, s string, out *[]Finding) {
	for _, p := range FindPII(s) {
		m := s[p.Start:p.End]
		switch p.Kind {
		case KindEmail:
			if reservedEmail(strings.ReplaceAll(m, "%40", "@")) {
				continue
			}
		case KindPhone:
			if strings.HasPrefix(m, PseudoPhonePrefix) {
				continue
			}
		case KindIP:
			if a, err := netip.ParseAddr(m); err != nil || !personalIP(a) {
				continue
			}
		}
		*out = append(*out, Finding{path, p.Kind, mask(m)})
	}
}

// reservedEmail reports addresses at domains reserved for examples (RFC 2606, RFC 6761).
func reservedEmail(e string) bool {
	d := strings.ToLower(e[strings.LastIndexByte(e, '@')+1:])
	switch d {
	case "example.com", "example.org", "example.net":
		return true
	}
	for _, tld := range []string{".example", ".invalid", ".test", ".localhost"} {
		if strings.HasSuffix(d, tld) {
			return true
		}
	}
	return strings.HasSuffix(d, ".example.com") || strings.HasSuffix(d, ".example.org") || strings.HasSuffix(d, ".example.net")
}

var docNets = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::/32"),
}

// mask keeps the first two and last two characters of s.
func mask(s string) string {
	r := []rune(s)
	if len(r) <= 6 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:2]) + strings.Repeat("*", len(r)-4) + string(r[len(r)-2:])
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			return string(b[n:])
		}
	}
}

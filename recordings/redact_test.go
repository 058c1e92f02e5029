package recordings

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/generator"
	"github.com/ciosim/ciosim/secret"
)

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

func generated(t *testing.T, seed int64) []customerio.Event {
	t.Helper()
	g := generator.New(generator.Options{Seed: seed, Start: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), BodyContent: true})
	var out []customerio.Event
	for _, p := range customerio.Pairs() {
		ev, err := g.Event(p.ObjectType, p.Metric)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, ev)
	}
	return out
}

// TestRedactor_everyPair redacts one event of every pair: the result still validates
// against the catalog, the scanner finds nothing left, and the envelope is unchanged.
func TestRedactor_everyPair(t *testing.T) {
	t.Parallel()
	r := newTestRedactor(t, "local-key-0123456789")
	found := 0
	for _, ev := range generated(t, 11) {
		found += len(Scan(ev.Bytes()))
		out, err := r.Body(ev.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", ev.Pair(), err)
		}
		red, err := customerio.Parse(out)
		if err != nil {
			t.Fatalf("%s: redacted body does not parse: %v", ev.Pair(), err)
		}
		if err := red.Validate(); err != nil {
			t.Errorf("%s: redacted body no longer valid: %v\n%s", ev.Pair(), err, out)
		}
		if red.EventID != ev.EventID || red.Timestamp != ev.Timestamp || red.Pair() != ev.Pair() {
			t.Errorf("%s: envelope changed", ev.Pair())
		}
		if f := Scan(out); len(f) != 0 {
			t.Errorf("%s: scanner still finds %v in %s", ev.Pair(), f, out)
		}
	}
	if found == 0 {
		t.Fatal("scanner found nothing in the unredacted events: the test proves nothing")
	}
}

func TestRedactor_stableAcrossEventsAndFiles(t *testing.T) {
	t.Parallel()
	body1 := `{"data":{"customer_id":"42","identifiers":{"id":"42","email":"Ada@Lovelace.org","cio_id":"a1b2c3d4e5f6"},"recipient":"ada@lovelace.org"},"event_id":"E1","metric":"sent","object_type":"email","timestamp":1}`
	body2 := `{"data":{"customer_id":"42","identifiers":{"id":"42","email":"ada@lovelace.org","cio_id":"a1b2c3d4e5f6"},"recipient":"+447700900123"},"event_id":"E2","metric":"sent","object_type":"sms","timestamp":2}`
	// Two redactors with the same key stand for two runs over two files.
	r1, r2 := newTestRedactor(t, testRedactKey), newTestRedactor(t, testRedactKey)
	o1, _ := r1.Body([]byte(body1))
	o2, _ := r2.Body([]byte(body2))
	type ids struct {
		Data struct {
			CustomerID  string            `json:"customer_id"`
			Identifiers map[string]string `json:"identifiers"`
			Recipient   string            `json:"recipient"`
		} `json:"data"`
	}
	var a, b ids
	json.Unmarshal(o1, &a)
	json.Unmarshal(o2, &b)
	if a.Data.CustomerID != b.Data.CustomerID || a.Data.CustomerID == "42" {
		t.Errorf("customer_id pseudonyms %q, %q", a.Data.CustomerID, b.Data.CustomerID)
	}
	if a.Data.Identifiers["email"] != b.Data.Identifiers["email"] || a.Data.Identifiers["email"] != a.Data.Recipient {
		t.Errorf("email pseudonyms differ: %v %v %q", a.Data.Identifiers, b.Data.Identifiers, a.Data.Recipient)
	}
	if a.Data.Identifiers["cio_id"] != b.Data.Identifiers["cio_id"] || a.Data.Identifiers["cio_id"] == "a1b2c3d4e5f6" || !isHex(a.Data.Identifiers["cio_id"]) || len(a.Data.Identifiers["cio_id"]) != 12 {
		t.Errorf("cio_id pseudonym %q", a.Data.Identifiers["cio_id"])
	}
	if !e164.MatchString(b.Data.Recipient) || len(b.Data.Recipient) != len("+447700900123")+3 || !strings.HasPrefix(b.Data.Recipient, PseudoPhonePrefix) {
		t.Errorf("phone pseudonym %q is not E.164 +999 and the same digits", b.Data.Recipient)
	}
	if !emailRe.MatchString(a.Data.Recipient) || len(a.Data.Recipient) != len("u@example.com")+20 || !strings.HasSuffix(a.Data.Recipient, "@example.com") {
		t.Errorf("email pseudonym %q", a.Data.Recipient)
	}
	// Another key gives other stand-ins.
	o3, _ := newTestRedactor(t, "other-key-0123456789").Body([]byte(body1))
	if bytes.Equal(o1, o3) {
		t.Errorf("redaction does not depend on the key")
	}
}

func TestRedactor_values(t *testing.T) {
	t.Parallel()
	r := newTestRedactor(t, testRedactKey)
	if ip := r.IP(netip.MustParseAddr("81.2.69.160")); !ip.Is6() || !ip.IsPrivate() {
		t.Errorf("IPv4 pseudonym %v", ip)
	}
	if ip := r.IP(netip.MustParseAddr("2a00:1450::1")); !ip.Is6() || !ip.IsPrivate() {
		t.Errorf("IPv6 pseudonym %v", ip)
	}
	if id := r.ID("1234567890"); len(id) != 10 || !isDigits(id) || id[0] == '0' {
		t.Errorf("digit id pseudonym %q", id)
	}
	if id := r.ID("0123456789"); len(id) != 10 || !isDigits(id) || id[0] != '0' {
		t.Errorf("digit id pseudonym %q", id)
	}
	u := r.URL("https://shop.example/p?email=ada%40x.org&uid=7#frag")
	if !strings.HasPrefix(u, "https://shop.example/p?") || strings.Contains(u, "ada") || strings.Contains(u, "uid=7") {
		t.Errorf("link pseudonym %q", u)
	}
	out, err := r.Body([]byte(`{"data":{"failure_message":"550 ada@x.org from 81.2.69.160","name":"Ada Lovelace","content":"Hi Ada"},"event_id":"e","metric":"m","object_type":"o","timestamp":1}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"ada@x.org", "81.2.69.160", "Lovelace", "Hi Ada"} {
		if bytes.Contains(out, []byte(leak)) {
			t.Errorf("%q left in %s", leak, out)
		}
	}
	if _, err := r.Body([]byte(`[1]`)); err == nil {
		t.Errorf("non-object body: no error")
	}
}

func TestScan_findsSeededPII(t *testing.T) {
	t.Parallel()
	body := `{"data":{"recipient":"grace@hopper.dev","to":"+14155550123","ip":"81.2.69.160","first_name":"Grace","content":"hello","href":"https://x.dev/?u=grace","ok":"user@example.com","priv":"10.0.0.1","doc":"+999123456789"},"event_id":"e"}`
	got := map[string]string{}
	for _, f := range Scan([]byte(body)) {
		got[f.Path] = f.Kind
		if strings.Contains(f.Masked, "grace@hopper") {
			t.Errorf("finding not masked: %v", f)
		}
	}
	want := map[string]string{"data.recipient": "email", "data.to": "phone", "data.ip": "ip", "data.first_name": "name", "data.content": "content", "data.href": "link-query"}
	for p, k := range want {
		if got[p] != k {
			t.Errorf("%s: got %q, want %q", p, got[p], k)
		}
	}
	if len(got) != len(want) {
		t.Errorf("extra findings: %v", got)
	}
	if f := Scan([]byte("not json but mail me at a@b.io")); len(f) != 1 || f[0].Kind != "email" {
		t.Errorf("text scan: %v", f)
	}
}

func FuzzRedactBody(f *testing.F) {
	f.Add([]byte(testBody))
	f.Add([]byte(`{"data":{"recipients":[{"device_id":"x"}],"href":"http://a/?b=c"}}`))
	r := newTestRedactor(f, testRedactKey)
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := r.Body(b)
		if err != nil {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON out of %q: %q", b, out)
		}
		Scan(b)
	})
}

const testRedactKey = "test-redaction-key-32-bytes-long"

func newTestRedactor(t testing.TB, key string) *Redactor {
	t.Helper()
	r, err := NewRedactor(secret.New(key))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

package scrub

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/ciosim/ciosim/internal/scrub/scrubtest"
)

const jwt = "eyJhbGciOiJSUzI1NiIsIng1dSI6Imltc19uYTEta2V5LWF0LTEuY2VyIn0.eyJpZCI6IjE2MTk0Nzk2In0.sig+/=_-"

// leaks reports whether out still holds secret in a form an echo could use (scrubtest.Leak,
// which finds base64 by decoding, not by the Scrubber's cores), for secrets long enough to
// be scrubbed in that form.
func leaks(out, secret string) (string, bool) {
	if len(secret) < MinLen {
		return "", false
	}
	how, ok := scrubtest.Leak(out, secret)
	if ok && len(secret) < MinBase64Len && strings.Contains(how, "base64") {
		return "", false
	}
	return how, ok
}

var hexEsc = regexp.MustCompile(`%[0-9A-F]{2}`)

// hexLower writes the %XX escapes of e in lower case.
func hexLower(e string) string { return hexEsc.ReplaceAllStringFunc(e, strings.ToLower) }

// encodings are the ways the test servers and the fuzzer put a secret into text.
var encodings = []func(s string) string{
	func(s string) string { return s },
	func(s string) string { return "Authorization: Bearer " + s },
	url.QueryEscape,
	url.PathEscape,
	func(s string) string { return hexLower(url.QueryEscape(s)) },
	func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
	func(s string) string { return base64.URLEncoding.EncodeToString([]byte(s)) },
	func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte("Bearer " + s)) },
	func(s string) string { return base64.StdEncoding.EncodeToString([]byte("Bearer " + s)) },
	func(s string) string { return "Basic " + base64.StdEncoding.EncodeToString([]byte("user:"+s)) },
	func(s string) string { return base64.StdEncoding.EncodeToString([]byte("xy" + s + "z")) },
	func(s string) string {
		b, _ := json.Marshal(map[string]string{"authorization": "Bearer " + s})
		return string(b)
	},
	func(s string) string { return url.QueryEscape("Bearer " + s) },
	func(s string) string { return url.QueryEscape(base64.StdEncoding.EncodeToString([]byte("a:" + s))) },
}

func TestScrubber_everyForm(t *testing.T) {
	for _, secret := range []string{jwt, "0123456789abcdef0123456789abcdef", "p@ss w/rd&<x>+?", "key!", "ab\"c\\d/é"} {
		sc := New(secret)
		for i, enc := range encodings {
			in := `{"error":"echo","headers":"` + enc(secret) + `","more":"x"}`
			out := sc.String(in)
			if how, ok := leaks(out, secret); ok {
				t.Errorf("secret %q, encoding %d: leaks (%s) in %s", secret, i, how, out)
			}
			if !strings.Contains(out, `{"error":"echo","headers":"`) || !strings.Contains(out, `","more":"x"}`) {
				t.Errorf("encoding %d: the text around the secret changed: %s", i, out)
			}
			if again := sc.String(out); again != out {
				t.Errorf("not idempotent: %s → %s", out, again)
			}
		}
	}
}

func TestScrubber_keepsOtherText(t *testing.T) {
	sc := New(jwt, "api-key-1234567")
	for _, s := range []string{
		`{"type":"https://ns.adobe.com/aep/errors/DCVS-1106-400","title":"Invalid data","report":{"message":"bad"}}`,
		`{"inletId":"9b0cb233972f3b0092992284c7353f5eead496218e8441a79b25e9421ea127f5","xactionId":"1565650704337:2124:244:jzcexnte","receivedTimeMs":1565650704337}`,
		"transport error: Post \"http://127.0.0.1:1/collection/x?x-adobe-flow-id=f\": connection refused",
	} {
		if out := sc.String(s); out != s {
			t.Errorf("changed text holding no secret:\n in  %s\n out %s", s, out)
		}
	}
	if New("abc", "") != nil {
		t.Error("a scrubber for values shorter than MinLen should be nil")
	}
	var nilSc *Scrubber
	if nilSc.String("x") != "x" || string(nilSc.Bytes([]byte("x"))) != "x" {
		t.Error("nil scrubber changed text")
	}
}

func TestScrubber_overlappingSecretsMergeAndMaskIsSafe(t *testing.T) {
	sc := New("abcdefgh", "efghijkl")
	if got := sc.String("x abcdefghijkl y"); got != "x "+Mask+" y" {
		t.Errorf("got %q", got)
	}
	// A secret that could combine with "[redacted]" gets another mask.
	sc = New("ted]x-secret")
	out := sc.String("[redac" + "ted]x-secret" + "x-secret")
	if strings.Contains(out, "ted]x-secret") || strings.Contains(sc.mask, "[") {
		t.Errorf("mask %q, out %q", sc.mask, out)
	}
}

func TestScrubber_bytesUnchangedIsSame(t *testing.T) {
	sc := New(jwt)
	b := []byte(`{"ok":true}`)
	if out := sc.Bytes(b); &out[0] != &b[0] {
		t.Error("Bytes copied text with nothing to mask")
	}
	if out := sc.Bytes([]byte("Bearer " + jwt)); string(out) != "Bearer "+Mask {
		t.Errorf("Bytes = %q", out)
	}
}

// FuzzScrub puts a secret, in one of the encodings, inside random text (and, when the
// fuzzer chooses, a second secret): no form of either survives, and scrubbing is
// idempotent.
func FuzzScrub(f *testing.F) {
	f.Add("error: ", jwt, " at line 3", uint8(0), "")
	f.Add(`{"h":"`, "0123456789abcdef", `"}`, uint8(9), "other-secret")
	f.Add("", "[redacted]x", "", uint8(0), "")
	f.Add("aaaa", "aaaaaaa", "aaaa", uint8(5), "aaaa")
	f.Fuzz(func(t *testing.T, pre, secret, post string, enc uint8, second string) {
		if len(pre)+len(secret)+len(post)+len(second) > 4096 {
			return
		}
		in := pre + encodings[int(enc)%len(encodings)](secret) + post + second
		sc := New(secret, second)
		out := sc.String(in)
		for _, s := range []string{secret, second} {
			if how, ok := leaks(out, s); ok {
				t.Fatalf("secret %q leaks (%s):\n in  %q\n out %q", s, how, in, out)
			}
		}
		if again := sc.String(out); again != out {
			t.Fatalf("not idempotent: %q → %q", out, again)
		}
	})
}

// BenchmarkScrub_successBody is the per-event cost on a delivered event's answer with three
// credentials in use (nothing to mask).
func BenchmarkScrub_successBody(b *testing.B) {
	sc := New(jwt, "0123456789abcdef0123456789abcdef", "whsec-signing-key-value")
	body := []byte(`{"inletId":"9b0cb233972f3b0092992284c7353f5eead496218e8441a79b25e9421ea127f5","xactionId":"1565650704337:2124:244:jzcexnte","receivedTimeMs":1565650704337}`)
	b.ReportAllocs()
	for b.Loop() {
		sc.Bytes(body)
	}
}

// TestScrubber_randomText is FuzzScrub's property over seeded random texts and secrets
// drawn from a small alphabet (so overlaps and near-misses are common).
func TestScrubber_randomText(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alpha = "ab+/=%[]redact Bearer:Zz09\"\\"
	str := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		return string(b)
	}
	for i := 0; i < 3000; i++ {
		secret, second := str(4+r.IntN(20)), str(r.IntN(12))
		in := str(r.IntN(40)) + encodings[r.IntN(len(encodings))](secret) + str(r.IntN(40)) + second + str(r.IntN(10))
		sc := New(secret, second)
		out := sc.String(in)
		for _, s := range []string{secret, second} {
			if how, ok := leaks(out, s); ok {
				t.Fatalf("secret %q leaks (%s):\n in  %q\n out %q", s, how, in, out)
			}
		}
		if again := sc.String(out); again != out {
			t.Fatalf("not idempotent: %q → %q", out, again)
		}
	}
}

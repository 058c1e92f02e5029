package recordings

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/secret"
)

const testJWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl"

// TestHandler_masksSecretQueryAndHeaders: credentials in the query string or in headers
// with secret-looking names or values never reach the recording; the signature headers do.
func TestHandler_masksSecretQueryAndHeaders(t *testing.T) {
	t.Parallel()
	st := &memStore{}
	r := signedRequest(t, "k", testNow.Unix(), testBody)
	r.URL.RawQuery = "src=cio&token=tok-SECRET1&api_key=SECRET2&Signature-Key=SECRET3&x-adobe-flow-id=f1&sess%69on=SECRET4&q=" + testJWT
	for name, v := range map[string]string{
		"X-Signing-Key": "SECRET5", "X-Hook-Key": "SECRET6", "X-Password": "SECRET7",
		"X-Session-Id": "SECRET8", "X-Forwarded-Authz": "SECRET9", "X-Upstream": "Bearer SECRET10abc",
		"X-Trace": "jwt=" + testJWT, "Authorization": "Basic SECRET11xyz", "Cookie": "sid=SECRET12",
		"User-Agent": "Customer.io/1.0",
	} {
		r.Header.Set(name, v)
	}
	NewHandler(st, HandlerOptions{Key: secret.New("k"), Now: func() time.Time { return testNow }}).ServeHTTP(httptest.NewRecorder(), r)
	c := st.caps[0]
	line, _ := c.AppendJSON(nil)
	if bytes.Contains(line, []byte("SECRET")) || bytes.Contains(line, []byte("eyJ")) {
		t.Errorf("a credential was written: %s", line)
	}
	if want := "src=cio&token=REDACTED&api_key=REDACTED&Signature-Key=REDACTED&x-adobe-flow-id=f1&sess%69on=REDACTED&q=REDACTED"; c.Query != want {
		t.Errorf("query = %s\nwant    %s", c.Query, want)
	}
	for _, k := range []string{customerio.HeaderSignature, customerio.HeaderTimestamp, "User-Agent"} {
		if c.Headers[http.CanonicalHeaderKey(k)] == "" {
			t.Errorf("%s dropped: %v", k, c.Headers)
		}
	}
	if c.Signature != SignatureValid {
		t.Errorf("verdict %s (%s)", c.Signature, c.SignatureReason)
	}
	if f := ScanCapture(c); len(f) != 0 {
		t.Errorf("scan finds %v in a masked capture", f)
	}
}

func TestScanCapture_reportsSecretsLeft(t *testing.T) {
	t.Parallel()
	c := Capture{Query: "a=1&access_token=abcdef123&u=" + testJWT + "&email=ada%40acme.io",
		Headers: map[string]string{"X-Hook-Key": "k123456", "X-Fwd": "Bearer abcdefgh", "X-Cio-Signature": "00ff", "User-Agent": "x",
			"X-Forwarded-For": "81.2.69.160, 10.0.0.1"}}
	got := map[string]string{}
	for _, f := range ScanCapture(c) {
		got[f.Path] = f.Kind
		if strings.Contains(f.Masked, "abcdef123") || strings.Contains(f.Masked, "k123456") {
			t.Errorf("finding not masked: %+v", f)
		}
	}
	want := map[string]string{"query.access_token": "secret", "query.u": "secret", "query.email": "email",
		"headers.X-Hook-Key": "secret", "headers.X-Fwd": "secret", "headers.X-Forwarded-For": "ip"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("findings %v\nwant     %v", got, want)
	}
}

// TestHandler_boundsHeaders: 9,000 small headers once made a 1 MB capture line for a
// 71-byte body; now the capture keeps at most the bounds and counts the rest.
func TestHandler_boundsHeaders(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		n     int
		size  int
		wantD int
	}{
		{"many small", 9000, 8, 9000 + 3 - MaxCaptureHeaders},
		{"few large", 40, 4000, 40 - MaxCaptureHeaderBytes/4010},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := &memStore{}
			r := signedRequest(t, "k", testNow.Unix(), testBody)
			for i := range tt.n {
				r.Header.Set(fmt.Sprintf("X-H%05d", i), strings.Repeat("v", tt.size))
			}
			NewHandler(st, HandlerOptions{Key: secret.New("k"), Now: func() time.Time { return testNow }}).ServeHTTP(httptest.NewRecorder(), r)
			c := st.caps[0]
			line, _ := c.AppendJSON(nil)
			hb := 0
			for k, v := range c.Headers {
				hb += len(k) + len(v)
			}
			if len(c.Headers) > MaxCaptureHeaders || hb > MaxCaptureHeaderBytes {
				t.Errorf("kept %d headers, %d bytes; bounds %d, %d", len(c.Headers), hb, MaxCaptureHeaders, MaxCaptureHeaderBytes)
			}
			if c.HeadersDropped != tt.wantD || !bytes.Contains(line, []byte(`"headers_dropped":`+strconv.Itoa(tt.wantD))) {
				t.Errorf("dropped %d, want %d counted in the line", c.HeadersDropped, tt.wantD)
			}
			if c.Signature != SignatureValid || c.Headers["X-Cio-Signature"] == "" {
				t.Errorf("the signature headers must be kept first: %s", c.Signature)
			}
			if len(line) > MaxCaptureHeaderBytes+4096 {
				t.Errorf("capture line is %d bytes", len(line))
			}
			var back Capture
			if err := back.UnmarshalJSON(line); err != nil || back.HeadersDropped != tt.wantD {
				t.Errorf("read back dropped=%d err=%v", back.HeadersDropped, err)
			}
		})
	}
}

// TestHandler_signatureReasons: every kind of bad signature says what is wrong, and a
// repeated signature or timestamp header is invalid whichever copy is the valid one.
func TestHandler_signatureReasons(t *testing.T) {
	t.Parallel()
	const key = "signing-secret"
	good := customerio.Sign([]byte(key), testNow.Unix(), []byte(testBody))
	ts := strconv.FormatInt(testNow.Unix(), 10)
	req := func(sigs, tss []string, body string) func() *http.Request {
		return func() *http.Request {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
			for _, s := range sigs {
				r.Header.Add(customerio.HeaderSignature, s)
			}
			for _, s := range tss {
				r.Header.Add(customerio.HeaderTimestamp, s)
			}
			return r
		}
	}
	tests := []struct {
		name    string
		req     func() *http.Request
		verdict string
		reason  string
	}{
		{"wrong key", func() *http.Request { return signedRequest(t, "other", testNow.Unix(), testBody) }, SignatureInvalid, "does not match: wrong signing key"},
		{"altered body", req([]string{good}, []string{ts}, strings.Replace(testBody, "delivered", "bounced", 1)), SignatureInvalid, "does not match"},
		{"stale", func() *http.Request { return signedRequest(t, key, testNow.Add(-10*time.Minute).Unix(), testBody) }, SignatureInvalid, "X-CIO-Timestamp is 10m0s old (tolerance 5m0s)"},
		{"future", func() *http.Request { return signedRequest(t, key, testNow.Add(10*time.Minute).Unix(), testBody) }, SignatureInvalid, "X-CIO-Timestamp is 10m0s in the future (tolerance 5m0s)"},
		{"non-integer timestamp", req([]string{good}, []string{"17643.88"}, testBody), SignatureInvalid, "is not an integer (Unix seconds)"},
		{"missing signature", req(nil, []string{ts}, testBody), SignatureAbsent, "X-CIO-Signature header missing"},
		{"missing timestamp", req([]string{good}, nil, testBody), SignatureAbsent, "X-CIO-Timestamp header missing"},
		{"no headers", req(nil, nil, testBody), SignatureAbsent, "no X-CIO-Signature or X-CIO-Timestamp header"},
		{"signature twice, valid first", req([]string{good, "bogus"}, []string{ts}, testBody), SignatureInvalid, "X-CIO-Signature header sent 2 times"},
		{"signature twice, valid last", req([]string{"bogus", good}, []string{ts}, testBody), SignatureInvalid, "X-CIO-Signature header sent 2 times"},
		{"signature twice, both valid", req([]string{good, good}, []string{ts}, testBody), SignatureInvalid, "X-CIO-Signature header sent 2 times"},
		{"timestamp twice, valid first", req([]string{good}, []string{ts, "1"}, testBody), SignatureInvalid, "X-CIO-Timestamp header sent 2 times"},
		{"timestamp twice, valid last", req([]string{good}, []string{"1", ts}, testBody), SignatureInvalid, "X-CIO-Timestamp header sent 2 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, require := range []bool{false, true} {
				st := &memStore{}
				w := httptest.NewRecorder()
				NewHandler(st, HandlerOptions{Key: secret.New(key), RequireSignature: require,
					Now: func() time.Time { return testNow }}).ServeHTTP(w, tt.req())
				if require {
					if w.Code != 401 || !strings.Contains(w.Body.String(), tt.reason) || len(st.caps) != 0 {
						t.Errorf("required: %d %s, want 401 naming %q", w.Code, w.Body, tt.reason)
					}
					continue
				}
				if w.Code != 200 || len(st.caps) != 1 {
					t.Fatalf("%d %s", w.Code, w.Body)
				}
				c := st.caps[0]
				if c.Signature != tt.verdict || !strings.Contains(c.SignatureReason, tt.reason) {
					t.Errorf("verdict %s %q, want %s %q", c.Signature, c.SignatureReason, tt.verdict, tt.reason)
				}
				line, _ := c.AppendJSON(nil)
				if !bytes.Contains(line, []byte(`"signature_reason":`)) {
					t.Errorf("reason not stored: %s", line)
				}
			}
		})
	}
}

// FuzzFilterHeaders: whatever the headers, the kept set is within the bounds, holds no
// credential by the documented rule, counts every dropped header that was not a
// credential, and keeps the signature headers when they fit; MaskQuery leaves no secret
// parameter for ScanCapture to find.
func FuzzFilterHeaders(f *testing.F) {
	f.Add("X-Hook-Key", "abc", "X-CIO-Signature", "00ff", 3, "token=abc&x=1")
	f.Add("User-Agent", "Bearer abcdefgh", "X-Trace", testJWT, 100, "q="+testJWT)
	f.Add("Cookie", "sid=1", "X-Big", strings.Repeat("v", 5000), 10, "sess%69on=1&a")
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2 string, copies int, query string) {
		h := http.Header{}
		copies = max(0, copies%200)
		for i := range copies {
			h.Add(fmt.Sprintf("%s-%d", n1, i), v1)
		}
		h.Add(n2, v2)
		h.Add(customerio.HeaderSignature, "sig")
		kept, dropped := FilterHeaders(h)
		bytes := 0
		for k, v := range kept {
			bytes += len(k) + len(v)
			if SecretName(k) || SecretValue(v) || connectionHeaders[http.CanonicalHeaderKey(k)] {
				t.Fatalf("credential kept: %s: %s", k, v)
			}
		}
		if len(kept) > MaxCaptureHeaders || bytes > MaxCaptureHeaderBytes {
			t.Fatalf("kept %d headers, %d bytes", len(kept), bytes)
		}
		candidates := 0
		for k, vs := range h {
			if !SecretName(k) && !anySecret(vs) && !connectionHeaders[http.CanonicalHeaderKey(k)] {
				candidates++
			}
		}
		if len(kept)+dropped != candidates {
			t.Fatalf("kept %d + dropped %d != %d non-credential headers", len(kept), dropped, candidates)
		}
		if kept["X-Cio-Signature"] == "" {
			t.Fatalf("signature header dropped")
		}
		c := Capture{Query: MaskQuery(query), Headers: kept}
		for _, f := range ScanCapture(c) {
			if f.Kind == "secret" {
				t.Fatalf("secret left after masking %q: %+v", query, f)
			}
		}
	})
}

// TestHandler_redactorRedactsQuery: with a Redactor, personal data in the query string is
// replaced too, so scan finds nothing in what record --redact stores.
func TestHandler_redactorRedactsQuery(t *testing.T) {
	t.Parallel()
	st := &memStore{}
	r := signedRequest(t, "k", testNow.Unix(), testBody)
	r.URL.RawQuery = "email=ada%40lovelace.org&phone=%2B14155550123&src=cio"
	NewHandler(st, HandlerOptions{Key: secret.New("k"), Now: func() time.Time { return testNow },
		Redactor: newTestRedactor(t, testRedactKey)}).ServeHTTP(httptest.NewRecorder(), r)
	c := st.caps[0]
	if f := append(ScanCapture(c), Scan(c.Body)...); len(f) != 0 || !c.Redacted || c.Signature != SignatureValid {
		t.Errorf("findings %v in %+v", f, c)
	}
	if _, ok := c.Headers["X-Cio-Signature"]; ok || !strings.HasSuffix(c.Query, "&src=cio") {
		t.Errorf("capture %+v", c)
	}
}

// FuzzSecretRules: SecretName's ASCII path (no lowered copy), SecretValue's cheap
// pre-checks before its expressions and MaskQuery's scan before splitting give the answers
// of the plain rules: lower-case then look for the words, run both expressions, split and
// mask.
func FuzzSecretRules(f *testing.F) {
	for _, s := range []string{"X-Api-Key", "x-cio-signature", "X-CIO-Timestamp", "Authorization", "X-\u212aey",
		"Bearer abcdefgh", " \tbasic QWxhZGRpbjpvcGVu", "NEGOTIATE abcdefg", testJWT, "x eyJabcd.efgh.ij",
		"token=abc&x=1", "sess%69on=1&a", "a=1&b=Bearer%20abcdefgh&c", "ſecret", "TOKEN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := SecretName(s), secretLower(strings.ToLower(s)); got != want {
			t.Errorf("SecretName(%q) = %v, the plain rule says %v", s, got, want)
		}
		if got, want := SecretValue(s), bearerRe.MatchString(s) || jwtRe.MatchString(s); got != want {
			t.Errorf("SecretValue(%q) = %v, the expressions say %v", s, got, want)
		}
		if got, want := MaskQuery(s), maskQuerySplit(s); got != want {
			t.Errorf("MaskQuery(%q) = %q, splitting gives %q", s, got, want)
		}
	})
}

// maskQuerySplit is MaskQuery without its scan first.
func maskQuerySplit(q string) string {
	if q == "" {
		return q
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		name, val, hasVal := strings.Cut(p, "=")
		if hasVal && val != Masked && secretParam(name, val) {
			parts[i] = name + "=" + Masked
		}
	}
	return strings.Join(parts, "&")
}

// TestSecretName_noAllocations: header names are checked on every request without a
// lowered copy.
func TestSecretName_noAllocations(t *testing.T) {
	for _, name := range []string{"X-Api-Key", "User-Agent", "X-Cio-Signature"} {
		if n := testing.AllocsPerRun(100, func() { SecretName(name) }); n != 0 {
			t.Errorf("SecretName(%q): %v allocations, want 0", name, n)
		}
	}
}

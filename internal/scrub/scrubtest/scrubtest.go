// Package scrubtest helps test that no credential leaks: an HTTP server that echoes the
// request's credentials back in many encodings (in error bodies, batch elements and
// redirects), and a checker, written independently of package scrub, that finds a
// credential in any of those encodings.
package scrubtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// Credentials for tests: long enough that every form is scrubbed, with characters that
// URL-encode ('+', '/', '=').
const (
	Token      = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaW9zaW0tdGVzdCJ9.c2lnbmF0dXJl+/tok3n=="
	APIKey     = "ak-3f9c2e71b5d84a06+key/value"
	SigningKey = "whsec-0b8e4f1d9c7a6e52-signing"
)

// Secrets are the three credentials above.
var Secrets = []string{Token, APIKey, SigningKey}

// Leak reports whether out holds secret in a form an echo could use, and how: the value,
// its URL encodings (query and path, either hex case), its JSON string form, or base64
// (standard or URL alphabet, any alignment, found by decoding every run of base64
// characters at every offset).
func Leak(out, secret string) (string, bool) {
	for _, f := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret),
		hexLower(url.QueryEscape(secret)), hexLower(url.PathEscape(secret))} {
		if strings.Contains(out, f) {
			return "plain or URL-encoded " + f, true
		}
	}
	js, _ := json.Marshal(secret)
	if j := string(js[1 : len(js)-1]); strings.Contains(out, j) {
		return "JSON " + j, true
	}
	if out != unescapeB64.Replace(out) {
		if how, ok := Leak(unescapeB64.Replace(out), secret); ok {
			return "URL-encoded " + how, true
		}
	}
	isB64 := func(c byte) bool {
		return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("+/-_", c) >= 0
	}
	for i := 0; i < len(out); {
		if !isB64(out[i]) {
			i++
			continue
		}
		j := i
		for j < len(out) && isB64(out[j]) {
			j++
		}
		run := strings.NewReplacer("-", "+", "_", "/").Replace(out[i:j])
		for off := 0; off < 4 && off < len(run); off++ {
			r := run[off:]
			r = r[:len(r)/4*4]
			if dec, err := base64.RawStdEncoding.DecodeString(r); err == nil && strings.Contains(string(dec), secret) {
				return "base64 " + out[i:j], true
			}
		}
		i = j
	}
	return "", false
}

// unescapeB64 decodes the URL escapes of base64's own characters.
var unescapeB64 = strings.NewReplacer("%2B", "+", "%2b", "+", "%2F", "/", "%2f", "/", "%3D", "=", "%3d", "=")

var hexEsc = regexp.MustCompile(`%[0-9A-F]{2}`)

func hexLower(e string) string { return hexEsc.ReplaceAllStringFunc(e, strings.ToLower) }

// AssertClean fails t when text (named where) holds any of secrets in any form.
func AssertClean(t testing.TB, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if how, ok := Leak(text, s); ok {
			t.Errorf("%s leaks a credential (%s):\n%s", where, how, text)
		}
	}
}

// Echo returns what an echoing endpoint would say about r: every request header, the URL,
// and the Authorization and x-api-key values in every encoding the scrubber must catch.
func Echo(r *http.Request) string {
	auth, key := r.Header.Get("Authorization"), r.Header.Get("x-api-key")
	var hs []string
	for k, v := range r.Header {
		hs = append(hs, k+": "+strings.Join(v, ","))
	}
	sort.Strings(hs)
	tok := strings.TrimPrefix(auth, "Bearer ")
	return strings.Join([]string{
		"url " + r.URL.String(),
		"headers " + strings.Join(hs, "; "),
		"b64 " + base64.StdEncoding.EncodeToString([]byte(auth)),
		"b64url " + base64.RawURLEncoding.EncodeToString([]byte(auth)),
		"b64tok " + base64.StdEncoding.EncodeToString([]byte("x"+tok)),
		"basic " + base64.StdEncoding.EncodeToString([]byte("user:"+tok)),
		"query " + url.QueryEscape(auth) + " " + hexLower(url.QueryEscape(key)),
		"path " + url.PathEscape(tok) + " " + url.PathEscape(key),
		"keyb64 " + base64.URLEncoding.EncodeToString([]byte(key)),
	}, " | ")
}

// NewEchoServer starts a server that refuses every request with an error body echoing its
// credentials (400, not retried), in AEP's error shape so the reason shows the echo, and
// answers batch requests with a 207 whose every element echoes them. A request without
// "echoed" in its query is first redirected (307) to the same path with the credentials
// URL- and base64-encoded in the query, so the echo also comes back through a redirect.
// With refuse set, the redirect goes to a closed port instead, so the credentials come back
// in a transport error's URL.
func NewEchoServer(t testing.TB, refuse bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Query().Get("echoed") == "" {
			q := url.Values{"echoed": {"1"}, "auth": {r.Header.Get("Authorization")},
				"k": {base64.StdEncoding.EncodeToString([]byte(r.Header.Get("x-api-key")))}}
			for k, v := range r.URL.Query() {
				q[k] = v
			}
			base := ""
			if refuse {
				base = "http://127.0.0.1:1"
			}
			http.Redirect(w, r, base+r.URL.Path+"?"+q.Encode(), http.StatusTemporaryRedirect)
			return
		}
		echo := Echo(r)
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Path, "/batch/") {
			var b struct {
				Messages []json.RawMessage `json:"messages"`
			}
			json.Unmarshal(body, &b)
			type el struct {
				Status  int    `json:"status"`
				Message string `json:"message"`
			}
			out := struct {
				Responses []el `json:"responses"`
			}{}
			for range b.Messages {
				out.Responses = append(out.Responses, el{Status: 400, Message: "echo: " + echo})
			}
			w.WriteHeader(http.StatusMultiStatus)
			json.NewEncoder(w).Encode(out)
			return
		}
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"type":"https://ns.adobe.com/aep/errors/DCVS-1106-400","title":"Invalid data","report":{"message":%q},"echo":%q}`, echo, echo)
	}))
	t.Cleanup(srv.Close)
	return srv
}

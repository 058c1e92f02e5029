package aep

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/ciosim/ciosim/internal/scrub/scrubtest"
	"github.com/ciosim/ciosim/secret"
)

// TestClient_scrubsCredentialsFromResults points the client at endpoints that echo the
// bearer token and API key (plain, base64, base64url, URL-encoded, inside basic auth and
// "Bearer " values) in error bodies, 207 batch elements, a success body, a redirect and a
// transport error: no result text and no dead letter holds any form of either.
func TestClient_scrubsCredentialsFromResults(t *testing.T) {
	auth := Auth{Token: secret.New(scrubtest.Token), APIKey: secret.New(scrubtest.APIKey), OrgID: "ORG@AdobeOrg"}
	echo := scrubtest.NewEchoServer(t, false)
	refuse := scrubtest.NewEchoServer(t, true)
	okEcho := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A 200 whose xactionId and body echo the credentials.
		w.Write([]byte(`{"xactionId":"` + r.Header.Get("Authorization") + `","echo":"` + url.QueryEscape(scrubtest.Echo(r)) + `"}`))
	}))
	defer okEcho.Close()
	msg := Message{Source: "in.jsonl:1", EventID: "e1", Body: []byte(cioBody)}
	for _, tc := range []struct {
		name string
		url  string
		mode Mode
		want Outcome
	}{
		{"raw 400 after redirect", echo.URL + "/collection/" + inlet, ModeRaw, Failed},
		{"xdm 400 after redirect", echo.URL + "/collection/" + inlet, ModeXDM, Failed},
		{"batch 207 elements", echo.URL + "/collection/" + inlet, ModeBatch, Failed},
		{"redirect to a closed port", refuse.URL + "/collection/" + inlet, ModeRaw, Failed},
		{"200 echo", okEcho.URL + "/collection/" + inlet, ModeRaw, Delivered},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(Options{URL: tc.url, Mode: tc.mode, FlowID: "flow-1", Auth: auth,
				SigningKey: secret.New(scrubtest.SigningKey)})
			if err != nil {
				t.Fatal(err)
			}
			var res []Result
			if tc.mode == ModeBatch {
				res = c.SendBatch(context.Background(), []Message{msg, msg})
			} else {
				res = []Result{c.Send(context.Background(), msg)}
			}
			var dl bytes.Buffer
			w := c.NewDeadLetterWriter(&dl)
			for _, r := range res {
				if r.Outcome != tc.want {
					t.Fatalf("outcome %s (%s), want %s", r.Outcome, r.Reason, tc.want)
				}
				if r.Outcome == Failed && (r.Reason == "" || !strings.Contains(r.Reason+r.Excerpt, "[redacted]")) {
					t.Errorf("reason %q / excerpt %q: want the echo with its credentials masked", r.Reason, r.Excerpt)
				}
				scrubtest.AssertClean(t, "reason", r.Reason, scrubtest.Secrets...)
				scrubtest.AssertClean(t, "excerpt", r.Excerpt, scrubtest.Secrets...)
				scrubtest.AssertClean(t, "xactionId", r.XactionID, scrubtest.Secrets...)
				w.Write(r)
			}
			w.Flush()
			scrubtest.AssertClean(t, "dead letters", dl.String(), scrubtest.Secrets...)
		})
	}
}

func TestNew_configErrorHidesURLPassword(t *testing.T) {
	_, err := New(Options{URL: "ftp://user:s3cret-passw0rd@host/collection/x"})
	if err == nil || strings.Contains(err.Error(), "s3cret-passw0rd") {
		t.Errorf("err = %v", err)
	}
}

// The process's other credentials (Options.Secrets) and a password in the inlet URL, which
// Go sends as basic auth, are scrubbed too.
func TestClient_scrubsOtherSecretsAndBasicAuth(t *testing.T) {
	const other, pass = "recorder-verification-key-123", "basic-p4ssw0rd"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte("key " + other + " auth " + r.Header.Get("Authorization")))
	}))
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	u.User = url.UserPassword("user", pass)
	c, err := New(Options{URL: u.String() + "/collection/" + inlet, FlowID: "f", Secrets: []secret.Secret{secret.New(other)}})
	if err != nil {
		t.Fatal(err)
	}
	r := c.Send(context.Background(), Message{Body: []byte(cioBody)})
	if r.Status != http.StatusForbidden {
		t.Fatalf("status %d: %s", r.Status, r.Reason)
	}
	for _, s := range []string{other, pass} {
		scrubtest.AssertClean(t, "reason", r.Reason, s)
		scrubtest.AssertClean(t, "excerpt", r.Excerpt, s)
	}
}

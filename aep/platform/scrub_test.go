package platform

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/ciosim/ciosim/internal/scrub/scrubtest"
)

// TestErrors_scrubCredentials: IMS and platform endpoints that echo the client secret, the
// client id and the IMS token (plain, URL-encoded, base64, in a redirect to a closed port)
// never put them into an error's text.
func TestErrors_scrubCredentials(t *testing.T) {
	const clientID = "cid-0123456789abcdef"
	secrets := []string{testSecret, testToken, clientID}
	t.Run("IMS", func(t *testing.T) {
		f := newFake(t)
		f.handlers["POST /ims/token/v3"] = func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			w.WriteHeader(400)
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":"bad form %s (%s)"}`, b, base64.StdEncoding.EncodeToString(b))
		}
		_, err := f.client(t, func(c *Config) { c.ClientID = clientID }).Token(context.Background())
		var ie *IMSError
		if !errors.As(err, &ie) {
			t.Fatalf("err = %v", err)
		}
		scrubtest.AssertClean(t, "IMS error", err.Error(), secrets...)
		scrubtest.AssertClean(t, "IMS description", ie.Description, secrets...)
	})
	t.Run("platform", func(t *testing.T) {
		f := newFake(t)
		f.handlers["GET "+SchemaPath+"/stats"] = func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(403)
			fmt.Fprintf(w, `{"error_code":"403003","message":"denied: %s key %s (%s)"}`, r.Header.Get("Authorization"), r.Header.Get("x-api-key"),
				url.QueryEscape(r.Header.Get("Authorization")))
		}
		_, err := f.client(t, func(c *Config) { c.ClientID = clientID }).Stats(context.Background())
		var pe *Error
		if !errors.As(err, &pe) || pe.Status != 403 {
			t.Fatalf("err = %v", err)
		}
		scrubtest.AssertClean(t, "platform error", err.Error(), secrets...)
	})
	t.Run("redirect to a closed port", func(t *testing.T) {
		f := newFake(t)
		f.handlers["GET "+SchemaPath+"/stats"] = func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/"+url.PathEscape(r.Header.Get("Authorization")), http.StatusTemporaryRedirect)
		}
		_, err := f.client(t, func(c *Config) { c.ClientID = clientID; c.Retries = -1 }).Stats(context.Background())
		if err == nil {
			t.Fatal("no error")
		}
		scrubtest.AssertClean(t, "transport error", err.Error(), secrets...)
	})
}

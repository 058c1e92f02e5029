package platform

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ciosim/ciosim/secret"
)

// Token is an IMS access token and when it expires.
type Token struct {
	Value   secret.Secret
	Expires time.Time // zero for a token given in the configuration (expiry unknown)
	Cached  bool      // read from the disk cache rather than fetched
}

// refreshBefore is how long before expiry a token is replaced (aepp uses 500 s, ref §8).
const refreshBefore = 10 * time.Minute

// Token returns a usable access token: the configured one, the one in memory, the one in the
// disk cache, or a new one from IMS, in that order; tokens within 10 minutes of expiry are
// replaced.
func (c *Client) Token(ctx context.Context) (Token, error) {
	if !c.cfg.AccessToken.IsZero() {
		return Token{Value: c.cfg.AccessToken}, nil
	}
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	now := c.now()
	if !c.tok.Value.IsZero() && now.Add(refreshBefore).Before(c.tok.Expires) {
		return c.tok, nil
	}
	if t, ok := c.readCache(); ok && now.Add(refreshBefore).Before(t.Expires) {
		c.tok = t
		return t, nil
	}
	t, err := c.fetchToken(ctx)
	if err != nil {
		return Token{}, err
	}
	c.tok = t
	c.writeCache(t)
	return t, nil
}

// dropToken forgets a token the platform refused, in memory and on disk.
func (c *Client) dropToken(refused string) {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	if c.tok.Value.Reveal() == refused {
		c.tok = Token{}
	}
	if p := c.cachePath(); p != "" {
		if t, ok := c.readCache(); ok && t.Value.Reveal() == refused {
			os.Remove(p)
		}
	}
}

// IMSError is an IMS token endpoint's error: {"error", "error_description"} (ref §1.3).
type IMSError struct {
	Status      int
	Code        string // such as invalid_client
	Description string
}

func (e *IMSError) Error() string {
	return fmt.Sprintf("ims: %d %s: %s", e.Status, e.Code, e.Description)
}

func (c *Client) fetchToken(ctx context.Context) (Token, error) {
	if c.cfg.ClientSecret.IsZero() {
		return Token{}, fmt.Errorf("platform: token: no client secret (%s) and no access token (%s)", EnvClientSecret, EnvAccessToken)
	}
	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {c.cfg.ClientID},
		"client_secret": {c.cfg.ClientSecret.Reveal()},
		"scope":         {strings.Join(c.cfg.scopes(), ",")},
	}
	u := strings.TrimRight(c.imsURL, "/") + "/ims/token/v3"
	var last error
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
		if err != nil {
			return Token{}, fmt.Errorf("platform: token: %w", err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		resp, err := c.http.Do(req)
		if err != nil {
			// The error names the URL, never the body, so the secret cannot leak into it.
			last = fmt.Errorf("platform: token: %w", c.scrubErr(secret.Secret{}, err))
			if ctx.Err() != nil || !c.wait(ctx, attempt+1, "") {
				return Token{}, last
			}
			continue
		}
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
		resp.Body.Close()
		if rerr != nil {
			return Token{}, fmt.Errorf("platform: token: read response: %w", rerr)
		}
		if resp.StatusCode == http.StatusOK {
			var tr struct {
				AccessToken string          `json:"access_token"`
				TokenType   string          `json:"token_type"`
				ExpiresIn   json.RawMessage `json:"expires_in"`
			}
			if err := json.Unmarshal(body, &tr); err != nil || tr.AccessToken == "" {
				return Token{}, fmt.Errorf("platform: token: IMS answered 200 without an access_token")
			}
			secs, err := parseSeconds(tr.ExpiresIn)
			if err != nil {
				return Token{}, fmt.Errorf("platform: token: expires_in: %w", err)
			}
			return Token{Value: secret.New(tr.AccessToken), Expires: c.now().Add(time.Duration(secs) * time.Second)}, nil
		}
		var ie struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		json.Unmarshal(body, &ie)
		sc := c.scrubber(secret.Secret{})
		last = &IMSError{Status: resp.StatusCode, Code: sc.String(ie.Error), Description: sc.String(ie.Description)}
		if ie.Error == "" {
			last = &IMSError{Status: resp.StatusCode, Code: http.StatusText(resp.StatusCode), Description: "no IMS error body"}
		}
		if !retryable(resp.StatusCode, true) || !c.wait(ctx, attempt+1, resp.Header.Get("Retry-After")) {
			return Token{}, fmt.Errorf("platform: token: %w", last)
		}
	}
}

// parseSeconds reads expires_in, a number of seconds (a string is tolerated).
func parseSeconds(raw json.RawMessage) (int64, error) {
	var n json.Number
	s := strings.Trim(string(raw), `"`)
	n = json.Number(s)
	v, err := n.Int64()
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("want a positive number of seconds, got %s", raw)
	}
	return v, nil
}

// cachedToken is the disk cache's layout.
type cachedToken struct {
	AccessToken string    `json:"access_token"`
	ExpiresAt   time.Time `json:"expires_at"`
}

// cachePath is the token file for this client id and these scopes, or "" without a cache dir.
func (c *Client) cachePath() string {
	if c.cfg.CacheDir == "" || c.cfg.ClientID == "" {
		return ""
	}
	h := sha256.Sum256([]byte(c.imsURL + "\n" + c.cfg.ClientID + "\n" + strings.Join(c.cfg.scopes(), ",")))
	return filepath.Join(c.cfg.CacheDir, "ims-token-"+hex.EncodeToString(h[:8])+".json")
}

func (c *Client) readCache() (Token, bool) {
	p := c.cachePath()
	if p == "" {
		return Token{}, false
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode().Perm()&0o077 != 0 || st.Size() > 64<<10 {
		return Token{}, false // missing, or readable by others: not trusted
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return Token{}, false
	}
	var ct cachedToken
	if json.Unmarshal(b, &ct) != nil || ct.AccessToken == "" {
		return Token{}, false
	}
	return Token{Value: secret.New(ct.AccessToken), Expires: ct.ExpiresAt, Cached: true}, true
}

// writeCache stores t in a 0600 file (written beside it and renamed). Failures are ignored:
// the cache only saves a token request.
func (c *Client) writeCache(t Token) {
	p := c.cachePath()
	if p == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return
	}
	b, _ := json.Marshal(cachedToken{AccessToken: t.Value.Reveal(), ExpiresAt: t.Expires.UTC()})
	f, err := os.CreateTemp(filepath.Dir(p), ".ims-token-*")
	if err != nil {
		return
	}
	defer os.Remove(f.Name())
	if f.Chmod(0o600) != nil {
		f.Close()
		return
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr != nil || cerr != nil {
		return
	}
	os.Rename(f.Name(), p)
}

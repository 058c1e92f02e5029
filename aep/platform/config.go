// Package platform is a client for the AEP control-plane APIs a Customer.io streaming dataflow
// needs: IMS OAuth Server-to-Server tokens, Flow Service, Data Prep mapping sets, Schema
// Registry, Catalog and Data Access (reference aep-control-plane.md). It sends and receives
// bytes: it knows nothing of XDM mapping, the TUI or the emulator, which answers the same
// calls on loopback.
package platform

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ciosim/ciosim/secret"
)

// Default base URLs of the real services.
const (
	DefaultPlatformURL = "https://platform.adobe.io"
	DefaultIMSURL      = "https://ims-na1.adobelogin.com"
)

// DefaultScopes are the OAuth scopes Adobe's material lists for AEP (reference §1.1).
var DefaultScopes = []string{"openid", "AdobeID", "read_organizations", "additional_info.projectedProductContext", "session"}

// Config is everything the client needs. Build it with [ConfigFromEnv] and [LoadConfigFile]
// or by hand; [Config.Check] says what is missing.
type Config struct {
	ClientID     string        // Developer Console client id; also the x-api-key
	ClientSecret secret.Secret // for client_credentials
	Scopes       []string      // comma-joined in the token request
	OrgID        string        // x-gw-ims-org-id, like ABC@AdobeOrg
	Sandbox      string        // x-sandbox-name (lowercase); "" means prod
	AccessToken  secret.Secret // a ready token: skips IMS
	PlatformURL  string        // "" means DefaultPlatformURL
	IMSURL       string        // "" means DefaultIMSURL
	// CacheDir, when set, keeps tokens in a 0600 file there, keyed by client id and scopes.
	CacheDir string
	// HTTPClient is used for every call; nil means a client with a 60 s timeout.
	HTTPClient *http.Client
	// Retries is how many times a retryable failure is retried (default 4; -1 for none).
	Retries int
	// Backoff is the wait before retry n (from 1) when no Retry-After says otherwise;
	// nil means 0.5 s doubling up to 30 s with jitter.
	Backoff func(n int) time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Environment variable names [ConfigFromEnv] reads.
const (
	EnvClientID     = "AEP_CLIENT_ID"
	EnvClientSecret = "AEP_CLIENT_SECRET"
	EnvScopes       = "AEP_SCOPES"
	EnvOrgID        = "AEP_IMS_ORG"
	EnvSandbox      = "AEP_SANDBOX_NAME"
	EnvAccessToken  = "AEP_ACCESS_TOKEN"
	EnvPlatformURL  = "AEP_PLATFORM_URL"
	EnvIMSURL       = "AEP_IMS_URL"
)

// ConfigFromEnv overlays the AEP_* variables that getenv returns on c (set values win over
// c's) and returns the result.
func ConfigFromEnv(c Config, getenv func(string) string) Config {
	set := func(dst *string, key string) {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			*dst = v
		}
	}
	set(&c.ClientID, EnvClientID)
	set(&c.OrgID, EnvOrgID)
	set(&c.Sandbox, EnvSandbox)
	set(&c.PlatformURL, EnvPlatformURL)
	set(&c.IMSURL, EnvIMSURL)
	if v := getenv(EnvClientSecret); v != "" {
		c.ClientSecret = secret.New(v)
	}
	if v := getenv(EnvAccessToken); v != "" {
		c.AccessToken = secret.New(v)
	}
	if v := getenv(EnvScopes); v != "" {
		c.Scopes = splitScopes(v)
	}
	return c
}

func splitScopes(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// MaxConfigBytes bounds a config file.
const MaxConfigBytes = 64 << 10

// LoadConfigFile reads an aepp-style JSON config file (keys case-insensitive): org_id,
// client_id (or api_key), secret (or client_secret, or client_secrets: a list whose first
// is used), sandbox-name (or sandbox), scopes (a comma-separated string or a list),
// platform_url, ims_url. A file holding a secret must be readable by its owner only (0600);
// otherwise it is refused.
func LoadConfigFile(path string) (Config, error) {
	var c Config
	st, err := os.Stat(path)
	if err != nil {
		return c, fmt.Errorf("platform: config: %w", err)
	}
	if st.Size() > MaxConfigBytes {
		return c, fmt.Errorf("platform: config %s: larger than %d bytes", path, MaxConfigBytes)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return c, fmt.Errorf("platform: config: %w", err)
	}
	return parseConfig(path, b, st.Mode().Perm())
}

func parseConfig(path string, b []byte, perm os.FileMode) (Config, error) {
	var c Config
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return c, fmt.Errorf("platform: config %s: %w", path, err)
	}
	str := func(key string) (string, error) {
		v, ok := raw[key]
		if !ok {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", fmt.Errorf("platform: config %s: field %q: want a string", path, key)
		}
		return strings.TrimSpace(s), nil
	}
	lower := make(map[string]json.RawMessage, len(raw))
	for k, v := range raw {
		lower[strings.ToLower(k)] = v
	}
	raw = lower
	var sec string
	for _, f := range []struct {
		dst  *string
		keys []string
	}{
		{&c.OrgID, []string{"org_id", "ims_org"}},
		{&c.ClientID, []string{"client_id", "api_key"}},
		{&sec, []string{"secret", "client_secret"}},
		{&c.Sandbox, []string{"sandbox-name", "sandbox_name", "sandbox"}},
		{&c.PlatformURL, []string{"platform_url"}},
		{&c.IMSURL, []string{"ims_url"}},
	} {
		for _, k := range f.keys {
			v, err := str(k)
			if err != nil {
				return c, err
			}
			if v != "" && *f.dst == "" {
				*f.dst = v
			}
		}
	}
	if v, ok := raw["client_secrets"]; ok && sec == "" {
		var list []string
		if err := json.Unmarshal(v, &list); err != nil {
			return c, fmt.Errorf("platform: config %s: field \"client_secrets\": want a list of strings", path)
		}
		if len(list) > 0 {
			sec = list[0]
		}
	}
	if v, ok := raw["scopes"]; ok {
		var s string
		var list []string
		switch {
		case json.Unmarshal(v, &s) == nil:
			c.Scopes = splitScopes(s)
		case json.Unmarshal(v, &list) == nil:
			c.Scopes = splitScopes(strings.Join(list, ","))
		default:
			return c, fmt.Errorf("platform: config %s: field \"scopes\": want a string or a list of strings", path)
		}
	}
	if sec != "" {
		if perm&0o077 != 0 {
			return Config{}, fmt.Errorf("platform: config %s holds a client secret but its mode is %#o: make it readable by you only (chmod 600 %s)", path, perm, path)
		}
		c.ClientSecret = secret.New(sec)
	}
	return c, nil
}

// Check reports what the configuration lacks for calling the platform.
func (c Config) Check() error {
	var miss []string
	if c.ClientID == "" {
		miss = append(miss, EnvClientID)
	}
	if c.OrgID == "" {
		miss = append(miss, EnvOrgID)
	}
	if c.AccessToken.IsZero() && c.ClientSecret.IsZero() {
		miss = append(miss, EnvClientSecret+" (or "+EnvAccessToken+")")
	}
	if len(miss) > 0 {
		return fmt.Errorf("platform: missing configuration: %s", strings.Join(miss, ", "))
	}
	if c.Sandbox != "" && c.Sandbox != strings.ToLower(c.Sandbox) {
		return fmt.Errorf("platform: sandbox name %q: sandbox names are lowercase", c.Sandbox)
	}
	return nil
}

func (c Config) scopes() []string {
	if len(c.Scopes) == 0 {
		return DefaultScopes
	}
	return c.Scopes
}

func (c Config) sandbox() string {
	if c.Sandbox == "" {
		return "prod"
	}
	return c.Sandbox
}

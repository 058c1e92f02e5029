// Package gsblob is ciosim's gocloud.dev/blob driver for Google Cloud Storage (gs:// URLs),
// built on Google's REST client for the Cloud Storage JSON API (google.golang.org/api/storage/v1)
// and Application Default Credentials (golang.org/x/oauth2/google). It replaces
// gocloud.dev/blob/gcsblob, whose client (cloud.google.com/go/storage) brings gRPC, xDS and
// OpenTelemetry's SDK into the binary and a third of ciosim's start-up memory with them.
//
// It does what ciosim does with a bucket: list under a prefix (every page), read an object
// whole or a byte range, read its attributes, upload an object (one request, or a resumable
// upload in chunks for objects larger than the chunk), and delete. Copy and signed URLs answer
// gcerrors.Unimplemented. Idempotent requests (list, attributes, opening a read) are
// retried a few times on 408, 429, 5xx and broken connections; resumable uploads are retried chunk by
// chunk by the client.
//
// # URLs
//
// gs://BUCKET opens the bucket (gocloud's ?prefix= applies as for every driver). Query
// parameters, as gcsblob took them:
//
//   - anonymous=true: no credentials (public buckets); access_id=- means the same.
//   - universe_domain=D: a Google Cloud universe other than googleapis.com.
//   - grpc=false is accepted; grpc=true and zonal=true are refused (JSON API only).
//   - access_id (other than -) and private_key_path only served signed URLs, which this
//     driver does not make: refused, as is any other parameter.
//
// Credentials are Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS, gcloud's
// application-default login, or the metadata server on Google Cloud); they are never taken
// from the URL, printed or logged. When STORAGE_EMULATOR_HOST is set (host:port or a URL),
// requests go to that emulator without credentials, as Google's own clients do.
//
// Keys are sent as they are: unlike gcsblob, "\r", "\n" and "../" in keys are not escaped.
//
// The package knows nothing about recordings, HTTP servers or the terminal.
package gsblob

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/option"
	storage "google.golang.org/api/storage/v1"

	"gocloud.dev/blob"
)

// Scheme is the URL scheme the driver registers on blob.DefaultURLMux.
const Scheme = "gs"

// EmulatorEnv names the environment variable that points the driver at a Cloud Storage
// emulator (host:port or http://host:port), as it does Google's own clients.
const EmulatorEnv = "STORAGE_EMULATOR_HOST"

func init() {
	blob.DefaultURLMux().RegisterBucket(Scheme, &URLOpener{})
}

// URLOpener opens gs:// URLs. The zero value is the one registered for the "gs" scheme: it
// reads [EmulatorEnv] and Application Default Credentials when a bucket is opened.
type URLOpener struct {
	// Endpoint, when set, replaces the JSON API's base URL
	// (https://storage.googleapis.com/storage/v1/), credentials still applying; for tests
	// and private endpoints. [EmulatorEnv] takes precedence.
	Endpoint string
	// HTTPClient, when set, is the client requests go through as they are (no credentials
	// are added).
	HTTPClient *http.Client
}

// urlParams are the choices a gs:// URL's query can make.
type urlParams struct {
	anonymous      bool
	universeDomain string
}

func parseParams(q url.Values) (urlParams, error) {
	var p urlParams
	for k, vs := range q {
		v := ""
		if len(vs) > 0 {
			v = vs[0]
		}
		switch k {
		case "anonymous":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return p, fmt.Errorf("invalid value %q for query parameter %q", v, k)
			}
			p.anonymous = p.anonymous || b
		case "access_id":
			if v != "-" {
				return p, fmt.Errorf("query parameter %q only served signed URLs, which ciosim does not make (access_id=- still means anonymous)", k)
			}
			p.anonymous = true
		case "private_key_path":
			return p, fmt.Errorf("query parameter %q only served signed URLs, which ciosim does not make", k)
		case "universe_domain":
			if !isDomain(v) {
				return p, fmt.Errorf("invalid value %q for query parameter %q", v, k)
			}
			p.universeDomain = v
		case "grpc", "zonal":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return p, fmt.Errorf("invalid value %q for query parameter %q", v, k)
			}
			if b {
				return p, fmt.Errorf("query parameter %s=true is not supported: ciosim talks to Cloud Storage over its JSON API", k)
			}
		default:
			return p, fmt.Errorf("invalid query parameter %q", k)
		}
	}
	return p, nil
}

// isDomain reports whether s is a DNS name: labels of letters, digits and '-' joined by '.'.
func isDomain(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for l := range strings.SplitSeq(s, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, c := range []byte(l) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// OpenBucketURL opens the bucket named by the URL's host.
func (o *URLOpener) OpenBucketURL(ctx context.Context, u *url.URL) (*blob.Bucket, error) {
	if u.Host == "" {
		return nil, fmt.Errorf("gsblob: open %s: the URL names no bucket", u.Redacted())
	}
	if u.Path != "" && u.Path != "/" {
		return nil, fmt.Errorf("gsblob: open %s: a path after the bucket name is not a key prefix here; use ?prefix=", u.Redacted())
	}
	p, err := parseParams(u.Query())
	if err != nil {
		return nil, fmt.Errorf("gsblob: open %s: %w", u.Redacted(), err)
	}
	svc, err := o.service(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("gsblob: open %s: %w", u.Redacted(), err)
	}
	return blob.NewBucket(&bucket{name: u.Host, svc: svc}), nil
}

// OpenBucket returns a bucket named name reached through svc.
func OpenBucket(svc *storage.Service, name string) (*blob.Bucket, error) {
	if svc == nil || name == "" {
		return nil, errors.New("gsblob: open bucket: a service and a bucket name are required")
	}
	return blob.NewBucket(&bucket{name: name, svc: svc}), nil
}

// service builds the JSON API client for p.
func (o *URLOpener) service(ctx context.Context, p urlParams) (*storage.Service, error) {
	ua := option.WithUserAgent("ciosim")
	if host := os.Getenv(EmulatorEnv); host != "" {
		base, err := emulatorBase(host)
		if err != nil {
			return nil, err
		}
		hc := o.HTTPClient
		if hc == nil {
			hc = &http.Client{}
		}
		return storage.NewService(ctx, option.WithHTTPClient(hc), option.WithEndpoint(base), ua)
	}
	endpoint := o.Endpoint
	if endpoint == "" && p.universeDomain != "" {
		endpoint = "https://storage." + p.universeDomain + "/storage/v1/"
	}
	opts := []option.ClientOption{ua}
	if endpoint != "" {
		opts = append(opts, option.WithEndpoint(endpoint))
	}
	switch {
	case o.HTTPClient != nil:
		opts = append(opts, option.WithHTTPClient(o.HTTPClient))
	case p.anonymous:
		opts = append(opts, option.WithHTTPClient(&http.Client{}))
	default:
		creds, err := google.FindDefaultCredentialsWithParams(ctx, google.CredentialsParams{
			Scopes:         []string{storage.DevstorageReadWriteScope},
			UniverseDomain: p.universeDomain,
		})
		if err != nil {
			return nil, fmt.Errorf("no Application Default Credentials (set GOOGLE_APPLICATION_CREDENTIALS, run `gcloud auth application-default login`, or add ?anonymous=true for a public bucket): %w", err)
		}
		// The token source outlives ctx, which may be cancelled once the bucket is open.
		ts := oauth2.ReuseTokenSource(nil, creds.TokenSource)
		opts = append(opts, option.WithHTTPClient(&http.Client{Transport: &oauth2.Transport{Source: ts, Base: http.DefaultTransport}}))
	}
	return storage.NewService(ctx, opts...)
}

// emulatorBase turns STORAGE_EMULATOR_HOST (host:port, or a URL) into the JSON API's base
// URL on the emulator, as cloud.google.com/go/storage does.
func emulatorBase(host string) (string, error) {
	if !strings.Contains(host, "://") {
		host = "http://" + host
	}
	u, err := url.Parse(host)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("%s=%q is not host:port or an http(s) URL", EmulatorEnv, host)
	}
	return u.Scheme + "://" + u.Host + "/storage/v1/", nil
}

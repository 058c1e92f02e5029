// Package buckettest runs real object-storage protocol servers in-process for tests: gofakes3
// (S3) and fake-gcs-server (the Cloud Storage JSON API) over httptest on loopback ports, so the
// drivers are exercised end to end (signing, multipart and resumable uploads, paged listing,
// streaming and range reads) without a cloud account.
package buckettest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// S3 is a running fake S3 server with one bucket.
type S3 struct {
	// Server is the httptest server; its URL is the endpoint.
	Server *httptest.Server
	// Bucket is the bucket's name.
	Bucket string
	// Backend holds the objects.
	Backend *s3mem.Backend
}

// Env is the environment an S3 client needs to talk to the fake: static dummy credentials
// (the fake does not check them) and no instance-metadata lookups, so nothing leaves the
// machine.
var Env = []string{
	"AWS_ACCESS_KEY_ID=ciosim-test",
	"AWS_SECRET_ACCESS_KEY=ciosim-test-secret",
	"AWS_REGION=us-east-1",
	"AWS_EC2_METADATA_DISABLED=true",
	"AWS_CONFIG_FILE=/dev/null",
	"AWS_SHARED_CREDENTIALS_FILE=/dev/null",
}

// SetEnv sets [Env] for the test (through t.Setenv, so not in parallel tests).
func SetEnv(t testing.TB) {
	t.Helper()
	for _, kv := range Env {
		for i := 0; i < len(kv); i++ {
			if kv[i] == '=' {
				t.Setenv(kv[:i], kv[i+1:])
				break
			}
		}
	}
}

// Start starts a fake S3 server with an empty bucket named bucket; it is closed when the
// test ends. wrap, when not nil, wraps the S3 handler (to inject failures). It also sets
// [Env] for the test (so the test must not be parallel): without credentials in the
// environment the AWS SDK would look for an instance role on the network.
func Start(t testing.TB, bucket string, wrap func(http.Handler) http.Handler) *S3 {
	t.Helper()
	SetEnv(t)
	be := s3mem.New()
	if err := be.CreateBucket(bucket); err != nil {
		t.Fatalf("buckettest: create bucket: %v", err)
	}
	h := gofakes3.New(be).Server()
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &S3{Server: srv, Bucket: bucket, Backend: be}
}

// URL returns the s3:// URL that opens the bucket through the server, with prefix as the
// key prefix ("" for none).
func (s *S3) URL(prefix string) string {
	q := url.Values{}
	q.Set("endpoint", s.Server.URL)
	q.Set("region", "us-east-1")
	q.Set("use_path_style", "true")
	q.Set("disable_https", "true")
	return "s3://" + s.Bucket + "/" + prefix + "?" + q.Encode()
}

package buckettest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"
)

// GCS is a running fake Cloud Storage server (fake-gcs-server's JSON API) with one bucket,
// reached by gs:// URLs through STORAGE_EMULATOR_HOST.
type GCS struct {
	// Server is the httptest server in front of the fake.
	Server *httptest.Server
	// Bucket is the bucket's name.
	Bucket string
	// Fake holds the objects.
	Fake *fakestorage.Server
}

// StartGCS starts a fake Cloud Storage server with an empty bucket named bucket; it is
// closed when the test ends. wrap, when not nil, wraps its handler (to inject failures or
// watch requests). It sets STORAGE_EMULATOR_HOST for the test (so the test must not be
// parallel): gs:// URLs then reach the fake, without credentials.
func StartGCS(t testing.TB, bucket string, wrap func(http.Handler) http.Handler) *GCS {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	fake, err := fakestorage.NewServerWithOptions(fakestorage.Options{NoListener: true, Scheme: "http", ExternalURL: base})
	if err != nil {
		srv.Close()
		t.Fatalf("buckettest: start fake gcs: %v", err)
	}
	fake.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: bucket})
	h := fake.HTTPHandler()
	if wrap != nil {
		h = wrap(h)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(func() { srv.Close(); fake.Stop() })
	t.Setenv("STORAGE_EMULATOR_HOST", srv.Listener.Addr().String())
	return &GCS{Server: srv, Bucket: bucket, Fake: fake}
}

// URL returns the gs:// URL of the bucket with prefix as the key prefix ("" for none).
func (g *GCS) URL(prefix string) string {
	return "gs://" + g.Bucket + "/" + prefix
}

// Put stores an object directly in the fake.
func (g *GCS) Put(key string, content []byte) {
	g.Fake.CreateObject(fakestorage.Object{
		ObjectAttrs: fakestorage.ObjectAttrs{BucketName: g.Bucket, Name: key, ContentType: "application/x-ndjson"},
		Content:     content,
	})
}

// Objects returns every object in the bucket, by key.
func (g *GCS) Objects(t testing.TB) map[string][]byte {
	t.Helper()
	res, err := g.Fake.ListObjectsWithOptionsPaginated(g.Bucket, fakestorage.ListOptions{})
	if err != nil {
		t.Fatalf("buckettest: list fake gcs: %v", err)
	}
	out := map[string][]byte{}
	for _, a := range res.Objects {
		o, err := g.Fake.GetObject(g.Bucket, a.Name)
		if err != nil {
			t.Fatalf("buckettest: get %s: %v", a.Name, err)
		}
		out[a.Name] = o.Content
	}
	return out
}

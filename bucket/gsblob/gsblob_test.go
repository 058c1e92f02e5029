package gsblob_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"gocloud.dev/blob"
	"gocloud.dev/gcerrors"

	"github.com/ciosim/ciosim/bucket"
	"github.com/ciosim/ciosim/bucket/buckettest"
	"github.com/ciosim/ciosim/bucket/gsblob"
)

// open opens a gs:// URL the way ciosim does (bucket.Open: the path is the key prefix).
func open(t *testing.T, rawURL string) *blob.Bucket {
	t.Helper()
	b, err := bucket.Open(context.Background(), rawURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// counter counts the requests whose path and query match.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		if c.n == nil {
			c.n = map[string]int{}
		}
		c.n[kind(r)]++
		c.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (c *counter) get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[k]
}

// kind names a JSON API request: "list", "get", "media", "delete", or the upload type of
// an upload ("upload:multipart", "upload:resumable", and "chunk" for each chunk of a
// resumable upload).
func kind(r *http.Request) string {
	q := r.URL.Query()
	switch {
	case strings.HasPrefix(r.URL.Path, "/upload/"):
		if q.Get("upload_id") != "" {
			return "chunk"
		}
		return "upload:" + q.Get("uploadType")
	case r.Method == http.MethodDelete:
		return "delete"
	case strings.HasSuffix(r.URL.Path, "/o") || strings.HasSuffix(r.URL.Path, "/o/"):
		return "list"
	case q.Get("alt") == "media":
		return "media"
	}
	return "get"
}

func TestList_pages(t *testing.T) {
	var c counter
	g := buckettest.StartGCS(t, "rec", c.wrap)
	const n = 1203 // more than one page of 1000
	for i := range n {
		g.Put(fmt.Sprintf("prod/2026/11/%02d/host-%04d.jsonl", i%3, i), []byte("x\n"))
	}
	g.Put("other/a.jsonl", []byte("y\n"))
	g.Put("prod-not-under/a.jsonl", []byte("y\n"))

	b := open(t, g.URL("prod/"))
	it := b.List(nil)
	var keys []string
	for {
		o, err := it.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if o.Size != 2 || o.ModTime.IsZero() || len(o.MD5) != 16 {
			t.Fatalf("%s: size %d, mod time %v, md5 %x", o.Key, o.Size, o.ModTime, o.MD5)
		}
		keys = append(keys, o.Key)
	}
	if len(keys) != n {
		t.Fatalf("listed %d objects under prod/, want %d", len(keys), n)
	}
	if !strings.HasPrefix(keys[0], "2026/11/00/") {
		t.Fatalf("keys keep the prefix: %s", keys[0])
	}
	for i := 1; i < len(keys); i++ {
		if keys[i-1] >= keys[i] {
			t.Fatalf("keys out of order: %s then %s", keys[i-1], keys[i])
		}
	}
	if got := c.get("list"); got < 2 {
		t.Fatalf("%d list requests for %d objects, want at least 2 pages", got, n)
	}

	// Pages of two by token, then "directories" with a delimiter.
	page, next, err := b.ListPage(context.Background(), blob.FirstPageToken, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].Key != keys[0] || page[1].Key != keys[1] || len(next) == 0 {
		t.Fatalf("first page of 2: %+v, next %q", page, next)
	}
	page, _, err = b.ListPage(context.Background(), next, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 2 || page[0].Key != keys[2] || page[1].Key != keys[3] {
		t.Fatalf("second page of 2: %+v", page)
	}
	it = b.List(&blob.ListOptions{Delimiter: "/", Prefix: "2026/11/"})
	var dirs []string
	for {
		o, err := it.Next(context.Background())
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if !o.IsDir {
			t.Fatalf("%s listed as an object beside the directories", o.Key)
		}
		dirs = append(dirs, o.Key)
	}
	if strings.Join(dirs, " ") != "2026/11/00/ 2026/11/01/ 2026/11/02/" {
		t.Fatalf("directories: %q", dirs)
	}
}

func TestRead_wholeRangeAndAttributes(t *testing.T) {
	g := buckettest.StartGCS(t, "rec", nil)
	content := []byte("0123456789abcdefghij\n")
	g.Put("prod/a.jsonl", content)
	b := open(t, g.URL("prod/"))
	ctx := context.Background()

	all, err := b.ReadAll(ctx, "a.jsonl")
	if err != nil || !bytes.Equal(all, content) {
		t.Fatalf("ReadAll: %q, %v", all, err)
	}
	for _, tc := range []struct {
		off, n int64
		want   string
	}{
		{0, 5, "01234"},
		{10, 3, "abc"},
		{15, -1, "fghij\n"},
		{18, 100, "ij\n"},
		{0, 0, ""},
		{int64(len(content)), -1, ""},
		{100, 5, ""},
	} {
		r, err := b.NewRangeReader(ctx, "a.jsonl", tc.off, tc.n, nil)
		if err != nil {
			t.Fatalf("range %d+%d: %v", tc.off, tc.n, err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || string(got) != tc.want {
			t.Fatalf("range %d+%d: %q, %v; want %q", tc.off, tc.n, got, err, tc.want)
		}
		if r.Size() != int64(len(content)) {
			t.Fatalf("range %d+%d: reader size %d, want the object's %d", tc.off, tc.n, r.Size(), len(content))
		}
	}
	a, err := b.Attributes(ctx, "a.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if a.Size != int64(len(content)) || a.ContentType != "application/x-ndjson" || len(a.MD5) != 16 || a.ModTime.IsZero() || !strings.HasPrefix(a.ETag, `"`) {
		t.Fatalf("attributes: %+v", a)
	}
}

func TestWrite_oneRequestAndResumable(t *testing.T) {
	var c counter
	g := buckettest.StartGCS(t, "rec", c.wrap)
	b := open(t, g.URL("prod/"))
	ctx := context.Background()

	small := []byte(`{"received_at":"2026-11-30T00:00:00Z"}` + "\n")
	w, err := b.NewWriter(ctx, "2026/11/30/h-1.jsonl", &blob.WriterOptions{ContentType: "application/x-ndjson", Metadata: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(small)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	// Larger than the chunk: a resumable upload in four chunks and a last piece.
	large := bytes.Repeat([]byte("0123456789abcdef"), 65536+1) // 1 MiB + 16 B
	w, err = b.NewWriter(ctx, "2026/11/30/h-2.jsonl", &blob.WriterOptions{ContentType: "application/x-ndjson", BufferSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	for p := large; len(p) > 0; p = p[min(len(p), 10000):] { // written in pieces, as the spool does
		if _, err := w.Write(p[:min(len(p), 10000)]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	objs := g.Objects(t)
	if !bytes.Equal(objs["prod/2026/11/30/h-1.jsonl"], small) || !bytes.Equal(objs["prod/2026/11/30/h-2.jsonl"], large) {
		t.Fatalf("objects: %d keys; h-1 %q; h-2 %d bytes", len(objs), objs["prod/2026/11/30/h-1.jsonl"], len(objs["prod/2026/11/30/h-2.jsonl"]))
	}
	a, err := b.Attributes(ctx, "2026/11/30/h-1.jsonl")
	if err != nil || a.ContentType != "application/x-ndjson" || a.Metadata["k"] != "v" {
		t.Fatalf("attributes of the upload: %+v, %v", a, err)
	}
	if c.get("upload:multipart") != 1 || c.get("upload:resumable") != 1 || c.get("chunk") != 5 {
		t.Fatalf("uploads: %v, want one multipart, one resumable in 5 chunks", c.n)
	}

	if err := b.Delete(ctx, "2026/11/30/h-1.jsonl"); err != nil {
		t.Fatal(err)
	}
	if ok, err := b.Exists(ctx, "2026/11/30/h-1.jsonl"); ok || err != nil {
		t.Fatalf("after Delete: exists %v, %v", ok, err)
	}
}

// A write whose context ends before Close creates nothing, as the spool relies on.
func TestWrite_abortedCreatesNothing(t *testing.T) {
	g := buckettest.StartGCS(t, "rec", nil)
	b := open(t, g.URL(""))
	for _, size := range []int{100, 600 << 10} {
		ctx, cancel := context.WithCancel(context.Background())
		w, err := b.NewWriter(ctx, "k.jsonl", &blob.WriterOptions{ContentType: "application/x-ndjson", BufferSize: 256 << 10})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(bytes.Repeat([]byte("x"), size))
		cancel()
		if err := w.Close(); err == nil {
			t.Fatalf("%d bytes: Close after cancel succeeded", size)
		}
		if objs := g.Objects(t); len(objs) != 0 {
			t.Fatalf("%d bytes: an aborted write left %d objects", size, len(objs))
		}
	}
}

func TestErrors(t *testing.T) {
	var forbid atomic.Bool
	g := buckettest.StartGCS(t, "rec", func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if forbid.Load() {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				io.WriteString(w, `{"error":{"code":403,"message":"ciosim@example.iam.gserviceaccount.com does not have storage.objects.list access"}}`)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	ctx := context.Background()
	b := open(t, g.URL("prod/"))

	_, err := b.NewReader(ctx, "missing.jsonl", nil)
	if gcerrors.Code(err) != gcerrors.NotFound {
		t.Fatalf("missing object: %v (code %v), want NotFound", err, gcerrors.Code(err))
	}
	if _, err := b.Attributes(ctx, "missing.jsonl"); gcerrors.Code(err) != gcerrors.NotFound {
		t.Fatalf("attributes of a missing object: %v", err)
	}
	if err := b.Delete(ctx, "missing.jsonl"); gcerrors.Code(err) != gcerrors.NotFound {
		t.Fatalf("delete of a missing object: %v", err)
	}

	nb := open(t, "gs://no-such-bucket/prod/")
	if ok, err := nb.IsAccessible(ctx); ok || err != nil {
		t.Fatalf("missing bucket: accessible %v, %v; want false, nil", ok, err)
	}
	if _, _, err := nb.ListPage(ctx, blob.FirstPageToken, 10, nil); gcerrors.Code(err) != gcerrors.NotFound {
		t.Fatalf("list of a missing bucket: %v", err)
	}
	w, _ := nb.NewWriter(ctx, "a.jsonl", &blob.WriterOptions{ContentType: "application/x-ndjson"})
	w.Write([]byte("x\n"))
	if err := w.Close(); gcerrors.Code(err) != gcerrors.NotFound {
		t.Fatalf("upload to a missing bucket: %v (code %v)", err, gcerrors.Code(err))
	}

	forbid.Store(true)
	ok, err := b.IsAccessible(ctx)
	if ok || gcerrors.Code(err) != gcerrors.PermissionDenied || !strings.Contains(err.Error(), "storage.objects.list") {
		t.Fatalf("forbidden bucket: accessible %v, %v (code %v); want PermissionDenied with the server's reason", ok, err, gcerrors.Code(err))
	}
	forbid.Store(false)

	if err := b.Copy(ctx, "a", "b", nil); gcerrors.Code(err) != gcerrors.Unimplemented {
		t.Fatalf("Copy: %v", err)
	}
	if _, err := b.SignedURL(ctx, "a", nil); gcerrors.Code(err) != gcerrors.Unimplemented {
		t.Fatalf("SignedURL: %v", err)
	}
}

// Idempotent requests are tried again after a 503 or a dropped connection.
func TestRetry_transient(t *testing.T) {
	var fails atomic.Int32
	var drop atomic.Bool // alternate 503 with a dropped connection
	g := buckettest.StartGCS(t, "rec", func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && fails.Add(-1) >= 0 {
				if !drop.Load() || fails.Load()%2 == 0 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				hj, _ := w.(http.Hijacker)
				conn, _, _ := hj.Hijack()
				conn.Close()
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	g.Put("a.jsonl", []byte("line\n"))
	b := open(t, g.URL(""))
	ctx := context.Background()
	drop.Store(true)
	fails.Store(2)
	if ok, err := b.IsAccessible(ctx); !ok || err != nil {
		t.Fatalf("list after two failures: %v, %v", ok, err)
	}
	fails.Store(2)
	if got, err := b.ReadAll(ctx, "a.jsonl"); err != nil || string(got) != "line\n" {
		t.Fatalf("read after two failures: %q, %v", got, err)
	}
	drop.Store(false)
	fails.Store(100)
	if _, err := b.Attributes(ctx, "a.jsonl"); err == nil {
		t.Fatal("attributes succeeded against a server that always fails")
	}
	if left := fails.Load(); left != 95 {
		t.Fatalf("%d attempts, want 5", 100-left)
	}
}

func TestURL_parameters(t *testing.T) {
	buckettest.StartGCS(t, "rec", nil)
	ctx := context.Background()
	for _, ok := range []string{"gs://rec", "gs://rec/p/?anonymous=true", "gs://rec?access_id=-", "gs://rec?grpc=false"} {
		b, err := bucket.Open(ctx, ok)
		if err != nil {
			t.Errorf("%s: %v", ok, err)
			continue
		}
		if _, err := b.IsAccessible(ctx); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
		b.Close()
	}
	for u, want := range map[string]string{
		"gs://rec?grpc=true":                "grpc=true is not supported",
		"gs://rec?zonal=true":               "zonal=true is not supported",
		"gs://rec?private_key_path=/k.pem":  "signed URLs",
		"gs://rec?access_id=me@example.com": "signed URLs",
		"gs://rec?anonymous=maybe":          `invalid value "maybe"`,
		"gs://rec?region=eu":                `invalid query parameter "region"`,
		"gs://rec?universe_domain=a/b":      "universe_domain",
		"gs://?prefix=x":                    "names no bucket",
	} {
		_, err := bucket.Open(ctx, u)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error with %q", u, err, want)
		}
	}
}

// Without an emulator the driver authenticates with Application Default Credentials: here a
// service-account key whose token_uri is a local token server, so the bearer token it hands
// out must reach the storage server, and the key never appears in an error.
func TestADC_serviceAccount(t *testing.T) {
	t.Setenv(gsblob.EmulatorEnv, "")
	var tokens atomic.Int32
	tokenSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || r.Form.Get("assertion") == "" {
			http.Error(w, "bad grant", http.StatusBadRequest)
			return
		}
		tokens.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"ya29.test-token","token_type":"Bearer","expires_in":3600}`)
	}))
	defer tokenSrv.Close()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	cred, _ := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "p", "private_key_id": "k1", "private_key": string(pemKey),
		"client_email": "ciosim@p.iam.gserviceaccount.com", "client_id": "1", "token_uri": tokenSrv.URL,
	})
	credFile := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(credFile, cred, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", credFile)

	var auth atomic.Value
	auth.Store("")
	storageSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		if r.URL.Path != "/storage/v1/b/rec/o" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"kind":"storage#objects","items":[{"name":"a.jsonl","size":"2","updated":"2026-11-30T00:00:00Z"}]}`)
	}))
	defer storageSrv.Close()

	o := &gsblob.URLOpener{Endpoint: storageSrv.URL + "/storage/v1/"}
	u, _ := url.Parse("gs://rec")
	b, err := o.OpenBucketURL(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if ok, err := b.IsAccessible(context.Background()); !ok || err != nil {
		t.Fatalf("accessible %v, %v", ok, err)
	}
	if got := auth.Load().(string); got != "Bearer ya29.test-token" || tokens.Load() != 1 {
		t.Fatalf("Authorization %q after %d token requests; want the ADC token", got, tokens.Load())
	}

	// anonymous=true sends no credentials.
	u, _ = url.Parse("gs://rec?anonymous=true")
	b2, err := o.OpenBucketURL(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	if _, err := b2.IsAccessible(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := auth.Load().(string); got != "" {
		t.Fatalf("anonymous request carried Authorization %q", got)
	}

	// No credentials at all: a clear error that names the way out.
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", filepath.Join(t.TempDir(), "missing.json"))
	u, _ = url.Parse("gs://rec")
	_, err = o.OpenBucketURL(context.Background(), u)
	if err == nil || !strings.Contains(err.Error(), "Application Default Credentials") || strings.Contains(err.Error(), "PRIVATE KEY") {
		t.Fatalf("without credentials: %v", err)
	}
	if errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}

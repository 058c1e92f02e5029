package cmd

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ciosim/ciosim/bucket/buckettest"
)

// The recorder with --store says it is not ready once a closed segment has waited longer
// than --ready-upload-lag (the bucket refuses uploads), with the upload error, and ready
// again once the bucket takes the upload.
func TestRecord_readyzFollowsUploadLag(t *testing.T) {
	var failing atomic.Bool
	s3 := buckettest.Start(t, "recs", func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if failing.Load() && r.Method == http.MethodPut {
				http.Error(w, "<Error><Code>ServiceUnavailable</Code><Message>down for the test</Message></Error>", http.StatusServiceUnavailable)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	url, stop := startServer(t, nil, "record", "--listen", "127.0.0.1:0", "--dir", t.TempDir(),
		"--store", s3.URL("prod/"), "--store-host", "r1", "--segment-age", "200ms", "--ready-upload-lag", "1s")
	defer stop()
	readyz := func() (int, string) {
		t.Helper()
		resp, err := http.Get(url + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	waitFor := func(what string, ok func(code int, body string) bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			code, body := readyz()
			if ok(code, body) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: /readyz still %d %q", what, code, body)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	if code, body := readyz(); code != http.StatusOK {
		t.Fatalf("/readyz at start: %d %s", code, body)
	}
	failing.Store(true)
	body := genBodies(t, 1)[0]
	if code, err := postSigned(url+"/webhook", "", body); err != nil || code != http.StatusOK {
		t.Fatalf("capture: %d %v", code, err)
	}
	waitFor("bucket refusing uploads", func(code int, body string) bool {
		return code == http.StatusServiceUnavailable && strings.Contains(body, "not ready: upload lag") &&
			strings.Contains(body, "last upload error")
	})
	failing.Store(false)
	waitFor("bucket back", func(code int, _ string) bool { return code == http.StatusOK })
}

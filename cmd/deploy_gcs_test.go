package cmd

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ciosim/ciosim/bucket/buckettest"
	"github.com/ciosim/ciosim/customerio"
)

// `ciosim record --store gs://…` ships its segments to Cloud Storage (here fake-gcs-server
// through STORAGE_EMULATOR_HOST, gzip objects included), and `ciosim replay gs://rec/prod/`
// reads them back in received_at order, byte-exact; a missing bucket is an error naming it.
func TestRecord_storeGCSReplay(t *testing.T) {
	if testing.Short() {
		t.Skip("starts subprocesses")
	}
	var mu sync.Mutex
	lists := 0
	g := buckettest.StartGCS(t, "rec", func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/b/rec/o") {
				mu.Lock()
				lists++
				mu.Unlock()
			}
			h.ServeHTTP(w, r)
		})
	})
	// Objects outside the prefix are not replayed.
	g.Put("staging/2026/11/01/x-01KB0000000000000000000000.jsonl", []byte(`{"received_at":"2026-11-01T00:00:00Z","method":"POST","path":"/","query":"","headers":{},"body":{"x":1},"signature":"absent","redacted":false}`+"\n"))

	url := g.URL("prod/")
	p := startRecorderProc(t, nil, "--dir", t.TempDir(), "--store", url, "--store-host", "replica-a",
		"--segment-size", "8000", "--store-gzip=true")
	bodies := genBodies(t, 150)
	for _, b := range bodies {
		if code, err := postSigned(p.url, "", b); err != nil || code != 200 {
			t.Fatalf("post: %d %v", code, err)
		}
	}
	if code := p.term(t); code != 0 {
		t.Fatalf("SIGTERM drain exited %d, want 0: %s", code, p.stderr.String())
	}
	objs := g.Objects(t)
	shipped := 0
	for k := range objs {
		if strings.HasPrefix(k, "prod/") {
			if !strings.HasSuffix(k, ".jsonl.gz") {
				t.Fatalf("object %s: want PREFIX/YYYY/MM/DD/HOST-ULID.jsonl.gz", k)
			}
			shipped++
		}
	}
	if shipped < 2 {
		t.Fatalf("%d objects under prod/, want several segments", shipped)
	}

	var got []string
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, string(b))
		mu.Unlock()
		io.WriteString(w, `{"inletId":"x","xactionId":"1","receivedTimeMs":1}`)
	}))
	defer target.Close()
	mu.Lock()
	lists = 0
	mu.Unlock()
	var out, errb bytes.Buffer
	code := Main(context.Background(), []string{"replay", url, "--speed", "max", "--to", target.URL + "/collection/x"},
		Streams{In: strings.NewReader(""), Out: &out, Err: &errb}, func(string) string { return "" })
	if code != 0 {
		t.Fatalf("replay exited %d: %s", code, errb.String())
	}
	// One recorder posting one at a time: the bucket's order is the order posted.
	if len(got) != len(bodies) {
		t.Fatalf("replayed %d requests, want %d: %s", len(got), len(bodies), errb.String())
	}
	for i, b := range bodies {
		if got[i] != string(b) {
			t.Fatalf("request %d: event %s, want %s (received_at order, byte-exact)", i+1,
				customerio.FromBytes([]byte(got[i])).EventID, customerio.FromBytes(b).EventID)
		}
	}
	if lists == 0 {
		t.Fatal("replay did not list the bucket through the JSON API")
	}

	errb.Reset()
	code = Main(context.Background(), []string{"replay", "gs://no-such-bucket/prod/", "--speed", "max", "--to", target.URL + "/collection/x"},
		Streams{In: strings.NewReader(""), Out: &out, Err: &errb}, func(string) string { return "" })
	if code == 0 || !strings.Contains(errb.String(), "404") {
		t.Fatalf("replay of a missing bucket exited %d: %s", code, errb.String())
	}
}

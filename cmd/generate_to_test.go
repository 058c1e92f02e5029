package cmd

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
)

func TestGenerateTo_firesEveryEventSigned(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Query().Get("x-adobe-flow-id") != "flow-1" || r.URL.Path != "/collection/inlet-1" {
			t.Errorf("request to %s", r.URL)
		}
		err := customerio.Verify([]byte("k3y"), r.Header.Get(customerio.HeaderTimestamp), r.Header.Get(customerio.HeaderSignature), b,
			customerio.VerifyOptions{Now: time.Now, Tolerance: time.Hour})
		if err != nil {
			t.Errorf("signature: %v", err)
		}
		bodies = append(bodies, string(b))
		if len(bodies) == 3 {
			w.WriteHeader(http.StatusBadRequest) // not retried: the event fails
			io.WriteString(w, `{"message":"bad event"}`)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "fired.jsonl")
	env := map[string]string{"CIOSIM_SIGNING_KEY": "k3y"}
	code, stdout, stderr := run(t, env, "", "generate", "--scenario", "smoke", "--to", srv.URL+"/collection/inlet-1", "--flow-id", "flow-1", "--out", out,
		"--journal", filepath.Join(t.TempDir(), "generate.journal.jsonl"))
	if code != 1 {
		t.Fatalf("exit %d, want 1 (one event refused); stderr: %s", code, stderr)
	}
	if stdout != "" || !strings.Contains(stderr, "fired 69 events") || !strings.Contains(stderr, "delivered      68") ||
		!strings.Contains(stderr, "failed         1") || !strings.Contains(stderr, "generated:3 HTTP 400: aep: HTTP 400 Bad Request: bad event") {
		t.Fatalf("stdout %q stderr %s", stdout, stderr)
	}
	if strings.Contains(stderr, "k3y") {
		t.Fatal("signing key printed")
	}
	written, _ := os.ReadFile(out)
	if got := strings.Join(bodies, "\n") + "\n"; got != string(written) {
		t.Fatal("the bodies fired differ from the events written")
	}
	_, want, _ := run(t, nil, "", "generate", "--scenario", "smoke")
	if string(written) != want {
		t.Fatal("firing changed the generated events")
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--to", srv.URL}, "--to needs --flow-id"},
		{[]string{"--to", "ftp://x", "--flow-id", "f"}, "want an inlet URL"},
		{[]string{"--flow-id", "f"}, "--flow-id needs --to"},
		{[]string{"--to", srv.URL, "--flow-id", "f", "--check", "x.jsonl"}, "cannot be combined"},
	} {
		code, _, stderr := run(t, nil, "", append([]string{"generate", "--scenario", "smoke"}, tt.args...)...)
		if code != 2 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d %s", tt.args, code, stderr)
		}
	}
}

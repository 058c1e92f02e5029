package wiring

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/internal/ops"
)

func TestRecordReady(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "recs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	stats := ops.SpoolStats{}
	lastErr := ""
	spool := func() (ops.SpoolStats, string) { return stats, lastErr }
	ready := recordReady(dir, spool, 5*time.Minute, clock)
	h := ops.Handler(http.NotFoundHandler(), nil, ready)
	readyz := func() (int, string) {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, ops.ReadyPath, nil))
		b, _ := io.ReadAll(rec.Body)
		return rec.Code, string(b)
	}
	if code, body := readyz(); code != http.StatusOK {
		t.Fatalf("fresh store: %d %s", code, body)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("the probe left %v in the store", ents)
	}

	// The verdict is reused for a second, then looked at again.
	os.RemoveAll(dir)
	if code, _ := readyz(); code != http.StatusOK {
		t.Errorf("verdict not reused within a second: %d", code)
	}
	now = now.Add(time.Second)
	if code, body := readyz(); code != http.StatusServiceUnavailable || !strings.Contains(body, "not ready: store directory") {
		t.Errorf("store directory removed: %d %q, want 503 naming the store directory", code, body)
	}
	os.WriteFile(dir, []byte("x"), 0o644) // a file where the directory was
	now = now.Add(time.Second)
	if code, body := readyz(); code != http.StatusServiceUnavailable || !strings.Contains(body, "is not a directory") {
		t.Errorf("store is a file: %d %q", code, body)
	}
	os.Remove(dir)
	os.Mkdir(dir, 0o755)

	// Upload lag: under the bound ready, at it not, with the last upload error.
	stats = ops.SpoolStats{Segments: 2, Bytes: 4096, OldestClosed: now.Add(-4 * time.Minute)}
	now = now.Add(time.Second)
	if code, body := readyz(); code != http.StatusOK {
		t.Errorf("upload lag under the bound: %d %s", code, body)
	}
	lastErr = "blob (key \"p/x.jsonl\"): connection refused"
	now = now.Add(time.Minute)
	code, body := readyz()
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "upload lag 5m1s is over 5m0s (2 segments, 4096 bytes wait in the spool); last upload error: blob") {
		t.Errorf("upload lag over the bound: %d %q", code, body)
	}
}

func TestServeReady(t *testing.T) {
	mapper := emulator.MapperFunc(func(b []byte) ([]byte, []string, error) { return b, nil, nil })
	flows, err := emulator.NewStaticFlows(emulator.Flow{ID: "f1", Mapper: mapper})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		fallback emulator.Mapper
		want     bool
		ids      []string
		err      string
	}{
		{"mapping loaded", mapper, true, nil, ""},
		{"flows loaded", mapper, true, []string{"f1"}, ""},
		{"no mapping", nil, true, nil, "no mapping set loaded"},
		{"--no-mapping", nil, false, nil, ""},
		{"a flow missing", mapper, true, []string{"f1", "f2"}, "flows not loaded: [f2]"},
	}
	for _, tt := range tests {
		err := serveReady(tt.fallback, tt.want, flows, tt.ids)()
		if (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.err)
		}
	}
}

package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/recordings"
)

// TestRedactScan records real-looking traffic, checks scan finds personal data in it,
// redacts it with `ciosim redact`, and checks scan passes the result, the signature is
// dropped, and the same person maps to the same stand-in across two files.
func TestRedactScan(t *testing.T) {
	dir := t.TempDir()
	url, _, stop := startRecord(t, map[string]string{"CIOSIM_SIGNING_KEY": "k"}, "--dir", dir)
	bodies := genBodies(t, 69)
	for _, b := range bodies {
		if code, err := postSigned(url, "k", b); err != nil || code != 200 {
			t.Fatal(code, err)
		}
	}
	stop()
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	code, out, _ := run(t, nil, "", append([]string{"scan"}, files...)...)
	if code != ExitFailure || !strings.Contains(out, "email") || strings.Count(out, "\n") < 10 {
		t.Fatalf("scan of raw captures: exit %d, findings:\n%s", code, out)
	}

	env := map[string]string{"CIOSIM_REDACT_KEY": "local-key-0123456789"}
	red := filepath.Join(t.TempDir(), "red.jsonl")
	if code, _, stderr := run(t, env, "", "redact", files[0], "--out", red); code != 0 {
		t.Fatalf("redact exit %d: %s", code, stderr)
	}
	if code, out, _ := run(t, nil, "", "scan", red); code != 0 {
		t.Errorf("scan of redacted output: exit %d:\n%s", code, out)
	}
	raw, _ := os.ReadFile(red)
	if bytes.Contains(raw, []byte("local-key")) || bytes.Contains(raw, []byte("X-Cio-Signature")) {
		t.Errorf("key or stale signature in redacted file")
	}
	rd := recordings.NewReader(bytes.NewReader(raw), red)
	n := 0
	for {
		rec, err := rd.Next()
		if err != nil {
			break
		}
		n++
		if !rec.Capture.Redacted || rec.Capture.Signature != recordings.SignatureValid {
			t.Errorf("line %d: redacted %v signature %s", rec.Line, rec.Capture.Redacted, rec.Capture.Signature)
		}
	}
	if n != len(bodies) {
		t.Errorf("redacted %d, want %d", n, len(bodies))
	}

	// Stable across files: the same event redacted from stdin as a bare event gives the
	// same body as inside the capture file.
	_, bare, _ := run(t, env, string(bodies[0])+"\n", "redact")
	first, _ := recordings.NewReader(bytes.NewReader(raw), red).Next()
	if strings.TrimSpace(bare) != string(first.Body) {
		t.Errorf("same event redacted differently:\n%s\n%s", bare, first.Body)
	}
	ev, _ := customerio.Parse([]byte(strings.TrimSpace(bare)))
	if err := ev.Validate(); err != nil {
		t.Errorf("redacted event invalid: %v", err)
	}

	// Redacting a redacted file changes nothing.
	_, again, _ := run(t, env, "", "redact", red)
	if again != string(raw) {
		t.Errorf("redacting twice changed the file")
	}
	if code, _, stderr := run(t, nil, "", "redact", red); code != ExitUsage || !strings.Contains(stderr, "CIOSIM_REDACT_KEY") {
		t.Errorf("missing key: exit %d %q", code, stderr)
	}
	short := map[string]string{"CIOSIM_REDACT_KEY": "short-key"}
	if code, _, stderr := run(t, short, "", "redact", red); code != ExitUsage || !strings.Contains(stderr, "shorter than 16 bytes") || strings.Contains(stderr, "short-key") {
		t.Errorf("short key: exit %d %q", code, stderr)
	}
	if code, _, stderr := run(t, short, "", "record", "--redact", "--dir", t.TempDir()); code != ExitUsage || !strings.Contains(stderr, "shorter than 16 bytes") {
		t.Errorf("record with a short key: exit %d %q", code, stderr)
	}
}

func TestRecord_redact(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CIOSIM_SIGNING_KEY": "k", "CIOSIM_REDACT_KEY": "record-redact-key-0123"}
	url, out, stop := startRecord(t, env, "--dir", dir, "--redact")
	for _, b := range genBodies(t, 20) {
		if code, err := postSigned(url, "k", b); err != nil || code != 200 {
			t.Fatal(code, err)
		}
	}
	stop()
	files, _ := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if code, found, _ := run(t, nil, "", append([]string{"scan"}, files...)...); code != 0 {
		t.Errorf("personal data stored despite --redact:\n%s", found)
	}
	raw, _ := os.ReadFile(files[0])
	if bytes.Contains(raw, []byte("rk")) && bytes.Contains(raw, []byte(`"rk"`)) || bytes.Contains(raw, []byte("X-Cio-Signature")) {
		t.Errorf("key or signature stored")
	}
	if strings.Count(out.String(), "redacted") != 20 || strings.Count(out.String(), " valid ") != 20 {
		t.Errorf("live lines:\n%s", out)
	}
}

// TestScan_reportsSecretsInCaptures: a capture holding a credential in its query string or
// headers (an old recording, or one edited by hand) is reported by scan.
func TestScan_reportsSecretsInCaptures(t *testing.T) {
	f := filepath.Join(t.TempDir(), "old.jsonl")
	line := `{"received_at":"2026-11-29T04:00:00Z","method":"POST","path":"/","query":"token=tok12345678","headers":{"X-Hook-Key":"hk-123456"},"body":{"event_id":"e1","object_type":"email","metric":"sent","timestamp":1,"data":{}},"signature":"absent","redacted":false}` + "\n"
	must(t, os.WriteFile(f, []byte(line), 0o644))
	code, out, _ := run(t, nil, "", "scan", f)
	if code != ExitFailure || !strings.Contains(out, "query.token: secret") || !strings.Contains(out, "headers.X-Hook-Key: secret") ||
		strings.Contains(out, "tok12345678") || strings.Contains(out, "hk-123456") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

func TestBytes_updateRewritesOnlyUnderTheFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := string(Bytes(t, path, []byte("new"))); got != "old" {
		t.Fatalf("without -update: %q", got)
	}
	if err := flag.Set("update", "true"); err != nil {
		t.Fatal(err)
	}
	defer flag.Set("update", "false")
	if !Update() {
		t.Fatal("Update() = false under -update")
	}
	if got := string(Bytes(t, path, []byte("new"))); got != "new" {
		t.Fatalf("with -update: %q", got)
	}
}

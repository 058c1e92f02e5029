package sharedtest

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestFind(t *testing.T) {
	if _, err := find("no/such/file.json"); err == nil {
		t.Fatal("found a missing file")
	}
}

// TestPath_failsUnderCI runs a missing-file lookup in a child test process with and
// without CI=true: it must fail under CI and skip otherwise.
func TestPath_failsUnderCI(t *testing.T) {
	if os.Getenv("SHAREDTEST_CHILD") == "1" {
		Path(t, "no/such/file.json")
		return
	}
	for ci, want := range map[string]string{"true": "--- FAIL", "": "--- SKIP"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestPath_failsUnderCI$", "-test.v")
		cmd.Env = append(os.Environ(), "SHAREDTEST_CHILD=1", "CI="+ci)
		out, _ := cmd.CombinedOutput()
		if !strings.Contains(string(out), want) {
			t.Errorf("CI=%q: want %s in:\n%s", ci, want, out)
		}
	}
}

// TestNoDirectSharedPaths keeps every test that reads ../shared on Path, so none can skip
// silently under CI.
func TestNoDirectSharedPaths(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, "_test.go") || strings.Contains(p, "sharedtest") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), `"../../shared/`) || strings.Contains(string(b), `"../shared/`) {
			t.Errorf("%s reads ../shared directly; use sharedtest.Path", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

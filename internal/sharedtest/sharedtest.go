// Package sharedtest gives tests the project's shared reference files: the official XDM
// schemas and samples in ../shared (a sibling of the repository root, never copied into
// it). A test that needs them skips when they are missing on a developer's machine and
// FAILS under CI (CI=true), so CI can never pass without running it.
package sharedtest

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Path returns the absolute path of rel inside ../shared (for example
// "xdm/derived/experienceevent-messaging.compat.schema.json"), or ends the test as above.
func Path(tb testing.TB, rel string) string {
	tb.Helper()
	p, err := find(rel)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("sharedtest: %v (CI=true: tests that need ../shared must run)", err)
	}
	tb.Skipf("sharedtest: %v", err)
	return ""
}

// find locates ../shared/rel from the module root above the working directory.
func find(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
	p := filepath.Join(filepath.Dir(dir), "shared", rel)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("shared reference file not available: %w", err)
	}
	return p, nil
}

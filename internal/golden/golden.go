// Package golden is ciosim's one way to test against golden files, with one -update flag:
// `go test ./pkg -update` (or scripts/update-goldens.sh for every package) rewrites them.
//
// The flag is the one github.com/charmbracelet/x/exp/golden registers (teatest imports that
// package too, so a second flag of the same name would panic); this package reads it.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	xgolden "github.com/charmbracelet/x/exp/golden"
)

// Update reports whether the test binary runs with -update.
func Update() bool {
	f := flag.Lookup("update")
	if f == nil {
		return false
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return false
	}
	b, _ := g.Get().(bool)
	return b
}

// RequireEqual compares out with testdata/<test name>.golden, escaping control codes and
// terminal sequences so the diff is readable (TUI views, command output).
func RequireEqual[T []byte | string](tb testing.TB, out T) {
	tb.Helper()
	xgolden.RequireEqual(tb, out)
}

// Bytes returns the committed contents of the golden file at path (relative to the test's
// package), first rewriting it with got under -update. Callers compare byte for byte or
// with a diff of their own.
func Bytes(tb testing.TB, path string, got []byte) []byte {
	tb.Helper()
	if Update() {
		if old, err := os.ReadFile(path); err != nil || !bytes.Equal(old, got) {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				tb.Fatal(err)
			}
			if err := os.WriteFile(path, got, 0o644); err != nil {
				tb.Fatal(err)
			}
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("golden: %v (rewrite with: go test -update, or scripts/update-goldens.sh)", err)
	}
	return want
}

// Equal fails tb when got differs from the golden file at path.
func Equal(tb testing.TB, path string, got []byte) {
	tb.Helper()
	if want := Bytes(tb, path, got); !bytes.Equal(got, want) {
		tb.Errorf("%s differs (rewrite with -update if the change is intended):\n got: %s\nwant: %s", path, got, want)
	}
}

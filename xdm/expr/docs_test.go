package expr

import (
	"os"
	"strings"
	"testing"
)

// TestDocsConformanceTable: docs/transform.md's conformance table names every function the
// registry knows, implemented or not.
func TestDocsConformanceTable(t *testing.T) {
	b, err := os.ReadFile("../../docs/transform.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i := strings.Index(doc, "### Conformance with Adobe's function reference")
	if i < 0 {
		t.Fatal("no conformance section")
	}
	table := doc[i:]
	r := DefaultRegistry()
	for _, f := range append(r.Functions(), r.Unsupported()...) {
		if strings.HasPrefix(f, "aa_") {
			f = "aa_*"
		}
		if !strings.Contains(table, f) {
			t.Errorf("docs/transform.md's conformance table does not name %s", f)
		}
	}
}

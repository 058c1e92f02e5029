package source

import (
	"fmt"
	"strings"
)

// isURL reports whether a watched entry is a URL (a bucket) rather than a folder.
func isURL(d string) bool { return strings.Contains(d, "://") }

// bucketRows lists a bucket: its URL, one loadable row for all its segments merged in
// received_at order, and a note that it is listed once (no watcher follows a bucket;
// loading it reads it afresh).
func (m *Model) bucketRows(f File) {
	m.rows = append(m.rows, row{kind: KindNote, text: f.Path, depth: 0})
	name := "all segments, merged"
	if f.Segments > 0 {
		name = fmt.Sprintf("%d segments, merged", f.Segments)
	}
	text := fmt.Sprintf(" %d ev", f.Records)
	if f.Skipped > 0 {
		text += fmt.Sprintf(" %d bad", f.Skipped)
	}
	if f.Err != "" {
		text = " ! " + f.Err
	}
	m.rows = append(m.rows, row{kind: KindFile, name: name, text: text, depth: 1, sel: Selection{Kind: KindFile, Path: f.Path}},
		row{kind: KindNote, text: "bucket: listed once at start, not watched; loading reads it afresh", depth: 2})
}

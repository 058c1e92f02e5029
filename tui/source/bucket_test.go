package source

import (
	"strings"
	"testing"
)

// A bucket URL is shown as listing until its listing arrives, then as one loadable row
// counting its segments and events, with a note that it is listed once.
func TestBucketRows(t *testing.T) {
	const url = "s3://rec/prod"
	m := New(nil, []string{url})
	m.SetSize(80, 40)
	if v := m.View(); !strings.Contains(v, url) || !strings.Contains(v, "listing…") {
		t.Errorf("before listing:\n%s", v)
	}
	m.SetFile(File{Path: url, Bucket: true, Segments: 4, Records: 3, Skipped: 1})
	v := m.View()
	for _, want := range []string{"4 segments, merged 3 ev 1 bad", "bucket: listed once at start, not watched"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	m.SelectFile(url)
	if s := m.Selected(); s.Kind != KindFile || s.Path != url {
		t.Errorf("selected %+v, want the bucket row", s)
	}
}

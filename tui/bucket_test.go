package tui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A bucket URL among the watched entries is listed (in a command, at Init) as one row for
// all its segments with their count, is marked as listed once, and loads through
// OpenRecords like a file; a folder beside it is listed as before.
func TestModel_bucketListedOnceAndLoads(t *testing.T) {
	dir := t.TempDir()
	merged := filepath.Join(t.TempDir(), "merged.jsonl") // what the bucket reads as, merged
	writeRecording(t, merged, 3, time.Second)
	const url = "mem://recordings/prod"
	deps := testDeps(&fakeSender{})
	var opened []string
	deps.OpenRecords = func(path string) RecordSource {
		opened = append(opened, path)
		if path == url {
			return openRecords(merged)
		}
		return openRecords(path)
	}
	deps.Segments = func(_ context.Context, u string) (int, error) {
		if u != url {
			t.Errorf("segments counted for %q", u)
		}
		return 4, nil
	}
	h := newHarness(t, deps, Options{Seed: 1, WatchDirs: []string{dir, url}}, 120, 50)
	files := h.m.Files()
	if len(files) != 1 || files[0].Path != url || !files[0].Bucket || files[0].Segments != 4 || files[0].Records != 3 {
		t.Fatalf("files = %+v, want the bucket with 3 records in 4 segments", files)
	}
	v := h.m.View()
	for _, want := range []string{url, "merged 3 ev", "bucket: listed once", "(empty)"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	h.m.source.SelectFile(url)
	opened = nil
	h.keys("g")
	if n := len(h.m.Events()); n != 3 {
		t.Fatalf("loaded %d events, want 3", n)
	}
	if len(opened) != 1 || opened[0] != url {
		t.Errorf("opened %v, want the bucket URL once", opened)
	}
}

// A bucket that cannot be listed says why on its row; without a segment counter the row
// still loads, with the count left out.
func TestModel_bucketErrors(t *testing.T) {
	merged := filepath.Join(t.TempDir(), "merged.jsonl")
	writeRecording(t, merged, 2, time.Second)
	deps := testDeps(&fakeSender{})
	deps.OpenRecords = func(string) RecordSource { return openRecords(merged) }
	deps.Segments = func(context.Context, string) (int, error) { return 0, errors.New("list: access denied") }
	h := newHarness(t, deps, Options{Seed: 1, WatchDirs: []string{"s3://b/p"}}, 120, 50)
	if v := h.m.View(); !strings.Contains(v, "! list: acce") {
		t.Errorf("view lacks the listing error:\n%s", v)
	}
	deps.Segments = nil
	h = newHarness(t, deps, Options{Seed: 1, WatchDirs: []string{"s3://b/p"}}, 120, 50)
	if v := h.m.View(); !strings.Contains(v, "all …nts, merged 2 ev") {
		t.Errorf("view lacks the uncounted row:\n%s", v)
	}
}

// A replay of a bucket is labelled with its prefix, not the driver parameters.
func TestShortPath_bucketURL(t *testing.T) {
	for in, want := range map[string]string{
		"s3://rec/prod/?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=us-east-1": "prod",
		"file:///tmp/bucket":              "bucket",
		"/tmp/recordings/capture-1.jsonl": "capture-1.jsonl",
		"/tmp/odd?name.jsonl":             "odd?name.jsonl",
	} {
		if got := shortPath(in); got != want {
			t.Errorf("shortPath(%q) = %q, want %q", in, got, want)
		}
	}
}

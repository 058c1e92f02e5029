package bucket_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"

	"github.com/ciosim/ciosim/bucket"
	"github.com/ciosim/ciosim/bucket/buckettest"
	"github.com/ciosim/ciosim/recordings"
)

// Two replicas ship interleaved segments through real spools to a real S3 server; the
// merged stream is the union of their captures in received_at order, byte-exact, and the
// tolerant recordings reader reads every line.
func TestMerge_S3ReplicasInReceivedAtOrder(t *testing.T) {
	buckettest.SetEnv(t)
	srv := buckettest.Start(t, "rec", nil)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	type rc struct {
		at   time.Time
		line string
	}
	var all []rc
	for r, host := range []string{"replica-a", "replica-b"} {
		b, err := bucket.Open(ctx, srv.URL("prod/"))
		if err != nil {
			t.Fatal(err)
		}
		s, err := bucket.OpenSpool(ctx, t.TempDir(), b, bucket.SpoolOptions{Host: host, SegmentBytes: 3000, Gzip: r == 1})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 100 {
			at := t0.Add(time.Duration(rng.IntN(10_000)) * time.Millisecond)
			c := capture(r*1000+i, at)
			if _, err := s.Append(c); err != nil {
				t.Fatal(err)
			}
			all = append(all, rc{at, line(t, c)})
		}
		if err := s.Close(ctx); err != nil {
			t.Fatal(err)
		}
		b.Close()
	}
	slices.SortStableFunc(all, func(a, b rc) int { return a.at.Compare(b.at) })

	b, err := bucket.Open(ctx, srv.URL("prod"))
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	m, err := bucket.Merge(ctx, b, bucket.MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	got, err := io.ReadAll(m)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(got), "\n")
	lines = lines[:len(lines)-1]
	if len(lines) != len(all) {
		t.Fatalf("merged %d lines, want %d", len(lines), len(all))
	}
	var prev time.Time
	want := map[string]bool{}
	for _, a := range all {
		want[a.line] = true
	}
	for i, l := range lines {
		at, ok := bucket.ReceivedAt([]byte(l))
		if !ok || at.Before(prev) {
			t.Fatalf("line %d out of received_at order: %s after %s", i+1, at, prev)
		}
		prev = at
		if !want[l] {
			t.Fatalf("line %d is not byte-identical to any capture: %s", i+1, l)
		}
		delete(want, l)
	}
	rd := recordings.NewReader(bytes.NewReader(got), "s3")
	n := 0
	for {
		_, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 200 {
		t.Errorf("recordings reader read %d records, want 200", n)
	}
	if m.Objects() < 10 {
		t.Errorf("objects opened = %d, want the many segments of both replicas", m.Objects())
	}
}

// Objects are opened only when their first capture may come next: a long run of
// consecutive segments never has more than the overlapping ones open.
func TestMerge_opensObjectsLazily(t *testing.T) {
	ctx := context.Background()
	b := memblob.OpenBucket(nil)
	s, err := bucket.OpenSpool(ctx, t.TempDir(), b, bucket.SpoolOptions{Host: "h", SegmentBytes: 1})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 50 { // one capture per segment, one segment per object
		if _, err := s.Append(capture(i, t0.Add(time.Duration(i)*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := bucket.Merge(ctx, b, bucket.MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for i := range 50 {
		_, _, err := m.NextLine()
		if err != nil {
			t.Fatal(err)
		}
		if m.Objects() > i+2 {
			t.Fatalf("after line %d, %d objects opened: want at most %d", i+1, m.Objects(), i+2)
		}
	}
	if _, _, err := m.NextLine(); err != io.EOF {
		t.Fatalf("after the last line: %v, want EOF", err)
	}
}

// Objects not written by the recorder: any key ending .jsonl or .jsonl.gz is merged (bare
// events keep their object's order), other keys are reported and skipped.
func TestMerge_foreignObjects(t *testing.T) {
	ctx := context.Background()
	b := memblob.OpenBucket(nil)
	put := func(key string, data []byte) {
		if err := b.WriteAll(ctx, key, data, nil); err != nil {
			t.Fatal(err)
		}
	}
	put("a/events.jsonl", []byte("{\"event_id\":\"1\"}\n\n{\"event_id\":\"2\"}")) // no final newline
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"received_at":"2026-11-30T00:00:01Z","body":{}}` + "\n"))
	zw.Close()
	put("b/caps.jsonl.gz", gz.Bytes())
	put("c/readme.txt", []byte("not a recording"))
	var skipped []string
	m, err := bucket.Merge(ctx, b, bucket.MergeOptions{OnSkip: func(k string) { skipped = append(skipped, k) }})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(m)
	if err != nil {
		t.Fatal(err)
	}
	want := "{\"event_id\":\"1\"}\n{\"event_id\":\"2\"}\n" + `{"received_at":"2026-11-30T00:00:01Z","body":{}}` + "\n"
	if string(got) != want {
		t.Errorf("merged =\n%s\nwant\n%s", got, want)
	}
	if !slices.Equal(skipped, []string{"c/readme.txt"}) {
		t.Errorf("skipped = %v", skipped)
	}
}

func TestOpen_URLs(t *testing.T) {
	ctx := context.Background()
	for _, bad := range []string{"ftp://x", "s3://user:pass@b", "s3://b/p?prefix=q", "relative/path"} {
		if b, err := bucket.Open(ctx, bad); err == nil {
			b.Close()
			t.Errorf("Open(%q) succeeded", bad)
		} else if strings.Contains(err.Error(), "pass@") {
			t.Errorf("Open(%q) error leaks the credentials: %v", bad, err)
		}
	}
	for _, s := range []string{"s3://b", "gs://b/p", "azblob://c", "file:///tmp", "mem://"} {
		if !bucket.IsURL(s) {
			t.Errorf("IsURL(%q) = false", s)
		}
	}
	for _, s := range []string{"recordings/", "-", "C:\\x", "http://x"} {
		if bucket.IsURL(s) {
			t.Errorf("IsURL(%q) = true", s)
		}
	}
	dir := t.TempDir()
	b, err := bucket.Open(ctx, "file://"+dir+"?prefix=p/")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.WriteAll(ctx, "k.jsonl", []byte("x"), nil); err != nil {
		t.Fatal(err)
	}
	var _ *blob.Bucket = b
}

func FuzzReceivedAt(f *testing.F) {
	f.Add([]byte(`{"received_at":"2026-11-30T23:59:59.123456789Z","body":{}}`))
	f.Add([]byte(`{"body":{},"received_at":"2026-11-30T23:59:59+01:00"}`))
	f.Add([]byte(`{"received_at":"","body":{}}`))
	f.Add([]byte(`{"event_id":"x"}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		got, ok := bucket.ReceivedAt(line)
		// Whenever the fast path answers, encoding/json must agree on the instant.
		var probe struct {
			ReceivedAt *time.Time `json:"received_at"`
		}
		// (A line naming received_at twice is not what the store writes; JSON takes the last.)
		if ok && json.Valid(line) && bytes.Count(line, []byte(`"received_at"`)) == 1 {
			if err := json.Unmarshal(line, &probe); err == nil && probe.ReceivedAt != nil && !probe.ReceivedAt.Equal(got) {
				t.Fatalf("ReceivedAt = %v, encoding/json = %v", got, *probe.ReceivedAt)
			}
		}
	})
}

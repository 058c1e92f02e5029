package wiring

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A bucket URL is one input: ExpandInputs keeps it, FileSource reads every recording object
// under it merged by received_at, and objects that are not recordings are reported.
func TestFileSource_bucketURL(t *testing.T) {
	root := t.TempDir()
	write := func(key, data string) {
		p := filepath.Join(root, key)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	line := func(at, id string) string {
		return `{"received_at":"` + at + `","method":"POST","path":"/","query":"","headers":{},"body":{"event_id":"` + id + `"},"signature":"absent","redacted":false}` + "\n"
	}
	write("2026/11/30/a-01KB0000000000000000000000.jsonl", line("2026-11-30T00:00:01Z", "a1")+line("2026-11-30T00:00:03Z", "a3"))
	write("2026/11/30/b-01KB0000000000000000000001.jsonl", line("2026-11-30T00:00:02Z", "b2"))
	write("notes.txt", "x")
	url := "file://" + root
	files, _, err := ExpandInputs("", []string{url}, nil)
	if err != nil || len(files) != 1 || files[0] != url {
		t.Fatalf("ExpandInputs = %v, %v", files, err)
	}
	var warned []string
	src := NewFileSource(files, nil)
	src.Warn = func(s string) { warned = append(warned, s) }
	defer src.Close()
	var ids []string
	for {
		rec, err := src.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.Event.EventID)
	}
	if strings.Join(ids, ",") != "a1,b2,a3" {
		t.Errorf("records = %v, want a1,b2,a3 (received_at order across objects)", ids)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "notes.txt") {
		t.Errorf("warnings = %v", warned)
	}
}

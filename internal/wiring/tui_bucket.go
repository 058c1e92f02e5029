package wiring

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/ciosim/ciosim/bucket"
)

// CountSegments counts the recording objects (.jsonl, .jsonl.gz) under a bucket URL: the
// segments the TUI's file list reads merged for that URL ([tui.Deps.Segments]).
func CountSegments(ctx context.Context, url string) (int, error) {
	b, err := bucket.Open(ctx, url)
	if err != nil {
		return 0, fmt.Errorf("list: %w", err)
	}
	defer b.Close()
	it := b.List(nil)
	n := 0
	for {
		o, err := it.Next(ctx)
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("list %s: %w", url, err)
		}
		if !o.IsDir && (strings.HasSuffix(o.Key, ".jsonl") || strings.HasSuffix(o.Key, ".jsonl.gz")) {
			n++
		}
	}
}

// LocalDirs returns the watched entries that are folders, not bucket URLs: the ones the
// folder watcher follows and that the TUI may write into.
func LocalDirs(watch []string) []string {
	var out []string
	for _, d := range watch {
		if !bucket.IsURL(d) {
			out = append(out, d)
		}
	}
	return out
}

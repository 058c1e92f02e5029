package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ciosim/ciosim/bucket"
)

// openInput opens a named input: a bucket URL (every recording object under it, merged in
// received_at order and streamed) or a local file.
func (a *app) openInput(name string) (io.ReadCloser, error) {
	if !bucket.IsURL(name) {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("open input: %w", err)
		}
		return f, nil
	}
	b, err := bucket.Open(a.ctx, name)
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	m, err := bucket.Merge(a.ctx, b, bucket.MergeOptions{OnSkip: func(key string) {
		fmt.Fprintf(a.s.Err, "ciosim: %s: skipped %s (not .jsonl or .jsonl.gz)\n", name, key)
	}})
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("open input: %w", err)
	}
	return &mergedInput{Merged: m, b: b}, nil
}

// mergedInput closes the merged reader and its bucket together.
type mergedInput struct {
	*bucket.Merged
	b interface{ Close() error }
}

func (m *mergedInput) Close() error { return errors.Join(m.Merged.Close(), m.b.Close()) }

package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ciosim/ciosim/bucket"
)

// OpenBucket opens a bucket URL as one input: every recording object under it, streamed and
// merged in received_at order ([bucket.Merge]). warn, when set, is told about objects that
// are not recordings. The caller must Close the reader.
func OpenBucket(ctx context.Context, url string, warn func(string)) (io.ReadCloser, error) {
	b, err := bucket.Open(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open input: %w", err)
	}
	m, err := bucket.Merge(ctx, b, bucket.MergeOptions{OnSkip: func(key string) {
		if warn != nil {
			warn(fmt.Sprintf("%s: skipped %s (not .jsonl or .jsonl.gz)", url, key))
		}
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
	b io.Closer
}

func (m *mergedInput) Close() error { return errors.Join(m.Merged.Close(), m.b.Close()) }

package tui

import (
	"context"

	"github.com/ciosim/ciosim/bucket"
	"github.com/ciosim/ciosim/tui/source"
)

// isBucket reports whether a watched entry is a bucket URL (s3://, gs://, azblob://, file://,
// mem://) rather than a folder: it is listed as one row, every recording object under it
// read merged in received_at order through OpenRecords, and no watcher follows it.
func isBucket(dir string) bool { return bucket.IsURL(dir) }

// listBucket lists a bucket in a command: the segments under it (counted by segments when
// set) and their events, read merged through open like `ciosim replay URL` reads them.
func listBucket(ctx context.Context, open OpenRecords, segments SegmentCounter, url string) source.File {
	f, _ := readEvents(ctx, open, url)
	f.Bucket = true
	if segments != nil && f.Err == "" {
		n, err := segments(ctx, url)
		if err != nil {
			f.Err = err.Error()
		}
		f.Segments = n
	}
	return f
}

// SegmentCounter counts the recording objects (segments) under a bucket URL.
type SegmentCounter func(ctx context.Context, url string) (int, error)

// Package bucket keeps recordings in object storage through gocloud.dev/blob: S3 and
// S3-compatible stores, Google Cloud Storage (ciosim's own driver, bucket/gsblob), Azure Blob
// Storage, file:// and mem://, the driver chosen by the URL's scheme.
//
// A [Spool] is the recorder's durable side: captures are appended to local segment files
// (acknowledged only once the recordings store says they are durable) and each closed
// segment is shipped to the bucket as one object named PREFIX/YYYY/MM/DD/HOST-ULID.jsonl,
// deleted from the spool only after the upload is confirmed. [Merge] is the reading side:
// it streams every object under a prefix and merges their lines in received_at order.
//
// The package knows nothing about HTTP, XDM or the terminal.
package bucket

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"gocloud.dev/blob"
	_ "gocloud.dev/blob/azureblob" // azblob://
	_ "gocloud.dev/blob/fileblob"  // file://
	_ "gocloud.dev/blob/memblob"   // mem://
	_ "gocloud.dev/blob/s3blob"    // s3://

	_ "github.com/ciosim/ciosim/bucket/gsblob" // gs://, on the JSON API client (gcsblob's client costs 15 MB at start-up)
)

// schemes are the URL schemes [Open] accepts.
var schemes = map[string]bool{"s3": true, "gs": true, "azblob": true, "file": true, "mem": true}

// IsURL reports whether s names a bucket ("s3://…", "gs://…", "azblob://…", "file://…",
// "mem://…") rather than a local path.
func IsURL(s string) bool {
	i := strings.Index(s, "://")
	return i > 0 && schemes[s[:i]]
}

// Open opens the bucket named by rawURL. For s3, gs and azblob URLs the path after the
// bucket name is a key prefix ("s3://recordings/prod/" keeps keys under "prod/"); for every
// scheme a ?prefix= parameter does the same. Driver parameters pass through unchanged, for
// example s3://b?endpoint=http://127.0.0.1:9000&use_path_style=true&region=us-east-1 for an
// S3-compatible server. Credentials come from each driver's usual sources (for S3 the
// AWS_* environment variables, shared config or instance role), never from the URL.
//
// The caller must Close the bucket.
func Open(ctx context.Context, rawURL string) (*blob.Bucket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("bucket: open: %w", err)
	}
	if !schemes[u.Scheme] {
		return nil, fmt.Errorf("bucket: open %s: unsupported scheme %q (want s3, gs, azblob, file or mem)", redactURL(u), u.Scheme)
	}
	if u.User != nil {
		return nil, fmt.Errorf("bucket: open %s: credentials do not belong in the URL; use the driver's environment or config", redactURL(u))
	}
	switch u.Scheme {
	case "s3", "gs", "azblob":
		if p := strings.TrimPrefix(u.Path, "/"); p != "" {
			q := u.Query()
			if q.Get("prefix") != "" {
				return nil, fmt.Errorf("bucket: open %s: give the prefix either as the path or as ?prefix=, not both", redactURL(u))
			}
			if !strings.HasSuffix(p, "/") {
				p += "/"
			}
			q.Set("prefix", p)
			u.Path, u.RawPath, u.RawQuery = "", "", q.Encode()
		}
	}
	b, err := blob.OpenBucket(ctx, u.String())
	if err != nil {
		return nil, fmt.Errorf("bucket: open %s: %w", redactURL(u), err)
	}
	return b, nil
}

// redactURL returns u without user info, for messages.
func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	return c.String()
}

package cmd

import (
	"context"
	"testing"
)

// A bucket URL passes --watch's folder check, and the recorder's default folder is the
// first local folder, never the bucket.
func TestTUI_watchBucketURL(t *testing.T) {
	dir := t.TempDir()
	a := &app{ctx: context.Background(), getenv: func(string) string { return "" }}
	o := tuiOptions{mode: "raw", seed: 1, watch: []string{"s3://rec/prod", dir}, concurrency: 4}
	cfg, err := a.tuiConfig(o, func(string) bool { return false })
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Watch) != 2 || cfg.RecordDir != dir {
		t.Errorf("watch = %v, record dir = %q; want both entries and the local folder", cfg.Watch, cfg.RecordDir)
	}
	o.watch = []string{"s3://rec/prod"}
	if cfg, err = a.tuiConfig(o, func(string) bool { return false }); err != nil || cfg.RecordDir == "s3://rec/prod" {
		t.Errorf("bucket only: record dir = %q, err %v", cfg.RecordDir, err)
	}
}

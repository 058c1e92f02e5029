//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package bucket

import "io"

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

// lockDir does nothing where flock is not available: run one recorder per spool directory.
func lockDir(string) (io.Closer, error) { return nopCloser{}, nil }

//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package bucket

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// lockDir takes an exclusive, non-blocking flock on dir/.lock, so a second recorder pointed
// at the same spool fails at start-up instead of shipping the first one's open segment.
// The lock goes with the process, so a crash never leaves it held.
func lockDir(dir string) (io.Closer, error) {
	f, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("bucket: lock spool: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("bucket: lock spool %s: another process uses it: %w", dir, err)
	}
	return f, nil
}

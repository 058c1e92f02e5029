//go:build unix

package pipeline

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time so far, for benchmarks that report CPU
// per operation (on a loaded machine wall time says little).
func cpuTime() time.Duration {
	var r syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r)
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

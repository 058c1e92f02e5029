//go:build unix

package aep

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// peerClosed reports whether the server has closed (or reset, or written unasked to) an
// idle kept-alive connection, by peeking at it without blocking: a closed connection reads
// end-of-file at once, a live idle one has nothing to read.
func peerClosed(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	// A read deadline left in the past by the last request would stop the peek itself;
	// the next request sets its own.
	c.SetReadDeadline(time.Time{})
	closed := false
	var b [1]byte
	err = rc.Read(func(fd uintptr) bool {
		// Go keeps the socket non-blocking: no data is EAGAIN.
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK)
		closed = n > 0 || err == nil || !errors.Is(err, syscall.EAGAIN) && !errors.Is(err, syscall.EINTR)
		return true
	})
	return err == nil && closed
}

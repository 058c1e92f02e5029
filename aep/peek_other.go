//go:build !unix

package aep

import "net"

// peerClosed cannot peek here: a connection the server closed while idle fails its next
// request, which the client's retries then handle.
func peerClosed(net.Conn) bool { return false }

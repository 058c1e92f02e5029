package bucket

import (
	"compress/gzip"
	"io"
)

// compressor wraps w in gzip when on; finish flushes the compressed stream (it does not
// close w).
func compressor(w io.Writer, on bool) (io.Writer, func() error) {
	if !on {
		return w, func() error { return nil }
	}
	gz := gzip.NewWriter(w) // no name or time in the header: the same input gives the same bytes
	return gz, gz.Close
}

// Command okserver is the trivial HTTP server scripts/bench-send.sh measures HTTP clients
// against: it reads each request's body and answers 200 with a small fixed JSON body shaped
// like AEP's streaming answer, doing nothing else, so the figures are the clients' own.
// It prints its base URL on the first line of standard output.
//
// Usage: go run ./scripts/okserver [ADDR]   (default 127.0.0.1:0)
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
)

const answer = `{"inletId":"c10519e0","xactionId":"1584479347507:2153:240","receivedTimeMs":1584479347507}`

func main() {
	addr := "127.0.0.1:0"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "okserver:", err)
		os.Exit(1)
	}
	fmt.Printf("http://%s\n", ln.Addr())
	length := strconv.Itoa(len(answer))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", length)
		io.WriteString(w, answer)
	})
	if err := http.Serve(ln, h); err != nil {
		fmt.Fprintln(os.Stderr, "okserver:", err)
		os.Exit(1)
	}
}

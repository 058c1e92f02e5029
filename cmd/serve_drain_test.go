package cmd

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/generator"
)

// TestServe_SIGTERMDrain runs `ciosim serve` as a process, starts a request whose body is
// still arriving, and sends SIGTERM: new connections are refused, the request in flight is
// answered in full once its body is complete, and the process exits 0.
func TestServe_SIGTERMDrain(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a subprocess")
	}
	p := startProc(t, nil, "serve", "--listen", "127.0.0.1:0", "--log-format", "text")
	addr := strings.TrimPrefix(p.url, "http://")
	ev, err := generator.New(generator.Options{Seed: 1}).Event("email", "opened")
	if err != nil {
		t.Fatal(err)
	}
	body := ev.Bytes()

	// The request in flight: headers and half the body sent.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /collection/%s?x-adobe-flow-id=%s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		emulator.DefaultInletID, emulator.DefaultFlowID, addr, len(body))
	half := len(body) / 2
	if _, err := conn.Write(body[:half]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the server has the request and reads its body

	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(p.stderr.String(), "draining") {
		if time.Now().After(deadline) {
			t.Fatalf("no drain logged after SIGTERM: %s", p.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// New connections are refused (the listener is closed) while the request is in flight.
	var refused bool
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			refused = true
			break
		}
		c.Close()
		time.Sleep(10 * time.Millisecond)
	}
	if !refused {
		t.Fatal("new connections still accepted while draining")
	}
	if p.cmd.ProcessState != nil {
		t.Fatal("the process exited with a request in flight")
	}

	// The rest of the body: the request is answered in full.
	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatal(err)
	}
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v; %s", err, p.stderr.String())
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the request in flight was answered %s, want 200 OK", resp.Status)
	}
	if code := p.term(t); code != 0 { // already terminating: term waits for the exit
		t.Fatalf("serve exited %d after SIGTERM, want 0: %s", code, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "serve exited 0") {
		t.Errorf("stderr: %s", p.stderr.String())
	}
}

package aep_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
)

// rawServer is a plain TCP server speaking just enough HTTP/1.1 for the pipelining tests:
// each accepted connection is handed to serve with its number (0 for the first), so a test
// controls exactly which requests a connection reads and answers, and when it closes.
type rawServer struct {
	url string
	mu  sync.Mutex
	// answered counts the answers given per request body: a body answered twice was
	// processed twice.
	answered map[string]int
}

func newRawServer(t *testing.T, serve func(n int, br *bufio.Reader, c net.Conn, s *rawServer)) *rawServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &rawServer{url: "http://" + ln.Addr().String() + "/collection/" + emulator.DefaultInletID, answered: map[string]int{}}
	var wg sync.WaitGroup
	var conns []net.Conn
	var mu sync.Mutex
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 0; ; n++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				serve(n, bufio.NewReader(c), c, s)
			}()
		}
	}()
	return s
}

// read reads one request and returns its body ("" at the connection's end).
func (s *rawServer) read(br *bufio.Reader) string {
	req, err := http.ReadRequest(br)
	if err != nil {
		return ""
	}
	b, _ := io.ReadAll(req.Body)
	return string(b)
}

// answer answers the request whose body is body: 200 over HTTP/1.1 (with Connection:
// close when close is set) or, when proto is "HTTP/1.0", 200 over HTTP/1.0 (which closes).
func (s *rawServer) answer(c net.Conn, body, proto string, close bool) {
	s.mu.Lock()
	s.answered[body]++
	s.mu.Unlock()
	const ok = `{"xactionId":"x"}`
	h := ""
	if close {
		h = "Connection: close\r\n"
	}
	fmt.Fprintf(c, "%s 200 OK\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n%s", proto, h, len(ok), ok)
}

// serveAll reads and answers requests one by one until the connection ends.
func (s *rawServer) serveAll(br *bufio.Reader, c net.Conn) {
	for {
		body := s.read(br)
		if body == "" {
			return
		}
		s.answer(c, body, "HTTP/1.1", false)
	}
}

func (s *rawServer) times(body string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.answered[body]
}

// sendAll sends n events with bodies {"n":i} from n goroutines at once and returns their
// results by body.
func sendAll(ctx context.Context, c *aep.Client, n int) map[string]aep.Result {
	var mu sync.Mutex
	res := map[string]aep.Result{}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"n":%d}`, i)
			r := c.Send(ctx, aep.Message{Body: []byte(body)})
			mu.Lock()
			res[body] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	return res
}

// pipelined is a client carrying up to 8 requests on one connection.
func pipelined(t *testing.T, url string, retries int, timeout time.Duration) *aep.Client {
	t.Helper()
	c, err := aep.New(aep.Options{URL: url, FlowID: "f", Concurrency: 8, Pipeline: 8, Retries: retries, Backoff: tiny,
		Timeout: timeout, Transport: aep.TransportFastHTTP})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Eight workers' requests go out on one connection; the server reads all eight, answers
// three and closes after the third answer, which says "Connection: close". The server has
// promised not to process the other five (RFC 9112 §9.6): they are sent again on a new
// connection, transparently (one attempt each, no retry needed), and every event is
// processed exactly once. Without the resend they would fail (no retries allowed).
func TestPipeline_closeAfterAnswersResendsTheRest(t *testing.T) {
	s := newRawServer(t, func(n int, br *bufio.Reader, c net.Conn, s *rawServer) {
		if n > 0 {
			s.serveAll(br, c)
			return
		}
		var bodies []string
		for range 8 {
			bodies = append(bodies, s.read(br))
		}
		for i, b := range bodies[:3] {
			s.answer(c, b, "HTTP/1.1", i == 2)
		}
	})
	c := pipelined(t, s.url, 0, 10*time.Second)
	res := sendAll(context.Background(), c, 8)
	for body, r := range res {
		if r.Outcome != aep.Delivered || r.Attempts != 1 {
			t.Errorf("%s: %s after %d attempts (%s), want delivered at the first", body, r.Outcome, r.Attempts, r.Reason)
		}
		if got := s.times(body); got != 1 {
			t.Errorf("%s processed %d times, want once", body, got)
		}
	}
	if why := c.PipelineOff(); why != "" || c.Pipeline() != 8 {
		t.Errorf("pipelining %d, off because %q: a server closing after several answers keeps it on", c.Pipeline(), why)
	}
}

// The same server closes without saying so: the five written and unanswered requests may
// have been processed, so each fails with the transport error as a request alone would
// (with no retries allowed), and pipelining stops for the rest of the run.
func TestPipeline_connectionLostFailsTheWrittenRequests(t *testing.T) {
	for _, retries := range []int{0, 1} {
		t.Run(fmt.Sprintf("retries=%d", retries), func(t *testing.T) {
			s := newRawServer(t, func(n int, br *bufio.Reader, c net.Conn, s *rawServer) {
				if n > 0 {
					s.serveAll(br, c)
					return
				}
				var bodies []string
				for range 8 {
					bodies = append(bodies, s.read(br))
				}
				for _, b := range bodies[:3] {
					s.answer(c, b, "HTTP/1.1", false)
				}
			})
			c := pipelined(t, s.url, retries, 10*time.Second)
			res := sendAll(context.Background(), c, 8)
			first, again := 0, 0
			for body, r := range res {
				switch {
				case r.Outcome == aep.Delivered && r.Attempts == 1:
					first++
				case retries == 0 && r.Outcome == aep.Failed && r.Attempts == 1 && r.Kind == "transport":
					again++
				case retries == 1 && r.Outcome == aep.Delivered && r.Attempts == 2:
					again++ // the retry went out on a new connection
				default:
					t.Errorf("%s: %s after %d attempts, kind %q (%s)", body, r.Outcome, r.Attempts, r.Kind, r.Reason)
				}
			}
			if first != 3 || again != 5 {
				t.Errorf("%d delivered at once and %d failed over, want 3 and 5", first, again)
			}
			if why := c.PipelineOff(); !strings.Contains(why, "5 pipelined requests unanswered") || c.Pipeline() != 1 {
				t.Errorf("pipelining %d, off because %q: want it off after a connection lost with requests written", c.Pipeline(), why)
			}
		})
	}
}

// A server answering in HTTP/1.0 and closing after each answer does not pipeline: the
// requests behind the first answer are sent again, pipelining stops, and every event is
// delivered once, at its first attempt.
func TestPipeline_http10ServerTurnsItOff(t *testing.T) {
	s := newRawServer(t, func(n int, br *bufio.Reader, c net.Conn, s *rawServer) {
		reqs := 1
		if n == 0 {
			reqs = 8 // all read before the close, which would otherwise reset the connection
		}
		var bodies []string
		for range reqs {
			bodies = append(bodies, s.read(br))
		}
		s.answer(c, bodies[0], "HTTP/1.0", false)
	})
	c := pipelined(t, s.url, 0, 10*time.Second)
	for body, r := range sendAll(context.Background(), c, 8) {
		if r.Outcome != aep.Delivered || r.Attempts != 1 || s.times(body) != 1 {
			t.Errorf("%s: %s after %d attempts (%s), processed %d times; want delivered once, at the first", body, r.Outcome, r.Attempts, r.Reason, s.times(body))
		}
	}
	if why := c.PipelineOff(); !strings.Contains(why, "HTTP/1.0") {
		t.Errorf("off because %q, want the HTTP/1.0 answer named", why)
	}
}

// An answer that does not come within the timeout ends its connection: the requests
// behind it fail as timeouts too (their answers could only come after it), each once.
func TestPipeline_timeoutFailsTheRequestsBehind(t *testing.T) {
	s := newRawServer(t, func(n int, br *bufio.Reader, c net.Conn, s *rawServer) {
		var bodies []string
		for range 8 {
			bodies = append(bodies, s.read(br))
		}
		for _, b := range bodies[:2] {
			s.answer(c, b, "HTTP/1.1", false)
		}
		io.Copy(io.Discard, br) // then nothing, until the client hangs up
	})
	c := pipelined(t, s.url, 0, 300*time.Millisecond)
	start := time.Now()
	delivered, timedOut := 0, 0
	for body, r := range sendAll(context.Background(), c, 8) {
		switch {
		case r.Outcome == aep.Delivered:
			delivered++
		case r.Outcome == aep.Failed && r.Kind == "timeout" && r.Attempts == 1:
			timedOut++
		default:
			t.Errorf("%s: %s, kind %q (%s)", body, r.Outcome, r.Kind, r.Reason)
		}
	}
	if delivered != 2 || timedOut != 6 {
		t.Errorf("%d delivered, %d timed out; want 2 and 6", delivered, timedOut)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("took %s: the timeout is 300ms", took)
	}
}

// Cancelling the run ends every request waiting on a pipelined connection at once.
func TestPipeline_cancelEndsTheWaitingRequests(t *testing.T) {
	read := make(chan struct{})
	s := newRawServer(t, func(n int, br *bufio.Reader, c net.Conn, s *rawServer) {
		for range 8 {
			s.read(br)
		}
		close(read)
		io.Copy(io.Discard, br)
	})
	c := pipelined(t, s.url, 3, 20*time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-read
		cancel()
	}()
	start := time.Now()
	for body, r := range sendAll(ctx, c, 8) {
		if r.Outcome != aep.Cancelled {
			t.Errorf("%s: %s (%s), want cancelled", body, r.Outcome, r.Reason)
		}
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s, want the cancel at once", took)
	}
}

// Thirty-two workers pipelining 8 deep share at most four connections to a real net/http
// server, and every event arrives exactly once (one connection per worker without it).
func TestPipeline_workersShareConnections(t *testing.T) {
	var conns atomic.Int32
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen[string(b)]++
		mu.Unlock()
		time.Sleep(time.Millisecond) // so requests wait and pile up
		w.Write([]byte(`{"xactionId":"x"}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := aep.New(aep.Options{URL: srv.URL + "/collection/" + emulator.DefaultInletID, FlowID: "f", Concurrency: 32,
		Pipeline: 8, Transport: aep.TransportFastHTTP})
	if err != nil {
		t.Fatal(err)
	}
	const perWorker = 20
	var wg sync.WaitGroup
	var bad atomic.Int32
	for w := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				r := c.Send(context.Background(), aep.Message{Body: fmt.Appendf(nil, `{"w":%d,"i":%d}`, w, i)})
				if r.Outcome != aep.Delivered || r.Attempts != 1 {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if n := bad.Load(); n > 0 {
		t.Errorf("%d events not delivered at the first attempt", n)
	}
	if len(seen) != 32*perWorker {
		t.Errorf("server saw %d distinct events, want %d", len(seen), 32*perWorker)
	}
	for b, n := range seen {
		if n != 1 {
			t.Errorf("%s arrived %d times", b, n)
		}
	}
	if n := conns.Load(); n > 4 {
		t.Errorf("%d connections for 32 workers pipelining 8 deep, want at most 4", n)
	}
	if why := c.PipelineOff(); why != "" {
		t.Errorf("pipelining turned off: %s", why)
	}
}

// Where pipelining applies: by default only to a plain-http inlet on loopback; asked for,
// to any plain-http inlet reached directly; never over net/http (https, AEP).
func TestNew_pipelineChoice(t *testing.T) {
	for _, tt := range []struct {
		name string
		o    aep.Options
		want int
		bad  string
	}{
		{"loopback, 32 workers", aep.Options{URL: "http://127.0.0.1:1/collection/i", Concurrency: 32}, 8, ""},
		{"localhost, 8 workers", aep.Options{URL: "http://localhost:1/collection/i", Concurrency: 8}, 2, ""},
		{"loopback, 3 workers", aep.Options{URL: "http://[::1]:1/collection/i", Concurrency: 3}, 1, ""},
		{"loopback, 200 workers", aep.Options{URL: "http://127.0.0.1:1/collection/i", Concurrency: 200}, 16, ""},
		{"loopback, batch mode", aep.Options{URL: "http://127.0.0.1:1/collection/i", Concurrency: 32, Mode: aep.ModeBatch}, 1, ""},
		{"loopback, batch mode asked for", aep.Options{URL: "http://127.0.0.1:1/collection/i", Concurrency: 32, Mode: aep.ModeBatch, Pipeline: 4}, 4, ""},
		{"loopback, turned off", aep.Options{URL: "http://127.0.0.1:1/collection/i", Concurrency: 32, Pipeline: 1}, 1, ""},
		{"another host, by default", aep.Options{URL: "http://192.0.2.1:8080/collection/i", Concurrency: 32, Transport: aep.TransportFastHTTP}, 1, ""},
		{"another host, asked for", aep.Options{URL: "http://192.0.2.1:8080/collection/i", Concurrency: 32, Pipeline: 4, Transport: aep.TransportFastHTTP}, 4, ""},
		{"https, by default", aep.Options{URL: "https://dcs.adobedc.net/collection/i", Concurrency: 32}, 1, ""},
		{"https, asked for", aep.Options{URL: "https://dcs.adobedc.net/collection/i", Pipeline: 4}, 0, "pipelining needs a plain http"},
		{"net/http, asked for", aep.Options{URL: "http://127.0.0.1:1/collection/i", Pipeline: 4, Transport: aep.TransportNetHTTP}, 0, "pipelining needs a plain http"},
		{"too deep", aep.Options{URL: "http://127.0.0.1:1/collection/i", Pipeline: aep.MaxPipeline + 1}, 0, "pipeline must be between"},
		{"negative", aep.Options{URL: "http://127.0.0.1:1/collection/i", Pipeline: -1}, 0, "pipeline must be between"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.FlowID = "f"
			c, err := aep.New(tt.o)
			if tt.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tt.bad) {
					t.Fatalf("New: err %v, want one saying %q", err, tt.bad)
				}
				return
			}
			if err != nil || c.Pipeline() != tt.want {
				t.Fatalf("New: err %v, pipeline %d, want %d", err, c.Pipeline(), tt.want)
			}
		})
	}
}

// A 307 answer on a pipelined connection is followed (net/http makes the request again,
// as for fasthttp without pipelining): the event arrives once, at the redirect's target,
// with its body and headers.
func TestPipeline_redirectFollowed(t *testing.T) {
	var got atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if string(b) == `{"n":1}` && r.Header.Get("Content-Type") == "application/json" {
			got.Add(1)
		}
		w.Write([]byte(`{"xactionId":"x"}`))
	}))
	defer target.Close()
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Redirect(w, r, target.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	defer front.Close()
	c := pipelined(t, front.URL+"/collection/"+emulator.DefaultInletID, 0, 10*time.Second)
	r := c.Send(context.Background(), aep.Message{Body: []byte(`{"n":1}`)})
	if r.Outcome != aep.Delivered || r.Attempts != 1 || got.Load() != 1 {
		t.Fatalf("result %s after %d attempts (%s), %d at the target; want delivered once", r.Outcome, r.Attempts, r.Reason, got.Load())
	}
}

// Requests larger than the connection's kept write buffer (a batch's size) still go out
// whole and in order when several are pipelined at once.
func TestPipeline_largeRequestsIntact(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		seen[string(b)]++
		mu.Unlock()
		w.Write([]byte(`{"xactionId":"x"}`))
	}))
	defer srv.Close()
	c, err := aep.New(aep.Options{URL: srv.URL + "/collection/" + emulator.DefaultInletID, FlowID: "f", Concurrency: 8,
		Pipeline: 8, Transport: aep.TransportFastHTTP})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	bodies := make([]string, 16)
	for i := range bodies {
		bodies[i] = fmt.Sprintf(`{"n":%d,"pad":"%s"}`, i, strings.Repeat(string(rune('a'+i)), 300<<10))
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := c.Send(context.Background(), aep.Message{Body: []byte(bodies[i])}); r.Outcome != aep.Delivered {
				t.Errorf("event %d: %s (%s)", i, r.Outcome, r.Reason)
			}
		}()
	}
	wg.Wait()
	for i, b := range bodies {
		if seen[b] != 1 {
			t.Errorf("event %d arrived %d times intact", i, seen[b])
		}
	}
}

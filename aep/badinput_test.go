package aep_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/emulatortest"
	"github.com/ciosim/ciosim/secret"
)

var tiny = aep.Backoff{Initial: time.Millisecond, Max: 2 * time.Millisecond, Multiplier: 2}

// via is a way to reach a plain-http inlet: an HTTP library, and how many requests one
// connection carries (pipelining; 1: none).
type via struct {
	name     string
	tr       aep.Transport
	pipeline int
}

// plainHTTP are the ways to reach a plain-http inlet; each test below runs over every one
// of them.
var plainHTTP = []via{{"nethttp", aep.TransportNetHTTP, 0}, {"fasthttp", aep.TransportFastHTTP, 1},
	{"fasthttp-pipelined", aep.TransportFastHTTP, 4}}

func eachTransport(t *testing.T, f func(t *testing.T, tr via)) {
	t.Helper()
	for _, x := range plainHTTP {
		t.Run(x.name, func(t *testing.T) { f(t, x) })
	}
}

func TestNew_transportChoice(t *testing.T) {
	tests := []struct {
		name string
		o    aep.Options
		want aep.Transport
		bad  string
	}{
		{"plain http goes over fasthttp", aep.Options{URL: "http://127.0.0.1:1/collection/i"}, aep.TransportFastHTTP, ""},
		{"https stays on net/http", aep.Options{URL: "https://dcs.adobedc.net/collection/i"}, aep.TransportNetHTTP, ""},
		{"a caller's http.Client is net/http", aep.Options{URL: "http://127.0.0.1:1/collection/i", HTTPClient: &http.Client{}}, aep.TransportNetHTTP, ""},
		{"net/http asked for", aep.Options{URL: "http://127.0.0.1:1/collection/i", Transport: aep.TransportNetHTTP}, aep.TransportNetHTTP, ""},
		{"fasthttp cannot do https", aep.Options{URL: "https://dcs.adobedc.net/collection/i", Transport: aep.TransportFastHTTP}, "", "needs a plain http"},
		{"unknown transport", aep.Options{URL: "http://127.0.0.1:1/collection/i", Transport: "curl"}, "", "unknown transport"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.FlowID = "f"
			c, err := aep.New(tt.o)
			if tt.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tt.bad) {
					t.Fatalf("New: err %v, want one saying %q", err, tt.bad)
				}
				return
			}
			if err != nil || c.Transport() != tt.want {
				t.Fatalf("New: err %v, transport %v, want %s", err, c.Transport(), tt.want)
			}
		})
	}
}

func TestSend_unreachable(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr via) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nothing listens there now
		c, _ := aep.New(aep.Options{URL: "http://" + addr + "/collection/" + emulator.DefaultInletID, FlowID: "f", Retries: 2, Backoff: tiny, Transport: tr.tr, Pipeline: tr.pipeline})
		r := c.Send(context.Background(), aep.Message{EventID: "e", Body: []byte(`{}`)})
		// Nothing ever answered at that address: a wrong address, not a restart. No retry.
		if r.Outcome != aep.Failed || r.Attempts != 1 || r.Status != 0 || r.Kind != "connection refused" || !strings.Contains(r.Reason, "connection refused") {
			t.Fatalf("result = %+v, want failed after 1 attempt with 'connection refused'", r)
		}
	})
}

func TestSend_refusedAfterAnAnswerIsRetried(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr via) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"xactionId":"x"}`))
		})}
		go srv.Serve(ln)
		c, _ := aep.New(aep.Options{URL: "http://" + ln.Addr().String() + "/collection/" + emulator.DefaultInletID, FlowID: "f", Retries: 2, Backoff: tiny, Transport: tr.tr, Pipeline: tr.pipeline})
		if r := c.Send(context.Background(), aep.Message{Body: []byte(`{}`)}); r.Outcome != aep.Delivered {
			t.Fatalf("first send %+v", r)
		}
		srv.Close() // the endpoint goes away after answering once: a restart, worth retrying
		r := c.Send(context.Background(), aep.Message{Body: []byte(`{}`)})
		if r.Outcome != aep.Failed || r.Attempts != 3 {
			t.Fatalf("result = %+v, want 3 attempts (refusals after an answer are retried)", r)
		}
	})
}

func TestSend_deterministicFailuresAreNotRetried(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer plain.Close()
	_, run := emulatortest.Start(t, emulator.Options{})
	tests := []struct {
		name, url, kind, reason string
		httpsOnly               bool
	}{
		{"https to plain http", strings.Replace(plain.URL, "http://", "https://", 1) + "/collection/" + emulator.DefaultInletID, "TLS", "server gave HTTP response to HTTPS client", true},
		{"unknown host", "http://no-such-host.invalid/collection/" + emulator.DefaultInletID, "unknown host", "no such host", false},
		{"404 inlet", run.URL + "/collection/nope", "HTTP 404", "404", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trs := plainHTTP
			if tt.httpsOnly {
				trs = trs[:1] // https is net/http's alone
			}
			for _, x := range trs {
				c, err := aep.New(aep.Options{URL: tt.url, FlowID: "f", Retries: 5, Backoff: tiny, Transport: x.tr, Pipeline: x.pipeline})
				if err != nil {
					t.Fatalf("%s: New: %v", x.name, err)
				}
				r := c.Send(context.Background(), aep.Message{Body: []byte(`{}`)})
				if r.Outcome != aep.Failed || r.Attempts != 1 || r.Kind != tt.kind || !strings.Contains(r.Reason, tt.reason) {
					t.Fatalf("%s: result = %+v, want failed after 1 attempt, kind %q, reason with %q", x.name, r, tt.kind, tt.reason)
				}
			}
		})
	}
}

func TestSend_tlsError(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c, _ := aep.New(aep.Options{URL: srv.URL + "/collection/" + emulator.DefaultInletID, FlowID: "f", Retries: 5, Backoff: tiny})
	if c.Transport() != aep.TransportNetHTTP {
		t.Fatalf("https inlet on %s, want net/http", c.Transport())
	}
	r := c.Send(context.Background(), aep.Message{EventID: "e", Body: []byte(`{}`)})
	if r.Outcome != aep.Failed || r.Attempts != 1 || !strings.Contains(r.Reason, "TLS error") ||
		!strings.Contains(r.Reason, "certificate") {
		t.Fatalf("result = %+v, want one attempt (certificates do not fix themselves) and a TLS reason", r)
	}
}

// A request in flight when the run is cancelled ends at once as cancelled, not after the
// timeout.
func TestSend_cancelEndsTheRequestInFlight(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr via) {
		arrived := make(chan struct{}, 1)
		var hold atomic.Bool
		hold.Store(true)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // then the server notices the client hanging up
			if hold.Load() {
				arrived <- struct{}{}
				<-r.Context().Done()
				return
			}
			w.Write([]byte(`{"xactionId":"x"}`))
		}))
		defer srv.Close()
		c, _ := aep.New(aep.Options{URL: srv.URL + "/collection/" + emulator.DefaultInletID, FlowID: "f", Retries: 3,
			Backoff: tiny, Timeout: 20 * time.Second, Transport: tr.tr, Pipeline: tr.pipeline})
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			<-arrived
			cancel()
		}()
		start := time.Now()
		r := c.Send(ctx, aep.Message{Body: []byte(`{}`)})
		if took := time.Since(start); r.Outcome != aep.Cancelled || took > 10*time.Second {
			t.Fatalf("result %s after %s, want cancelled at once", r.Outcome, took)
		}
		// The client is still usable with another context.
		hold.Store(false)
		if r := c.Send(context.Background(), aep.Message{Body: []byte(`{}`)}); r.Outcome != aep.Delivered || r.Attempts != 1 {
			t.Fatalf("send after the cancel: %+v", r)
		}
	})
}

// A kept-alive connection the server closed while idle is not a failure: the request
// goes out on a new connection, once.
func TestSend_serverClosedAnIdleConnection(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr via) {
		var n atomic.Int32
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Write([]byte(`{"xactionId":"x"}`))
		}))
		srv.Config.IdleTimeout = 20 * time.Millisecond
		srv.Start()
		defer srv.Close()
		c, _ := aep.New(aep.Options{URL: srv.URL + "/collection/" + emulator.DefaultInletID, FlowID: "f", Retries: 0, Transport: tr.tr, Pipeline: tr.pipeline})
		for i := range 3 {
			if i > 0 {
				time.Sleep(200 * time.Millisecond) // the server has closed the connection by now
			}
			if r := c.Send(context.Background(), aep.Message{Body: []byte(`{}`)}); r.Outcome != aep.Delivered {
				t.Fatalf("send %d after the server closed the idle connection: %+v", i+1, r)
			}
		}
		if got := n.Load(); got != 3 {
			t.Fatalf("server saw %d requests, want 3", got)
		}
	})
}

// Credentials never appear in a result, whatever the server does.
func TestSend_noCredentialsInResults(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr via) {
		for _, answer := range []string{"garbage\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n{", ""} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				conn, bw, _ := w.(http.Hijacker).Hijack()
				bw.WriteString(answer)
				bw.Flush()
				conn.Close()
			}))
			c, _ := aep.New(aep.Options{URL: srv.URL + "/collection/" + emulator.DefaultInletID, FlowID: "f", Backoff: tiny, Transport: tr.tr, Pipeline: tr.pipeline,
				Auth: aep.Auth{Token: secret.New("tok-SECRET-1"), APIKey: secret.New("key-SECRET-2")}, SigningKey: secret.New("sig-SECRET-3")})
			r := c.Send(context.Background(), aep.Message{Body: []byte(`{}`)})
			srv.Close()
			if r.Outcome != aep.Failed {
				t.Errorf("answer %q: outcome %s, want failed", answer, r.Outcome)
			}
			if s := r.Reason + r.Excerpt + r.Kind; strings.Contains(s, "SECRET") {
				t.Errorf("answer %q: a credential in the result: %q", answer, s)
			}
		}
	})
}

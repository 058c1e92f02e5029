package aep_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/emulatortest"
)

var tiny = aep.Backoff{Initial: time.Millisecond, Max: 2 * time.Millisecond, Multiplier: 2}

func TestSend_unreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	c, _ := aep.New(aep.Options{URL: "http://" + addr + "/collection/" + emulator.DefaultInletID, FlowID: "f", Retries: 2, Backoff: tiny})
	r := c.Send(context.Background(), aep.Message{EventID: "e", Body: []byte(`{}`)})
	// Nothing ever answered at that address: a wrong address, not a restart. No retry.
	if r.Outcome != aep.Failed || r.Attempts != 1 || r.Status != 0 || r.Kind != "connection refused" || !strings.Contains(r.Reason, "connection refused") {
		t.Fatalf("result = %+v, want failed after 1 attempt with 'connection refused'", r)
	}
}

func TestSend_refusedAfterAnAnswerIsRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"xactionId":"x"}`))
	})}
	go srv.Serve(ln)
	c, _ := aep.New(aep.Options{URL: "http://" + ln.Addr().String() + "/collection/" + emulator.DefaultInletID, FlowID: "f", Retries: 2, Backoff: tiny})
	if r := c.Send(context.Background(), aep.Message{Body: []byte(`{}`)}); r.Outcome != aep.Delivered {
		t.Fatalf("first send %+v", r)
	}
	srv.Close() // the endpoint goes away after answering once: a restart, worth retrying
	r := c.Send(context.Background(), aep.Message{Body: []byte(`{}`)})
	if r.Outcome != aep.Failed || r.Attempts != 3 {
		t.Fatalf("result = %+v, want 3 attempts (refusals after an answer are retried)", r)
	}
}

func TestSend_deterministicFailuresAreNotRetried(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer plain.Close()
	_, run := emulatortest.Start(t, emulator.Options{})
	tests := []struct{ name, url, kind, reason string }{
		{"https to plain http", strings.Replace(plain.URL, "http://", "https://", 1) + "/collection/" + emulator.DefaultInletID, "TLS", "server gave HTTP response to HTTPS client"},
		{"unknown host", "http://no-such-host.invalid/collection/" + emulator.DefaultInletID, "unknown host", "no such host"},
		{"404 inlet", run.URL + "/collection/nope", "HTTP 404", "404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := aep.New(aep.Options{URL: tt.url, FlowID: "f", Retries: 5, Backoff: tiny})
			r := c.Send(context.Background(), aep.Message{Body: []byte(`{}`)})
			if r.Outcome != aep.Failed || r.Attempts != 1 || r.Kind != tt.kind || !strings.Contains(r.Reason, tt.reason) {
				t.Fatalf("result = %+v, want failed after 1 attempt, kind %q, reason with %q", r, tt.kind, tt.reason)
			}
		})
	}
}

func TestSend_tlsError(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	c, _ := aep.New(aep.Options{URL: srv.URL + "/collection/" + emulator.DefaultInletID, FlowID: "f", Retries: 5, Backoff: tiny})
	r := c.Send(context.Background(), aep.Message{EventID: "e", Body: []byte(`{}`)})
	if r.Outcome != aep.Failed || r.Attempts != 1 || !strings.Contains(r.Reason, "TLS error") ||
		!strings.Contains(r.Reason, "certificate") {
		t.Fatalf("result = %+v, want one attempt (certificates do not fix themselves) and a TLS reason", r)
	}
}

// Package pipeline moves events from a source to a sender with timing: replay pacing
// (original arrival times or event timestamps, scaled and capped), timestamp shifting,
// fresh event ids and re-signing, one event per request or grouped into batches. It
// declares the small Sender and BatchSender interfaces it consumes and
// knows nothing about the terminal; cmd wires it to the aep client or the emulator.
package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Request is one payload to deliver: the body bytes exactly as they must go on the wire,
// and the extra headers (X-CIO-Timestamp and X-CIO-Signature when they apply).
type Request struct {
	Body   []byte
	Header http.Header
}

// Response is what the endpoint answered.
type Response struct {
	Status  int
	Body    []byte
	Latency time.Duration
}

// Sender delivers one request. Implementations must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, req Request) (Response, error)
}

// SenderFunc adapts a function to [Sender], for tests and decorators.
type SenderFunc func(ctx context.Context, req Request) (Response, error)

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, req Request) (Response, error) { return f(ctx, req) }

// StatusError is returned by [HTTPSender] for a non-2xx answer.
type StatusError struct {
	Status int
	Body   []byte
}

// Error names the status and the start of the answer.
func (e *StatusError) Error() string {
	return fmt.Sprintf("pipeline: endpoint answered %d: %s", e.Status, bytes.TrimSpace(e.Body))
}

// HTTPSender POSTs each request body as application/json to URL: the raw delivery
// Customer.io itself makes. It is the fallback used until a richer client is wired in.
type HTTPSender struct {
	URL    string
	Client *http.Client // nil means a client with a 10 s timeout
	// Header is added to every request (for example authentication); it is never logged.
	Header http.Header
}

var _ Sender = (*HTTPSender)(nil)

// Send POSTs req.Body byte-for-byte.
func (s *HTTPSender) Send(ctx context.Context, req Request) (Response, error) {
	client := s.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(req.Body))
	if err != nil {
		return Response{}, fmt.Errorf("pipeline: post: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	for k, v := range s.Header {
		hr.Header[k] = v
	}
	for k, v := range req.Header {
		hr.Header[k] = v
	}
	start := time.Now()
	resp, err := client.Do(hr)
	if err != nil {
		return Response{}, fmt.Errorf("pipeline: post: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	out := Response{Status: resp.StatusCode, Body: body, Latency: time.Since(start)}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return out, &StatusError{Status: resp.StatusCode, Body: body}
	}
	return out, nil
}

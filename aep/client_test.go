package aep

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/secret"
)

const inlet = "667b41cf2dbf3509927da1ebf7e93c20afa727cc8d8373e51da18b62e1b985ec"

const cioBody = `{"data":{"customer_id":"42","email_address":"test@example.com","identifiers":{"cio_id":"d9c106000001","email":"test@example.com","id":"42"}},"event_id":"01E4C4CT6YDC7Y5M7FE1GWWPQJ","metric":"subscribed","object_type":"customer","timestamp":1613063089}`

func xdmMessage(id string) []byte {
	return []byte(`{"header":{"schemaRef":{"id":"https://ns.adobe.com/acme/schemas/cio","contentType":"application/vnd.adobe.xed-full+json;version=1"},"flowId":"f"},` +
		`"body":{"xdmMeta":{"schemaRef":{"id":"https://ns.adobe.com/acme/schemas/cio","contentType":"application/vnd.adobe.xed-full+json;version=1"}},` +
		`"xdmEntity":{"_id":"` + id + `","timestamp":"2021-02-11T17:04:49Z","eventType":"directMarketing.emailOpened"}}}`)
}

// request is what the recording server saw.
type request struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
	At                     time.Time
}

// recorder is an httptest server that records requests and answers with the next scripted
// response (the last one repeats).
type recorder struct {
	mu      sync.Mutex
	reqs    []request
	answers []scripted
	srv     *httptest.Server
}

type scripted struct {
	status int
	header map[string]string
	body   string
	fn     func(body []byte) (int, string)
}

func newRecorder(t *testing.T, answers ...scripted) *recorder {
	t.Helper()
	r := &recorder{answers: answers}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, request{req.Method, req.URL.Path, req.URL.RawQuery, req.Header.Clone(), b, time.Now()})
		a := r.answers[min(len(r.reqs), len(r.answers))-1]
		r.mu.Unlock()
		for k, v := range a.header {
			w.Header().Set(k, v)
		}
		status, body := a.status, a.body
		if a.fn != nil {
			status, body = a.fn(b)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *recorder) requests() []request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]request(nil), r.reqs...)
}

var ok200 = scripted{status: 200, body: `{"inletId":"` + inlet + `","xactionId":"1584479347507:2153:240","receivedTimeMs":1584479347507}`}

// via is a way to send: an HTTP library, and how many requests one connection carries
// (pipelining; 1: none).
type via struct {
	name     string
	tr       Transport
	pipeline int
}

// transports are the ways every client test sends (as subtests).
var transports = []via{{"nethttp", TransportNetHTTP, 0}, {"fasthttp", TransportFastHTTP, 1},
	{"fasthttp-pipelined", TransportFastHTTP, 4}}

// eachTransport runs f once per transport: the client must behave the same over all.
func eachTransport(t *testing.T, f func(t *testing.T, tr via)) {
	t.Helper()
	for _, x := range transports {
		t.Run(x.name, func(t *testing.T) { f(t, x) })
	}
}

func newClient(t *testing.T, tr via, o Options) *Client {
	t.Helper()
	o.Transport, o.Pipeline = tr.tr, tr.pipeline
	if o.Backoff == (Backoff{}) {
		o.Backoff = Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond, Multiplier: 2}
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestSend_requestShapes(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr via) {
		fixed := time.Unix(1614265384, 0)
		tests := []struct {
			name      string
			opts      Options
			body      []byte
			wantPath  string
			wantQuery string
			wantHdr   map[string]string
			noHdr     []string
		}{
			{
				name:      "raw with flow id in query",
				opts:      Options{Mode: ModeRaw, FlowID: "439b3fc4-3042-4a3a-b5e0-a494898d3fb0"},
				body:      []byte(cioBody),
				wantPath:  "/collection/" + inlet,
				wantQuery: "x-adobe-flow-id=439b3fc4-3042-4a3a-b5e0-a494898d3fb0",
				wantHdr:   map[string]string{"Content-Type": "application/json"},
				noHdr:     []string{"Authorization", "X-Cio-Signature", "X-Cio-Timestamp", "Content-Encoding", "X-Adobe-Flow-Id"},
			},
			{
				name:      "raw with flow id header and sync validation",
				opts:      Options{Mode: ModeRaw, FlowID: "flow-1", FlowIDHeader: true, SyncValidation: true},
				body:      []byte(cioBody),
				wantPath:  "/collection/" + inlet,
				wantQuery: "syncValidation=true",
				wantHdr:   map[string]string{"x-adobe-flow-id": "flow-1"},
			},
			{
				name:      "raw signed",
				opts:      Options{Mode: ModeRaw, FlowID: "f", SigningKey: secret.New("signing-secret"), Now: func() time.Time { return fixed }},
				body:      []byte(cioBody),
				wantPath:  "/collection/" + inlet,
				wantQuery: "x-adobe-flow-id=f",
				wantHdr: map[string]string{customerio.HeaderTimestamp: "1614265384",
					customerio.HeaderSignature: customerio.Sign([]byte("signing-secret"), 1614265384, []byte(cioBody))},
			},
			{
				name:     "xdm single",
				opts:     Options{Mode: ModeXDM, FlowID: "ignored-in-xdm-mode", SigningKey: secret.New("k")},
				body:     xdmMessage("e1"),
				wantPath: "/collection/" + inlet,
				wantHdr:  map[string]string{"Content-Type": "application/json"},
				noHdr:    []string{"X-Cio-Signature", "X-Adobe-Flow-Id"},
			},
			{
				name: "authenticated inlet",
				opts: Options{Mode: ModeXDM, Auth: Auth{Token: secret.New("tok-123"), APIKey: secret.New("key-9"),
					OrgID: "ABC@AdobeOrg", Sandbox: "dev"}},
				body:     xdmMessage("e1"),
				wantPath: "/collection/" + inlet,
				wantHdr: map[string]string{"Authorization": "Bearer tok-123", "x-api-key": "key-9",
					"x-gw-ims-org-id": "ABC@AdobeOrg", "x-sandbox-name": "dev"},
			},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := newRecorder(t, ok200)
				tt.opts.URL = rec.srv.URL + "/collection/" + inlet
				c := newClient(t, tr, tt.opts)
				r := c.Send(context.Background(), Message{EventID: "e1", Body: tt.body})
				if r.Outcome != Delivered || r.Status != 200 || r.XactionID != "1584479347507:2153:240" || r.Attempts != 1 {
					t.Fatalf("result = %+v, want delivered 200 with xactionId, 1 attempt", r)
				}
				reqs := rec.requests()
				if len(reqs) != 1 {
					t.Fatalf("got %d requests, want 1", len(reqs))
				}
				q := reqs[0]
				if q.Method != "POST" || q.Path != tt.wantPath || q.RawQuery != tt.wantQuery {
					t.Errorf("request = %s %s?%s, want POST %s?%s", q.Method, q.Path, q.RawQuery, tt.wantPath, tt.wantQuery)
				}
				if !bytes.Equal(q.Body, tt.body) {
					t.Errorf("body = %s, want the exact bytes %s", q.Body, tt.body)
				}
				for k, v := range tt.wantHdr {
					if got := q.Header.Get(k); got != v {
						t.Errorf("header %s = %q, want %q", k, got, v)
					}
				}
				for _, k := range tt.noHdr {
					if got := q.Header.Get(k); got != "" {
						t.Errorf("header %s = %q, want none", k, got)
					}
				}
			})
		}
	})
}

func TestSend_signatureVerifies(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr via) {
		rec := newRecorder(t, ok200)
		key := secret.New("755781b5e03a973f3405a85474d5a032a60fd56fabaad66039b12eadd83955fa")
		c := newClient(t, tr, Options{URL: rec.srv.URL + "/collection/" + inlet, FlowID: "f", SigningKey: key})
		c.Send(context.Background(), Message{Body: []byte(cioBody)})
		q := rec.requests()[0]
		err := customerio.Verify(key.Bytes(), q.Header.Get(customerio.HeaderTimestamp), q.Header.Get(customerio.HeaderSignature),
			q.Body, customerio.VerifyOptions{Now: time.Now})
		if err != nil {
			t.Fatalf("customerio.Verify on the sent request: %v", err)
		}
		if err := customerio.Verify([]byte("other"), q.Header.Get(customerio.HeaderTimestamp), q.Header.Get(customerio.HeaderSignature),
			q.Body, customerio.VerifyOptions{}); err == nil {
			t.Fatal("Verify with the wrong key succeeded")
		}
	})
}

func TestSend_gzip(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr via) {
		rec := newRecorder(t, ok200)
		c := newClient(t, tr, Options{URL: rec.srv.URL + "/collection/" + inlet, FlowID: "f", Gzip: true})
		c.Send(context.Background(), Message{Body: []byte(cioBody)})
		q := rec.requests()[0]
		if q.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("Content-Encoding = %q, want gzip", q.Header.Get("Content-Encoding"))
		}
		if bytes.Equal(q.Body, []byte(cioBody)) || !bytes.HasPrefix(q.Body, []byte{0x1f, 0x8b}) {
			t.Fatalf("body is not gzip: %q", q.Body[:min(10, len(q.Body))])
		}
	})
}

func TestSend_retries(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr via) {
		tests := []struct {
			name         string
			answers      []scripted
			retries      int
			wantAttempts int
			wantOutcome  Outcome
			wantStatus   int
			wantReason   string
		}{
			{"503 then ok", []scripted{{status: 503, body: `{"title":"Service Unavailable"}`}, ok200}, 3, 2, Delivered, 200, ""},
			{"429 then 500 then ok", []scripted{{status: 429}, {status: 500}, ok200}, 3, 3, Delivered, 200, ""},
			{"503 forever", []scripted{{status: 503, body: `{"title":"Service Unavailable","report":{"message":"try later"}}`}}, 2, 3, Failed, 503, "try later"},
			{"400 not retried", []scripted{{status: 400, body: `{"type":"http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet","status":400,"title":"Invalid XDM Message Format","report":{"message":"Message has unknown xdm format"}}`}, ok200}, 5, 1, Failed, 400, "Message has unknown xdm format"},
			{"401 not retried", []scripted{{status: 401, body: `{"status":"401","title":"Authorization","report":{"message":"[1] Ims service token is empty"}}`}, ok200}, 5, 1, Failed, 401, "Ims service token is empty"},
			{"403 not retried", []scripted{{status: 403}, ok200}, 5, 1, Failed, 403, "403"},
			{"413 not retried", []scripted{{status: 413, body: `{"title":"Request Entity Too Large"}`}, ok200}, 5, 1, Failed, 413, "Request Entity Too Large"},
			{"501 not retried", []scripted{{status: 501}, ok200}, 5, 1, Failed, 501, "501"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := newRecorder(t, tt.answers...)
				c := newClient(t, tr, Options{URL: rec.srv.URL + "/collection/" + inlet, FlowID: "f", Retries: tt.retries})
				r := c.Send(context.Background(), Message{Body: []byte(cioBody)})
				if r.Attempts != tt.wantAttempts || r.Outcome != tt.wantOutcome || r.Status != tt.wantStatus {
					t.Fatalf("result = %s status %d after %d attempts, want %s %d after %d", r.Outcome, r.Status, r.Attempts,
						tt.wantOutcome, tt.wantStatus, tt.wantAttempts)
				}
				if n := len(rec.requests()); n != tt.wantAttempts {
					t.Errorf("server saw %d requests, want %d", n, tt.wantAttempts)
				}
				if !strings.Contains(r.Reason, tt.wantReason) {
					t.Errorf("reason = %q, want it to contain %q", r.Reason, tt.wantReason)
				}
			})
		}
	})
}

func TestSend_retryAfterHonoured(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr via) {
		rec := newRecorder(t, scripted{status: 503, header: map[string]string{"Retry-After": "2"}}, ok200)
		// TimeScale 0.05 turns Retry-After: 2 into a 100 ms wait; back-off alone would be 1 ms.
		c := newClient(t, tr, Options{URL: rec.srv.URL + "/collection/" + inlet, FlowID: "f", Retries: 1, TimeScale: 0.05})
		r := c.Send(context.Background(), Message{Body: []byte(cioBody)})
		if r.Outcome != Delivered || r.Attempts != 2 {
			t.Fatalf("result = %+v", r)
		}
		reqs := rec.requests()
		if gap := reqs[1].At.Sub(reqs[0].At); gap < 100*time.Millisecond {
			t.Fatalf("retry came %s after the 503, want at least Retry-After 2 s × 0.05 = 100ms", gap)
		}
	})
}

func TestWait(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	hdr := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	tests := []struct {
		name string
		o    Options
		n    int
		a    answer
		want time.Duration
	}{
		{"backoff 1", Options{}, 1, answer{status: 503}, 100 * time.Millisecond},
		{"backoff 3 doubles", Options{}, 3, answer{status: 503}, 400 * time.Millisecond},
		{"backoff capped", Options{}, 10, answer{status: 503}, time.Second},
		{"retry-after seconds", Options{}, 1, answer{status: 429, header: hdr("7")}, 7 * time.Second},
		{"retry-after date", Options{}, 1, answer{status: 503, header: hdr(now.Add(30 * time.Second).Format(http.TimeFormat))}, 30 * time.Second},
		{"retry-after capped", Options{MaxRetryAfter: time.Minute}, 1, answer{status: 503, header: hdr("3600")}, time.Minute},
		{"time scale", Options{TimeScale: 0.5}, 1, answer{status: 429, header: hdr("10")}, 5 * time.Second},
		{"customer.io hour on 500", Options{CustomerIOSemantics: true}, 1, answer{status: 500}, time.Hour},
		{"customer.io hour on 400", Options{CustomerIOSemantics: true}, 1, answer{status: 400}, time.Hour},
		{"customer.io hour scaled", Options{CustomerIOSemantics: true, TimeScale: 1.0 / 3600}, 1, answer{status: 429}, time.Second},
		{"customer.io 503 not listed", Options{CustomerIOSemantics: true}, 1, answer{status: 503}, 100 * time.Millisecond},
		{"customer.io second retry backs off", Options{CustomerIOSemantics: true}, 2, answer{status: 500}, 200 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.URL = "http://127.0.0.1/collection/" + inlet
			tt.o.Backoff = Backoff{Initial: 100 * time.Millisecond, Max: time.Second, Multiplier: 2}
			tt.o.Now = func() time.Time { return now }
			c := newClient(t, via{}, tt.o)
			if got := c.wait(tt.n, tt.a); got != tt.want {
				t.Errorf("wait(%d, %d) = %s, want %s", tt.n, tt.a.status, got, tt.want)
			}
		})
	}
}

func TestSend_customerIOSemanticsRetries400(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr via) {
		rec := newRecorder(t, scripted{status: 400}, ok200)
		c := newClient(t, tr, Options{URL: rec.srv.URL + "/collection/" + inlet, FlowID: "f", Retries: 3,
			CustomerIOSemantics: true, TimeScale: 1e-6}) // the hour becomes 3.6 ms
		r := c.Send(context.Background(), Message{Body: []byte(cioBody)})
		if r.Outcome != Delivered || r.Attempts != 2 {
			t.Fatalf("Customer.io retries a 400 after an hour: result = %s after %d attempts", r.Outcome, r.Attempts)
		}
		if c.o.Timeout != CustomerIOTimeout || c.o.Concurrency != 1 {
			t.Errorf("timeout %s concurrency %d, want 4s and 1", c.o.Timeout, c.o.Concurrency)
		}
	})
}

func TestSend_timeoutRetried(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr via) {
		var mu sync.Mutex
		calls := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			calls++
			n := calls
			mu.Unlock()
			io.ReadAll(r.Body) // so the server notices the client hanging up
			if n == 1 {
				<-r.Context().Done() // hold until the client gives up
				return
			}
			w.Write([]byte(`{"xactionId":"x"}`))
		}))
		defer srv.Close()
		c := newClient(t, tr, Options{URL: srv.URL + "/collection/" + inlet, FlowID: "f", Retries: 2, Timeout: 400 * time.Millisecond})
		// 400 ms, not less: under -race on a loaded machine a quick answer once took over
		// 50 ms, so the second attempt timed out too (delivered on the 3rd).
		r := c.Send(context.Background(), Message{Body: []byte(cioBody)})
		if r.Outcome != Delivered || r.Attempts != 2 || r.XactionID != "x" {
			t.Fatalf("result = %+v, want delivered on the 2nd attempt", r)
		}
	})
}

func TestSendBatch_partial207(t *testing.T) {
	eachTransport(t, func(t *testing.T, tr via) {
		// First answer: element 1 is a 400 (documented shape), element 2 a 503 (Adobe client
		// shape); the retry carries only element 2 and succeeds.
		first := `{"inletId":"` + inlet + `","batchId":"1565628583792:1485:153","receivedTimeMs":1565628583792,"responses":[` +
			`{"xactionId":"1565628583792:1485:153:0"},` +
			`{"statusCode":400,"message":"inletId: [x] imsOrgId: [y] Message has unknown xdm format"},` +
			`{"xactionId":"u-2","status":503,"message":"busy"}]}`
		second := `{"inletId":"` + inlet + `","batchId":"b2","receivedTimeMs":1,"responses":[{"xactionId":"b2:0"}]}`
		rec := newRecorder(t, scripted{status: 207, body: first}, scripted{status: 207, body: second})
		c := newClient(t, tr, Options{Mode: ModeBatch, URL: rec.srv.URL + "/collection/" + inlet, Retries: 3, SyncValidation: true})
		msgs := []Message{{EventID: "a", Body: xdmMessage("a")}, {EventID: "b", Body: []byte(`{"not":"xdm"}`)}, {EventID: "c", Body: xdmMessage("c")}}
		res := c.SendBatch(context.Background(), msgs)
		reqs := rec.requests()
		if len(reqs) != 2 {
			t.Fatalf("%d requests, want 2", len(reqs))
		}
		if reqs[0].Path != "/collection/batch/"+inlet || reqs[0].RawQuery != "" {
			t.Errorf("batch URL = %s?%s, want /collection/batch/%s without syncValidation", reqs[0].Path, reqs[0].RawQuery, inlet)
		}
		if want := `{"messages":[` + string(msgs[0].Body) + `,{"not":"xdm"},` + string(msgs[2].Body) + `]}`; string(reqs[0].Body) != want {
			t.Errorf("batch body =\n%s\nwant\n%s", reqs[0].Body, want)
		}
		if want := `{"messages":[` + string(msgs[2].Body) + `]}`; string(reqs[1].Body) != want {
			t.Errorf("retry body = %s, want only the failed retryable message", reqs[1].Body)
		}
		want := []struct {
			o        Outcome
			status   int
			xid      string
			attempts int
		}{{Delivered, 200, "1565628583792:1485:153:0", 1}, {Failed, 400, "", 1}, {Delivered, 200, "b2:0", 2}}
		for i, w := range want {
			r := res[i]
			if r.Outcome != w.o || r.Status != w.status || r.XactionID != w.xid || r.Attempts != w.attempts {
				t.Errorf("result %d = %s %d %q after %d, want %s %d %q after %d", i, r.Outcome, r.Status, r.XactionID, r.Attempts, w.o, w.status, w.xid, w.attempts)
			}
		}
		if !strings.Contains(res[1].Reason, "unknown xdm format") {
			t.Errorf("reason = %q, want AEP's message", res[1].Reason)
		}
	})
}

func TestXactionID(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"inletId":"i","xactionId":"1584479347507:2153:240","receivedTimeMs":1}`, "1584479347507:2153:240"},
		{`{"xactionId" : "a b"}`, "a b"},
		{`{"xactionId":"esc\"aped"}`, `esc"aped`},
		{`{"inletId":"i"}`, ""},
		{`not json`, ""},
	}
	for _, tt := range tests {
		if got := xactionID([]byte(tt.in)); got != tt.want {
			t.Errorf("xactionID(%s) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzXactionID(f *testing.F) {
	f.Add([]byte(`{"xactionId":"1:2:3"}`))
	f.Add([]byte(`{"xactionId" : "a\"b"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got := xactionID(b)
		var ok struct {
			XactionID string `json:"xactionId"`
		}
		if json.Unmarshal(b, &ok) == nil && bytes.Count(b, []byte(`"xactionId"`)) == 1 && got != ok.XactionID {
			t.Fatalf("xactionID(%q) = %q, encoding/json says %q", b, got, ok.XactionID)
		}
	})
}

func FuzzReadDeadLetter(f *testing.F) {
	f.Add([]byte(`{"received_at":"2026-01-01T00:00:00Z","body":{},"dead_letter":{"mode":"raw","status":503,"reason":"r","attempts":2}}`))
	f.Add([]byte(`{"event_id":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ReadDeadLetter(b) // must not panic
	})
}

// BenchmarkSend is the client alone: 32 goroutines sending one event at a time, as send's
// workers do, over each transport against an httptest server (its cost included).
func BenchmarkSend(b *testing.B) {
	for _, x := range transports {
		b.Run(x.name, func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				io.WriteString(w, ok200.body)
			}))
			defer srv.Close()
			c, err := New(Options{URL: srv.URL + "/collection/" + inlet, FlowID: "f", Concurrency: 32, Transport: x.tr, Pipeline: x.pipeline})
			if err != nil {
				b.Fatal(err)
			}
			m := Message{Body: []byte(cioBody)}
			b.ReportAllocs()
			b.SetParallelism(16) // 32 goroutines on 2 cores
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if r := c.Send(context.Background(), m); r.Outcome != Delivered {
						b.Fatalf("result %+v", r)
					}
				}
			})
		})
	}
}

package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/recordings"
)

const inlet = "c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0c10519e0"

// endpoint is an httptest inlet that records each request body (and batch sizes) and
// answers 200 with an xactionId, or 207 for batches.
type endpoint struct {
	srv     *httptest.Server
	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
	batches []int
	n       atomic.Int64
}

func newEndpoint(t *testing.T, h func(w http.ResponseWriter, r *http.Request, body []byte) bool) *endpoint {
	t.Helper()
	e := &endpoint{}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		n := e.n.Add(1)
		if h != nil && h(w, r, b) {
			return
		}
		if strings.Contains(r.URL.Path, "/batch/") {
			var env struct{ Messages []json.RawMessage }
			json.Unmarshal(b, &env)
			e.mu.Lock()
			e.batches = append(e.batches, len(env.Messages))
			for _, m := range env.Messages {
				e.bodies = append(e.bodies, m)
			}
			e.mu.Unlock()
			out := make([]string, len(env.Messages))
			for i := range out {
				out[i] = fmt.Sprintf(`{"xactionId":"x:%d:%d"}`, n, i)
			}
			w.WriteHeader(207)
			io.WriteString(w, `{"responses":[`+strings.Join(out, ",")+`]}`)
			return
		}
		e.mu.Lock()
		e.bodies = append(e.bodies, b)
		e.headers = append(e.headers, r.Header.Clone())
		e.mu.Unlock()
		fmt.Fprintf(w, `{"xactionId":"1:1:%d"}`, n)
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) client(t *testing.T, o aep.Options) *aep.Client {
	t.Helper()
	o.URL = e.srv.URL + "/collection/" + inlet
	if o.FlowID == "" {
		o.FlowID = "f"
	}
	c, err := aep.New(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// collect runs Deliver and returns the results in arrival order.
func collect(t *testing.T, ctx context.Context, src Source, c *aep.Client, o Options) ([]Result, error) {
	t.Helper()
	var out []Result
	o.OnResult = func(r Result) { out = append(out, r) }
	err := Deliver(ctx, src, c, o)
	return out, err
}

func TestDeliver_pacingOnAnOversleepingClock(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	gaps := make([]time.Duration, 999)
	for i := range gaps {
		gaps[i] = time.Duration(rng.Int64N(int64(3 * time.Second)))
	}
	recs := captureRecords(t, gaps)
	e := newEndpoint(t, nil)
	for _, speed := range []float64{1, 10} {
		t.Run(fmt.Sprintf("speed=%g", speed), func(t *testing.T) {
			const overshoot = 2 * time.Millisecond
			clock := &fakeClock{now: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), rng: rand.New(rand.NewPCG(3, 4)), overshoot: overshoot}
			start := clock.now
			res, err := collect(t, context.Background(), sliceSource(recs), e.client(t, aep.Options{}),
				Options{Schedule: NewSchedule(clock, speed, 0)})
			if err != nil || len(res) != len(recs) {
				t.Fatalf("%d results, err %v", len(res), err)
			}
			// Each event is released at start + original offset / speed, within one timer
			// overshoot: the error does not accumulate over 1,000 events.
			for i, r := range res {
				want := start.Add(time.Duration(float64(recs[i].Capture.ReceivedAt.Sub(t0)) / speed))
				if d := r.Released.Sub(want); d < 0 || d > overshoot || r.Lag != d || r.Outcome != Delivered {
					t.Fatalf("event %d released %v after its due time (lag %v, %s), want within [0, %v]", i, d, r.Lag, r.Outcome, overshoot)
				}
			}
		})
	}
}

func TestSchedule_maxGapSpeedChangeAndPause(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: t0}
	s := NewSchedule(clock, 1, 5*time.Second)
	at := t0.Add(-time.Hour)
	if d := s.Due(at, true); !d.Equal(t0) {
		t.Fatalf("first due %v", d)
	}
	if d := s.Due(at.Add(time.Hour), true); !d.Equal(t0.Add(5 * time.Second)) {
		t.Fatalf("capped gap: due %v, want +5s", d.Sub(t0))
	}
	clock.now = t0.Add(5 * time.Second)
	s.SetSpeed(2)
	if d := s.Due(at.Add(time.Hour+4*time.Second), true); !d.Equal(clock.now.Add(2 * time.Second)) {
		t.Fatalf("after speed 2: due %v, want +2s", d.Sub(clock.now))
	}
	s.Pause()
	clock.now = clock.now.Add(time.Minute)
	s.Resume()
	if d := s.Due(at.Add(time.Hour+8*time.Second), true); !d.Equal(clock.now.Add(4 * time.Second)) {
		t.Fatalf("after a pause: due %v, want +4s from resume (2s left of the last gap + 2s)", d.Sub(clock.now))
	}
	s.SetSpeed(0)
	if d := s.Due(at.Add(2*time.Hour), true); !d.Equal(clock.now) {
		t.Fatalf("max speed: due %v, want now", d.Sub(clock.now))
	}
	s.SetSpeed(1)
	if d := s.Due(at.Add(2*time.Hour+time.Second), true); !d.Equal(clock.now.Add(time.Second)) {
		t.Fatalf("back to speed 1 after max: due %v, want +1s", d.Sub(clock.now))
	}
}

func TestDeliver_byteExactWithoutStaleSignature(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{time.Millisecond, time.Millisecond})
	e := newEndpoint(t, nil)
	res, err := collect(t, context.Background(), sliceSource(recs), e.client(t, aep.Options{}), Options{})
	if err != nil || len(res) != 3 {
		t.Fatalf("%d results, err %v", len(res), err)
	}
	for i := range recs {
		if !bytes.Equal(e.bodies[i], recs[i].Body) {
			t.Errorf("body %d changed", i)
		}
		if e.headers[i].Get(customerio.HeaderSignature) != "" {
			t.Errorf("captured (stale) signature forwarded")
		}
	}
}

func TestDeliver_shiftToNowAndNewIDs(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{1500 * time.Millisecond, 10 * time.Minute, 3 * time.Second})
	now := time.Date(2027, 5, 5, 12, 0, 0, 0, time.UTC)
	e := newEndpoint(t, nil)
	_, err := collect(t, context.Background(), sliceSource(recs), e.client(t, aep.Options{}),
		Options{ShiftToNow: true, NewEventIDs: true, Schedule: NewSchedule(&fakeClock{now: now}, 0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	shift := now.Sub(recs[0].Capture.ReceivedAt)
	for i, b := range e.bodies {
		ev, err := customerio.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		if want := recs[i].Event.Timestamp + int64(shift/time.Second); ev.Timestamp != want {
			t.Errorf("event %d timestamp %d, want %d", i, ev.Timestamp, want)
		}
		oldID, newID := ulid.MustParse(recs[i].Event.EventID), ulid.MustParse(ev.EventID)
		if ev.EventID == recs[i].Event.EventID || time.Duration(newID.Time()-oldID.Time())*time.Millisecond != shift {
			t.Errorf("event %d id %s not a fresh ULID moved by %v", i, ev.EventID, shift)
		}
		if e.headers[i].Get(customerio.HeaderSignature) != "" {
			t.Errorf("stale signature sent with a changed body")
		}
	}
}

func TestDeliver_transformErrorRejectsWithoutPosting(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{time.Second, time.Second})
	e := newEndpoint(t, nil)
	for _, mode := range []aep.Mode{aep.ModeXDM, aep.ModeBatch} {
		e.n.Store(0)
		tally := NewTally(nil)
		var firsts []Result
		res, err := collect(t, context.Background(), sliceSource(recs), e.client(t, aep.Options{Mode: mode}), Options{
			Tally: tally, OnFirstFailure: func(r Result) { firsts = append(firsts, r) },
			Transform: func(rec recordings.Record, body []byte) ([]byte, error) {
				if rec.Line == 2 {
					return nil, errors.New("mem:2: rejected by the mapping: timestamp: not a date")
				}
				return append([]byte(`{"header":{},"body":`), append(body, '}')...), nil
			}})
		if err != nil || len(res) != 3 {
			t.Fatalf("%s: %d results err %v", mode, len(res), err)
		}
		c := tally.Counts()
		if c.Delivered != 2 || c.Rejected != 1 || e.n.Load() == 0 {
			t.Errorf("%s: counts %+v", mode, c)
		}
		for _, r := range res {
			if r.Message.Line == 2 && (r.Outcome != Rejected || r.Attempts != 0 || !strings.Contains(r.Reason, "not a date")) {
				t.Errorf("%s: rejected event %+v", mode, r)
			}
		}
		if len(firsts) != 1 || firsts[0].Outcome != Rejected {
			t.Errorf("%s: first failures %+v", mode, firsts)
		}
		rep := tally.Report("send", string(mode), false)
		if len(rep.Failures) != 1 || !strings.HasPrefix(rep.Failures[0].Kind, "rejected: ") || !strings.Contains(rep.Failures[0].Example, "mem:2") {
			t.Errorf("%s: failures %+v", mode, rep.Failures)
		}
	}
}

func TestDeliver_batchGroupsOnlyEventsDueTogetherUnderTheLimit(t *testing.T) {
	t.Parallel()
	// Three events at t0, then two 1 s later: at speed 1 two batches; all 1,000-byte
	// bodies under a 2,100-byte limit: at most two per request at full speed.
	recs := captureRecords(t, []time.Duration{0, 0, time.Second, 0})
	e := newEndpoint(t, nil)
	clock := &fakeClock{now: t0}
	res, err := collect(t, context.Background(), sliceSource(recs), e.client(t, aep.Options{Mode: aep.ModeBatch}),
		Options{Schedule: NewSchedule(clock, 1, 0)})
	if err != nil || len(res) != 5 {
		t.Fatalf("%d results, err %v", len(res), err)
	}
	if len(e.batches) != 2 || e.batches[0] != 3 || e.batches[1] != 2 {
		t.Errorf("batches %v, want [3 2]: only events due at the same moment share a request", e.batches)
	}
	big := bytes.Repeat([]byte("x"), 1000)
	var many []recordings.Record
	for i := range 9 {
		many = append(many, recordings.Record{File: "m", Line: i + 1, Body: fmt.Appendf(nil, `{"pad":"%s"}`, big)})
	}
	e2 := newEndpoint(t, nil)
	res, _ = collect(t, context.Background(), sliceSource(many), e2.client(t, aep.Options{Mode: aep.ModeBatch, BatchMaxBytes: 2100}), Options{})
	total := 0
	for _, n := range e2.batches {
		if n > 2 {
			t.Errorf("batch of %d messages over the byte limit", n)
		}
		total += n
	}
	if total != 9 || len(res) != 9 {
		t.Errorf("batches %v carry %d, %d results", e2.batches, total, len(res))
	}
}

func TestDeliver_concurrencyAndOrder(t *testing.T) {
	t.Parallel()
	const C = 5
	var mu sync.Mutex
	inflight, peak := 0, 0
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request, b []byte) bool {
		mu.Lock()
		inflight++
		peak = max(peak, inflight)
		mu.Unlock()
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		inflight--
		mu.Unlock()
		return false
	})
	var recs []recordings.Record
	for i := range 40 {
		recs = append(recs, recordings.Record{File: "m", Line: i + 1, Body: fmt.Appendf(nil, `{"data":{"customer_id":"c%d"},"n":%d}`, i%8, i)}) // 8 customers: seldom all on one worker
		recs[i].Event, _ = customerio.Parse(recs[i].Body)
	}
	res, err := collect(t, context.Background(), sliceSource(recs), e.client(t, aep.Options{Concurrency: C, Ordered: true}), Options{})
	if err != nil || len(res) != 40 {
		t.Fatalf("%d results err %v", len(res), err)
	}
	if peak > C || peak < 2 {
		t.Errorf("peak %d in flight, want 2..%d", peak, C)
	}
	last := map[string]int{}
	for _, b := range e.bodies {
		ev, _ := customerio.Parse(b)
		var n struct{ N int }
		json.Unmarshal(b, &n)
		k := CustomerKey(ev.Data)
		if prev, ok := last[k]; ok && n.N < prev {
			t.Errorf("customer %s: event %d posted after %d", k, n.N, prev)
		}
		last[k] = n.N
	}
}

func TestDeliver_cancelledNotFailed(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request, b []byte) bool {
		<-release
		return false
	})
	defer close(release)
	var recs []recordings.Record
	for i := range 20 {
		recs = append(recs, recordings.Record{File: "m", Line: i + 1, Body: []byte(`{}`)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	tally := NewTally(nil)
	var dl bytes.Buffer
	c := e.client(t, aep.Options{Concurrency: 2})
	go func() {
		for e.n.Load() < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	err := Deliver(ctx, sliceSource(recs), c, Options{Tally: tally, DeadLetters: c.NewDeadLetterWriter(&dl)})
	cnt := tally.Counts()
	if !errors.Is(err, context.Canceled) || cnt.Failed != 0 || cnt.Cancelled == 0 || cnt.Delivered != 0 {
		t.Fatalf("err %v counts %+v: want only cancelled", err, cnt)
	}
	if dl.Len() != 0 {
		t.Errorf("cancelled events dead-lettered: %s", dl.String())
	}
}

func TestDeliver_verdictOnTheResult(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{time.Second})
	e := newEndpoint(t, nil)
	tally := NewTally(nil)
	res, _ := collect(t, context.Background(), sliceSource(recs), e.client(t, aep.Options{}), Options{Tally: tally,
		Verdict: func(x string) (Verdict, bool) {
			if strings.HasSuffix(x, ":2") {
				return Verdict{Reasons: []string{"timestamp: not a date-time"}}, true
			}
			return Verdict{Good: true}, true
		}})
	bad := 0
	for _, r := range res {
		if r.Verdict != nil && !r.Verdict.Good {
			bad++
		}
	}
	rep := tally.Report("send", "raw", true)
	var b strings.Builder
	rep.WriteText(&b)
	if bad != 1 || rep.Emulator.Bad != 1 || rep.Emulator.Good != 1 || !strings.Contains(b.String(), "timestamp: not a date-time") {
		t.Errorf("bad %d report %+v\n%s", bad, rep.Emulator, b.String())
	}
}

func TestJournal_resumeSkipsDoneAndCountsMaybeSent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, err := CreateJournal(path, JournalHeader{Command: "send", Inputs: []string{"a.jsonl"}, InFlight: 4})
	if err != nil {
		t.Fatal(err)
	}
	mk := func(line int, o Outcome, attempts int) Result {
		return Result{Result: aep.Result{Message: aep.Message{Input: "a.jsonl", Line: line}, Outcome: o, Attempts: attempts}}
	}
	var wg sync.WaitGroup
	for i := 1; i <= 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := Delivered
			switch i % 4 {
			case 1:
				o = Failed
			case 2:
				o = Cancelled
			case 3:
				o = Rejected
			}
			if err := j.Record(mk(i, o, i%5)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	// A kill leaves no end line (and maybe a torn one).
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"input":"a.jsonl","li`)
	f.Close()
	st, err := ReadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Ended || st.InFlight != 4 || st.First.Inputs[0] != "a.jsonl" || st.DoneCount() != 50 {
		t.Errorf("state ended=%v inflight=%d done=%d", st.Ended, st.InFlight, st.DoneCount())
	}
	if !st.Done("a.jsonl", 4) || !st.Done("a.jsonl", 3) || st.Done("a.jsonl", 1) || st.Done("a.jsonl", 2) {
		t.Errorf("done set wrong")
	}
	if !st.MaybeSent("a.jsonl", 2) || st.MaybeSent("a.jsonl", 10) {
		t.Errorf("maybe-sent wrong: line 2 (cancelled after 2 attempts) %v, line 10 (0 attempts) %v", st.MaybeSent("a.jsonl", 2), st.MaybeSent("a.jsonl", 10))
	}
}

func FuzzReadJournal(f *testing.F) {
	f.Add([]byte("{\"journal\":1,\"inputs\":[\"a\"]}\n{\"input\":\"a\",\"line\":1,\"outcome\":\"delivered\"}\n"))
	f.Add([]byte("{\"journal\":1}\n{\"end\":\"2026-01-01T00:00:00Z\"}\n{\"inp"))
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "j")
		os.WriteFile(path, b, 0o600)
		ReadJournal(path) // must not panic
	})
}

func TestAppendEntryIsJSON(t *testing.T) {
	r := Result{Result: aep.Result{Message: aep.Message{Input: "a \"b\"\n.jsonl", Line: 7, EventID: "é\x01"}, Outcome: Failed, Status: 503, Attempts: 2, Reason: "<try> later"}}
	var e JournalEntry
	if err := json.Unmarshal(appendEntry(nil, r), &e); err != nil || e.Input != r.Message.Input || e.EventID != r.Message.EventID || e.Line != 7 || e.Outcome != Failed || e.Status != 503 || e.Reason != r.Reason {
		t.Errorf("entry %+v err %v", e, err)
	}
	_ = strconv.Itoa
}

func records(n int, body func(i int) []byte) []recordings.Record {
	out := make([]recordings.Record, n)
	for i := range out {
		out[i] = recordings.Record{File: "m", Line: i + 1, Body: body(i)}
	}
	return out
}

func TestDeliver_batchSplitsUnderTheRequestLimit(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var sizes []int
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request, b []byte) bool {
		mu.Lock()
		sizes = append(sizes, len(b))
		mu.Unlock()
		return false
	})
	big := bytes.Repeat([]byte("x"), 100_000)
	res, err := collect(t, context.Background(), sliceSource(records(30, func(int) []byte { return fmt.Appendf(nil, `{"pad":"%s"}`, big) })),
		e.client(t, aep.Options{Mode: aep.ModeBatch}), Options{})
	if err != nil || len(res) != 30 {
		t.Fatalf("%d results err %v", len(res), err)
	}
	for i, s := range sizes {
		if s > aep.MaxRequestBytes {
			t.Errorf("request %d is %d bytes, over the 1 MB limit", i, s)
		}
	}
	if len(sizes) < 3 {
		t.Errorf("%d requests, want at least 3", len(sizes))
	}
}

func TestDeliver_customerIOHeadOfLine(t *testing.T) {
	t.Parallel()
	// The first event fails twice; Customer.io holds every later event back until it succeeds.
	var mu sync.Mutex
	var order []string
	fails := 2
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request, b []byte) bool {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, string(b))
		if string(b) == `{"n":1}` && fails > 0 {
			fails--
			w.WriteHeader(500)
			return true
		}
		return false
	})
	c := e.client(t, aep.Options{Retries: 5, Concurrency: 16, CustomerIOSemantics: true, TimeScale: 1e-6})
	collect(t, context.Background(), sliceSource(records(3, func(i int) []byte { return fmt.Appendf(nil, `{"n":%d}`, i+1) })), c, Options{})
	want := `{"n":1} {"n":1} {"n":1} {"n":2} {"n":3}`
	if got := strings.Join(order, " "); got != want {
		t.Fatalf("requests in order %s, want %s (head-of-line blocking)", got, want)
	}
}

func TestDeliver_rateLimit(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var at []time.Time
	e := newEndpoint(t, func(w http.ResponseWriter, r *http.Request, b []byte) bool {
		mu.Lock()
		at = append(at, time.Now())
		mu.Unlock()
		return false
	})
	collect(t, context.Background(), sliceSource(records(6, func(int) []byte { return []byte(`{}`) })),
		e.client(t, aep.Options{Rate: 50, Concurrency: 4}), Options{})
	first, last := at[0], at[0]
	for _, a := range at {
		if a.Before(first) {
			first = a
		}
		if a.After(last) {
			last = a
		}
	}
	// 6 requests at 50/s with a burst of 1: 5 gaps of 20 ms (only 3 asserted).
	if span := last.Sub(first); len(at) != 6 || span < 60*time.Millisecond {
		t.Fatalf("%d requests within %s, want 6 spread over at least 60ms", len(at), span)
	}
}

func BenchmarkJournal_Record(b *testing.B) {
	j, err := CreateJournal(filepath.Join(b.TempDir(), "j.jsonl"), JournalHeader{})
	if err != nil {
		b.Fatal(err)
	}
	defer j.Close(Counts{})
	r := Result{Result: aep.Result{Message: aep.Message{Input: "events.jsonl", Line: 12345, EventID: "01KKPEAAE6NJ4W2SS5ZMYQZM2C"}, Outcome: Delivered, Status: 200, Attempts: 1}}
	b.SetParallelism(16) // 32 goroutines on 2 cores, as send -c 32
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			j.Record(r)
		}
	})
}

// readySource yields recs, then reports it is not ready and blocks until released: a
// followed file waiting for its writer.
type readySource struct {
	recs    []recordings.Record
	i       int
	release chan struct{}
}

func (s *readySource) Ready() bool { return s.i < len(s.recs) }

func (s *readySource) Next(ctx context.Context) (recordings.Record, error) {
	if s.i < len(s.recs) {
		s.i++
		return s.recs[s.i-1], nil
	}
	select {
	case <-s.release:
		return recordings.Record{}, io.EOF
	case <-ctx.Done():
		return recordings.Record{}, ctx.Err()
	}
}

func TestDeliver_batchIsSentBeforeTheSourceBlocks(t *testing.T) {
	t.Parallel()
	e := newEndpoint(t, nil)
	src := &readySource{recs: records(3, func(int) []byte { return []byte(`{}`) }), release: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- Deliver(context.Background(), src, e.client(t, aep.Options{Mode: aep.ModeBatch}), Options{})
	}()
	deadline := time.Now().Add(5 * time.Second)
	for e.n.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the batch waited for the blocked source")
		}
		time.Sleep(time.Millisecond)
	}
	close(src.release)
	if err := <-done; err != nil || len(e.batches) != 1 || e.batches[0] != 3 {
		t.Fatalf("err %v batches %v, want one batch of 3 sent while the source waited", err, e.batches)
	}
}

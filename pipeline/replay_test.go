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
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/secret"
)

// fakeClock advances only when slept on. Each Sleep overshoots by a pseudo-random amount
// up to overshoot, like a real timer, so a schedule that accumulates error shows it.
type fakeClock struct {
	now       time.Time
	rng       *rand.Rand
	overshoot time.Duration
	sleeps    int
}

func (c *fakeClock) Now() time.Time { return c.now }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	c.sleeps++
	c.now = c.now.Add(d)
	if c.overshoot > 0 {
		c.now = c.now.Add(time.Duration(c.rng.Int64N(int64(c.overshoot))))
	}
	return ctx.Err()
}

var t0 = time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC)

// captureRecords builds n capture records with the given gaps between arrivals.
func captureRecords(t *testing.T, gaps []time.Duration) []recordings.Record {
	t.Helper()
	at := t0
	var out []recordings.Record
	for i := 0; i <= len(gaps); i++ {
		if i > 0 {
			at = at.Add(gaps[i-1])
		}
		id := ulid.MustNew(ulid.Timestamp(at.Add(-500*time.Millisecond)), rand.NewChaCha8([32]byte{byte(i), byte(i >> 8)}))
		body := fmt.Appendf(nil, `{"data":{"delivery_id":"d%d"},"event_id":"%s","metric":"sent","object_type":"email","timestamp":%d}`, i, id, at.Add(-time.Second).Unix())
		ev, err := customerio.Parse(body)
		if err != nil {
			t.Fatal(err)
		}
		c := &recordings.Capture{ReceivedAt: at, Method: "POST", Body: body, Signature: recordings.SignatureValid,
			Headers: map[string]string{"X-Cio-Timestamp": strconv.FormatInt(at.Unix(), 10), "X-Cio-Signature": customerio.Sign([]byte("k"), at.Unix(), body)}}
		out = append(out, recordings.Record{File: "mem", Line: i + 1, Capture: c, Body: body, Event: ev})
	}
	return out
}

func sliceSource(recs []recordings.Record) Source {
	i := 0
	return SourceFunc(func(context.Context) (recordings.Record, error) {
		if i == len(recs) {
			return recordings.Record{}, io.EOF
		}
		i++
		return recs[i-1], nil
	})
}

type sent struct {
	at  time.Time
	req Request
}

func recordingSender(clock Clock, out *[]sent) Sender {
	return SenderFunc(func(_ context.Context, r Request) (Response, error) {
		*out = append(*out, sent{clock.Now(), r})
		return Response{Status: 200}, nil
	})
}

func TestReplay_pacing(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	gaps := make([]time.Duration, 999)
	var total time.Duration
	for i := range gaps {
		gaps[i] = time.Duration(rng.Int64N(int64(3 * time.Second)))
		total += gaps[i]
	}
	recs := captureRecords(t, gaps)
	tests := []struct {
		speed float64
	}{{1}, {10}}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("speed=%g", tt.speed), func(t *testing.T) {
			t.Parallel()
			const overshoot = 2 * time.Millisecond
			clock := &fakeClock{now: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), rng: rand.New(rand.NewPCG(3, 4)), overshoot: overshoot}
			start := clock.now
			var got []sent
			var lags []time.Duration
			st, err := Replay(context.Background(), sliceSource(recs), recordingSender(clock, &got),
				ReplayOptions{Speed: tt.speed, Clock: clock, OnResult: func(r ReplayResult) { lags = append(lags, r.Lag) }})
			if err != nil || st.Sent != len(recs) {
				t.Fatalf("stats %+v err %v", st, err)
			}
			// Each send must happen at start + original offset / speed, within one timer
			// overshoot: error must not accumulate over 1,000 events.
			for i, s := range got {
				want := start.Add(time.Duration(float64(recs[i].Capture.ReceivedAt.Sub(t0)) / tt.speed))
				if d := s.at.Sub(want); d < 0 || d > overshoot {
					t.Fatalf("event %d sent %v after its due time, want within [0, %v]", i, d, overshoot)
				}
				if lags[i] != s.at.Sub(want) {
					t.Fatalf("reported lag %v, measured %v", lags[i], s.at.Sub(want))
				}
			}
			wantTotal := time.Duration(float64(total) / tt.speed)
			if d := got[len(got)-1].at.Sub(start) - wantTotal; d < 0 || d > overshoot {
				t.Errorf("replay took %v, want %v", got[len(got)-1].at.Sub(start), wantTotal)
			}
		})
	}
}

func TestReplay_maxGapAndMaxSpeed(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{time.Second, time.Hour, 2 * time.Second})
	clock := &fakeClock{now: t0}
	var got []sent
	Replay(context.Background(), sliceSource(recs), recordingSender(clock, &got), ReplayOptions{Speed: 1, MaxGap: 5 * time.Second, Clock: clock})
	offs := []time.Duration{0, time.Second, 6 * time.Second, 8 * time.Second}
	for i, s := range got {
		if s.at.Sub(t0) != offs[i] {
			t.Errorf("event %d at +%v, want +%v", i, s.at.Sub(t0), offs[i])
		}
	}
	clock = &fakeClock{now: t0}
	got = nil
	Replay(context.Background(), sliceSource(recs), recordingSender(clock, &got), ReplayOptions{Clock: clock})
	if clock.sleeps != 0 || len(got) != 4 {
		t.Errorf("max speed slept %d times, sent %d", clock.sleeps, len(got))
	}
}

func TestReplay_byteExactWithCapturedSignature(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{time.Millisecond, time.Millisecond})
	var mu sync.Mutex
	var bodies [][]byte
	var sigs []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		sigs = append(sigs, r.Header.Get(customerio.HeaderSignature))
		mu.Unlock()
	}))
	defer srv.Close()
	st, err := Replay(context.Background(), sliceSource(recs), &HTTPSender{URL: srv.URL}, ReplayOptions{})
	if err != nil || st.Sent != 3 {
		t.Fatalf("%+v %v", st, err)
	}
	for i := range recs {
		if !bytes.Equal(bodies[i], recs[i].Body) {
			t.Errorf("body %d changed", i)
		}
		if sigs[i] != recs[i].Capture.Headers["X-Cio-Signature"] {
			t.Errorf("captured signature not forwarded")
		}
	}
}

func TestReplay_shiftToNowKeepsGaps(t *testing.T) {
	t.Parallel()
	gaps := []time.Duration{1500 * time.Millisecond, 10 * time.Minute, 3 * time.Second}
	recs := captureRecords(t, gaps)
	now := time.Date(2027, 5, 5, 12, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: now}
	var got []sent
	_, err := Replay(context.Background(), sliceSource(recs), recordingSender(clock, &got),
		ReplayOptions{ShiftToNow: true, Clock: clock, ResignKey: secret.New("new-key")})
	if err != nil {
		t.Fatal(err)
	}
	shift := now.Sub(recs[0].Capture.ReceivedAt)
	for i, s := range got {
		ev, err := customerio.Parse(s.req.Body)
		if err != nil {
			t.Fatal(err)
		}
		if want := recs[i].Event.Timestamp + int64(shift/time.Second); ev.Timestamp != want {
			t.Errorf("event %d timestamp %d, want %d", i, ev.Timestamp, want)
		}
		oldID, newID := ulid.MustParse(recs[i].Event.EventID), ulid.MustParse(ev.EventID)
		if d := time.Duration(newID.Time()-oldID.Time()) * time.Millisecond; d != shift {
			t.Errorf("event %d id time moved %v, want %v", i, d, shift)
		}
		if i > 0 {
			prev, _ := customerio.Parse(got[i-1].req.Body)
			if ev.Timestamp-prev.Timestamp != recs[i].Event.Timestamp-recs[i-1].Event.Timestamp {
				t.Errorf("gap %d changed", i)
			}
		}
		// only timestamp and event_id changed
		want := strings.Replace(string(recs[i].Body), recs[i].Event.EventID, ev.EventID, 1)
		want = strings.Replace(want, strconv.FormatInt(recs[i].Event.Timestamp, 10), strconv.FormatInt(ev.Timestamp, 10), 1)
		if string(s.req.Body) != want {
			t.Errorf("body rewritten beyond timestamp and event_id:\n got %s\nwant %s", s.req.Body, want)
		}
		ts := s.req.Header.Get(customerio.HeaderTimestamp)
		if ts != strconv.FormatInt(now.Unix(), 10) {
			t.Errorf("X-CIO-Timestamp %s, want the send time", ts)
		}
		if err := customerio.Verify([]byte("new-key"), ts, s.req.Header.Get(customerio.HeaderSignature), s.req.Body, customerio.VerifyOptions{}); err != nil {
			t.Errorf("re-signed request does not verify: %v", err)
		}
	}
}

func TestReplay_newEventIDs(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{time.Second, time.Second})
	clock := &fakeClock{now: t0}
	var got []sent
	Replay(context.Background(), sliceSource(recs), recordingSender(clock, &got), ReplayOptions{NewEventIDs: true, Clock: clock})
	seen := map[string]bool{}
	for i, s := range got {
		ev, _ := customerio.Parse(s.req.Body)
		id, err := ulid.ParseStrict(ev.EventID)
		if err != nil || ev.EventID == recs[i].Event.EventID || seen[ev.EventID] {
			t.Errorf("event %d id %q not a fresh ULID (%v)", i, ev.EventID, err)
		}
		seen[ev.EventID] = true
		if id.Time() != ulid.MustParse(recs[i].Event.EventID).Time() {
			t.Errorf("new id time differs from the original's")
		}
		if s.req.Header.Get(customerio.HeaderSignature) != "" {
			t.Errorf("stale signature sent with a changed body")
		}
	}
}

func TestReplay_skipsAndFailures(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{time.Second})
	items := []any{recs[0], &recordings.LineError{File: "f", Line: 2, Err: errors.New("junk")}, recs[1]}
	i := 0
	src := SourceFunc(func(context.Context) (recordings.Record, error) {
		if i == len(items) {
			return recordings.Record{}, io.EOF
		}
		i++
		switch v := items[i-1].(type) {
		case recordings.Record:
			return v, nil
		default:
			return recordings.Record{}, v.(error)
		}
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
	defer srv.Close()
	var skipped []error
	st, err := Replay(context.Background(), src, &HTTPSender{URL: srv.URL}, ReplayOptions{OnSkip: func(e error) { skipped = append(skipped, e) }})
	var se *StatusError
	if err != nil || st.Failed != 2 || st.Skipped != 1 || len(skipped) != 1 {
		t.Errorf("stats %+v err %v skipped %v", st, err, skipped)
	}
	_, serr := (&HTTPSender{URL: srv.URL}).Send(context.Background(), Request{Body: []byte("{}")})
	if !errors.As(serr, &se) || se.Status != 503 {
		t.Errorf("err %v, want *StatusError 503", serr)
	}
}

func TestReplaceTopLevel(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, key, val, want string }{
		{`{"a":1,"timestamp":  5 ,"data":{"timestamp":7}}`, "timestamp", "9", `{"a":1,"timestamp":  9 ,"data":{"timestamp":7}}`},
		{`{"data":{"event_id":"x"},"event_id":"y"}`, "event_id", `"z"`, `{"data":{"event_id":"x"},"event_id":"z"}`},
	}
	for _, tt := range tests {
		got, err := ReplaceTopLevel([]byte(tt.in), tt.key, []byte(tt.val))
		if err != nil || string(got) != tt.want {
			t.Errorf("ReplaceTopLevel(%s) = %s, %v; want %s", tt.in, got, err, tt.want)
		}
	}
	if _, err := ReplaceTopLevel([]byte(`{"a":1}`), "b", []byte("1")); err == nil {
		t.Errorf("missing key: no error")
	}
}

// BenchmarkReplayPacing replays 1,000 events with gaps of 0–4 ms at speed 1 on the real
// clock and reports the pacing error percentiles.
func BenchmarkReplayPacing(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	gaps := make([]time.Duration, 999)
	for i := range gaps {
		gaps[i] = time.Duration(rng.Int64N(int64(4 * time.Millisecond)))
	}
	recs := captureRecords(&testing.T{}, gaps)
	for b.Loop() {
		var lags []time.Duration
		Replay(context.Background(), sliceSource(recs), SenderFunc(func(context.Context, Request) (Response, error) { return Response{Status: 200}, nil }),
			ReplayOptions{Speed: 1, OnResult: func(r ReplayResult) { lags = append(lags, r.Lag) }})
		sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
		b.ReportMetric(float64(lags[len(lags)/2].Microseconds()), "p50-µs")
		b.ReportMetric(float64(lags[len(lags)*99/100].Microseconds()), "p99-µs")
		b.ReportMetric(float64(lags[len(lags)-1].Microseconds()), "max-µs")
	}
}

func FuzzReplaceTopLevel(f *testing.F) {
	f.Add([]byte(`{"timestamp":1,"data":{"timestamp":2}}`))
	f.Add([]byte(` { "a" : [1,{"timestamp":3}], "timestamp" :4 } `))
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := ReplaceTopLevel(b, "timestamp", []byte("99"))
		if err != nil {
			return
		}
		if json.Valid(b) && !json.Valid(out) {
			t.Fatalf("valid %q became invalid %q", b, out)
		}
	})
}

func TestRealClock_sleep(t *testing.T) {
	t.Parallel()
	var c RealClock
	start := c.Now()
	if err := c.Sleep(context.Background(), 3*time.Millisecond); err != nil || c.Now().Sub(start) < 3*time.Millisecond {
		t.Errorf("slept %v, err %v", c.Now().Sub(start), err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled sleep returned %v", err)
	}
}

func TestReplay_transform(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{time.Second, time.Second})
	clock := &fakeClock{now: t0}
	var got []sent
	var results []ReplayResult
	st, err := Replay(context.Background(), sliceSource(recs), recordingSender(clock, &got), ReplayOptions{
		Clock: clock, ShiftToNow: true, ResignKey: secret.New("k"),
		Transform: func(rec recordings.Record, body []byte) ([]byte, error) {
			if rec.Line == 2 {
				return nil, errors.New("mapping rejected it")
			}
			return append([]byte(`{"xdm":`), append(body, '}')...), nil
		},
		OnResult: func(r ReplayResult) { results = append(results, r) },
	})
	if err != nil || st.Sent != 2 || st.Failed != 1 || len(got) != 2 {
		t.Fatalf("stats %+v err %v sent %d", st, err, len(got))
	}
	if !strings.HasPrefix(string(got[0].req.Body), `{"xdm":{"data"`) || got[0].req.Header != nil {
		t.Errorf("transformed request %s %v", got[0].req.Body, got[0].req.Header)
	}
	if results[1].Err == nil || !strings.Contains(results[1].Err.Error(), "mapping rejected") {
		t.Errorf("transform error not reported: %+v", results[1])
	}
}

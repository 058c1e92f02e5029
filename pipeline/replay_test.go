package pipeline

import (
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
	"testing"
	"time"

	"github.com/oklog/ulid/v2"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/recordings"
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
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"xactionId":"x"}`) }))
	defer srv.Close()
	c, _ := aep.New(aep.Options{URL: srv.URL + "/collection/" + inlet, FlowID: "f"})
	for b.Loop() {
		var lags []time.Duration
		Deliver(context.Background(), sliceSource(recs), c,
			Options{Schedule: NewSchedule(nil, 1, 0), OnResult: func(r Result) { lags = append(lags, r.Lag) }})
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

package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/recordings"
)

type sentBatch struct {
	at   time.Time
	reqs []Request
}

// batchRecorder keeps every batch with the clock time it was sent at; fail says which
// requests (by body) to fail.
func batchRecorder(clock Clock, out *[]sentBatch, fail func(Request) error) BatchSender {
	return BatchSenderFunc(func(_ context.Context, reqs []Request) []Outcome {
		*out = append(*out, sentBatch{clock.Now(), append([]Request(nil), reqs...)})
		res := make([]Outcome, len(reqs))
		for i, r := range reqs {
			res[i] = Outcome{Response: Response{Status: 207}}
			if fail != nil {
				res[i].Err = fail(r)
			}
		}
		return res
	})
}

func TestReplayBatch_groupsOnlyEventsDueTogether(t *testing.T) {
	t.Parallel()
	// Gaps: three events at once, then 1 s later two at once, then 250 ms later one.
	gaps := []time.Duration{0, 0, time.Second, 0, 250 * time.Millisecond}
	recs := captureRecords(t, gaps)
	clock := &fakeClock{now: t0}
	var batches []sentBatch
	var results []ReplayResult
	st, err := ReplayBatch(context.Background(), sliceSource(recs), batchRecorder(clock, &batches, nil),
		ReplayOptions{Speed: 1, Clock: clock, OnResult: func(r ReplayResult) { results = append(results, r) }},
		BatchOptions{MaxRequests: 100})
	if err != nil || st.Sent != 6 || st.Failed != 0 {
		t.Fatalf("%+v %v", st, err)
	}
	want := []struct {
		n  int
		at time.Duration
	}{{3, 0}, {2, time.Second}, {1, 1250 * time.Millisecond}}
	if len(batches) != len(want) {
		t.Fatalf("%d batches, want %d", len(batches), len(want))
	}
	k := 0
	for i, w := range want {
		if len(batches[i].reqs) != w.n || batches[i].at.Sub(t0) != w.at {
			t.Errorf("batch %d: %d requests at +%v, want %d at +%v", i, len(batches[i].reqs), batches[i].at.Sub(t0), w.n, w.at)
		}
		for _, r := range batches[i].reqs {
			if string(r.Body) != string(recs[k].Body) {
				t.Errorf("batch %d: body %s, want record %d", i, r.Body, k)
			}
			k++
		}
	}
	for i, r := range results {
		if r.Record.Line != i+1 || r.Lag != 0 || r.Response.Status != 207 {
			t.Errorf("result %d: line %d lag %v status %d", i, r.Record.Line, r.Lag, r.Response.Status)
		}
	}
}

func TestReplayBatch_speed10(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{time.Second, time.Second, 0})
	clock := &fakeClock{now: t0}
	var batches []sentBatch
	if _, err := ReplayBatch(context.Background(), sliceSource(recs), batchRecorder(clock, &batches, nil),
		ReplayOptions{Speed: 10, Clock: clock}, BatchOptions{}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range batches {
		got = append(got, fmt.Sprintf("%d@%v", len(b.reqs), b.at.Sub(t0)))
	}
	if fmt.Sprint(got) != "[1@0s 1@100ms 2@200ms]" {
		t.Errorf("batches %v", got)
	}
}

func TestReplayBatch_maxSpeedFillsToLimits(t *testing.T) {
	t.Parallel()
	gaps := make([]time.Duration, 22) // 23 events, 1 s apart: all due at once at max speed
	for i := range gaps {
		gaps[i] = time.Second
	}
	recs := captureRecords(t, gaps)
	size := len(recs[0].Body) // every body has the same length up to two digits
	tests := []struct {
		name  string
		bo    BatchOptions
		sizes []int
	}{
		{"count", BatchOptions{MaxRequests: 5}, []int{5, 5, 5, 5, 3}},
		{"bytes", BatchOptions{MaxBytes: 15 + 4*(size+1) + 9, Overhead: 15}, nil},
		{"one request over the limit goes alone", BatchOptions{MaxBytes: 10}, nil},
	}
	for _, tt := range tests {
		clock := &fakeClock{now: t0}
		var batches []sentBatch
		st, err := ReplayBatch(context.Background(), sliceSource(recs), batchRecorder(clock, &batches, nil),
			ReplayOptions{Clock: clock}, tt.bo)
		if err != nil || st.Sent != len(recs) {
			t.Fatalf("%s: %+v %v", tt.name, st, err)
		}
		total := 0
		for i, b := range batches {
			total += len(b.reqs)
			n := tt.bo.Overhead - 1
			for _, r := range b.reqs {
				n += len(r.Body) + 1
			}
			if tt.bo.MaxBytes > 0 && len(b.reqs) > 1 && n > tt.bo.MaxBytes {
				t.Errorf("%s: batch %d is %d bytes > %d", tt.name, i, n, tt.bo.MaxBytes)
			}
			if tt.bo.MaxRequests > 0 && len(b.reqs) > tt.bo.MaxRequests {
				t.Errorf("%s: batch %d has %d requests", tt.name, i, len(b.reqs))
			}
			if tt.sizes != nil && (i >= len(tt.sizes) || len(b.reqs) != tt.sizes[i]) {
				t.Errorf("%s: batch %d has %d requests, want sizes %v", tt.name, i, len(b.reqs), tt.sizes)
			}
		}
		if total != len(recs) {
			t.Errorf("%s: %d requests sent, want %d", tt.name, total, len(recs))
		}
		switch tt.name {
		case "bytes":
			if len(batches) != 6 { // 4 per batch (the body length varies by a byte or two)
				t.Errorf("bytes: %d batches, want 6", len(batches))
			}
		case "one request over the limit goes alone":
			if len(batches) != len(recs) {
				t.Errorf("%d batches, want one per request", len(batches))
			}
		}
		if clock.sleeps != 0 {
			t.Errorf("%s: slept %d times at max speed", tt.name, clock.sleeps)
		}
	}
}

func TestReplayBatch_perRequestOutcomes(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{0, 0}) // three events
	recs = append(recs[:1], append([]recordings.Record{{File: "mem", Line: 9, Body: []byte(`not json`), EventErr: errors.New("bad")}}, recs[1:]...)...)
	clock := &fakeClock{now: t0}
	var batches []sentBatch
	boom := errors.New("element failed")
	var results []ReplayResult
	st, err := ReplayBatch(context.Background(), sliceSource(recs), batchRecorder(clock, &batches, func(r Request) error {
		if strings.Contains(string(r.Body), `"delivery_id":"d1"`) {
			return boom
		}
		return nil
	}), ReplayOptions{Clock: clock, NewEventIDs: true, OnResult: func(r ReplayResult) { results = append(results, r) }}, BatchOptions{})
	if err != nil || st.Sent != 2 || st.Failed != 2 {
		t.Fatalf("%+v %v", st, err)
	}
	if len(batches) != 1 || len(batches[0].reqs) != 3 {
		t.Fatalf("batches %+v", batches)
	}
	wantLines := []int{1, 9, 2, 3}
	for i, r := range results {
		if r.Record.Line != wantLines[i] {
			t.Errorf("result %d is line %d, want %d (input order)", i, r.Record.Line, wantLines[i])
		}
		failed := r.Err != nil
		if failed != (i == 1 || i == 2) {
			t.Errorf("result %d (line %d): err %v", i, r.Record.Line, r.Err)
		}
	}
	if !errors.Is(results[2].Err, boom) || results[1].Request.Body != nil {
		t.Errorf("results %+v", results)
	}
}

// readySource is a slice source that says it would block after index idleAfter.
type readySource struct {
	Source
	i, idleAfter int
}

func (s *readySource) Next(ctx context.Context) (recordings.Record, error) {
	s.i++
	return s.Source.Next(ctx)
}
func (s *readySource) Ready() bool { return s.i != s.idleAfter }

func TestReplayBatch_flushesBeforeTheSourceBlocks(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{0, 0, 0, 0}) // five events
	clock := &fakeClock{now: t0}
	var batches []sentBatch
	src := &readySource{Source: sliceSource(recs), idleAfter: 2}
	if _, err := ReplayBatch(context.Background(), src, batchRecorder(clock, &batches, nil), ReplayOptions{Clock: clock}, BatchOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(batches) != 2 || len(batches[0].reqs) != 2 || len(batches[1].reqs) != 3 {
		t.Errorf("batches: %d", len(batches))
	}
}

func TestReplayBatch_missingOutcomeIsAFailure(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{0}) // two events
	s := BatchSenderFunc(func(context.Context, []Request) []Outcome { return []Outcome{{}} })
	st, err := ReplayBatch(context.Background(), sliceSource(recs), s, ReplayOptions{Clock: &fakeClock{now: t0}}, BatchOptions{})
	if err != nil || st.Sent != 1 || st.Failed != 1 {
		t.Errorf("%+v %v", st, err)
	}
}

// TestReplayBatch_interruptedIsAnError: when ctx ends while a batch is out and the source
// then ends (a watcher closes on cancel), ReplayBatch reports the interruption, not a
// normal end, and every record read still gets a result.
func TestReplayBatch_interruptedIsAnError(t *testing.T) {
	t.Parallel()
	recs := captureRecords(t, []time.Duration{0, 0})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := BatchSenderFunc(func(ctx context.Context, reqs []Request) []Outcome {
		cancel()
		out := make([]Outcome, len(reqs))
		for i := range out {
			out[i].Err = ctx.Err()
		}
		return out
	})
	src := &readySource{Source: sliceSource(recs), idleAfter: 3}
	results := 0
	st, err := ReplayBatch(ctx, src, s, ReplayOptions{Clock: &fakeClock{now: t0}, OnResult: func(ReplayResult) { results++ }}, BatchOptions{})
	if !errors.Is(err, context.Canceled) || st.Failed != 3 || results != 3 {
		t.Errorf("%+v %v, %d results", st, err, results)
	}
}

package wiring

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/tui"
)

// tuiSender fires the TUI's payloads through the delivery pipeline, as every command does:
// one aep client per mode (the client's mode is fixed at construction), XDM payloads made
// with the TUI's transformer so that the mapping set the inspector shows is the one sent
// (an event it cannot map is rejected, not sent), failed events dead-lettered, and, on the
// embedded emulator, its verdict on each delivered event.
type tuiSender struct {
	clients map[tui.Mode]*aep.Client
	tr      tui.Transformer
	dead    *DeadLetterFile
	verdict func(xactionID string) (pipeline.Verdict, bool)
}

var _ tui.Sender = (*tuiSender)(nil)

// NewTUISender builds the clients for url. Retries are few so that the screen answers fast;
// `ciosim send` is the place for long retry schedules. emu, when the endpoint is the
// embedded emulator, gives its verdicts.
func NewTUISender(o aep.Options, tr tui.Transformer, dead *DeadLetterFile, emu *emulator.Server) (*tuiSender, error) {
	s := &tuiSender{clients: map[tui.Mode]*aep.Client{}, tr: tr, dead: dead}
	if emu != nil {
		s.verdict = func(x string) (pipeline.Verdict, bool) {
			v, ok := emu.Verdict(x)
			return pipeline.Verdict{Good: v.Good, Reasons: v.Reasons}, ok
		}
	}
	for _, m := range tui.Modes() {
		co := o
		co.Mode = aep.Mode(m)
		if co.Concurrency == 0 {
			co.Concurrency = 4
		}
		c, err := aep.New(co)
		if err != nil {
			return nil, err
		}
		s.clients[m] = c
	}
	return s, nil
}

// Send fires payloads in mode and returns the delivery engine's result for each payload,
// in the payloads' order.
func (s *tuiSender) Send(ctx context.Context, mode tui.Mode, mappingSet string, ps []tui.Payload) ([]pipeline.Result, error) {
	c, ok := s.clients[mode]
	if !ok {
		return nil, fmt.Errorf("send: unknown mode %q", mode)
	}
	i := 0
	src := pipeline.SourceFunc(func(context.Context) (recordings.Record, error) {
		if i == len(ps) {
			return recordings.Record{}, io.EOF
		}
		i++
		ev, err := customerio.Parse(ps[i-1].Event)
		return recordings.Record{File: "tui #" + ps[i-1].ID, Line: i, Body: ps[i-1].Event, Event: ev, EventErr: err}, nil
	})
	out := make([]pipeline.Result, len(ps))
	have := make([]bool, len(ps))
	o := pipeline.Options{Verdict: s.verdict, OnResult: func(r pipeline.Result) {
		if r.Outcome == pipeline.Failed && s.dead != nil {
			_ = s.dead.add(c, r.Result) // best effort: the session's own list keeps it too
		}
		out[r.Message.Line-1], have[r.Message.Line-1] = r, true
	}}
	if mode != tui.ModeRaw {
		o.Transform = func(_ recordings.Record, body []byte) ([]byte, error) {
			if s.tr == nil {
				return nil, errors.New("xdm mode needs a transformer")
			}
			t, err := s.tr.Transform(ctx, mappingSet, body)
			if err != nil {
				return nil, fmt.Errorf("transform: %w", err)
			}
			return t.Message, nil
		}
	}
	err := pipeline.Deliver(ctx, src, c, o)
	cancelled := errors.Is(err, context.Canceled)
	for i, p := range ps {
		if have[i] {
			continue
		}
		// Not read before the run ended, so not sent: every payload has its result.
		r := aep.Result{Message: aep.Message{Input: "tui #" + p.ID, Line: i + 1, Body: p.Event}, Outcome: pipeline.Cancelled,
			Reason: "interrupted: not sent", Kind: "cancelled"}
		if !cancelled && err != nil {
			r.Outcome, r.Reason, r.Kind = pipeline.Failed, err.Error(), "not sent"
		}
		out[i] = pipeline.Result{Result: r}
	}
	if cancelled {
		err = nil
	}
	return out, err
}

// StartEmulator runs the embedded AEP emulator on loopback, mapping raw posts with the
// experience-event mapping set the way `ciosim serve` does.
func StartEmulator(tenant string) (*emulator.Server, *emulator.Running, func(), error) {
	deps, err := XDMDeps(tenant)
	if err != nil {
		return nil, nil, nil, err
	}
	srv, err := emulator.New(emulator.Options{Mapper: deps.Mapper, Validator: deps.Validator, MaxRecordBytes: emulator.EmbeddedMaxRecordBytes})
	if err != nil {
		return nil, nil, nil, err
	}
	run, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("start the embedded emulator: %w", err)
	}
	return srv, run, func() { run.Close(); srv.Close() }, nil
}

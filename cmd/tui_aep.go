package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/tui"
)

// tuiSender adapts aep.Client to tui.Sender: one client per mode (the aep client's mode is
// fixed at construction), XDM payloads made with the TUI's transformer so that the mapping
// set the inspector shows is the one sent.
type tuiSender struct {
	clients map[tui.Mode]*aep.Client
	tr      tui.Transformer
	dead    *deadLetterFile
}

var _ tui.Sender = (*tuiSender)(nil)

// newTUISender builds the clients for url. Retries are few so that the screen answers fast;
// `ciosim send` is the place for long retry schedules.
func newTUISender(o aep.Options, tr tui.Transformer, dead *deadLetterFile) (*tuiSender, error) {
	s := &tuiSender{clients: map[tui.Mode]*aep.Client{}, tr: tr, dead: dead}
	for _, m := range tui.Modes() {
		co := o
		co.Mode = aep.Mode(m)
		c, err := aep.New(co)
		if err != nil {
			return nil, err
		}
		s.clients[m] = c
	}
	return s, nil
}

// Send fires payloads in mode. In the XDM modes each event is mapped with mappingSet first;
// an event that cannot be mapped gets a result with the error and is not sent.
func (s *tuiSender) Send(ctx context.Context, mode tui.Mode, mappingSet string, ps []tui.Payload) ([]tui.Result, error) {
	c, ok := s.clients[mode]
	if !ok {
		return nil, fmt.Errorf("send: unknown mode %q", mode)
	}
	out := make([]tui.Result, 0, len(ps))
	msgs := make([]aep.Message, 0, len(ps))
	ids := make([]string, 0, len(ps))
	for _, p := range ps {
		ev, _ := customerio.Parse(p.Event)
		m := aep.Message{Seq: len(msgs), Source: "tui #" + p.ID, EventID: ev.EventID, ObjectType: ev.ObjectType,
			Metric: ev.Metric, Body: p.Event, Payload: p.Event}
		if mode != tui.ModeRaw {
			if s.tr == nil {
				out = append(out, tui.Result{ID: p.ID, Err: errors.New("xdm mode needs a transformer")})
				continue
			}
			t, err := s.tr.Transform(ctx, mappingSet, p.Event)
			if err != nil {
				out = append(out, tui.Result{ID: p.ID, Err: fmt.Errorf("transform: %w", err)})
				continue
			}
			m.Body = t.Message
		}
		msgs = append(msgs, m)
		ids = append(ids, p.ID)
	}
	var res []aep.Result
	if mode == tui.ModeBatch && len(msgs) > 0 {
		res = c.SendBatch(ctx, msgs)
	} else {
		for _, m := range msgs {
			res = append(res, c.Send(ctx, m))
		}
	}
	for _, r := range res {
		tr := tui.Result{ID: ids[r.Message.Seq], Status: r.Status, XactionID: r.XactionID, Latency: r.Latency, Attempts: r.Attempts}
		if r.Outcome != aep.Delivered {
			tr.Body = r.Excerpt
			if tr.Body == "" {
				tr.Body = r.Reason
			}
			if r.Status == 0 {
				tr.Err = errors.New(r.Reason)
			}
			if s.dead != nil {
				_ = s.dead.add(c, r) // best effort: the session's own list keeps it too
			}
		}
		out = append(out, tr)
	}
	return out, ctx.Err()
}

// startEmulator runs the embedded AEP emulator on loopback, mapping raw posts with the
// experience-event mapping set the way `ciosim serve` does.
func startEmulator(tenant string) (*emulator.Running, func(), error) {
	deps, err := xdmDeps(tenant)
	if err != nil {
		return nil, nil, err
	}
	srv, err := emulator.New(emulator.Options{Mapper: deps.mapper, Validator: deps.validator})
	if err != nil {
		return nil, nil, err
	}
	run, err := srv.Start("127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("start the embedded emulator: %w", err)
	}
	return run, func() { run.Close(); srv.Close() }, nil
}

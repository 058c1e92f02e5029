package cmd

import (
	"context"
	"fmt"
	"net/url"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/customerio"
)

// generatedSender fires generated events through the aep client in raw mode: each
// Customer.io body exactly as generated, one request per event, signed when
// CIOSIM_SIGNING_KEY is set.
type generatedSender struct {
	c   *aep.Client
	url string
	seq int
}

var _ eventSender = (*generatedSender)(nil)

// newGeneratedSender builds the client for generate --to, with credentials from the
// environment (the same variables 'ciosim send' reads), through [app.newAEPSender].
func (a *app) newGeneratedSender(to, flowID string) (*generatedSender, error) {
	u, err := url.Parse(to)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usageErrorf("--to %q: want an inlet URL like https://dcs.adobedc.net/collection/{inletId}", to)
	}
	if flowID == "" {
		return nil, usageErrorf("--to needs --flow-id (the dataflow id AEP gave the Customer.io source)")
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		fmt.Fprintf(a.s.Err, "ciosim: warning: --to uses plain http:// to %s; events and credentials travel unencrypted\n", u.Host)
	}
	key, err := a.credential(envSigningKey, "")
	if err != nil {
		return nil, err
	}
	as, err := a.newAEPSender(aepTarget{URL: to, Mode: aep.ModeRaw, FlowID: flowID, SigningKey: key, Retries: 3})
	if err != nil {
		return nil, err
	}
	return &generatedSender{c: as.c, url: u.Redacted()}, nil
}

// SendEvent posts one event and reports why it was not accepted, if it was not.
func (s *generatedSender) SendEvent(ctx context.Context, ev customerio.Event) error {
	s.seq++
	r := s.c.Send(ctx, aep.Message{Seq: s.seq, Source: fmt.Sprintf("generated event %d", s.seq),
		EventID: ev.EventID, ObjectType: ev.ObjectType, Metric: ev.Metric, Body: ev.Bytes()})
	if r.Outcome == aep.Delivered {
		return nil
	}
	if r.Status != 0 {
		return fmt.Errorf("HTTP %d after %d attempts: %s", r.Status, r.Attempts, r.Reason)
	}
	return fmt.Errorf("not delivered after %d attempts: %s", r.Attempts, r.Reason)
}

package cmd

import (
	"fmt"
	"net/url"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/internal/wiring"
)

// generatedRun builds the delivery of generate --to: the aep client in raw mode, each
// Customer.io body exactly as generated, signed when CIOSIM_SIGNING_KEY is set, with the
// credentials 'ciosim send' reads.
func (a *app) generatedRun(to, flowID string) (*wiring.Run, error) {
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
	c, err := a.newAEPClient(aepTarget{URL: to, Mode: aep.ModeRaw, FlowID: flowID, SigningKey: key, Retries: 3})
	if err != nil {
		return nil, err
	}
	return &wiring.Run{Command: "generate", Client: c, Stderr: a.s.Err}, nil
}

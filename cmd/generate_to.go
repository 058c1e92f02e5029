package cmd

import (
	"fmt"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/internal/wiring"
)

// generatedRun builds the delivery of generate --to: the aep client in raw mode, each
// Customer.io body exactly as generated, signed when CIOSIM_SIGNING_KEY is set, with the
// credentials 'ciosim send' reads.
func (a *app) generatedRun(to, flowID string) (*wiring.Run, error) {
	to, flowID, err := wiring.InletURL("--to", to, flowID, func(m string) { fmt.Fprintf(a.s.Err, "ciosim: %s\n", m) })
	if err != nil {
		return nil, err
	}
	if flowID == "" {
		return nil, usageErrorf("--to needs --flow-id (the dataflow id AEP gave the Customer.io source)")
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

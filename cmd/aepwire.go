package cmd

import (
	"fmt"

	"github.com/ciosim/ciosim/xdm"
)

// xdmDeps wires the xdm package into send and serve: the built-in experience-event mapping
// set for tenant, used (1) by the emulator as the dataflow's Data Prep mapping for raw posts,
// keeping rejected records as bad with the mapper's reasons, and (2) by send's xdm and batch
// modes to turn each Customer.io event into an XDM streaming message (the record wrapped in
// the header/body envelope with the mapping's output schema). The aep packages themselves
// never import xdm.
func xdmDeps(tenant string) (sendDeps, error) {
	mp, err := xdm.CompileDefault("experience-event", tenant, nil)
	if err != nil {
		return sendDeps{}, fmt.Errorf("compile the experience-event mapping: %w", err)
	}
	ms := mp.MappingSet()
	env := xdm.EnvelopeOptions{SchemaID: ms.XDMSchema, SourceName: "ciosim"}
	if ms.OutputSchema != nil {
		env.SchemaID = ms.OutputSchema.SchemaRef.ID
	}
	convert := func(event []byte) ([]byte, error) {
		res, err := mp.Map(event)
		if err != nil {
			return nil, err
		}
		// A rejected record is still sent: judging it is the endpoint's job, and AEP's
		// answer (or the emulator's bad record) is what the user came to see.
		return xdm.Envelope(res.Record, env), nil
	}
	// the emulator judges raw posts with the same compiled set (and the violations behind
	// its reasons), and XDM posts with xdm's one validator (no schema known: the built-in
	// rules of the record's class)
	return sendDeps{convert: convert, mapper: flowMapper{mp}, validator: emulatorValidator(nil)}, nil
}

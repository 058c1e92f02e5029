package wiring

import (
	"fmt"
	"strings"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/xdm"
)

// XDM is the xdm package joined to the sending side: Convert turns a Customer.io event
// into an XDM streaming message (an error for a record the mapping rejects), Mapper is the
// emulator's Data Prep mapping for raw posts.
type XDM struct {
	Convert func(event []byte) ([]byte, error)
	Mapper  emulator.Mapper
	// Validator checks XDM posts to the emulator (xdm's one validator).
	Validator emulator.Validator
}

// XDMDeps wires the xdm package into send and serve: the built-in experience-event mapping
// set for tenant, used (1) by the emulator as the dataflow's Data Prep mapping for raw posts,
// keeping rejected records as bad with the mapper's reasons, and (2) by send's xdm and batch
// modes to turn each Customer.io event into an XDM streaming message (the record wrapped in
// the header/body envelope with the mapping's output schema). The aep packages themselves
// never import xdm.
func XDMDeps(tenant string) (XDM, error) {
	mp, err := xdm.CompileDefault("experience-event", tenant, nil)
	if err != nil {
		return XDM{}, fmt.Errorf("compile the experience-event mapping: %w", err)
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
		if res.Rejected {
			// Data Prep would not produce this record: it is rejected here, never posted,
			// as 'ciosim transform' and 'ciosim replay --mode xdm' reject it.
			return nil, fmt.Errorf("rejected by the mapping: %s", strings.Join(res.Reasons, "; "))
		}
		return xdm.Envelope(res.Record, env), nil
	}
	// the emulator judges raw posts with the same compiled set (and the violations behind
	// its reasons), and XDM posts with xdm's one validator (no schema known: the built-in
	// rules of the record's class)
	return XDM{Convert: convert, Mapper: flowMapper{mp}, Validator: emulatorValidator(nil)}, nil
}

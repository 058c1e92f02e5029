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
	mapper := emulator.MapperFunc(func(body []byte) ([]byte, []string, error) {
		res, err := mp.Map(body)
		if err != nil {
			return nil, nil, err
		}
		if !res.Rejected {
			return res.Record, nil, nil
		}
		reasons := res.Reasons
		if len(reasons) == 0 {
			reasons = []string{"rejected by the mapping"}
		}
		return res.Record, reasons, nil
	})
	return XDM{Convert: convert, Mapper: mapper}, nil
}

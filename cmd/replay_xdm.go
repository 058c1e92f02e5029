package cmd

import (
	"fmt"
	"github.com/ciosim/ciosim/internal/wiring"
	"strings"

	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/xdm"
)

// xdmTransform builds replay's --mode xdm step: the mapping set (built-in or file, as for
// `ciosim transform`) and the streaming envelope, with the same environment fallbacks
// (CIOSIM_TENANT, CIOSIM_IMS_ORG, CIOSIM_DATASET_ID, CIOSIM_FLOW_ID, CIOSIM_SCHEMA_ID).
func (a *app) xdmTransform(mapping, tenant string) (func(recordings.Record, []byte) ([]byte, error), error) {
	to := transformOptions{tenant: tenant}
	a.transformEnv(&to)
	if _, err := xdm.NormalizeTenant(to.tenant); err != nil {
		return nil, usageErrorf("--tenant: %v", err)
	}
	ms, builtin, err := wiring.LoadMapping(mapping, to.tenant)
	if err != nil {
		return nil, err
	}
	opts := xdm.Options{SourceFields: xdm.CustomerIOFields()}
	if builtin {
		opts.Required = xdm.DefaultRequired(ms.Name)
	}
	opts.Check = xdm.ClassRules{Class: ms.TargetClass()} // xdm's one validator, no schema known
	mp, err := xdm.Compile(ms, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ms.Name, err)
	}
	env := xdm.EnvelopeOptions{IMSOrgID: to.imsOrg, DatasetID: to.datasetID, FlowID: to.flowID, SchemaID: to.schemaID}
	if env.SchemaID == "" {
		if ms.OutputSchema != nil {
			env.SchemaID = ms.OutputSchema.SchemaRef.ID
		} else {
			env.SchemaID = ms.XDMSchema
		}
	}
	return func(rec recordings.Record, body []byte) ([]byte, error) {
		res, err := mp.Map(body)
		if err != nil {
			return nil, fmt.Errorf("map: %w", err)
		}
		if res.Rejected {
			return nil, fmt.Errorf("rejected by the mapping: %s", strings.Join(res.Reasons, "; "))
		}
		return xdm.Envelope(res.Record, env), nil
	}, nil
}

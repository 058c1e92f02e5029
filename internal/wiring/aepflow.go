package wiring

import (
	"fmt"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/xdm"
)

// flowMapper adapts an xdm.Mapper to the emulator's Mapper, with the violations behind the
// reasons (emulator.ReportingMapper) so sync validation answers with AEP's keyword,
// schemaLocation and pointerToViolation.
type flowMapper struct{ mp *xdm.Mapper }

var _ emulator.ReportingMapper = flowMapper{}

func (f flowMapper) Map(body []byte) ([]byte, []string, error) {
	rec, reasons, _, err := f.MapReport(body)
	return rec, reasons, err
}

func (f flowMapper) MapReport(body []byte) ([]byte, []string, []emulator.Violation, error) {
	res, err := f.mp.Map(body)
	if err != nil {
		return nil, nil, nil, err
	}
	if !res.Rejected {
		return res.Record, nil, nil, nil
	}
	reasons := res.Reasons
	if len(reasons) == 0 {
		reasons = []string{"rejected by the mapping"}
	}
	return res.Record, reasons, emulatorViolations(res.Violations), nil
}

func emulatorViolations(vs []xdm.Violation) []emulator.Violation {
	if len(vs) == 0 {
		return nil
	}
	out := make([]emulator.Violation, len(vs))
	for i, v := range vs {
		out[i] = emulator.Violation{SchemaLocation: v.SchemaLocation, Pointer: v.Pointer, Keyword: v.Keyword, Message: v.Message}
	}
	return out
}

// emulatorValidator is xdm's one validator (the schema, else the built-in rules of the
// record's class) as the emulator's Validator.
func emulatorValidator(s *xdm.Schema) emulator.Validator {
	c := xdm.Validator(s)
	return emulator.ValidatorFunc(func(entity []byte) []emulator.Violation {
		vs, err := xdm.ValidateJSON(c, entity)
		if err != nil {
			return []emulator.Violation{{SchemaLocation: "#", Pointer: "#", Message: "xdmEntity is not valid JSON"}}
		}
		return emulatorViolations(vs)
	})
}

// CompileFlow builds a dataflow's Data Prep mapper and XDM validator for the emulator:
// mappingJSON is the mapping set (either JSON form; nil = the built-in experience-event
// set for tenant), schemaJSON the target schema (nil = the built-in class rules), refs
// the schema files its $refs name. It returns the schema's $id ("" when unknown) for
// emulator.Flow.SchemaRef. This is the compile function of the emulator's flow contract.
func CompileFlow(mappingJSON, schemaJSON []byte, refs []xdm.SchemaFile, tenant string) (emulator.Mapper, emulator.Validator, string, error) {
	var schema *xdm.Schema
	if schemaJSON != nil {
		s, err := xdm.LoadSchema(xdm.SchemaFile{Name: "schema", Data: schemaJSON}, refs...)
		if err != nil {
			return nil, nil, "", err
		}
		schema = s
	}
	var (
		ms  xdm.MappingSet
		err error
	)
	opts := xdm.Options{Schema: schema}
	if mappingJSON == nil {
		ms, err = xdm.Default("experience-event", tenant)
		opts.Required = xdm.DefaultRequired("experience-event")
	} else {
		ms, err = xdm.ParseMappingSet(mappingJSON)
	}
	if err != nil {
		return nil, nil, "", err
	}
	if schema == nil {
		opts.Check = xdm.ClassRules{Class: ms.TargetClass()}
	}
	ref := ""
	if schema != nil {
		ref = schema.ID()
	}
	if ms.OutputSchema != nil && ms.OutputSchema.SchemaRef.ID != "" {
		if ref != "" && mappingJSON != nil && ms.OutputSchema.SchemaRef.ID != ref {
			return nil, nil, "", fmt.Errorf("the mapping set's outputSchema %s is not the schema's $id %s", ms.OutputSchema.SchemaRef.ID, ref)
		}
		if ref == "" {
			ref = ms.OutputSchema.SchemaRef.ID
		}
	}
	mp, err := xdm.Compile(ms, opts)
	if err != nil {
		return nil, nil, "", err
	}
	return flowMapper{mp}, emulatorValidator(schema), ref, nil
}

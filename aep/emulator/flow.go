package emulator

import (
	"fmt"
	"sort"
)

// Violation is one validation failure in the shape of AEP's streaming validation (everit's
// JSON form): the JSON pointer of the offending value, the schema location that judged
// it, the JSON Schema keyword and AEP's message (no pointer prefix).
type Violation struct {
	SchemaLocation string `json:"schemaLocation"`
	Pointer        string `json:"pointerToViolation"`
	Keyword        string `json:"keyword,omitempty"`
	Message        string `json:"message"`
}

// String is the violation as everit's getMessage prints it: "#/_id: expected type: …".
func (v Violation) String() string { return v.Pointer + ": " + v.Message }

// Validator checks the xdmEntity of an XDM message against one schema (or a class's
// built-in rules) and returns the violations, at most [MaxViolations], in AEP's wording.
type Validator interface {
	Validate(entity []byte) []Violation
}

// ValidatorFunc adapts a function to [Validator].
type ValidatorFunc func(entity []byte) []Violation

// Validate calls f.
func (f ValidatorFunc) Validate(entity []byte) []Violation { return f(entity) }

// MaxViolations is how many violations AEP's sync validation reports per message (§2.2).
const MaxViolations = 5

// ReportingMapper is a [Mapper] that also gives the schema violations behind its reasons,
// so sync validation of a raw post can answer with AEP's keyword, schemaLocation and
// pointerToViolation. The emulator uses it when the Mapper implements it.
type ReportingMapper interface {
	Mapper
	MapReport(body []byte) (record []byte, reasons []string, violations []Violation, err error)
}

// Flow is what one dataflow's inlet needs to judge what it receives.
type Flow struct {
	ID        string    // the dataflow id (x-adobe-flow-id)
	Mapper    Mapper    // raw body → XDM record + reasons, with the flow's mapping set (current version) and schema; nil → Options.Mapper
	Validator Validator // checks XDM messages posted for this flow's schema; nil → Options.Validator
	DatasetID string    // the flow's target dataset; "" = not checked
	IMSOrgID  string    // the org the inlet belongs to; "" = Options.OrgID
	SchemaRef string    // the $id of the dataset's schema; "" = not checked
}

// FlowSource resolves a flow id to its Flow at request time, so a new mapping version
// applies at once.
type FlowSource interface {
	Flow(flowID string) (Flow, bool)
}

// SchemaSource is implemented by a [FlowSource] that can also find a flow by the schema an
// XDM message names (header.schemaRef.id) or by its dataset (header.datasetId). XDM posts
// are validated with the Validator of the flow whose SchemaRef the message names; datasets
// are checked only when the source knows at least one.
type SchemaSource interface {
	FlowForSchema(schemaRef string) (Flow, bool)
	Dataset(datasetID string) (schemaRef string, ok bool)
	HasDatasets() bool
}

// SchemaRegistry is implemented by a [FlowSource] that knows which schemas exist (the
// sandbox's Schema Registry), so an XDM message naming any other schema can be refused as
// DCS refuses it. Without it, a schema exists when FlowForSchema finds a flow for it.
type SchemaRegistry interface {
	// HasSchemas reports whether any schema is known; SchemaExists whether ref is one.
	HasSchemas() bool
	SchemaExists(ref string) bool
}

// StaticFlows is a fixed set of flows, as `ciosim serve --flow` builds it. It implements
// [FlowSource] and [SchemaSource].
type StaticFlows struct {
	byID     map[string]Flow
	bySchema map[string]Flow
	datasets map[string]string
}

// NewStaticFlows indexes flows by id, schema and dataset. Two flows with the same id, or
// one dataset given two different schemas, are refused.
func NewStaticFlows(flows ...Flow) (*StaticFlows, error) {
	sf := &StaticFlows{byID: map[string]Flow{}, bySchema: map[string]Flow{}, datasets: map[string]string{}}
	for _, f := range flows {
		if f.ID == "" {
			return nil, fmt.Errorf("emulator: a flow needs an id")
		}
		if _, dup := sf.byID[f.ID]; dup {
			return nil, fmt.Errorf("emulator: flow %s given twice", f.ID)
		}
		sf.byID[f.ID] = f
		if f.SchemaRef != "" {
			if _, ok := sf.bySchema[f.SchemaRef]; !ok {
				sf.bySchema[f.SchemaRef] = f // the first flow of a schema validates its XDM posts
			}
		}
		if f.DatasetID != "" {
			if s, ok := sf.datasets[f.DatasetID]; ok && s != f.SchemaRef {
				return nil, fmt.Errorf("emulator: dataset %s given two schemas (%s, %s)", f.DatasetID, s, f.SchemaRef)
			}
			sf.datasets[f.DatasetID] = f.SchemaRef
		}
	}
	return sf, nil
}

// Flow implements [FlowSource].
func (sf *StaticFlows) Flow(id string) (Flow, bool) { f, ok := sf.byID[id]; return f, ok }

// FlowForSchema implements [SchemaSource].
func (sf *StaticFlows) FlowForSchema(ref string) (Flow, bool) {
	f, ok := sf.bySchema[ref]
	return f, ok
}

// Dataset implements [SchemaSource].
func (sf *StaticFlows) Dataset(id string) (string, bool) { s, ok := sf.datasets[id]; return s, ok }

// HasDatasets implements [SchemaSource].
func (sf *StaticFlows) HasDatasets() bool { return len(sf.datasets) > 0 }

// HasSchemas implements [SchemaRegistry]: some flow names a schema.
func (sf *StaticFlows) HasSchemas() bool { return len(sf.bySchema) > 0 }

// SchemaExists implements [SchemaRegistry]: some flow's schema is ref.
func (sf *StaticFlows) SchemaExists(ref string) bool { _, ok := sf.bySchema[ref]; return ok }

// IDs lists the flow ids, sorted.
func (sf *StaticFlows) IDs() []string {
	out := make([]string, 0, len(sf.byID))
	for id := range sf.byID {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

var (
	_ FlowSource     = (*StaticFlows)(nil)
	_ SchemaSource   = (*StaticFlows)(nil)
	_ SchemaRegistry = (*StaticFlows)(nil)
)

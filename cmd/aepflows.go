package cmd

import (
	"fmt"
	"github.com/ciosim/ciosim/internal/wiring"

	"github.com/ciosim/ciosim/aep/dataflow"
	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/controlplane"
)

// controlPlaneCompile is the controlplane.Compile the emulator's dataflows use: xdm's
// wiring.CompileFlow for a mapping set and the dataset's schema, so an inlet's
// good/bad verdicts come from the user's own mapping and schema. The control plane itself
// must not import xdm.
func controlPlaneCompile(mappingJSON, schemaJSON []byte) (emulator.Mapper, emulator.Validator, error) {
	m, v, _, err := wiring.CompileFlow(mappingJSON, schemaJSON, nil, "")
	return m, v, err
}

// applyDataflow fills transform's options from a dataflow directory; flags given on the
// command line win.
func applyDataflow(o *transformOptions) error {
	d, err := dataflow.ReadDir(o.dataflow)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("--dataflow: %w", err)}
	}
	if !o.mappingSet {
		o.mapping = d.MappingPath()
	}
	if o.validate == "" {
		o.validate = d.SchemaPath()
	}
	df := d.Dataflow
	o.flowID = cmp(o.flowID, df.FlowID)
	o.datasetID = cmp(o.datasetID, df.DatasetID)
	o.schemaID = cmp(o.schemaID, df.SchemaRef)
	o.imsOrg = cmp(o.imsOrg, df.IMSOrgID)
	return nil
}

// applySendDataflow points send at a dataflow directory's inlet and flow id; --to and
// --flow-id given on the command line win.
func applySendDataflow(o *sendOptions) error {
	if o.dataflow == "" {
		return nil
	}
	d, err := dataflow.ReadDir(o.dataflow)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("--dataflow: %w", err)}
	}
	if d.Dataflow.InletURL == "" {
		return usageErrorf("--dataflow %s: dataflow.json has no inletUrl", o.dataflow)
	}
	o.to = cmp(o.to, d.Dataflow.InletURL)
	o.flowID = cmp(o.flowID, d.Dataflow.FlowID)
	return nil
}

// applyReplayDataflow points replay at a dataflow directory: its inlet, flow id and, for the
// xdm and batch modes, its mapping; flags given on the command line win.
func applyReplayDataflow(o *replayOptions, mappingSet bool) error {
	if o.Dataflow == "" {
		return nil
	}
	d, err := dataflow.ReadDir(o.Dataflow)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("--dataflow: %w", err)}
	}
	o.To = cmp(o.To, d.Dataflow.InletURL)
	o.FlowID = cmp(o.FlowID, d.Dataflow.FlowID)
	if !mappingSet {
		o.Mapping = d.MappingPath()
	}
	return nil
}

// loadedFlow is a dataflow directory serve loaded.
type loadedFlow struct{ dir, name, flowID, inlet string }

// loadDataflows loads serve's --dataflow directories into the control plane.
func loadDataflows(cp *controlplane.Server, dirs []string) ([]loadedFlow, error) {
	var out []loadedFlow
	for _, dir := range dirs {
		d, err := dataflow.ReadDir(dir)
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("--dataflow: %w", err)}
		}
		df := d.Dataflow
		name := cmp(df.Name, df.FlowID)
		inlet, err := cp.Load(controlplane.LoadedFlow{Sandbox: df.SandboxName, OrgID: df.IMSOrgID, FlowID: df.FlowID, Name: name,
			InletURL: df.InletURL, DatasetID: df.DatasetID, SchemaID: df.SchemaRef, Mapping: d.Mapping, Schema: d.Schema})
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("--dataflow %s: %w", dir, err)}
		}
		out = append(out, loadedFlow{dir: dir, name: name, flowID: df.FlowID, inlet: inlet})
	}
	return out, nil
}

// applyTUIDataflow points the TUI at a dataflow directory: its inlet, flow id and mapping;
// flags given on the command line win.
func applyTUIDataflow(o *tuiOptions, changed func(string) bool) error {
	if o.dataflow == "" {
		return nil
	}
	d, err := dataflow.ReadDir(o.dataflow)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("--dataflow: %w", err)}
	}
	if !changed("endpoint") {
		o.endpoint = d.Dataflow.InletURL
	}
	if !changed("flow-id") {
		o.flowID = d.Dataflow.FlowID
	}
	if !changed("mapping") {
		o.mapping = d.MappingPath()
	}
	if !changed("schema") {
		o.schema = d.SchemaPath() // watched with the mapping: a save reloads both
	}
	o.dataflowLabel = fmt.Sprintf("%s (flow %s)", cmp(d.Dataflow.Name, "unnamed"), d.Dataflow.FlowID)
	return nil
}

package cmd

import (
	"fmt"

	"github.com/ciosim/ciosim/aep/dataflow"
)

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

package cmd

import (
	"fmt"

	"github.com/ciosim/ciosim/aep/dataflow"
	"github.com/ciosim/ciosim/internal/wiring"
)

// applyTUIDataflow points the TUI at the first dataflow directory (folders of them
// expanded): its inlet, flow id and mapping; flags given on the command line win.
func applyTUIDataflow(o *tuiOptions, changed func(string) bool) error {
	if len(o.dataflows) == 0 {
		return nil
	}
	dirs, err := wiring.ExpandDataflowDirs(o.dataflows)
	if err != nil {
		return err
	}
	o.dataflows = dirs
	d, err := dataflow.ReadDir(dirs[0])
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

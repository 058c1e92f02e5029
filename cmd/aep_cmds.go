package cmd

import (
	"github.com/ciosim/ciosim/internal/wiring"
	"strings"
	"time"

	"github.com/ciosim/ciosim/xdm"
	"github.com/spf13/cobra"
)

func newAEPLoginCmd(a *app, o *wiring.AEPOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "login",
		Short: "Check the credentials: get a token and print org, sandbox, tenant and token expiry",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return wiring.AEPLogin(a.env(), o)
		},
	}
}

func newAEPSetupCmd(a *app, o *wiring.AEPOptions) *cobra.Command {
	var so wiring.AEPSetupOptions
	c := &cobra.Command{
		Use:   "setup --name NAME [--mapping NAME|FILE] [--schema-id ID | --schema FILE] [--dataset-id ID]",
		Short: "Create (or reuse by name) the schema, dataset, connections, mapping set and flow; print the webhook URL",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return wiring.AEPSetup(a.env(), o, so)
		},
	}
	f := c.Flags()
	f.StringVar(&so.Name, "name", "", "the dataflow's name; its dataset, connections and mapping set are named after it")
	f.StringVar(&so.Mapping, "mapping", "experience-event", "built-in mapping set ("+strings.Join(xdm.DefaultNames(), ", ")+") or a mapping-set JSON file")
	f.StringVar(&so.Tenant, "tenant", "", "tenant namespace for a built-in set's tenant fields, like _acme (env CIOSIM_TENANT)")
	f.StringVar(&so.SchemaID, "schema-id", "", "an existing schema's $id")
	f.StringVar(&so.Schema, "schema", "", "a schema JSON file to create in the Schema Registry (reused by title)")
	f.StringVar(&so.DatasetID, "dataset-id", "", "an existing dataset to ingest into")
	f.StringVar(&so.Out, "out", "", "also write the dataflow directory (dataflow.json, mapping.json, schema.json) here")
	f.BoolVar(&so.DryRun, "dry-run", false, "make no changes; print the calls that would be made")
	return c
}

func newAEPPullCmd(a *app, o *wiring.AEPOptions) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "pull FLOW_ID --out DIR",
		Short: "Write the flow's dataflow.json, mapping.json and schema.json into DIR",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return wiring.AEPPull(a.env(), o, args[0], out)
		},
	}
	c.Flags().StringVar(&out, "out", "", "directory to write")
	return c
}

func newAEPPushCmd(a *app, o *wiring.AEPOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "push DIR",
		Short: "Upload DIR/mapping.json as a new mapping-set version and point the flow at it (If-Match)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return wiring.AEPPush(a.env(), o, args[0])
		},
	}
}

func newAEPDiffCmd(a *app, o *wiring.AEPOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "diff DIR",
		Short: "Compare DIR/mapping.json with the mapping the flow uses now; exit 1 when they differ",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return wiring.AEPDiff(a.env(), o, args[0])
		},
	}
}

func newAEPFlowsCmd(a *app, o *wiring.AEPOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "flows",
		Short: "List the sandbox's Customer.io dataflows (name, id, state, mapping version, inlet)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return wiring.AEPFlows(a.env(), o)
		},
	}
}

func newAEPStatusCmd(a *app, o *wiring.AEPOptions) *cobra.Command {
	var since time.Duration
	c := &cobra.Command{
		Use:   "status FLOW_ID [--since DURATION]",
		Short: "The flow's state, runs with record counts, and recent failed records with reasons",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return wiring.AEPStatus(a.env(), o, args[0], since)
		},
	}
	c.Flags().DurationVar(&since, "since", 24*time.Hour, "how far back to look for runs")
	return c
}

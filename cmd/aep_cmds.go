package cmd

import (
	"fmt"
	"github.com/ciosim/ciosim/internal/wiring"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ciosim/ciosim/aep/dataflow"
	"github.com/ciosim/ciosim/xdm"
	"github.com/spf13/cobra"
)

func newAEPLoginCmd(a *app, o *aepOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "login",
		Short: "Check the credentials: get a token and print org, sandbox, tenant and token expiry",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			c, err := a.platformClient(o)
			if err != nil {
				return err
			}
			l, err := dataflow.CheckLogin(a.ctx, c)
			if err != nil {
				return err
			}
			return a.aepPrint(o, l)
		},
	}
}

type aepSetupOptions struct {
	name, mapping, schemaID, schema, datasetID, out, tenant string
	dryRun                                                  bool
}

func newAEPSetupCmd(a *app, o *aepOptions) *cobra.Command {
	var so aepSetupOptions
	c := &cobra.Command{
		Use:   "setup --name NAME [--mapping NAME|FILE] [--schema-id ID | --schema FILE] [--dataset-id ID]",
		Short: "Create (or reuse by name) the schema, dataset, connections, mapping set and flow; print the webhook URL",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if so.name == "" {
				return usageErrorf("aep setup: --name is required")
			}
			if so.schema != "" && so.schemaID != "" {
				return usageErrorf("aep setup: give --schema-id or --schema, not both")
			}
			req := dataflow.SetupRequest{Name: so.name, SchemaID: so.schemaID, DatasetID: so.datasetID, DryRun: so.dryRun}
			ms, _, err := wiring.LoadMapping(so.mapping, cmp(so.tenant, a.getenv("CIOSIM_TENANT")))
			if err != nil {
				return err
			}
			req.Mapping = ms.JSON()
			if !slices.Contains(xdm.DefaultNames(), so.mapping) {
				// A file is sent as written (AEP's own JSON), not re-encoded.
				if req.Mapping, err = os.ReadFile(so.mapping); err != nil {
					return err
				}
			}
			if so.schema != "" {
				if req.Schema, err = readSmall(so.schema, 16<<20); err != nil {
					return &UsageError{Err: fmt.Errorf("--schema: %w", err)}
				}
			}
			c, err := a.platformClient(o)
			if err != nil {
				return err
			}
			res, err := dataflow.Setup(a.ctx, c, req)
			if err != nil {
				return err
			}
			if so.out != "" && !so.dryRun {
				if err := dataflow.WriteDir(dataflow.Dir{Path: so.out, Dataflow: res.Dataflow, Mapping: res.Mapping, Schema: res.Schema}); err != nil {
					return err
				}
			}
			return a.aepPrint(o, res)
		},
	}
	f := c.Flags()
	f.StringVar(&so.name, "name", "", "the dataflow's name; its dataset, connections and mapping set are named after it")
	f.StringVar(&so.mapping, "mapping", "experience-event", "built-in mapping set ("+strings.Join(xdm.DefaultNames(), ", ")+") or a mapping-set JSON file")
	f.StringVar(&so.tenant, "tenant", "", "tenant namespace for a built-in set's tenant fields, like _acme (env CIOSIM_TENANT)")
	f.StringVar(&so.schemaID, "schema-id", "", "an existing schema's $id")
	f.StringVar(&so.schema, "schema", "", "a schema JSON file to create in the Schema Registry (reused by title)")
	f.StringVar(&so.datasetID, "dataset-id", "", "an existing dataset to ingest into")
	f.StringVar(&so.out, "out", "", "also write the dataflow directory (dataflow.json, mapping.json, schema.json) here")
	f.BoolVar(&so.dryRun, "dry-run", false, "make no changes; print the calls that would be made")
	return c
}

// readSmall reads a file of at most limit bytes.
func readSmall(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return b, nil
}

func newAEPPullCmd(a *app, o *aepOptions) *cobra.Command {
	var out string
	c := &cobra.Command{
		Use:   "pull FLOW_ID --out DIR",
		Short: "Write the flow's dataflow.json, mapping.json and schema.json into DIR",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if out == "" {
				return usageErrorf("aep pull: --out DIR is required")
			}
			c, err := a.platformClient(o)
			if err != nil {
				return err
			}
			d, err := dataflow.Pull(a.ctx, c, args[0])
			if err != nil {
				return err
			}
			d.Path = out
			if err := dataflow.WriteDir(d); err != nil {
				return err
			}
			if o.json {
				return a.aepPrint(o, d.Dataflow)
			}
			fmt.Fprintf(a.s.Out, "pulled flow %s (mapping set %s version %d) into %s\n", d.Dataflow.FlowID, d.Dataflow.MappingID, d.Dataflow.MappingVersion, out)
			return nil
		},
	}
	c.Flags().StringVar(&out, "out", "", "directory to write")
	return c
}

func newAEPPushCmd(a *app, o *aepOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "push DIR",
		Short: "Upload DIR/mapping.json as a new mapping-set version and point the flow at it (If-Match)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			d, err := dataflow.ReadDir(args[0])
			if err != nil {
				return &UsageError{Err: err}
			}
			c, err := a.platformClient(o)
			if err != nil {
				return err
			}
			res, err := dataflow.Push(a.ctx, c, d)
			if err != nil {
				return err
			}
			return a.aepPrint(o, res)
		},
	}
}

func newAEPDiffCmd(a *app, o *aepOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "diff DIR",
		Short: "Compare DIR/mapping.json with the mapping the flow uses now; exit 1 when they differ",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			d, err := dataflow.ReadDir(args[0])
			if err != nil {
				return &UsageError{Err: err}
			}
			c, err := a.platformClient(o)
			if err != nil {
				return err
			}
			res, err := dataflow.Diff(a.ctx, c, d)
			if err != nil {
				return err
			}
			if err := a.aepPrint(o, res); err != nil {
				return err
			}
			if !res.Same {
				return &ExitError{Code: ExitFailure}
			}
			return nil
		},
	}
}

// flowsList gives the flow summaries a JSON array form and a table form.
type flowsList []dataflow.FlowSummary

func (l flowsList) WriteText(w io.Writer) error { return dataflow.WriteFlowsText(w, l) }

func newAEPFlowsCmd(a *app, o *aepOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "flows",
		Short: "List the sandbox's Customer.io dataflows (name, id, state, mapping version, inlet)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			c, err := a.platformClient(o)
			if err != nil {
				return err
			}
			fl, err := dataflow.ListFlows(a.ctx, c)
			if err != nil {
				return err
			}
			return a.aepPrint(o, flowsList(fl))
		},
	}
}

func newAEPStatusCmd(a *app, o *aepOptions) *cobra.Command {
	var since time.Duration
	c := &cobra.Command{
		Use:   "status FLOW_ID [--since DURATION]",
		Short: "The flow's state, runs with record counts, and recent failed records with reasons",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if since <= 0 {
				return usageErrorf("--since must be positive, got %s", since)
			}
			c, err := a.platformClient(o)
			if err != nil {
				return err
			}
			st, err := dataflow.FlowStatus(a.ctx, c, args[0], time.Now().Add(-since))
			if err != nil {
				return err
			}
			return a.aepPrint(o, st)
		},
	}
	c.Flags().DurationVar(&since, "since", 24*time.Hour, "how far back to look for runs")
	return c
}

package cmd

import (
	"strings"

	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/xdm"
	"github.com/spf13/cobra"
)

func newTransformCmd(a *app) *cobra.Command {
	var o wiring.TransformOptions
	c := &cobra.Command{
		Use:   "transform [FILE...|-]",
		Short: "Map Customer.io events to XDM records with an AEP Data Prep mapping set",
		Long: `Read Customer.io events (JSONL, bare events or recordings; files or stdin) and write one XDM
record per event, in order, by running an AEP Data Prep mapping set locally — the same JSON
you POST to /data/foundation/conversion/mappingSets.

--mapping takes a built-in set (experience-event, tutorial) or a mapping-set file in either
AEP form. A failing calculated field nulls only its field and prints a warning; a record is
rejected when a required field ends up null or it breaks the schema given with --validate
(without --validate, the experience-event mapping is checked against the ExperienceEvent
rules). Rejected records go to --errors (JSONL) or stderr with file, line and reasons, and
are not written to stdout; the exit status is then 1.

--check FILE compares the records with a committed XDM JSONL fixture instead of writing
them: exit 0 when identical, 1 with a per-field diff (records aligned by _id, which the
built-in sets fill with the event_id), 3 when FILE cannot be read. --update rewrites FILE
(atomically) with the records. Under --check and --update, now() and timestamp() read
2026-01-01T00:00:00Z and uuid()/guid() are seeded with --seed and each event's event_id,
so the fixture is the same on every run and machine.

--watch re-runs on every save of the mapping file, the --validate/--schema-ref files and the
input files, and prints per run the counts and the fields that changed since the previous
run, record by record (aligned by event_id), with records that became valid or invalid;
like --check it runs on the fixed clock and --seed, so only real changes show.

Environment: CIOSIM_TENANT, AEP_IMS_ORG, AEP_DATASET_ID, AEP_FLOW_ID and AEP_SCHEMA_ID
supply the flags of the same meaning when those are not given (the older CIOSIM_IMS_ORG,
CIOSIM_DATASET_ID, CIOSIM_FLOW_ID and CIOSIM_SCHEMA_ID still work, with a warning).`,
		Example: `  ciosim generate --all --seed 7 | ciosim transform
  ciosim transform events.jsonl --mapping tutorial --tenant _acme
  ciosim transform events.jsonl --validate schema.json --errors rejected.jsonl
  ciosim transform events.jsonl --envelope --dataset-id 5f0c... --flow-id 439b...
  ciosim transform --print-mapping experience-event > mapping.json
  ciosim transform events.jsonl --mapping my-mapping.json --check expected.jsonl --update  # write it
  ciosim transform events.jsonl --mapping my-mapping.json --check expected.jsonl           # compare
  ciosim transform events.jsonl --mapping my-mapping.json --validate schema.json --watch`,
		RunE: func(c *cobra.Command, args []string) error {
			o.MappingSet = c.Flags().Changed("mapping")
			return wiring.Transform(a.env(), o, args)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.Mapping, "mapping", "m", "experience-event", "built-in mapping set ("+strings.Join(xdm.DefaultNames(), ", ")+") or a mapping-set JSON file")
	f.StringVar(&o.Tenant, "tenant", "", "tenant namespace for the built-in sets' tenant fields, like _acme (env CIOSIM_TENANT; default _tenant)")
	f.BoolVar(&o.Envelope, "envelope", false, "wrap each record as an XDM streaming message (header + body.xdmEntity)")
	f.StringVar(&o.SchemaID, "schema-id", "", "envelope schemaRef.id (env AEP_SCHEMA_ID; default: the mapping's output schema)")
	f.StringVar(&o.ContentType, "content-type", xdm.DefaultContentType, "envelope schemaRef.contentType")
	f.StringVar(&o.ImsOrg, "ims-org", "", "envelope header.imsOrgId, like ABC123@AdobeOrg (env AEP_IMS_ORG)")
	f.StringVar(&o.DatasetID, "dataset-id", "", "envelope header.datasetId (env AEP_DATASET_ID)")
	f.StringVar(&o.FlowID, "flow-id", "", "envelope header.flowId (env AEP_FLOW_ID)")
	f.StringVar(&o.SourceName, "source-name", "", "envelope header.source.name")
	f.StringVar(&o.Validate, "validate", "", "validate records against this JSON Schema (Schema Registry export or any draft-06+ schema)")
	f.StringArrayVar(&o.SchemaRefs, "schema-ref", nil, "extra schema file that --validate's $refs point to, matched by its $id (repeatable)")
	f.StringVar(&o.Errors, "errors", "", "write rejected records as JSONL to this file instead of stderr")
	f.StringVar(&o.PrintMapping, "print-mapping", "", "print a built-in mapping set as AEP-ready JSON and exit")
	f.BoolVar(&o.NoPathCheck, "no-path-check", false, "accept source paths that no Customer.io event field has")
	f.StringVar(&o.Dataflow, "dataflow", "", "a dataflow directory ('ciosim aep pull'): its mapping.json, schema.json, flow, dataset and schema ids")
	f.StringVar(&o.Check, "check", "", "compare the records with this committed XDM JSONL fixture; exit 1 and print a per-field diff when they differ")
	f.BoolVar(&o.Update, "update", false, "with --check: rewrite the fixture with the records (atomically)")
	f.BoolVarP(&o.Watch, "watch", "w", false, "re-run on every save of the mapping, schema or input files and print counts and a field-level diff against the previous run (Ctrl-C stops)")
	f.Int64Var(&o.Seed, "seed", 1, "with --check, --update or --watch: the seed of uuid()/guid() (now() is 2026-01-01T00:00:00Z)")
	f.BoolVar(&o.NoTenant, "no-tenant-fields", false, "leave out the built-in set's tenant fields (for schemas without a tenant field group)")
	return c
}

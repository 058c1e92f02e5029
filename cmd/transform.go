package cmd

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/ciosim/ciosim/internal/wiring"
	"io"
	"runtime/debug"
	"strings"

	"github.com/ciosim/ciosim/internal/ordered"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/xdm"
	"github.com/spf13/cobra"
)

type transformOptions struct {
	mapping      string
	tenant       string
	envelope     bool
	schemaID     string
	contentType  string
	imsOrg       string
	datasetID    string
	flowID       string
	sourceName   string
	validate     string
	schemaRefs   []string
	errors       string
	printMapping string
	noPathCheck  bool
	noTenant     bool
	dataflow     string
	mappingSet   bool
	check        string
	update       bool
	seed         int64
	watch        bool
	// sink, set by --watch for each run, collects every record (rejected ones marked)
	// and counts warnings instead of printing them.
	sink *goldenXDM
}

func newTransformCmd(a *app) *cobra.Command {
	var o transformOptions
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

Environment: CIOSIM_TENANT, CIOSIM_IMS_ORG, CIOSIM_DATASET_ID, CIOSIM_FLOW_ID and
CIOSIM_SCHEMA_ID supply the flags of the same meaning when those are not given.`,
		Example: `  ciosim generate --all --seed 7 | ciosim transform
  ciosim transform events.jsonl --mapping tutorial --tenant _acme
  ciosim transform events.jsonl --validate schema.json --errors rejected.jsonl
  ciosim transform events.jsonl --envelope --dataset-id 5f0c... --flow-id 439b...
  ciosim transform --print-mapping experience-event > mapping.json
  ciosim transform events.jsonl --mapping my-mapping.json --check expected.jsonl --update  # write it
  ciosim transform events.jsonl --mapping my-mapping.json --check expected.jsonl           # compare
  ciosim transform events.jsonl --mapping my-mapping.json --validate schema.json --watch`,
		RunE: func(c *cobra.Command, args []string) error {
			o.mappingSet = c.Flags().Changed("mapping")
			return a.runTransform(o, args)
		},
	}
	f := c.Flags()
	f.StringVarP(&o.mapping, "mapping", "m", "experience-event", "built-in mapping set ("+strings.Join(xdm.DefaultNames(), ", ")+") or a mapping-set JSON file")
	f.StringVar(&o.tenant, "tenant", "", "tenant namespace for the built-in sets' tenant fields, like _acme (env CIOSIM_TENANT; default _tenant)")
	f.BoolVar(&o.envelope, "envelope", false, "wrap each record as an XDM streaming message (header + body.xdmEntity)")
	f.StringVar(&o.schemaID, "schema-id", "", "envelope schemaRef.id (env CIOSIM_SCHEMA_ID; default: the mapping's output schema)")
	f.StringVar(&o.contentType, "content-type", xdm.DefaultContentType, "envelope schemaRef.contentType")
	f.StringVar(&o.imsOrg, "ims-org", "", "envelope header.imsOrgId, like ABC123@AdobeOrg (env CIOSIM_IMS_ORG)")
	f.StringVar(&o.datasetID, "dataset-id", "", "envelope header.datasetId (env CIOSIM_DATASET_ID)")
	f.StringVar(&o.flowID, "flow-id", "", "envelope header.flowId (env CIOSIM_FLOW_ID)")
	f.StringVar(&o.sourceName, "source-name", "", "envelope header.source.name")
	f.StringVar(&o.validate, "validate", "", "validate records against this JSON Schema (Schema Registry export or any draft-06+ schema)")
	f.StringArrayVar(&o.schemaRefs, "schema-ref", nil, "extra schema file that --validate's $refs point to, matched by its $id (repeatable)")
	f.StringVar(&o.errors, "errors", "", "write rejected records as JSONL to this file instead of stderr")
	f.StringVar(&o.printMapping, "print-mapping", "", "print a built-in mapping set as AEP-ready JSON and exit")
	f.BoolVar(&o.noPathCheck, "no-path-check", false, "accept source paths that no Customer.io event field has")
	f.StringVar(&o.dataflow, "dataflow", "", "a dataflow directory ('ciosim aep pull'): its mapping.json, schema.json, flow, dataset and schema ids")
	f.StringVar(&o.check, "check", "", "compare the records with this committed XDM JSONL fixture; exit 1 and print a per-field diff when they differ")
	f.BoolVar(&o.update, "update", false, "with --check: rewrite the fixture with the records (atomically)")
	f.BoolVarP(&o.watch, "watch", "w", false, "re-run on every save of the mapping, schema or input files and print counts and a field-level diff against the previous run (Ctrl-C stops)")
	f.Int64Var(&o.seed, "seed", 1, "with --check, --update or --watch: the seed of uuid()/guid() (now() is 2026-01-01T00:00:00Z)")
	f.BoolVar(&o.noTenant, "no-tenant-fields", false, "leave out the built-in set's tenant fields (for schemas without a tenant field group)")
	return c
}

func (a *app) transformEnv(o *transformOptions) {
	a.env().EnvelopeDefaults(&o.tenant, &o.imsOrg, &o.datasetID, &o.flowID, &o.schemaID)
}

func loadSchemaFiles(main string, refs []string) (*xdm.Schema, error) {
	return wiring.LoadSchemaFiles(main, refs)
}

// transformGCPercent is the GOGC transform runs with unless the environment sets one.
const transformGCPercent = 400

// rejectedLine is one --errors JSONL line.
type rejectedLine struct {
	File    string   `json:"file"`
	Line    int      `json:"line"`
	EventID string   `json:"event_id,omitempty"`
	Reasons []string `json:"reasons"`
	// Violations are the validation failures behind Reasons, in AEP's shape (keyword,
	// schemaLocation, pointerToViolation), as the emulator's records carry them.
	Violations []xdm.Violation `json:"validationErrors,omitempty"`
	Warnings   []string        `json:"warnings,omitempty"`
	Record     json.RawMessage `json:"record,omitempty"`
}

func (a *app) runTransform(o transformOptions, args []string) error {
	if o.dataflow != "" {
		if err := applyDataflow(&o); err != nil {
			return err
		}
	}
	a.transformEnv(&o)
	if o.printMapping != "" {
		ms, err := xdm.Default(o.printMapping, o.tenant)
		if err != nil {
			return &UsageError{Err: fmt.Errorf("--print-mapping: %w", err)}
		}
		if o.noTenant {
			t, _ := xdm.NormalizeTenant(o.tenant)
			ms = ms.Without(t)
		}
		_, err = a.s.Out.Write(ms.JSON())
		return err
	}
	if _, err := xdm.NormalizeTenant(o.tenant); err != nil {
		return usageErrorf("--tenant: %v", err)
	}
	if err := o.checkUsage(); err != nil {
		return err
	}
	if o.watch && o.sink == nil {
		return a.watchTransform(o, args)
	}
	ms, builtin, err := wiring.LoadMapping(o.mapping, o.tenant)
	if err != nil {
		if !builtin {
			err = wiring.LocateMapping(o.mapping, err)
		}
		return err
	}
	if len(ms.Mappings) == 0 {
		fmt.Fprintf(a.s.Err, "ciosim: warning: mapping set %s has no mappings: every record will be {}\n", ms.Name)
	}
	if o.noTenant {
		if !builtin {
			return usageErrorf("--no-tenant-fields applies only to the built-in mapping sets")
		}
		t, _ := xdm.NormalizeTenant(o.tenant)
		ms = ms.Without(t)
	}
	opts := xdm.Options{}
	if !o.noPathCheck {
		opts.SourceFields = xdm.CustomerIOFields()
	}
	if builtin {
		opts.Required = xdm.DefaultRequired(ms.Name)
	}
	if o.validate != "" {
		s, err := loadSchemaFiles(o.validate, o.schemaRefs)
		if err != nil {
			return err
		}
		opts.Schema = s
	} else {
		opts.Check = xdm.ClassRules{Class: ms.TargetClass()} // xdm's one validator, no schema known
	}
	if o.check != "" || o.sink != nil {
		opts = xdm.Stable(opts, o.seed)
	}
	mp, err := xdm.Compile(ms, opts)
	if err != nil {
		if !builtin {
			return wiring.LocateMapping(o.mapping, err)
		}
		return fmt.Errorf("%s: %w", ms.Name, err)
	}
	env := xdm.EnvelopeOptions{ContentType: o.contentType, IMSOrgID: o.imsOrg, DatasetID: o.datasetID, FlowID: o.flowID, SourceName: o.sourceName, SchemaID: o.schemaID}
	if env.SchemaID == "" {
		if ms.OutputSchema != nil {
			env.SchemaID = ms.OutputSchema.SchemaRef.ID
		} else {
			env.SchemaID = ms.XDMSchema
		}
	}

	var errw io.Writer = a.s.Err
	var errFile *wiring.AtomicFile
	if o.errors != "" {
		errFile, err = createAtomic(o.errors)
		if err != nil {
			return err
		}
		defer errFile.Abort()
	}
	var ebuf *bufio.Writer
	if errFile != nil {
		ebuf = bufio.NewWriter(errFile)
		errw = ebuf
	}
	if a.getenv("GOGC") == "" && a.getenv("GOMEMLIMIT") == "" {
		// Mapping allocates a few KiB per event on a heap of a few MiB, so the default
		// GOGC=100 collects every few hundred events; 400 cuts GC CPU by about
		// half for ~50 MB of RSS. GOGC or GOMEMLIMIT in the environment take precedence.
		defer debug.SetGCPercent(debug.SetGCPercent(transformGCPercent))
	}
	out := bufio.NewWriterSize(a.s.Out, 64<<10)
	golden := o.sink
	if o.check != "" && golden == nil {
		golden = &goldenXDM{}
	}
	if golden != nil {
		out = bufio.NewWriterSize(&golden.out, 64<<10)
	}
	rejected, bad := 0, 0
	var skipped int
	// Records are mapped on every core (GOMAXPROCS) and written in input order.
	err = ordered.Pipe(0, func(emit func(func(*transformItem)) error) error {
		var err error
		skipped, err = a.readRecordsSkip(args, func(rec recordings.Record) error {
			return emit(func(it *transformItem) { it.rec, it.skip = rec, nil })
		}, func(le *recordings.LineError) error {
			// reported in its place among the records' messages
			return emit(func(it *transformItem) { it.rec, it.skip = recordings.Record{}, le })
		})
		return err
	}, func(it *transformItem) {
		if it.skip != nil {
			return
		}
		it.res, it.err = mp.AppendMap(it.buf[:0], it.rec.Body)
		if it.err == nil && !it.res.Rejected {
			if cap(it.res.Record) <= 1<<20 {
				it.buf = it.res.Record // written out before this item is reused
			}
			if o.envelope {
				it.res.Record = xdm.Envelope(it.res.Record, env)
			}
		}
	}, func(it *transformItem) error {
		if it.skip != nil {
			fmt.Fprintf(a.s.Err, "ciosim: %v\n", it.skip)
			return nil
		}
		rec, res := &it.rec, &it.res
		if it.err != nil {
			bad++
			fmt.Fprintf(a.s.Err, "ciosim: %s:%d: %v\n", rec.File, rec.Line, it.err)
			return nil
		}
		if o.sink != nil {
			o.sink.warnings += len(res.Warnings)
			if res.Rejected {
				o.sink.addRejected(rec.Event.EventID, res.Record)
				return nil
			}
		}
		for _, w := range res.Warnings {
			fmt.Fprintf(a.s.Err, "ciosim: warning: %s:%d: %s\n", rec.File, rec.Line, w)
		}
		if res.Rejected {
			rejected++
			if errFile != nil {
				b, _ := json.Marshal(rejectedLine{File: rec.File, Line: rec.Line, EventID: rec.Event.EventID, Reasons: res.Reasons, Violations: res.Violations, Warnings: res.Warnings, Record: res.Record})
				ebuf.Write(b)
				ebuf.WriteByte('\n')
			} else {
				fmt.Fprintf(errw, "ciosim: rejected: %s:%d (event %s): %s\n", rec.File, rec.Line, rec.Event.EventID, strings.Join(res.Reasons, "; "))
			}
			return nil
		}
		if golden != nil {
			golden.add(rec.Event.EventID, res.Record)
		}
		out.Write(res.Record)
		return out.WriteByte('\n')
	})
	if ferr := out.Flush(); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	if errFile != nil {
		if err := ebuf.Flush(); err != nil {
			return err
		}
		if err := errFile.Commit(); err != nil {
			return err
		}
	}
	if o.sink != nil {
		o.sink.unreadable = bad + skipped
		return nil
	}
	if golden != nil {
		if rejected > 0 {
			fmt.Fprintf(a.s.Err, "ciosim: transform: %d rejected (not in the records compared)\n", rejected)
		}
		if err := a.checkGolden(o.check, o.update, golden); err != nil || bad+skipped == 0 {
			return err
		}
	}
	if rejected > 0 || bad > 0 || skipped > 0 {
		fmt.Fprintf(a.s.Err, "ciosim: transform: %d rejected, %d unreadable line(s)\n", rejected, bad+skipped)
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

// transformItem is one record on its way through transform's worker pool.
type transformItem struct {
	rec  recordings.Record
	skip *recordings.LineError // a line that could not be read, reported in its place
	buf  []byte                // the record buffer, kept across the records this item carries
	res  xdm.Result
	err  error
}

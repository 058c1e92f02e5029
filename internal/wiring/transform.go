package wiring

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/ciosim/ciosim/aep/dataflow"
	"github.com/ciosim/ciosim/internal/ordered"
	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/xdm"
)

// TransformOptions are transform's flags (MappingSet: --mapping was given).
type TransformOptions struct {
	Mapping      string
	Tenant       string
	Envelope     bool
	SchemaID     string
	ContentType  string
	ImsOrg       string
	DatasetID    string
	FlowID       string
	SourceName   string
	Validate     string
	SchemaRefs   []string
	Errors       string
	PrintMapping string
	NoPathCheck  bool
	NoTenant     bool
	Dataflow     string
	MappingSet   bool
	Check        string
	Update       bool
	Seed         int64
	Watch        bool
	// sink, set by --watch for each run, collects every record (rejected ones marked)
	// and counts warnings instead of printing them.
	sink *goldenXDM
}

func (a *Env) transformEnv(o *TransformOptions) {
	a.EnvelopeDefaults(&o.Tenant, &o.ImsOrg, &o.DatasetID, &o.FlowID, &o.SchemaID)
}

// transformGCPercent is the GOGC transform runs with unless the environment sets one.
const transformGCPercent = 400

// RejectedLine is one --errors JSONL line.
type RejectedLine struct {
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

// Transform runs 'ciosim transform' on the inputs args.
func Transform(a *Env, o TransformOptions, args []string) error { return a.runTransform(o, args) }

func (a *Env) runTransform(o TransformOptions, args []string) error {
	if o.Dataflow != "" {
		if err := applyDataflow(&o); err != nil {
			return err
		}
	}
	a.transformEnv(&o)
	if o.PrintMapping != "" {
		ms, err := xdm.Default(o.PrintMapping, o.Tenant)
		if err != nil {
			return &UsageError{Err: fmt.Errorf("--print-mapping: %w", err)}
		}
		if o.NoTenant {
			t, _ := xdm.NormalizeTenant(o.Tenant)
			ms = ms.Without(t)
		}
		_, err = a.Out.Write(ms.JSON())
		return err
	}
	if _, err := xdm.NormalizeTenant(o.Tenant); err != nil {
		return Usagef("--tenant: %v", err)
	}
	if err := o.checkUsage(); err != nil {
		return err
	}
	if o.Watch && o.sink == nil {
		return a.watchTransform(o, args)
	}
	ms, builtin, err := LoadMapping(o.Mapping, o.Tenant)
	if err != nil {
		if !builtin {
			err = LocateMapping(o.Mapping, err)
		}
		return err
	}
	if len(ms.Mappings) == 0 {
		fmt.Fprintf(a.Err, "ciosim: warning: mapping set %s has no mappings: every record will be {}\n", ms.Name)
	}
	if o.NoTenant {
		if !builtin {
			return Usagef("--no-tenant-fields applies only to the built-in mapping sets")
		}
		t, _ := xdm.NormalizeTenant(o.Tenant)
		ms = ms.Without(t)
	}
	opts := xdm.Options{}
	if !o.NoPathCheck {
		opts.SourceFields = xdm.CustomerIOFields()
	}
	if builtin {
		opts.Required = xdm.DefaultRequired(ms.Name)
	}
	if o.Validate != "" {
		s, err := LoadSchemaFiles(o.Validate, o.SchemaRefs)
		if err != nil {
			return err
		}
		opts.Schema = s
	} else {
		opts.Check = xdm.ClassRules{Class: ms.TargetClass()} // xdm's one validator, no schema known
	}
	if o.Check != "" || o.sink != nil {
		opts = xdm.Stable(opts, o.Seed)
	}
	mp, err := xdm.Compile(ms, opts)
	if err != nil {
		if !builtin {
			return LocateMapping(o.Mapping, err)
		}
		return fmt.Errorf("%s: %w", ms.Name, err)
	}
	env := xdm.EnvelopeOptions{ContentType: o.ContentType, IMSOrgID: o.ImsOrg, DatasetID: o.DatasetID, FlowID: o.FlowID, SourceName: o.SourceName, SchemaID: o.SchemaID}
	if env.SchemaID == "" {
		if ms.OutputSchema != nil {
			env.SchemaID = ms.OutputSchema.SchemaRef.ID
		} else {
			env.SchemaID = ms.XDMSchema
		}
	}

	var errw io.Writer = a.Err
	var errFile *AtomicFile
	if o.Errors != "" {
		errFile, err = CreateAtomic(o.Errors, 0o644)
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
	if a.Getenv("GOGC") == "" && a.Getenv("GOMEMLIMIT") == "" {
		// Mapping allocates a few KiB per event on a heap of a few MiB, so the default
		// GOGC=100 collects every few hundred events; 400 cuts GC CPU by about
		// half for ~50 MB of RSS. GOGC or GOMEMLIMIT in the environment take precedence.
		defer debug.SetGCPercent(debug.SetGCPercent(transformGCPercent))
	}
	out := bufio.NewWriterSize(a.Out, 64<<10)
	golden := o.sink
	if o.Check != "" && golden == nil {
		golden = &goldenXDM{}
	}
	if golden != nil {
		out = bufio.NewWriterSize(&golden.out, 64<<10)
	}
	rejected, bad := 0, 0
	var skipped int
	// Records are mapped on every core (GOMAXPROCS) and written in input order.
	err = ordered.Pipe(0, func(emit func(func(*transformItem)) error) error {
		// emit calls fill at once: one closure for all records, not one (and a heap
		// copy of the record it captured) per record
		var (
			next recordings.Record
			skip *recordings.LineError
		)
		fill := func(it *transformItem) { it.rec, it.skip = next, skip }
		var err error
		skipped, err = a.ReadRecordsSkip(args, func(rec recordings.Record) error {
			next, skip = rec, nil
			return emit(fill)
		}, func(le *recordings.LineError) error {
			// reported in its place among the records' messages
			next, skip = recordings.Record{}, le
			return emit(fill)
		})
		return err
	}, func(it *transformItem) {
		if it.skip != nil {
			return
		}
		// Body is the reader's own copy of the line, never modified: read in place
		it.res, it.err = mp.AppendMapFrozen(it.buf[:0], it.rec.Body)
		if it.err == nil && !it.res.Rejected {
			if cap(it.res.Record) <= 1<<20 {
				it.buf = it.res.Record // written out before this item is reused
			}
			if o.Envelope {
				it.res.Record = xdm.Envelope(it.res.Record, env)
			}
		}
	}, func(it *transformItem) error {
		if it.skip != nil {
			fmt.Fprintf(a.Err, "ciosim: %v\n", it.skip)
			return nil
		}
		rec, res := &it.rec, &it.res
		if it.err != nil {
			bad++
			fmt.Fprintf(a.Err, "ciosim: %s:%d: %v\n", rec.File, rec.Line, it.err)
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
			fmt.Fprintf(a.Err, "ciosim: warning: %s:%d: %s\n", rec.File, rec.Line, w)
		}
		if res.Rejected {
			rejected++
			if errFile != nil {
				b, _ := json.Marshal(RejectedLine{File: rec.File, Line: rec.Line, EventID: rec.Event.EventID, Reasons: res.Reasons, Violations: res.Violations, Warnings: res.Warnings, Record: res.Record})
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
			fmt.Fprintf(a.Err, "ciosim: transform: %d rejected (not in the records compared)\n", rejected)
		}
		if err := a.checkGolden(o.Check, o.Update, golden); err != nil || bad+skipped == 0 {
			return err
		}
	}
	if rejected > 0 || bad > 0 || skipped > 0 {
		fmt.Fprintf(a.Err, "ciosim: transform: %d rejected, %d unreadable line(s)\n", rejected, bad+skipped)
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

// applyDataflow fills transform's options from a dataflow directory; flags given on the
// command line win.
func applyDataflow(o *TransformOptions) error {
	d, err := dataflow.ReadDir(o.Dataflow)
	if err != nil {
		return &UsageError{Err: fmt.Errorf("--dataflow: %w", err)}
	}
	if !o.MappingSet {
		o.Mapping = d.MappingPath()
	}
	if o.Validate == "" {
		o.Validate = d.SchemaPath()
	}
	df := d.Dataflow
	o.FlowID = Either(o.FlowID, df.FlowID)
	o.DatasetID = Either(o.DatasetID, df.DatasetID)
	o.SchemaID = Either(o.SchemaID, df.SchemaRef)
	o.ImsOrg = Either(o.ImsOrg, df.IMSOrgID)
	return nil
}

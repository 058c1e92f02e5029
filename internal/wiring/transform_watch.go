package wiring

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ciosim/ciosim/recordings"
	"github.com/ciosim/ciosim/xdm"
	"github.com/ciosim/ciosim/xdm/xdmdiff"
)

// watchCoalesce is how long after one change others are gathered into the same run, so
// saving a mapping and a schema together re-runs once.
const watchCoalesce = 50 * time.Millisecond

// watchTransform runs transform on every save of its mapping, schema and input files and
// prints each run's counts and its field-level diff against the previous good run. A run
// that fails (a mapping that does not compile) is reported and the previous one stays the
// base of the next diff. It ends when the context does (Ctrl-C).
func (a *Env) watchTransform(o TransformOptions, args []string) error {
	if len(args) == 0 || slices.Contains(args, "-") {
		return Usagef("--watch re-reads its inputs: name the input files (stdin cannot be read twice)")
	}
	if o.Check != "" || o.Errors != "" || o.Envelope {
		return Usagef("--watch prints a diff per run: it cannot be combined with --check, --errors or --envelope")
	}
	files := slices.Clone(args)
	if !slices.Contains(xdm.DefaultNames(), o.Mapping) {
		files = append(files, o.Mapping)
	}
	if o.Validate != "" {
		files = append(files, o.Validate)
	}
	files = append(files, o.SchemaRefs...)
	changes, err := recordings.WatchFiles(a.Ctx, recordings.WatchOptions{}, files...)
	if err != nil {
		return Usagef("--watch: %v", err)
	}
	var prev []xdmdiff.Record
	prevRun := 0
	why := "start"
	for run := 1; ; run++ {
		g := &goldenXDM{}
		o2 := o
		o2.sink = g
		start := time.Now()
		err := a.runTransform(o2, args)
		took := time.Since(start).Round(time.Millisecond)
		switch {
		case a.Ctx.Err() != nil:
			return nil
		case err != nil && run == 1 && isUsage(err):
			return err
		case err != nil:
			fmt.Fprintf(a.Out, "run %d (%s): %v\n  the previous result stands; fix and save to re-run\n", run, why, err)
		default:
			for i := range g.recs {
				g.recs[i].Key = g.recs[i].EventID
			}
			cur := xdmdiff.Keyed(g.recs)
			fmt.Fprintf(a.Out, "run %d (%s): %d events → %d records, %d rejected, %d warnings, %d unreadable lines (%s)\n",
				run, why, len(cur)+g.unreadable, len(cur)-g.rejected, g.rejected, g.warnings, g.unreadable, took)
			if prev != nil {
				rep := xdmdiff.Compare(prev, cur, 3)
				if rep.None() {
					fmt.Fprintf(a.Out, "  no change since run %d\n", prevRun)
				} else {
					fmt.Fprintf(a.Out, "  since run %d: %s\n", prevRun, rep.Summary())
					for i, f := range rep.ByField {
						if i == 10 {
							fmt.Fprintf(a.Out, "    ... and %d more fields\n", len(rep.ByField)-i)
							break
						}
						fmt.Fprintf(a.Out, "    %s\n", f)
					}
					var b strings.Builder
					rep.Write(&b, xdmdiff.WriteOptions{Want: "run " + fmt.Sprint(prevRun), Got: "this run", MaxFields: 8})
					for _, l := range strings.SplitAfter(strings.TrimSuffix(b.String(), "\n"), "\n") {
						fmt.Fprint(a.Out, "  "+l)
					}
					fmt.Fprintln(a.Out)
				}
			}
			prev, prevRun = cur, run
		}
		if run == 1 {
			fmt.Fprintf(a.Out, "watching %s (Ctrl-C stops)\n", strings.Join(files, ", "))
		}
		changed, ok := a.nextChanges(changes)
		if !ok {
			return nil
		}
		why = changed
	}
}

// nextChanges waits for a change and gathers those that follow within watchCoalesce,
// naming them for the run line ("mapping.json saved"). ok is false when watching ended.
func (a *Env) nextChanges(ch <-chan recordings.Change) (string, bool) {
	var names []string
	add := func(c recordings.Change) {
		s := c.Path + " saved"
		if c.Kind == recordings.Removed {
			s = c.Path + " removed"
		}
		if !slices.Contains(names, s) {
			names = append(names, s)
		}
	}
	select {
	case <-a.Ctx.Done():
		return "", false
	case c, ok := <-ch:
		if !ok {
			return "", false
		}
		add(c)
	}
	t := time.NewTimer(watchCoalesce)
	defer t.Stop()
	for {
		select {
		case <-a.Ctx.Done():
			return "", false
		case c, ok := <-ch:
			if !ok {
				return "", false
			}
			add(c)
		case <-t.C:
			return strings.Join(names, ", "), true
		}
	}
}

func isUsage(err error) bool {
	var ue *UsageError
	return errors.As(err, &ue) || errors.Is(err, os.ErrNotExist)
}

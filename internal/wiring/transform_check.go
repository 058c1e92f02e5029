package wiring

import (
	"bytes"
	"fmt"
	"os"

	"github.com/ciosim/ciosim/xdm/xdmdiff"
)

// goldenXDM collects transform's records for --check and --update.
type goldenXDM struct {
	out  bytes.Buffer // the records as transform would print them
	recs []xdmdiff.Record
	// counts of a --watch run
	rejected, warnings, unreadable int
}

func (g *goldenXDM) addRejected(eventID string, record []byte) {
	g.rejected++
	g.recs = append(g.recs, xdmdiff.Record{Key: eventID, EventID: eventID, JSON: bytes.Clone(record), Rejected: true})
}

func (g *goldenXDM) add(eventID string, record []byte) {
	b := bytes.Clone(record)
	g.recs = append(g.recs, xdmdiff.Record{Key: xdmdiff.IDKey(b), EventID: eventID, JSON: b})
}

func (o TransformOptions) checkUsage() error {
	switch {
	case o.Update && o.Check == "":
		return Usagef("--update needs --check FILE (the fixture to rewrite)")
	case o.Check != "" && o.Envelope:
		return Usagef("--check compares XDM records: it cannot be combined with --envelope")
	case o.Check != "" && o.PrintMapping != "":
		return Usagef("--check cannot be combined with --print-mapping")
	}
	return nil
}

// checkGolden compares the records with the fixture at path (exit 1 on drift; a fixture
// that cannot be read is an input error, exit 3) or, with update, rewrites it atomically.
func (a *Env) checkGolden(path string, update bool, g *goldenXDM) error {
	recs := xdmdiff.Keyed(g.recs)
	f, err := os.Open(path)
	if err != nil && !(update && os.IsNotExist(err)) {
		return fmt.Errorf("--check: %w", err)
	}
	var rep *xdmdiff.Report
	if f != nil {
		want, err := xdmdiff.ReadJSONL(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("--check %s: %w", path, err)
		}
		rep = xdmdiff.Compare(want, recs, 10)
	}
	if rep != nil && rep.None() {
		fmt.Fprintf(a.Err, "%s: up to date (%d records)\n", path, len(recs))
		return nil
	}
	if update {
		af, err := CreateAtomic(path, 0o644)
		if err != nil {
			return err
		}
		defer af.Abort()
		if _, err := af.Write(g.out.Bytes()); err != nil {
			return fmt.Errorf("--update: %w", err)
		}
		if err := af.Commit(); err != nil {
			return err
		}
		how := "written"
		if rep != nil {
			how = "updated: " + rep.Summary()
		}
		fmt.Fprintf(a.Err, "%s: %s (%d records)\n", path, how, len(recs))
		return nil
	}
	fmt.Fprintf(a.Out, "%s: drift: %s (fixture has %d records, output %d)\n", path, rep.Summary(), rep.WantRecords, rep.GotRecords)
	if err := rep.Write(a.Out, xdmdiff.WriteOptions{}); err != nil {
		return err
	}
	return &ExitError{Code: ExitFailure}
}

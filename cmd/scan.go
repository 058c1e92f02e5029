package cmd

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ciosim/ciosim/recordings"
)

type scanOptions struct {
	JSON bool
}

func newScanCmd(a *app) *cobra.Command {
	o := scanOptions{}
	c := &cobra.Command{
		Use:   "scan [FILE|-]...",
		Short: "Report personal data left in recordings or fixtures (exit 1 if any)",
		Long: `scan reads Recording JSONL or event JSONL and reports, by file, line and field, personal
data it can recognise: email addresses (except at reserved example domains; also
URL-encoded), phone numbers (E.164, spaced and national forms, digits under phone keys;
except the +999 stand-ins redact makes), public IP addresses, person names under
name keys, message text under content, and link query strings; in captures, credentials
left in the query string or headers (see docs/recording.md). Values are shown masked.
Ids cannot be told from their pseudonyms and are not reported.

Exit status: 0 when nothing was found, 1 when something was found or a line could not be read.`,
		Example: `  ciosim scan recordings/*.jsonl fixtures/*.jsonl`,
		RunE:    func(c *cobra.Command, args []string) error { return a.runScan(o, args) },
	}
	c.Flags().BoolVar(&o.JSON, "json", false, "print one JSON object per finding")
	return c
}

type scanLine struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Path   string `json:"path"`
	Kind   string `json:"kind"`
	Masked string `json:"masked"`
}

func (a *app) runScan(o scanOptions, args []string) error {
	found, records := 0, 0
	skipped, err := a.readRecords(args, func(rec recordings.Record) error {
		records++
		findings := recordings.Scan(rec.Body)
		if rec.Capture != nil {
			findings = append(recordings.ScanCapture(*rec.Capture), findings...)
		}
		for _, f := range findings {
			found++
			l := scanLine{File: rec.File, Line: rec.Line, Path: f.Path, Kind: f.Kind, Masked: f.Masked}
			if o.JSON {
				b, _ := json.Marshal(l)
				a.s.Out.Write(append(b, '\n'))
			} else {
				fmt.Fprintf(a.s.Out, "%s:%d: %s: %s %s\n", l.File, l.Line, l.Path, l.Kind, l.Masked)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(a.s.Err, "ciosim: scanned %d records: %d findings, %d unreadable lines\n", records, found, skipped)
	if found > 0 || skipped > 0 {
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

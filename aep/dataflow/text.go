package dataflow

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText prints the login report.
func (l Login) WriteText(w io.Writer) error {
	fmt.Fprintln(w, "logged in")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  org\t%s\n", l.IMSOrgID)
	fmt.Fprintf(tw, "  sandbox\t%s\n", l.SandboxName)
	fmt.Fprintf(tw, "  tenant\t%s\n", l.TenantID)
	fmt.Fprintf(tw, "  client id\t%s\n", l.ClientID)
	fmt.Fprintf(tw, "  platform\t%s\n", l.PlatformURL)
	switch {
	case l.TokenExpires.IsZero():
		fmt.Fprintf(tw, "  token\tgiven (AEP_ACCESS_TOKEN), expiry unknown\n")
	default:
		src := "new"
		if l.TokenCached {
			src = "cached"
		}
		fmt.Fprintf(tw, "  token\t%s, expires %s\n", src, l.TokenExpires.UTC().Format(time.RFC3339))
	}
	return tw.Flush()
}

// WriteText prints what setup did and the webhook URL to paste into Customer.io.
func (r SetupResult) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, s := range r.Steps {
		id := s.ID
		if id == "" {
			id = s.Call
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Action, s.Resource, id)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Dataflow.WebhookURL == "" {
		fmt.Fprintln(w, "\ndry run: nothing was created")
		return nil
	}
	fmt.Fprintf(w, "\nflow %s (%s), mapping %s version %d\n", r.Dataflow.FlowID, r.Dataflow.State, r.Dataflow.MappingID, r.Dataflow.MappingVersion)
	fmt.Fprintf(w, "Customer.io Reporting Webhook URL:\n  %s\n", r.Dataflow.WebhookURL)
	return nil
}

// WriteText prints the diff, or that there is none.
func (r DiffResult) WriteText(w io.Writer) error {
	if r.Same {
		_, err := fmt.Fprintf(w, "mapping.json is the same as mapping set %s version %d (deployed on flow %s)\n", r.MappingID, r.DeployedVersion, r.FlowID)
		return err
	}
	fmt.Fprintf(w, "--- deployed: mapping set %s version %d\n+++ local: mapping.json\n", r.MappingID, r.DeployedVersion)
	for _, l := range withContext(r.Lines, 2) {
		fmt.Fprintln(w, l)
	}
	return nil
}

// withContext keeps the changed lines and n common lines around each, marking skipped runs
// of common lines with "@@".
func withContext(lines []string, n int) []string {
	keep := make([]bool, len(lines))
	for i, l := range lines {
		if strings.HasPrefix(l, " ") {
			continue
		}
		for j := max(0, i-n); j <= min(len(lines)-1, i+n); j++ {
			keep[j] = true
		}
	}
	var out []string
	skipped := false
	for i, l := range lines {
		if !keep[i] {
			skipped = true
			continue
		}
		if skipped || (i > 0 && len(out) == 0) {
			out = append(out, "@@")
		}
		skipped = false
		out = append(out, l)
	}
	return out
}

// WriteText prints what push did.
func (r PushResult) WriteText(w io.Writer) error {
	if r.Unchanged {
		_, err := fmt.Fprintf(w, "mapping.json is already deployed: mapping set %s version %d on flow %s\n", r.MappingID, r.FromVersion, r.FlowID)
		return err
	}
	_, err := fmt.Fprintf(w, "mapping set %s: version %d → %d\nflow %s now uses version %d (etag %s)\n", r.MappingID, r.FromVersion, r.ToVersion, r.FlowID, r.ToVersion, r.ETag)
	return err
}

// WriteFlowsText prints the flows as a table.
func WriteFlowsText(w io.Writer, flows []FlowSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tFLOW ID\tSTATE\tMAPPING\tINLET")
	for _, f := range flows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s v%d\t%s\n", f.Name, f.FlowID, f.State, f.MappingID, f.MappingVersion, f.InletURL)
	}
	return tw.Flush()
}

// WriteText prints the flow's state, runs and recent failures.
func (s Status) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "flow %s %q: %s, mapping %s version %d\n", s.FlowID, s.Name, s.State, s.MappingID, s.MappingVersion)
	fmt.Fprintf(w, "since %s: %d received, %d ingested, %d failed\n", s.Since.Format(time.RFC3339), s.Totals.InputRecordCount, s.Totals.OutputRecordCount, s.Totals.FailedRecordCount)
	if len(s.Runs) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "\nRUN STARTED\tSTATUS\tINPUT\tOUTPUT\tFAILED")
		for _, r := range s.Runs {
			m := r.Metrics
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\n", time.UnixMilli(m.DurationSummary.StartedAtUTC).UTC().Format(time.RFC3339), m.StatusSummary.Status,
				m.RecordSummary.InputRecordCount, m.RecordSummary.OutputRecordCount, m.RecordSummary.FailedRecordCount)
		}
		tw.Flush()
	}
	if len(s.Failures) > 0 {
		fmt.Fprintf(w, "\nrecent failures (%d):\n", len(s.Failures))
		for _, f := range s.Failures {
			fmt.Fprintf(w, "  %s\n", strings.Join(f.Reasons, "; "))
		}
	}
	return nil
}

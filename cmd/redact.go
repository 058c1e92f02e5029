package cmd

import (
	"bufio"
	"fmt"
	"github.com/ciosim/ciosim/internal/wiring"
	"io"

	"github.com/spf13/cobra"

	"github.com/ciosim/ciosim/recordings"
)

type redactOptions struct {
	Out     string
	KeyEnv  string
	KeyFile string
}

func newRedactCmd(a *app) *cobra.Command {
	o := redactOptions{}
	c := &cobra.Command{
		Use:   "redact [FILE|-]...",
		Short: "Replace personal data in recordings or event files with stable keyed pseudonyms",
		Long: `redact rewrites Recording JSONL or event JSONL (files or stdin) with personal data replaced
by pseudonyms: an HMAC of each value under a local key, so the same person gets the same
stand-in in every event and every file redacted with that key, and two different values
never share one. Emails stay emails (@example.com), phone numbers become E.164 numbers in
the reserved +999 country code, ids keep their shape. The key must be at least 16 bytes.

Redacted capture bodies are re-serialised (compact, sorted keys), marked "redacted": true
and lose their X-CIO-Signature header. Captures already marked redacted pass through
unchanged (redacting twice would change the stand-ins). The key comes from the environment
variable named by --redact-key-env or from --redact-key-file and is never written out.`,
		Example: `  CIOSIM_REDACT_KEY=$(openssl rand -hex 32) ciosim redact ciosim-recordings/capture-2026-11-29-001.jsonl --out shared.jsonl`,
		RunE:    func(c *cobra.Command, args []string) error { return a.runRedact(o, args) },
	}
	f := c.Flags()
	f.StringVarP(&o.Out, "out", "o", "", "write to this file (atomically) instead of stdout")
	f.StringVar(&o.KeyEnv, "redact-key-env", defaultRedactKeyEnv, "environment variable holding the redaction key")
	f.StringVar(&o.KeyFile, "redact-key-file", "", "file holding the redaction key (instead of the environment)")
	return c
}

func (a *app) runRedact(o redactOptions, args []string) error {
	key, err := a.env().LoadKey(o.KeyEnv, o.KeyFile)
	if err != nil {
		return err
	}
	if key.IsZero() {
		return usageErrorf("redact needs a key: set $%s or --redact-key-file", o.KeyEnv)
	}
	r, err := recordings.NewRedactor(key)
	if err != nil {
		return usageErrorf("$%s or --redact-key-file: %v", o.KeyEnv, err)
	}
	var w io.Writer = a.s.Out
	var af *wiring.AtomicFile
	if o.Out != "" {
		af, err = createAtomic(o.Out)
		if err != nil {
			return err
		}
		defer af.Abort()
		w = af
	}
	bw := bufio.NewWriter(w)
	failed := 0
	var line []byte
	skipped, err := a.readRecords(args, func(rec recordings.Record) error {
		line = line[:0]
		if rec.Capture != nil && rec.Capture.Redacted {
			line, _ = rec.Capture.AppendJSON(line)
		} else {
			var rerr error
			if rec.Capture != nil {
				var c recordings.Capture
				if c, rerr = r.Capture(*rec.Capture); rerr == nil {
					line, _ = c.AppendJSON(line)
				}
			} else {
				var out []byte
				if out, rerr = r.Body(rec.Body); rerr == nil {
					line = append(line, out...)
				}
			}
			if rerr != nil {
				failed++
				fmt.Fprintf(a.s.Err, "ciosim: %s:%d: %v (line left out)\n", rec.File, rec.Line, rerr)
				return nil
			}
		}
		line = append(line, '\n')
		_, werr := bw.Write(line)
		return werr
	})
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if af != nil {
		if err := af.Commit(); err != nil {
			return err
		}
	}
	if skipped+failed > 0 {
		fmt.Fprintf(a.s.Err, "ciosim: %d lines could not be redacted and were left out\n", skipped+failed)
		return &ExitError{Code: ExitFailure}
	}
	return nil
}

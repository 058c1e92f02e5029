package cmd

import (
	"github.com/spf13/cobra"

	"github.com/ciosim/ciosim/customerio"
	"github.com/ciosim/ciosim/internal/wiring"
	"github.com/ciosim/ciosim/recordings"
)

// Default environment variable names for keys. Keys are read only from the environment or
// from files, never from flag values, and never printed.
const (
	defaultSigningKeyEnv = "CIOSIM_SIGNING_KEY"
	defaultRedactKeyEnv  = "CIOSIM_REDACT_KEY"
)

func newRecordCmd(a *app) *cobra.Command {
	o := wiring.RecordOptions{}
	c := &cobra.Command{
		Use:   "record",
		Short: "Run the capturing receiver: verify, store and optionally forward Customer.io webhooks",
		Long: `record listens for Customer.io Reporting Webhook POSTs, checks X-CIO-Signature, and appends
each request byte-exactly to Recording JSONL files in --dir (rotated by size and by UTC day).
It answers 200 only after the capture is appended (and, with --fsync always, on disk).
One line per request is printed on stdout (--json for JSON lines).

The signing key is read from the environment variable named by --signing-key-env or from
--signing-key-file; it is never printed or written into recordings. Without a key, signatures
are recorded as "unchecked".`,
		Example: `  CIOSIM_SIGNING_KEY=... ciosim record --listen 127.0.0.1:8787 --dir ciosim-recordings --require-signature
  CIOSIM_REDACT_KEY=$(openssl rand -hex 32) ciosim record --redact --forward http://127.0.0.1:8788/collection/abc`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error { return wiring.Record(a.env(), o) },
	}
	f := c.Flags()
	f.StringVar(&o.Listen, "listen", "127.0.0.1:8787", "address to listen on (host:port; port 0 picks a free port)")
	f.StringVar(&o.Dir, "dir", recordings.DefaultDir, "directory for the Recording JSONL files (created with a .gitignore: captures hold personal data)")
	f.StringVar(&o.SigningKeyEnv, "signing-key-env", defaultSigningKeyEnv, "environment variable holding the Reporting Webhook signing key")
	f.StringVar(&o.SigningKeyFile, "signing-key-file", "", "file holding the signing key (instead of the environment)")
	f.BoolVar(&o.RequireSignature, "require-signature", false, "answer 401 to invalid or absent signatures and do not record them")
	f.DurationVar(&o.Tolerance, "tolerance", customerio.DefaultTolerance, "allowed distance between X-CIO-Timestamp and now")
	f.BoolVar(&o.Redact, "redact", false, "replace personal data with keyed pseudonyms before storing (body re-serialised, signature dropped)")
	f.StringVar(&o.RedactKeyEnv, "redact-key-env", defaultRedactKeyEnv, "environment variable holding the redaction key")
	f.StringVar(&o.RedactKeyFile, "redact-key-file", "", "file holding the redaction key (instead of the environment)")
	f.StringVar(&o.Forward, "forward", "", "also relay each stored capture (raw bytes) to this inlet URL through the aep client (auth from AEP_ACCESS_TOKEN, AEP_API_KEY, AEP_IMS_ORG, AEP_SANDBOX_NAME)")
	f.StringVar(&o.ForwardFlowID, "forward-flow-id", "", "dataflow id for --forward, sent as ?x-adobe-flow-id=")
	f.StringVar(&o.ForwardJournal, "forward-journal", wiring.DefaultForwardJournal, "with --forward: journal of forward outcomes, one line per capture naming its store file and line")
	f.BoolVar(&o.NoForwardJournal, "no-forward-journal", false, "with --forward: keep no journal of forward outcomes")
	f.Int64Var(&o.MaxBody, "max-body", recordings.DefaultMaxBodyBytes, "largest body accepted, in bytes (larger gets 413)")
	f.Int64Var(&o.MaxFileSize, "max-file-size", recordings.DefaultMaxFileBytes, "rotate to a new file at this size, in bytes")
	f.StringVar(&o.Fsync, "fsync", "always", "durability before answering 200: always (fsync, group commit) or never (OS page cache: survives a killed process, not a power loss)")
	f.BoolVar(&o.JSON, "json", false, "print one JSON object per request instead of a text line")
	wiring.AddServerFlags(f, &o.Server)
	wiring.AddStoreFlags(f, &o.Store)
	return c
}

package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/ciosim/ciosim/aep/platform"
	"github.com/spf13/cobra"
)

// aepOptions are the flags every `aep` subcommand shares.
type aepOptions struct {
	config      string
	platformURL string
	imsURL      string
	sandbox     string
	json        bool
}

func newAEPCmd(a *app) *cobra.Command {
	o := &aepOptions{}
	c := &cobra.Command{
		Use:   "aep",
		Short: "Set up, pull, push, diff and watch a Customer.io dataflow on AEP (or the emulator)",
		Long: `aep works with one Customer.io → AEP streaming dataflow through AEP's own APIs (IMS, Flow
Service, Data Prep, Schema Registry, Catalog), against the real AEP or against 'ciosim serve',
which answers the same calls.

Credentials come from the environment or a config file, never from flags, and are never
printed; tokens are cached in a 0600 file under the user cache directory:
  AEP_CLIENT_ID, AEP_CLIENT_SECRET, AEP_SCOPES   OAuth Server-to-Server credential
  AEP_IMS_ORG, AEP_SANDBOX_NAME                  x-gw-ims-org-id, x-sandbox-name (default prod)
  AEP_ACCESS_TOKEN                               a ready token (skips IMS)
  AEP_PLATFORM_URL, AEP_IMS_URL                  base URLs (default https://platform.adobe.io,
                                                 https://ims-na1.adobelogin.com)
--config takes aepp's JSON layout (org_id, client_id, secret, sandbox-name, scopes); a file
holding a secret must be mode 0600.`,
	}
	f := c.PersistentFlags()
	f.StringVar(&o.config, "config", "", "aepp-style JSON config file (env AEP_CONFIG)")
	f.StringVar(&o.platformURL, "platform-url", "", "platform base URL (env AEP_PLATFORM_URL)")
	f.StringVar(&o.imsURL, "ims-url", "", "IMS base URL (env AEP_IMS_URL)")
	f.StringVar(&o.sandbox, "sandbox", "", "sandbox name (env AEP_SANDBOX_NAME; default prod)")
	f.BoolVar(&o.json, "json", false, "print JSON instead of text")
	c.AddCommand(newAEPLoginCmd(a, o), newAEPSetupCmd(a, o), newAEPPullCmd(a, o), newAEPPushCmd(a, o),
		newAEPDiffCmd(a, o), newAEPFlowsCmd(a, o), newAEPStatusCmd(a, o))
	return c
}

// platformClient builds the control-plane client: config file, then environment, then flags.
func (a *app) platformClient(o *aepOptions) (*platform.Client, error) {
	var cfg platform.Config
	path := cmp(o.config, a.getenv("AEP_CONFIG"))
	if path != "" {
		var err error
		if cfg, err = platform.LoadConfigFile(path); err != nil {
			return nil, &UsageError{Err: err}
		}
	}
	cfg = platform.ConfigFromEnv(cfg, a.getenv)
	if o.platformURL != "" {
		cfg.PlatformURL = o.platformURL
	}
	if o.imsURL != "" {
		cfg.IMSURL = o.imsURL
	}
	if o.sandbox != "" {
		cfg.Sandbox = o.sandbox
	}
	cfg.CacheDir = a.cacheDir()
	c, err := platform.New(cfg)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return c, nil
}

// cacheDir is ciosim's user cache directory (CIOSIM_CACHE_DIR, else the XDG rule); "" when
// none can be found, which turns the token cache off.
func (a *app) cacheDir() string {
	if d := a.getenv("CIOSIM_CACHE_DIR"); d != "" {
		return d
	}
	if d := a.getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "ciosim")
	}
	if h := a.getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache", "ciosim")
	}
	return ""
}

// textWriter is anything with a text form.
type textWriter interface{ WriteText(io.Writer) error }

// aepPrint writes v as indented JSON with --json, else its text form.
func (a *app) aepPrint(o *aepOptions, v any) error {
	if o.json {
		enc := json.NewEncoder(a.s.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	}
	if t, ok := v.(textWriter); ok {
		return t.WriteText(a.s.Out)
	}
	_, err := fmt.Fprintln(a.s.Out, v)
	return err
}

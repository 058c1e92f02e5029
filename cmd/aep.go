package cmd

import (
	"github.com/ciosim/ciosim/internal/wiring"

	"github.com/spf13/cobra"
)

func newAEPCmd(a *app) *cobra.Command {
	o := &wiring.AEPOptions{}
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
	f.StringVar(&o.Config, "config", "", "aepp-style JSON config file (env AEP_CONFIG)")
	f.StringVar(&o.PlatformURL, "platform-url", "", "platform base URL (env AEP_PLATFORM_URL)")
	f.StringVar(&o.IMSURL, "ims-url", "", "IMS base URL (env AEP_IMS_URL)")
	f.StringVar(&o.Sandbox, "sandbox", "", "sandbox name (env AEP_SANDBOX_NAME; default prod)")
	f.BoolVar(&o.JSON, "json", false, "print JSON instead of text")
	c.AddCommand(newAEPLoginCmd(a, o), newAEPSetupCmd(a, o), newAEPPullCmd(a, o), newAEPPushCmd(a, o),
		newAEPDiffCmd(a, o), newAEPFlowsCmd(a, o), newAEPStatusCmd(a, o))
	return c
}

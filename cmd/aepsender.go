package cmd

import (
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/secret"
)

// aepTarget says where and how replay or forward sends.
type aepTarget struct {
	URL        string
	Mode       aep.Mode
	FlowID     string
	SigningKey secret.Secret
	Retries    int
	Timeout    time.Duration
	// BatchMaxBytes and BatchMaxMessages bound one batch request (batch mode); 0 means the
	// client's defaults (1 MB, 1000 messages).
	BatchMaxBytes, BatchMaxMessages int
}

// newAEPClient builds the aep client for t, with the inlet credentials send uses
// (AEP_ACCESS_TOKEN, AEP_API_KEY, AEP_IMS_ORG, AEP_SANDBOX_NAME).
func (a *app) newAEPClient(t aepTarget) (*aep.Client, error) {
	ao := aep.Options{Mode: t.Mode, URL: t.URL, FlowID: t.FlowID, SigningKey: t.SigningKey,
		Retries: t.Retries, Timeout: t.Timeout, Concurrency: 1,
		BatchMaxBytes: t.BatchMaxBytes, BatchMaxMessages: t.BatchMaxMessages}
	var err error
	if ao.Auth.Token, err = a.credential(envAccessToken, ""); err != nil {
		return nil, err
	}
	if ao.Auth.APIKey, err = a.credential(envAPIKey, ""); err != nil {
		return nil, err
	}
	ao.Auth.OrgID = a.getenv(envOrgID)
	ao.Auth.Sandbox = a.getenv(envSandbox)
	c, err := aep.New(ao)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return c, nil
}

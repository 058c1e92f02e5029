package wiring

import (
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/secret"
)

// Environment variables commands read credentials from (or the files named by the --*-file flags).
const (
	EnvSigningKey  = "CIOSIM_SIGNING_KEY"
	EnvAccessToken = "AEP_ACCESS_TOKEN"
	EnvAPIKey      = "AEP_API_KEY"
	EnvOrgID       = "AEP_IMS_ORG"
	EnvSandbox     = "AEP_SANDBOX_NAME"
)

// AEPTarget says where and how replay or forward sends.
type AEPTarget struct {
	URL        string
	Mode       aep.Mode
	FlowID     string
	SigningKey secret.Secret
	Retries    int
	Timeout    time.Duration
	// BatchMaxBytes and BatchMaxMessages bound one batch request (batch mode); 0 means the
	// client's defaults (1 MB, 1000 messages).
	BatchMaxBytes, BatchMaxMessages int
	// Secrets are other credentials the process holds, scrubbed from results like the
	// client's own (aep.Options.Secrets).
	Secrets []secret.Secret
}

// Credential reads a secret from file when given, else from the environment variable env.
func (e *Env) Credential(env, file string) (secret.Secret, error) {
	return Credential(e.Getenv, env, file)
}

// AEPClient builds the aep client for t, with the inlet credentials send uses
// (AEP_ACCESS_TOKEN, AEP_API_KEY, AEP_IMS_ORG, AEP_SANDBOX_NAME).
func (e *Env) AEPClient(t AEPTarget) (*aep.Client, error) {
	ao := aep.Options{Mode: t.Mode, URL: t.URL, FlowID: t.FlowID, SigningKey: t.SigningKey,
		Retries: t.Retries, Timeout: t.Timeout, Concurrency: 1,
		BatchMaxBytes: t.BatchMaxBytes, BatchMaxMessages: t.BatchMaxMessages, Secrets: t.Secrets}
	var err error
	if ao.Auth.Token, err = e.Credential(EnvAccessToken, ""); err != nil {
		return nil, err
	}
	if ao.Auth.APIKey, err = e.Credential(EnvAPIKey, ""); err != nil {
		return nil, err
	}
	ao.Auth.OrgID = e.Getenv(EnvOrgID)
	ao.Auth.Sandbox = e.Getenv(EnvSandbox)
	c, err := aep.New(ao)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return c, nil
}

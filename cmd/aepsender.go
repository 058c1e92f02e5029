package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ciosim/ciosim/aep"
	"github.com/ciosim/ciosim/pipeline"
	"github.com/ciosim/ciosim/secret"
)

// aepSender adapts the aep streaming client to the pipeline.Sender that replay and the
// recorder's --forward consume. The client sends the body byte-for-byte (raw mode) or as an
// XDM message (xdm mode), with authentication from the environment, retries and, when a
// signing key is set, a fresh X-CIO-Timestamp/X-CIO-Signature per request. Per-request
// headers of a pipeline.Request are not carried: the client has no such field.
type aepSender struct{ c *aep.Client }

var (
	_ pipeline.Sender      = aepSender{}
	_ pipeline.BatchSender = aepSender{}
)

// Send delivers one request and maps the client's result.
func (s aepSender) Send(ctx context.Context, req pipeline.Request) (pipeline.Response, error) {
	r := s.c.Send(ctx, aep.Message{Body: req.Body})
	return outcome(r)
}

// SendBatch delivers the requests as one AEP batch ({"messages":[...]}) through the
// client's batch path: per-message results from the 207, only retryable failures resent.
// The caller keeps the batch within the client's limits (pipeline.ReplayBatch does).
func (s aepSender) SendBatch(ctx context.Context, reqs []pipeline.Request) []pipeline.Outcome {
	msgs := make([]aep.Message, len(reqs))
	for i, r := range reqs {
		msgs[i] = aep.Message{Seq: i, Body: r.Body}
	}
	res := s.c.SendBatch(ctx, msgs)
	out := make([]pipeline.Outcome, len(reqs))
	for i := range out {
		if i < len(res) {
			out[i].Response, out[i].Err = outcome(res[i])
		} else {
			out[i].Err = errors.New("no result from the batch")
		}
	}
	return out
}

// outcome maps one aep client result to the pipeline's response and error.
func outcome(r aep.Result) (pipeline.Response, error) {
	resp := pipeline.Response{Status: r.Status, Body: []byte(r.Excerpt), Latency: r.Latency}
	if r.Outcome == aep.Delivered {
		return resp, nil
	}
	if r.Status != 0 {
		return resp, fmt.Errorf("%w (after %d attempts)", &pipeline.StatusError{Status: r.Status, Body: []byte(r.Reason)}, r.Attempts)
	}
	if r.Reason == "" {
		return resp, errors.New("not delivered")
	}
	return resp, fmt.Errorf("%s (after %d attempts)", r.Reason, r.Attempts)
}

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

// newAEPSender builds the aep client for t, with the inlet credentials send uses
// (AEP_ACCESS_TOKEN, AEP_API_KEY, AEP_IMS_ORG, AEP_SANDBOX_NAME).
func (a *app) newAEPSender(t aepTarget) (aepSender, error) {
	ao := aep.Options{Mode: t.Mode, URL: t.URL, FlowID: t.FlowID, SigningKey: t.SigningKey,
		Retries: t.Retries, Timeout: t.Timeout, Concurrency: 1,
		BatchMaxBytes: t.BatchMaxBytes, BatchMaxMessages: t.BatchMaxMessages}
	var err error
	if ao.Auth.Token, err = a.credential(envAccessToken, ""); err != nil {
		return aepSender{}, err
	}
	if ao.Auth.APIKey, err = a.credential(envAPIKey, ""); err != nil {
		return aepSender{}, err
	}
	ao.Auth.OrgID = a.getenv(envOrgID)
	ao.Auth.Sandbox = a.getenv(envSandbox)
	c, err := aep.New(ao)
	if err != nil {
		return aepSender{}, &UsageError{Err: err}
	}
	return aepSender{c: c}, nil
}

package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// MaxVerdictBatch bounds the xactionIds asked about in one request to an emulator's
// verdict route (the emulator's own bound, emulator.MaxVerdictIDs).
const MaxVerdictBatch = 1000

// verdictTimeout bounds one request for verdicts.
const verdictTimeout = 10 * time.Second

// VerdictPath is the route of a ciosim emulator that answers, for xactionIds it gave, its
// verdict on each message (POST {"xactionIds":[...]} → {"verdicts":[{"xactionId","known",
// "good","reasons"}]}, in the order asked). It is on the inlet's host, beside /collection/.
const VerdictPath = "/emulator/verdicts"

// remoteVerdicts asks a separate ciosim emulator (one whose answers carried
// aep.HeaderEmulator) for its verdicts on delivered events. It is used only by the
// delivery's one reporting goroutine.
type remoteVerdicts struct {
	url      string
	hc       *http.Client
	disabled bool // after a failure: no more asking in this run
}

// newRemoteVerdicts returns the asker for the emulator behind inlet (an inlet URL:
// http(s)://host[/prefix]/collection/{inletId}); nil when the URL cannot be read.
func newRemoteVerdicts(inlet string, hc *http.Client) *remoteVerdicts {
	u, err := url.Parse(inlet)
	if err != nil || u.Host == "" {
		return nil
	}
	prefix := u.Path
	if i := strings.Index(prefix, "/collection/"); i >= 0 {
		prefix = prefix[:i]
	} else {
		prefix = ""
	}
	v := *u
	v.Path, v.RawPath, v.RawQuery, v.Fragment = strings.TrimSuffix(prefix, "/")+VerdictPath, "", "", ""
	if hc == nil {
		hc = http.DefaultClient
	}
	return &remoteVerdicts{url: v.String(), hc: hc}
}

// needsVerdict reports whether r is a delivered event whose answer came from a ciosim
// emulator and which has no verdict yet.
func needsVerdict(r *Result) bool {
	return r.Outcome == Delivered && r.Emulator && r.XactionID != "" && r.Verdict == nil
}

// fill asks for the verdicts of the results in group that need one, MaxVerdictBatch ids per
// request, and sets each Result.Verdict the emulator knows. The first failure stops the
// asking for the rest of the run; its reason is returned (once).
func (rv *remoteVerdicts) fill(ctx context.Context, group [][]Result) string {
	if rv == nil || rv.disabled {
		return ""
	}
	var want []*Result
	for _, rs := range group {
		for i := range rs {
			if needsVerdict(&rs[i]) {
				want = append(want, &rs[i])
			}
		}
	}
	for start := 0; start < len(want); start += MaxVerdictBatch {
		part := want[start:min(start+MaxVerdictBatch, len(want))]
		if err := rv.ask(ctx, part); err != nil {
			rv.disabled = true
			return fmt.Sprintf("verdicts not fetched from %s: %v", rv.url, err)
		}
	}
	return ""
}

func (rv *remoteVerdicts) ask(ctx context.Context, rs []*Result) error {
	ids := make([]string, len(rs))
	for i, r := range rs {
		ids[i] = r.XactionID
	}
	body, err := json.Marshal(map[string][]string{"xactionIds": ids})
	if err != nil {
		return err
	}
	// The run's context may already be over (an interrupt): the verdicts of what was
	// delivered are still worth one bounded request each.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), verdictTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rv.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := rv.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var out struct {
		Verdicts []struct {
			XactionID string   `json:"xactionId"`
			Known     bool     `json:"known"`
			Good      bool     `json:"good"`
			Reasons   []string `json:"reasons"`
		} `json:"verdicts"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return fmt.Errorf("unreadable answer: %w", err)
	}
	if len(out.Verdicts) != len(rs) {
		return fmt.Errorf("%d verdicts for %d xactionIds", len(out.Verdicts), len(rs))
	}
	for i, v := range out.Verdicts {
		if v.XactionID != rs[i].XactionID || !v.Known {
			continue
		}
		rs[i].Verdict = &Verdict{Good: v.Good, Reasons: v.Reasons}
	}
	return nil
}

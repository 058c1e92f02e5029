package aep

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// batchOverhead is the size of `{"messages":[` + `]}`.
const batchOverhead = len(`{"messages":[]}`)

// BatchBody returns the batch request body for msgs: {"messages":[m1,m2,...]}, each message's
// bytes unchanged.
func BatchBody(msgs []Message) []byte {
	n := batchOverhead
	for _, m := range msgs {
		n += len(m.Body) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"messages":[`...)
	for i, m := range msgs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, m.Body...)
	}
	return append(b, "]}"...)
}

// BatchElement is one element of a 207 batch response. AEP's docs show failures as
// {"statusCode":400,"message":...}; Adobe's own client expects {"xactionId":..,"status":400,
// "message":...}; both are read.
type BatchElement struct {
	XactionID  string `json:"xactionId,omitempty"`
	Status     int    `json:"status,omitempty"`
	StatusCode int    `json:"statusCode,omitempty"`
	Message    string `json:"message,omitempty"`
}

// Code returns the element's status: Status or StatusCode, or 200 when neither is set.
func (e BatchElement) Code() int {
	switch {
	case e.Status != 0:
		return e.Status
	case e.StatusCode != 0:
		return e.StatusCode
	}
	return http.StatusOK
}

// BatchResponse is the body of a batch answer (HTTP 207).
type BatchResponse struct {
	InletID        string         `json:"inletId"`
	BatchID        string         `json:"batchId"`
	ReceivedTimeMs int64          `json:"receivedTimeMs"`
	Responses      []BatchElement `json:"responses"`
}

// SendBatch delivers msgs in one batch request, retrying the whole request on 429, 5xx and
// timeouts and, after a 207, only the elements that failed with a retryable status. It
// returns one result per message, in order. The caller keeps the batch under the limits
// (see [Client.BatchFits]).
func (c *Client) SendBatch(ctx context.Context, msgs []Message) []Result {
	res := make([]Result, len(msgs))
	for i, m := range msgs {
		res[i] = Result{Message: m}
	}
	pending := make([]int, len(msgs))
	for i := range pending {
		pending[i] = i
	}
	started := time.Now()
	for n := 1; len(pending) > 0; n++ {
		if ctx.Err() != nil {
			for _, i := range pending {
				if res[i].Reason == "" {
					res[i].Reason = "not sent"
				}
			}
			break
		}
		batch := make([]Message, len(pending))
		for j, i := range pending {
			batch[j] = msgs[i]
		}
		a := c.post(ctx, c.ep.batch, BatchBody(batch), false)
		for _, i := range pending {
			res[i].Attempts = n
			res[i].Latency = a.latency
		}
		var retry []int
		if a.err != nil || (a.status != http.StatusMultiStatus && (a.status < 200 || a.status >= 300)) {
			// The whole request failed: every pending message shares its fate.
			for _, i := range pending {
				c.fill(&res[i], a)
			}
			retry = pending
		} else {
			var br BatchResponse
			err := json.Unmarshal(a.body, &br)
			ex := excerpt(c.scrub.Bytes(a.body))
			for j, i := range pending {
				r := &res[i]
				r.Status = a.status
				r.Excerpt = ex
				r.Emulator = a.header.Get(HeaderEmulator) != ""
				switch {
				case err != nil:
					r.Reason = fmt.Sprintf("unreadable batch response (HTTP %d): %v", a.status, err)
					r.Kind = "bad batch response"
					retry = append(retry, i)
				case j >= len(br.Responses):
					r.Reason = fmt.Sprintf("batch response has %d results for %d messages", len(br.Responses), len(pending))
					r.Kind = "bad batch response"
					retry = append(retry, i)
				default:
					el := br.Responses[j]
					code := el.Code()
					r.Status = code
					r.XactionID = el.XactionID
					if code < 300 {
						r.Outcome = Delivered
						r.Reason = ""
						r.Total = time.Since(started)
						continue
					}
					r.Reason = fmt.Sprintf("aep: batch element %d: %d %s: %s", j, code, http.StatusText(code), el.Message)
					r.Kind = "HTTP " + strconv.Itoa(code)
					if c.o.CustomerIOSemantics || c.retryable(answer{status: code}) {
						retry = append(retry, i)
					} else {
						r.Outcome = Failed
						r.Total = time.Since(started)
					}
				}
			}
		}
		pending = retry
		if len(pending) == 0 {
			break
		}
		// Decide on the retry with the failing answer (for a 207, the first failed element's
		// status stands in for the request).
		probe := a
		if a.err == nil && (a.status == http.StatusMultiStatus || a.status < 300) {
			probe = answer{status: res[pending[0]].Status, header: a.header}
			if probe.status < 300 {
				probe.status = http.StatusInternalServerError // unreadable answer: retry
			}
		}
		if ctx.Err() != nil || c.giveUp(n, probe, started) || sleep(ctx, c.wait(n, probe)) != nil {
			break
		}
	}
	for _, i := range pending {
		res[i].Outcome = Failed
		if ctx.Err() != nil {
			res[i].Outcome = Cancelled
			res[i].Reason = "interrupted: " + res[i].Reason
		}
		res[i].Total = time.Since(started)
	}
	for i := range res {
		c.clean(&res[i])
	}
	return res
}

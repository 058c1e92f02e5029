package pipeline

import (
	"encoding/json"
	"time"

	"github.com/ciosim/ciosim/aep"
)

// Outcome is what finally happened to an event: [Delivered], [Rejected], [Failed] or
// [Cancelled].
type Outcome = aep.Outcome

// The outcomes, as the aep client defines them.
const (
	// Delivered: the endpoint accepted the event.
	Delivered = aep.Delivered
	// Rejected: the local mapping or validation refused the event; it was never posted.
	Rejected = aep.Rejected
	// Failed: not accepted after the retries allowed; it is dead-lettered.
	Failed = aep.Failed
	// Cancelled: the run ended before the event's fate was known.
	Cancelled = aep.Cancelled
)

// Verdict is the embedded emulator's judgement of a delivered event: good, or bad with its
// reasons (AEP accepts raw posts and XDM messages asynchronously and judges them later; the
// emulator's verdict is what AEP would make of them).
type Verdict struct {
	Good    bool     `json:"good"`
	Reasons []string `json:"reasons,omitempty"`
}

// Result is the fate of one event: the aep client's result (the event, its outcome, last
// status, attempts, latency, reason and failure kind), when the schedule wanted it sent,
// and the emulator's verdict when the endpoint is the embedded emulator. It is the one
// result type of delivery: commands, reports, the journal and the TUI all read it.
type Result struct {
	aep.Result
	// Due is when the schedule wanted the event sent; Released is when it was handed to
	// the client (both on the delivery's clock). Lag is Released - Due, the pacing error.
	Due, Released time.Time
	Lag           time.Duration
	// Verdict is the emulator's verdict on a delivered event, nil when unknown.
	Verdict *Verdict
}

// CustomerKey is the customer an event belongs to, for per-customer ordering:
// data.customer_id, else data.identifiers.id, else data.identifiers.email.
func CustomerKey(data json.RawMessage) string {
	var d struct {
		CustomerID  string `json:"customer_id"`
		Identifiers struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"identifiers"`
	}
	json.Unmarshal(data, &d)
	switch {
	case d.CustomerID != "":
		return d.CustomerID
	case d.Identifiers.ID != "":
		return d.Identifiers.ID
	}
	return d.Identifiers.Email
}

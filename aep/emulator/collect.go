package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ciosim/ciosim/customerio"
)

// Record is one message the emulator accepted, with its verdict.
type Record struct {
	// Seq numbers records in arrival order, from 1.
	Seq int64 `json:"seq"`
	// ReceivedAt is when the message arrived.
	ReceivedAt time.Time `json:"received_at"`
	// XactionID is the id the emulator answered with.
	XactionID string `json:"xactionId"`
	// Kind is "raw" (a partner body with a flow id) or "xdm" (an XDM message).
	Kind string `json:"kind"`
	// Good is true when the message mapped and validated; Reasons say why not.
	Good    bool     `json:"good"`
	Reasons []string `json:"reasons,omitempty"`
	// EventID, ObjectType and Metric identify the event (from the raw body, or found in the
	// XDM entity: _id and any object_type / metric fields).
	EventID    string `json:"event_id,omitempty"`
	ObjectType string `json:"object_type,omitempty"`
	Metric     string `json:"metric,omitempty"`
	// FlowID is the dataflow id of a raw post.
	FlowID string `json:"flow_id,omitempty"`
	// Body is what was posted (one message of a batch); Mapped is the record the mapping
	// produced from a raw body.
	Body   json.RawMessage `json:"body"`
	Mapped json.RawMessage `json:"mapped,omitempty"`
}

// syncStopAfter is how many violations AEP's sync validation reports per message (§2.2).
const syncStopAfter = 5

func (s *Server) collectOne(w http.ResponseWriter, r *http.Request, inlet string, body []byte) {
	now := s.now()
	q := r.URL.Query()
	sync := q.Get("syncValidation") == "true" || q.Get("synchronousValidation") == "true"
	flow := q.Get("x-adobe-flow-id")
	if flow == "" {
		flow = r.Header.Get("x-adobe-flow-id")
	}
	var rec Record
	if flow != "" {
		if !json.Valid(body) {
			s.respond(w, http.StatusBadRequest, problem(http.StatusBadRequest, "Invalid Payload",
				fmt.Sprintf("inletId: [%s] imsOrgId: [%s] Message is not valid JSON", inlet, s.o.OrgID)))
			return
		}
		rec = s.classifyRaw(body, s.mapperFor(flow))
		rec.FlowID = flow
	} else {
		var fail string
		rec, fail = s.classifyXDM(body)
		if fail != "" {
			s.respond(w, http.StatusBadRequest, problem(http.StatusBadRequest, "Invalid XDM Message Format",
				fmt.Sprintf("inletId: [%s] imsOrgId: [%s] %s", inlet, s.o.OrgID, fail)))
			return
		}
	}
	if sync && !rec.Good {
		s.count(func(c *Counts) { c.SyncRejected++ })
		s.respond(w, http.StatusBadRequest, s.syncFailure(inlet, rec.Reasons))
		return
	}
	rec.ReceivedAt = now
	rec.XactionID, rec.Seq = s.xaction(now)
	s.keep(rec)
	resp := map[string]any{"inletId": inlet, "xactionId": rec.XactionID, "receivedTimeMs": now.UnixMilli()}
	if flow == "" || sync {
		if sync {
			resp["syncValidation"] = map[string]any{"status": "pass"}
		} else {
			resp["syncValidation"] = map[string]any{"skipped": true}
		}
	}
	s.respond(w, http.StatusOK, resp)
}

// syncFailure is AEP's 400 body for a message that fails synchronous validation.
func (s *Server) syncFailure(inlet string, reasons []string) map[string]any {
	if len(reasons) > syncStopAfter {
		reasons = reasons[:syncStopAfter]
	}
	causes := make([]map[string]any, len(reasons))
	for i, r := range reasons {
		causes[i] = map[string]any{"schemaLocation": "#", "pointerToViolation": "#", "message": r, "causingExceptions": []any{}}
	}
	return map[string]any{
		"type":   "http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet",
		"status": http.StatusBadRequest, "title": "Invalid XDM Message Format",
		"report": map[string]any{
			"message": fmt.Sprintf("inletId: [%s] imsOrgId: [%s] Message is invalid", inlet, s.o.OrgID),
			"cause": map[string]any{"_streamingValidation": []any{map[string]any{
				"schemaLocation": "#", "pointerToViolation": "#",
				"message":           fmt.Sprintf("%d schema violations found", len(reasons)),
				"causingExceptions": causes,
			}}},
		},
	}
}

func (s *Server) collectBatch(w http.ResponseWriter, r *http.Request, inlet string, body []byte) {
	now := s.now()
	var env struct {
		Messages []json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Messages == nil {
		msg := "batch body must be {\"messages\":[...]}"
		if err != nil {
			msg += ": " + err.Error()
		}
		s.respond(w, http.StatusBadRequest, problem(http.StatusBadRequest, "Invalid Payload",
			fmt.Sprintf("inletId: [%s] imsOrgId: [%s] %s", inlet, s.o.OrgID, msg)))
		return
	}
	batchID, _ := s.xaction(now)
	out := make([]map[string]any, len(env.Messages))
	for i, m := range env.Messages {
		xid := fmt.Sprintf("%s:%d", batchID, i)
		if code := s.dice.element(); code != 0 {
			s.count(func(c *Counts) { c.Faults.Elements[code]++ })
			out[i] = map[string]any{"xactionId": xid, "statusCode": code, "message": "injected fault"}
			continue
		}
		rec, fail := s.classifyXDM(m)
		if fail != "" {
			s.count(func(c *Counts) { c.BatchRejected++ })
			out[i] = map[string]any{"xactionId": xid, "statusCode": http.StatusBadRequest,
				"message": fmt.Sprintf("inletId: [%s] imsOrgId: [%s] %s", inlet, s.o.OrgID, fail)}
			continue
		}
		rec.ReceivedAt = now
		rec.XactionID = xid
		rec.Seq = s.seq.Add(1)
		s.keep(rec)
		out[i] = map[string]any{"xactionId": xid}
	}
	s.respond(w, http.StatusMultiStatus, map[string]any{"inletId": inlet, "batchId": batchID,
		"receivedTimeMs": now.UnixMilli(), "responses": out})
}

// classifyRaw maps and validates a raw partner body.
func (s *Server) classifyRaw(body []byte, mapper Mapper) Record {
	rec := Record{Kind: "raw", Body: json.RawMessage(bytes.Clone(trimmed(body)))}
	ev, perr := customerio.Parse(body)
	if perr == nil {
		rec.EventID, rec.ObjectType, rec.Metric = ev.EventID, ev.ObjectType, ev.Metric
	}
	if mapper != nil {
		mapped, reasons, err := mapper.Map(body)
		if err != nil {
			reasons = append(reasons, "mapping failed: "+err.Error())
		}
		rec.Mapped = json.RawMessage(mapped)
		rec.Reasons = reasons
		rec.Good = len(reasons) == 0
		return rec
	}
	switch err := ev.Validate(); {
	case perr != nil:
		rec.Reasons = []string{perr.Error()}
	case err != nil:
		var ve *customerio.ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				rec.Reasons = append(rec.Reasons, p.String())
			}
		} else {
			rec.Reasons = []string{err.Error()}
		}
	}
	rec.Good = len(rec.Reasons) == 0
	return rec
}

// classifyXDM checks an XDM message. A message whose envelope is broken is refused (fail is
// AEP's message, such as "Message has unknown xdm format"); one whose entity is invalid is
// kept as a bad record.
func (s *Server) classifyXDM(body []byte) (Record, string) {
	rec := Record{Kind: "xdm", Body: json.RawMessage(bytes.Clone(trimmed(body)))}
	var msg struct {
		Header *struct {
			SchemaRef *struct {
				ID          string `json:"id"`
				ContentType string `json:"contentType"`
			} `json:"schemaRef"`
			ImsOrgID string `json:"imsOrgId"`
		} `json:"header"`
		Body *struct {
			XdmMeta *struct {
				SchemaRef *struct {
					ID string `json:"id"`
				} `json:"schemaRef"`
			} `json:"xdmMeta"`
			XdmEntity json.RawMessage `json:"xdmEntity"`
		} `json:"body"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		return rec, "Message is not valid JSON: " + err.Error()
	}
	switch {
	case msg.Header == nil:
		return rec, "Message has unknown xdm format: the 'header' field is mandatory"
	case msg.Header.SchemaRef == nil || msg.Header.SchemaRef.ID == "":
		return rec, "Message has unknown xdm format: header.schemaRef.id is missing"
	case msg.Body == nil:
		return rec, "Message has unknown xdm format: the 'body' field is mandatory"
	case msg.Body.XdmMeta == nil || msg.Body.XdmMeta.SchemaRef == nil:
		return rec, "Message has unknown xdm format: body.xdmMeta.schemaRef is missing"
	case msg.Body.XdmMeta.SchemaRef.ID != msg.Header.SchemaRef.ID:
		return rec, "Message has unknown xdm format: body.xdmMeta.schemaRef.id does not match header.schemaRef.id"
	case msg.Header.ImsOrgID != "" && msg.Header.ImsOrgID != s.o.OrgID && s.o.OrgID != DefaultOrgID:
		return rec, "Message has an absent or wrong ims org in the header"
	}
	ent := msg.Body.XdmEntity
	if len(ent) == 0 || string(ent) == "null" {
		rec.Reasons = []string{"Payload body is missing xdmEntity"}
		return rec, ""
	}
	var m map[string]any
	if err := json.Unmarshal(ent, &m); err != nil {
		rec.Reasons = []string{"xdmEntity is not an object"}
		return rec, ""
	}
	rec.EventID, _ = m["_id"].(string)
	rec.ObjectType = findString(m, "object_type", 0)
	rec.Metric = findString(m, "metric", 0)
	if s.o.Validator != nil {
		rec.Reasons = s.o.Validator.Validate(ent)
	} else {
		rec.Reasons = basicEntityChecks(m)
	}
	rec.Good = len(rec.Reasons) == 0
	return rec, ""
}

// basicEntityChecks are the ExperienceEvent class's own requirements: _id and a date-time
// timestamp (everit's messages).
func basicEntityChecks(m map[string]any) []string {
	var out []string
	if id, ok := m["_id"].(string); !ok || id == "" {
		out = append(out, "#: required key [_id] not found")
	}
	ts, ok := m["timestamp"].(string)
	switch {
	case !ok:
		out = append(out, "#: required key [timestamp] not found")
	default:
		if _, err := time.Parse(time.RFC3339Nano, ts); err != nil {
			out = append(out, fmt.Sprintf("#/timestamp: [%s] is not a valid date-time. Expected [yyyy-MM-dd'T'HH:mm:ssZ, yyyy-MM-dd'T'HH:mm:ss.[0-9]{1,9}Z, yyyy-MM-dd'T'HH:mm:ss[+-]HH:mm]", ts))
		}
	}
	return out
}

// findString looks for a string member named key anywhere in v (depth-first, shallow first).
func findString(v any, key string, depth int) string {
	m, ok := v.(map[string]any)
	if !ok || depth > 6 {
		return ""
	}
	if s, ok := m[key].(string); ok {
		return s
	}
	for _, c := range m {
		if s := findString(c, key, depth+1); s != "" {
			return s
		}
	}
	return ""
}

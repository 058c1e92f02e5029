package emulator

import (
	"bytes"
	"cmp"
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
	// Violations are the validation failures behind Reasons in AEP's shape (the
	// _validationErrors of a failed-batch record), at most MaxViolations.
	Violations []Violation `json:"validationErrors,omitempty"`
	// EventID, ObjectType and Metric identify the event (from the raw body, or found in the
	// XDM entity: _id and the first objectType (as the mappings write it) or object_type,
	// and metric field).
	EventID    string `json:"event_id,omitempty"`
	ObjectType string `json:"object_type,omitempty"`
	Metric     string `json:"metric,omitempty"`
	// FlowID is the dataflow id of a raw post, or of the flow whose schema an XDM post names.
	FlowID string `json:"flow_id,omitempty"`
	// Body is what was posted (one message of a batch); Mapped is the record the mapping
	// produced from a raw body.
	Body   json.RawMessage `json:"body"`
	Mapped json.RawMessage `json:"mapped,omitempty"`
}

func (s *Server) collectOne(w http.ResponseWriter, r *http.Request, inlet string, body []byte) {
	now := s.now()
	q := r.URL.Query()
	sync := q.Get("syncValidation") == "true" || q.Get("synchronousValidation") == "true"
	flowID := q.Get("x-adobe-flow-id")
	if flowID == "" {
		flowID = r.Header.Get("x-adobe-flow-id")
	}
	if sync {
		if s.o.NoSyncValidation {
			s.respond(w, http.StatusNotImplemented, problem(http.StatusNotImplemented, "Not Implemented",
				fmt.Sprintf("inletId: [%s] imsOrgId: [%s] Synchronous validation is not supported in this region", inlet, s.o.OrgID)))
			return
		}
		if !s.o.NoSyncLimit && !s.syncAllowed(inlet, now) {
			s.count(func(c *Counts) { c.SyncLimited++ })
			s.respond(w, http.StatusTooManyRequests, problem(http.StatusTooManyRequests, "Too Many Requests",
				fmt.Sprintf("inletId: [%s] imsOrgId: [%s] Synchronous validation is limited to %d requests per minute", inlet, s.o.OrgID, SyncValidationPerMinute)))
			return
		}
	}
	var rec Record
	org := s.o.OrgID
	if flowID != "" {
		flow, _ := s.flow(flowID)
		org = cmp.Or(flow.IMSOrgID, org)
		if !json.Valid(body) {
			s.respond(w, http.StatusBadRequest, problem(http.StatusBadRequest, "Invalid Payload",
				fmt.Sprintf("inletId: [%s] imsOrgId: [%s] Message is not valid JSON", inlet, org)))
			return
		}
		rec = s.classifyRaw(body, flow)
		rec.FlowID = flowID
		if fail := s.flowDataset(flow); fail != "" {
			// DCS answers a raw post before Data Prep runs, so a flow whose dataset is
			// gone or of another schema shows as a failed record, not as a 400.
			rec.Good = false
			rec.Reasons = append([]string{fail}, rec.Reasons...)
			rec.Violations = append(rootViolations([]string{fail}), rec.Violations...)
		}
	} else {
		var fail string
		rec, org, fail = s.classifyXDM(body)
		if fail != "" {
			s.respond(w, http.StatusBadRequest, problem(http.StatusBadRequest, "Invalid XDM Message Format",
				fmt.Sprintf("inletId: [%s] imsOrgId: [%s] %s", inlet, org, fail)))
			return
		}
	}
	if sync && !rec.Good {
		s.count(func(c *Counts) { c.SyncRejected++ })
		s.respond(w, http.StatusBadRequest, syncFailure(inlet, org, rec.Violations))
		return
	}
	rec.ReceivedAt = now
	rec.XactionID, rec.Seq = s.xaction(now)
	s.keep(rec)
	resp := map[string]any{"inletId": inlet, "xactionId": rec.XactionID, "receivedTimeMs": now.UnixMilli()}
	if flowID == "" || sync {
		if sync {
			resp["syncValidation"] = map[string]any{"status": "pass"}
		} else {
			resp["syncValidation"] = map[string]any{"skipped": true}
		}
	}
	s.respond(w, http.StatusOK, resp)
}

// flow resolves a flow id through Options.Flows; an unknown id gives the zero Flow
// (the emulator's defaults).
func (s *Server) flow(id string) (Flow, bool) {
	if s.o.Flows == nil || id == "" {
		return Flow{}, false
	}
	return s.o.Flows.Flow(id)
}

// syncFailure is AEP's 400 body for a message that fails synchronous validation: the
// violations (at most MaxViolations) in everit's JSON form. As everit does, several
// violations are wrapped in one "N schema violations found" element and a single one
// stands alone.
func syncFailure(inlet, org string, vs []Violation) map[string]any {
	if len(vs) > MaxViolations {
		vs = vs[:MaxViolations]
	}
	elem := func(v Violation) map[string]any {
		m := map[string]any{"schemaLocation": cmp.Or(v.SchemaLocation, "#"), "pointerToViolation": cmp.Or(v.Pointer, "#"),
			"message": v.Message, "causingExceptions": []any{}}
		if v.Keyword != "" {
			m["keyword"] = v.Keyword
		}
		return m
	}
	var top map[string]any
	if len(vs) == 1 {
		top = elem(vs[0])
	} else {
		causes := make([]any, len(vs))
		for i, v := range vs {
			causes[i] = elem(v)
		}
		top = map[string]any{"schemaLocation": "#", "pointerToViolation": "#",
			"message": fmt.Sprintf("%d schema violations found", len(vs)), "causingExceptions": causes}
	}
	return map[string]any{
		"type":   "http://ns.adobe.com/adobecloud/problem/data-collection-service/inlet",
		"status": http.StatusBadRequest, "title": "Invalid XDM Message Format",
		"report": map[string]any{
			"message": fmt.Sprintf("inletId: [%s] imsOrgId: [%s] Message is invalid", inlet, org),
			"cause":   map[string]any{"_streamingValidation": []any{top}},
		},
	}
}

// collectBatch answers a batch with 207 and one element per message, in order. A refused
// message's element has AEP's documented shape, {"statusCode":400,"message":"inletId: [..]
// imsOrgId: [..] Message has unknown xdm format"} (multi-message tutorial, S3/S6), not the
// {"xactionId","status","message"} shape Adobe's DCS client expects (S29): the public
// documentation is what users read and compare against, and ciosim's client reads both.
func (s *Server) collectBatch(w http.ResponseWriter, r *http.Request, inlet string, body []byte) {
	now := s.now()
	var env struct {
		Messages []json.RawMessage `json:"messages"`
	}
	if err := json.Unmarshal(body, &env); err != nil || env.Messages == nil {
		s.respond(w, http.StatusBadRequest, problem(http.StatusBadRequest, "Invalid Payload",
			fmt.Sprintf("inletId: [%s] imsOrgId: [%s] %s", inlet, s.o.OrgID, `the batch body must be {"messages":[...]}`)))
		return
	}
	batchID, _ := s.xaction(now)
	out := make([]map[string]any, len(env.Messages))
	for i, m := range env.Messages {
		xid := fmt.Sprintf("%s:%d", batchID, i)
		if code := s.dice.element(); code != 0 {
			s.count(func(c *Counts) { c.Faults.Elements[code]++ })
			out[i] = map[string]any{"statusCode": code, "message": "injected fault"}
			continue
		}
		rec, org, fail := s.classifyXDM(m)
		if fail != "" {
			s.count(func(c *Counts) { c.BatchRejected++ })
			out[i] = map[string]any{"statusCode": http.StatusBadRequest,
				"message": fmt.Sprintf("inletId: [%s] imsOrgId: [%s] %s", inlet, org, fail)}
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

// classifyRaw maps and validates a raw partner body with the flow's mapper (or
// Options.Mapper, or the customerio catalog).
func (s *Server) classifyRaw(body []byte, flow Flow) Record {
	rec := Record{Kind: "raw", Body: json.RawMessage(bytes.Clone(trimmed(body)))}
	ev, perr := customerio.Parse(body)
	if perr == nil {
		rec.EventID, rec.ObjectType, rec.Metric = ev.EventID, ev.ObjectType, ev.Metric
	}
	mp := flow.Mapper
	if mp == nil {
		mp = s.o.Mapper
	}
	if mp != nil {
		var (
			mapped  []byte
			reasons []string
			vs      []Violation
			err     error
		)
		if rm, ok := mp.(ReportingMapper); ok {
			mapped, reasons, vs, err = rm.MapReport(body)
		} else {
			mapped, reasons, err = mp.Map(body)
		}
		if err != nil {
			reasons = append(reasons, "mapping failed: "+err.Error())
		}
		rec.Mapped = json.RawMessage(mapped)
		rec.Reasons = reasons
		rec.Violations = vs
		if len(vs) == 0 {
			rec.Violations = rootViolations(reasons)
		}
		rec.Good = len(reasons) == 0 && len(vs) == 0
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
	rec.Violations = rootViolations(rec.Reasons)
	rec.Good = len(rec.Reasons) == 0
	return rec
}

// rootViolations turns reasons that are not schema violations (a Data Prep rejection, a
// catalog problem) into violations on the record's root, for sync validation's answer.
func rootViolations(reasons []string) []Violation {
	if len(reasons) == 0 {
		return nil
	}
	out := make([]Violation, len(reasons))
	for i, r := range reasons {
		out[i] = Violation{SchemaLocation: "#", Pointer: "#", Message: r}
	}
	return out
}

// unknownFormat is AEP's report ending for a message whose envelope is broken (S3, S8).
const unknownFormat = "Message has unknown xdm format"

// classifyXDM checks an XDM message the way DCS does before accepting it (S3): the
// envelope, the org against the inlet's, the dataset and its schema, xdmMeta.schemaRef
// against the header. A message that fails these is refused (fail is the ending of AEP's
// report message; org is the inlet's org, for the message); one whose entity breaks its
// schema is kept as a bad record. The entity is validated with the Validator of the flow
// whose schema header.schemaRef names, else Options.Validator.
func (s *Server) classifyXDM(body []byte) (rec Record, org, fail string) {
	rec = Record{Kind: "xdm", Body: json.RawMessage(bytes.Clone(trimmed(body)))}
	org = s.o.OrgID
	var msg struct {
		Header *struct {
			SchemaRef *struct {
				ID string `json:"id"`
			} `json:"schemaRef"`
			ImsOrgID  *string `json:"imsOrgId"`
			DatasetID string  `json:"datasetId"`
			FlowID    string  `json:"flowId"`
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
		if json.Valid(body) {
			return rec, org, unknownFormat // JSON, but not an envelope
		}
		return rec, org, "Message is not valid JSON"
	}
	switch {
	case msg.Header == nil, msg.Header.SchemaRef == nil, msg.Header.SchemaRef.ID == "",
		msg.Body == nil, msg.Body.XdmMeta == nil, msg.Body.XdmMeta.SchemaRef == nil:
		return rec, org, unknownFormat
	}
	ref := msg.Header.SchemaRef.ID
	flow, known := s.flow(msg.Header.FlowID)
	ss, _ := s.o.Flows.(SchemaSource)
	if known && flow.SchemaRef != "" && flow.SchemaRef != ref {
		// the flow's own schema is another: validate with the one the message names
		v := Validator(nil)
		if ss != nil {
			if sf, ok := ss.FlowForSchema(ref); ok {
				v = sf.Validator
			}
		}
		flow.Validator = v
	}
	if !known && ss != nil {
		flow, known = ss.FlowForSchema(ref)
	}
	if known {
		rec.FlowID = flow.ID
	}
	org = cmp.Or(flow.IMSOrgID, org)
	if o := msg.Header.ImsOrgID; o != nil && *o != org {
		// absent is fine: DCS fills the inlet's org in (S3)
		return rec, org, "Message has an absent or wrong ims org in the header"
	}
	if !s.schemaExists(ref, known, ss) {
		// S3: the schema must exist; the documented answer to a message whose schema is not
		// the one DCS expects is "Message has unknown xdm format" (the fourth message of the
		// multi-message tutorial). Its response-code table says 500 instead ("schema not
		// specified, or did not match the XDM definition"); the worked example is followed.
		return rec, org, unknownFormat
	}
	if fail := datasetCheck(ss, msg.Header.DatasetID, ref); fail != "" {
		return rec, org, fail
	}
	if msg.Body.XdmMeta.SchemaRef.ID != ref {
		return rec, org, unknownFormat // S3: xdmMeta.schemaRef must match the header
	}
	ent := msg.Body.XdmEntity
	if len(ent) == 0 || string(ent) == "null" {
		// the failed-batch record's message (S8)
		rec.Violations = []Violation{{SchemaLocation: "#", Pointer: "#", Message: "Payload body is missing xdmEntity"}}
		rec.Reasons = []string{rec.Violations[0].Message}
		return rec, org, ""
	}
	var m map[string]any
	if err := json.Unmarshal(ent, &m); err != nil {
		rec.Violations = []Violation{{SchemaLocation: "#", Pointer: "#", Keyword: "type",
			Message: "expected type: JSONObject, found: " + jsonKind(ent)}}
	} else {
		rec.EventID, _ = m["_id"].(string)
		rec.ObjectType = cmp.Or(findString(m, "objectType", 0), findString(m, "object_type", 0))
		rec.Metric = findString(m, "metric", 0)
		v := flow.Validator
		if v == nil {
			v = s.o.Validator
		}
		if v != nil {
			rec.Violations = v.Validate(ent)
		}
	}
	if len(rec.Violations) > MaxViolations {
		rec.Violations = rec.Violations[:MaxViolations]
	}
	for _, v := range rec.Violations {
		rec.Reasons = append(rec.Reasons, v.String())
	}
	rec.Good = len(rec.Violations) == 0
	return rec, org, ""
}

// schemaExists reports whether the schema an XDM message names may be used: it exists, or
// the flows know no schema at all, or Options.ClassRulesForUnknownSchemas is set. known
// says a flow was found for the message (by header.flowId or by its schema).
func (s *Server) schemaExists(ref string, known bool, ss SchemaSource) bool {
	if s.o.ClassRulesForUnknownSchemas || s.o.Flows == nil {
		return true
	}
	if reg, ok := s.o.Flows.(SchemaRegistry); ok {
		return !reg.HasSchemas() || reg.SchemaExists(ref)
	}
	if ss == nil {
		return true
	}
	_, ok := ss.FlowForSchema(ref)
	return ok || !known
}

// datasetCheck is DCS's dataset check (S3): dataset ds must exist and its schema must be
// ref. It checks only when the flows know at least one dataset; "" means it passed. A
// schema that does not match is answered as the multi-message tutorial shows for that
// case: "Message has unknown xdm format".
func datasetCheck(ss SchemaSource, ds, ref string) string {
	if ds == "" || ss == nil || !ss.HasDatasets() {
		return ""
	}
	dsRef, ok := ss.Dataset(ds)
	switch {
	case !ok:
		return fmt.Sprintf("Dataset [%s] does not exist", ds)
	case dsRef != "" && ref != "" && dsRef != ref:
		return unknownFormat
	}
	return ""
}

// flowDataset is the dataset check of a raw post's flow: its target dataset must exist and
// have the schema the flow's mapping writes. The reason is ciosim's wording (DCS answers a
// raw post before mapping it; AEP documents no message for this).
func (s *Server) flowDataset(flow Flow) string {
	ss, _ := s.o.Flows.(SchemaSource)
	if flow.DatasetID == "" || ss == nil || !ss.HasDatasets() {
		return ""
	}
	dsRef, ok := ss.Dataset(flow.DatasetID)
	switch {
	case !ok:
		return fmt.Sprintf("Dataset [%s] does not exist", flow.DatasetID)
	case dsRef != "" && flow.SchemaRef != "" && dsRef != flow.SchemaRef:
		return fmt.Sprintf("Dataset [%s] schema [%s] does not match the flow's schemaRef [%s]", flow.DatasetID, dsRef, flow.SchemaRef)
	}
	return ""
}

// jsonKind names the JSON type of b the way everit does.
func jsonKind(b []byte) string {
	b = trimmed(b)
	if len(b) == 0 {
		return "Null"
	}
	switch b[0] {
	case '"':
		return "String"
	case '[':
		return "JSONArray"
	case 't', 'f':
		return "Boolean"
	case 'n':
		return "Null"
	}
	if bytes.ContainsAny(b, ".eE") {
		return "Double"
	}
	return "Long"
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

package controlplane

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
)

// Flow implements [emulator.FlowSource]: the flow's current mapping-set version compiled
// with its dataset's schema, wrapped so that what the inlet judges is counted into the
// flow's hourly runs. Flows it does not know are asked of Options.Static; unknown to both,
// it reports false (the inlet keeps its default mapping).
func (s *Server) Flow(flowID string) (emulator.Flow, bool) {
	if f, ok := s.ownFlow(flowID); ok {
		return f, true
	}
	if s.o.Static != nil {
		return s.o.Static.Flow(flowID)
	}
	return emulator.Flow{}, false
}

// FlowForSchema implements [emulator.SchemaSource]: the first of the control plane's flows
// (by creation) whose dataset has that schema, else Options.Static's.
func (s *Server) FlowForSchema(ref string) (emulator.Flow, bool) {
	s.mu.Lock()
	var ids []string
	var created []string
	for _, box := range s.st.Sandboxes {
		for id, f := range box.Flows {
			tids, _ := f["targetConnectionIds"].([]any)
			if len(tids) == 0 {
				continue
			}
			tid, _ := tids[0].(string)
			ds := str(box.TargetConnections[tid], "params", "dataSetId")
			if str(box.Datasets[ds], "schemaRef", "id") == ref {
				ids = append(ids, id)
				created = append(created, scalar(f["createdAt"])+"/"+id)
			}
		}
	}
	s.mu.Unlock()
	if len(ids) > 0 {
		first := 0
		for i := range created {
			if compare(created[i], created[first]) < 0 {
				first = i
			}
		}
		return s.ownFlow(ids[first])
	}
	if ss, ok := s.o.Static.(emulator.SchemaSource); ok {
		return ss.FlowForSchema(ref)
	}
	return emulator.Flow{}, false
}

// Dataset implements [emulator.SchemaSource]: a dataset's schema $id.
func (s *Server) Dataset(id string) (string, bool) {
	s.mu.Lock()
	for _, box := range s.st.Sandboxes {
		if d, ok := box.Datasets[id]; ok {
			s.mu.Unlock()
			return str(d, "schemaRef", "id"), true
		}
	}
	s.mu.Unlock()
	if ss, ok := s.o.Static.(emulator.SchemaSource); ok {
		return ss.Dataset(id)
	}
	return "", false
}

// HasDatasets implements [emulator.SchemaSource]: datasets are checked once any is known.
func (s *Server) HasDatasets() bool {
	s.mu.Lock()
	for _, box := range s.st.Sandboxes {
		if len(box.Datasets) > 0 {
			s.mu.Unlock()
			return true
		}
	}
	s.mu.Unlock()
	ss, ok := s.o.Static.(emulator.SchemaSource)
	return ok && ss.HasDatasets()
}

// HasSchemas implements [emulator.SchemaRegistry]: any sandbox's Schema Registry holds a
// schema, or Options.Static knows one.
func (s *Server) HasSchemas() bool {
	s.mu.Lock()
	for _, box := range s.st.Sandboxes {
		if len(box.Schemas) > 0 {
			s.mu.Unlock()
			return true
		}
	}
	s.mu.Unlock()
	reg, ok := s.o.Static.(emulator.SchemaRegistry)
	return ok && reg.HasSchemas()
}

// SchemaExists implements [emulator.SchemaRegistry]: a sandbox's Schema Registry holds a
// schema with that $id, or Options.Static knows it.
func (s *Server) SchemaExists(ref string) bool {
	s.mu.Lock()
	for _, box := range s.st.Sandboxes {
		if _, ok := box.Schemas[ref]; ok {
			s.mu.Unlock()
			return true
		}
	}
	s.mu.Unlock()
	reg, ok := s.o.Static.(emulator.SchemaRegistry)
	return ok && reg.SchemaExists(ref)
}

func (s *Server) ownFlow(flowID string) (emulator.Flow, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, box := range s.st.Sandboxes {
		f, ok := box.Flows[flowID]
		if !ok {
			continue
		}
		fl := emulator.Flow{ID: flowID, IMSOrgID: str(f, "imsOrgId")}
		tids, _ := f["targetConnectionIds"].([]any)
		if len(tids) > 0 {
			tid, _ := tids[0].(string)
			fl.DatasetID = str(box.TargetConnections[tid], "params", "dataSetId")
			fl.SchemaRef = str(box.Datasets[fl.DatasetID], "schemaRef", "id")
		}
		mid, ver, ok := flowMapping(f)
		set := box.MappingSets[mid]
		if !ok || set == nil || ver >= len(set.Versions) || s.o.Compile == nil {
			return fl, true
		}
		key := fmt.Sprintf("%s@%d|%s", mid, ver, fl.SchemaRef)
		cm, hit := s.cache[key]
		if !hit {
			var schema []byte
			if sc := s.findSchemaAnywhere(fl.SchemaRef); sc != nil {
				schema, _ = json.Marshal(sc)
			}
			m, v, err := s.o.Compile(mappingJSON(set, ver), schema)
			cm = compiled{m: m, v: v, err: err}
			s.cache[key] = cm
		}
		inner := cm.m
		if cm.err != nil {
			msg := fmt.Sprintf("mapping set %s version %d cannot be applied: %v", mid, ver, cm.err)
			inner = emulator.MapperFunc(func([]byte) ([]byte, []string, error) { return nil, []string{msg}, nil })
		}
		if inner != nil {
			fl.Mapper = &counting{s: s, flowID: flowID, inner: inner}
		}
		fl.Validator = cm.v
		return fl, true
	}
	return emulator.Flow{}, false
}

// findSchemaAnywhere finds a schema by $id in any sandbox. Called with s.mu held.
func (s *Server) findSchemaAnywhere(id string) obj {
	if id == "" {
		return nil
	}
	for name := range s.st.Sandboxes {
		if sc := s.findSchema(name, id); sc != nil {
			return sc
		}
	}
	return nil
}

// counting wraps a flow's mapper and records each verdict in the flow's run for the hour.
type counting struct {
	s      *Server
	flowID string
	inner  emulator.Mapper
}

// maxFailedBytes bounds one kept failed record.
const maxFailedBytes = 64 << 10

func (m *counting) Map(body []byte) ([]byte, []string, error) {
	rec, reasons, _, err := m.MapReport(body)
	return rec, reasons, err
}

// MapReport implements [emulator.ReportingMapper], passing on the inner mapper's
// violations when it has them.
func (m *counting) MapReport(body []byte) ([]byte, []string, []emulator.Violation, error) {
	var (
		rec        []byte
		reasons    []string
		violations []emulator.Violation
		err        error
	)
	if rm, ok := m.inner.(emulator.ReportingMapper); ok {
		rec, reasons, violations, err = rm.MapReport(body)
	} else {
		rec, reasons, err = m.inner.Map(body)
	}
	failed := err != nil || len(reasons) > 0
	all := reasons
	if err != nil {
		all = append(append([]string(nil), reasons...), "mapping failed: "+err.Error())
	}
	var kept json.RawMessage
	if failed {
		kept = failedRecord(rec, body, all)
	}
	m.s.record(m.flowID, failed, all, kept)
	return rec, reasons, violations, err
}

var (
	_ emulator.ReportingMapper = (*counting)(nil)
	_ emulator.SchemaSource    = (*Server)(nil)
	_ emulator.FlowSource      = (*Server)(nil)
	_ emulator.SchemaRegistry  = (*Server)(nil)
)

// failedRecord is what Data Access serves for a failed record: the mapped record (or the raw
// body when nothing was mapped) with _validationErrors (reference §6.3).
func failedRecord(rec, body []byte, reasons []string) json.RawMessage {
	src := rec
	if len(bytes.TrimSpace(src)) == 0 || src[0] != '{' {
		src = body
	}
	o, err := decodeObj(src)
	if err != nil || len(src) > maxFailedBytes {
		o = obj{"_raw": string(src[:min(len(src), maxFailedBytes)])}
	}
	ve := make([]any, len(reasons))
	for i, r := range reasons {
		e := obj{"message": r}
		if p, _, ok := strings.Cut(r, ": "); ok && strings.HasPrefix(p, "#") {
			e["pointerToViolation"] = p
		}
		ve[i] = e
	}
	o["_validationErrors"] = ve
	b, _ := json.Marshal(o)
	return b
}

// record counts one record into the flow's run for the current hour.
func (s *Server) record(flowID string, failed bool, reasons []string, kept json.RawMessage) {
	now := s.now()
	start := now.Truncate(time.Hour).UnixMilli()
	id := runID(flowID, start)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, box := range s.st.Sandboxes {
		if _, ok := box.Flows[flowID]; !ok {
			continue
		}
		r := box.Runs[id]
		if r == nil {
			r = &run{ID: id, FlowID: flowID, Start: start, Reasons: map[string]int64{}}
			box.Runs[id] = r
		}
		if r.Reasons == nil {
			r.Reasons = map[string]int64{}
		}
		r.Input++
		r.Updated = now.UnixMilli()
		if !failed {
			r.Output++
			return
		}
		r.Failed++
		for _, rs := range reasons {
			if len(r.Reasons) < 100 || r.Reasons[rs] > 0 {
				r.Reasons[rs]++
			}
		}
		r.FailedRecords = append(r.FailedRecords, kept)
		if over := len(r.FailedRecords) - s.o.MaxFailedRecords; over > 0 {
			r.FailedRecords = r.FailedRecords[over:]
		}
		return
	}
}

// runID is a stable uuid-shaped id for a flow's hour.
func runID(flowID string, start int64) string {
	h := sha256.Sum256([]byte(flowID + "/" + strconv.FormatInt(start, 10)))
	x := hex.EncodeToString(h[:16])
	return x[:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// runObj renders a run in Flow Service's shape (reference §2.8; the streaming run's exact
// JSON is not published, so the batch shape is used).
func (s *Server) runObj(c *call, box *sandbox, r *run) obj {
	end := r.Start + time.Hour.Milliseconds()
	status := "success"
	switch {
	case s.now().UnixMilli() < end:
		status = "inProgress"
	case r.Failed > 0 && r.Output == 0:
		status = "failed"
	case r.Failed > 0:
		status = "partialSuccess"
	}
	records := obj{"inputRecordCount": r.Input, "outputRecordCount": r.Output, "failedRecordCount": r.Failed}
	var errs []any
	reasons := make([]string, 0, len(r.Reasons))
	for k := range r.Reasons {
		reasons = append(reasons, k)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if r.Reasons[reasons[i]] != r.Reasons[reasons[j]] {
			return r.Reasons[reasons[i]] > r.Reasons[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	for _, k := range reasons {
		errs = append(errs, obj{"code": "INGEST-1212-400", "message": k, "recordCount": r.Reasons[k]})
	}
	summary := obj{"status": status}
	if len(errs) > 0 {
		summary["errors"] = errs
	}
	activity := obj{"id": "promotionActivity", "recordSummary": records, "statusSummary": obj{"status": status,
		"extensions": obj{"manifest": obj{"failedRecords": baseURL(c.r) + exportPrefix + "batches/" + r.ID + "/failed"}, "errors": errs}}}
	var tids []any
	if f := box.Flows[r.FlowID]; f != nil {
		tids, _ = f["targetConnectionIds"].([]any)
	}
	if len(tids) > 0 {
		activity["targetInfo"] = []any{obj{"id": tids[0], "type": "TargetConnection", "reference": obj{"type": "Batch", "ids": []any{r.ID}}}}
	}
	duration := obj{"startedAtUTC": r.Start}
	if status != "inProgress" {
		duration["completedAtUTC"] = end
	}
	return obj{"id": r.ID, "flowId": r.FlowID, "createdAt": r.Start, "updatedAt": r.Updated,
		"sandboxId": box.ID, "sandboxName": c.sb, "imsOrgId": c.r.Header.Get("x-gw-ims-org-id"),
		"etag":       `"` + r.ID[:8] + `-0000-0200-0000-000000000000"`,
		"metrics":    obj{"durationSummary": duration, "recordSummary": records, "statusSummary": summary},
		"activities": []any{activity}}
}

// listRuns answers GET /runs (filters as for flows) and GET /runs/{id}.
func (s *Server) listRuns(c *call, id string) {
	s.mu.Lock()
	box := s.sandbox(c.sb)
	var items []obj
	for _, r := range box.Runs {
		if id == "" || r.ID == id {
			items = append(items, s.runObj(c, box, r))
		}
	}
	s.mu.Unlock()
	if id != "" {
		if len(items) == 0 {
			flowError(c.w, http.StatusNotFound, "1439-404", notFound("runs", id), id, "runs")
			return
		}
		writeJSON(c.w, http.StatusOK, obj{"items": items})
		return
	}
	s.writeList(c, "runs", items)
}

// export answers Data Access's failed-record downloads for a run's batch (reference §6.3):
// GET /batches/{id}/failed lists one file; ?path= serves it as JSON lines.
func (s *Server) export(c *call, rest string) {
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if len(parts) != 3 || parts[0] != "batches" || parts[2] != "failed" || c.r.Method != http.MethodGet {
		plainError(c.w, http.StatusNotFound, "no Data Access resource at "+rest)
		return
	}
	s.mu.Lock()
	r := s.sandbox(c.sb).Runs[parts[1]]
	var lines []byte
	if r != nil {
		for _, fr := range r.FailedRecords {
			lines = append(append(lines, fr...), '\n')
		}
	}
	s.mu.Unlock()
	if r == nil {
		plainError(c.w, http.StatusNotFound, fmt.Sprintf("batch %s is not found", parts[1]))
		return
	}
	const name = "part-00000-failed.json"
	if p := c.r.URL.Query().Get("path"); p != "" {
		if p != name {
			plainError(c.w, http.StatusNotFound, fmt.Sprintf("batch %s has no file %s", parts[1], p))
			return
		}
		c.w.Header().Set("Content-Type", "application/json")
		c.w.Write(lines)
		return
	}
	data := []any{}
	if len(lines) > 0 {
		data = append(data, obj{"name": name, "length": strconv.Itoa(len(lines)),
			"_links": obj{"self": obj{"href": baseURL(c.r) + exportPrefix + "batches/" + parts[1] + "/failed?path=" + name}}})
	}
	writeJSON(c.w, http.StatusOK, obj{"data": data, "_page": obj{"limit": 100, "count": len(data)}})
}

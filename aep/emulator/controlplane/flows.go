package controlplane

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Fixed Flow Service identifiers (reference §2.1).
const (
	customerIOSpec = "96479064-7b8a-4d69-b9ed-21c5683837ea"
	providerID     = "521eee4d-8cbe-4906-bb48-fb6bd4450033"
	dataLakeSpec   = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
	streamingFlow  = "e77fde5a-22a8-11ed-861d-0242ac120002"
)

var connectionSpecs = map[string]obj{
	customerIOSpec: {"id": customerIOSpec, "name": "customerio-webhook", "providerId": providerID, "version": "1.0",
		"authSpec": []any{}, "attributes": obj{"category": "Streaming", "isSource": true},
		"sourceSpec": obj{"attributes": obj{"authRequired": false}}, "exploreSpec": obj{"type": "StreamingConnection"}},
	dataLakeSpec: {"id": dataLakeSpec, "name": "Data Lake", "version": "1.0", "attributes": obj{"isDestination": true}},
}

// flowService routes /data/foundation/flowservice/...
func (s *Server) flowService(c *call, rest string) {
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	coll := parts[0]
	var id string
	if len(parts) > 1 {
		id = parts[1]
	}
	m := c.r.Method
	switch {
	case coll == "connectionSpecs" && m == http.MethodGet:
		if id == "" {
			list := []obj{connectionSpecs[customerIOSpec], connectionSpecs[dataLakeSpec]}
			writeJSON(c.w, http.StatusOK, obj{"items": list})
			return
		}
		if sp, ok := connectionSpecs[id]; ok {
			writeJSON(c.w, http.StatusOK, obj{"items": []obj{sp}})
			return
		}
		flowError(c.w, http.StatusNotFound, "1439-404", notFound("connectionSpecs", id), id, "connectionSpecs")
	case coll == "runs" && m == http.MethodGet:
		s.listRuns(c, id)
	case coll == "sourceConnections" || coll == "targetConnections" || coll == "flows":
		switch {
		case id == "" && m == http.MethodPost:
			s.createFlowResource(c, coll)
		case id == "" && m == http.MethodGet:
			s.mu.Lock()
			items := s.flowItems(c, coll)
			s.mu.Unlock()
			s.writeList(c, coll, items)
		case id != "" && len(parts) == 2 && m == http.MethodGet:
			s.mu.Lock()
			o, ok := s.flowColl(c.sb, coll)[id]
			var out obj
			if ok {
				out = s.render(c, coll, o)
			}
			s.mu.Unlock()
			if !ok {
				flowError(c.w, http.StatusNotFound, "1439-404", notFound(coll, id), id, coll)
				return
			}
			writeJSON(c.w, http.StatusOK, obj{"items": []obj{out}})
		case id != "" && m == http.MethodPatch:
			s.patchFlowResource(c, coll, id)
		case id != "" && m == http.MethodDelete:
			s.deleteFlowResource(c, coll, id)
		case id != "" && len(parts) == 3 && parts[2] == "action" && m == http.MethodPost:
			s.flowAction(c, id)
		default:
			flowError(c.w, http.StatusMethodNotAllowed, "1101-405", fmt.Sprintf("%s is not supported on %s", m, rest), "", "")
		}
	default:
		flowError(c.w, http.StatusNotFound, "1101-404", "No resource found at "+rest, "", "")
	}
}

func notFound(typ, id string) string {
	return fmt.Sprintf("The requested %s resource %s is not found. Verify the resource ID before trying again.", typ, id)
}

// flowColl is one Flow Service collection of a sandbox. Called with s.mu held.
func (s *Server) flowColl(sb, coll string) map[string]obj {
	box := s.sandbox(sb)
	switch coll {
	case "sourceConnections":
		return box.SourceConnections
	case "targetConnections":
		return box.TargetConnections
	}
	return box.Flows
}

// render is what GET answers for a stored resource: for flows, options.inletUrl on the
// host the caller used. Called with s.mu held.
func (s *Server) render(c *call, coll string, o obj) obj {
	out := clone(o).(obj)
	if coll == "flows" {
		opts, _ := out["options"].(obj)
		if opts == nil {
			opts = obj{}
		}
		if inlet := str(out, "inletId"); inlet != "" {
			opts["inletUrl"] = baseURL(c.r) + "/collection/" + inlet
		}
		out["options"] = opts
		delete(out, "inletId")
		out["runs"] = "/runs?property=flowId==" + str(out, "id")
	}
	return out
}

func (s *Server) flowItems(c *call, coll string) []obj {
	var items []obj
	for _, o := range s.flowColl(c.sb, coll) {
		items = append(items, s.render(c, coll, o))
	}
	return items
}

// writeList filters, sorts and pages items per the query (reference §2.9).
func (s *Server) writeList(c *call, coll string, items []obj) {
	q := c.r.URL.Query()
	for _, p := range q["property"] {
		f, err := parseFilter(p)
		if err != nil {
			flowError(c.w, http.StatusBadRequest, "1440-400", fmt.Sprintf("Invalid property filter %q: %v", p, err), "", "")
			return
		}
		items = slices.DeleteFunc(items, func(o obj) bool { return !f.match(o) })
	}
	order := q.Get("orderby")
	if order == "" {
		order = "createdAt"
	}
	desc := strings.HasPrefix(order, "-")
	key := strings.TrimLeft(order, "+- ")
	sort.SliceStable(items, func(i, j int) bool {
		c := compare(at(items[i], strings.Split(key, ".")...), at(items[j], strings.Split(key, ".")...))
		if c == 0 {
			c = strings.Compare(str(items[i], "id"), str(items[j], "id"))
		}
		if desc {
			return c > 0
		}
		return c < 0
	})
	if q.Get("count") == "true" {
		if q.Get("limit") != "" {
			flowError(c.w, http.StatusBadRequest, "1401-400", "The parameters limit and count cannot be used together", "", "")
			return
		}
		writeJSON(c.w, http.StatusOK, obj{"count": len(items)})
		return
	}
	limit := 100
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			flowError(c.w, http.StatusBadRequest, "1441-400", "limit must be a positive integer", "", "")
			return
		}
		limit = min(n, 100)
	}
	start := 0
	if tok := q.Get("continuationToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 {
			flowError(c.w, http.StatusBadRequest, "1442-400", "Invalid continuationToken", "", "")
			return
		}
		start = min(n, len(items))
	}
	end := min(start+limit, len(items))
	links := obj{}
	if end < len(items) {
		next := q
		next.Set("continuationToken", base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(end))))
		links["next"] = obj{"href": "/" + coll + "?" + next.Encode()}
	}
	page := items[start:end]
	if page == nil {
		page = []obj{}
	}
	writeJSON(c.w, http.StatusOK, obj{"items": page, "_links": links})
}

// filter is one property= condition: path op value[,value...].
type filter struct {
	path   []string
	array  bool
	op     string
	values []string
}

func parseFilter(p string) (filter, error) {
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if i := strings.Index(p, op); i > 0 {
			key := p[:i]
			f := filter{op: op, values: strings.Split(p[i+len(op):], ",")}
			if strings.HasSuffix(key, "[]") {
				f.array, key = true, strings.TrimSuffix(key, "[]")
			}
			f.path = strings.Split(key, ".")
			return f, nil
		}
	}
	if p == "" {
		return filter{}, fmt.Errorf("empty")
	}
	return filter{path: strings.Split(p, "."), op: "exists"}, nil
}

func (f filter) match(o obj) bool {
	v := at(o, f.path...)
	if f.op == "exists" {
		return v != nil
	}
	vals := []any{v}
	if f.array {
		vals, _ = v.([]any)
	}
	if f.op == "!=" {
		for _, x := range vals {
			for _, want := range f.values {
				if compare(x, want) == 0 {
					return false
				}
			}
		}
		return true
	}
	for _, x := range vals {
		for _, want := range f.values {
			c := compare(x, want)
			if (f.op == "==" && c == 0) || (f.op == "<" && c < 0) || (f.op == ">" && c > 0) ||
				(f.op == "<=" && c <= 0) || (f.op == ">=" && c >= 0) {
				return true
			}
		}
	}
	return false
}

// compare orders two JSON scalars, numerically when both read as numbers.
func compare(a, b any) int {
	as, bs := scalar(a), scalar(b)
	af, aerr := strconv.ParseFloat(as, 64)
	bf, berr := strconv.ParseFloat(bs, 64)
	if aerr == nil && berr == nil {
		switch {
		case af < bf:
			return -1
		case af > bf:
			return 1
		}
		return 0
	}
	return strings.Compare(as, bs)
}

func scalar(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// createFlowResource answers POST /sourceConnections, /targetConnections and /flows.
func (s *Server) createFlowResource(c *call, coll string) {
	if len(c.body) == 0 {
		flowError(c.w, http.StatusBadRequest, "1405-400", "Request body is empty", "", "")
		return
	}
	o, err := decodeObj(c.body)
	if err != nil {
		flowError(c.w, http.StatusBadRequest, "1405-400", "Request body is not a JSON object: "+err.Error(), "", "")
		return
	}
	if _, has := o["state"]; has && coll == "flows" {
		flowError(c.w, http.StatusBadRequest, "1410-400", "The state of a flow cannot be set on create", "", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch coll {
	case "sourceConnections":
		if str(o, "name") == "" {
			flowError(c.w, http.StatusBadRequest, "1405-400", "name is required", "", "")
			return
		}
		if sp := str(o, "connectionSpec", "id"); sp != customerIOSpec {
			flowError(c.w, http.StatusBadRequest, "1413-400", fmt.Sprintf("Invalid connection spec id %q (the emulator knows the Customer.io spec %s)", sp, customerIOSpec), "", "")
			return
		}
		if f := str(o, "data", "format"); f != "json" {
			flowError(c.w, http.StatusBadRequest, "1405-400", fmt.Sprintf("data.format must be json for the Customer.io source, got %q", f), "", "")
			return
		}
	case "targetConnections":
		if sp := str(o, "connectionSpec", "id"); sp != dataLakeSpec {
			flowError(c.w, http.StatusBadRequest, "1413-400", fmt.Sprintf("Invalid connection spec id %q (want the data lake spec %s)", sp, dataLakeSpec), "", "")
			return
		}
		ds := str(o, "params", "dataSetId")
		dset, ok := s.sandbox(c.sb).Datasets[ds]
		if !ok {
			flowError(c.w, http.StatusBadRequest, "1405-400", fmt.Sprintf("params.dataSetId %q: no such dataset", ds), "", "")
			return
		}
		if sid := str(o, "data", "schema", "id"); sid != "" && sid != str(dset, "schemaRef", "id") {
			flowError(c.w, http.StatusBadRequest, "1425-400", fmt.Sprintf("data.schema.id %s is not the schema of dataset %s (%s)", sid, ds, str(dset, "schemaRef", "id")), "", "")
			return
		}
	case "flows":
		if msg, code := s.checkFlow(c.sb, o); code != "" {
			flowError(c.w, http.StatusBadRequest, code, msg, "", "")
			return
		}
		o["inletId"] = newHex(32)
		o["state"] = "enabled"
		o["inheritedAttributes"] = obj{"properties": obj{"isSourceFlow": true}}
	}
	now := s.now()
	id := newUUID()
	etag := newETag(now)
	o["id"], o["etag"] = id, etag
	if coll == "flows" {
		o["version"] = etag
	}
	ms := json.Number(strconv.FormatInt(now.UnixMilli(), 10))
	o["createdAt"], o["updatedAt"] = ms, ms
	o["sandboxId"], o["sandboxName"], o["imsOrgId"] = s.sandbox(c.sb).ID, c.sb, c.r.Header.Get("x-gw-ims-org-id")
	o["createdClient"], o["updatedClient"] = c.r.Header.Get("x-api-key"), c.r.Header.Get("x-api-key")
	s.flowColl(c.sb, coll)[id] = o
	if err := s.save(); err != nil {
		flowError(c.w, http.StatusInternalServerError, "1000-500", err.Error(), "", "")
		return
	}
	c.w.Header().Set("Location", "/"+coll+"/"+id)
	writeJSON(c.w, http.StatusCreated, obj{"id": id, "etag": etag})
}

// checkFlow checks a flow's spec, connections and mapping (reference §2.5). Called with s.mu held.
func (s *Server) checkFlow(sb string, o obj) (string, string) {
	if sp := str(o, "flowSpec", "id"); sp != streamingFlow {
		return fmt.Sprintf("Invalid flow spec id %q (want the streaming flow spec %s)", sp, streamingFlow), "1413-400"
	}
	box := s.sandbox(sb)
	for _, k := range []string{"sourceConnectionIds", "targetConnectionIds"} {
		ids, _ := o[k].([]any)
		if len(ids) == 0 {
			return k + " must name one connection", "1405-400"
		}
		for _, id := range ids {
			idStr, _ := id.(string)
			conns := box.SourceConnections
			if k == "targetConnectionIds" {
				conns = box.TargetConnections
			}
			if _, ok := conns[idStr]; !ok {
				return fmt.Sprintf("%s: connection %q is not found", k, idStr), "1439-404"
			}
		}
	}
	mid, ver, ok := flowMapping(o)
	if !ok {
		return "transformations must hold one \"Mapping\" with params.mappingId and params.mappingVersion", "1412-400"
	}
	set := box.MappingSets[mid]
	if set == nil || ver < 0 || ver >= len(set.Versions) {
		return fmt.Sprintf("Mapping %s version %d is not valid", mid, ver), "1412-400"
	}
	// The mapping's output schema must be the target dataset's (1425).
	tids, _ := o["targetConnectionIds"].([]any)
	tid, _ := tids[0].(string)
	dsSchema := str(box.Datasets[str(box.TargetConnections[tid], "params", "dataSetId")], "schemaRef", "id")
	mSchema := str(set.Versions[ver].Body, "outputSchema", "schemaRef", "id")
	if mSchema == "" {
		mSchema = str(set.Versions[ver].Body, "xdmSchema")
	}
	if mSchema != "" && dsSchema != "" && mSchema != dsSchema {
		return fmt.Sprintf("The mapping's schema %s and the dataset's schema %s must be the same", mSchema, dsSchema), "1425-400"
	}
	return "", ""
}

// flowMapping reads transformations[name=Mapping].params; mappingVersion may be 0 or "0".
func flowMapping(o obj) (string, int, bool) {
	ts, _ := o["transformations"].([]any)
	for _, t := range ts {
		to, _ := t.(obj)
		if str(to, "name") != "Mapping" {
			continue
		}
		mid := str(to, "params", "mappingId")
		v := scalar(at(to, "params", "mappingVersion"))
		n, err := strconv.Atoi(v)
		if mid == "" || err != nil {
			return "", 0, false
		}
		return mid, n, true
	}
	return "", 0, false
}

// patchFlowResource applies a JSON-Patch with the etag rules (reference §2.7).
func (s *Server) patchFlowResource(c *call, coll, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.flowColl(c.sb, coll)[id]
	if !ok {
		flowError(c.w, http.StatusNotFound, "1439-404", notFound(coll, id), id, coll)
		return
	}
	match := c.r.Header.Get("If-Match")
	if match == "" {
		flowError(c.w, http.StatusBadRequest, "1403-400", "If-Match header is missing or empty. Pass the etag of the resource in If-Match.", id, coll)
		return
	}
	if match != str(cur, "etag") {
		flowError(c.w, http.StatusPreconditionFailed, "1404-412", fmt.Sprintf("Version not matching: supplied version=[%s] does not match the current version on entity=[%s]", match, str(cur, "etag")), id, coll)
		return
	}
	v, err := decodeAny(c.body)
	ops, isArr := v.([]any)
	if err != nil || !isArr || len(ops) == 0 {
		flowError(c.w, http.StatusBadRequest, "1405-400", "Request body must be a non-empty JSON-Patch array", id, coll)
		return
	}
	next := clone(cur).(obj)
	var applied []any
	for _, op := range ops {
		o, _ := op.(obj)
		kind := strings.ToLower(str(o, "op"))
		path := str(o, "path")
		switch kind {
		case "add", "replace", "remove":
		case "move", "copy", "test":
			flowError(c.w, http.StatusBadRequest, "1434-400", fmt.Sprintf("The patch operation %q is not supported", str(o, "op")), id, coll)
			return
		default:
			flowError(c.w, http.StatusBadRequest, "1455-400", fmt.Sprintf("Invalid patch operation %q", str(o, "op")), id, coll)
			return
		}
		if !patchable(coll, path) {
			flowError(c.w, http.StatusBadRequest, "1455-400", fmt.Sprintf("The path %q cannot be patched", path), id, coll)
			return
		}
		if err := applyPatch(next, kind, path, clone(o["value"])); err != nil {
			flowError(c.w, http.StatusBadRequest, "1455-400", fmt.Sprintf("Invalid patch path %q: %v", path, err), id, coll)
			return
		}
		applied = append(applied, obj{"op": kind, "path": path, "value": o["value"]})
	}
	if coll == "flows" {
		if msg, code := s.checkFlow(c.sb, next); code != "" {
			flowError(c.w, http.StatusBadRequest, code, msg, id, coll)
			return
		}
	}
	now := s.now()
	etag := newETag(now)
	ms := json.Number(strconv.FormatInt(now.UnixMilli(), 10))
	next["etag"], next["updatedAt"], next["updatedClient"] = etag, ms, c.r.Header.Get("x-api-key")
	if coll == "flows" {
		next["version"] = etag
		next["lastOperation"] = obj{"started": ms, "updated": ms, "percentCompleted": 100.0,
			"status": obj{"value": "completed", "errors": []any{}}, "ops": applied, "operation": "update"}
	}
	s.flowColl(c.sb, coll)[id] = next
	if err := s.save(); err != nil {
		flowError(c.w, http.StatusInternalServerError, "1000-500", err.Error(), id, coll)
		return
	}
	writeJSON(c.w, http.StatusOK, obj{"id": id, "etag": etag})
}

// patchable lists the members a PATCH may change.
func patchable(coll, path string) bool {
	for _, p := range []string{"/name", "/description", "/options", "/transformations", "/params", "/data"} {
		if path == p || strings.HasPrefix(path, p+"/") {
			return coll == "flows" || p != "/transformations"
		}
	}
	return false
}

// applyPatch applies one add/replace/remove at a JSON pointer inside o.
func applyPatch(o obj, kind, path string, value any) error {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	var parent any = o
	for _, k := range segs[:len(segs)-1] {
		next := at(parent, k)
		if next == nil {
			if kind != "add" {
				return fmt.Errorf("%s does not exist", k)
			}
			m, ok := parent.(obj)
			if !ok {
				return fmt.Errorf("%s is not an object", k)
			}
			m[k] = obj{}
			next = m[k]
		}
		parent = next
	}
	last := segs[len(segs)-1]
	switch p := parent.(type) {
	case obj:
		if kind == "remove" {
			delete(p, last)
		} else {
			p[last] = value
		}
		return nil
	case []any:
		i, err := strconv.Atoi(last)
		if err != nil || i < 0 || i >= len(p) {
			return fmt.Errorf("index %s out of range", last)
		}
		if kind == "remove" {
			return fmt.Errorf("removing array elements is not supported")
		}
		p[i] = value
		return nil
	}
	return fmt.Errorf("parent is not a container")
}

// deleteFlowResource answers DELETE; connections used by a flow cannot go (1447).
func (s *Server) deleteFlowResource(c *call, coll, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.flowColl(c.sb, coll)
	if _, ok := m[id]; !ok {
		flowError(c.w, http.StatusNotFound, "1439-404", notFound(coll, id), id, coll)
		return
	}
	if coll != "flows" {
		for fid, f := range s.sandbox(c.sb).Flows {
			for _, k := range []string{"sourceConnectionIds", "targetConnectionIds"} {
				ids, _ := f[k].([]any)
				if slices.Contains(ids, any(id)) {
					flowError(c.w, http.StatusBadRequest, "1447-400", fmt.Sprintf("Found active flows containing id %s: %s", id, fid), id, coll)
					return
				}
			}
		}
	}
	delete(m, id)
	s.save()
	c.w.WriteHeader(http.StatusNoContent)
}

// flowAction answers POST /flows/{id}/action?op=enable|disable.
func (s *Server) flowAction(c *call, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.sandbox(c.sb).Flows[id]
	if !ok {
		flowError(c.w, http.StatusNotFound, "1439-404", notFound("flows", id), id, "flows")
		return
	}
	want := map[string]string{"enable": "enabled", "disable": "disabled"}[strings.ToLower(c.r.URL.Query().Get("op"))]
	if want == "" || str(f, "state") == want {
		flowError(c.w, http.StatusBadRequest, "1422-400", fmt.Sprintf("The operation %q is not valid in state %s", c.r.URL.Query().Get("op"), str(f, "state")), id, "flows")
		return
	}
	f["state"] = want
	etag := newETag(s.now())
	f["etag"], f["version"] = etag, etag
	s.save()
	writeJSON(c.w, http.StatusOK, obj{"id": id, "etag": etag})
}

package controlplane

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// catalog routes /data/foundation/catalog/dataSets... (reference §5).
func (s *Server) catalog(c *call, rest string) {
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if parts[0] != "dataSets" {
		plainError(c.w, http.StatusNotFound, "no Catalog resource at "+rest)
		return
	}
	m := c.r.Method
	switch {
	case len(parts) == 1 && m == http.MethodPost:
		s.createDataset(c)
	case len(parts) == 1 && m == http.MethodGet:
		s.listDatasets(c)
	case len(parts) == 2 && m == http.MethodGet:
		s.mu.Lock()
		d, ok := s.sandbox(c.sb).Datasets[parts[1]]
		var out obj
		if ok {
			out = clone(d).(obj)
		}
		s.mu.Unlock()
		if !ok {
			plainError(c.w, http.StatusNotFound, fmt.Sprintf("dataset %s is not found", parts[1]))
			return
		}
		writeJSON(c.w, http.StatusOK, obj{parts[1]: out})
	default:
		plainError(c.w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s is not supported", m, rest))
	}
}

func (s *Server) createDataset(c *call) {
	o, err := decodeObj(c.body)
	if err != nil {
		plainError(c.w, http.StatusBadRequest, "the dataset is not a JSON object: "+err.Error())
		return
	}
	if str(o, "name") == "" {
		plainError(c.w, http.StatusBadRequest, "name is required")
		return
	}
	sid := str(o, "schemaRef", "id")
	s.mu.Lock()
	defer s.mu.Unlock()
	if sid == "" || s.findSchema(c.sb, sid) == nil {
		plainError(c.w, http.StatusBadRequest, fmt.Sprintf("schemaRef.id %q: no such schema in sandbox %s", sid, c.sb))
		return
	}
	id := newHex(12)
	now := s.now().UnixMilli()
	o["imsOrg"], o["version"], o["created"], o["updated"] = c.r.Header.Get("x-gw-ims-org-id"), "1.0.0", now, now
	o["files"] = "@/dataSetFiles?dataSetId=" + id
	if o["tags"] == nil {
		o["tags"] = obj{}
	}
	s.sandbox(c.sb).Datasets[id] = o
	if err := s.save(); err != nil {
		plainError(c.w, http.StatusInternalServerError, err.Error())
		return
	}
	c.w.Header().Set("Location", "/dataSets/"+id)
	writeJSON(c.w, http.StatusCreated, []string{"@/dataSets/" + id})
}

func (s *Server) listDatasets(c *call) {
	q := c.r.URL.Query()
	limit := 20
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			plainError(c.w, http.StatusBadRequest, "limit must be a positive integer")
			return
		}
		limit = min(n, 100)
	}
	start, _ := strconv.Atoi(q.Get("start"))
	s.mu.Lock()
	ids := make([]string, 0, len(s.sandbox(c.sb).Datasets))
	for id, d := range s.sandbox(c.sb).Datasets {
		if name := q.Get("name"); name == "" || str(d, "name") == name {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	start = min(max(start, 0), len(ids))
	out := map[string]json.RawMessage{}
	for _, id := range ids[start:min(start+limit, len(ids))] {
		b, _ := json.Marshal(s.sandbox(c.sb).Datasets[id])
		out[id] = b
	}
	s.mu.Unlock()
	writeJSON(c.w, http.StatusOK, out)
}

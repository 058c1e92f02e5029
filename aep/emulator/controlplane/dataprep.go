package controlplane

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// dataPrep routes /data/foundation/conversion/mappingSets... (reference §3).
func (s *Server) dataPrep(c *call, rest string) {
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if parts[0] != "mappingSets" {
		plainError(c.w, http.StatusNotFound, "no Data Prep resource at "+rest)
		return
	}
	m := c.r.Method
	switch {
	case len(parts) == 1 && m == http.MethodPost:
		s.createMappingSet(c)
	case len(parts) == 1 && m == http.MethodGet:
		s.listMappingSets(c)
	case len(parts) == 2 && m == http.MethodGet:
		s.getMappingSet(c, parts[1])
	case len(parts) == 2 && m == http.MethodPut:
		s.putMappingSet(c, parts[1])
	default:
		plainError(c.w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s is not supported", m, rest))
	}
}

// checkMapping decodes a mapping-set body and, when a compiler is configured, compiles it
// (without a schema) so that a set AEP's Data Prep would refuse is refused here too.
func (s *Server) checkMapping(body []byte) (obj, string) {
	o, err := decodeObj(body)
	if err != nil {
		return nil, "the mapping set is not a JSON object: " + err.Error()
	}
	ms, _ := o["mappings"].([]any)
	if len(ms) == 0 {
		return nil, "the mapping set has no mappings"
	}
	if s.o.Compile != nil {
		if _, _, err := s.o.Compile(body, nil); err != nil {
			return nil, "the mapping set is not valid: " + err.Error()
		}
	}
	return o, ""
}

func (s *Server) createMappingSet(c *call) {
	o, msg := s.checkMapping(c.body)
	if msg != "" {
		plainError(c.w, http.StatusBadRequest, msg)
		return
	}
	now := s.now().UnixMilli()
	set := &mappingSet{ID: newHex(16), Name: str(o, "name"), Created: now, Versions: []mappingBody{{Body: o, Modified: now}}}
	s.mu.Lock()
	s.sandbox(c.sb).MappingSets[set.ID] = set
	err := s.save()
	s.mu.Unlock()
	if err != nil {
		plainError(c.w, http.StatusInternalServerError, err.Error())
		return
	}
	// Data Prep answers 200, not 201 (reference §3).
	writeJSON(c.w, http.StatusOK, obj{"id": set.ID, "version": 0, "createdDate": now, "modifiedDate": now,
		"createdBy": c.r.Header.Get("x-api-key"), "modifiedBy": c.r.Header.Get("x-api-key")})
}

// full is a mapping set version as GET answers it: the body as posted plus Data Prep's fields.
func (set *mappingSet) full(v int) obj {
	b := set.Versions[v]
	out := clone(b.Body).(obj)
	out["id"], out["version"] = set.ID, v
	out["createdDate"], out["modifiedDate"] = set.Created, b.Modified
	out["status"], out["supportVersion"] = "PUBLISHED", "1.1"
	return out
}

func (s *Server) getMappingSet(c *call, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.sandbox(c.sb).MappingSets[id]
	if set == nil {
		plainError(c.w, http.StatusNotFound, fmt.Sprintf("mapping set %s is not found", id))
		return
	}
	v := len(set.Versions) - 1
	if q := c.r.URL.Query().Get("version"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 0 || n >= len(set.Versions) {
			plainError(c.w, http.StatusNotFound, fmt.Sprintf("mapping set %s has no version %s", id, q))
			return
		}
		v = n
	}
	writeJSON(c.w, http.StatusOK, set.full(v))
}

func (s *Server) putMappingSet(c *call, id string) {
	o, msg := s.checkMapping(c.body)
	if msg != "" {
		plainError(c.w, http.StatusBadRequest, msg)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.sandbox(c.sb).MappingSets[id]
	if set == nil {
		plainError(c.w, http.StatusNotFound, fmt.Sprintf("mapping set %s is not found", id))
		return
	}
	set.Versions = append(set.Versions, mappingBody{Body: o, Modified: s.now().UnixMilli()})
	if err := s.save(); err != nil {
		plainError(c.w, http.StatusInternalServerError, err.Error())
		return
	}
	writeJSON(c.w, http.StatusOK, set.full(len(set.Versions)-1))
}

func (s *Server) listMappingSets(c *call) {
	q := c.r.URL.Query()
	limit, err1 := strconv.Atoi(q.Get("limit"))
	start, err2 := strconv.Atoi(q.Get("start"))
	if err1 != nil || err2 != nil || limit < 1 || start < 0 {
		plainError(c.w, http.StatusBadRequest, "limit and start are required: limit a positive integer, start 0 or more")
		return
	}
	s.mu.Lock()
	var all []obj
	for _, set := range s.sandbox(c.sb).MappingSets {
		if name := q.Get("name"); name != "" && set.Name != name {
			continue
		}
		all = append(all, set.full(len(set.Versions)-1))
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return compare(all[i]["createdDate"], all[j]["createdDate"]) < 0 })
	start = min(start, len(all))
	page := all[start:min(start+limit, len(all))]
	if page == nil {
		page = []obj{}
	}
	writeJSON(c.w, http.StatusOK, obj{"data": page, "_page": obj{"count": len(page), "limit": limit}})
}

// mappingJSON is a stored version's body as bytes, for Compile. Called with s.mu held.
func mappingJSON(set *mappingSet, v int) []byte {
	b, _ := json.Marshal(set.Versions[v].Body)
	return b
}

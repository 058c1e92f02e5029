package controlplane

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// schemaRegistry routes /data/foundation/schemaregistry/... (reference §1.7, §4).
func (s *Server) schemaRegistry(c *call, rest string) {
	rest = strings.Trim(rest, "/")
	m := c.r.Method
	switch {
	case rest == "stats" && m == http.MethodGet:
		s.mu.Lock()
		n := len(s.sandbox(c.sb).Schemas)
		s.mu.Unlock()
		writeJSON(c.w, http.StatusOK, obj{"imsOrg": c.r.Header.Get("x-gw-ims-org-id"), "tenantId": s.o.TenantID,
			"counts":                   obj{"schemas": n, "mixins": 0, "datatypes": 0, "classes": 0, "unions": 0},
			"recentlyCreatedResources": []any{}, "recentlyUpdatedResources": []any{}, "classUsage": obj{}})
	case rest == "tenant/schemas" && m == http.MethodPost:
		s.createSchema(c)
	case rest == "tenant/schemas" && m == http.MethodGet:
		s.listSchemas(c)
	case strings.HasPrefix(rest, "tenant/schemas/") && m == http.MethodGet:
		// The id is URL-encoded in the path; r.URL.Path has it decoded already.
		s.getSchema(c, strings.TrimPrefix(rest, "tenant/schemas/"))
	default:
		xdmError(c.w, http.StatusNotFound, "1010-404", "Resource not found", fmt.Sprintf("No Schema Registry resource at %s %s", m, rest))
	}
}

func (s *Server) createSchema(c *call) {
	o, err := decodeObj(c.body)
	if err != nil {
		xdmError(c.w, http.StatusBadRequest, "1000-400", "Bad Request", "The schema is not a JSON object: "+err.Error())
		return
	}
	title := str(o, "title")
	if title == "" {
		xdmError(c.w, http.StatusBadRequest, "1000-400", "Bad Request", "title is required")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	box := s.sandbox(c.sb)
	for _, sc := range box.Schemas {
		if str(sc, "title") == title {
			xdmError(c.w, http.StatusBadRequest, "1521-400", "Title not unique", fmt.Sprintf("The title %q is already used by %s", title, str(sc, "$id")))
			return
		}
	}
	hex := newHex(16)
	t := s.o.TenantID
	o["$id"] = "https://ns.adobe.com/" + t + "/schemas/" + hex
	o["meta:altId"] = "_" + t + ".schemas." + hex
	o["meta:resourceType"], o["version"] = "schemas", "1.0"
	o["meta:containerId"], o["meta:tenantNamespace"] = "tenant", "_"+t
	o["meta:sandboxId"], o["meta:sandboxType"] = box.ID, "development"
	o["imsOrg"] = c.r.Header.Get("x-gw-ims-org-id")
	now := s.now().UnixMilli()
	o["meta:registryMetadata"] = obj{"repo:createdDate": now, "repo:lastModifiedDate": now, "eTag": strings.Trim(newETag(s.now()), `"`)}
	box.Schemas[str(o, "$id")] = o
	if err := s.save(); err != nil {
		xdmError(c.w, http.StatusInternalServerError, "1000-500", "Internal Server Error", err.Error())
		return
	}
	writeJSON(c.w, http.StatusCreated, o)
}

// findSchema looks a schema up by $id or meta:altId. Called with s.mu held.
func (s *Server) findSchema(sb, id string) obj {
	box := s.sandbox(sb)
	if sc, ok := box.Schemas[id]; ok {
		return sc
	}
	for _, sc := range box.Schemas {
		if str(sc, "meta:altId") == id {
			return sc
		}
	}
	return nil
}

// acceptOK is the Schema Registry's rule: a versioned xed/xdm media type (reference §4.1).
func acceptOK(a string) bool {
	return (strings.Contains(a, "application/vnd.adobe.xed") || strings.Contains(a, "application/vnd.adobe.xdm")) && strings.Contains(strings.ReplaceAll(a, " ", ""), "version=1")
}

func (s *Server) getSchema(c *call, id string) {
	if u, err := url.PathUnescape(id); err == nil {
		id = u
	}
	a := c.r.Header.Get("Accept")
	if !acceptOK(a) {
		xdmError(c.w, http.StatusBadRequest, "1006-400", "Invalid Accept header", fmt.Sprintf("Accept %q: a version is mandatory, e.g. application/vnd.adobe.xed-full+json; version=1", a))
		return
	}
	s.mu.Lock()
	sc := s.findSchema(c.sb, id)
	var out obj
	if sc != nil {
		out = clone(sc).(obj)
	}
	s.mu.Unlock()
	if out == nil {
		xdmError(c.w, http.StatusNotFound, "1010-404", "Resource not found", fmt.Sprintf("The requested schema %s was not found.", id))
		return
	}
	c.w.Header().Set("Content-Type", "application/json")
	writeJSON(c.w, http.StatusOK, out)
}

func (s *Server) listSchemas(c *call) {
	q := c.r.URL.Query()
	var fs []filter
	for _, p := range q["property"] {
		f, err := parseFilter(p)
		if err != nil {
			xdmError(c.w, http.StatusBadRequest, "1000-400", "Bad Request", "invalid property filter "+p)
			return
		}
		fs = append(fs, f)
	}
	idOnly := strings.Contains(c.r.Header.Get("Accept"), "xed-id+json")
	s.mu.Lock()
	var res []obj
	for _, sc := range s.sandbox(c.sb).Schemas {
		ok := true
		for _, f := range fs {
			ok = ok && f.match(sc)
		}
		if !ok {
			continue
		}
		if idOnly {
			res = append(res, obj{"$id": sc["$id"], "meta:altId": sc["meta:altId"], "version": sc["version"], "title": sc["title"]})
		} else {
			res = append(res, clone(sc).(obj))
		}
	}
	s.mu.Unlock()
	sort.Slice(res, func(i, j int) bool { return str(res[i], "title") < str(res[j], "title") })
	if res == nil {
		res = []obj{}
	}
	writeJSON(c.w, http.StatusOK, obj{"results": res, "_page": obj{"orderby": "title", "next": nil, "count": len(res)},
		"_links": obj{"next": nil, "global_schemas": obj{"href": "/data/foundation/schemaregistry/global/schemas"}}})
}

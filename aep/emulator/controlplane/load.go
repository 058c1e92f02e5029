package controlplane

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// LoadedFlow is a dataflow brought into the emulator from elsewhere (a directory pulled from
// AEP), keeping its ids so that posts naming its flow id route to it.
type LoadedFlow struct {
	Sandbox   string // "" means prod
	OrgID     string
	FlowID    string
	Name      string
	InletURL  string // its inlet id (the last path segment) is kept when it is 64 hex
	DatasetID string // "" makes one
	SchemaID  string // "" makes one
	Mapping   []byte // the mapping set, AEP's JSON
	Schema    []byte // the schema; nil for none
}

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Load puts a dataflow, its mapping set (as version 0 of a new set), schema, dataset and
// connections into the state, replacing a flow with the same id. It returns the inlet id.
func (s *Server) Load(l LoadedFlow) (string, error) {
	if l.FlowID == "" {
		return "", fmt.Errorf("controlplane: load: no flow id")
	}
	if l.Sandbox == "" {
		l.Sandbox = "prod"
	}
	if !sandboxName.MatchString(l.Sandbox) {
		return "", fmt.Errorf("controlplane: load %s: sandbox %q is not a valid sandbox name", l.FlowID, l.Sandbox)
	}
	mapping, msg := s.checkMapping(l.Mapping)
	if msg != "" {
		return "", fmt.Errorf("controlplane: load %s: %s", l.FlowID, msg)
	}
	now := s.now()
	ms := json.Number(strconv.FormatInt(now.UnixMilli(), 10))
	s.mu.Lock()
	defer s.mu.Unlock()
	box := s.sandbox(l.Sandbox)
	schemaID := l.SchemaID
	if schemaID == "" {
		schemaID = "https://ns.adobe.com/" + s.o.TenantID + "/schemas/" + newHex(16)
	}
	if l.Schema != nil {
		sc, err := decodeObj(l.Schema)
		if err != nil {
			return "", fmt.Errorf("controlplane: load %s: schema: %w", l.FlowID, err)
		}
		sc["$id"] = schemaID
		if str(sc, "title") == "" {
			sc["title"] = l.Name + " schema"
		}
		box.Schemas[schemaID] = sc
	}
	ds := l.DatasetID
	if ds == "" {
		ds = newHex(12)
	}
	box.Datasets[ds] = obj{"name": l.Name + " dataset", "imsOrg": l.OrgID, "created": ms, "updated": ms, "tags": obj{},
		"schemaRef": obj{"id": schemaID, "contentType": "application/vnd.adobe.xed-full+json;version=1"}}
	srcID, tgtID := newUUID(), newUUID()
	common := func(o obj, id string) obj {
		o["id"], o["etag"], o["createdAt"], o["updatedAt"] = id, newETag(now), ms, ms
		o["sandboxId"], o["sandboxName"], o["imsOrgId"] = box.ID, l.Sandbox, l.OrgID
		return o
	}
	box.SourceConnections[srcID] = common(obj{"name": l.Name + " source", "providerId": providerID,
		"connectionSpec": obj{"id": customerIOSpec, "version": "1.0"}, "data": obj{"format": "json"}}, srcID)
	box.TargetConnections[tgtID] = common(obj{"name": l.Name + " target", "connectionSpec": obj{"id": dataLakeSpec, "version": "1.0"},
		"data":   obj{"format": "json", "schema": obj{"id": schemaID, "version": "application/vnd.adobe.xed-full+json;version=1"}},
		"params": obj{"dataSetId": ds}}, tgtID)
	mapping["outputSchema"] = obj{"schemaRef": obj{"id": schemaID, "contentType": "application/vnd.adobe.xed-full+json;version=1"}}
	set := &mappingSet{ID: newHex(16), Name: l.Name + " mapping", Created: now.UnixMilli(), Versions: []mappingBody{{Body: mapping, Modified: now.UnixMilli()}}}
	box.MappingSets[set.ID] = set
	inlet := l.InletURL[strings.LastIndexByte(l.InletURL, '/')+1:]
	if !hex64.MatchString(inlet) {
		inlet = newHex(32)
	}
	f := common(obj{"name": l.Name, "flowSpec": obj{"id": streamingFlow, "version": "1.0"}, "state": "enabled",
		"sourceConnectionIds": []any{srcID}, "targetConnectionIds": []any{tgtID},
		"inheritedAttributes": obj{"properties": obj{"isSourceFlow": true}},
		"transformations":     []any{obj{"name": "Mapping", "params": obj{"mappingId": set.ID, "mappingVersion": json.Number("0")}}},
		"inletId":             inlet}, l.FlowID)
	f["version"] = f["etag"]
	for _, other := range s.st.Sandboxes {
		dropLoaded(other, l.FlowID)
	}
	box.Flows[l.FlowID] = f
	return inlet, s.save()
}

// dropLoaded removes the flow id from box with the connections and mapping set no other flow
// uses, so that loading a flow again (the TUI does after every save of its files) replaces
// it instead of piling up copies. Called with s.mu held.
func dropLoaded(box *sandbox, flowID string) {
	old, ok := box.Flows[flowID]
	if !ok {
		return
	}
	delete(box.Flows, flowID)
	used := func(key, id string) bool {
		for _, f := range box.Flows {
			ids, _ := f[key].([]any)
			for _, x := range ids {
				if x == id {
					return true
				}
			}
		}
		return false
	}
	for _, coll := range []struct {
		key string
		m   map[string]obj
	}{{"sourceConnectionIds", box.SourceConnections}, {"targetConnectionIds", box.TargetConnections}} {
		ids, _ := old[coll.key].([]any)
		for _, x := range ids {
			if id, _ := x.(string); id != "" && !used(coll.key, id) {
				delete(coll.m, id)
			}
		}
	}
	if mid, _, ok := flowMapping(old); ok {
		for _, f := range box.Flows {
			if other, _, ok := flowMapping(f); ok && other == mid {
				return
			}
		}
		delete(box.MappingSets, mid)
	}
}

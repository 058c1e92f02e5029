package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// MappingSetInfo is what Data Prep says about a mapping set besides its mappings.
type MappingSetInfo struct {
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"`
	Version int    `json:"version"`
}

// MappingSet is a mapping set as GET /mappingSets/{id} answers it: its id and version, and
// the whole JSON as received (which ciosim's mapping engine reads).
type MappingSet struct {
	MappingSetInfo
	JSON json.RawMessage
}

// CreateMappingSet POSTs a mapping set (AEP's own JSON, as bytes) and returns its id and
// version (0). On an uncertain failure it looks for a set with the body's name before any
// retry.
func (c *Client) CreateMappingSet(ctx context.Context, body []byte) (MappingSetInfo, error) {
	var named struct {
		Name string `json:"name"`
	}
	json.Unmarshal(body, &named)
	r := request{method: http.MethodPost, path: DataPrepPath + "/mappingSets", body: body}
	if named.Name != "" {
		r.lookup = func(ctx context.Context) (string, bool, error) {
			sets, err := c.ListMappingSets(ctx, named.Name)
			if err != nil || len(sets) == 0 {
				return "", false, err
			}
			return sets[0].ID, true, nil
		}
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return MappingSetInfo{}, err
	}
	if resp.existing != "" {
		return MappingSetInfo{ID: resp.existing, Name: named.Name}, nil
	}
	var info MappingSetInfo
	if err := json.Unmarshal(resp.body, &info); err != nil || info.ID == "" {
		return info, fmt.Errorf("platform: POST %s/mappingSets: answer has no id", DataPrepPath)
	}
	return info, nil
}

// GetMappingSet reads a mapping set; version < 0 means the latest.
func (c *Client) GetMappingSet(ctx context.Context, id string, version int) (MappingSet, error) {
	path := DataPrepPath + "/mappingSets/" + esc(id)
	if version >= 0 {
		path += "?version=" + strconv.Itoa(version)
	}
	resp, err := c.do(ctx, request{method: http.MethodGet, path: path, idempotent: true})
	if err != nil {
		return MappingSet{}, err
	}
	var ms MappingSet
	if err := json.Unmarshal(resp.body, &ms.MappingSetInfo); err != nil {
		return ms, fmt.Errorf("platform: GET %s/mappingSets/{id}: decode: %w", DataPrepPath, err)
	}
	ms.JSON = resp.body
	return ms, nil
}

// UpdateMappingSet PUTs a new body for a mapping set, which makes a new version; it returns
// the new version number.
func (c *Client) UpdateMappingSet(ctx context.Context, id string, body []byte) (MappingSetInfo, error) {
	resp, err := c.do(ctx, request{method: http.MethodPut, path: DataPrepPath + "/mappingSets/" + esc(id), body: body})
	if err != nil {
		return MappingSetInfo{}, err
	}
	var info MappingSetInfo
	if err := json.Unmarshal(resp.body, &info); err != nil {
		return info, fmt.Errorf("platform: PUT %s/mappingSets/{id}: decode: %w", DataPrepPath, err)
	}
	if info.ID == "" {
		info.ID = id
	}
	return info, nil
}

// ListMappingSets lists mapping sets, only those named name when it is not "" (first 100).
func (c *Client) ListMappingSets(ctx context.Context, name string) ([]MappingSetInfo, error) {
	q := url.Values{"limit": {"100"}, "start": {"0"}}
	if name != "" {
		q.Set("name", name)
	}
	var p struct {
		Data []MappingSetInfo `json:"data"`
	}
	if err := c.getJSON(ctx, DataPrepPath+"/mappingSets?"+q.Encode(), &p); err != nil {
		return nil, err
	}
	if name == "" {
		return p.Data, nil
	}
	var out []MappingSetInfo
	for _, m := range p.Data {
		if m.Name == name {
			out = append(out, m)
		}
	}
	return out, nil
}

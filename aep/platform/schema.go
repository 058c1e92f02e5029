package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Stats is the part of GET /stats ciosim uses: the org and the tenant id (no underscore).
type Stats struct {
	IMSOrg   string `json:"imsOrg"`
	TenantID string `json:"tenantId"`
}

// Stats reads the Schema Registry's /stats for the tenant id.
func (c *Client) Stats(ctx context.Context) (Stats, error) {
	var s Stats
	err := c.getJSON(ctx, SchemaPath+"/stats", &s)
	return s, err
}

// SchemaInfo identifies a schema.
type SchemaInfo struct {
	ID      string `json:"$id"`
	AltID   string `json:"meta:altId,omitempty"`
	Title   string `json:"title"`
	Version string `json:"version,omitempty"`
}

// GetSchema reads a tenant schema, resolved (Accept: application/vnd.adobe.xed-full+json;
// version=1), as the raw JSON Schema the registry sent.
func (c *Client) GetSchema(ctx context.Context, id string) ([]byte, error) {
	resp, err := c.do(ctx, request{method: http.MethodGet, path: SchemaPath + "/tenant/schemas/" + strings.ReplaceAll(url.QueryEscape(id), "+", "%20"),
		accept: XEDFullContentType, idempotent: true})
	if err != nil {
		return nil, err
	}
	return resp.body, nil
}

// CreateSchema POSTs a schema (JSON as bytes; its title must be unique) and returns its
// identity. On an uncertain failure it looks the title up before any retry.
func (c *Client) CreateSchema(ctx context.Context, body []byte) (SchemaInfo, error) {
	var t struct {
		Title string `json:"title"`
	}
	json.Unmarshal(body, &t)
	r := request{method: http.MethodPost, path: SchemaPath + "/tenant/schemas", body: body}
	if t.Title != "" {
		r.lookup = func(ctx context.Context) (string, bool, error) {
			s, ok, err := c.FindSchema(ctx, t.Title)
			return s.ID, ok, err
		}
	}
	resp, err := c.do(ctx, r)
	if err != nil {
		return SchemaInfo{}, err
	}
	if resp.existing != "" {
		return SchemaInfo{ID: resp.existing, Title: t.Title}, nil
	}
	var info SchemaInfo
	if err := json.Unmarshal(resp.body, &info); err != nil || info.ID == "" {
		return info, fmt.Errorf("platform: POST %s/tenant/schemas: answer has no $id", SchemaPath)
	}
	return info, nil
}

// FindSchema looks a tenant schema up by its exact title.
func (c *Client) FindSchema(ctx context.Context, title string) (SchemaInfo, bool, error) {
	q := url.Values{"orderby": {"title"}, "limit": {"300"}}
	if !strings.Contains(title, ",") { // a comma would read as "or" in the filter
		q.Set("property", "title=="+title)
	}
	resp, err := c.do(ctx, request{method: http.MethodGet, path: SchemaPath + "/tenant/schemas?" + q.Encode(),
		accept: "application/vnd.adobe.xed-id+json", idempotent: true})
	if err != nil {
		return SchemaInfo{}, false, err
	}
	var p struct {
		Results []SchemaInfo `json:"results"`
	}
	if err := json.Unmarshal(resp.body, &p); err != nil {
		return SchemaInfo{}, false, fmt.Errorf("platform: GET %s/tenant/schemas: decode: %w", SchemaPath, err)
	}
	for _, s := range p.Results {
		if s.Title == title {
			return s, true, nil
		}
	}
	return SchemaInfo{}, false, nil
}

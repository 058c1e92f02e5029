package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// SchemaRef is a dataset's or mapping set's reference to its schema.
type SchemaRef struct {
	ID          string `json:"id"`
	ContentType string `json:"contentType"`
}

// Dataset is a Catalog dataset (the fields ciosim uses).
type Dataset struct {
	ID          string     `json:"-"`
	Name        string     `json:"name"`
	Description string     `json:"description,omitempty"`
	SchemaRef   *SchemaRef `json:"schemaRef,omitempty"`
}

// CreateDataset creates a dataset and returns its id (Catalog answers ["@/dataSets/{id}"]).
// On an uncertain failure it looks the name up before any retry.
func (c *Client) CreateDataset(ctx context.Context, d Dataset) (string, error) {
	resp, err := c.do(ctx, request{method: http.MethodPost, path: CatalogPath + "/dataSets", body: d,
		lookup: func(ctx context.Context) (string, bool, error) {
			got, ok, err := c.FindDataset(ctx, d.Name)
			return got.ID, ok, err
		}})
	if err != nil {
		return "", err
	}
	if resp.existing != "" {
		return resp.existing, nil
	}
	var links []string
	if err := json.Unmarshal(resp.body, &links); err != nil || len(links) == 0 {
		return "", fmt.Errorf("platform: POST %s/dataSets: answer is not [\"@/dataSets/{id}\"]", CatalogPath)
	}
	return strings.TrimPrefix(links[0], "@/dataSets/"), nil
}

// GetDataset reads a dataset (Catalog answers an object keyed by id).
func (c *Client) GetDataset(ctx context.Context, id string) (Dataset, error) {
	var m map[string]Dataset
	if err := c.getJSON(ctx, CatalogPath+"/dataSets/"+esc(id), &m); err != nil {
		return Dataset{}, err
	}
	d, ok := m[id]
	if !ok {
		return Dataset{}, &Error{Op: "GET " + CatalogPath + "/dataSets/" + id, Status: http.StatusNotFound, Message: "answer does not hold the dataset"}
	}
	d.ID = id
	return d, nil
}

// FindDataset looks a dataset up by its exact name.
func (c *Client) FindDataset(ctx context.Context, name string) (Dataset, bool, error) {
	q := url.Values{"name": {name}, "limit": {"100"}}
	var m map[string]Dataset
	if err := c.getJSON(ctx, CatalogPath+"/dataSets?"+q.Encode(), &m); err != nil {
		return Dataset{}, false, err
	}
	for id, d := range m {
		if d.Name == name {
			d.ID = id
			return d, true, nil
		}
	}
	return Dataset{}, false, nil
}

// FailedRecords downloads the failed records behind a run's manifest link (Data Access
// /export/batches/{id}/failed, every file), at most limit of them.
func (c *Client) FailedRecords(ctx context.Context, batchID string, limit int) ([]json.RawMessage, error) {
	base := ExportPath + "/batches/" + esc(batchID) + "/failed"
	var p struct {
		Data []struct {
			Name string `json:"name"`
		} `json:"data"`
	}
	if err := c.getJSON(ctx, base, &p); err != nil {
		return nil, err
	}
	var out []json.RawMessage
	for _, f := range p.Data {
		resp, err := c.do(ctx, request{method: http.MethodGet, path: base + "?path=" + url.QueryEscape(f.Name), idempotent: true})
		if err != nil {
			return out, err
		}
		for _, line := range strings.Split(string(resp.body), "\n") {
			if line = strings.TrimSpace(line); line == "" || !json.Valid([]byte(line)) {
				continue
			}
			out = append(out, json.RawMessage(line))
			if limit > 0 && len(out) >= limit {
				return out, nil
			}
		}
	}
	return out, nil
}

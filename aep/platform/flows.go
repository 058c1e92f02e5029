package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Fixed Flow Service identifiers for a Customer.io streaming dataflow (reference §2.1).
const (
	CustomerIOConnectionSpecID = "96479064-7b8a-4d69-b9ed-21c5683837ea"
	StreamingProviderID        = "521eee4d-8cbe-4906-bb48-fb6bd4450033"
	DataLakeConnectionSpecID   = "c604ff05-7f1a-43c0-8e18-33bf874cb11c"
	StreamingFlowSpecID        = "e77fde5a-22a8-11ed-861d-0242ac120002"
	SpecVersion                = "1.0"
	MappingTransformation      = "Mapping"
	XEDFullContentType         = "application/vnd.adobe.xed-full+json;version=1"
)

// Ref is a {"id","version"} reference to a spec.
type Ref struct {
	ID      string `json:"id"`
	Version string `json:"version,omitempty"`
}

// Created is what a Flow Service create or PATCH answers: the id and the new etag.
type Created struct {
	ID   string `json:"id"`
	ETag string `json:"etag,omitempty"`
}

// SourceConnection is a Flow Service source connection.
type SourceConnection struct {
	ID             string          `json:"id,omitempty"`
	Name           string          `json:"name"`
	Description    string          `json:"description,omitempty"`
	ProviderID     string          `json:"providerId,omitempty"`
	ConnectionSpec Ref             `json:"connectionSpec"`
	Data           json.RawMessage `json:"data,omitempty"`
	ETag           string          `json:"etag,omitempty"`
	State          string          `json:"state,omitempty"`
}

// TargetConnection is a Flow Service target connection to a dataset.
type TargetConnection struct {
	ID             string       `json:"id,omitempty"`
	Name           string       `json:"name,omitempty"`
	Description    string       `json:"description,omitempty"`
	ConnectionSpec Ref          `json:"connectionSpec"`
	Data           TargetData   `json:"data"`
	Params         TargetParams `json:"params"`
	ETag           string       `json:"etag,omitempty"`
}

// TargetData names the target's format and schema.
type TargetData struct {
	Format string `json:"format"`
	Schema *Ref   `json:"schema,omitempty"`
}

// TargetParams names the target dataset.
type TargetParams struct {
	DataSetID string `json:"dataSetId"`
}

// MappingVersion is a mapping set version: a number in requests, sometimes a string in
// answers (reference §2.5); both are read.
type MappingVersion int

// UnmarshalJSON reads 2 or "2".
func (v *MappingVersion) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*v = 0
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("mappingVersion %s: want an integer", b)
	}
	*v = MappingVersion(n)
	return nil
}

// Transformation is one of a flow's transformations; a Customer.io flow has one, "Mapping".
type Transformation struct {
	Name   string               `json:"name"`
	Params TransformationParams `json:"params"`
}

// TransformationParams pins the mapping set and its version.
type TransformationParams struct {
	MappingID      string         `json:"mappingId"`
	MappingVersion MappingVersion `json:"mappingVersion"`
}

// FlowOptions are a flow's options; inletUrl is set by AEP on streaming flows.
type FlowOptions struct {
	InletURL                string `json:"inletUrl,omitempty"`
	ErrorDiagnosticsEnabled *bool  `json:"errorDiagnosticsEnabled,omitempty"`
}

// Flow is a dataflow as GET /flows answers it (the fields ciosim uses).
type Flow struct {
	ID                  string           `json:"id,omitempty"`
	Name                string           `json:"name"`
	Description         string           `json:"description,omitempty"`
	FlowSpec            Ref              `json:"flowSpec"`
	State               string           `json:"state,omitempty"`
	ETag                string           `json:"etag,omitempty"`
	SourceConnectionIDs []string         `json:"sourceConnectionIds"`
	TargetConnectionIDs []string         `json:"targetConnectionIds"`
	Transformations     []Transformation `json:"transformations"`
	Options             *FlowOptions     `json:"options,omitempty"`
	CreatedAt           int64            `json:"createdAt,omitempty"`
	UpdatedAt           int64            `json:"updatedAt,omitempty"`
	SandboxName         string           `json:"sandboxName,omitempty"`
	IMSOrgID            string           `json:"imsOrgId,omitempty"`
}

// Mapping returns the flow's "Mapping" transformation parameters.
func (f Flow) Mapping() (TransformationParams, bool) {
	for _, t := range f.Transformations {
		if t.Name == MappingTransformation {
			return t.Params, true
		}
	}
	return TransformationParams{}, false
}

// InletURL is options.inletUrl, or "".
func (f Flow) InletURL() string {
	if f.Options == nil {
		return ""
	}
	return f.Options.InletURL
}

// WebhookURL is what Customer.io's Reporting Webhook is given: {inletUrl}?x-adobe-flow-id={id}.
func (f Flow) WebhookURL() string {
	if f.InletURL() == "" {
		return ""
	}
	return f.InletURL() + "?x-adobe-flow-id=" + url.QueryEscape(f.ID)
}

// PatchOp is one JSON-Patch operation.
type PatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value,omitempty"`
}

// ListOptions filter, sort and bound a Flow Service listing (reference §2.9).
type ListOptions struct {
	Property []string // such as "name==My flow"; ANDed
	OrderBy  string   // such as "-createdAt"
	Limit    int      // per page; 0 = the service's default
	Max      int      // stop after this many items in all; 0 = 1000
}

func (o ListOptions) query() url.Values {
	q := url.Values{}
	for _, p := range o.Property {
		q.Add("property", p)
	}
	if o.OrderBy != "" {
		q.Set("orderby", o.OrderBy)
	}
	if o.Limit > 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	return q
}

// list pages through a Flow Service collection, following _links.next.href's
// continuationToken.
func list[T any](ctx context.Context, c *Client, coll string, o ListOptions) ([]T, error) {
	maxItems := o.Max
	if maxItems <= 0 {
		maxItems = 1000
	}
	q := o.query()
	var out []T
	for page := 0; page < 1000; page++ {
		var p struct {
			Items []T `json:"items"`
			Links struct {
				Next *struct {
					Href string `json:"href"`
				} `json:"next"`
			} `json:"_links"`
		}
		path := FlowServicePath + "/" + coll
		if enc := q.Encode(); enc != "" {
			path += "?" + enc
		}
		if err := c.getJSON(ctx, path, &p); err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if len(out) >= maxItems {
			return out[:maxItems], nil
		}
		if p.Links.Next == nil || p.Links.Next.Href == "" {
			return out, nil
		}
		tok := continuationToken(p.Links.Next.Href)
		if tok == "" || tok == q.Get("continuationToken") {
			return out, nil
		}
		q.Set("continuationToken", tok)
	}
	return out, nil
}

// continuationToken takes the token from a next link such as
// "/flows?continuationToken=abc&limit=2".
func continuationToken(href string) string {
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	return u.Query().Get("continuationToken")
}

// one reads a {"items":[x]} answer.
func one[T any](ctx context.Context, c *Client, path string) (T, error) {
	var p struct {
		Items []T `json:"items"`
	}
	var zero T
	if err := c.getJSON(ctx, path, &p); err != nil {
		return zero, err
	}
	if len(p.Items) == 0 {
		return zero, &Error{Op: "GET " + opPath(path), Status: http.StatusNotFound, Message: "answer has no items"}
	}
	return p.Items[0], nil
}

// byName returns a lookup that finds a resource of coll by its exact name.
func byName(c *Client, coll, name string) func(context.Context) (string, bool, error) {
	return func(ctx context.Context) (string, bool, error) {
		items, err := list[struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		}](ctx, c, coll, ListOptions{Property: []string{"name==" + name}})
		if err != nil {
			return "", false, err
		}
		for _, it := range items {
			if it.Name == name {
				return it.ID, true, nil
			}
		}
		return "", false, nil
	}
}

func (c *Client) create(ctx context.Context, coll, name string, body any) (Created, error) {
	resp, err := c.do(ctx, request{method: http.MethodPost, path: FlowServicePath + "/" + coll, body: body, lookup: byName(c, coll, name)})
	if err != nil {
		return Created{}, err
	}
	if resp.existing != "" {
		return Created{ID: resp.existing}, nil
	}
	var cr Created
	if err := json.Unmarshal(resp.body, &cr); err != nil || cr.ID == "" {
		return Created{}, fmt.Errorf("platform: POST %s/%s: answer has no id", FlowServicePath, coll)
	}
	return cr, nil
}

// CreateSourceConnection creates a source connection. An uncertain failure is followed by a
// lookup by name before any retry, so a retry cannot create a second one.
func (c *Client) CreateSourceConnection(ctx context.Context, sc SourceConnection) (Created, error) {
	return c.create(ctx, "sourceConnections", sc.Name, sc)
}

// GetSourceConnection reads one source connection.
func (c *Client) GetSourceConnection(ctx context.Context, id string) (SourceConnection, error) {
	return one[SourceConnection](ctx, c, FlowServicePath+"/sourceConnections/"+esc(id))
}

// ListSourceConnections lists source connections.
func (c *Client) ListSourceConnections(ctx context.Context, o ListOptions) ([]SourceConnection, error) {
	return list[SourceConnection](ctx, c, "sourceConnections", o)
}

// CreateTargetConnection creates a target connection (looked up by name on an uncertain failure).
func (c *Client) CreateTargetConnection(ctx context.Context, tc TargetConnection) (Created, error) {
	return c.create(ctx, "targetConnections", tc.Name, tc)
}

// GetTargetConnection reads one target connection.
func (c *Client) GetTargetConnection(ctx context.Context, id string) (TargetConnection, error) {
	return one[TargetConnection](ctx, c, FlowServicePath+"/targetConnections/"+esc(id))
}

// ListTargetConnections lists target connections.
func (c *Client) ListTargetConnections(ctx context.Context, o ListOptions) ([]TargetConnection, error) {
	return list[TargetConnection](ctx, c, "targetConnections", o)
}

// CreateFlow creates a dataflow (looked up by name on an uncertain failure).
func (c *Client) CreateFlow(ctx context.Context, f Flow) (Created, error) {
	return c.create(ctx, "flows", f.Name, f)
}

// GetFlow reads one dataflow; its etag is the one a PATCH must send.
func (c *Client) GetFlow(ctx context.Context, id string) (Flow, error) {
	return one[Flow](ctx, c, FlowServicePath+"/flows/"+esc(id))
}

// ListFlows lists dataflows, following continuation tokens.
func (c *Client) ListFlows(ctx context.Context, o ListOptions) ([]Flow, error) {
	return list[Flow](ctx, c, "flows", o)
}

// PatchFlow applies JSON-Patch ops with If-Match: etag (the flow's current etag, quotes
// included). A stale etag fails with an *Error matching ErrVersionMismatch.
func (c *Client) PatchFlow(ctx context.Context, id, etag string, ops []PatchOp) (Created, error) {
	if etag == "" {
		return Created{}, fmt.Errorf("platform: PATCH flow %s: no etag for If-Match (read the flow first)", id)
	}
	resp, err := c.do(ctx, request{method: http.MethodPatch, path: FlowServicePath + "/flows/" + esc(id), body: ops,
		header: map[string]string{"If-Match": etag}, idempotent: true})
	if err != nil {
		return Created{}, err
	}
	var cr Created
	json.Unmarshal(resp.body, &cr)
	if cr.ID == "" {
		cr.ID = id
	}
	return cr, nil
}

// DeleteFlow deletes a dataflow.
func (c *Client) DeleteFlow(ctx context.Context, id string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: FlowServicePath + "/flows/" + esc(id), idempotent: true})
	return err
}

// Run is one flow run (for a streaming flow, an hourly window).
type Run struct {
	ID        string     `json:"id"`
	FlowID    string     `json:"flowId"`
	CreatedAt int64      `json:"createdAt"`
	UpdatedAt int64      `json:"updatedAt"`
	Metrics   RunMetrics `json:"metrics"`
	// Activities carry the failed-record links (statusSummary.extensions.manifest).
	Activities []RunActivity `json:"activities,omitempty"`
}

// RunMetrics are a run's summaries.
type RunMetrics struct {
	DurationSummary struct {
		StartedAtUTC   int64 `json:"startedAtUTC"`
		CompletedAtUTC int64 `json:"completedAtUTC,omitempty"`
	} `json:"durationSummary"`
	SizeSummary   SizeSummary   `json:"sizeSummary"`
	RecordSummary RecordSummary `json:"recordSummary"`
	StatusSummary StatusSummary `json:"statusSummary"`
}

// SizeSummary holds a run's byte counts.
type SizeSummary struct {
	InputBytes  int64 `json:"inputBytes"`
	OutputBytes int64 `json:"outputBytes"`
}

// RecordSummary holds AEP's record counts.
type RecordSummary struct {
	InputRecordCount  int64 `json:"inputRecordCount"`
	OutputRecordCount int64 `json:"outputRecordCount"`
	FailedRecordCount int64 `json:"failedRecordCount"`
}

// StatusSummary is a run's status and errors.
type StatusSummary struct {
	Status     string         `json:"status"`
	Errors     []RunError     `json:"errors,omitempty"`
	Extensions *RunExtensions `json:"extensions,omitempty"`
}

// RunError is one error code of a run.
type RunError struct {
	Code        string `json:"code"`
	Message     string `json:"message"`
	RecordCount int64  `json:"recordCount,omitempty"`
}

// RunActivity is one activity of a run.
type RunActivity struct {
	ID            string        `json:"id"`
	RecordSummary RecordSummary `json:"recordSummary"`
	StatusSummary StatusSummary `json:"statusSummary"`
}

// RunExtensions point at the failed records.
type RunExtensions struct {
	Manifest *struct {
		FailedRecords string `json:"failedRecords,omitempty"`
		SampleErrors  string `json:"sampleErrors,omitempty"`
	} `json:"manifest,omitempty"`
	Errors []RunError `json:"errors,omitempty"`
}

// ListRuns lists a flow's runs; extra filters (such as "createdAt>1700000000000") are ANDed.
func (c *Client) ListRuns(ctx context.Context, flowID string, extra ...string) ([]Run, error) {
	return list[Run](ctx, c, "runs", ListOptions{Property: append([]string{"flowId==" + flowID}, extra...), OrderBy: "-createdAt"})
}

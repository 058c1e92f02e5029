package dataflow

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ciosim/ciosim/aep/platform"
)

// Login is what `ciosim aep login` reports: who and where, never the token.
type Login struct {
	IMSOrgID     string    `json:"imsOrgId"`
	SandboxName  string    `json:"sandboxName"`
	TenantID     string    `json:"tenantId"`
	ClientID     string    `json:"clientId"`
	PlatformURL  string    `json:"platformUrl"`
	TokenExpires time.Time `json:"tokenExpires,omitzero"`
	TokenCached  bool      `json:"tokenCached"`
}

// CheckLogin gets a token and reads the tenant id, proving the credentials work end to end.
func CheckLogin(ctx context.Context, c *platform.Client) (Login, error) {
	tok, err := c.Token(ctx)
	if err != nil {
		return Login{}, err
	}
	st, err := c.Stats(ctx)
	if err != nil {
		return Login{}, err
	}
	cfg := c.Config()
	org := st.IMSOrg
	if org == "" {
		org = cfg.OrgID
	}
	return Login{IMSOrgID: org, SandboxName: c.Sandbox(), TenantID: st.TenantID, ClientID: cfg.ClientID,
		PlatformURL: c.PlatformURL(), TokenExpires: tok.Expires, TokenCached: tok.Cached}, nil
}

// SetupRequest says what `aep setup` should make.
type SetupRequest struct {
	Name      string // the flow's name; the other resources are named after it
	Mapping   []byte // AEP mapping-set JSON; its outputSchema is pointed at the schema
	SchemaID  string // an existing schema's $id
	Schema    []byte // a schema to create (reused by title when it exists)
	DatasetID string // an existing dataset
	DryRun    bool   // make no writes; report the calls that would be made
}

// Step is one thing setup did, reused or would do.
type Step struct {
	Action   string `json:"action"` // "created", "reused", "would create", "updated", "would update"
	Resource string `json:"resource"`
	ID       string `json:"id,omitempty"`
	Call     string `json:"call,omitempty"` // METHOD path
}

// SetupResult is setup's report.
type SetupResult struct {
	Steps    []Step   `json:"steps"`
	Dataflow Dataflow `json:"dataflow"`
	Mapping  []byte   `json:"-"`
	Schema   []byte   `json:"-"`
}

// Names of the resources setup makes for a flow called name.
func sourceName(name string) string  { return name + " source" }
func targetName(name string) string  { return name + " target" }
func datasetName(name string) string { return name + " dataset" }
func mappingName(name string) string { return name + " mapping" }

// Setup creates what is missing for a Customer.io streaming dataflow and reuses what exists
// by name, in AEP's order (reference §0): tenant → schema → dataset → source connection →
// target connection → mapping set → flow → the flow's inlet URL.
func Setup(ctx context.Context, c *platform.Client, req SetupRequest) (SetupResult, error) {
	var res SetupResult
	if req.Name == "" {
		return res, errors.New("dataflow: setup: a name is required")
	}
	if len(req.Mapping) == 0 {
		return res, errors.New("dataflow: setup: a mapping set is required")
	}
	step := func(action, resource, id, call string) {
		res.Steps = append(res.Steps, Step{Action: action, Resource: resource, ID: id, Call: call})
	}
	const pending = "(pending)"
	st, err := c.Stats(ctx)
	if err != nil {
		return res, err
	}
	df := Dataflow{Name: req.Name, IMSOrgID: c.Config().OrgID, SandboxName: c.Sandbox(), TenantID: st.TenantID, PlatformURL: c.PlatformURL()}

	// Schema.
	switch {
	case req.SchemaID != "":
		if res.Schema, err = c.GetSchema(ctx, req.SchemaID); err != nil {
			return res, err
		}
		df.SchemaRef = req.SchemaID
		step("reused", "schema", req.SchemaID, "GET "+platform.SchemaPath+"/tenant/schemas/{id}")
	case req.Schema != nil:
		var t struct {
			Title string `json:"title"`
		}
		if err := json.Unmarshal(req.Schema, &t); err != nil || t.Title == "" {
			return res, errors.New("dataflow: setup: the schema file needs a \"title\" (Schema Registry titles are unique)")
		}
		found, ok, err := c.FindSchema(ctx, t.Title)
		switch {
		case err != nil:
			return res, err
		case ok:
			df.SchemaRef = found.ID
			step("reused", "schema", found.ID, "")
		case req.DryRun:
			df.SchemaRef = pending
			step("would create", "schema", "", "POST "+platform.SchemaPath+"/tenant/schemas")
		default:
			info, err := c.CreateSchema(ctx, req.Schema)
			if err != nil {
				return res, err
			}
			df.SchemaRef = info.ID
			step("created", "schema", info.ID, "POST "+platform.SchemaPath+"/tenant/schemas")
		}
		if df.SchemaRef != pending {
			if res.Schema, err = c.GetSchema(ctx, df.SchemaRef); err != nil {
				return res, err
			}
		}
	case req.DatasetID == "":
		return res, errors.New("dataflow: setup: say which schema: --schema-id ID, --schema FILE, or --dataset-id ID of a dataset that has one")
	}

	// Dataset.
	if req.DatasetID != "" {
		ds, err := c.GetDataset(ctx, req.DatasetID)
		if err != nil {
			return res, err
		}
		if ds.SchemaRef == nil || ds.SchemaRef.ID == "" {
			return res, fmt.Errorf("dataflow: setup: dataset %s has no schemaRef", req.DatasetID)
		}
		if df.SchemaRef != "" && df.SchemaRef != ds.SchemaRef.ID {
			return res, fmt.Errorf("dataflow: setup: dataset %s uses schema %s, not %s", req.DatasetID, ds.SchemaRef.ID, df.SchemaRef)
		}
		if df.SchemaRef == "" {
			df.SchemaRef = ds.SchemaRef.ID
			if res.Schema, err = c.GetSchema(ctx, df.SchemaRef); err != nil {
				return res, err
			}
		}
		df.DatasetID = req.DatasetID
		step("reused", "dataset", req.DatasetID, "")
	} else {
		ds, ok, err := c.FindDataset(ctx, datasetName(req.Name))
		switch {
		case err != nil:
			return res, err
		case ok && ds.SchemaRef != nil && ds.SchemaRef.ID == df.SchemaRef:
			df.DatasetID = ds.ID
			step("reused", "dataset", ds.ID, "")
		case ok:
			return res, fmt.Errorf("dataflow: setup: dataset %q exists with another schema; pass --dataset-id or another --name", datasetName(req.Name))
		case req.DryRun:
			df.DatasetID = pending
			step("would create", "dataset", "", "POST "+platform.CatalogPath+"/dataSets")
		default:
			id, err := c.CreateDataset(ctx, platform.Dataset{Name: datasetName(req.Name), Description: "Customer.io events (made by ciosim aep setup)",
				SchemaRef: &platform.SchemaRef{ID: df.SchemaRef, ContentType: platform.XEDFullContentType}})
			if err != nil {
				return res, err
			}
			df.DatasetID = id
			step("created", "dataset", id, "POST "+platform.CatalogPath+"/dataSets")
		}
	}

	// Connections.
	srcs, err := c.ListSourceConnections(ctx, platform.ListOptions{Property: []string{"name==" + sourceName(req.Name)}})
	if err != nil {
		return res, err
	}
	if len(srcs) > 0 {
		df.SourceConnectionID = srcs[0].ID
		step("reused", "source connection", srcs[0].ID, "")
	} else if req.DryRun {
		df.SourceConnectionID = pending
		step("would create", "source connection", "", "POST "+platform.FlowServicePath+"/sourceConnections")
	} else {
		cr, err := c.CreateSourceConnection(ctx, platform.SourceConnection{Name: sourceName(req.Name), Description: "Customer.io Reporting Webhook (made by ciosim aep setup)",
			ProviderID: platform.StreamingProviderID, ConnectionSpec: platform.Ref{ID: platform.CustomerIOConnectionSpecID, Version: platform.SpecVersion},
			Data: json.RawMessage(`{"format":"json"}`)})
		if err != nil {
			return res, err
		}
		df.SourceConnectionID = cr.ID
		step("created", "source connection", cr.ID, "POST "+platform.FlowServicePath+"/sourceConnections")
	}
	tgts, err := c.ListTargetConnections(ctx, platform.ListOptions{Property: []string{"name==" + targetName(req.Name)}})
	if err != nil {
		return res, err
	}
	if len(tgts) > 0 && tgts[0].Params.DataSetID == df.DatasetID {
		df.TargetConnectionID = tgts[0].ID
		step("reused", "target connection", tgts[0].ID, "")
	} else if len(tgts) > 0 {
		return res, fmt.Errorf("dataflow: setup: target connection %q exists for dataset %s, not %s", targetName(req.Name), tgts[0].Params.DataSetID, df.DatasetID)
	} else if req.DryRun {
		df.TargetConnectionID = pending
		step("would create", "target connection", "", "POST "+platform.FlowServicePath+"/targetConnections")
	} else {
		cr, err := c.CreateTargetConnection(ctx, platform.TargetConnection{Name: targetName(req.Name),
			ConnectionSpec: platform.Ref{ID: platform.DataLakeConnectionSpecID, Version: platform.SpecVersion},
			Data:           platform.TargetData{Format: "json", Schema: &platform.Ref{ID: df.SchemaRef, Version: platform.XEDFullContentType}},
			Params:         platform.TargetParams{DataSetID: df.DatasetID}})
		if err != nil {
			return res, err
		}
		df.TargetConnectionID = cr.ID
		step("created", "target connection", cr.ID, "POST "+platform.FlowServicePath+"/targetConnections")
	}

	// Mapping set (pointed at the schema) and flow: an existing flow keeps its mapping.
	mapping, err := withOutputSchema(req.Mapping, df.SchemaRef, mappingName(req.Name))
	if err != nil {
		return res, err
	}
	flows, err := c.ListFlows(ctx, platform.ListOptions{Property: []string{"name==" + req.Name}})
	if err != nil {
		return res, err
	}
	if len(flows) > 0 {
		df.FlowID = flows[0].ID
		step("reused", "flow", df.FlowID, "")
		if mp, ok := flows[0].Mapping(); ok {
			df.MappingID, df.MappingVersion = mp.MappingID, int(mp.MappingVersion)
			step("reused", "mapping set", fmt.Sprintf("%s (version %d)", mp.MappingID, mp.MappingVersion), "")
		}
	} else if req.DryRun {
		step("would create", "mapping set", "", "POST "+platform.DataPrepPath+"/mappingSets")
		step("would create", "flow", "", "POST "+platform.FlowServicePath+"/flows")
		res.Dataflow, res.Mapping = df, mapping
		return res, nil
	} else {
		ms, err := c.CreateMappingSet(ctx, mapping)
		if err != nil {
			return res, err
		}
		df.MappingID, df.MappingVersion = ms.ID, ms.Version
		step("created", "mapping set", ms.ID, "POST "+platform.DataPrepPath+"/mappingSets")
		cr, err := c.CreateFlow(ctx, platform.Flow{Name: req.Name, Description: "Customer.io → AEP (made by ciosim aep setup)",
			FlowSpec:            platform.Ref{ID: platform.StreamingFlowSpecID, Version: platform.SpecVersion},
			SourceConnectionIDs: []string{df.SourceConnectionID}, TargetConnectionIDs: []string{df.TargetConnectionID},
			Transformations: []platform.Transformation{{Name: platform.MappingTransformation,
				Params: platform.TransformationParams{MappingID: ms.ID, MappingVersion: platform.MappingVersion(ms.Version)}}}})
		if err != nil {
			return res, err
		}
		df.FlowID = cr.ID
		step("created", "flow", cr.ID, "POST "+platform.FlowServicePath+"/flows")
	}
	pulled, err := Pull(ctx, c, df.FlowID)
	if err != nil {
		return res, err
	}
	pulled.Dataflow.TenantID = df.TenantID
	res.Dataflow, res.Mapping, res.Schema = pulled.Dataflow, pulled.Mapping, pulled.Schema
	return res, nil
}

// withOutputSchema sets the mapping set's outputSchema to the schema and its name, so Data
// Prep and the flow agree on the schema (AEP refuses a flow otherwise, FLOW-1425-400).
func withOutputSchema(mapping []byte, schemaID, name string) ([]byte, error) {
	var set map[string]any
	if err := json.Unmarshal(mapping, &set); err != nil {
		return nil, fmt.Errorf("dataflow: mapping set: %w", err)
	}
	if _, ok := set["mappings"].([]any); !ok {
		return nil, errors.New(`dataflow: mapping set: no "mappings" array`)
	}
	set["outputSchema"] = map[string]any{"schemaRef": map[string]any{"id": schemaID, "contentType": platform.XEDFullContentType}}
	delete(set, "xdmSchema")
	delete(set, "xdmVersion")
	if _, ok := set["name"]; !ok && name != "" {
		set["name"] = name
	}
	return pretty(set)
}

// Pull reads a flow, its mapping set (the pinned version) and its schema.
func Pull(ctx context.Context, c *platform.Client, flowID string) (Dir, error) {
	var d Dir
	fl, err := c.GetFlow(ctx, flowID)
	if err != nil {
		return d, err
	}
	df := Dataflow{FlowID: fl.ID, Name: fl.Name, State: fl.State, InletURL: fl.InletURL(), WebhookURL: fl.WebhookURL(),
		ETag: fl.ETag, IMSOrgID: fl.IMSOrgID, SandboxName: fl.SandboxName, PlatformURL: c.PlatformURL()}
	if df.SandboxName == "" {
		df.SandboxName = c.Sandbox()
	}
	if len(fl.SourceConnectionIDs) > 0 {
		df.SourceConnectionID = fl.SourceConnectionIDs[0]
	}
	if len(fl.TargetConnectionIDs) > 0 {
		df.TargetConnectionID = fl.TargetConnectionIDs[0]
		tc, err := c.GetTargetConnection(ctx, df.TargetConnectionID)
		if err != nil {
			return d, err
		}
		df.DatasetID = tc.Params.DataSetID
		if tc.Data.Schema != nil {
			df.SchemaRef = tc.Data.Schema.ID
		}
	}
	if df.DatasetID != "" {
		ds, err := c.GetDataset(ctx, df.DatasetID)
		if err != nil {
			return d, err
		}
		if ds.SchemaRef != nil && ds.SchemaRef.ID != "" {
			df.SchemaRef = ds.SchemaRef.ID
		}
	}
	mp, ok := fl.Mapping()
	if !ok {
		return d, fmt.Errorf("dataflow: flow %s has no %q transformation", flowID, platform.MappingTransformation)
	}
	df.MappingID, df.MappingVersion = mp.MappingID, int(mp.MappingVersion)
	ms, err := c.GetMappingSet(ctx, mp.MappingID, int(mp.MappingVersion))
	if err != nil {
		return d, err
	}
	if d.Mapping, err = NormalizeMapping(ms.JSON); err != nil {
		return d, err
	}
	if df.SchemaRef != "" {
		raw, err := c.GetSchema(ctx, df.SchemaRef)
		if err != nil {
			return d, err
		}
		var v any
		if json.Unmarshal(raw, &v) == nil {
			raw, _ = pretty(v)
		}
		d.Schema = raw
	}
	d.Dataflow = df
	return d, nil
}

// PushResult is what push did.
type PushResult struct {
	FlowID      string `json:"flowId"`
	MappingID   string `json:"mappingId"`
	FromVersion int    `json:"fromVersion"`
	ToVersion   int    `json:"toVersion"`
	ETag        string `json:"etag"`
	Unchanged   bool   `json:"unchanged"`
}

// Push uploads the directory's mapping as a new version of the flow's mapping set and
// points the flow at it with a PATCH carrying If-Match (the etag read just before), then
// records the new version in dataflow.json. An unchanged mapping is not pushed.
func Push(ctx context.Context, c *platform.Client, d Dir) (PushResult, error) {
	res := PushResult{FlowID: d.Dataflow.FlowID}
	fl, err := c.GetFlow(ctx, d.Dataflow.FlowID)
	if err != nil {
		return res, err
	}
	mp, ok := fl.Mapping()
	if !ok {
		return res, fmt.Errorf("dataflow: flow %s has no %q transformation", fl.ID, platform.MappingTransformation)
	}
	res.MappingID, res.FromVersion, res.ToVersion, res.ETag = mp.MappingID, int(mp.MappingVersion), int(mp.MappingVersion), fl.ETag
	diff, err := diffAgainst(ctx, c, d, mp)
	if err != nil {
		return res, err
	}
	if diff.Same {
		res.Unchanged = true
		return res, nil
	}
	body, err := withOutputSchema(d.Mapping, outputSchemaOf(d), "")
	if err != nil {
		return res, err
	}
	info, err := c.UpdateMappingSet(ctx, mp.MappingID, body)
	if err != nil {
		return res, err
	}
	cr, err := c.PatchFlow(ctx, fl.ID, fl.ETag, []platform.PatchOp{{Op: "replace", Path: "/transformations/0",
		Value: platform.Transformation{Name: platform.MappingTransformation, Params: platform.TransformationParams{MappingID: mp.MappingID, MappingVersion: platform.MappingVersion(info.Version)}}}})
	if err != nil {
		return res, err
	}
	res.ToVersion, res.ETag = info.Version, cr.ETag
	d.Dataflow.MappingVersion, d.Dataflow.ETag = info.Version, cr.ETag
	if d.Mapping, err = NormalizeMapping(body); err != nil {
		return res, err
	}
	return res, WriteDir(d)
}

// outputSchemaOf is the schema the local mapping must name: dataflow.json's schemaRef, or
// the one the mapping already names.
func outputSchemaOf(d Dir) string {
	if d.Dataflow.SchemaRef != "" {
		return d.Dataflow.SchemaRef
	}
	var set struct {
		OutputSchema struct {
			SchemaRef struct {
				ID string `json:"id"`
			} `json:"schemaRef"`
		} `json:"outputSchema"`
	}
	json.Unmarshal(d.Mapping, &set)
	return set.OutputSchema.SchemaRef.ID
}

// DiffResult compares the local mapping with the deployed one.
type DiffResult struct {
	FlowID          string   `json:"flowId"`
	MappingID       string   `json:"mappingId"`
	DeployedVersion int      `json:"deployedVersion"`
	Same            bool     `json:"same"`
	Lines           []string `json:"diff,omitempty"` // "-deployed", "+local", " common"
}

// Diff compares the directory's mapping.json with the mapping-set version the flow uses
// now, both normalised (server fields dropped, keys sorted).
func Diff(ctx context.Context, c *platform.Client, d Dir) (DiffResult, error) {
	fl, err := c.GetFlow(ctx, d.Dataflow.FlowID)
	if err != nil {
		return DiffResult{}, err
	}
	mp, ok := fl.Mapping()
	if !ok {
		return DiffResult{}, fmt.Errorf("dataflow: flow %s has no %q transformation", fl.ID, platform.MappingTransformation)
	}
	r, err := diffAgainst(ctx, c, d, mp)
	r.FlowID = fl.ID
	return r, err
}

func diffAgainst(ctx context.Context, c *platform.Client, d Dir, mp platform.TransformationParams) (DiffResult, error) {
	r := DiffResult{FlowID: d.Dataflow.FlowID, MappingID: mp.MappingID, DeployedVersion: int(mp.MappingVersion)}
	ms, err := c.GetMappingSet(ctx, mp.MappingID, int(mp.MappingVersion))
	if err != nil {
		return r, err
	}
	deployed, err := NormalizeMapping(ms.JSON)
	if err != nil {
		return r, err
	}
	local, err := NormalizeMapping(d.Mapping)
	if err != nil {
		return r, fmt.Errorf("dataflow: %s: %w", d.MappingPath(), err)
	}
	r.Lines = LineDiff(string(deployed), string(local))
	r.Same = string(deployed) == string(local)
	if r.Same {
		r.Lines = nil
	}
	return r, nil
}

// LineDiff is a minimal line diff of a → b (longest common subsequence): lines only in a
// start with "-", only in b with "+", common ones with " ".
func LineDiff(a, b string) []string {
	x, y := strings.Split(strings.TrimSuffix(a, "\n"), "\n"), strings.Split(strings.TrimSuffix(b, "\n"), "\n")
	if len(x)*len(y) > 4_000_000 { // too big for the table: show both whole
		var out []string
		for _, l := range x {
			out = append(out, "-"+l)
		}
		for _, l := range y {
			out = append(out, "+"+l)
		}
		return out
	}
	lcs := make([][]int, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			out = append(out, " "+x[i])
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, "-"+x[i])
			i++
		default:
			out = append(out, "+"+y[j])
			j++
		}
	}
	for ; i < len(x); i++ {
		out = append(out, "-"+x[i])
	}
	for ; j < len(y); j++ {
		out = append(out, "+"+y[j])
	}
	return out
}

// FlowSummary is one line of `aep flows`.
type FlowSummary struct {
	FlowID         string `json:"flowId"`
	Name           string `json:"name"`
	State          string `json:"state"`
	InletURL       string `json:"inletUrl"`
	MappingID      string `json:"mappingId"`
	MappingVersion int    `json:"mappingVersion"`
}

// ListFlows lists the sandbox's Customer.io dataflows: streaming flows whose source
// connection uses the Customer.io connection spec.
func ListFlows(ctx context.Context, c *platform.Client) ([]FlowSummary, error) {
	flows, err := c.ListFlows(ctx, platform.ListOptions{Property: []string{"flowSpec.id==" + platform.StreamingFlowSpecID}, OrderBy: "name"})
	if err != nil {
		return nil, err
	}
	isCIO := map[string]bool{}
	out := []FlowSummary{}
	for _, f := range flows {
		if len(f.SourceConnectionIDs) == 0 {
			continue
		}
		sid := f.SourceConnectionIDs[0]
		ok, seen := isCIO[sid]
		if !seen {
			sc, err := c.GetSourceConnection(ctx, sid)
			if err != nil && !errors.Is(err, platform.ErrNotFound) {
				return nil, err
			}
			ok = err == nil && sc.ConnectionSpec.ID == platform.CustomerIOConnectionSpecID
			isCIO[sid] = ok
		}
		if !ok {
			continue
		}
		mp, _ := f.Mapping()
		out = append(out, FlowSummary{FlowID: f.ID, Name: f.Name, State: f.State, InletURL: f.InletURL(), MappingID: mp.MappingID, MappingVersion: int(mp.MappingVersion)})
	}
	return out, nil
}

// Failure is a failed record with AEP's reasons.
type Failure struct {
	RunID   string          `json:"runId"`
	Reasons []string        `json:"reasons"`
	Record  json.RawMessage `json:"record"`
}

// Status is `aep status`: the flow, its runs since a time, and recent failures.
type Status struct {
	FlowID         string                 `json:"flowId"`
	Name           string                 `json:"name"`
	State          string                 `json:"state"`
	MappingID      string                 `json:"mappingId"`
	MappingVersion int                    `json:"mappingVersion"`
	Since          time.Time              `json:"since"`
	Totals         platform.RecordSummary `json:"totals"`
	Runs           []platform.Run         `json:"runs"`
	Failures       []Failure              `json:"failures"`
}

// MaxFailures is how many failed records status fetches.
const MaxFailures = 10

// FlowStatus reads a flow's state, its runs created since since, and up to MaxFailures
// recent failed records with their reasons.
func FlowStatus(ctx context.Context, c *platform.Client, flowID string, since time.Time) (Status, error) {
	fl, err := c.GetFlow(ctx, flowID)
	if err != nil {
		return Status{}, err
	}
	mp, _ := fl.Mapping()
	st := Status{FlowID: fl.ID, Name: fl.Name, State: fl.State, MappingID: mp.MappingID, MappingVersion: int(mp.MappingVersion), Since: since.UTC(), Runs: []platform.Run{}, Failures: []Failure{}}
	// A run is an hourly window: one that started in the hour holding since still counts.
	from := since.Truncate(time.Hour).UnixMilli()
	runs, err := c.ListRuns(ctx, flowID, "createdAt>="+strconv.FormatInt(from, 10))
	if err != nil {
		return st, err
	}
	st.Runs = runs
	for _, r := range runs {
		rs := r.Metrics.RecordSummary
		st.Totals.InputRecordCount += rs.InputRecordCount
		st.Totals.OutputRecordCount += rs.OutputRecordCount
		st.Totals.FailedRecordCount += rs.FailedRecordCount
		if rs.FailedRecordCount == 0 || len(st.Failures) >= MaxFailures {
			continue
		}
		for _, a := range r.Activities {
			ext := a.StatusSummary.Extensions
			if ext == nil || ext.Manifest == nil || ext.Manifest.FailedRecords == "" {
				continue
			}
			batch := batchID(ext.Manifest.FailedRecords)
			recs, err := c.FailedRecords(ctx, batch, MaxFailures-len(st.Failures))
			if err != nil {
				var pe *platform.Error
				if errors.As(err, &pe) && (pe.Status == http.StatusNotFound || pe.Status == http.StatusForbidden) {
					continue // diagnostics off or expired: the counts still stand
				}
				return st, err
			}
			for _, rec := range recs {
				var v struct {
					Errors []struct {
						Message string `json:"message"`
						Pointer string `json:"pointerToViolation"`
					} `json:"_validationErrors"`
				}
				json.Unmarshal(rec, &v)
				f := Failure{RunID: r.ID, Record: rec}
				for _, e := range v.Errors {
					// everit's getMessage form, "#/path: message", as sync validation words it
					if e.Pointer != "" && !strings.HasPrefix(e.Message, e.Pointer+": ") {
						e.Message = e.Pointer + ": " + e.Message
					}
					f.Reasons = append(f.Reasons, e.Message)
				}
				st.Failures = append(st.Failures, f)
			}
		}
	}
	return st, nil
}

// batchID takes the batch id from a failed-records link such as
// ".../export/batches/{BATCH}/failed" or ".../batches/{BATCH}/meta?path=row_errors".
func batchID(link string) string {
	i := strings.Index(link, "/batches/")
	if i < 0 {
		return ""
	}
	rest := link[i+len("/batches/"):]
	if j := strings.IndexAny(rest, "/?"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

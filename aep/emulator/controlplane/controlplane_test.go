package controlplane_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/aep/emulator/controlplane"
	"github.com/ciosim/ciosim/aep/platform"
	"github.com/ciosim/ciosim/internal/httpserve"
	"github.com/ciosim/ciosim/secret"
)

const org = "ACME0000000000000000@AdobeOrg"

// fakeCompile rejects bodies containing the mapping's "reject" word, so tests can tell which
// mapping-set version judged a record.
func fakeCompile(mapping, schema []byte) (emulator.Mapper, emulator.Validator, error) {
	var ms struct {
		Reject string `json:"reject"`
	}
	json.Unmarshal(mapping, &ms)
	if bytes.Contains(mapping, []byte("uncompilable")) {
		return nil, nil, errors.New("unknown function uncompilable()")
	}
	return emulator.MapperFunc(func(body []byte) ([]byte, []string, error) {
		if ms.Reject != "" && bytes.Contains(body, []byte(ms.Reject)) {
			return []byte(`{"_id":"x"}`), []string{"#/timestamp: required key [timestamp] not found"}, nil
		}
		return []byte(`{"_id":"ok"}`), nil, nil
	}), nil, nil
}

type env struct {
	run *controlplane.Running
	cp  *controlplane.Server
	cli *platform.Client
}

func start(t *testing.T, state string) env {
	t.Helper()
	cp, err := controlplane.New(controlplane.Options{Compile: fakeCompile, StateFile: state, TenantID: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	dcs, err := emulator.New(emulator.Options{Flows: cp})
	if err != nil {
		t.Fatal(err)
	}
	run, err := controlplane.Start("127.0.0.1:0", httpserve.Config{}, dcs, cp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	cli, err := platform.New(platform.Config{ClientID: "cid", ClientSecret: secret.New("sec"), OrgID: org, Sandbox: "dev",
		PlatformURL: run.URL, IMSURL: run.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return env{run: run, cp: cp, cli: cli}
}

type built struct {
	schemaID, datasetID, srcID, tgtID, mappingID, flowID string
}

func setup(t *testing.T, e env, mapping string) built {
	t.Helper()
	ctx := context.Background()
	var b built
	sc, err := e.cli.CreateSchema(ctx, []byte(`{"title":"cio events","type":"object"}`))
	if err != nil || !strings.HasPrefix(sc.ID, "https://ns.adobe.com/acme/schemas/") {
		t.Fatalf("CreateSchema = %+v, %v", sc, err)
	}
	b.schemaID = sc.ID
	if b.datasetID, err = e.cli.CreateDataset(ctx, platform.Dataset{Name: "cio", SchemaRef: &platform.SchemaRef{ID: sc.ID, ContentType: platform.XEDFullContentType}}); err != nil {
		t.Fatal(err)
	}
	src, err := e.cli.CreateSourceConnection(ctx, platform.SourceConnection{Name: "src", ProviderID: platform.StreamingProviderID,
		ConnectionSpec: platform.Ref{ID: platform.CustomerIOConnectionSpecID, Version: "1.0"}, Data: json.RawMessage(`{"format":"json"}`)})
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := e.cli.CreateTargetConnection(ctx, platform.TargetConnection{Name: "tgt", ConnectionSpec: platform.Ref{ID: platform.DataLakeConnectionSpecID, Version: "1.0"},
		Data: platform.TargetData{Format: "json", Schema: &platform.Ref{ID: sc.ID, Version: platform.XEDFullContentType}}, Params: platform.TargetParams{DataSetID: b.datasetID}})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := e.cli.CreateMappingSet(ctx, []byte(mapping))
	if err != nil || ms.Version != 0 {
		t.Fatalf("CreateMappingSet = %+v, %v", ms, err)
	}
	fl, err := e.cli.CreateFlow(ctx, platform.Flow{Name: "flow", FlowSpec: platform.Ref{ID: platform.StreamingFlowSpecID, Version: "1.0"},
		SourceConnectionIDs: []string{src.ID}, TargetConnectionIDs: []string{tgt.ID},
		Transformations: []platform.Transformation{{Name: "Mapping", Params: platform.TransformationParams{MappingID: ms.ID}}}})
	if err != nil || fl.ETag == "" {
		t.Fatalf("CreateFlow = %+v, %v", fl, err)
	}
	b.srcID, b.tgtID, b.mappingID, b.flowID = src.ID, tgt.ID, ms.ID, fl.ID
	return b
}

func postRaw(t *testing.T, url, body string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s = %d", url, resp.StatusCode)
	}
}

func TestDataflow_routesItsInletAndCountsRuns(t *testing.T) {
	e := start(t, "")
	ctx := context.Background()
	b := setup(t, e, `{"reject":"v0bad","mappings":[{"sourceType":"ATTRIBUTE","source":"event_id","destination":"_id"}]}`)
	fl, err := e.cli.GetFlow(ctx, b.flowID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(fl.InletURL(), e.run.URL+"/collection/") || len(strings.TrimPrefix(fl.InletURL(), e.run.URL+"/collection/")) != 64 || fl.State != "enabled" {
		t.Fatalf("flow = %+v", fl)
	}
	postRaw(t, fl.WebhookURL(), `{"event_id":"1","x":"fine"}`)
	postRaw(t, fl.WebhookURL(), `{"event_id":"2","x":"v0bad"}`)

	// A new mapping version, pointed at with If-Match, judges new records at once.
	if _, err := e.cli.UpdateMappingSet(ctx, b.mappingID, []byte(`{"reject":"v1bad","mappings":[{"sourceType":"ATTRIBUTE","source":"event_id","destination":"_id"}]}`)); err != nil {
		t.Fatal(err)
	}
	ops := []platform.PatchOp{{Op: "replace", Path: "/transformations/0", Value: platform.Transformation{Name: "Mapping", Params: platform.TransformationParams{MappingID: b.mappingID, MappingVersion: 1}}}}
	if _, err := e.cli.PatchFlow(ctx, b.flowID, fl.ETag, ops); err != nil {
		t.Fatal(err)
	}
	postRaw(t, fl.WebhookURL(), `{"event_id":"3","x":"v0bad"}`)
	postRaw(t, fl.WebhookURL(), `{"event_id":"4","x":"v1bad"}`)

	runs, err := e.cli.ListRuns(ctx, b.flowID)
	if err != nil || len(runs) != 1 {
		t.Fatalf("ListRuns = %+v, %v", runs, err)
	}
	rs := runs[0].Metrics.RecordSummary
	if rs.InputRecordCount != 4 || rs.OutputRecordCount != 2 || rs.FailedRecordCount != 2 {
		t.Errorf("recordSummary = %+v, want 4 in, 2 out, 2 failed", rs)
	}
	if errs := runs[0].Metrics.StatusSummary.Errors; len(errs) != 1 || errs[0].RecordCount != 2 || !strings.Contains(errs[0].Message, "required key [timestamp]") {
		t.Errorf("errors = %+v", errs)
	}
	batch := strings.TrimSuffix(strings.TrimPrefix(runs[0].Activities[0].StatusSummary.Extensions.Manifest.FailedRecords, e.run.URL+platform.ExportPath+"/batches/"), "/failed")
	failed, err := e.cli.FailedRecords(ctx, batch, 10)
	if err != nil || len(failed) != 2 || !strings.Contains(string(failed[0]), `"_validationErrors"`) {
		t.Errorf("FailedRecords(%s) = %s, %v", batch, failed, err)
	}
	// An unknown flow id keeps the DCS default.
	if _, ok := e.cp.Flow("nope"); ok {
		t.Error("Flow(nope) found a flow")
	}
}

func TestFlows_etagRules(t *testing.T) {
	e := start(t, "")
	b := setup(t, e, `{"mappings":[{"sourceType":"ATTRIBUTE","source":"a","destination":"_id"}]}`)
	tok, _ := e.cli.Token(context.Background())
	patch := func(ifMatch, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPatch, e.run.URL+platform.FlowServicePath+"/flows/"+b.flowID, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.Value.Reveal())
		req.Header.Set("x-api-key", "cid")
		req.Header.Set("x-gw-ims-org-id", org)
		req.Header.Set("x-sandbox-name", "dev")
		req.Header.Set("Content-Type", "application/json")
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		rb, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(rb)
	}
	ops := `[{"op":"REPLACE","path":"/name","value":"renamed"}]`
	if code, body := patch("", ops); code != 400 || !strings.Contains(body, "FLOW-1403-400") {
		t.Errorf("PATCH without If-Match = %d %s", code, body)
	}
	if code, body := patch(`"stale"`, ops); code != 412 || !strings.Contains(body, "FLOW-1404-412") {
		t.Errorf("PATCH with a stale etag = %d %s", code, body)
	}
	fl, _ := e.cli.GetFlow(context.Background(), b.flowID)
	if code, body := patch(fl.ETag, `[{"op":"move","from":"/name","path":"/description"}]`); code != 400 || !strings.Contains(body, "FLOW-1434-400") {
		t.Errorf("PATCH move = %d %s", code, body)
	}
	if code, body := patch(fl.ETag, `[{"op":"replace","path":"/transformations/0/params/mappingVersion","value":7}]`); code != 400 || !strings.Contains(body, "FLOW-1412-400") {
		t.Errorf("PATCH to a missing mapping version = %d %s", code, body)
	}
	if code, body := patch(fl.ETag, ops); code != 200 || strings.Contains(body, fl.ETag) {
		t.Errorf("PATCH with the current etag = %d %s", code, body)
	}
	after, _ := e.cli.GetFlow(context.Background(), b.flowID)
	if after.Name != "renamed" || after.ETag == fl.ETag {
		t.Errorf("after PATCH: %+v", after)
	}
	// The client's own PATCH with the old etag is a typed version mismatch.
	_, err := e.cli.PatchFlow(context.Background(), b.flowID, fl.ETag, []platform.PatchOp{{Op: "replace", Path: "/name", Value: "x"}})
	if !errors.Is(err, platform.ErrVersionMismatch) {
		t.Errorf("client PATCH with a stale etag: %v", err)
	}
}

func TestGateway_headersAndErrors(t *testing.T) {
	e := start(t, "")
	tok, err := e.cli.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	full := map[string]string{"Authorization": "Bearer " + tok.Value.Reveal(), "x-api-key": "cid", "x-gw-ims-org-id": org, "x-sandbox-name": "dev"}
	tests := []struct {
		name, drop, set, val string
		status               int
		want                 string
	}{
		{"no token", "Authorization", "", "", 403, "403010"},
		{"bad token", "", "Authorization", "Bearer nope", 401, "401013"},
		{"no api key", "x-api-key", "", "", 403, "403000"},
		{"wrong api key", "", "x-api-key", "other", 403, "403003"},
		{"no org", "x-gw-ims-org-id", "", "", 400, "400003"},
		{"no sandbox", "x-sandbox-name", "", "", 400, "FLOW-2105-400"},
		{"bad sandbox", "", "x-sandbox-name", "Not Valid", 404, "FLOW-2100-404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", e.run.URL+platform.FlowServicePath+"/flows", nil)
			for k, v := range full {
				if k != tt.drop {
					req.Header.Set(k, v)
				}
			}
			if tt.set != "" {
				req.Header.Set(tt.set, tt.val)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.want) {
				t.Errorf("= %d %s, want %d %s", resp.StatusCode, b, tt.status, tt.want)
			}
		})
	}
	// POST without a JSON content type.
	req, _ := http.NewRequest("POST", e.run.URL+platform.CatalogPath+"/dataSets", strings.NewReader(`{"name":"x"}`))
	for k, v := range full {
		req.Header.Set(k, v)
	}
	resp, _ := http.DefaultClient.Do(req)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "A valid content-type must be specified") {
		t.Errorf("POST without Content-Type = %d %s", resp.StatusCode, b)
	}
	// IMS refuses other grants and, when configured, other secrets.
	cp, _ := controlplane.New(controlplane.Options{ClientID: "cid", ClientSecret: secret.New("right")})
	dcs, _ := emulator.New(emulator.Options{})
	run2, _ := controlplane.Start("127.0.0.1:0", httpserve.Config{}, dcs, cp)
	defer run2.Close()
	cli, _ := platform.New(platform.Config{ClientID: "cid", ClientSecret: secret.New("wrong"), OrgID: org, PlatformURL: run2.URL, IMSURL: run2.URL, Retries: -1})
	_, err = cli.Token(context.Background())
	var ie *platform.IMSError
	if !errors.As(err, &ie) || ie.Code != "invalid_client" {
		t.Errorf("wrong secret: %v", err)
	}
}

func TestState_persistsAcrossRestarts(t *testing.T) {
	state := filepath.Join(t.TempDir(), "state.json")
	e := start(t, state)
	b := setup(t, e, `{"reject":"bad","mappings":[{"sourceType":"ATTRIBUTE","source":"a","destination":"_id"}]}`)
	fl, _ := e.cli.GetFlow(context.Background(), b.flowID)
	postRaw(t, fl.WebhookURL(), `{"x":"bad"}`)
	e.run.Close()

	e2 := start(t, state)
	// The cached token died with the first emulator; the client must not depend on it.
	got, err := e2.cli.GetFlow(context.Background(), b.flowID)
	if err != nil || got.ETag != fl.ETag || !strings.HasPrefix(got.InletURL(), e2.run.URL) {
		t.Fatalf("flow after restart = %+v, %v", got, err)
	}
	runs, err := e2.cli.ListRuns(context.Background(), b.flowID)
	if err != nil || len(runs) != 1 || runs[0].Metrics.RecordSummary.FailedRecordCount != 1 {
		t.Errorf("runs after restart = %+v, %v", runs, err)
	}
	ms, err := e2.cli.GetMappingSet(context.Background(), b.mappingID, -1)
	if err != nil || ms.Version != 0 {
		t.Errorf("mapping set after restart = %+v, %v", ms, err)
	}
}

func TestListing_pagesAndFilters(t *testing.T) {
	e := start(t, "")
	ctx := context.Background()
	for _, n := range []string{"a", "b", "c"} {
		if _, err := e.cli.CreateSourceConnection(ctx, platform.SourceConnection{Name: n, ConnectionSpec: platform.Ref{ID: platform.CustomerIOConnectionSpecID, Version: "1.0"}, Data: json.RawMessage(`{"format":"json"}`)}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct createdAt
	}
	all, err := e.cli.ListSourceConnections(ctx, platform.ListOptions{Limit: 1, OrderBy: "-createdAt"})
	if err != nil || len(all) != 3 || all[0].Name != "c" || all[2].Name != "a" {
		t.Errorf("paged list = %+v, %v", all, err)
	}
	one, err := e.cli.ListSourceConnections(ctx, platform.ListOptions{Property: []string{"name==b"}})
	if err != nil || len(one) != 1 || one[0].Name != "b" {
		t.Errorf("filtered list = %+v, %v", one, err)
	}
	// A create's name lookup finds an existing resource.
	if _, err := e.cli.CreateMappingSet(ctx, []byte(`{"mappings":[{"source":"x","destination":"y"}],"uncompilable":1}`)); err == nil {
		t.Error("an uncompilable mapping set was accepted")
	}
}

func TestFlows_deleteAndConnections(t *testing.T) {
	e := start(t, "")
	ctx := context.Background()
	b := setup(t, e, `{"mappings":[{"sourceType":"ATTRIBUTE","source":"a","destination":"_id"}]}`)
	sc, err := e.cli.GetSourceConnection(ctx, b.srcID)
	if err != nil || sc.ConnectionSpec.ID != platform.CustomerIOConnectionSpecID || sc.Name != "src" {
		t.Errorf("GetSourceConnection = %+v, %v", sc, err)
	}
	tc, err := e.cli.GetTargetConnection(ctx, b.tgtID)
	if err != nil || tc.Params.DataSetID != b.datasetID || tc.Data.Schema.ID != b.schemaID {
		t.Errorf("GetTargetConnection = %+v, %v", tc, err)
	}
	ds, err := e.cli.GetDataset(ctx, b.datasetID)
	if err != nil || ds.SchemaRef.ID != b.schemaID {
		t.Errorf("GetDataset = %+v, %v", ds, err)
	}
	// A connection used by a flow cannot be deleted; the flow can, then it is gone.
	tok, _ := e.cli.Token(ctx)
	req, _ := http.NewRequest(http.MethodDelete, e.run.URL+platform.FlowServicePath+"/sourceConnections/"+b.srcID, nil)
	for k, v := range map[string]string{"Authorization": "Bearer " + tok.Value.Reveal(), "x-api-key": "cid", "x-gw-ims-org-id": org, "x-sandbox-name": "dev"} {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "FLOW-1447-400") {
		t.Errorf("DELETE a used connection = %d %s", resp.StatusCode, body)
	}
	if err := e.cli.DeleteFlow(ctx, b.flowID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.cli.GetFlow(ctx, b.flowID); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("GetFlow after delete = %v", err)
	}
	if err := e.cli.DeleteFlow(ctx, b.flowID); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("second DeleteFlow = %v", err)
	}
	// Another sandbox sees nothing of this one.
	other, _ := platform.New(platform.Config{ClientID: "cid", ClientSecret: secret.New("sec"), OrgID: org, Sandbox: "prod", PlatformURL: e.run.URL, IMSURL: e.run.URL, Retries: -1})
	if _, err := other.GetSourceConnection(ctx, b.srcID); !errors.Is(err, platform.ErrNotFound) {
		t.Errorf("source connection visible from another sandbox: %v", err)
	}
}

// TestSchemaRegistry_unknownSchemaRefused: once the sandbox's Schema Registry holds a schema,
// an XDM post naming a schema it does not hold is refused as DCS refuses it (S3), and one
// naming the dataset's schema is accepted.
func TestSchemaRegistry_unknownSchemaRefused(t *testing.T) {
	e := start(t, "")
	if e.cp.HasSchemas() {
		t.Fatal("a fresh control plane knows schemas")
	}
	b := setup(t, e, `{"mappings":[{"sourceType":"ATTRIBUTE","source":"event_id","destination":"_id"}]}`)
	if !e.cp.HasSchemas() || !e.cp.SchemaExists(b.schemaID) || e.cp.SchemaExists("https://ns.adobe.com/acme/schemas/nope") {
		t.Fatalf("HasSchemas/SchemaExists do not reflect the registry (schema %s)", b.schemaID)
	}
	fl, err := e.cli.GetFlow(context.Background(), b.flowID)
	if err != nil {
		t.Fatal(err)
	}
	msg := func(ref string) string {
		sr := `{"id":"` + ref + `","contentType":"application/vnd.adobe.xed-full+json;version=1"}`
		return `{"header":{"schemaRef":` + sr + `,"datasetId":"` + b.datasetID + `"},"body":{"xdmMeta":{"schemaRef":` + sr + `},"xdmEntity":{"_id":"1"}}}`
	}
	for ref, want := range map[string]int{b.schemaID: 200, "https://ns.adobe.com/acme/schemas/nope": 400} {
		resp, err := http.Post(fl.InletURL(), "application/json", strings.NewReader(msg(ref)))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want || want == 400 && !strings.Contains(string(body), "Message has unknown xdm format") {
			t.Errorf("%s: %d %s, want %d", ref, resp.StatusCode, body, want)
		}
	}
}

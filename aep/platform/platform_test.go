package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ciosim/ciosim/secret"
)

const (
	testSecret = "s3cr3t-client-secret-value"
	testToken  = "eyJtest-access-token-value"
	testOrg    = "ACME0000000000000000@AdobeOrg"
)

// fake is an httptest server answering with the reference's documented bodies. Handlers
// are keyed "METHOD /path"; it records every request.
type fake struct {
	mu       sync.Mutex
	reqs     []*http.Request
	bodies   []string
	handlers map[string]http.HandlerFunc
	srv      *httptest.Server
}

func newFake(t *testing.T) *fake {
	f := &fake{handlers: map[string]http.HandlerFunc{}}
	f.handlers["POST /ims/token/v3"] = func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"access_token": %q, "token_type": "bearer", "expires_in": 86399}`, testToken)
	}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.reqs = append(f.reqs, r)
		f.bodies = append(f.bodies, string(b))
		h := f.handlers[r.Method+" "+r.URL.Path]
		f.mu.Unlock()
		r.Body = io.NopCloser(strings.NewReader(string(b)))
		if h == nil {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"type":"https://ns.adobe.com/aep/errors/FLOW-1439-404","title":"Resource not found","status":404,"report":{"detailed-message":"The requested flows resource x is not found. Verify the resource ID before trying again."}}`)
			return
		}
		h(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) count(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.reqs {
		if r.Method+" "+r.URL.Path == key {
			n++
		}
	}
	return n
}

func (f *fake) client(t *testing.T, mod func(*Config)) *Client {
	cfg := Config{ClientID: "cid", ClientSecret: secret.New(testSecret), OrgID: testOrg, Sandbox: "dev",
		PlatformURL: f.srv.URL, IMSURL: f.srv.URL, Backoff: func(int) time.Duration { return time.Millisecond }}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestToken_requestAndHeaders(t *testing.T) {
	f := newFake(t)
	f.handlers["GET "+SchemaPath+"/stats"] = func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"imsOrg":"`+testOrg+`","tenantId":"acme","counts":{"schemas":4},"recentlyCreatedResources":[],"recentlyUpdatedResources":[],"classUsage":{}}`)
	}
	c := f.client(t, func(c *Config) { c.Scopes = []string{"openid", "AdobeID", "read_organizations"} })
	for range 2 {
		st, err := c.Stats(context.Background())
		if err != nil || st.TenantID != "acme" {
			t.Fatalf("Stats = %+v, %v", st, err)
		}
	}
	if n := f.count("POST /ims/token/v3"); n != 1 {
		t.Errorf("token requests = %d, want 1 (cached in memory)", n)
	}
	tokReq, tokBody := f.reqs[0], f.bodies[0]
	if ct := tokReq.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		t.Errorf("token Content-Type = %q", ct)
	}
	for _, want := range []string{"grant_type=client_credentials", "client_id=cid", "client_secret=" + testSecret, "scope=openid%2CAdobeID%2Cread_organizations"} {
		if !strings.Contains(tokBody, want) {
			t.Errorf("token body %q lacks %q", tokBody, want)
		}
	}
	if tokReq.URL.RawQuery != "" {
		t.Errorf("token request has a query %q; the form belongs in the body", tokReq.URL.RawQuery)
	}
	r := f.reqs[1]
	for k, v := range map[string]string{"Authorization": "Bearer " + testToken, "x-api-key": "cid", "x-gw-ims-org-id": testOrg, "x-sandbox-name": "dev"} {
		if got := r.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
}

func TestToken_diskCacheAndRefresh(t *testing.T) {
	f := newFake(t)
	f.handlers["GET "+SchemaPath+"/stats"] = func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"tenantId":"acme"}`) }
	dir := t.TempDir()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c1 := f.client(t, func(c *Config) { c.CacheDir = dir; c.Now = clock })
	if _, err := c1.Stats(context.Background()); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "ims-token-*.json"))
	if len(files) != 1 {
		t.Fatalf("cache files = %v, want one", files)
	}
	st, _ := os.Stat(files[0])
	if st.Mode().Perm() != 0o600 {
		t.Errorf("cache mode = %#o, want 0600", st.Mode().Perm())
	}
	c2 := f.client(t, func(c *Config) { c.CacheDir = dir; c.Now = clock })
	if tok, err := c2.Token(context.Background()); err != nil || !tok.Cached || tok.Value.Reveal() != testToken {
		t.Errorf("second client's token = %+v, %v; want the cached one", tok, err)
	}
	// Another scope set is another cache entry.
	c3 := f.client(t, func(c *Config) { c.CacheDir = dir; c.Now = clock; c.Scopes = []string{"openid"} })
	if tok, _ := c3.Token(context.Background()); tok.Cached {
		t.Error("a client with other scopes used the cached token")
	}
	// Within 10 minutes of expiry the token is replaced.
	now = now.Add(86399*time.Second - 5*time.Minute)
	if tok, _ := c1.Token(context.Background()); tok.Cached || !tok.Expires.After(now.Add(time.Hour)) {
		t.Errorf("token near expiry = %+v, want a new one", tok)
	}
	if n := f.count("POST /ims/token/v3"); n != 3 {
		t.Errorf("token requests = %d, want 3", n)
	}
}

func TestToken_accessTokenSkipsIMS(t *testing.T) {
	f := newFake(t)
	f.handlers["GET "+SchemaPath+"/stats"] = func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"tenantId":"acme"}`) }
	c := f.client(t, func(c *Config) { c.ClientSecret = secret.Secret{}; c.AccessToken = secret.New("given-token") })
	if _, err := c.Stats(context.Background()); err != nil {
		t.Fatal(err)
	}
	if f.count("POST /ims/token/v3") != 0 || f.reqs[0].Header.Get("Authorization") != "Bearer given-token" {
		t.Errorf("requests = %v", f.reqs)
	}
}

func TestErrors_documentedBodies(t *testing.T) {
	tests := []struct {
		name, body string
		status     int
		code, msg  string
	}{
		{"oauth missing", `{"error_code":"403010","message":"Oauth token is missing."}`, 403, "403010", "Oauth token is missing."},
		{"api key missing", `{"error_code":"403000","message":"Api Key is required"}`, 403, "403000", "Api Key is required"},
		{"api key invalid", `{"error_code":"403003","message":"Api Key is invalid"}`, 403, "403003", "Api Key is invalid"},
		{"org header", `{"error_code":"400003","message":"Missing header"}`, 400, "400003", "Missing header"},
		{"profile", `{"error_code":"403025","message":"Profile is not valid"}`, 403, "403025", "Profile is not valid"},
		{"region", `{"error_code":"403027","message":"User region is missing"}`, 403, "403027", "User region is missing"},
		{"content type", `{"type":"/placeholder/type/uri","status":400,"title":"BadRequestError","detail":"A valid content-type must be specified"}`, 400, "", "BadRequestError: A valid content-type must be specified"},
		{"flow 404", `{"type":"https://ns.adobe.com/aep/errors/FLOW-1439-404","title":"Resource not found","status":404,"report":{"detailed-message":"The requested flows resource f1 is not found. Verify the resource ID before trying again.","id":"f1","type":"flows"},"errorMessage":"x","errorDetails":"x"}`, 404, "FLOW-1439-404", "The requested flows resource f1 is not found. Verify the resource ID before trying again."},
		{"flow 403", `{"type":"https://ns.adobe.com/aep/errors/FLOW-2120-403","title":"Forbidden","status":403,"report":{"detailed-message":"not permitted"}}`, 403, "FLOW-2120-403", "not permitted"},
		{"if-match missing", `{"type":"https://ns.adobe.com/aep/errors/FLOW-1403-400","title":"Bad Request","status":400,"report":{"detailed-message":"If-Match header is missing"}}`, 400, "FLOW-1403-400", "If-Match header is missing"},
		{"stale general", `{"errorMessage":"Supplied version=[\"a\"] does not match the current version on entity=[\"b\"]"}`, 412, "", `Supplied version=["a"] does not match the current version on entity=["b"]`},
		{"xdm 404", `{"type":"http://ns.adobe.com/aep/errors/XDM-1010-404","title":"Resource not found","status":404,"report":{"registryRequestId":"r","timestamp":"06-01-2021 04:11:06","detailed-message":"The requested resource was not found.","sub-errors":[]},"detail":"The requested resource was not found."}`, 404, "XDM-1010-404", "The requested resource was not found."},
		{"profile 429", `[{"message":"Too many requests","cause":"{\"Errors\":[\"Request rate is large\"]}","retryAfterMs":"500","statusCode":"429"}]`, 400, "", "Too many requests"},
		{"not json", `<html>bad gateway</html>`, 418, "", "<html>bad gateway</html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := parseError("GET /x", tt.status, []byte(tt.body))
			if e.Code != tt.code || e.Message != tt.msg || e.Status != tt.status {
				t.Errorf("parseError = %+v, want code %q message %q", e, tt.code, tt.msg)
			}
		})
	}
}

func TestFlows_createGetListPatch(t *testing.T) {
	f := newFake(t)
	etag := `"4c01c003-0000-0200-0000-63ef57e10000"`
	f.handlers["POST "+FlowServicePath+"/flows"] = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Location", "/flows/4982698b")
		w.WriteHeader(201)
		io.WriteString(w, `{"id": "4982698b-e6b3-48c2-8dcf-040e20121fd2", "etag": "\"4c012103-0000-0200-0000-63ef57db0000\""}`)
	}
	flowJSON := `{"id": "4982698b-e6b3-48c2-8dcf-040e20121fd2", "createdAt": 1676629979503, "updatedAt": 1676629985390, "sandboxName": "prod", "imsOrgId": "` + testOrg + `", "name": "cio", "flowSpec": {"id": "e77fde5a-22a8-11ed-861d-0242ac120002", "version": "1.0"}, "state": "enabled", "version": ` + jsonStr(etag) + `, "etag": ` + jsonStr(etag) + `, "sourceConnectionIds": ["133bb51f"], "targetConnectionIds": ["da8b75ad"], "inheritedAttributes": {"properties": {"isSourceFlow": true}}, "options": {"inletUrl": "https://dcs.adobedc.net/collection/e75dcb52"}, "transformations": [{"name": "Mapping", "params": {"mappingId": "59c0", "mappingVersion": "0"}}], "runs": "/runs?property=flowId==4982698b", "lastOperation": {"started": 0, "updated": 0, "operation": "enable"}}`
	f.handlers["GET "+FlowServicePath+"/flows/4982698b-e6b3-48c2-8dcf-040e20121fd2"] = func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"items": [`+flowJSON+`]}`)
	}
	f.handlers["GET "+FlowServicePath+"/flows"] = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("continuationToken") == "" {
			io.WriteString(w, `{"items": [`+flowJSON+`], "_links": {"next": {"href": "/flows?continuationToken=abc123&limit=1"}}}`)
			return
		}
		io.WriteString(w, `{"items": [`+strings.Replace(flowJSON, "4982698b-e6b3", "5555", 1)+`], "_links": {}}`)
	}
	f.handlers["PATCH "+FlowServicePath+"/flows/4982698b-e6b3-48c2-8dcf-040e20121fd2"] = func(w http.ResponseWriter, r *http.Request) {
		switch r.Header.Get("If-Match") {
		case "":
			w.WriteHeader(400)
			io.WriteString(w, `{"type":"https://ns.adobe.com/aep/errors/FLOW-1403-400","title":"Bad Request","status":400,"report":{"detailed-message":"If-Match header is missing"}}`)
		case etag:
			io.WriteString(w, `{"id": "4982698b-e6b3-48c2-8dcf-040e20121fd2", "etag": "\"50014cc8-0000-0200-0000-6036eb720000\""}`)
		default:
			w.WriteHeader(412)
			io.WriteString(w, `{"type":"https://ns.adobe.com/aep/errors/FLOW-1404-412","title":"Precondition Failed","status":412,"report":{"detailed-message":"Version not matching"}}`)
		}
	}
	c := f.client(t, nil)
	ctx := context.Background()
	cr, err := c.CreateFlow(ctx, Flow{Name: "cio", FlowSpec: Ref{ID: StreamingFlowSpecID, Version: SpecVersion},
		Transformations: []Transformation{{Name: "Mapping", Params: TransformationParams{MappingID: "59c0"}}}})
	if err != nil || cr.ID != "4982698b-e6b3-48c2-8dcf-040e20121fd2" {
		t.Fatalf("CreateFlow = %+v, %v", cr, err)
	}
	if ct := f.reqs[len(f.reqs)-1].Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("create Content-Type = %q", ct)
	}
	fl, err := c.GetFlow(ctx, cr.ID)
	if err != nil {
		t.Fatal(err)
	}
	mp, _ := fl.Mapping()
	if fl.ETag != etag || fl.InletURL() != "https://dcs.adobedc.net/collection/e75dcb52" || mp.MappingID != "59c0" || mp.MappingVersion != 0 {
		t.Errorf("GetFlow = %+v", fl)
	}
	if fl.WebhookURL() != "https://dcs.adobedc.net/collection/e75dcb52?x-adobe-flow-id=4982698b-e6b3-48c2-8dcf-040e20121fd2" {
		t.Errorf("WebhookURL = %s", fl.WebhookURL())
	}
	all, err := c.ListFlows(ctx, ListOptions{Property: []string{"name==cio"}, Limit: 1})
	if err != nil || len(all) != 2 || all[1].ID != "5555-48c2-8dcf-040e20121fd2" {
		t.Fatalf("ListFlows = %+v, %v", all, err)
	}
	last := f.reqs[len(f.reqs)-1].URL.Query()
	if last.Get("continuationToken") != "abc123" || last.Get("property") != "name==cio" || last.Get("limit") != "1" {
		t.Errorf("second page query = %v", last)
	}
	ops := []PatchOp{{Op: "replace", Path: "/transformations/0", Value: Transformation{Name: "Mapping", Params: TransformationParams{MappingID: "59c0", MappingVersion: 1}}}}
	if _, err := c.PatchFlow(ctx, cr.ID, "", ops); err == nil {
		t.Error("PatchFlow without an etag did not fail")
	}
	got, err := c.PatchFlow(ctx, cr.ID, etag, ops)
	if err != nil || got.ETag != `"50014cc8-0000-0200-0000-6036eb720000"` {
		t.Errorf("PatchFlow = %+v, %v", got, err)
	}
	if b := f.bodies[len(f.bodies)-1]; !strings.Contains(b, `"path":"/transformations/0"`) || !strings.Contains(b, `"mappingVersion":1`) {
		t.Errorf("patch body = %s", b)
	}
	_, err = c.PatchFlow(ctx, cr.ID, `"stale"`, ops)
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != "FLOW-1404-412" || !errors.Is(err, ErrVersionMismatch) {
		t.Errorf("stale PatchFlow error = %v", err)
	}
	_, err = c.GetFlow(ctx, "nope")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "FLOW-1439-404") {
		t.Errorf("GetFlow(nope) = %v", err)
	}
}

func jsonStr(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestRetry_retryAfterAndCreates(t *testing.T) {
	f := newFake(t)
	n := 0
	f.handlers["GET "+SchemaPath+"/stats"] = func(w http.ResponseWriter, r *http.Request) {
		if n++; n < 3 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
			io.WriteString(w, `{"error_code":"429050","message":"Too many requests"}`)
			return
		}
		io.WriteString(w, `{"tenantId":"acme"}`)
	}
	c := f.client(t, nil)
	if st, err := c.Stats(context.Background()); err != nil || st.TenantID != "acme" || n != 3 {
		t.Errorf("Stats after two 429s = %+v, %v (calls %d)", st, err, n)
	}
	// A create that fails with 503 is looked up by name; found, it is not POSTed again.
	f.handlers["POST "+FlowServicePath+"/sourceConnections"] = func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
	}
	f.handlers["GET "+FlowServicePath+"/sourceConnections"] = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("property") != "name==cio source" {
			t.Errorf("lookup property = %q", r.URL.Query().Get("property"))
		}
		io.WriteString(w, `{"items":[{"id":"133bb51f","name":"cio source"}]}`)
	}
	cr, err := c.CreateSourceConnection(context.Background(), SourceConnection{Name: "cio source"})
	if err != nil || cr.ID != "133bb51f" || f.count("POST "+FlowServicePath+"/sourceConnections") != 1 {
		t.Errorf("CreateSourceConnection = %+v, %v, posts %d", cr, err, f.count("POST "+FlowServicePath+"/sourceConnections"))
	}
	// A 500 on a create is not retried unless the lookup finds nothing.
	f.handlers["POST "+FlowServicePath+"/targetConnections"] = func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		io.WriteString(w, `{"error_code":"400003","message":"Missing header"}`)
	}
	if _, err := c.CreateTargetConnection(context.Background(), TargetConnection{Name: "t"}); err == nil || f.count("POST "+FlowServicePath+"/targetConnections") != 1 {
		t.Errorf("400 on create: err %v, posts %d; want one post", err, f.count("POST "+FlowServicePath+"/targetConnections"))
	}
}

func TestRetry_401RefreshesTokenOnce(t *testing.T) {
	f := newFake(t)
	calls := 0
	f.handlers["GET "+SchemaPath+"/stats"] = func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.WriteHeader(401)
		io.WriteString(w, `{"error_code":"401013","message":"Oauth token is not valid"}`)
	}
	c := f.client(t, nil)
	_, err := c.Stats(context.Background())
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != "401013" || calls != 2 || f.count("POST /ims/token/v3") != 2 {
		t.Errorf("err %v, calls %d, token requests %d; want one refresh", err, calls, f.count("POST /ims/token/v3"))
	}
	if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), testSecret) {
		t.Errorf("error leaks a credential: %v", err)
	}
}

func TestIMS_errors(t *testing.T) {
	f := newFake(t)
	f.handlers["POST /ims/token/v3"] = func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(400)
		io.WriteString(w, `{"error":"invalid_client","error_description":"invalid client_secret parameter"}`)
	}
	c := f.client(t, nil)
	_, err := c.Token(context.Background())
	var ie *IMSError
	if !errors.As(err, &ie) || ie.Code != "invalid_client" || ie.Description != "invalid client_secret parameter" {
		t.Errorf("Token() error = %v", err)
	}
	if strings.Contains(err.Error(), testSecret) {
		t.Errorf("error leaks the secret: %v", err)
	}
}

func TestDataPrepSchemaCatalog(t *testing.T) {
	f := newFake(t)
	f.handlers["POST "+DataPrepPath+"/mappingSets"] = func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"e7c80de3b5ad4a4e8ad5a9a4c7ddcab3","version":0,"createdDate":1614901254724,"modifiedDate":1614901254724,"createdBy":"x","modifiedBy":"x"}`)
	}
	f.handlers["PUT "+DataPrepPath+"/mappingSets/e7c80de3b5ad4a4e8ad5a9a4c7ddcab3"] = func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"id":"e7c80de3b5ad4a4e8ad5a9a4c7ddcab3","version":1,"mappings":[]}`)
	}
	f.handlers["GET "+DataPrepPath+"/mappingSets/e7c80de3b5ad4a4e8ad5a9a4c7ddcab3"] = func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("version") != "1" {
			t.Errorf("version query = %q", r.URL.RawQuery)
		}
		io.WriteString(w, `{"id":"e7c80de3b5ad4a4e8ad5a9a4c7ddcab3","version":1,"status":"PUBLISHED","mappings":[{"sourceType":"ATTRIBUTE","source":"event_id","destination":"_id"}]}`)
	}
	f.handlers["GET "+SchemaPath+"/tenant/schemas/https://ns.adobe.com/acme/schemas/abc"] = func(w http.ResponseWriter, r *http.Request) {
		if a := r.Header.Get("Accept"); a != XEDFullContentType {
			t.Errorf("schema Accept = %q", a)
		}
		if !strings.Contains(r.URL.RawPath+r.RequestURI, "https%3A%2F%2F") {
			t.Errorf("schema id not URL-encoded: %s", r.RequestURI)
		}
		io.WriteString(w, `{"$id":"https://ns.adobe.com/acme/schemas/abc","type":"object"}`)
	}
	f.handlers["POST "+CatalogPath+"/dataSets"] = func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(201)
		io.WriteString(w, `["@/dataSets/5e72608b10f6e318ad2dee0f"]`)
	}
	f.handlers["GET "+CatalogPath+"/dataSets/5e72608b10f6e318ad2dee0f"] = func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"5e72608b10f6e318ad2dee0f":{"name":"cio-events","imsOrg":"`+testOrg+`","tags":{},"version":"1.0.1","files":"@/dataSetFiles?dataSetId=5e72608b10f6e318ad2dee0f","schemaRef":{"id":"https://ns.adobe.com/acme/schemas/abc","contentType":"application/vnd.adobe.xed-full+json;version=1"}}}`)
	}
	c := f.client(t, nil)
	ctx := context.Background()
	info, err := c.CreateMappingSet(ctx, []byte(`{"mappings":[]}`))
	if err != nil || info.ID != "e7c80de3b5ad4a4e8ad5a9a4c7ddcab3" || info.Version != 0 {
		t.Errorf("CreateMappingSet = %+v, %v", info, err)
	}
	if info, err = c.UpdateMappingSet(ctx, info.ID, []byte(`{"mappings":[]}`)); err != nil || info.Version != 1 {
		t.Errorf("UpdateMappingSet = %+v, %v", info, err)
	}
	ms, err := c.GetMappingSet(ctx, info.ID, 1)
	if err != nil || ms.Version != 1 || !strings.Contains(string(ms.JSON), `"destination":"_id"`) {
		t.Errorf("GetMappingSet = %+v, %v", ms, err)
	}
	sc, err := c.GetSchema(ctx, "https://ns.adobe.com/acme/schemas/abc")
	if err != nil || !strings.Contains(string(sc), `"type":"object"`) {
		t.Errorf("GetSchema = %s, %v", sc, err)
	}
	id, err := c.CreateDataset(ctx, Dataset{Name: "cio-events", SchemaRef: &SchemaRef{ID: "https://ns.adobe.com/acme/schemas/abc", ContentType: XEDFullContentType}})
	if err != nil || id != "5e72608b10f6e318ad2dee0f" {
		t.Errorf("CreateDataset = %q, %v", id, err)
	}
	ds, err := c.GetDataset(ctx, id)
	if err != nil || ds.Name != "cio-events" || ds.SchemaRef.ID != "https://ns.adobe.com/acme/schemas/abc" {
		t.Errorf("GetDataset = %+v, %v", ds, err)
	}
}

func TestConfigFile(t *testing.T) {
	dir := t.TempDir()
	body := `{"org_id":"` + testOrg + `","client_id":"cid","secret":"` + testSecret + `","sandbox-name":"dev","scopes":["openid"," AdobeID"]}`
	p := filepath.Join(dir, "aep.json")
	os.WriteFile(p, []byte(body), 0o644)
	if _, err := LoadConfigFile(p); err == nil || !strings.Contains(err.Error(), "chmod 600") || strings.Contains(err.Error(), testSecret) {
		t.Errorf("0644 file with a secret: err = %v", err)
	}
	os.Chmod(p, 0o600)
	c, err := LoadConfigFile(p)
	if err != nil || c.OrgID != testOrg || c.ClientID != "cid" || c.ClientSecret.Reveal() != testSecret || c.Sandbox != "dev" || strings.Join(c.Scopes, ",") != "openid,AdobeID" {
		t.Errorf("LoadConfigFile = %+v, %v", c, err)
	}
	// aepp's aliases and a public file without secrets.
	os.WriteFile(p, []byte(`{"IMS_ORG":"o@AdobeOrg","API_KEY":"k","scopes":"openid, AdobeID"}`), 0o644)
	if c, err = LoadConfigFile(p); err != nil || c.ClientID != "k" || c.OrgID != "o@AdobeOrg" || len(c.Scopes) != 2 {
		t.Errorf("aliases: %+v, %v", c, err)
	}
	env := map[string]string{EnvClientID: "env-id", EnvClientSecret: "env-secret", EnvScopes: "a,b", EnvOrgID: "x@AdobeOrg", EnvSandbox: "prod"}
	c = ConfigFromEnv(c, func(k string) string { return env[k] })
	if c.ClientID != "env-id" || c.ClientSecret.Reveal() != "env-secret" || strings.Join(c.Scopes, ",") != "a,b" || c.Check() != nil {
		t.Errorf("ConfigFromEnv = %+v", c)
	}
	if err := (Config{}).Check(); err == nil || !strings.Contains(err.Error(), EnvClientID) {
		t.Errorf("empty Check = %v", err)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"org_id":"o","client_id":"c","secret":"s","scopes":["a"]}`))
	f.Add([]byte(`{"client_secrets":["x"],"scopes":"a,b"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseConfig("f", b, 0o600)
		if err == nil && strings.Contains(fmt.Sprint(c), "\x00secret") {
			t.Fatal("unreachable")
		}
	})
}

func FuzzParseError(f *testing.F) {
	f.Add([]byte(`{"error_code":"403010","message":"Oauth token is missing."}`))
	f.Add([]byte(`{"type":"https://ns.adobe.com/aep/errors/FLOW-1439-404","report":{"detailed-message":"x"}}`))
	f.Add([]byte(`[{"message":"Too many requests"}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e := parseError("GET /x", 400, b)
		if e.Error() == "" {
			t.Fatal("empty error text")
		}
	})
}

func TestRetry_createWithoutLookupIsNotRepeated(t *testing.T) {
	f := newFake(t)
	f.handlers["POST "+DataPrepPath+"/mappingSets"] = func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }
	c := f.client(t, nil)
	// No "name" in the body: nothing to look up, so a 503 is final.
	if _, err := c.CreateMappingSet(context.Background(), []byte(`{"mappings":[]}`)); err == nil {
		t.Fatal("503 on create succeeded")
	}
	if n := f.count("POST " + DataPrepPath + "/mappingSets"); n != 1 {
		t.Errorf("posts = %d, want 1", n)
	}
	// With a name, the lookup runs before any retry.
	f.handlers["GET "+DataPrepPath+"/mappingSets"] = func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"data":[{"id":"abc","name":"cio mapping","version":0}],"_page":{"count":1,"limit":100}}`)
	}
	info, err := c.CreateMappingSet(context.Background(), []byte(`{"name":"cio mapping","mappings":[]}`))
	if err != nil || info.ID != "abc" || f.count("POST "+DataPrepPath+"/mappingSets") != 2 {
		t.Errorf("named create after 503 = %+v, %v", info, err)
	}
}

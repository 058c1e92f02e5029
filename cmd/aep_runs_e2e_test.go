package cmd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ciosim/ciosim/aep/dataflow"
)

// A small schema and a mapping set for it; events without event_id (so no _id) are bad.
const (
	runsSchema = `{"$id": "https://ns.adobe.com/ciosim/schemas/runs", "title": "runs e2e", "type": "object",
 "properties": {"_id": {"type": "string"}, "timestamp": {"type": "string", "format": "date-time"}, "eventType": {"type": "string"}},
 "required": ["_id", "timestamp", "eventType"]}`
	runsMapping = `{"mappings": [
 {"sourceType": "ATTRIBUTE", "source": "event_id", "destination": "_id"},
 {"sourceType": "EXPRESSION", "source": "dformat(timestamp * 1000, \"yyyy-MM-dd'T'HH:mm:ssXXX\")", "destination": "timestamp"},
 {"sourceType": "EXPRESSION", "source": "concat(object_type, \".\", metric)", "destination": "eventType"}]}`
)

// TestAEP_runsCountEveryMode: over real HTTP against `ciosim serve`, a flow made by `aep
// setup` gives each event sent to it its verdict in send's report, and counts into its runs what its inlet received in every mode — raw posts (send),
// XDM messages one by one and in batches (replay --mode xdm|batch with the dataflow's
// mapping) — and `aep status` reports them with AEP's recordSummary names: received
// (inputRecordCount), ingested (outputRecordCount), failed (failedRecordCount).
func TestAEP_runsCountEveryMode(t *testing.T) {
	work := t.TempDir()
	base, _ := startServeCP(t)
	env := map[string]string{"AEP_CLIENT_ID": "runs", "AEP_CLIENT_SECRET": "runs-secret", "AEP_IMS_ORG": e2eOrg,
		"AEP_PLATFORM_URL": base, "AEP_IMS_URL": base, "CIOSIM_CACHE_DIR": t.TempDir()}
	mapping, schema := filepath.Join(work, "mapping.json"), filepath.Join(work, "schema.json")
	os.WriteFile(mapping, []byte(runsMapping), 0o644)
	os.WriteFile(schema, []byte(runsSchema), 0o644)
	dir := filepath.Join(work, "flow")
	if code, out, errs := run(t, env, "", "aep", "setup", "--name", "runs", "--mapping", mapping, "--schema", schema, "--out", dir); code != 0 {
		t.Fatalf("setup: %d %s %s", code, out, errs)
	}
	d, err := dataflow.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, events, _ := run(t, nil, "", "generate", "--type", "email", "--seed", "4", "--count", "4")
	lines := strings.Split(strings.TrimSpace(events), "\n")
	bad := strings.Replace(lines[0], `"event_id":`, `"no_event_id":`, 1)
	in := filepath.Join(work, "events.jsonl")
	os.WriteFile(in, []byte(strings.Join(append(lines, bad), "\n")+"\n"), 0o644) // 4 good, 1 bad

	code, out, errs := run(t, env, "", "send", in, "--dataflow", dir, "--no-progress", "--no-journal")
	if code != 0 {
		t.Fatalf("send raw: %d %s %s", code, out, errs)
	}
	// the flow made through the Flow Service judges each event, and send's report says so as
	// for the built-in flow
	if !strings.Contains(out, "emulator       4 good, 1 bad records") || !strings.Contains(out, "#: required key [_id] not found") {
		t.Errorf("send's report lacks the control-plane flow's verdicts:\n%s", out)
	}
	good := filepath.Join(work, "good.jsonl") // replay's xdm modes reject the unmappable one locally
	os.WriteFile(good, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	for _, mode := range []string{"xdm", "batch"} {
		if code, out, errs := run(t, env, "", "replay", good, "--dataflow", dir, "--mode", mode, "--speed", "max"); code != 0 {
			t.Fatalf("replay %s: %d %s %s", mode, code, out, errs)
		}
	}
	code, out, errs = run(t, env, "", "aep", "status", d.Dataflow.FlowID, "--json")
	if code != 0 {
		t.Fatalf("status: %d %s", code, errs)
	}
	var st struct {
		Totals map[string]int64 `json:"totals"`
		Runs   []struct {
			Metrics struct {
				RecordSummary map[string]int64 `json:"recordSummary"`
				SizeSummary   map[string]int64 `json:"sizeSummary"`
			} `json:"metrics"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil || len(st.Runs) == 0 {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	want := map[string]int64{"inputRecordCount": 13, "outputRecordCount": 12, "failedRecordCount": 1}
	if fmt.Sprint(st.Totals) != fmt.Sprint(want) {
		t.Errorf("totals = %v, want %v (5 raw posts, 4 XDM messages, 4 in batches)", st.Totals, want)
	}
	if sz := st.Runs[0].Metrics.SizeSummary; sz["inputBytes"] == 0 || sz["outputBytes"] == 0 {
		t.Errorf("sizeSummary = %v", sz)
	}
	if _, text, _ := run(t, env, "", "aep", "status", d.Dataflow.FlowID); !strings.Contains(text, "13 received, 12 ingested, 1 failed") ||
		!strings.Contains(text, "#: required key [_id] not found") {
		t.Errorf("status text:\n%s", text)
	}
}

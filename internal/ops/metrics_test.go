package ops

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// TestRecorderMetrics_Observe: the counters the recorder bumps on every stored capture are
// looked up once; counts are those of a plain label lookup, and only labels seen appear.
func TestRecorderMetrics_Observe(t *testing.T) {
	reg := NewRegistry()
	m := NewRecorderMetrics(reg, RecorderSources{})
	for range 3 {
		m.Observe(200, "valid", 10)
	}
	m.Observe(200, "absent", 5)
	m.Observe(200, "odd", 1) // not a verdict the recorder gives; still counted
	m.Observe(401, "invalid", 7)
	want := `
# HELP ciosim_record_requests_total Webhook requests answered by the recorder, by HTTP status.
# TYPE ciosim_record_requests_total counter
ciosim_record_requests_total{status="200"} 5
ciosim_record_requests_total{status="401"} 1
# HELP ciosim_record_signatures_total Stored captures by X-CIO-Signature verdict (valid, invalid, absent, unchecked).
# TYPE ciosim_record_signatures_total counter
ciosim_record_signatures_total{verdict="absent"} 1
ciosim_record_signatures_total{verdict="odd"} 1
ciosim_record_signatures_total{verdict="valid"} 3
# HELP ciosim_record_capture_bytes_total Body bytes of stored captures.
# TYPE ciosim_record_capture_bytes_total counter
ciosim_record_capture_bytes_total 36
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "ciosim_record_requests_total",
		"ciosim_record_signatures_total", "ciosim_record_capture_bytes_total"); err != nil {
		t.Error(err)
	}
	if n := testing.AllocsPerRun(100, func() { m.Observe(200, "valid", 10) }); n != 0 {
		t.Errorf("%v allocations per stored capture, want 0", n)
	}
}

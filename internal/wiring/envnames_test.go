package wiring

import (
	"bytes"
	"strings"
	"testing"
)

// AEP's ids are read under the AEP_* names; the older CIOSIM_* names still work, with a
// deprecation warning, and never win over the new ones or over a flag.
func TestEnvelopeDefaults_envNames(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		flag    string
		want    string
		warning bool
	}{
		{"new name", map[string]string{"AEP_DATASET_ID": "new"}, "", "new", false},
		{"old name warns", map[string]string{"CIOSIM_DATASET_ID": "old"}, "", "old", true},
		{"new wins", map[string]string{"AEP_DATASET_ID": "new", "CIOSIM_DATASET_ID": "old"}, "", "new", false},
		{"flag wins", map[string]string{"AEP_DATASET_ID": "new", "CIOSIM_DATASET_ID": "old"}, "flag", "flag", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var errb bytes.Buffer
			a := &Env{Err: &errb, Getenv: func(k string) string { return tc.env[k] }}
			tenant, org, ds, flow, schema := "", "", tc.flag, "", ""
			a.EnvelopeDefaults(&tenant, &org, &ds, &flow, &schema)
			if ds != tc.want {
				t.Errorf("dataset id = %q, want %q", ds, tc.want)
			}
			if got := strings.Contains(errb.String(), "CIOSIM_DATASET_ID is deprecated: use AEP_DATASET_ID"); got != tc.warning {
				t.Errorf("warning shown = %v, want %v (stderr %q)", got, tc.warning, errb.String())
			}
		})
	}
}

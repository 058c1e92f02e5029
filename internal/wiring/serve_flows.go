package wiring

import (
	"fmt"
	"net/netip"
	"os"
	"strings"

	"github.com/ciosim/ciosim/aep/emulator"
	"github.com/ciosim/ciosim/xdm"
)

// flowSpec is one `serve --flow ID=MAPPING[,SCHEMA[,DATASET]]` (or --mapping/--schema/
// --dataset for the default flow id). An empty MAPPING is the built-in experience-event
// set; an empty SCHEMA the built-in class rules.
type flowSpec struct {
	ID, Mapping, Schema, Dataset string
}

// maxFlows bounds --flow.
const maxFlows = 256

// parseFlowFlag reads ID=MAPPING[,SCHEMA[,DATASET]]. File names may not contain commas.
func parseFlowFlag(s string) (flowSpec, error) {
	id, rest, ok := strings.Cut(s, "=")
	id = strings.TrimSpace(id)
	if !ok || id == "" {
		return flowSpec{}, fmt.Errorf("--flow %q: want ID=MAPPING[,SCHEMA[,DATASET]]", s)
	}
	parts := strings.Split(rest, ",")
	if len(parts) > 3 {
		return flowSpec{}, fmt.Errorf("--flow %q: want ID=MAPPING[,SCHEMA[,DATASET]] (file names may not contain commas)", s)
	}
	for len(parts) < 3 {
		parts = append(parts, "")
	}
	f := flowSpec{ID: id, Mapping: strings.TrimSpace(parts[0]), Schema: strings.TrimSpace(parts[1]), Dataset: strings.TrimSpace(parts[2])}
	if f.Mapping == "" && f.Schema == "" {
		return flowSpec{}, fmt.Errorf("--flow %q: give a mapping set, a schema or both", s)
	}
	return f, nil
}

// serveFlows builds the emulator's flows from the specs: each mapping set and schema
// read, compiled with xdm, and indexed by flow id, schema $id and dataset.
func serveFlows(specs []flowSpec, refFiles []string, tenant, org string) (*emulator.StaticFlows, error) {
	var refs []xdm.SchemaFile
	for _, r := range refFiles {
		b, err := os.ReadFile(r)
		if err != nil {
			return nil, fmt.Errorf("--schema-ref: %w", err)
		}
		refs = append(refs, xdm.SchemaFile{Name: r, Data: b})
	}
	var flows []emulator.Flow
	for _, sp := range specs {
		var mj, sj []byte
		var err error
		if sp.Mapping != "" {
			if mj, err = os.ReadFile(sp.Mapping); err != nil {
				return nil, fmt.Errorf("flow %s: read mapping: %w", sp.ID, err)
			}
		}
		if sp.Schema != "" {
			if sj, err = os.ReadFile(sp.Schema); err != nil {
				return nil, fmt.Errorf("flow %s: read schema: %w", sp.ID, err)
			}
		}
		m, v, ref, err := CompileFlow(mj, sj, refs, tenant)
		if err != nil {
			return nil, fmt.Errorf("flow %s (%s): %w", sp.ID, Either(sp.Mapping, sp.Schema), err)
		}
		flows = append(flows, emulator.Flow{ID: sp.ID, Mapper: m, Validator: v, DatasetID: sp.Dataset, IMSOrgID: org, SchemaRef: ref})
	}
	return emulator.NewStaticFlows(flows...)
}

// parseAllowIPs reads --allow-ip values: CIDR prefixes or single addresses.
func parseAllowIPs(vals []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range vals {
		for part := range strings.SplitSeq(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			if p, err := netip.ParsePrefix(part); err == nil {
				out = append(out, p.Masked())
				continue
			}
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("--allow-ip %q: want an address or a CIDR prefix", part)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		}
	}
	return out, nil
}

// Package dataflow is ciosim's unit of work with AEP: one Customer.io streaming dataflow
// (source connection, target connection to a dataset, Data Prep mapping set, flow), set up,
// pulled to a directory, pushed back, compared and inspected through the control-plane
// client, the same way against the real AEP and against the emulator. It sends bytes: the
// mapping set and schema are AEP's JSON, never interpreted here.
package dataflow

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// File names inside a dataflow directory.
const (
	DataflowFile = "dataflow.json"
	MappingFile  = "mapping.json"
	SchemaFile   = "schema.json"
)

// Dataflow is dataflow.json: what ciosim needs to fire at and reason about one flow, in
// AEP's camelCase.
type Dataflow struct {
	FlowID             string `json:"flowId"`
	Name               string `json:"name,omitempty"`
	State              string `json:"state,omitempty"`
	InletURL           string `json:"inletUrl"`
	WebhookURL         string `json:"webhookUrl"`
	DatasetID          string `json:"datasetId"`
	SchemaRef          string `json:"schemaRef"`
	MappingID          string `json:"mappingId"`
	MappingVersion     int    `json:"mappingVersion"`
	SourceConnectionID string `json:"sourceConnectionId"`
	TargetConnectionID string `json:"targetConnectionId"`
	ETag               string `json:"etag,omitempty"`
	IMSOrgID           string `json:"imsOrgId,omitempty"`
	SandboxName        string `json:"sandboxName,omitempty"`
	TenantID           string `json:"tenantId,omitempty"`
	PlatformURL        string `json:"platformUrl,omitempty"`
}

// Dir is a dataflow directory's contents.
type Dir struct {
	Path     string
	Dataflow Dataflow
	Mapping  []byte // mapping.json: AEP's mapping-set JSON
	Schema   []byte // schema.json: the full XDM schema; nil when absent
}

// MappingPath and SchemaPath are the files' paths, for commands that take file names.
func (d Dir) MappingPath() string { return filepath.Join(d.Path, MappingFile) }

// SchemaPath is schema.json's path ("" when the directory has none).
func (d Dir) SchemaPath() string {
	if d.Schema == nil {
		return ""
	}
	return filepath.Join(d.Path, SchemaFile)
}

// maxFileBytes bounds each file read from a dataflow directory.
const maxFileBytes = 16 << 20

func readBounded(p string) ([]byte, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxFileBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", p, maxFileBytes)
	}
	return os.ReadFile(p)
}

// ReadDir reads a dataflow directory written by `ciosim aep pull` or `aep setup --out`:
// dataflow.json and mapping.json are required, schema.json optional. send, replay,
// transform, serve and the TUI call it for --dataflow.
func ReadDir(dir string) (Dir, error) {
	d := Dir{Path: dir}
	b, err := readBounded(filepath.Join(dir, DataflowFile))
	if err != nil {
		return d, fmt.Errorf("dataflow: %w", err)
	}
	if err := decodeStrict(b, &d.Dataflow); err != nil {
		return d, fmt.Errorf("dataflow: %s: %w", filepath.Join(dir, DataflowFile), err)
	}
	if d.Dataflow.FlowID == "" {
		return d, fmt.Errorf("dataflow: %s: field flowId: missing", filepath.Join(dir, DataflowFile))
	}
	if d.Mapping, err = readBounded(filepath.Join(dir, MappingFile)); err != nil {
		return d, fmt.Errorf("dataflow: %w", err)
	}
	if !json.Valid(d.Mapping) {
		return d, fmt.Errorf("dataflow: %s: not valid JSON", filepath.Join(dir, MappingFile))
	}
	d.Schema, err = readBounded(filepath.Join(dir, SchemaFile))
	if errors.Is(err, os.ErrNotExist) {
		d.Schema, err = nil, nil
	}
	if err != nil {
		return d, fmt.Errorf("dataflow: %w", err)
	}
	return d, nil
}

func decodeStrict(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	return nil
}

// WriteDir writes d's files into d.Path (created if needed), each atomically.
func WriteDir(d Dir) error {
	if err := os.MkdirAll(d.Path, 0o755); err != nil {
		return fmt.Errorf("dataflow: %w", err)
	}
	df, err := pretty(d.Dataflow)
	if err != nil {
		return err
	}
	files := map[string][]byte{DataflowFile: df, MappingFile: d.Mapping}
	if d.Schema != nil {
		files[SchemaFile] = d.Schema
	}
	for name, b := range files {
		if err := writeAtomic(filepath.Join(d.Path, name), b); err != nil {
			return err
		}
	}
	return nil
}

func writeAtomic(p string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".*")
	if err != nil {
		return fmt.Errorf("dataflow: write %s: %w", p, err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("dataflow: write %s: %w", p, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("dataflow: write %s: %w", p, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("dataflow: write %s: %w", p, err)
	}
	if err := os.Rename(f.Name(), p); err != nil {
		return fmt.Errorf("dataflow: write %s: %w", p, err)
	}
	return nil
}

// NormalizeMapping turns a mapping set (as posted, or as Data Prep's GET answers it, with
// its ids, dates, status and duplicated legacy keys) into the create body, pretty-printed
// with sorted keys: the form pull writes and diff compares.
func NormalizeMapping(raw []byte) ([]byte, error) {
	var set map[string]any
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("dataflow: mapping set: %w", err)
	}
	out := map[string]any{}
	if os, ok := set["outputSchema"].(map[string]any); ok {
		if ref, ok := os["schemaRef"]; ok {
			out["outputSchema"] = map[string]any{"schemaRef": ref}
		}
	}
	for _, k := range []string{"xdmSchema", "xdmVersion", "name"} {
		if v, ok := set[k].(string); ok && v != "" {
			out[k] = v
		}
	}
	ms, ok := set["mappings"].([]any)
	if !ok {
		return nil, fmt.Errorf(`dataflow: mapping set: no "mappings" array`)
	}
	var norm []any
	for i, m := range ms {
		mo, ok := m.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("dataflow: mapping set: mapping %d: not an object", i+1)
		}
		n := map[string]any{}
		_, hasSource := mo["source"]
		for _, k := range []string{"sourceType", "source", "destination", "name", "description", "identityGroup", "namespaceCode"} {
			if v, ok := mo[k]; ok && v != nil && v != "" {
				n[k] = v
			}
		}
		if !hasSource {
			for _, k := range []string{"sourceAttribute", "destinationXdmPath"} {
				if v, ok := mo[k]; ok {
					n[k] = v
				}
			}
		}
		for _, k := range []string{"identity", "primaryIdentity"} {
			if v, ok := mo[k].(bool); ok && v {
				n[k] = true
			}
		}
		switch st, _ := n["sourceType"].(string); strings.ToLower(st) {
		case "text/x.schema-path":
			n["sourceType"] = "ATTRIBUTE"
		case "text/x.aep-sl":
			n["sourceType"] = "EXPRESSION"
		}
		norm = append(norm, n)
	}
	if norm == nil {
		norm = []any{}
	}
	out["mappings"] = norm
	return pretty(out)
}

// pretty is indented JSON with sorted keys and without HTML escaping (expressions keep
// their < and >), ending in a newline.
func pretty(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

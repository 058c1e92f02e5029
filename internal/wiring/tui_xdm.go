package wiring

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ciosim/ciosim/tui"
	"github.com/ciosim/ciosim/xdm"
)

// xdmTransformer adapts compiled xdm mapping sets to tui.Transformer. Every set the user
// can switch to is compiled once at start, so a broken mapping file fails before the TUI
// opens, and Transform only maps.
type xdmTransformer struct {
	names   []string
	mappers map[string]*xdm.Mapper
	envs    map[string]xdm.EnvelopeOptions
}

var _ tui.Transformer = (*xdmTransformer)(nil)

// NewXDMTransformer compiles the built-in sets and, when mapping names a file, that file
// too (listed first). Records are checked the way `ciosim transform` checks them.
func NewXDMTransformer(mapping, tenant, flowID string) (*xdmTransformer, error) {
	return NewXDMTransformerWith(mapping, tenant, flowID, nil)
}

// NewXDMTransformerWith is NewXDMTransformer validating every set's records against schema
// when it is not nil (else by the class rules).
func NewXDMTransformerWith(mapping, tenant, flowID string, schema *xdm.Schema) (*xdmTransformer, error) {
	if _, err := xdm.NormalizeTenant(tenant); err != nil {
		return nil, Usagef("--tenant: %v", err)
	}
	t := &xdmTransformer{mappers: map[string]*xdm.Mapper{}, envs: map[string]xdm.EnvelopeOptions{}}
	names := xdm.DefaultNames()
	if mapping != "" && !slices.Contains(names, mapping) {
		names = append([]string{mapping}, names...)
	}
	for _, name := range names {
		ms, builtin, err := LoadMapping(name, tenant)
		if err != nil {
			return nil, err
		}
		opts := xdm.Options{SourceFields: xdm.CustomerIOFields()}
		if builtin {
			opts.Required = xdm.DefaultRequired(ms.Name)
		}
		if schema != nil {
			opts.Schema = schema
		} else {
			opts.Check = xdm.ClassRules{Class: ms.TargetClass()} // xdm's one validator, no schema known
		}
		mp, err := xdm.Compile(ms, opts)
		if err != nil {
			if !builtin {
				return nil, err // the caller places it in the file
			}
			return nil, fmt.Errorf("mapping %s: %w", name, err)
		}
		env := xdm.EnvelopeOptions{FlowID: flowID, SchemaID: ms.XDMSchema}
		if ms.OutputSchema != nil {
			env.SchemaID = ms.OutputSchema.SchemaRef.ID
		}
		t.names = append(t.names, name)
		t.mappers[name] = mp
		t.envs[name] = env
	}
	return t, nil
}

// Names lists the mapping sets, the configured one first.
func (t *xdmTransformer) Names() []string { return t.names }

// clone returns a copy that can be added to without changing t.
func (t *xdmTransformer) clone() *xdmTransformer {
	c := &xdmTransformer{names: slices.Clone(t.names), mappers: make(map[string]*xdm.Mapper, len(t.mappers)),
		envs: make(map[string]xdm.EnvelopeOptions, len(t.envs))}
	for k, v := range t.mappers {
		c.mappers[k] = v
	}
	for k, v := range t.envs {
		c.envs[k] = v
	}
	return c
}

// add puts a compiled set under name, replacing one of that name.
func (t *xdmTransformer) add(name string, mp *xdm.Mapper, env xdm.EnvelopeOptions) {
	if _, ok := t.mappers[name]; !ok {
		t.names = append(t.names, name)
	}
	t.mappers[name], t.envs[name] = mp, env
}

// Transform maps event with the named set; violations become problems with JSON pointers,
// and rejection reasons without a violation become problems on the record's root.
func (t *xdmTransformer) Transform(_ context.Context, name string, event []byte) (tui.Transformed, error) {
	mp, ok := t.mappers[name]
	if !ok {
		return tui.Transformed{}, fmt.Errorf("no mapping set %q (have %s)", name, strings.Join(t.names, ", "))
	}
	res, err := mp.Map(event)
	if err != nil {
		return tui.Transformed{}, err
	}
	out := tui.Transformed{Record: res.Record, Warnings: res.Warnings,
		Message: xdm.Envelope(res.Record, t.envs[name])}
	for _, v := range res.Violations {
		out.Problems = append(out.Problems, tui.Problem{Path: strings.TrimPrefix(v.Pointer, "#"), Msg: v.Message})
	}
	if len(res.Violations) == 0 {
		for _, r := range res.Reasons {
			out.Problems = append(out.Problems, tui.Problem{Path: "/", Msg: r})
		}
	}
	return out, nil
}

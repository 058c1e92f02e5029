package wiring

import (
	"context"
	"fmt"
	"maps"
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

var (
	_ tui.Transformer       = (*xdmTransformer)(nil)
	_ tui.RecordTransformer = (*xdmTransformer)(nil)
)

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
		mp, env, err := compileSet(name, tenant, flowID, schema)
		if err != nil {
			return nil, err
		}
		t.names = append(t.names, name)
		t.mappers[name] = mp
		t.envs[name] = env
	}
	return t, nil
}

// compileSet compiles one mapping set (a built-in name or a file) the way
// NewXDMTransformerWith does and returns it with its envelope options.
func compileSet(name, tenant, flowID string, schema *xdm.Schema) (*xdm.Mapper, xdm.EnvelopeOptions, error) {
	ms, builtin, err := LoadMapping(name, tenant)
	if err != nil {
		return nil, xdm.EnvelopeOptions{}, err
	}
	return compileMappingSet(ms, builtin, name, flowID, schema)
}

// compileMappingSet is compileSet of a set already loaded.
func compileMappingSet(ms xdm.MappingSet, builtin bool, name, flowID string, schema *xdm.Schema) (*xdm.Mapper, xdm.EnvelopeOptions, error) {
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
			return nil, xdm.EnvelopeOptions{}, err // the caller places it in the file
		}
		return nil, xdm.EnvelopeOptions{}, fmt.Errorf("mapping %s: %w", name, err)
	}
	env := xdm.EnvelopeOptions{FlowID: flowID, SchemaID: ms.XDMSchema}
	if ms.OutputSchema != nil {
		env.SchemaID = ms.OutputSchema.SchemaRef.ID
	}
	return mp, env, nil
}

// with returns a copy of t in which the named set is replaced, or added first.
func (t *xdmTransformer) with(name string, mp *xdm.Mapper, env xdm.EnvelopeOptions) *xdmTransformer {
	c := &xdmTransformer{names: t.names, mappers: maps.Clone(t.mappers), envs: maps.Clone(t.envs)}
	if _, ok := c.mappers[name]; !ok {
		c.names = append([]string{name}, t.names...)
	}
	c.mappers[name], c.envs[name] = mp, env
	return c
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
func (t *xdmTransformer) Transform(ctx context.Context, name string, event []byte) (tui.Transformed, error) {
	out, err := t.TransformRecord(ctx, name, event)
	if err == nil {
		out.Message = xdm.Envelope(out.Record, t.envs[name])
	}
	return out, err
}

// TransformRecord is Transform without the streaming message, for the TUI's checks and
// reloads, which keep only the record and its problems.
func (t *xdmTransformer) TransformRecord(_ context.Context, name string, event []byte) (tui.Transformed, error) {
	mp, err := t.mapper(name)
	if err != nil {
		return tui.Transformed{}, err
	}
	res, err := mp.Map(event)
	if err != nil {
		return tui.Transformed{}, err
	}
	return transformed(res), nil
}

func (t *xdmTransformer) mapper(name string) (*xdm.Mapper, error) {
	mp, ok := t.mappers[name]
	if !ok {
		return nil, fmt.Errorf("no mapping set %q (have %s)", name, strings.Join(t.names, ", "))
	}
	return mp, nil
}

// transformed is the TUI's view of a mapping result: violations become problems with JSON
// pointers, and rejection reasons without a violation problems on the record's root.
func transformed(res xdm.Result) tui.Transformed {
	out := tui.Transformed{Record: res.Record, Warnings: res.Warnings}
	for _, v := range res.Violations {
		out.Problems = append(out.Problems, tui.Problem{Path: strings.TrimPrefix(v.Pointer, "#"), Msg: v.Message})
	}
	if len(res.Violations) == 0 {
		for _, r := range res.Reasons {
			out.Problems = append(out.Problems, tui.Problem{Path: "/", Msg: r})
		}
	}
	return out
}

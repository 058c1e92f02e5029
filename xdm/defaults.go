package xdm

import (
	"embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/ciosim/ciosim/customerio"
)

//go:embed defaults/*.json
var defaultFS embed.FS

// DefaultTenant is the tenant namespace used when none is given.
const DefaultTenant = "_tenant"

// DefaultNames lists the embedded mapping sets.
func DefaultNames() []string { return []string{"experience-event", "tutorial"} }

// UnknownDefaultError reports a mapping name that is not embedded.
type UnknownDefaultError struct{ Name string }

func (e *UnknownDefaultError) Error() string {
	return fmt.Sprintf("no default mapping set %q (have %s)", e.Name, strings.Join(DefaultNames(), ", "))
}

var tenantRE = regexp.MustCompile(`^_[A-Za-z0-9][A-Za-z0-9_]*$`)

// NormalizeTenant returns tenant with its leading underscore ("acme" → "_acme"), or an
// error when it is not a valid tenant namespace. Empty means [DefaultTenant].
func NormalizeTenant(tenant string) (string, error) {
	if tenant == "" {
		return DefaultTenant, nil
	}
	if !strings.HasPrefix(tenant, "_") {
		tenant = "_" + tenant
	}
	if !tenantRE.MatchString(tenant) {
		return "", fmt.Errorf("tenant %q is not a tenant namespace (letters, digits and _, like _acme)", tenant)
	}
	return tenant, nil
}

// Default returns the embedded mapping set name ("tutorial" or "experience-event") with
// its tenant fields placed under tenant (e.g. "_acme"; "" means [DefaultTenant]).
//
//   - tutorial: the six mappings of Adobe's Customer.io source tutorial, in its legacy form.
//   - experience-event: a full XDM ExperienceEvent (identityMap, channel, direct marketing,
//     push and in-app tracking, AJO delivery feedback / interaction / execution / profile)
//     for every Customer.io event pair, plus tenant fields for the rest.
func Default(name, tenant string) (MappingSet, error) {
	t, err := NormalizeTenant(tenant)
	if err != nil {
		return MappingSet{}, err
	}
	b, err := defaultFS.ReadFile("defaults/" + name + ".json")
	if err != nil {
		return MappingSet{}, &UnknownDefaultError{Name: name}
	}
	ms, err := ParseMappingSet(b)
	if err != nil {
		return MappingSet{}, fmt.Errorf("embedded mapping %s: %w", name, err)
	}
	ms.Name = name
	for i, m := range ms.Mappings {
		if strings.HasPrefix(m.Destination, DefaultTenant+".") {
			ms.Mappings[i].Destination = t + m.Destination[len(DefaultTenant):]
		}
	}
	ms.XDMSchema = strings.Replace(ms.XDMSchema, "/"+DefaultTenant+"/", "/"+t+"/", 1)
	if ms.OutputSchema != nil {
		o := *ms.OutputSchema
		o.SchemaRef.ID = strings.Replace(o.SchemaRef.ID, "/"+DefaultTenant+"/", "/"+t+"/", 1)
		ms.OutputSchema = &o
	}
	return ms, nil
}

// DefaultRequired returns the destination paths the named default set must fill for a
// record to be accepted: _id and timestamp for experience-event (the ExperienceEvent
// class), none for tutorial.
func DefaultRequired(name string) []string {
	if name == "experience-event" {
		return []string{"_id", "timestamp"}
	}
	return nil
}

// CustomerIOFields reports whether shape (indexes written "[]") is a path that can exist in
// some Customer.io event: the envelope fields, data, and every catalog field and its
// parents. Use it as [Options.SourceFields].
func CustomerIOFields() func(shape string) bool {
	known := map[string]bool{"event_id": true, "object_type": true, "metric": true, "timestamp": true, "data": true}
	for _, p := range customerio.Catalog() {
		for _, f := range p.Fields {
			path := "data." + f.Path
			for {
				known[path] = true
				i := strings.LastIndexAny(path, ".[")
				if i < 0 {
					break
				}
				path = path[:i]
			}
		}
	}
	// headers (email sent with Body Content) is a free-form map.
	return func(shape string) bool {
		if known[shape] {
			return true
		}
		return strings.HasPrefix(shape, "data.headers.") || strings.HasPrefix(shape, "data.headers[")
	}
}

// CompileDefault compiles the built-in set name for tenant the way `ciosim transform`
// does: required fields per [DefaultRequired], source paths checked against the
// Customer.io catalog, and records validated against schema when it is not nil, else (for
// experience-event) against [ExperienceEventRules].
func CompileDefault(name, tenant string, schema *Schema) (*Mapper, error) {
	ms, err := Default(name, tenant)
	if err != nil {
		return nil, err
	}
	opts := Options{Required: DefaultRequired(name), SourceFields: CustomerIOFields(), Schema: schema}
	if schema == nil && name == "experience-event" {
		opts.Check = ExperienceEventRules{}
	}
	return Compile(ms, opts)
}

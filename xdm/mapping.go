// Package xdm runs AEP Data Prep mapping sets locally: it parses mapping sets in both the
// current (sourceType/source/destination) and the legacy (sourceAttribute/
// destinationXdmPath) form, compiles their calculated fields once (package [expr]), maps
// Customer.io events to XDM records with AEP's failure semantics, ships the default mapping
// sets "tutorial" and "experience-event", wraps records in the XDM streaming envelope and
// validates them against JSON Schemas with AEP-style error messages.
//
// It knows nothing about HTTP or terminals; the aep emulator and the transform command
// both call it.
package xdm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Source types of a mapping.
const (
	SourceAttribute  = "ATTRIBUTE"
	SourceExpression = "EXPRESSION"
	SourceStatic     = "STATIC"
)

// SchemaRef names an XDM schema.
type SchemaRef struct {
	ID          string `json:"id"`
	ContentType string `json:"contentType,omitempty"`
}

// OutputSchema is the mapping set's target schema reference.
type OutputSchema struct {
	SchemaRef SchemaRef `json:"schemaRef"`
}

// MappingSet is an AEP Data Prep mapping set. Fields AEP stores but that do not affect
// mapping (ids, dates, authors) are ignored when parsing.
type MappingSet struct {
	// Name is ciosim's label for the set (not part of AEP's format; not written out).
	Name         string        `json:"-"`
	OutputSchema *OutputSchema `json:"outputSchema,omitempty"`
	// XDMSchema and XDMVersion are the legacy form's schema reference.
	XDMSchema  string    `json:"xdmSchema,omitempty"`
	XDMVersion string    `json:"xdmVersion,omitempty"`
	Mappings   []Mapping `json:"mappings"`
}

// Mapping is one source → destination rule. Source and Destination hold the value
// whichever spelling (current or legacy) the file used.
type Mapping struct {
	SourceType  string `json:"sourceType"`
	Source      string `json:"source"`
	Destination string `json:"destination"`
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	// Identity and PrimaryIdentity are the legacy flags; kept for round trips, unused.
	Identity        bool `json:"-"`
	PrimaryIdentity bool `json:"-"`
}

// ParseError reports a malformed mapping set: which mapping (1-based; 0 for the set
// itself) and what is wrong.
type ParseError struct {
	Index int
	Field string
	Msg   string
	// Offset is the byte offset of a JSON syntax error in the input; 0 otherwise.
	Offset int
}

func (e *ParseError) Error() string {
	if e.Index == 0 {
		return "mapping set: " + e.Msg
	}
	if e.Field != "" {
		return fmt.Sprintf("mapping set: mapping %d: %s: %s", e.Index, e.Field, e.Msg)
	}
	return fmt.Sprintf("mapping set: mapping %d: %s", e.Index, e.Msg)
}

type rawMapping struct {
	SourceType         *string `json:"sourceType"`
	Source             *string `json:"source"`
	Destination        *string `json:"destination"`
	SourceAttribute    *string `json:"sourceAttribute"`
	DestinationXdmPath *string `json:"destinationXdmPath"`
	Name               string  `json:"name"`
	Description        string  `json:"description"`
	Identity           bool    `json:"identity"`
	PrimaryIdentity    bool    `json:"primaryIdentity"`
}

type rawSet struct {
	OutputSchema *OutputSchema     `json:"outputSchema"`
	XDMSchema    string            `json:"xdmSchema"`
	XDMVersion   string            `json:"xdmVersion"`
	Mappings     []json.RawMessage `json:"mappings"`
}

// ParseMappingSet parses a mapping set as sent to POST /conversion/mappingSets, in either
// form. A legacy mapping whose sourceAttribute is not a plain path must say so with
// sourceType "EXPRESSION" (or the stored form "text/x.aep-sl").
func ParseMappingSet(b []byte) (MappingSet, error) {
	var r rawSet
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&r); err != nil {
		pe := &ParseError{Msg: "not a JSON mapping set: " + jsonErr(b, err)}
		var se *json.SyntaxError
		if asSyntax(err, &se) {
			pe.Offset = int(se.Offset)
		}
		return MappingSet{}, pe
	}
	if r.Mappings == nil {
		return MappingSet{}, &ParseError{Msg: `no "mappings" array`}
	}
	ms := MappingSet{OutputSchema: r.OutputSchema, XDMSchema: r.XDMSchema, XDMVersion: r.XDMVersion}
	for i, raw := range r.Mappings {
		var rm rawMapping
		if err := json.Unmarshal(raw, &rm); err != nil {
			return MappingSet{}, &ParseError{Index: i + 1, Msg: "not a mapping object: " + err.Error()}
		}
		m := Mapping{Name: rm.Name, Description: rm.Description, Identity: rm.Identity, PrimaryIdentity: rm.PrimaryIdentity}
		switch {
		case rm.Source != nil:
			m.Source = *rm.Source
		case rm.SourceAttribute != nil:
			m.Source = *rm.SourceAttribute
		default:
			return MappingSet{}, &ParseError{Index: i + 1, Field: "source", Msg: `missing (want "source" or "sourceAttribute")`}
		}
		switch {
		case rm.Destination != nil:
			m.Destination = *rm.Destination
		case rm.DestinationXdmPath != nil:
			m.Destination = *rm.DestinationXdmPath
		default:
			return MappingSet{}, &ParseError{Index: i + 1, Field: "destination", Msg: `missing (want "destination" or "destinationXdmPath")`}
		}
		st := ""
		if rm.SourceType != nil {
			st = *rm.SourceType
		}
		switch strings.ToUpper(st) {
		case "", SourceAttribute, "TEXT/X.SCHEMA-PATH":
			m.SourceType = SourceAttribute
		case SourceExpression, "TEXT/X.AEP-SL":
			m.SourceType = SourceExpression
		case SourceStatic:
			m.SourceType = SourceStatic
		default:
			return MappingSet{}, &ParseError{Index: i + 1, Field: "sourceType", Msg: fmt.Sprintf("unknown source type %q (want ATTRIBUTE, EXPRESSION or STATIC)", st)}
		}
		ms.Mappings = append(ms.Mappings, m)
	}
	return ms, nil
}

func jsonErr(b []byte, err error) string {
	var se *json.SyntaxError
	if ok := asSyntax(err, &se); ok {
		line := 1 + bytes.Count(b[:min(int(se.Offset), len(b))], []byte("\n"))
		return fmt.Sprintf("line %d: %v", line, err)
	}
	return err.Error()
}

func asSyntax(err error, se **json.SyntaxError) bool {
	s, ok := err.(*json.SyntaxError)
	if ok {
		*se = s
	}
	return ok
}

// JSON writes the set in AEP's current form (sourceType/source/destination), indented,
// ready to POST to /conversion/mappingSets.
func (ms MappingSet) JSON() []byte {
	type out struct {
		OutputSchema *OutputSchema `json:"outputSchema,omitempty"`
		Mappings     []Mapping     `json:"mappings"`
	}
	o := out{OutputSchema: ms.OutputSchema, Mappings: ms.Mappings}
	if o.OutputSchema == nil && ms.XDMSchema != "" {
		o.OutputSchema = &OutputSchema{SchemaRef: SchemaRef{ID: ms.XDMSchema, ContentType: "application/vnd.adobe.xed-full+json;version=1"}}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(o)
	return buf.Bytes()
}

// Without returns a copy of ms without the mappings whose destination is prefix or lies
// under it (e.g. "_tenant" drops every tenant field).
func (ms MappingSet) Without(prefix string) MappingSet {
	out := ms
	out.Mappings = nil
	for _, m := range ms.Mappings {
		if m.Destination == prefix || strings.HasPrefix(m.Destination, prefix+".") || strings.HasPrefix(m.Destination, prefix+"[") {
			continue
		}
		out.Mappings = append(out.Mappings, m)
	}
	return out
}

package xdm

import (
	"encoding/json"
	"strconv"
	"time"
)

// DefaultContentType is the schemaRef content type of XDM streaming messages.
const DefaultContentType = "application/vnd.adobe.xed-full+json;version=1"

// EnvelopeOptions fill the XDM streaming message header. Empty values are left out,
// except SchemaID and ContentType, which DCS requires (ContentType defaults to
// [DefaultContentType]).
type EnvelopeOptions struct {
	SchemaID    string
	ContentType string
	IMSOrgID    string
	DatasetID   string
	FlowID      string
	SourceName  string
	// CreatedAt, when not zero, is written as epoch milliseconds in a string, as in the
	// Streaming Ingestion OpenAPI example.
	CreatedAt time.Time
}

type envSchemaRef struct {
	ID          string `json:"id"`
	ContentType string `json:"contentType"`
}

type envSource struct {
	Name string `json:"name"`
}

type envHeader struct {
	SchemaRef envSchemaRef `json:"schemaRef"`
	IMSOrgID  string       `json:"imsOrgId,omitempty"`
	DatasetID string       `json:"datasetId,omitempty"`
	FlowID    string       `json:"flowId,omitempty"`
	CreatedAt string       `json:"createdAt,omitempty"`
	Source    *envSource   `json:"source,omitempty"`
}

type envMeta struct {
	SchemaRef envSchemaRef `json:"schemaRef"`
}

type envBody struct {
	XDMMeta   envMeta         `json:"xdmMeta"`
	XDMEntity json.RawMessage `json:"xdmEntity"`
}

type envelope struct {
	Header envHeader `json:"header"`
	Body   envBody   `json:"body"`
}

// Envelope wraps an XDM record (JSON) as an XDM streaming message:
// {"header":{"schemaRef":{id,contentType},"imsOrgId","datasetId","flowId","source":{"name"}},
// "body":{"xdmMeta":{"schemaRef":…},"xdmEntity":record}}.
func Envelope(record []byte, o EnvelopeOptions) []byte {
	ref := envSchemaRef{ID: o.SchemaID, ContentType: o.ContentType}
	if ref.ContentType == "" {
		ref.ContentType = DefaultContentType
	}
	e := envelope{
		Header: envHeader{SchemaRef: ref, IMSOrgID: o.IMSOrgID, DatasetID: o.DatasetID, FlowID: o.FlowID},
		Body:   envBody{XDMMeta: envMeta{SchemaRef: ref}, XDMEntity: json.RawMessage(record)},
	}
	if !o.CreatedAt.IsZero() {
		e.Header.CreatedAt = strconv.FormatInt(o.CreatedAt.UnixMilli(), 10)
	}
	if o.SourceName != "" {
		e.Header.Source = &envSource{Name: o.SourceName}
	}
	b, err := marshalStd(e)
	if err != nil {
		// record is not valid JSON; keep it visible rather than lose it
		return append([]byte(`{"error":"record is not JSON"}`), record...)
	}
	return b
}

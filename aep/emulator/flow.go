package emulator

// This file holds the Flow/FlowSource contract (notes/CONTRACT-flow.md) shared with the
// control plane: each dataflow routes its own inlet through its own mapping set and schema.

// Flow is what one dataflow's inlet needs to judge what it receives.
type Flow struct {
	ID        string    // the dataflow id (x-adobe-flow-id)
	Mapper    Mapper    // raw body → XDM record + reasons, with the flow's mapping set (current version) and schema; nil → Options.Mapper
	Validator Validator // checks XDM messages posted for this flow's schema; nil → Options.Validator
	DatasetID string    // the flow's target dataset; "" = not checked
	IMSOrgID  string    // the org the inlet belongs to; "" = Options.OrgID
	SchemaRef string    // the $id of the dataset's schema; "" = not checked
}

// FlowSource resolves a flow id to its Flow at request time, so a new mapping version applies at once.
type FlowSource interface {
	Flow(flowID string) (Flow, bool)
}

// mapperFor is the mapper for a raw post naming flowID: the flow's own when Options.Flows
// knows it and gives one, else Options.Mapper.
func (s *Server) mapperFor(flowID string) Mapper {
	if s.o.Flows != nil && flowID != "" {
		if f, ok := s.o.Flows.Flow(flowID); ok && f.Mapper != nil {
			return f.Mapper
		}
	}
	return s.o.Mapper
}

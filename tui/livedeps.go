package tui

import (
	"context"
	"errors"
)

// RecordTransformer is an optional interface of a [Transformer]: TransformRecord is
// Transform without the streaming message (Transformed.Message nil). The list's checks and
// the live loop's reload keep only each event's record and problems, so building every
// event's envelope there would be work thrown away (it was 40 % of a reload's CPU).
type RecordTransformer interface {
	TransformRecord(ctx context.Context, mappingSet string, event []byte) (Transformed, error)
}

// transformRecord maps event with t's TransformRecord when it has one, else Transform.
func transformRecord(ctx context.Context, t Transformer, mappingSet string, event []byte) (Transformed, error) {
	if rt, ok := t.(RecordTransformer); ok {
		return rt.TransformRecord(ctx, mappingSet, event)
	}
	return t.Transform(ctx, mappingSet, event)
}

// ErrUnchanged is what a [Reloader] returns when the watched files hold what is already in
// force (a save without an edit): the reload then re-maps nothing and reports no change.
var ErrUnchanged = errors.New("reload: files unchanged")

package xdm

// DecodeEvent decodes an input event (a JSON object) the way [Mapper.Map] does, for
// [Mapper.MapValue] to map it again and again (under each new version of a mapping set,
// as the TUI's live loop does on every save) without decoding it each time. Mapping never
// changes the decoded value, so it may be shared by goroutines that only map it.
func DecodeEvent(event []byte) (map[string]any, error) {
	src, err := decodeObject(event)
	if err != nil {
		return nil, &EventError{Err: err}
	}
	return src, nil
}

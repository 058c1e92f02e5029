package xdm

import "time"

// classOK reports, without building the record as maps, that the built-in class check
// ([ExperienceEventRules], [ClassRules]) finds nothing wrong with the record in vals:
// _id an id of unreserved characters, timestamp an RFC 3339 string, eventType (when
// set) a string, identityMap (when set) an object of arrays of identity items, each with
// a string id and a well-formed primary and authenticatedState when present. A record
// it does not accept goes through the check itself, which finds and words the problems;
// so classOK may refuse a valid record, never accept an invalid one.
func (t *tree) classOK(vals []any) bool {
	var id, ts bool
	for _, n := range t.nodes[rootNode].children {
		node := &t.nodes[n]
		switch node.key {
		case "_id":
			s, ok := t.leaf(node, vals).(string)
			if !ok || !unreservedOnly(s) {
				return false
			}
			id = true
		case "timestamp":
			s, ok := t.leaf(node, vals).(string)
			if !ok {
				return false
			}
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				return false
			}
			ts = true
		case "eventType":
			if v := t.leaf(node, vals); v != nil {
				if _, ok := v.(string); !ok {
					return false
				}
			}
		case "identityMap":
			if node.slot >= 0 {
				return false // written as one value: let the check look at it
			}
			for _, ns := range node.children {
				nn := &t.nodes[ns]
				if nn.slot < 0 {
					if t.value(ns, vals) != nil {
						return false
					}
					continue
				}
				v := vals[nn.slot]
				if v == nil {
					continue
				}
				arr, ok := v.([]any)
				if !ok {
					return false
				}
				for _, it := range arr {
					if !identityOK(it) {
						return false
					}
				}
			}
		}
	}
	return id && ts
}

// leaf is a top-level member's value when it is a leaf; a non-nil marker otherwise, which
// no caller accepts.
func (t *tree) leaf(node *treeNode, vals []any) any {
	if node.slot < 0 {
		return struct{}{}
	}
	return vals[node.slot]
}

func identityOK(it any) bool {
	item, ok := it.(map[string]any)
	if !ok {
		return false
	}
	if _, ok := item["id"].(string); !ok {
		return false
	}
	if pv, ok := item["primary"]; ok {
		if _, isBool := pv.(bool); !isBool {
			return false
		}
	}
	if as, ok := item["authenticatedState"]; ok {
		switch as {
		case "ambiguous", "authenticated", "loggedOut":
		default:
			return false
		}
	}
	return true
}

package xdmdiff

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Record is one XDM record of a stream, with what identifies it.
type Record struct {
	// Key aligns the records of two streams: records with equal keys are compared field by
	// field, whatever their positions. Keys must be unique within a stream ([Keyed] makes
	// them so).
	Key string
	// EventID is the Customer.io event the record was mapped from; "" when unknown.
	EventID string
	// JSON is the record.
	JSON []byte
	// Rejected marks a record AEP would not store (a required field null, the schema broken).
	Rejected bool
}

// IDKey returns a record's identity in XDM: its _id when that is a non-empty string, else "".
// The built-in mapping sets write the Customer.io event_id there.
func IDKey(record []byte) string {
	var r struct {
		ID json.RawMessage `json:"_id"`
	}
	if json.Unmarshal(record, &r) != nil || len(r.ID) == 0 || r.ID[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(r.ID, &s) != nil {
		return ""
	}
	return s
}

// Keyed makes the keys of recs unique in place: an empty key becomes "#N" (the record's
// rank among those without a key), and the n-th repeat of a key gets "\x00n" appended, so
// duplicates align with duplicates in order.
func Keyed(recs []Record) []Record {
	seen := map[string]int{}
	anon := 0
	for i := range recs {
		k := recs[i].Key
		if k == "" {
			anon++
			k = "#" + strconv.Itoa(anon)
		}
		if n := seen[k]; n > 0 {
			seen[k] = n + 1
			k += "\x00" + strconv.Itoa(n)
		} else {
			seen[k] = 1
		}
		recs[i].Key = k
	}
	return recs
}

// MaxLine bounds one JSONL line read by [ReadJSONL].
const MaxLine = 16 << 20

// ReadJSONL reads XDM JSONL (blank lines skipped) into records keyed by [IDKey] and made
// unique with [Keyed]. A line that is not a JSON object is an error naming its line.
func ReadJSONL(r io.Reader) ([]Record, error) {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), MaxLine)
	var recs []Record
	for n := 1; s.Scan(); n++ {
		b := s.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil {
			return nil, fmt.Errorf("line %d: not an XDM record (a JSON object): %w", n, err)
		}
		rec := Record{JSON: append([]byte(nil), b...)}
		rec.Key = IDKey(rec.JSON)
		rec.EventID = rec.Key
		recs = append(recs, rec)
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return Keyed(recs), nil
}

// RecordDiff is one record that differs between two streams.
type RecordDiff struct {
	EventID string `json:"event_id,omitempty"`
	// WantPos and GotPos are the record's 1-based positions; 0 when it is absent there.
	WantPos int `json:"want_record,omitempty"`
	GotPos  int `json:"got_record,omitempty"`
	// Fields are the changed fields when the record is in both streams.
	Fields []Change `json:"fields,omitempty"`
	// Want and Got are the records; one is nil when the record was added or removed.
	Want json.RawMessage `json:"want,omitempty"`
	Got  json.RawMessage `json:"got,omitempty"`
	// Became is "valid" or "invalid" when the record's verdict flipped.
	Became string `json:"became,omitempty"`
}

// Report is the comparison of two record streams.
type Report struct {
	WantRecords int `json:"want_records"`
	GotRecords  int `json:"got_records"`
	// Changed, Added and Removed count records (by key); Total is their sum.
	Changed int `json:"changed"`
	Added   int `json:"added"`
	Removed int `json:"removed"`
	Total   int `json:"differing_records"`
	// BecameValid and BecameInvalid count verdict flips among records in both streams.
	BecameValid   int `json:"became_valid"`
	BecameInvalid int `json:"became_invalid"`
	// Reordered is set when the same records come in a different order (only reported
	// when nothing else differs); MovedAt is the first position that differs.
	Reordered bool `json:"reordered,omitempty"`
	MovedAt   int  `json:"moved_at,omitempty"`
	// ByField counts, for every field that changed in any record, in how many records
	// it was added, removed or changed, in document order of its first appearance.
	ByField []FieldCount `json:"by_field,omitempty"`
	// Diffs are the first differing records (at most the limit given to Compare), in the
	// order of got, with removed records at their place in want.
	Diffs []RecordDiff `json:"diffs"`
}

// FieldCount says in how many records one field (by JSON pointer) changed, and how.
type FieldCount struct {
	Pointer string `json:"pointer"`
	Added   int    `json:"added,omitempty"`
	Removed int    `json:"removed,omitempty"`
	Changed int    `json:"changed,omitempty"`
}

// String is "/a/b: added in 3 records, changed in 1".
func (f FieldCount) String() string {
	var parts []string
	for _, p := range []struct {
		n    int
		verb string
	}{{f.Added, "added"}, {f.Removed, "removed"}, {f.Changed, "changed"}} {
		if p.n == 0 {
			continue
		}
		unit := ""
		if len(parts) == 0 {
			unit = " records"
			if p.n == 1 {
				unit = " record"
			}
		}
		parts = append(parts, fmt.Sprintf("%s in %d%s", p.verb, p.n, unit))
	}
	return f.Pointer + ": " + strings.Join(parts, ", ")
}

// None reports whether the two streams hold the same records in the same order.
func (r *Report) None() bool { return r.Total == 0 && !r.Reordered }

// Compare aligns want and got by key (keys unique within each, see [Keyed]) and reports the
// records added, removed or changed, keeping the first limit of them in detail. Records
// whose bytes differ but whose JSON is equal (key order, spacing) are equal.
func Compare(want, got []Record, limit int) *Report {
	r := &Report{WantRecords: len(want), GotRecords: len(got), Diffs: []RecordDiff{}}
	byField := map[string]int{} // pointer → index in r.ByField
	wantAt := make(map[string]int, len(want))
	for i, w := range want {
		wantAt[w.Key] = i
	}
	gotKeys := make(map[string]bool, len(got))
	for _, g := range got {
		gotKeys[g.Key] = true
	}
	add := func(d RecordDiff) {
		r.Total++
		if len(r.Diffs) < limit {
			r.Diffs = append(r.Diffs, d)
		}
	}
	// Walk got in order, emitting the want records missing from got just before the first
	// got record that follows them in want, so a removal shows where it was.
	wi := 0
	flushRemoved := func(upto int) {
		for ; wi < upto; wi++ {
			w := want[wi]
			if gotKeys[w.Key] {
				continue
			}
			r.Removed++
			add(RecordDiff{EventID: w.EventID, WantPos: wi + 1, Want: w.JSON})
		}
	}
	lastWant := -1
	for gi, g := range got {
		i, ok := wantAt[g.Key]
		if !ok {
			r.Added++
			add(RecordDiff{EventID: g.EventID, GotPos: gi + 1, Got: g.JSON})
			continue
		}
		flushRemoved(i)
		if i < wi {
			// an earlier want record: keep wi where it is
		} else {
			wi = i + 1
		}
		w := want[i]
		if i != gi && !r.Reordered && i < lastWant {
			r.Reordered, r.MovedAt = true, gi+1
		}
		lastWant = max(lastWant, i)
		d := RecordDiff{EventID: g.EventID, WantPos: i + 1, GotPos: gi + 1}
		if d.EventID == "" {
			d.EventID = w.EventID
		}
		if w.Rejected != g.Rejected {
			if g.Rejected {
				d.Became = "invalid"
				r.BecameInvalid++
			} else {
				d.Became = "valid"
				r.BecameValid++
			}
		}
		if string(w.JSON) != string(g.JSON) {
			fs, err := Fields(w.JSON, g.JSON)
			if err != nil {
				fs = []Change{{Kind: Changed, Old: rawOrString(w.JSON), New: rawOrString(g.JSON)}}
			}
			d.Fields = fs
			r.countFields(fs, byField)
		}
		if len(d.Fields) > 0 || d.Became != "" {
			r.Changed++
			d.Want, d.Got = w.JSON, g.JSON
			add(d)
		}
	}
	flushRemoved(len(want))
	if r.Total > 0 {
		r.Reordered, r.MovedAt = false, 0 // the differences say more than the order does
	}
	return r
}

func (r *Report) countFields(fs []Change, at map[string]int) {
	for _, f := range fs {
		i, ok := at[f.Pointer]
		if !ok {
			i = len(r.ByField)
			at[f.Pointer] = i
			r.ByField = append(r.ByField, FieldCount{Pointer: f.Pointer})
		}
		switch f.Kind {
		case Added:
			r.ByField[i].Added++
		case Removed:
			r.ByField[i].Removed++
		default:
			r.ByField[i].Changed++
		}
	}
}

func rawOrString(b []byte) json.RawMessage {
	if json.Valid(b) {
		return b
	}
	q, _ := json.Marshal(string(b))
	return q
}

// Summary is one line: "2 of 10 records differ: 1 changed, 1 added, 0 removed".
func (r *Report) Summary() string {
	if r.Reordered {
		return fmt.Sprintf("the same %d records in a different order (first at record %d)", r.GotRecords, r.MovedAt)
	}
	s := fmt.Sprintf("%d of %d records differ: %d changed, %d added, %d removed",
		r.Total, r.WantRecords+r.Added, r.Changed, r.Added, r.Removed)
	if r.BecameValid+r.BecameInvalid > 0 {
		s += fmt.Sprintf("; %d became valid, %d invalid", r.BecameValid, r.BecameInvalid)
	}
	return s
}

// WriteOptions shape [Report.Write].
type WriteOptions struct {
	// Want and Got name the two sides: "fixture"/"output" for a check, "previous run"/"this
	// run" for a watch.
	Want, Got string
	// MaxFields bounds the fields listed per record; 0 means all.
	MaxFields int
}

// Write prints the report for people, in the style of generate --check:
//
//	record 3 (event_id 01J…): /a/b: "x" → "y"
//
// one indented line per field, whole records for added and removed ones.
func (r *Report) Write(w io.Writer, o WriteOptions) error {
	if o.Want == "" {
		o.Want = "fixture"
	}
	if o.Got == "" {
		o.Got = "output"
	}
	var b strings.Builder
	for _, d := range r.Diffs {
		id := ""
		if d.EventID != "" {
			id = " (event_id " + strings.SplitN(d.EventID, "\x00", 2)[0] + ")"
		}
		switch {
		case d.GotPos == 0:
			fmt.Fprintf(&b, "%s record %d%s: not in the %s\n  - %s\n", o.Want, d.WantPos, id, o.Got, clip(string(d.Want), 200))
		case d.WantPos == 0:
			fmt.Fprintf(&b, "record %d%s: not in the %s\n  + %s\n", d.GotPos, id, o.Want, clip(string(d.Got), 200))
		default:
			fmt.Fprintf(&b, "record %d%s:", d.GotPos, id)
			if d.WantPos != d.GotPos {
				fmt.Fprintf(&b, " (%s record %d)", o.Want, d.WantPos)
			}
			if d.Became != "" {
				fmt.Fprintf(&b, " became %s", d.Became)
			}
			b.WriteByte('\n')
			fs := d.Fields
			if o.MaxFields > 0 && len(fs) > o.MaxFields {
				fs = fs[:o.MaxFields]
			}
			for _, f := range fs {
				fmt.Fprintf(&b, "  %s\n", f)
			}
			if n := len(d.Fields) - len(fs); n > 0 {
				fmt.Fprintf(&b, "  ... and %d more fields\n", n)
			}
		}
	}
	if more := r.Total - len(r.Diffs); more > 0 {
		fmt.Fprintf(&b, "... and %d more differing records\n", more)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

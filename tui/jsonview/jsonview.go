// Package jsonview pretty-prints JSON for the terminal: one line per member, each line
// tagged with its JSON pointer so that validation problems can be marked on the line they
// concern, and a small syntax highlighter driven by a [Styles]. It does no I/O; callers run
// [Parse] and [Doc.Render] inside a tea.Cmd and cache the result, because both are O(size).
package jsonview

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/charmbracelet/lipgloss"
)

// Kind classifies the value on a line, for highlighting.
type Kind uint8

// Value kinds.
const (
	KindPunct Kind = iota // an opening or closing bracket
	KindString
	KindNumber
	KindLiteral // true, false, null
)

// Line is one pretty-printed line.
type Line struct {
	Depth int
	// Key is the quoted member name, or "" for array elements and the root.
	Key string
	// Value is the text after the key: a scalar, "{", "[", "}", "]", "{}" or "[]".
	Value string
	Kind  Kind
	Comma bool
	// Path is the JSON pointer of the value the line opens, closes or holds ("" for the root).
	Path string
}

// Doc is a parsed, pretty-printable JSON document.
type Doc struct {
	Lines []Line
}

// Parse pretty-prints b. Member order and number spelling are preserved.
func Parse(b []byte) (Doc, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	p := &parser{dec: dec}
	if err := p.value("", "", 0); err != nil {
		return Doc{}, fmt.Errorf("jsonview: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Doc{}, errors.New("jsonview: trailing data after the JSON value")
	}
	return Doc{Lines: p.lines}, nil
}

type parser struct {
	dec   *json.Decoder
	lines []Line
}

func (p *parser) value(path, key string, depth int) error {
	tok, err := p.dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		open := len(p.lines)
		closer := "}"
		if t == '[' {
			closer = "]"
		}
		p.lines = append(p.lines, Line{Depth: depth, Key: key, Value: t.String(), Kind: KindPunct, Path: path})
		for i := 0; p.dec.More(); i++ {
			if t == '{' {
				kt, err := p.dec.Token()
				if err != nil {
					return err
				}
				k, _ := kt.(string)
				if err := p.value(path+"/"+escapePointer(k), quote(k), depth+1); err != nil {
					return err
				}
			} else if err := p.value(path+"/"+strconv.Itoa(i), "", depth+1); err != nil {
				return err
			}
			if p.dec.More() {
				p.lines[len(p.lines)-1].Comma = true
			}
		}
		if _, err := p.dec.Token(); err != nil {
			return err
		}
		if len(p.lines) == open+1 {
			p.lines[open].Value += closer
			return nil
		}
		p.lines = append(p.lines, Line{Depth: depth, Value: closer, Kind: KindPunct, Path: path})
	case string:
		p.lines = append(p.lines, Line{Depth: depth, Key: key, Value: quote(t), Kind: KindString, Path: path})
	case json.Number:
		p.lines = append(p.lines, Line{Depth: depth, Key: key, Value: t.String(), Kind: KindNumber, Path: path})
	case bool:
		p.lines = append(p.lines, Line{Depth: depth, Key: key, Value: strconv.FormatBool(t), Kind: KindLiteral, Path: path})
	case nil:
		p.lines = append(p.lines, Line{Depth: depth, Key: key, Value: "null", Kind: KindLiteral, Path: path})
	}
	return nil
}

func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// Pointer converts a problem path to a JSON pointer. It accepts JSON pointers ("/a/b/0"),
// dotted paths with indexes ("data.recipients[0].device_id", "$.a.b") and "$" for the root.
func Pointer(path string) string {
	path = strings.TrimSpace(path)
	if path == "" || path == "$" || path == "/" {
		return ""
	}
	if strings.HasPrefix(path, "/") {
		return path
	}
	path = strings.TrimPrefix(strings.TrimPrefix(path, "$"), ".")
	var b strings.Builder
	for _, seg := range strings.Split(path, ".") {
		for seg != "" {
			i := strings.IndexByte(seg, '[')
			if i < 0 {
				b.WriteString("/" + escapePointer(seg))
				break
			}
			if i > 0 {
				b.WriteString("/" + escapePointer(seg[:i]))
			}
			j := strings.IndexByte(seg[i:], ']')
			if j < 0 {
				b.WriteString("/" + escapePointer(seg[i:]))
				break
			}
			b.WriteString("/" + seg[i+1:i+j])
			seg = seg[i+j+1:]
		}
	}
	return b.String()
}

// Marks returns, for each line of d, whether one of the problem pointers concerns it. A
// pointer that names no line (a missing required field) marks the nearest ancestor that
// exists, so the problem is never invisible.
func (d Doc) Marks(pointers []string) []bool {
	marks := make([]bool, len(d.Lines))
	at := d.LinesOf(pointers)
	for _, i := range at {
		if i >= 0 {
			marks[i] = true
		}
	}
	return marks
}

// LinesOf returns, for each pointer, the index of the line it concerns: the line of the
// value it names, or of its nearest existing ancestor (-1 only for an empty document).
func (d Doc) LinesOf(pointers []string) []int {
	index := make(map[string]int, len(d.Lines))
	for i, l := range d.Lines {
		if _, ok := index[l.Path]; !ok {
			index[l.Path] = i
		}
	}
	out := make([]int, len(pointers))
	for k, p := range pointers {
		out[k] = -1
		for {
			if i, ok := index[p]; ok {
				out[k] = i
				break
			}
			if p == "" {
				break
			}
			p = p[:strings.LastIndexByte(p, '/')]
		}
	}
	return out
}

// Styles are the highlighter's styles.
type Styles struct {
	Key, String, Number, Literal, Punct lipgloss.Style
}

// DefaultStyles returns colours that read on dark and light backgrounds.
func DefaultStyles() Styles {
	return Styles{
		Key:     lipgloss.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#1d4ed8", Dark: "#7dd3fc"}),
		String:  lipgloss.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#15803d", Dark: "#86efac"}),
		Number:  lipgloss.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#b45309", Dark: "#fcd34d"}),
		Literal: lipgloss.NewStyle().Foreground(lipgloss.AdaptiveColor{Light: "#9333ea", Dark: "#d8b4fe"}),
		Punct:   lipgloss.NewStyle().Faint(true),
	}
}

// Render returns the highlighted lines of d, indented by two spaces per level.
func (d Doc) Render(s Styles) []string {
	out := make([]string, len(d.Lines))
	var b strings.Builder
	for i, l := range d.Lines {
		b.Reset()
		b.WriteString(strings.Repeat("  ", l.Depth))
		if l.Key != "" {
			b.WriteString(s.Key.Render(l.Key))
			b.WriteString(": ")
		}
		switch l.Kind {
		case KindString:
			b.WriteString(s.String.Render(l.Value))
		case KindNumber:
			b.WriteString(s.Number.Render(l.Value))
		case KindLiteral:
			b.WriteString(s.Literal.Render(l.Value))
		default:
			b.WriteString(s.Punct.Render(l.Value))
		}
		if l.Comma {
			b.WriteString(",")
		}
		out[i] = b.String()
	}
	return out
}

// Plain returns d as indented text without styles: what copy and save use.
func (d Doc) Plain() string {
	var b strings.Builder
	for _, l := range d.Lines {
		b.WriteString(strings.Repeat("  ", l.Depth))
		if l.Key != "" {
			b.WriteString(l.Key + ": ")
		}
		b.WriteString(l.Value)
		if l.Comma {
			b.WriteString(",")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

package expr

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tString
	tNumber
	tOp
	tLParen
	tRParen
	tLBrack
	tRBrack
	tComma
	tDot
	tQuestion
	tColon
	tLBrace
	tRBrace
)

type token struct {
	kind tokKind
	text string // identifier name (unescaped), string value, number text or operator
	pos  int    // byte offset in the source
	// quoted marks a name written inside ${}: never a keyword, operator or function
	quoted bool
}

// SyntaxError reports a malformed expression. Pos is the 1-based character column where
// the problem was found.
type SyntaxError struct {
	Expr string
	Pos  int
	Msg  string
	// Err is the underlying cause for function errors (e.g. *UnsupportedFunctionError).
	Err error
}

func (e *SyntaxError) Unwrap() error { return e.Err }

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("syntax error at column %d: %s (in %q)", e.Pos, e.Msg, e.Expr)
}

func (p *parser) errAt(off int, format string, a ...any) error {
	col := utf8.RuneCountInString(p.src[:min(off, len(p.src))]) + 1
	return &SyntaxError{Expr: p.src, Pos: col, Msg: fmt.Sprintf(format, a...)}
}

func (p *parser) wrapAt(off int, err error) error {
	col := utf8.RuneCountInString(p.src[:min(off, len(p.src))]) + 1
	return &SyntaxError{Expr: p.src, Pos: col, Msg: err.Error(), Err: err}
}

// lex splits src into tokens.
func (p *parser) lex() error {
	src := p.src
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'':
			start := i
			i++
			var b strings.Builder
			closed := false
			for i < len(src) {
				ch := src[i]
				if ch == '\\' && i+1 < len(src) {
					switch n := src[i+1]; n {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case 'r':
						b.WriteByte('\r')
					case 'u':
						if i+5 < len(src) {
							var r rune
							if _, err := fmt.Sscanf(src[i+2:i+6], "%04x", &r); err == nil {
								b.WriteRune(r)
								i += 6
								continue
							}
						}
						b.WriteByte('u')
					default:
						// \" \' \\ and regex escapes such as \. keep the escaped char; an
						// unknown escape keeps the backslash so regexes like "\d" work.
						if n == '"' || n == '\'' || n == '\\' {
							b.WriteByte(n)
						} else {
							b.WriteByte('\\')
							b.WriteByte(n)
						}
					}
					i += 2
					continue
				}
				if ch == c {
					closed = true
					i++
					break
				}
				b.WriteByte(ch)
				i++
			}
			if !closed {
				return p.errAt(start, "unterminated string")
			}
			p.toks = append(p.toks, token{kind: tString, text: b.String(), pos: start})
		case c >= '0' && c <= '9':
			start := i
			for i < len(src) && (src[i] >= '0' && src[i] <= '9') {
				i++
			}
			if i+1 < len(src) && src[i] == '.' && src[i+1] >= '0' && src[i+1] <= '9' {
				i++
				for i < len(src) && (src[i] >= '0' && src[i] <= '9') {
					i++
				}
			}
			if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
				j := i + 1
				if j < len(src) && (src[j] == '+' || src[j] == '-') {
					j++
				}
				if j < len(src) && src[j] >= '0' && src[j] <= '9' {
					i = j
					for i < len(src) && src[i] >= '0' && src[i] <= '9' {
						i++
					}
				}
			}
			// Java-style suffixes (10L, 1.5d, 2f) are accepted and ignored.
			if i < len(src) && strings.IndexByte("lLdDfF", src[i]) >= 0 && (i+1 == len(src) || !isIdentPart(rune(src[i+1]))) {
				p.toks = append(p.toks, token{kind: tNumber, text: src[start:i], pos: start})
				i++
				continue
			}
			if i < len(src) && isIdentPart(rune(src[i])) {
				return p.errAt(i, "unexpected %q after number", src[i])
			}
			p.toks = append(p.toks, token{kind: tNumber, text: src[start:i], pos: start})
		case c == '$' && i+1 < len(src) && src[i+1] == '{':
			// ${a.b c\.d}: dots are path separators, \. a literal dot, and a name may hold
			// spaces, hyphens or a reserved word.
			start := i
			segs, end, err := SplitBraced(src[i:])
			if err != "" {
				return p.errAt(start, "%s", err)
			}
			for k, seg := range segs {
				if k > 0 {
					p.toks = append(p.toks, token{kind: tDot, text: ".", pos: start})
				}
				p.toks = append(p.toks, token{kind: tIdent, text: seg, pos: start, quoted: true})
			}
			i += end
		case isIdentStart(c, src[i:]):
			start := i
			var b strings.Builder
			for i < len(src) {
				if src[i] == '\\' && i+1 < len(src) && src[i+1] == '.' {
					b.WriteByte('.')
					i += 2
					continue
				}
				r, w := utf8.DecodeRuneInString(src[i:])
				if !isIdentPart(r) {
					break
				}
				b.WriteString(src[i : i+w])
				i += w
			}
			p.toks = append(p.toks, token{kind: tIdent, text: b.String(), pos: start})
		default:
			start := i
			two := ""
			if i+1 < len(src) {
				two = src[i : i+2]
			}
			switch two {
			case "==", "!=", "<=", ">=", "&&", "||", "=~", "!~":
				p.toks = append(p.toks, token{kind: tOp, text: two, pos: start})
				i += 2
				continue
			}
			i++
			switch c {
			case '(':
				p.toks = append(p.toks, token{kind: tLParen, text: "(", pos: start})
			case ')':
				p.toks = append(p.toks, token{kind: tRParen, text: ")", pos: start})
			case '[':
				p.toks = append(p.toks, token{kind: tLBrack, text: "[", pos: start})
			case ']':
				p.toks = append(p.toks, token{kind: tRBrack, text: "]", pos: start})
			case ',':
				p.toks = append(p.toks, token{kind: tComma, text: ",", pos: start})
			case '.':
				p.toks = append(p.toks, token{kind: tDot, text: ".", pos: start})
			case '?':
				p.toks = append(p.toks, token{kind: tQuestion, text: "?", pos: start})
			case ':':
				p.toks = append(p.toks, token{kind: tColon, text: ":", pos: start})
			case '{':
				p.toks = append(p.toks, token{kind: tLBrace, text: "{", pos: start})
			case '}':
				p.toks = append(p.toks, token{kind: tRBrace, text: "}", pos: start})
			case '+', '-', '*', '/', '%', '<', '>', '!', '~':
				p.toks = append(p.toks, token{kind: tOp, text: string(c), pos: start})
			default:
				r, _ := utf8.DecodeRuneInString(src[start:])
				return p.errAt(start, "unexpected character %q", r)
			}
		}
	}
	p.toks = append(p.toks, token{kind: tEOF, text: "", pos: len(src)})
	return nil
}

func isIdentStart(c byte, rest string) bool {
	if c == '_' || c == '@' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') {
		return true
	}
	if c >= utf8.RuneSelf {
		r, _ := utf8.DecodeRuneInString(rest)
		return unicode.IsLetter(r)
	}
	return false
}

func isIdentPart(r rune) bool {
	return r == '_' || r == '@' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// SplitBraced reads a ${...} name at the start of s: the names it holds (split at dots;
// "\." is a literal dot and "\\" a backslash) and the length of the ${...} text. It
// returns a message when the braces are unterminated or a name is empty.
func SplitBraced(s string) (names []string, n int, msg string) {
	if !strings.HasPrefix(s, "${") {
		return nil, 0, "expected ${"
	}
	var b strings.Builder
	for i := 2; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && i+1 < len(s) && (s[i+1] == '.' || s[i+1] == '\\' || s[i+1] == '}'):
			b.WriteByte(s[i+1])
			i++
		case c == '.':
			if b.Len() == 0 {
				return nil, 0, "empty name in ${...}"
			}
			names = append(names, b.String())
			b.Reset()
		case c == '}':
			if b.Len() == 0 {
				if len(names) == 0 {
					return nil, 0, "empty ${} name"
				}
				return nil, 0, "empty name in ${...}"
			}
			return append(names, b.String()), i + 1, ""
		default:
			b.WriteByte(c)
		}
	}
	return nil, 0, "unterminated ${...} name"
}

package asm

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a token.
type tokKind uint8

const (
	tEOF       tokKind = iota
	tNewline           // end of a statement
	tIdent             // a name: LOAD_FAST, x, None, inf
	tDirective         // .name, .const, ...
	tInt               // 12, -3 is '-' then 12; 0x1f
	tFloat             // 1.5, 1e10, 2.
	tImag              // 3j, 1.5j
	tString            // 'abc', b'...', u"..."
	tPos               // @4-9, @?-12:?
	tPunct             // ( ) [ ] { } , : ! + - & = | < > ...
)

// token is one lexeme with where it starts.
type token struct {
	kind tokKind
	text string // as written
	line int
	col  int // 1-based, in runes
	// off and end are the byte offsets of the token in the source.
	off, end int
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tNewline:
		return "end of line"
	}
	return fmt.Sprintf("%q", t.text)
}

// lexer splits assembly text into tokens. Comments run from # to the end
// of the line; newlines end statements.
type lexer struct {
	src       string
	pos       int
	line      int
	lineStart int
	toks      []token
	// colOff and colN cache the column of a position on the current
	// line, so that counting runes stays linear on long lines.
	colOff, colN int
}

// Error is an error in assembly text: where and what.
type Error struct {
	// File names the source, when known.
	File string
	// Line and Col locate the error (1-based; Col counts characters).
	Line, Col int
	// Msg says what is wrong.
	Msg string
	// Err is an underlying error, if any (such as a build error).
	Err error
}

// Error returns "file:line:col: message".
func (e *Error) Error() string {
	s := ""
	if e.File != "" {
		s = e.File + ":"
	}
	if e.Line > 0 {
		s += fmt.Sprintf("%d:%d: ", e.Line, e.Col)
	} else if s != "" {
		s += " "
	}
	return s + e.Msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

func (lx *lexer) errAt(line, col int, format string, a ...any) *Error {
	return &Error{Line: line, Col: col, Msg: fmt.Sprintf(format, a...)}
}

func (lx *lexer) col(off int) int {
	if lx.colOff < lx.lineStart || lx.colOff > off {
		lx.colOff, lx.colN = lx.lineStart, 0
	}
	lx.colN += utf8.RuneCountInString(lx.src[lx.colOff:off])
	lx.colOff = off
	return lx.colN + 1
}

// lex tokenises the whole source.
func lex(src string) ([]token, error) {
	lx := &lexer{src: src, line: 1, toks: make([]token, 0, len(src)/4)}
	for {
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		lx.toks = append(lx.toks, t)
		if t.kind == tEOF {
			return lx.toks, nil
		}
	}
}

func isIdentStart(r rune) bool {
	return r == '_' || unicode.IsLetter(r)
}

func isIdentPart(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r)
}

func (lx *lexer) next() (token, error) {
	src := lx.src
	for lx.pos < len(src) {
		c := src[lx.pos]
		if c == ' ' || c == '\t' || c == '\r' || c == '\f' {
			lx.pos++
			continue
		}
		if c == '#' {
			for lx.pos < len(src) && src[lx.pos] != '\n' {
				lx.pos++
			}
			continue
		}
		if c == '\\' && lx.pos+1 < len(src) && src[lx.pos+1] == '\n' {
			lx.pos += 2 // explicit line joining
			lx.line++
			lx.lineStart = lx.pos
			continue
		}
		break
	}
	start := lx.pos
	t := token{line: lx.line, col: lx.col(start), off: start}
	done := func(k tokKind) (token, error) {
		t.kind = k
		t.text = src[start:lx.pos]
		t.end = lx.pos
		return t, nil
	}
	if lx.pos >= len(src) {
		return done(tEOF)
	}
	c := src[lx.pos]
	if c == '\n' {
		lx.pos++
		t.text = "\n"
		t.kind = tNewline
		t.end = lx.pos
		lx.line++
		lx.lineStart = lx.pos
		return t, nil
	}
	// String literals, with an optional b, u or r prefix.
	if q, n := stringStart(src[lx.pos:]); q != 0 {
		lx.pos += n
		for {
			if lx.pos >= len(src) || src[lx.pos] == '\n' {
				return t, lx.errAt(t.line, t.col, "unterminated string literal")
			}
			ch := src[lx.pos]
			if ch == '\\' {
				lx.pos += 2
				continue
			}
			lx.pos++
			if ch == q {
				break
			}
		}
		return done(tString)
	}
	r, size := utf8.DecodeRuneInString(src[lx.pos:])
	switch {
	case c == '.' && lx.pos+1 < len(src) && isIdentStart(rune(src[lx.pos+1])):
		lx.pos++
		for lx.pos < len(src) {
			r, n := utf8.DecodeRuneInString(src[lx.pos:])
			if !(isIdentPart(r) || r == '-') {
				break
			}
			lx.pos += n
		}
		return done(tDirective)
	case isIdentStart(r):
		lx.pos += size
		for lx.pos < len(src) {
			r, n := utf8.DecodeRuneInString(src[lx.pos:])
			if !isIdentPart(r) {
				break
			}
			lx.pos += n
		}
		// Opcode names such as SLICE+0 (Python 2) and <201>.
		if lx.pos+1 < len(src) && src[lx.pos] == '+' && src[lx.pos+1] >= '0' && src[lx.pos+1] <= '9' && strings.ToUpper(src[start:lx.pos]) == src[start:lx.pos] {
			lx.pos += 2
		}
		return done(tIdent)
	case c >= '0' && c <= '9' || c == '.' && lx.pos+1 < len(src) && src[lx.pos+1] >= '0' && src[lx.pos+1] <= '9':
		return lx.number(t, start)
	case c == '@' && lx.pos+1 < len(src) && (src[lx.pos+1] >= '0' && src[lx.pos+1] <= '9' || src[lx.pos+1] == '?'):
		lx.pos++
		for lx.pos < len(src) && strings.IndexByte("0123456789?-:", src[lx.pos]) >= 0 {
			lx.pos++
		}
		return done(tPos)
	}
	// Punctuation: the two- and three-character operators first.
	for _, op := range []string{"**=", "//=", ">>=", "<<=", "**", "//", ">>", "<<", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "->"} {
		if strings.HasPrefix(src[lx.pos:], op) {
			lx.pos += len(op)
			return done(tPunct)
		}
	}
	lx.pos += size
	return done(tPunct)
}

// stringStart reports whether s starts a string literal: the quote and
// how many bytes the prefix and quote take.
func stringStart(s string) (byte, int) {
	i := 0
	for i < len(s) && i < 2 && strings.IndexByte("bBuUrR", s[i]) >= 0 {
		i++
	}
	if i < len(s) && (s[i] == '\'' || s[i] == '"') {
		return s[i], i + 1
	}
	return 0, 0
}

func (lx *lexer) number(t token, start int) (token, error) {
	src := lx.src
	isHex := strings.HasPrefix(src[lx.pos:], "0x") || strings.HasPrefix(src[lx.pos:], "0X")
	if isHex {
		lx.pos += 2
		for lx.pos < len(src) && strings.IndexByte("0123456789abcdefABCDEF_", src[lx.pos]) >= 0 {
			lx.pos++
		}
		t.kind, t.text, t.end = tInt, src[start:lx.pos], lx.pos
		return t, nil
	}
	kind := tInt
	digits := func() {
		for lx.pos < len(src) && (src[lx.pos] >= '0' && src[lx.pos] <= '9' || src[lx.pos] == '_') {
			lx.pos++
		}
	}
	digits()
	if lx.pos < len(src) && src[lx.pos] == '.' {
		kind = tFloat
		lx.pos++
		digits()
	}
	if lx.pos < len(src) && (src[lx.pos] == 'e' || src[lx.pos] == 'E') {
		p := lx.pos + 1
		if p < len(src) && (src[p] == '+' || src[p] == '-') {
			p++
		}
		if p < len(src) && src[p] >= '0' && src[p] <= '9' {
			kind = tFloat
			lx.pos = p
			digits()
		}
	}
	if lx.pos < len(src) && (src[lx.pos] == 'j' || src[lx.pos] == 'J') {
		kind = tImag
		lx.pos++
	} else if lx.pos < len(src) && (src[lx.pos] == 'L' || src[lx.pos] == 'l') && kind == tInt {
		lx.pos++ // a Python 2 long
	}
	t.kind, t.text, t.end = kind, src[start:lx.pos], lx.pos
	return t, nil
}

package asm

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/pyc-tools/pyc/build"
	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/opcode"
	"github.com/pyc-tools/pyc/pyc"
)

// File is a parsed assembly file: the pyc header and the top-level code
// object in builder form.
type File struct {
	// Version is the Python version the code is for.
	Version *pyc.Version
	// Header is the pyc header (its Version is Version).
	Header pyc.Header
	// Headerless reports a bare marshal stream (.headerless).
	Headerless bool
	// Code is the top-level code object, or nil when Object is set.
	Code *build.Code
	// Object is a top-level object other than a code object (.object).
	Object marshal.Value
	// Trailing are bytes after the marshal stream (.trailing).
	Trailing []byte

	annots map[marshal.Value]build.Spec
}

// Assemble parses assembly text and builds the pyc file it describes.
// Errors are *Error values naming the line and column.
func Assemble(src []byte) (*pyc.File, error) {
	f, err := Parse(src)
	if err != nil {
		return nil, err
	}
	return f.Build()
}

// Parse reads assembly text.
func Parse(src []byte) (*File, error) {
	toks, err := lex(string(src))
	if err != nil {
		return nil, err
	}
	p := &parser{src: string(src), toks: toks, f: &File{annots: map[marshal.Value]build.Spec{}}}
	if err := p.file(); err != nil {
		return nil, err
	}
	return p.f, nil
}

// Build assembles the code objects and settles the encoding of every
// object, giving the pyc file.
func (f *File) Build() (*pyc.File, error) {
	var top marshal.Value = f.Object
	if f.Code != nil {
		m, err := f.Code.AssembleWith(build.Options{Annots: f.annots})
		if err != nil {
			return nil, buildError(err)
		}
		top = m
	}
	top, err := build.Finalize(top, f.Version, f.annots)
	if err != nil {
		return nil, err
	}
	out := &pyc.File{Header: f.Header, Headerless: f.Headerless, Code: top, Trailing: f.Trailing}
	out.Header.Version = f.Version
	return out, nil
}

// buildError turns a build error into an *Error with its position.
func buildError(err error) error {
	var be *build.Error
	if errors.As(err, &be) {
		msg := be.Err.Error()
		if be.Code != "" {
			msg = "in " + be.Code + ": " + msg
		}
		return &Error{Line: be.Pos.Line, Col: be.Pos.Col, Msg: msg, Err: err}
	}
	return err
}

type parser struct {
	src   string
	toks  []token
	pos   int
	f     *File
	v     *pyc.Version
	py2   bool
	depth int // nesting of values and code blocks
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) peekAt(k int) token {
	if p.pos+k < len(p.toks) {
		return p.toks[p.pos+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) advance() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *parser) errorf(t token, format string, a ...any) *Error {
	return &Error{Line: t.line, Col: t.col, Msg: fmt.Sprintf(format, a...)}
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tPunct && t.text == s
}

func (p *parser) expectPunct(s string) error {
	t := p.advance()
	if t.kind != tPunct || t.text != s {
		return p.errorf(t, "expected %q, found %s", s, t)
	}
	return nil
}

// endOfStatement expects the end of a line.
func (p *parser) endOfStatement() error {
	t := p.peek()
	if t.kind == tNewline {
		p.advance()
		return nil
	}
	if t.kind == tEOF {
		return nil
	}
	return p.errorf(t, "unexpected %s", t)
}

func (p *parser) skipNewlines() {
	for p.peek().kind == tNewline {
		p.advance()
	}
}

// restOfLine returns the source text up to the end of the line (comments
// excluded) and moves past it.
func (p *parser) restOfLine() (string, token) {
	first := p.peek()
	start, end := first.off, first.off
	for p.peek().kind != tNewline && p.peek().kind != tEOF {
		end = p.advance().end
	}
	return strings.TrimSpace(p.src[start:end]), first
}

func (p *parser) intArg(what string) (int64, token, error) {
	neg := false
	t := p.peek()
	if p.isPunct("-") {
		p.advance()
		neg = true
	}
	n := p.advance()
	if n.kind != tInt {
		return 0, t, p.errorf(n, "%s: expected an integer, found %s", what, n)
	}
	v, ok := parseIntLiteral(strings.TrimSuffix(strings.TrimSuffix(n.text, "L"), "l"))
	if !ok || v.Big != nil {
		return 0, t, p.errorf(n, "%s: integer out of range", what)
	}
	if neg {
		v.Small = -v.Small
	}
	return v.Small, t, nil
}

func (p *parser) uint32Arg(what string) (uint32, error) {
	n, t, err := p.intArg(what)
	if err != nil {
		return 0, err
	}
	if n < 0 || n > math.MaxUint32 {
		return 0, p.errorf(t, "%s: %d out of range", what, n)
	}
	return uint32(n), nil
}

func (p *parser) int32Arg(what string) (int, error) {
	n, t, err := p.intArg(what)
	if err != nil {
		return 0, err
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		return 0, p.errorf(t, "%s: %d out of range", what, n)
	}
	return int(n), nil
}

// file parses the whole text.
func (p *parser) file() error {
	f := p.f
	var magic []byte
	var python string
	var pythonTok, magicTok token
	hdr := map[string]bool{}
	headerDone := false
	for {
		p.skipNewlines()
		t := p.peek()
		if t.kind == tEOF {
			break
		}
		if t.kind == tIdent && t.text == "code" || t.kind == tDirective && t.text == ".object" {
			if headerDone {
				return p.errorf(t, "a second top-level object")
			}
			if err := p.settleVersion(magic, python, magicTok, pythonTok, t); err != nil {
				return err
			}
			headerDone = true
			if t.text == "code" {
				p.advance()
				c, err := p.codeBlock(t, build.CtxTop, false)
				if err != nil {
					return err
				}
				f.Code = c
			} else {
				p.advance()
				v, err := p.value(build.CtxConst)
				if err != nil {
					return err
				}
				f.Object = v
				if err := p.endOfStatement(); err != nil {
					return err
				}
			}
			continue
		}
		if t.kind != tDirective {
			return p.errorf(t, "expected a header directive or \"code\", found %s", t)
		}
		p.advance()
		name := t.text
		if hdr[name] {
			return p.errorf(t, "%s given twice", name)
		}
		hdr[name] = true
		if headerDone && name != ".trailing" {
			return p.errorf(t, "%s must come before the code", name)
		}
		var err error
		switch name {
		case ".magic":
			magicTok = p.peek()
			if p.peek().kind == tString {
				tok := p.advance()
				b, _, e := decodeString(tok.text)
				if e != nil || len(b) != 4 {
					return p.errorf(tok, ".magic: want a number or 4 bytes")
				}
				magic = b
			} else {
				n, t2, e := p.intArg(".magic")
				if e != nil {
					return e
				}
				if n < 0 || n > 0xffff {
					return p.errorf(t2, ".magic %d out of range", n)
				}
				magic = []byte{byte(n), byte(n >> 8), '\r', '\n'}
			}
		case ".python":
			python, pythonTok = p.restOfLine()
		case ".headerless":
			f.Headerless = true
		case ".flags":
			f.Header.Flags, err = p.uint32Arg(".flags")
		case ".mtime":
			f.Header.Mtime, err = p.uint32Arg(".mtime")
		case ".source_size":
			f.Header.SourceSize, err = p.uint32Arg(".source_size")
		case ".hash":
			s, tok := p.restOfLine()
			b, e := hex.DecodeString(s)
			if e != nil || len(b) != 8 {
				return p.errorf(tok, ".hash: want 16 hexadecimal digits")
			}
			copy(f.Header.Hash[:], b)
		case ".trailing":
			tok := p.advance()
			if tok.kind != tString || !strings.ContainsAny(tok.text[:1], "bB") {
				return p.errorf(tok, ".trailing: want a bytes literal")
			}
			f.Trailing, _, err = decodeString(tok.text)
		default:
			return p.errorf(t, "unknown header directive %s", name)
		}
		if err != nil {
			return err
		}
		if err := p.endOfStatement(); err != nil {
			return err
		}
	}
	if !headerDone {
		return p.errorf(p.peek(), "no code object (want \"code\" ... \"end\" or .object)")
	}
	if f.Header.Flags&^3 != 0 && !f.Headerless {
		return &Error{Msg: fmt.Sprintf(".flags 0x%x: only bits 0 and 1 are defined", f.Header.Flags)}
	}
	return nil
}

// settleVersion works out the version from .magic and .python.
func (p *parser) settleVersion(magic []byte, python string, magicTok, pythonTok, at token) error {
	f := p.f
	var v *pyc.Version
	if python != "" {
		pv, err := pyc.ParseVersion(python)
		if err != nil {
			return p.errorf(pythonTok, ".python: %v", err)
		}
		v = pv
	}
	switch {
	case f.Headerless:
		if v == nil {
			return p.errorf(at, ".headerless needs .python")
		}
	case magic == nil && v == nil:
		return p.errorf(at, "no .magic (or .python) in the header")
	case magic == nil:
		magic = v.Raw[:]
	}
	if !f.Headerless {
		copy(f.Header.Magic[:], magic)
		known, ok := pyc.LookupMagic(f.Header.Magic)
		switch {
		case v == nil && !ok:
			return p.errorf(magicTok, "unknown magic number %d: give the version with .python", binary.LittleEndian.Uint16(magic))
		case v == nil:
			v = known
		case ok && (known.Layout != v.Layout || known.MarshalVersion != v.MarshalVersion || known.HeaderSize != v.HeaderSize):
			return p.errorf(pythonTok, ".python %s does not write files like magic %d (%s)", python, known.Magic, known)
		case ok:
			// The magic's own version, read as the implementation given.
			nv := *known
			nv.Impl, nv.Major, nv.Minor = v.Impl, v.Major, v.Minor
			v = &nv
		}
	}
	if v.Layout == marshal.LayoutNone && p.peek().text == "code" {
		return p.errorf(at, "%s has no known code-object layout", v)
	}
	f.Version = v
	f.Header.Version = v
	p.v = v
	p.py2 = v.Major < 3
	return nil
}

// annot reads an annotation (!T+ &N), if one follows.
func (p *parser) annot() (build.Spec, bool, error) {
	var sp build.Spec
	any := false
	if p.isPunct("!") {
		any = true
		p.advance()
		t := p.peek()
		if t.kind == tIdent && len(t.text) == 1 && strings.Contains(typeCodes, t.text) ||
			t.kind == tPunct && len(t.text) == 1 && strings.Contains(typeCodes, t.text) {
			sp.Type = t.text[0]
			p.advance()
		}
		switch {
		case p.isPunct("+"):
			p.advance()
			sp.Ref = build.RefSet
		case p.isPunct("-"):
			p.advance()
			sp.Ref = build.RefClear
		}
		if sp.Type == 0 && sp.Ref == build.RefDefault {
			return sp, true, p.errorf(t, "expected a type code, + or - after !")
		}
	}
	if p.isPunct("&") {
		any = true
		p.advance()
		n := p.advance()
		tag, err := strconv.Atoi(n.text)
		if n.kind != tInt || err != nil || tag <= 0 {
			return sp, true, p.errorf(n, "expected a positive tag after &")
		}
		sp.Tag = tag
	}
	return sp, any, nil
}

// checkType checks an explicit type code against a value's kind and the
// version's marshal format.
func (p *parser) checkType(t token, v marshal.Value, typ byte) error {
	mv := p.v.MarshalVersion
	ok := false
	switch v.(type) {
	case *marshal.Str:
		if p.py2 {
			ok = typ == 's' || typ == 't'
		} else {
			ok = strings.IndexByte("uazAZt", typ) >= 0 && (typ != 't' || mv >= 1) && (strings.IndexByte("azAZ", typ) < 0 || mv >= 4)
		}
	case *marshal.Unicode:
		ok = typ == 'u'
	case *marshal.Bytes:
		ok = typ == 's'
	case *marshal.Int:
		ok = typ == 'i' || typ == 'l' || typ == 'I'
	case *marshal.Float:
		ok = typ == 'f' || typ == 'g' && mv >= 2
	case *marshal.Complex:
		ok = typ == 'x' || typ == 'y' && mv >= 2
	case *marshal.Tuple:
		// Python 1.0 wrote co_consts and co_names as lists.
		ok = typ == '(' || typ == ')' && mv >= 4 || typ == '[' && p.v.Layout == marshal.Layout10
	case *marshal.List:
		ok = typ == '['
	case *marshal.Dict:
		ok = typ == '{' || typ == '}'
	case *marshal.Set:
		ok = typ == '<' || typ == '>'
	case *marshal.Code:
		// Python 1.0 wrote code objects as 'C'.
		ok = typ == 'c' || typ == 'C' && p.v.Layout == marshal.Layout10
	case *marshal.Slice:
		ok = typ == ':'
	}
	if !ok {
		return p.errorf(t, "type code %q does not fit a %s in marshal version %d", typ, marshal.KindName(v), mv)
	}
	return nil
}

// finish sets a parsed value's encoding from its annotation or the
// default for ctx.
func (p *parser) finish(t token, v marshal.Value, ctx build.Ctx) (marshal.Value, error) {
	sp, _, err := p.annot()
	if err != nil {
		return nil, err
	}
	if s, ok := v.(marshal.Singleton); ok {
		if sp.Type != 0 || sp.Tag != 0 || sp.Ref == build.RefClear {
			return nil, p.errorf(t, "%s takes no annotation but !+", s)
		}
		if sp.Ref == build.RefSet {
			s |= 0x80
		}
		return s, nil
	}
	e, ok := v.(marshal.Encoded)
	if !ok {
		return v, nil
	}
	if sp.Type != 0 {
		if err := p.checkType(t, v, sp.Type); err != nil {
			return nil, err
		}
		e.Enc().Type = sp.Type
	} else if e.Enc().Type == 0 {
		e.Enc().Type = build.DefaultType(p.v, v, ctx)
	}
	if (sp.Ref != build.RefDefault) && p.v.MarshalVersion < 3 {
		return nil, p.errorf(t, "marshal version %d has no FLAG_REF", p.v.MarshalVersion)
	}
	if sp.Ref != build.RefDefault || sp.Tag != 0 {
		p.f.annots[v] = build.Spec{Ref: sp.Ref, Tag: sp.Tag}
	}
	return v, nil
}

// value reads a constant with its annotation.
func (p *parser) value(ctx build.Ctx) (marshal.Value, error) {
	t := p.peek()
	v, err := p.atom(ctx, itemCtxOf(ctx))
	if err != nil {
		return nil, err
	}
	if _, ok := v.(*marshal.Code); ok && ctx == build.CtxConst {
		ctx = build.CtxNested
	}
	return p.finish(t, v, ctx)
}

// itemCtxOf returns the context of the items of a container in ctx.
func itemCtxOf(ctx build.Ctx) build.Ctx {
	switch ctx {
	case build.FieldCtx(build.FieldNames):
		return build.CtxName
	case build.FieldCtx(build.FieldVarNames), build.FieldCtx(build.FieldCellVars), build.FieldCtx(build.FieldFreeVars), build.FieldCtx(build.FieldLocalsPlusNames):
		return build.CtxLocal
	}
	return build.CtxConst
}

// disasmTable returns the opcode table of a version.
func disasmTable(v *pyc.Version) (*opcode.Table, error) { return disasm.TableFor(v) }

// sourceText returns the source between the first and last tokens, runs of
// blanks made one space.
func (p *parser) sourceText(ts []token) string {
	if len(ts) == 0 {
		return ""
	}
	return strings.Join(strings.Fields(p.src[ts[0].off:ts[len(ts)-1].end]), " ")
}

// items reads values separated by commas up to close (newlines allowed).
func (p *parser) items(close string, itemCtx build.Ctx) ([]marshal.Value, bool, error) {
	var out []marshal.Value
	trailing := false
	for {
		p.skipNewlines()
		if p.isPunct(close) {
			p.advance()
			return out, trailing, nil
		}
		v, err := p.value(itemCtx)
		if err != nil {
			return nil, false, err
		}
		out = append(out, v)
		p.skipNewlines()
		trailing = false
		if p.isPunct(",") {
			p.advance()
			trailing = true
			continue
		}
		p.skipNewlines()
		if err := p.expectPunct(close); err != nil {
			return nil, false, err
		}
		return out, trailing, nil
	}
}

func (p *parser) str(t token) (marshal.Value, error) {
	data, prefix, err := decodeString(t.text)
	if err != nil {
		return nil, p.errorf(t, "%v", err)
	}
	switch {
	case strings.Contains(prefix, "b"):
		if p.py2 {
			return &marshal.Str{Data: data}, nil
		}
		return &marshal.Bytes{Data: data}, nil
	case p.py2 && strings.Contains(prefix, "u"):
		return &marshal.Unicode{Data: data}, nil
	case p.py2:
		b, err := decodeByteString(t.text)
		if err != nil {
			return nil, p.errorf(t, "%v", err)
		}
		return &marshal.Str{Data: b}, nil
	}
	return &marshal.Str{Data: data}, nil
}

// call reads "(args)" after a constructor name.
func (p *parser) callArgs(itemCtx build.Ctx) ([]marshal.Value, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	vs, _, err := p.items(")", itemCtx)
	return vs, err
}

func (p *parser) atom(ctx, itemCtx build.Ctx) (marshal.Value, error) {
	t := p.advance()
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > marshal.MaxDepth {
		return nil, p.errorf(t, "values nested deeper than %d", marshal.MaxDepth)
	}
	switch t.kind {
	case tString:
		return p.str(t)
	case tInt, tFloat, tImag:
		return p.number(t, false)
	case tPunct:
		switch t.text {
		case "-", "+":
			n := p.advance()
			if n.kind == tIdent && (n.text == "inf" || n.text == "nan" || n.text == "infj" || n.text == "nanj") {
				return p.special(n, t.text == "-")
			}
			if n.kind != tInt && n.kind != tFloat && n.kind != tImag {
				return nil, p.errorf(n, "expected a number after %q", t.text)
			}
			return p.number(n, t.text == "-")
		case "(":
			return p.paren(t, itemCtx)
		case "[":
			vs, _, err := p.items("]", itemCtx)
			if err != nil {
				return nil, err
			}
			return &marshal.List{Items: vs}, nil
		case "{":
			return p.brace(itemCtx)
		}
	case tIdent:
		switch t.text {
		case "None":
			return marshal.None, nil
		case "True":
			return marshal.True, nil
		case "False":
			return marshal.False, nil
		case "Ellipsis":
			return marshal.Ellipsis, nil
		case "StopIteration":
			return marshal.StopIteration, nil
		case "inf", "nan", "infj", "nanj":
			return p.special(t, false)
		case "code":
			c, err := p.codeBlock(t, build.CtxNested, true)
			if err != nil {
				return nil, err
			}
			m, err := c.AssembleWith(build.Options{Annots: p.f.annots})
			if err != nil {
				return nil, buildError(err)
			}
			return m, nil
		case "frozenset", "set":
			vs, err := p.callArgs(build.CtxConst)
			if err != nil {
				return nil, err
			}
			s := &marshal.Set{Frozen: t.text == "frozenset"}
			switch len(vs) {
			case 0:
			case 1:
				switch x := vs[0].(type) {
				case *marshal.Set:
					s.Items = x.Items
				case *marshal.List:
					s.Items = x.Items
				default:
					return nil, p.errorf(t, "%s() takes a set or list literal", t.text)
				}
			default:
				return nil, p.errorf(t, "%s() takes one argument", t.text)
			}
			return s, nil
		case "frozendict":
			vs, err := p.callArgs(build.CtxConst)
			if err != nil {
				return nil, err
			}
			d, ok := (*marshal.Dict)(nil), len(vs) == 1
			if ok {
				d, ok = vs[0].(*marshal.Dict)
			}
			if !ok {
				return nil, p.errorf(t, "frozendict() takes a dict literal")
			}
			if p.v.MarshalVersion < 5 {
				return nil, p.errorf(t, "marshal version %d cannot hold a frozendict", p.v.MarshalVersion)
			}
			d.Type = '}'
			return d, nil
		case "slice":
			vs, err := p.callArgs(build.CtxConst)
			if err != nil {
				return nil, err
			}
			if len(vs) != 3 {
				return nil, p.errorf(t, "slice() takes three arguments")
			}
			if p.v.MarshalVersion < 5 {
				return nil, p.errorf(t, "marshal version %d cannot hold a slice", p.v.MarshalVersion)
			}
			return &marshal.Slice{Start: vs[0], Stop: vs[1], Step: vs[2]}, nil
		case "float", "complex", "str", "unicode":
			return p.constructor(t)
		}
	}
	return nil, p.errorf(t, "expected a constant, found %s", t)
}

// constructor reads float('text'), float.frombits(0x...), complex('re',
// 'im'), complex.frombits(0x..., 0x...), str(b'...') and unicode(b'...').
func (p *parser) constructor(t token) (marshal.Value, error) {
	method := ""
	if p.peek().kind == tDirective && p.peek().text == ".frombits" {
		p.advance()
		method = "frombits"
	}
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var args []token
	for !p.isPunct(")") {
		a := p.advance()
		if a.kind == tEOF || a.kind == tNewline {
			return nil, p.errorf(a, "unterminated %s(...)", t.text)
		}
		args = append(args, a)
		if p.isPunct(",") {
			p.advance()
		}
	}
	p.advance()
	bits := func(a token) (float64, error) {
		n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimPrefix(a.text, "0x"), "0X"), 16, 64)
		if a.kind != tInt || err != nil {
			return 0, p.errorf(a, "expected 64 bits in hexadecimal")
		}
		return math.Float64frombits(n), nil
	}
	text := func(a token) ([]byte, float64, error) {
		if a.kind != tString {
			return nil, 0, p.errorf(a, "expected a string")
		}
		b, _, err := decodeString(a.text)
		if err != nil {
			return nil, 0, p.errorf(a, "%v", err)
		}
		f, ok := parseFloatLiteral(strings.TrimSpace(string(b)))
		if !ok {
			return nil, 0, p.errorf(a, "%q is not a float", b)
		}
		return b, f, nil
	}
	switch {
	case t.text == "float" && method == "frombits" && len(args) == 1:
		f, err := bits(args[0])
		return &marshal.Float{Value: f}, err
	case t.text == "float" && method == "" && len(args) == 1:
		b, f, err := text(args[0])
		if err != nil {
			return nil, err
		}
		return &marshal.Float{Encoding: marshal.Encoding{Type: 'f'}, Value: f, Text: b}, nil
	case t.text == "complex" && method == "frombits" && len(args) == 2:
		re, err := bits(args[0])
		if err != nil {
			return nil, err
		}
		im, err := bits(args[1])
		return &marshal.Complex{Real: re, Imag: im}, err
	case t.text == "complex" && method == "" && len(args) == 2:
		rb, re, err := text(args[0])
		if err != nil {
			return nil, err
		}
		ib, im, err := text(args[1])
		if err != nil {
			return nil, err
		}
		return &marshal.Complex{Encoding: marshal.Encoding{Type: 'x'}, Real: re, Imag: im, RealText: rb, ImagText: ib}, nil
	case (t.text == "str" || t.text == "unicode") && method == "" && len(args) == 1 && args[0].kind == tString:
		b, prefix, err := decodeString(args[0].text)
		if err != nil || !strings.Contains(prefix, "b") {
			return nil, p.errorf(args[0], "%s() takes a bytes literal", t.text)
		}
		if t.text == "unicode" {
			return &marshal.Unicode{Data: b}, nil
		}
		return &marshal.Str{Data: b}, nil
	}
	return nil, p.errorf(t, "bad arguments to %s%s()", t.text, map[bool]string{true: ".frombits"}[method != ""])
}

func (p *parser) special(t token, neg bool) (marshal.Value, error) {
	f := math.Inf(1)
	if strings.HasPrefix(t.text, "nan") {
		f = math.NaN()
	}
	if neg {
		f = -f
	}
	if strings.HasSuffix(t.text, "j") {
		return &marshal.Complex{Imag: f}, nil
	}
	return &marshal.Float{Value: f}, nil
}

func (p *parser) number(t token, neg bool) (marshal.Value, error) {
	text := t.text
	switch t.kind {
	case tInt:
		long := strings.HasSuffix(text, "L") || strings.HasSuffix(text, "l")
		v, ok := parseIntLiteral(strings.TrimRight(text, "Ll"))
		if !ok {
			return nil, p.errorf(t, "bad integer %s", text)
		}
		if neg {
			if v.Big != nil {
				v.Big.Neg(v.Big)
			} else if v.Small == math.MinInt64 {
				return nil, p.errorf(t, "integer out of range")
			} else {
				v.Small = -v.Small
			}
			if v.Big != nil && v.Big.IsInt64() {
				v.Small, v.Big = v.Big.Int64(), nil
			}
		}
		if long {
			if !p.py2 {
				return nil, p.errorf(t, "the L suffix is Python 2's")
			}
			v.Type = 'l'
		}
		return v, nil
	case tFloat:
		f, ok := parseFloatLiteral(text)
		if !ok {
			return nil, p.errorf(t, "bad float %s", text)
		}
		if neg {
			f = -f
		}
		return &marshal.Float{Value: f}, nil
	case tImag:
		f, ok := parseFloatLiteral(strings.TrimRight(text, "jJ"))
		if !ok {
			return nil, p.errorf(t, "bad imaginary number %s", text)
		}
		if neg {
			f = -f
		}
		return &marshal.Complex{Imag: f}, nil
	}
	return nil, p.errorf(t, "expected a number")
}

// paren reads a tuple or a complex (re+imj).
func (p *parser) paren(t token, itemCtx build.Ctx) (marshal.Value, error) {
	// A complex: ( [-]re [+-] im j )
	save := p.pos
	if c, ok := p.complexParen(); ok {
		return c, nil
	}
	p.pos = save
	vs, trailing, err := p.items(")", itemCtx)
	if err != nil {
		return nil, err
	}
	if len(vs) == 1 && !trailing {
		return nil, p.errorf(t, "a tuple of one item needs a trailing comma")
	}
	return &marshal.Tuple{Items: vs}, nil
}

func (p *parser) complexParen() (marshal.Value, bool) {
	sign := func() float64 {
		if p.isPunct("-") {
			p.advance()
			return -1
		}
		if p.isPunct("+") {
			p.advance()
		}
		return 1
	}
	part := func(imag bool) (float64, bool) {
		s := sign()
		t := p.advance()
		var f float64
		switch {
		case t.kind == tIdent && !imag && (t.text == "inf" || t.text == "nan"):
			f, _ = parseFloatLiteral(t.text)
		case t.kind == tIdent && imag && (t.text == "infj" || t.text == "nanj"):
			f, _ = parseFloatLiteral(strings.TrimSuffix(t.text, "j"))
		case t.kind == tFloat && !imag || t.kind == tInt && !imag:
			v, ok := parseFloatLiteral(t.text)
			if !ok {
				return 0, false
			}
			f = v
		case t.kind == tImag && imag:
			v, ok := parseFloatLiteral(strings.TrimRight(t.text, "jJ"))
			if !ok {
				return 0, false
			}
			f = v
		default:
			return 0, false
		}
		return s * f, true
	}
	re, ok := part(false)
	if !ok || !(p.isPunct("+") || p.isPunct("-")) {
		return nil, false
	}
	im, ok := part(true)
	if !ok || !p.isPunct(")") {
		return nil, false
	}
	p.advance()
	return &marshal.Complex{Real: re, Imag: im}, true
}

// brace reads a set or a dict.
func (p *parser) brace(itemCtx build.Ctx) (marshal.Value, error) {
	p.skipNewlines()
	if p.isPunct("}") {
		p.advance()
		return &marshal.Dict{}, nil
	}
	first, err := p.value(build.CtxConst)
	if err != nil {
		return nil, err
	}
	p.skipNewlines()
	if !p.isPunct(":") {
		// A set.
		items := []marshal.Value{first}
		if p.isPunct(",") {
			p.advance()
			rest, _, err := p.items("}", itemCtx)
			if err != nil {
				return nil, err
			}
			items = append(items, rest...)
		} else if err := p.expectPunct("}"); err != nil {
			return nil, err
		}
		return &marshal.Set{Items: items}, nil
	}
	d := &marshal.Dict{}
	key := first
	for {
		if err := p.expectPunct(":"); err != nil {
			return nil, err
		}
		p.skipNewlines()
		val, err := p.value(build.CtxConst)
		if err != nil {
			return nil, err
		}
		d.Items = append(d.Items, marshal.DictItem{Key: key, Value: val})
		p.skipNewlines()
		if p.isPunct("}") {
			p.advance()
			return d, nil
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
		p.skipNewlines()
		if p.isPunct("}") {
			p.advance()
			return d, nil
		}
		if key, err = p.value(build.CtxConst); err != nil {
			return nil, err
		}
		p.skipNewlines()
	}
}

// blockState is what the parser tracks inside one code block.
type blockState struct {
	c       *build.Code
	t       *opcode.Table
	labels  map[string]*build.Label
	used    map[string]token // first use of each label
	defined map[string]bool
	pending []*build.Label
	// Lines: the current position and the .line entries waiting for an
	// instruction.
	cur       build.Loc
	start     bool
	extra     []int
	ext       int // EXTENDED_ARG prefixes waiting
	extTok    token
	consts    map[string]int // key of each constant -> first index
	sawInstr  bool
	firstLine bool
}

func (b *blockState) label(name string, t token) *build.Label {
	l := b.labels[name]
	if l == nil {
		l = &build.Label{Name: name, Pos: build.Pos{Line: t.line, Col: t.col}}
		b.labels[name] = l
	}
	if _, ok := b.used[name]; !ok {
		b.used[name] = t
	}
	return l
}

// codeBlock reads a code object after the "code" keyword, up to "end";
// inValue says that it is an item of a container value.
func (p *parser) codeBlock(start token, ctx build.Ctx, inValue bool) (*build.Code, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > marshal.MaxDepth {
		return nil, p.errorf(start, "code blocks nested deeper than %d", marshal.MaxDepth)
	}
	t, err := disasmTable(p.v)
	if err != nil {
		return nil, p.errorf(start, "%v", err)
	}
	c, err := build.New(p.v)
	if err != nil {
		return nil, p.errorf(start, "%v", err)
	}
	c.Name, c.Filename = nil, nil
	c.AutoFlags = false // the text gives co_flags
	c.Pos = build.Pos{Line: start.line, Col: start.col}
	c.Specs = map[build.Field]build.Spec{}
	sp, _, err := p.annot()
	if err != nil {
		return nil, err
	}
	if sp.Type != 0 && sp.Type != 'c' && !(sp.Type == 'C' && p.v.Layout == marshal.Layout10) {
		return nil, p.errorf(start, "a code object's type code is c (C in Python 1.0 files)")
	}
	c.Enc = sp
	if err := p.endOfStatement(); err != nil {
		return nil, err
	}
	b := &blockState{c: c, t: t, labels: map[string]*build.Label{}, used: map[string]token{}, defined: map[string]bool{},
		cur: build.LineLoc(1), consts: map[string]int{}}
	seen := map[string]token{}
	for {
		p.skipNewlines()
		tok := p.peek()
		switch {
		case tok.kind == tEOF:
			return nil, p.errorf(start, "code block without \"end\"")
		case tok.kind == tIdent && tok.text == "end":
			p.advance()
			// A code object among the items of a container (which
			// CPython's compiler does not make, but a stream may hold)
			// is followed on its "end" line by what follows the item.
			if nt := p.peek(); inValue && nt.kind == tPunct && strings.Contains(",)]}:", nt.text) {
				return p.closeBlock(b, start)
			}
			if err := p.endOfStatement(); err != nil {
				return nil, err
			}
			return p.closeBlock(b, start)
		case tok.kind == tDirective:
			p.advance()
			if once[tok.text] {
				if prev, dup := seen[tok.text]; dup {
					return nil, p.errorf(tok, "%s given twice (first at line %d)", tok.text, prev.line)
				}
				seen[tok.text] = tok
			}
			if err := p.directive(b, tok); err != nil {
				return nil, err
			}
		case tok.kind == tIdent && p.peekAt(1).kind == tPunct && p.peekAt(1).text == ":":
			p.advance()
			p.advance()
			if b.defined[tok.text] {
				return nil, p.errorf(tok, "duplicate label %s", tok.text)
			}
			b.defined[tok.text] = true
			l := b.labels[tok.text]
			if l == nil {
				l = &build.Label{Name: tok.text}
				b.labels[tok.text] = l
			}
			l.Pos = build.Pos{Line: tok.line, Col: tok.col}
			b.pending = append(b.pending, l)
			if p.peek().kind == tNewline {
				p.advance()
			}
		case tok.kind == tIdent:
			if err := p.instruction(b); err != nil {
				return nil, err
			}
		default:
			return nil, p.errorf(tok, "expected a directive, label, instruction or \"end\", found %s", tok)
		}
	}
}

// once lists the directives a code block may hold at most once.
var once = map[string]bool{
	".name": true, ".qualname": true, ".filename": true, ".firstlineno": true, ".argcount": true,
	".posonlyargcount": true, ".kwonlyargcount": true, ".flags": true, ".stacksize": true, ".nlocals": true,
	".bytecode": true, ".consts": true, ".names": true, ".varnames": true, ".cellvars": true, ".freevars": true,
	".localsplusnames": true, ".localspluskinds": true, ".lnotab": true, ".linetable": true, ".exceptiontable": true,
}

func (p *parser) closeBlock(b *blockState, start token) (*build.Code, error) {
	c := b.c
	if b.ext > 0 {
		return nil, p.errorf(b.extTok, "EXTENDED_ARG at the end of the code")
	}
	for name, t := range b.used {
		if !b.defined[name] {
			return nil, p.errorf(t, "undefined label %s", name)
		}
	}
	c.EndLabels = append(c.EndLabels, b.pending...)
	if c.Name == nil {
		return nil, p.errorf(start, "code object without .name")
	}
	if c.Filename == nil {
		return nil, p.errorf(start, "code object without .filename")
	}
	return c, nil
}

// fieldValue reads a code field's object, or just its annotation.
func (p *parser) fieldValue(b *blockState, f build.Field) (marshal.Value, build.Spec, error) {
	if p.isPunct("!") || p.isPunct("&") {
		sp, _, err := p.annot()
		return nil, sp, err
	}
	t := p.peek()
	ctx := build.FieldCtx(f)
	v, err := p.atom(ctx, itemCtxOf(ctx))
	if err != nil {
		return nil, build.Spec{}, err
	}
	sp, _, err := p.annot()
	if err != nil {
		return nil, sp, err
	}
	if sp.Type != 0 {
		if err := p.checkType(t, v, sp.Type); err != nil {
			return nil, sp, err
		}
	}
	return v, sp, nil
}

// tupleItems reads a name tuple field: its items and its own spec.
func (p *parser) tupleField(b *blockState, f build.Field) ([]marshal.Value, error) {
	t := p.peek()
	v, sp, err := p.fieldValue(b, f)
	if err != nil {
		return nil, err
	}
	tu, ok := v.(*marshal.Tuple)
	if !ok {
		return nil, p.errorf(t, "want a tuple")
	}
	b.c.Specs[f] = sp
	if tu.Items == nil {
		return []marshal.Value{}, nil
	}
	return tu.Items, nil
}

// bytesField reads a table or co_code: a bytes literal kept as the exact
// object, or an annotation of the object the assembler makes.
func (p *parser) bytesField(b *blockState, f build.Field) (marshal.Value, error) {
	t := p.peek()
	v, sp, err := p.fieldValue(b, f)
	if err != nil {
		return nil, err
	}
	if v == nil {
		b.c.Specs[f] = sp
		return nil, nil
	}
	want := "bytes"
	switch v.(type) {
	case *marshal.Bytes:
		if p.py2 {
			return nil, p.errorf(t, "want a str")
		}
	case *marshal.Str:
		if !p.py2 {
			return nil, p.errorf(t, "want a bytes literal")
		}
	default:
		return nil, p.errorf(t, "want a %s literal", want)
	}
	e := v.(marshal.Encoded).Enc()
	if sp.Type != 0 {
		e.Type = sp.Type
	} else {
		e.Type = build.DefaultType(p.v, v, build.FieldCtx(f))
	}
	if sp.Ref != build.RefDefault || sp.Tag != 0 {
		p.f.annots[v] = build.Spec{Ref: sp.Ref, Tag: sp.Tag}
	}
	return v, nil
}

func (p *parser) directive(b *blockState, tok token) error {
	c := b.c
	var err error
	switch tok.text {
	case ".name":
		c.Name, err = p.value(build.CtxCoName)
	case ".qualname":
		if !p.v.Layout.Has("qualname") {
			return p.errorf(tok, "%s code objects have no qualname", p.v.XY())
		}
		c.QualName, err = p.value(build.CtxQualName)
	case ".filename":
		c.Filename, err = p.value(build.CtxFilename)
	case ".firstlineno":
		c.FirstLineNo, err = p.int32Arg(tok.text)
		if err == nil && !b.sawInstr {
			b.cur = build.LineLoc(c.FirstLineNo)
		}
	case ".argcount":
		c.ArgCount, err = p.int32Arg(tok.text)
	case ".posonlyargcount":
		c.PosOnlyArgCount, err = p.int32Arg(tok.text)
	case ".kwonlyargcount":
		c.KwOnlyArgCount, err = p.int32Arg(tok.text)
	case ".flags":
		var f uint32
		f, err = p.uint32Arg(tok.text)
		c.Flags = f
	case ".stacksize":
		c.StackSize, err = p.int32Arg(tok.text)
		if err == nil && p.peek().kind == tIdent && p.peek().text == "exact" {
			p.advance()
			c.StackSizeExact = true
		}
	case ".nlocals":
		c.NLocals, err = p.int32Arg(tok.text)
		c.NLocalsSet = true
	case ".bytecode":
		c.RawCode, err = p.bytesField(b, build.FieldCode)
	case ".consts":
		var sp build.Spec
		sp, _, err = p.annot()
		c.Specs[build.FieldConsts] = sp
	case ".const":
		if p.peek().kind == tIdent && p.peek().text == "code" {
			start := p.advance()
			sub, e := p.codeBlock(start, build.CtxNested, false)
			if e != nil {
				return e
			}
			c.Consts = append(c.Consts, build.Const{Code: sub})
			return nil
		}
		t := p.peek()
		var v marshal.Value
		v, err = p.value(build.CtxConst)
		if err == nil {
			if _, bad := v.(*marshal.Code); bad {
				return p.errorf(t, "write a code constant as .const code ... end")
			}
			k := constKey(v, p.f.annots)
			if _, ok := b.consts[k]; !ok {
				b.consts[k] = len(c.Consts)
			}
			c.Consts = append(c.Consts, build.Const{Value: v})
		}
	case ".names":
		c.Names, err = p.tupleField(b, build.FieldNames)
	case ".varnames", ".cellvars", ".freevars":
		if p.v.Layout.Has("localsplusnames") {
			return p.errorf(tok, "%s code objects have .localsplusnames instead", p.v.XY())
		}
		f := map[string]build.Field{".varnames": build.FieldVarNames, ".cellvars": build.FieldCellVars, ".freevars": build.FieldFreeVars}[tok.text]
		var items []marshal.Value
		items, err = p.tupleField(b, f)
		switch f {
		case build.FieldVarNames:
			c.VarNames = items
		case build.FieldCellVars:
			c.CellVars = items
		default:
			c.FreeVars = items
		}
	case ".localsplusnames":
		if !p.v.Layout.Has("localsplusnames") {
			return p.errorf(tok, "%s code objects have no localsplusnames", p.v.XY())
		}
		c.LocalsPlusNames, err = p.tupleField(b, build.FieldLocalsPlusNames)
	case ".localspluskinds":
		t := p.peek()
		var v marshal.Value
		v, err = p.bytesField(b, build.FieldLocalsPlusKinds)
		if err == nil {
			if v == nil {
				return p.errorf(t, "want the kinds as a bytes literal")
			}
			c.LocalsPlusKinds = marshal.BytesOf(v)
			e := v.(marshal.Encoded).Enc()
			c.Specs[build.FieldLocalsPlusKinds] = build.Spec{Type: e.Type, Ref: p.f.annots[v].Ref, Tag: p.f.annots[v].Tag}
			delete(p.f.annots, v)
		}
	case ".lnotab", ".linetable":
		c.RawLineTable, err = p.bytesField(b, build.FieldLineTable)
	case ".exceptiontable":
		if !p.v.Layout.Has("exceptiontable") {
			return p.errorf(tok, "%s code objects have no exception table", p.v.XY())
		}
		c.RawExceptionTable, err = p.bytesField(b, build.FieldExceptionTable)
	case ".line":
		t := p.advance()
		line := build.NoLine
		if t.kind == tIdent && t.text == "none" {
		} else if t.kind == tInt || t.kind == tPunct && t.text == "-" {
			p.pos--
			// Any int: a corrupt location table (3.11+) can take
			// the line far out of int32 range, and the printer
			// writes what it decodes.
			n, _, err := p.intArg(".line")
			if err != nil {
				return err
			}
			line = int(n)
		} else {
			return p.errorf(t, ".line: want a line number or none")
		}
		if b.start {
			b.extra = append(b.extra, b.cur.Line)
		}
		b.cur = build.LineLoc(line)
		b.start = true
	case ".exception":
		return p.exceptionEntry(b, tok)
	case ".cache":
		if len(c.Instrs) == 0 {
			return p.errorf(tok, ".cache must follow an instruction")
		}
		in := &c.Instrs[len(c.Instrs)-1]
		for p.peek().kind != tNewline && p.peek().kind != tEOF {
			n, t, e := p.intArg(".cache")
			if e != nil {
				return e
			}
			if n < 0 || n > 0xffff {
				return p.errorf(t, ".cache: %d is not a 16-bit code unit", n)
			}
			in.Cache = append(in.Cache, uint16(n))
		}
		if caches := b.t.Caches(b.t.Deopt(in.Op)); len(in.Cache) > caches {
			return p.errorf(tok, "%s has %d cache entries, not %d", b.t.Name(in.Op), caches, len(in.Cache))
		}
	default:
		return p.errorf(tok, "unknown directive %s", tok.text)
	}
	if err != nil {
		return err
	}
	return p.endOfStatement()
}

// exceptionEntry reads ".exception START to END -> TARGET [DEPTH] [lasti]".
func (p *parser) exceptionEntry(b *blockState, tok token) error {
	if !p.v.Layout.Has("exceptiontable") {
		return p.errorf(tok, "%s code objects have no exception table", p.v.XY())
	}
	lab := func() (*build.Label, error) {
		t := p.advance()
		if t.kind != tIdent {
			return nil, p.errorf(t, "expected a label, found %s", t)
		}
		return b.label(t.text, t), nil
	}
	s, err := lab()
	if err != nil {
		return err
	}
	if t := p.advance(); t.kind != tIdent || t.text != "to" {
		return p.errorf(t, "expected \"to\"")
	}
	e, err := lab()
	if err != nil {
		return err
	}
	if err := p.expectPunct("->"); err != nil {
		return err
	}
	tg, err := lab()
	if err != nil {
		return err
	}
	if err := p.expectPunct("["); err != nil {
		return err
	}
	depth, err := p.int32Arg("exception depth")
	if err != nil {
		return err
	}
	if err := p.expectPunct("]"); err != nil {
		return err
	}
	lasti := false
	if p.peek().kind == tIdent && p.peek().text == "lasti" {
		p.advance()
		lasti = true
	}
	b.c.Exceptions = append(b.c.Exceptions, build.ExceptionEntry{Start: s, End: e, Target: tg, Depth: depth, Lasti: lasti,
		Pos: build.Pos{Line: tok.line, Col: tok.col}})
	return p.endOfStatement()
}

// instruction reads one instruction line.
func (p *parser) instruction(b *blockState) error {
	c, t := b.c, b.t
	nt := p.advance()
	op, ok := t.Op(nt.text)
	if !ok {
		if _, pseudo := t.Pseudo(nt.text); pseudo {
			return p.errorf(nt, "%s is a compiler pseudo-instruction, not a %s opcode", nt.text, p.v.XY())
		}
		return p.errorf(nt, "unknown opcode %s for %s", nt.text, p.v)
	}
	b.sawInstr = true
	arg, err := p.operand(b, op, nt)
	if err != nil {
		return err
	}
	ext, _ := t.ExtendedArg()
	if t.Deopt(op) == ext {
		if _, raw := arg.(build.Raw); !raw {
			// A prefix of the next instruction.
			if b.ext == 0 {
				b.extTok = nt
			}
			b.ext++
			p.position() // ignored
			return p.endOfStatement()
		}
	}
	in := build.Instr{Op: op, Arg: arg, Loc: b.cur, LineStart: b.start, ExtraLines: b.extra, Labels: b.pending,
		Pos: build.Pos{Line: nt.line, Col: nt.col}}
	if b.ext > 0 {
		if !t.HasArg(op) {
			return p.errorf(b.extTok, "EXTENDED_ARG before %s, which takes no argument (write EXTENDED_ARG =N to keep it as it is)", nt.text)
		}
		in.ExtArgs, b.ext = b.ext, 0
	}
	b.start, b.extra, b.pending = false, nil, nil
	if pt, ok := p.position(); ok {
		if p.v.LineTable != pyc.LineTableLocations {
			return p.errorf(pt, "columns are recorded from Python 3.11 on")
		}
		if in.Loc.Line == build.NoLine {
			return p.errorf(pt, "a position needs a line (.line)")
		}
		l, err := parsePos(pt.text, in.Loc.Line)
		if err != nil {
			return p.errorf(pt, "%v", err)
		}
		in.Loc = l
	}
	c.Instrs = append(c.Instrs, in)
	return p.endOfStatement()
}

// position reads an @... position token, if one follows.
func (p *parser) position() (token, bool) {
	if p.peek().kind == tPos {
		return p.advance(), true
	}
	return token{}, false
}

// parsePos reads "@col-endcol" or "@col-endline:endcol" ("?" for none).
func parsePos(s string, line int) (build.Loc, error) {
	l := build.Loc{Line: line, EndLine: line}
	body := strings.TrimPrefix(s, "@")
	a, rest, ok := strings.Cut(body, "-")
	if !ok {
		return l, fmt.Errorf("bad position %s (want @COL-ENDCOL or @COL-ENDLINE:ENDCOL)", s)
	}
	num := func(x string, signed bool) (int, error) {
		if x == "?" {
			return build.NoLine, nil
		}
		n, err := strconv.Atoi(x)
		if err != nil || n < 0 && !signed {
			return 0, fmt.Errorf("bad position %s", s)
		}
		return n, nil
	}
	var err error
	if l.Col, err = num(a, false); err != nil {
		return l, err
	}
	if el, ec, ok := strings.Cut(rest, ":"); ok {
		// The end line may be below zero where a corrupt location
		// table (which the printer writes as it decodes) takes it.
		if l.EndLine, err = num(el, true); err != nil {
			return l, err
		}
		rest = ec
	}
	l.EndCol, err = num(rest, false)
	return l, err
}

// nameRef reads a name: bare, a string literal or str(b'...').
func (p *parser) nameRef() (string, token, error) {
	t := p.advance()
	switch t.kind {
	case tIdent:
		if t.text == "str" && p.isPunct("(") {
			v, err := p.constructor(t)
			if err != nil {
				return "", t, err
			}
			return marshal.TextOf(v), t, nil
		}
		return t.text, t, nil
	case tString:
		v, err := p.str(t)
		if err != nil {
			return "", t, err
		}
		return marshal.TextOf(v), t, nil
	}
	return "", t, p.errorf(t, "expected a name, found %s", t)
}

// operandTokens collects the tokens up to the position or the end of the
// line.
func (p *parser) operandTokens() []token {
	var ts []token
	for {
		t := p.peek()
		if t.kind == tNewline || t.kind == tEOF || t.kind == tPos {
			return ts
		}
		ts = append(ts, p.advance())
	}
}

// operand reads an instruction's operand by what its argument means.
func (p *parser) operand(b *blockState, op byte, nt token) (build.Arg, error) {
	t := b.t
	base := t.Deopt(op)
	kind := t.Kind(base)
	next := p.peek()
	if next.kind == tNewline || next.kind == tEOF || next.kind == tPos {
		switch {
		case kind.IsJump() || kind == opcode.ArgConst || kind == opcode.ArgName || kind == opcode.ArgLocal || kind == opcode.ArgFree || kind == opcode.ArgLocalPair:
			return nil, p.errorf(nt, "%s needs an operand", nt.text)
		case t.HasArg(op) && kind != opcode.ArgNone:
			return nil, p.errorf(nt, "%s needs an argument", nt.text)
		}
		return nil, nil
	}
	if next.kind == tPunct && next.text == "=" {
		p.advance()
		n, tok, err := p.intArg(nt.text)
		if err != nil {
			return nil, err
		}
		if n < 0 || n > math.MaxUint32 {
			return nil, p.errorf(tok, "argument %d out of range", n)
		}
		return build.Raw(n), nil
	}
	if !t.HasArg(op) {
		return nil, p.errorf(next, "%s takes no argument (write =N for an argument byte)", nt.text)
	}
	switch kind {
	case opcode.ArgConst:
		if next.kind == tIdent && next.text == "code" && p.peekAt(1).kind == tString {
			p.advance()
			name, _, err := p.nameRef()
			return build.CodeRef(name), err
		}
		v, err := p.value(build.CtxConst)
		if err != nil {
			return nil, err
		}
		if i, ok := b.consts[constKey(v, p.f.annots)]; ok {
			return build.Const{Value: b.c.Consts[i].Value}, nil
		}
		return build.Const{Value: v}, nil
	case opcode.ArgName:
		return p.nameOperand(b, base, nt)
	case opcode.ArgLocal:
		name, _, err := p.nameRef()
		return build.Local(name), err
	case opcode.ArgFree:
		name, _, err := p.nameRef()
		return build.Free(name), err
	case opcode.ArgLocalPair:
		a, _, err := p.nameRef()
		if err != nil {
			return nil, err
		}
		if err := p.expectPunct(","); err != nil {
			return nil, err
		}
		c, _, err := p.nameRef()
		return build.LocalPair{a, c}, err
	case opcode.ArgJumpRel, opcode.ArgJumpAbs, opcode.ArgJumpBackward:
		lt := p.advance()
		if lt.kind != tIdent {
			return nil, p.errorf(lt, "%s: expected a label, found %s", nt.text, lt)
		}
		return b.label(lt.text, lt), nil
	case opcode.ArgCompare:
		ts := p.operandTokens()
		text := p.sourceText(ts)
		flags := 0
		for _, f := range t.CompareFlags() {
			pre, suf, _ := strings.Cut(f.Format, "%s")
			if strings.HasPrefix(text, pre) && strings.HasSuffix(text, suf) && len(text) > len(pre)+len(suf) {
				text = strings.TrimSpace(text[len(pre) : len(text)-len(suf)])
				flags |= f.Bit
			}
		}
		for _, s := range t.CmpOp() {
			if s == text {
				return build.Compare{Op: s, Flags: flags}, nil
			}
		}
		return nil, p.errorf(next, "%s: unknown comparison %q (want one of %s)", nt.text, text, strings.Join(t.CmpOp(), ", "))
	case opcode.ArgBinaryOp:
		ts := p.operandTokens()
		text := strings.ReplaceAll(p.sourceText(ts), " ", "")
		for _, o := range t.NbOps() {
			if o.Symbol == text || o.Name == text {
				return build.BinaryOp(o.Symbol), nil
			}
		}
		return nil, p.errorf(next, "%s: unknown operator %q", nt.text, text)
	case opcode.ArgIntrinsic1, opcode.ArgIntrinsic2:
		it := p.advance()
		return build.Intrinsic(it.text), nil
	}
	n, tok, err := p.intArg(nt.text)
	if err != nil {
		return nil, err
	}
	if n < 0 || n > math.MaxUint32 {
		return nil, p.errorf(tok, "%s: argument %d out of range", nt.text, n)
	}
	return build.Int(n), nil
}

func joinTokens(ts []token, sep string) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.text
	}
	return strings.Join(parts, sep)
}

// nameOperand reads a co_names operand: a name, with the flag bits as dis
// writes them ("NULL + name") or as "name|N".
func (p *parser) nameOperand(b *blockState, op byte, nt token) (build.Arg, error) {
	t := b.t
	start := p.pos
	ts := p.operandTokens()
	if len(ts) == 0 {
		return nil, p.errorf(nt, "%s needs a name", nt.text)
	}
	// name or name|N
	p.pos = start
	if len(ts) == 1 || len(ts) == 3 && ts[1].kind == tPunct && ts[1].text == "|" ||
		len(ts) >= 4 && ts[0].kind == tIdent && ts[0].text == "str" && ts[1].text == "(" {
		name, _, err := p.nameRef()
		if err == nil {
			flags := 0
			if p.isPunct("|") {
				p.advance()
				n, _, err := p.intArg(nt.text)
				if err != nil {
					return nil, err
				}
				flags = int(n)
			}
			if p.peek().kind == tNewline || p.peek().kind == tEOF || p.peek().kind == tPos {
				return build.Name{Name: name, Flags: flags}, nil
			}
		}
		p.pos = start
	}
	// The formats dis writes for each flag bit.
	shift := uint(0)
	for s := uint(0); s < 8; s++ {
		if i, _ := t.NameIndex(op, 1<<s); i == 1 {
			shift = s
			break
		}
	}
	for bit := 1; bit < 1<<shift; bit <<= 1 {
		_, f := t.NameIndex(op, bit)
		if f == "" {
			continue
		}
		pre, suf, _ := strings.Cut(f, "%s")
		preT, _ := lex(pre)
		sufT, _ := lex(suf)
		preT = preT[:len(preT)-1] // drop EOF
		sufT = sufT[:len(sufT)-1]
		if len(ts) < len(preT)+len(sufT)+1 || !sameTokens(ts[:len(preT)], preT) || !sameTokens(ts[len(ts)-len(sufT):], sufT) {
			continue
		}
		p.pos = start + len(preT)
		name, _, err := p.nameRef()
		if err != nil || p.pos != start+len(ts)-len(sufT) {
			continue
		}
		p.pos = start + len(ts)
		return build.Name{Name: name, Flags: bit}, nil
	}
	return nil, p.errorf(ts[0], "%s: cannot read the name operand %q", nt.text, joinTokens(ts, " "))
}

func sameTokens(a, b []token) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].text != b[i].text {
			return false
		}
	}
	return true
}

// constKey identifies a parsed constant for finding instruction operands
// among .const values: its kind, encoding, annotations and contents.
func constKey(v marshal.Value, annots map[marshal.Value]build.Spec) string {
	var b strings.Builder
	var walk func(v marshal.Value, depth int)
	walk = func(v marshal.Value, depth int) {
		if depth > marshal.MaxDepth {
			return
		}
		if e, ok := v.(marshal.Encoded); ok {
			sp := annots[v]
			fmt.Fprintf(&b, "%c%d.%d|", e.Enc().Type, sp.Ref, sp.Tag)
		}
		switch x := v.(type) {
		case marshal.Singleton:
			fmt.Fprintf(&b, "N%d", byte(x))
		case *marshal.Int:
			b.WriteString("i" + intLiteral(x))
		case *marshal.Float:
			fmt.Fprintf(&b, "f%x/%s", math.Float64bits(x.Value), x.Text)
		case *marshal.Complex:
			fmt.Fprintf(&b, "x%x,%x/%s/%s", math.Float64bits(x.Real), math.Float64bits(x.Imag), x.RealText, x.ImagText)
		case *marshal.Bytes:
			fmt.Fprintf(&b, "b%d:%s", len(x.Data), x.Data)
		case *marshal.Str:
			fmt.Fprintf(&b, "s%d:%s", len(x.Data), x.Data)
		case *marshal.Unicode:
			fmt.Fprintf(&b, "u%d:%s", len(x.Data), x.Data)
		case *marshal.Tuple:
			fmt.Fprintf(&b, "t%d(", len(x.Items))
			for _, it := range x.Items {
				walk(it, depth+1)
				b.WriteByte(',')
			}
			b.WriteByte(')')
		case *marshal.List:
			fmt.Fprintf(&b, "l%d(", len(x.Items))
			for _, it := range x.Items {
				walk(it, depth+1)
				b.WriteByte(',')
			}
			b.WriteByte(')')
		case *marshal.Set:
			fmt.Fprintf(&b, "S%v%d(", x.Frozen, len(x.Items))
			for _, it := range x.Items {
				walk(it, depth+1)
				b.WriteByte(',')
			}
			b.WriteByte(')')
		case *marshal.Dict:
			b.WriteString("d(")
			for _, it := range x.Items {
				walk(it.Key, depth+1)
				b.WriteByte(':')
				walk(it.Value, depth+1)
				b.WriteByte(',')
			}
			b.WriteByte(')')
		case *marshal.Slice:
			b.WriteString("sl(")
			walk(x.Start, depth+1)
			walk(x.Stop, depth+1)
			walk(x.Step, depth+1)
			b.WriteByte(')')
		default:
			fmt.Fprintf(&b, "%p", v)
		}
	}
	walk(v, 0)
	return b.String()
}

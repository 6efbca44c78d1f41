package asm

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pyc-tools/pyc/build"
	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/opcode"
	"github.com/pyc-tools/pyc/pyc"
)

// Print writes the assembly text of a pyc file: its header, and its code
// objects with their fields, constants (nested code objects inline),
// instructions and tables, such that Assemble gives back the same bytes.
// The version is the file's (f.Version()), which may differ from what the
// magic number names (PyPy 3.8 files with CPython's magic).
func Print(w io.Writer, f *pyc.File) error {
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = bufio.NewWriterSize(w, 64<<10)
	}
	v := f.Version()
	if v == nil {
		return fmt.Errorf("asm: file without a version")
	}
	size := f.Size
	if size == 0 {
		if b, err := f.Bytes(); err == nil {
			size = len(b)
		}
	}
	p := &printer{w: bw, v: v, plan: build.NewPlan(f.Code, v), repr: disasm.NewReprStyle(v.Major, v.Minor),
		walk: &walk{limit: textBudget(size)}}
	p.header(f)
	if top, ok := f.Code.(*marshal.Code); ok && v.Layout != marshal.LayoutNone {
		if err := p.code(top, "", build.CtxTop); err != nil {
			return err
		}
	} else {
		var b strings.Builder
		p.value(&b, f.Code, build.CtxConst, "")
		p.printf(".object %s\n", b.String())
	}
	if len(f.Trailing) > 0 {
		p.printf(".trailing %s\n", bytesLiteral(f.Trailing))
	}
	if p.err != nil {
		return p.err
	}
	return bw.Flush()
}

type printer struct {
	w    *bufio.Writer
	v    *pyc.Version
	plan *build.Plan
	repr disasm.ReprStyle
	err  error
	walk *walk
}

// walk is what the printers of one file share: the containers being
// written and the text budget.
type walk struct {
	open         []marshal.Value
	spent, limit int
	// lifted keeps each code object's symbolic form: a code object that
	// back-references share is written at each place, lifted once.
	lifted map[*marshal.Code]*build.Code
}

// textBudget returns the most text (in bytes, roughly) the printer writes
// for a file of size bytes. Text is a tree: an object that the stream
// shares through back-references is written out at each place, and a
// small hostile stream can share a tuple holding a shared tuple, and so on,
// for text exponentially long. The assembly of real pycs is at most about
// 11 times their size; past this budget the printer gives up.
func textBudget(size int) int { return 64*size + 1<<20 }

func (p *printer) printf(format string, a ...any) {
	fmt.Fprintf(p.w, format, a...)
}

func (p *printer) header(f *pyc.File) {
	v := f.Version()
	p.printf("# pyc assembly of %s (assemble with: pyc asm FILE)\n", v)
	if f.Headerless {
		p.printf(".headerless\n.python %s\n", versionName(v))
		return
	}
	h := &f.Header
	if h.Magic[2] == '\r' && h.Magic[3] == '\n' {
		p.printf(".magic %d\n", binary.LittleEndian.Uint16(h.Magic[:]))
	} else {
		p.printf(".magic %s\n", bytesLiteral(h.Magic[:]))
	}
	if known, ok := pyc.LookupMagic(h.Magic); !ok || known.Impl != v.Impl || known.Major != v.Major || known.Minor != v.Minor {
		p.printf(".python %s\n", versionName(v))
	}
	switch v.HeaderSize {
	case 8:
		p.printf(".mtime %d\n", h.Mtime)
	case 12:
		p.printf(".mtime %d\n.source_size %d\n", h.Mtime, h.SourceSize)
	case 16:
		p.printf(".flags 0x%x  # %s\n", h.Flags, h.Mode())
		if h.Flags&pyc.FlagHashBased != 0 {
			p.printf(".hash %s\n", hex.EncodeToString(h.Hash[:]))
		} else {
			p.printf(".mtime %d\n.source_size %d\n", h.Mtime, h.SourceSize)
		}
	}
}

// versionName returns a name pyc.ParseVersion reads back to v's
// implementation and version.
func versionName(v *pyc.Version) string {
	switch v.Impl {
	case pyc.PyPy:
		return "pypy" + v.XY()
	case pyc.GraalPy:
		return "graalpy" + v.XY()
	case pyc.RustPython:
		return "rustpython" + v.XY()
	}
	return v.XY()
}

// ident reports whether s can be written as a bare name.
func ident(s string) bool {
	if s == "" || s == "end" || s == "code" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || unicode.IsLetter(r) || i > 0 && (unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r))) {
			return false
		}
	}
	return true
}

// nameText writes a name: bare when it can be, else as a string literal.
func (p *printer) nameText(s string) string {
	if ident(s) {
		return s
	}
	if p.v.Major < 3 {
		return p.repr.Repr(&marshal.Str{Data: []byte(s)})
	}
	if validSurrogatePass([]byte(s)) {
		return p.repr.Repr(&marshal.Str{Data: []byte(s)})
	}
	return "str(" + bytesLiteral([]byte(s)) + ")"
}

// value writes a value in ctx, with its annotation.
func (p *printer) value(b *strings.Builder, v marshal.Value, ctx build.Ctx, indent string) {
	itemCtx := build.CtxConst
	if ctx == build.FieldCtx(build.FieldNames) {
		itemCtx = build.CtxName
	} else if ctx == build.FieldCtx(build.FieldVarNames) || ctx == build.FieldCtx(build.FieldFreeVars) ||
		ctx == build.FieldCtx(build.FieldCellVars) || ctx == build.FieldCtx(build.FieldLocalsPlusNames) {
		itemCtx = build.CtxLocal
	}
	if _, ok := v.(*marshal.Code); ok && ctx == build.CtxConst {
		ctx = build.CtxNested
	}
	w := p.walk
	if w.spent++; w.spent > w.limit {
		p.fail("the text would exceed %d bytes: objects shared through back-references would be written out again and again", w.limit)
		return
	}
	switch v.(type) {
	case *marshal.Tuple, *marshal.List, *marshal.Set, *marshal.Dict, *marshal.Slice:
		for _, o := range w.open {
			if o == v {
				p.fail("a %s that contains itself (through a back-reference) cannot be written", marshal.KindName(v))
				return
			}
		}
		w.open = append(w.open, v)
		defer func() { w.open = w.open[:len(w.open)-1] }()
	}
	if p.err != nil {
		return
	}
	start := b.Len()
	defer func() { w.spent += b.Len() - start }()
	sp := p.plan.Annotation(v, ctx)
	py2 := p.v.Major < 3
	items := func(open, close string, vs []marshal.Value) {
		b.WriteString(open)
		for i, it := range vs {
			if i > 0 {
				b.WriteString(", ")
			}
			p.value(b, it, itemCtx, indent)
		}
		if len(vs) == 1 && open == "(" {
			b.WriteByte(',')
		}
		b.WriteString(close)
	}
	switch x := v.(type) {
	case nil:
		p.fail("a NULL value cannot be written")
	case marshal.Singleton:
		b.WriteString(x.String())
		if x&0x80 != 0 {
			b.WriteString("!+")
		}
		return
	case *marshal.Int:
		b.WriteString(intLiteral(x))
		if py2 && x.Type == 'l' {
			b.WriteByte('L')
			if sp.Type == 'l' {
				sp.Type = 0
			}
		}
	case *marshal.Float:
		if x.Text != nil && string(x.Text) != marshal.FloatRepr(x.Value) {
			b.WriteString("float(" + strconv.Quote(string(x.Text)) + ")")
		} else {
			b.WriteString(formatFloat(x.Value))
		}
	case *marshal.Complex:
		if x.RealText != nil && (string(x.RealText) != marshal.FloatRepr(x.Real) || string(x.ImagText) != marshal.FloatRepr(x.Imag)) {
			b.WriteString("complex(" + strconv.Quote(string(x.RealText)) + ", " + strconv.Quote(string(x.ImagText)) + ")")
		} else {
			b.WriteString(formatComplex(x.Real, x.Imag))
		}
	case *marshal.Bytes:
		b.WriteString(bytesLiteral(x.Data))
	case *marshal.Str:
		switch {
		case py2:
			b.WriteString(p.repr.Repr(x))
		case validSurrogatePass(x.Data):
			b.WriteString(p.repr.Repr(&marshal.Str{Data: x.Data}))
		default:
			b.WriteString("str(" + bytesLiteral(x.Data) + ")")
		}
	case *marshal.Unicode:
		if validSurrogatePass(x.Data) {
			b.WriteString(p.repr.Repr(&marshal.Unicode{Data: x.Data}))
		} else {
			b.WriteString("unicode(" + bytesLiteral(x.Data) + ")")
		}
	case *marshal.Tuple:
		items("(", ")", x.Items)
	case *marshal.List:
		items("[", "]", x.Items)
	case *marshal.Set:
		switch {
		case x.Frozen && len(x.Items) == 0:
			b.WriteString("frozenset()")
		case len(x.Items) == 0:
			b.WriteString("set()")
		case x.Frozen:
			items("frozenset({", "})", x.Items)
		default:
			items("{", "}", x.Items)
		}
	case *marshal.Dict:
		if x.Type == '}' {
			b.WriteString("frozendict(")
			if sp.Type == '}' {
				sp.Type = 0
			}
		}
		b.WriteByte('{')
		for i, it := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			p.value(b, it.Key, build.CtxConst, indent)
			b.WriteString(": ")
			p.value(b, it.Value, build.CtxConst, indent)
		}
		b.WriteByte('}')
		if x.Type == '}' {
			b.WriteByte(')')
		}
	case *marshal.Slice:
		b.WriteString("slice(")
		p.value(b, x.Start, build.CtxConst, indent)
		b.WriteString(", ")
		p.value(b, x.Stop, build.CtxConst, indent)
		b.WriteString(", ")
		p.value(b, x.Step, build.CtxConst, indent)
		b.WriteByte(')')
	case *marshal.Code:
		var inner strings.Builder
		sub := &printer{w: bufio.NewWriter(&inner), v: p.v, plan: p.plan, repr: p.repr, walk: p.walk}
		if err := sub.code(x, indent, ctx); err != nil && p.err == nil {
			p.err = err
		}
		sub.w.Flush()
		b.WriteString(strings.TrimSuffix(inner.String(), "\n"))
		return
	default:
		p.fail("%s cannot be written in pyc's assembly language, which covers CPython (and PyPy) code objects only", marshal.KindName(v))
	}
	b.WriteString(annotation(sp))
}

func (p *printer) fail(format string, a ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("asm: "+format, a...)
	}
}

// code writes a code object as a block: "code", its fields, constants,
// instructions and exception table, "end". The first line is written
// without indent: the caller has written what precedes it.
func (p *printer) code(m *marshal.Code, indent string, ctx build.Ctx) error {
	if err := p.code1(m, indent, ctx); err != nil {
		return err
	}
	if p.err != nil {
		var ce *pyc.CodeError
		if !errors.As(p.err, &ce) {
			p.err = &pyc.CodeError{Code: m, Err: p.err}
		}
		return p.err
	}
	return nil
}

func (p *printer) code1(m *marshal.Code, indent string, ctx build.Ctx) error {
	c := p.walk.lifted[m]
	if c == nil {
		var err error
		if c, err = build.Lift(m, p.v); err != nil {
			return &pyc.CodeError{Code: m, Err: err}
		}
		if p.walk.lifted == nil {
			p.walk.lifted = map[*marshal.Code]*build.Code{}
		}
		p.walk.lifted[m] = c
	}
	t := c.Table()
	in := indent + "    "
	lay := m.Layout
	line := func(format string, a ...any) {
		p.w.WriteString(in)
		fmt.Fprintf(p.w, format, a...)
		p.w.WriteByte('\n')
	}
	val := func(v marshal.Value, ctx build.Ctx) string {
		var b strings.Builder
		p.value(&b, v, ctx, in)
		return b.String()
	}
	p.w.WriteString("code")
	if a := annotation(p.plan.Annotation(m, ctx)); a != "" {
		p.w.WriteString(" " + a)
	}
	fmt.Fprintf(p.w, "  # %s\n", commentText(m.QualNameString()))
	line(".name %s", val(m.Name, build.CtxCoName))
	if lay.Has("qualname") {
		line(".qualname %s", val(m.QualName, build.CtxQualName))
	}
	line(".filename %s", val(m.Filename, build.CtxFilename))
	if lay.Has("firstlineno") {
		line(".firstlineno %d", m.FirstLineNo)
	}
	if lay.Has("argcount") {
		line(".argcount %d", m.ArgCount)
	}
	if lay.Has("posonlyargcount") && m.PosOnlyArgCount != 0 {
		line(".posonlyargcount %d", m.PosOnlyArgCount)
	}
	if lay.Has("kwonlyargcount") && m.KwOnlyArgCount != 0 {
		line(".kwonlyargcount %d", m.KwOnlyArgCount)
	}
	if lay.Has("flags") {
		line(".flags 0x%x%s", m.Flags, flagComment(p.v, m.Flags))
	}
	if c.StackSize != 0 || c.StackSizeExact {
		ex := ""
		if c.StackSizeExact {
			ex = " exact"
		}
		line(".stacksize %d%s", c.StackSize, ex)
	}
	if c.NLocalsSet {
		line(".nlocals %d", c.NLocals)
	}
	field := func(name string, f build.Field, v marshal.Value, raw bool) {
		if v == nil {
			return
		}
		if raw {
			line(".%s %s", name, val(v, build.FieldCtx(f)))
			return
		}
		if a := annotation(p.plan.Annotation(v, build.FieldCtx(f))); a != "" {
			line(".%s %s", name, a)
		}
	}
	field("bytecode", build.FieldCode, m.Code, c.RawCode != nil)
	// Names and locals.
	if m.Names != nil {
		line(".names %s", val(m.Names, build.FieldCtx(build.FieldNames)))
	}
	if lay.Has("localsplusnames") {
		line(".localsplusnames %s", val(m.LocalsPlusNames, build.FieldCtx(build.FieldLocalsPlusNames)))
		// The kinds are flags: each byte in hexadecimal reads best.
		kinds := val(m.LocalsPlusKinds, build.FieldCtx(build.FieldLocalsPlusKinds))
		if b, ok := m.LocalsPlusKinds.(*marshal.Bytes); ok {
			kinds = hexBytesLiteral(b.Data) + strings.TrimPrefix(kinds, bytesLiteral(b.Data))
		}
		line(".localspluskinds %s", kinds)
	} else {
		if m.VarNames != nil {
			line(".varnames %s", val(m.VarNames, build.FieldCtx(build.FieldVarNames)))
		}
		if m.CellVars != nil && lay.Has("cellvars") {
			line(".cellvars %s", val(m.CellVars, build.FieldCtx(build.FieldCellVars)))
		}
		if m.FreeVars != nil && lay.Has("freevars") {
			line(".freevars %s", val(m.FreeVars, build.FieldCtx(build.FieldFreeVars)))
		}
	}
	tabName := "lnotab"
	if p.v.LineTable == pyc.LineTable310 || p.v.LineTable == pyc.LineTableLocations {
		tabName = "linetable"
	}
	if lay.Has("lnotab") {
		field(tabName, build.FieldLineTable, m.LineTable, c.RawLineTable != nil || c.RawCode != nil)
	}
	if lay.Has("exceptiontable") {
		field("exceptiontable", build.FieldExceptionTable, m.ExceptionTable, c.RawExceptionTable != nil || c.RawCode != nil)
	}
	// Constants.
	if m.Consts != nil {
		if a := annotation(p.plan.Annotation(m.Consts, build.FieldCtx(build.FieldConsts))); a != "" {
			line(".consts %s", a)
		}
	}
	constText := make([]string, len(c.Consts))
	first := map[string]int{}
	for i, k := range c.Consts {
		if _, isCode := k.Value.(*marshal.Code); isCode {
			constText[i] = fmt.Sprintf("#code %p", k.Value)
		} else {
			constText[i] = val(k.Value, build.CtxConst)
		}
		if _, ok := first[constText[i]]; !ok {
			first[constText[i]] = i
		}
		p.w.WriteString(in + ".const ")
		if sub, isCode := k.Value.(*marshal.Code); isCode {
			if err := p.code(sub, in, build.CtxNested); err != nil {
				return err
			}
			continue
		}
		p.w.WriteString(constText[i])
		p.w.WriteByte('\n')
	}
	// Instructions.
	if c.RawCode != nil {
		p.w.WriteString(in + "# The instructions below are for reading only: .bytecode holds co_code.\n")
	}
	// In raw mode every line is a comment, after the indentation.
	ind := func(s string) string {
		if c.RawCode != nil {
			return s + "# "
		}
		return s
	}
	in0 := in
	indent0 := indent
	in, indent = ind(in0), ind(indent0)
	cur := build.LineLoc(c.FirstLineNo)
	lnotab := p.v.LineTable == pyc.LineTableLnotab || p.v.LineTable == pyc.LineTableLnotabSigned
	ext, _ := t.ExtendedArg()
	for i := range c.Instrs {
		ins := &c.Instrs[i]
		for _, l := range ins.Labels {
			fmt.Fprintf(p.w, "%s  %s:\n", indent, l.Name)
		}
		if lay.Has("lnotab") {
			if lnotab {
				if ins.LineStart {
					for _, x := range ins.ExtraLines {
						fmt.Fprintf(p.w, "%s.line %d\n", in, x)
					}
					fmt.Fprintf(p.w, "%s.line %s\n", in, lineText(ins.Loc.Line))
				}
			} else if ins.Loc.Line != cur.Line {
				fmt.Fprintf(p.w, "%s.line %s\n", in, lineText(ins.Loc.Line))
			}
			cur = ins.Loc
		}
		arg, note := p.operand(c, i, first, constText)
		for k := ins.ExtArgs; k > 0; k-- {
			shift, mask := 8*k, 0xff
			if !t.WordCode() {
				shift, mask = 16*k, 0xffff
			}
			fmt.Fprintf(p.w, "%s%-20s %d\n", in, t.Name(ext), p.argValue(c, i)>>shift&mask)
		}
		pos := ""
		if p.v.LineTable == pyc.LineTableLocations {
			pos = posText(ins.Loc)
		}
		text := t.Name(ins.Op)
		if arg != "" || pos != "" {
			text = fmt.Sprintf("%-20s %s", text, arg)
		}
		if pos != "" {
			text = fmt.Sprintf("%-40s %s", text, pos)
		}
		if note != "" {
			text += "  # " + note
		}
		if p.walk.spent += len(text); p.walk.spent > p.walk.limit {
			p.fail("the text would exceed %d bytes: objects shared through back-references would be written out again and again", p.walk.limit)
			return nil
		}
		fmt.Fprintf(p.w, "%s%s\n", in, strings.TrimRight(text, " "))
		if len(ins.Cache) > 0 {
			var parts []string
			for _, u := range ins.Cache {
				parts = append(parts, fmt.Sprintf("0x%04x", u))
			}
			fmt.Fprintf(p.w, "%s.cache %s\n", in, strings.Join(parts, " "))
		}
	}
	for _, l := range c.EndLabels {
		fmt.Fprintf(p.w, "%s  %s:\n", indent, l.Name)
	}
	for _, e := range c.Exceptions {
		lasti := ""
		if e.Lasti {
			lasti = " lasti"
		}
		fmt.Fprintf(p.w, "%s.exception %s to %s -> %s [%d]%s\n", in, e.Start.Name, e.End.Name, e.Target.Name, e.Depth, lasti)
	}
	p.w.WriteString(indent0 + "end\n")
	return nil
}

// commentText makes s fit a comment: control characters (a line break
// would end the comment) and invalid UTF-8 are escaped.
func commentText(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	q := strconv.Quote(s)
	return q[1 : len(q)-1]
}

func lineText(n int) string {
	if n == build.NoLine {
		return "none"
	}
	return strconv.Itoa(n)
}

// posText writes the columns (and end line) of a 3.11+ position, or ""
// when there are none.
func posText(l build.Loc) string {
	if l.Line == build.NoLine || l.Col == build.NoLine && l.EndCol == build.NoLine && (l.EndLine == l.Line || l.EndLine == build.NoLine) {
		return ""
	}
	col := func(n int) string {
		if n == build.NoLine {
			return "?"
		}
		return strconv.Itoa(n)
	}
	if l.EndLine == l.Line {
		return "@" + col(l.Col) + "-" + col(l.EndCol)
	}
	return "@" + col(l.Col) + "-" + col(l.EndLine) + ":" + col(l.EndCol)
}

// argValue returns the oparg of a lifted instruction as its original
// bytes have it.
func (p *printer) argValue(c *build.Code, i int) int {
	if c.Orig == nil {
		return 0
	}
	t := c.Table()
	code := c.Orig.Bytecode()
	// Find the instruction's own offset by walking the folded sizes.
	off := 0
	for j := 0; j < i; j++ {
		off += p.size(c, j)
	}
	ins := &c.Instrs[i]
	step := 2
	if !t.WordCode() {
		step = 3
	}
	arg := 0
	for k := 0; k <= ins.ExtArgs; k++ {
		o := off + k*step
		if o+1 >= len(code) {
			break
		}
		if t.WordCode() {
			arg = arg<<8 | int(code[o+1])
		} else if o+2 < len(code) {
			arg = arg<<16 | int(code[o+1]) | int(code[o+2])<<8
		}
	}
	return arg
}

// size returns the bytes a lifted instruction takes in the original.
func (p *printer) size(c *build.Code, i int) int {
	t := c.Table()
	ins := &c.Instrs[i]
	base := t.Deopt(ins.Op)
	if t.WordCode() {
		return 2*(ins.ExtArgs+1) + 2*t.Caches(base)
	}
	if base < t.HaveArgument() {
		return 1
	}
	return 3 * (ins.ExtArgs + 1)
}

// operand writes an instruction's operand, and a note for the end of the
// line (what a raw constant index stands for).
func (p *printer) operand(c *build.Code, i int, first map[string]int, constText []string) (string, string) {
	t := c.Table()
	ins := &c.Instrs[i]
	base := t.Deopt(ins.Op)
	switch x := ins.Arg.(type) {
	case nil:
		return "", ""
	case build.Raw:
		note := ""
		if t.Kind(base) == opcode.ArgConst && int(x) < len(constText) {
			note = constText[x]
			if strings.HasPrefix(note, "#code") {
				note = "code " + p.quoted(marshal.TextOf(c.Consts[x].Value.(*marshal.Code).Name))
			}
		}
		return "=" + strconv.Itoa(int(x)), note
	case build.Int:
		return strconv.Itoa(int(x)), ""
	case build.Const:
		for k, o := range c.Consts {
			if o.Value != x.Value {
				continue
			}
			if m, ok := x.Value.(*marshal.Code); ok {
				name := marshal.TextOf(m.Name)
				n := 0
				for _, o2 := range c.Consts {
					if m2, ok := o2.Value.(*marshal.Code); ok && marshal.TextOf(m2.Name) == name {
						n++
					}
				}
				if n == 1 && isText(m.Name) {
					return "code " + p.quoted(name), ""
				}
				return "=" + strconv.Itoa(k), "code " + p.quoted(name)
			}
			if first[constText[k]] != k {
				return "=" + strconv.Itoa(k), constText[k]
			}
			return constText[k], ""
		}
	case build.Name:
		name := p.nameText(x.Name)
		if x.Flags == 0 {
			return name, ""
		}
		if f := nameFormat(t, base, x.Flags); f != "" {
			return strings.Replace(f, "%s", name, 1), ""
		}
		return name + "|" + strconv.Itoa(x.Flags), ""
	case build.Local:
		return p.nameText(string(x)), ""
	case build.Free:
		return p.nameText(string(x)), ""
	case build.LocalPair:
		return p.nameText(x[0]) + ", " + p.nameText(x[1]), ""
	case *build.Label:
		return x.Name, ""
	case build.Compare:
		s := x.Op
		for _, f := range t.CompareFlags() {
			if x.Flags&f.Bit != 0 {
				s = strings.Replace(f.Format, "%s", s, 1)
			}
		}
		return s, ""
	case build.BinaryOp:
		return string(x), ""
	case build.Intrinsic:
		return string(x), ""
	}
	p.fail("cannot write the operand of %s", t.Name(ins.Op))
	return "", ""
}

// quoted writes s as a string literal.
func (p *printer) quoted(s string) string {
	return p.repr.Repr(&marshal.Str{Data: []byte(s)})
}

func isText(v marshal.Value) bool {
	switch v.(type) {
	case *marshal.Str, *marshal.Unicode:
		return validSurrogatePass(marshal.BytesOf(v))
	}
	return false
}

// nameFormat returns how dis writes a name with the flag bits flags ("NULL
// + %s"), or "" when there is no such text for exactly these bits.
func nameFormat(t *opcode.Table, op byte, flags int) string {
	shift := uint(0)
	for s := uint(0); s < 8; s++ {
		if i, _ := t.NameIndex(op, 1<<s); i == 1 {
			shift = s
			break
		}
	}
	if flags&(flags-1) != 0 || flags >= 1<<shift {
		return ""
	}
	_, f := t.NameIndex(op, flags)
	return f
}

// flagComment names the co_flags bits every version shares.
func flagComment(v *pyc.Version, flags uint32) string {
	names := []struct {
		bit  uint32
		name string
	}{{0x1, "OPTIMIZED"}, {0x2, "NEWLOCALS"}, {0x4, "VARARGS"}, {0x8, "VARKEYWORDS"}, {0x10, "NESTED"}, {0x20, "GENERATOR"}}
	if !v.AtLeast(3, 11) {
		names = append(names, struct {
			bit  uint32
			name string
		}{0x40, "NOFREE"})
	}
	if v.AtLeast(3, 5) {
		names = append(names, []struct {
			bit  uint32
			name string
		}{{0x80, "COROUTINE"}, {0x100, "ITERABLE_COROUTINE"}}...)
	}
	if v.AtLeast(3, 6) {
		names = append(names, struct {
			bit  uint32
			name string
		}{0x200, "ASYNC_GENERATOR"})
	}
	var parts []string
	rest := flags
	for _, n := range names {
		if flags&n.bit != 0 {
			parts = append(parts, n.name)
			rest &^= n.bit
		}
	}
	if rest != 0 {
		parts = append(parts, fmt.Sprintf("0x%x", rest))
	}
	if len(parts) == 0 {
		return ""
	}
	return "  # " + strings.Join(parts, "|")
}

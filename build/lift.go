package build

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/opcode"
	"github.com/pyc-tools/pyc/pyc"
)

// Lift turns a compiled code object into builder form: instructions with
// symbolic operands (constants, names, locals, labels), line positions and
// exception-table entries, such that Assemble gives back a code object
// whose fields are byte for byte the original's. Where the symbolic form
// cannot carry something exactly, the exact-reproduction fields of Code
// carry it: the original line or exception table (kept while the
// instructions agree with it), the recorded stack size, explicit
// EXTENDED_ARG prefixes, or, for code the instruction form cannot describe
// at all, co_code itself.
//
// Nested code objects among the constants stay *marshal.Code values; lift
// them separately. The result shares the original's objects (constants,
// names): do not change them in place.
func Lift(m *marshal.Code, v *pyc.Version) (*Code, error) {
	t, err := disasm.TableFor(v)
	if err != nil {
		return nil, err
	}
	c := &Code{
		Version: v, table: t, Orig: m,
		Name: m.Name, QualName: m.QualName, Filename: m.Filename,
		FirstLineNo: int(m.FirstLineNo),
		ArgCount:    int(m.ArgCount), PosOnlyArgCount: int(m.PosOnlyArgCount), KwOnlyArgCount: int(m.KwOnlyArgCount),
		Flags: m.Flags,
		Specs: map[Field]Spec{},
		Enc:   Spec{Type: m.Type},
	}
	if m.Consts != nil {
		for _, k := range m.Consts.Items {
			c.Consts = append(c.Consts, Const{Value: k})
		}
	}
	c.Names = items(m.Names)
	if v.Layout.Has("localsplusnames") {
		c.LocalsPlusNames = items(m.LocalsPlusNames)
		c.LocalsPlusKinds = append([]byte{}, m.LocalsPlusKindsBytes()...)
		if c.LocalsPlusNames == nil {
			c.LocalsPlusNames = []marshal.Value{}
		}
	} else {
		c.VarNames = items(m.VarNames)
		c.FreeVars = items(m.FreeVars)
		c.CellVars = items(m.CellVars)
	}
	c.specs(m)
	l := &lifter{c: c, m: m, t: t, v: v}
	l.lift()
	for i := range c.Instrs {
		if !textLoc(c.Instrs[i].Loc) {
			// Only a corrupt location table gives such a position,
			// which assembly text cannot say: keep the code and its
			// tables as they are.
			l.raw()
			break
		}
	}
	if err := l.verify(); err != nil {
		// The symbolic form does not reproduce the code: keep co_code.
		l.raw()
		if err := l.verify(); err != nil {
			return nil, fmt.Errorf("build: %s: cannot reproduce the code object: %v", marshal.TextOf(m.Name), err)
		}
	}
	return c, nil
}

// textLoc reports whether assembly text can say a position: a line (or
// none) with ".line", and, where there is a line, columns and an end line
// after "@". With no line there is nothing more to say; and a position
// without columns whose end line is missing reads back with the end line
// equal to the line.
func textLoc(l Loc) bool {
	if l.Line == NoLine {
		return l == LineLoc(NoLine)
	}
	return !(l.Col == NoLine && l.EndCol == NoLine && l.EndLine == NoLine)
}

func items(t *marshal.Tuple) []marshal.Value {
	if t == nil {
		return nil
	}
	return append([]marshal.Value{}, t.Items...)
}

// specs records the type codes of the objects the assembler would make.
func (c *Code) specs(m *marshal.Code) {
	set := func(f Field, v marshal.Value) {
		if e, ok := v.(marshal.Encoded); ok {
			c.Specs[f] = Spec{Type: e.Enc().Type}
		}
	}
	set(FieldCode, m.Code)
	if m.Consts != nil {
		set(FieldConsts, m.Consts)
	}
	if m.Names != nil {
		set(FieldNames, m.Names)
	}
	if m.VarNames != nil {
		set(FieldVarNames, m.VarNames)
	}
	if m.FreeVars != nil {
		set(FieldFreeVars, m.FreeVars)
	}
	if m.CellVars != nil {
		set(FieldCellVars, m.CellVars)
	}
	if m.LocalsPlusNames != nil {
		set(FieldLocalsPlusNames, m.LocalsPlusNames)
	}
	set(FieldLocalsPlusKinds, m.LocalsPlusKinds)
	set(FieldLineTable, m.LineTable)
	set(FieldExceptionTable, m.ExceptionTable)
}

type lifter struct {
	locals *assembler // the locals laid out, for operand lookups
	c      *Code
	m      *marshal.Code
	t      *opcode.Table
	v      *pyc.Version
	spans  []span
	// explicit: print every EXTENDED_ARG prefix the original has.
	explicit bool
}

// folded is an instruction with its EXTENDED_ARG prefixes.
type folded struct {
	in     disasm.Instruction // the instruction proper
	start  int                // offset of its first prefix
	prefix int
	raw    bool // a lone EXTENDED_ARG, kept as it is
}

func (l *lifter) fold() []folded {
	t := l.t
	ins := disasm.Decode(l.m.Bytecode(), t)
	ext, hasExt := t.ExtendedArg()
	var out []folded
	for i := 0; i < len(ins); i++ {
		start, n := ins[i].Offset, 0
		j := i
		for hasExt && j < len(ins) && t.Deopt(ins[j].Op) == ext {
			j++
			n++
		}
		if n > 0 && (j >= len(ins) || !t.HasArg(ins[j].Op) || t.Deopt(ins[j].Op) == ext) {
			// EXTENDED_ARG not followed by an instruction with an
			// argument: keep each as it is.
			out = append(out, folded{in: ins[i], start: ins[i].Offset, raw: true})
			continue
		}
		// The argument is the prefixes' bytes and the instruction's own, as
		// the interpreter reads them (dis carries a prefix over an
		// instruction without argument; the interpreter does not).
		in := ins[j]
		code := l.m.Bytecode()
		arg := 0
		for k := i; k <= j; k++ {
			o := ins[k].Offset
			if t.WordCode() {
				if o+1 < len(code) {
					arg = arg<<8 | int(code[o+1])
				}
			} else if o+2 < len(code) {
				arg = arg<<16 | int(code[o+1]) | int(code[o+2])<<8
			}
		}
		if n > 0 || in.Arg != arg && in.HasArg {
			in.Arg = arg
		}
		out = append(out, folded{in: in, start: start, prefix: n})
		i = j
	}
	return out
}

func (l *lifter) lift() {
	c, t, m := l.c, l.t, l.m
	c.Exceptions, c.EndLabels = nil, nil
	c.RawCode, c.RawLineTable, c.RawExceptionTable = nil, nil, nil
	c.StackSize, c.StackSizeExact, c.NLocals, c.NLocalsSet = 0, false, 0, false
	code := m.Bytecode()
	fs := l.fold()
	l.spans = make([]span, len(fs))
	at := map[int]int{}
	for i, f := range fs {
		l.spans[i] = span{f.start, f.in.End() - f.start}
		at[f.start] = i
	}
	labels := map[int]*Label{}
	label := func(off int) (*Label, bool) {
		if _, ok := at[off]; !ok && off != len(code) {
			return nil, false
		}
		lb := labels[off]
		if lb == nil {
			lb = &Label{}
			labels[off] = lb
		}
		return lb, true
	}
	c.Instrs = make([]Instr, len(fs))
	for i, f := range fs {
		in := Instr{Op: f.in.Op}
		if l.explicit {
			in.ExtArgs = f.prefix
		}
		if f.raw {
			in.Arg = Raw(int(code[f.in.Offset+1]))
			if !t.WordCode() {
				in.Arg = Raw(int(code[f.in.Offset+1]) | int(code[f.in.Offset+2])<<8)
			}
		} else {
			in.Arg = l.operand(&f.in, label)
		}
		// Inline caches.
		for k := 0; k < f.in.Caches; k++ {
			o := f.in.Offset + f.in.Size + 2*k
			if o+1 < len(code) {
				if u := binary.LittleEndian.Uint16(code[o:]); u != 0 {
					for len(in.Cache) < k {
						in.Cache = append(in.Cache, 0)
					}
					in.Cache = append(in.Cache, u)
				}
			}
		}
		c.Instrs[i] = in
	}
	// Exception table.
	if l.v.Layout.Has("exceptiontable") {
		for _, e := range disasm.ParseExceptionTable(m.ExceptionTableBytes()) {
			s, ok1 := label(e.Start)
			en, ok2 := label(e.End + 2)
			tg, ok3 := label(e.Target)
			if !(ok1 && ok2 && ok3) {
				c.RawCode = m.Code // entries inside instructions
				break
			}
			c.Exceptions = append(c.Exceptions, ExceptionEntry{Start: s, End: en, Target: tg, Depth: e.Depth, Lasti: e.Lasti})
		}
	}
	// Place the labels, named in offset order.
	for off, lb := range labels {
		if i, ok := at[off]; ok {
			c.Instrs[i].Labels = append(c.Instrs[i].Labels, lb)
		} else {
			c.EndLabels = append(c.EndLabels, lb)
		}
	}
	n := 0
	for i := range c.Instrs {
		for _, lb := range c.Instrs[i].Labels {
			n++
			lb.Name = fmt.Sprintf("L%d", n)
		}
	}
	for _, lb := range c.EndLabels {
		n++
		lb.Name = fmt.Sprintf("L%d", n)
	}
	// Lines.
	if l.v.Layout.Has("lnotab") {
		tab := m.LineTableBytes()
		infos, ok := decodeLines(l.v, tab, c.FirstLineNo, l.spans, len(code))
		for i := range c.Instrs {
			if i < len(infos) {
				c.Instrs[i].Loc = infos[i].loc
				c.Instrs[i].LineStart = infos[i].start
				c.Instrs[i].ExtraLines = infos[i].extra
			}
		}
		if !ok {
			c.RawLineTable = m.LineTable
		} else if re, err := encodeLines(l.v, c.FirstLineNo, l.spans, infos, len(code)); err != nil || !bytes.Equal(re, tab) {
			c.RawLineTable = m.LineTable
		}
	} else {
		for i := range c.Instrs {
			c.Instrs[i].Loc = LineLoc(NoLine)
		}
	}
	if l.v.Layout.Has("exceptiontable") && c.RawCode == nil {
		a := &assembler{c: c, t: t}
		for off, lb := range labels {
			lb.offset = off
		}
		tab, _, err := a.exceptionTable()
		if err != nil || !bytes.Equal(tab, m.ExceptionTableBytes()) {
			c.RawExceptionTable = m.ExceptionTable
		}
	}
	// Counts the instructions do not determine.
	if l.v.Layout.Has("varnames") && !l.v.Layout.Has("localsplusnames") && int(m.NLocals) != len(c.VarNames) {
		c.NLocals, c.NLocalsSet = int(m.NLocals), true
	}
	l.stack()
}

// stack records co_stacksize where the analysis would give another.
func (l *lifter) stack() {
	c, m := l.c, l.m
	if !l.v.Layout.Has("stacksize") {
		return
	}
	st := stackTableFor(l.v)
	if st == nil {
		c.StackSize, c.StackSizeExact = int(m.StackSize), true
		return
	}
	var exc []disasm.ExceptionEntry
	if st.exceptionTable {
		exc = disasm.ParseExceptionTable(m.ExceptionTableBytes())
	}
	d, err := stackDepth(st, l.t, m.Bytecode(), m.Flags, exc, m.Consts)
	switch {
	case err != nil || int(m.StackSize) < d:
		c.StackSize, c.StackSizeExact = int(m.StackSize), true
	case int(m.StackSize) > d:
		c.StackSize = int(m.StackSize)
	}
}

// operand turns an instruction's oparg into a symbolic operand where that
// reads back to the same oparg, and into Raw otherwise.
func (l *lifter) operand(in *disasm.Instruction, label func(int) (*Label, bool)) Arg {
	c, t := l.c, l.t
	base := t.Deopt(in.Op)
	kind := t.Kind(base)
	arg := in.Arg
	if !t.HasArg(in.Op) {
		if t.WordCode() {
			if b := int(l.m.Bytecode()[in.Offset+1]); b != 0 {
				return Raw(b)
			}
		}
		return nil
	}
	switch kind {
	case opcode.ArgConst:
		if arg < len(c.Consts) {
			k := c.Consts[arg].Value
			n := 0
			for _, o := range c.Consts {
				if o.Value == k {
					n++
				}
			}
			if n == 1 {
				return Const{Value: k}
			}
		}
	case opcode.ArgName:
		s := nameShift(t, base)
		idx, flags := arg>>s, arg&(1<<s-1)
		if idx < len(c.Names) && isText(c.Names[idx]) && indexOf(c.Names, marshal.TextOf(c.Names[idx])) == idx {
			return Name{Name: marshal.TextOf(c.Names[idx]), Flags: flags}
		}
	case opcode.ArgLocal, opcode.ArgFree, opcode.ArgLocalPair:
		if l.locals == nil {
			l.locals = &assembler{c: c, t: t}
			l.locals.locals()
		}
		a := l.locals
		look := a.localIndex
		if kind == opcode.ArgFree {
			look = a.freeIndex
		}
		name := func(i int) (string, bool) {
			var names []marshal.Value
			switch {
			case a.lplus != nil:
				names = a.lplus
			case kind == opcode.ArgFree:
				names = append(append([]marshal.Value{}, c.CellVars...), c.FreeVars...)
			default:
				names = c.VarNames
			}
			if i >= len(names) || !isText(names[i]) {
				return "", false
			}
			s := marshal.TextOf(names[i])
			return s, look(s) == i
		}
		if kind == opcode.ArgLocalPair {
			a1, ok1 := name(arg >> 4)
			a2, ok2 := name(arg & 15)
			if ok1 && ok2 && arg < 256 {
				return LocalPair{a1, a2}
			}
			break
		}
		if s, ok := name(arg); ok {
			if kind == opcode.ArgFree {
				return Free(s)
			}
			return Local(s)
		}
	case opcode.ArgJumpRel, opcode.ArgJumpAbs, opcode.ArgJumpBackward:
		if tgt, ok := t.JumpTarget(base, in.Offset, arg); ok && tgt >= 0 {
			if lb, ok := label(tgt); ok {
				return lb
			}
		}
	case opcode.ArgCompare:
		idx, _ := t.CompareOp(arg)
		if idx < len(t.CmpOp()) {
			flags := 0
			for _, f := range t.CompareFlags() {
				flags |= arg & f.Bit
			}
			cmp := Compare{Op: t.CmpOp()[idx], Flags: flags}
			a := &assembler{c: c, t: t}
			if a.compareArg(0, cmp) == arg && a.err == nil {
				return cmp
			}
		}
	case opcode.ArgBinaryOp:
		if ops := t.NbOps(); arg < len(ops) {
			return BinaryOp(ops[arg].Symbol)
		}
	case opcode.ArgIntrinsic1, opcode.ArgIntrinsic2:
		list := t.Intrinsic1()
		if kind == opcode.ArgIntrinsic2 {
			list = t.Intrinsic2()
		}
		if arg < len(list) && indexString(list, list[arg]) == arg {
			return Intrinsic(list[arg])
		}
	default:
		return Int(arg)
	}
	return Raw(arg)
}

func indexString(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

func isText(v marshal.Value) bool {
	switch v.(type) {
	case *marshal.Str, *marshal.Unicode:
		return true
	}
	return false
}

// raw makes the code keep co_code and its tables as they are.
func (l *lifter) raw() {
	c, m := l.c, l.m
	c.RawCode = m.Code
	if l.v.Layout.Has("lnotab") {
		c.RawLineTable = m.LineTable
	}
	if l.v.Layout.Has("exceptiontable") {
		c.RawExceptionTable = m.ExceptionTable
	}
	if l.v.Layout.Has("stacksize") {
		c.StackSize, c.StackSizeExact = int(m.StackSize), true
	}
	if l.v.Layout.Has("varnames") && !l.v.Layout.Has("localsplusnames") {
		c.NLocals, c.NLocalsSet = int(m.NLocals), true
	}
}

// verify assembles the lifted code and compares it with the original;
// where it differs it first tries explicit EXTENDED_ARG prefixes.
func (l *lifter) verify() error {
	err := l.compare()
	if err != nil && !l.explicit && l.c.RawCode == nil {
		l.explicit = true
		saved := *l.c
		l.lift()
		if err2 := l.compare(); err2 == nil {
			return nil
		}
		*l.c = saved
	}
	return err
}

func (l *lifter) compare() error {
	got, err := l.c.AssembleWith(Options{NoStackCheck: true})
	if err != nil {
		return err
	}
	m := l.m
	switch {
	case !bytes.Equal(got.Bytecode(), m.Bytecode()):
		return fmt.Errorf("co_code differs")
	case !bytes.Equal(got.LineTableBytes(), m.LineTableBytes()):
		return fmt.Errorf("line table differs")
	case !bytes.Equal(got.ExceptionTableBytes(), m.ExceptionTableBytes()):
		return fmt.Errorf("exception table differs")
	case got.StackSize != m.StackSize:
		return fmt.Errorf("co_stacksize %d, want %d", got.StackSize, m.StackSize)
	case got.NLocals != m.NLocals:
		return fmt.Errorf("co_nlocals differs")
	case !bytes.Equal(got.LocalsPlusKindsBytes(), m.LocalsPlusKindsBytes()):
		return fmt.Errorf("co_localspluskinds differs")
	case got.Consts.Len() != m.Consts.Len() || got.Names.Len() != m.Names.Len() || got.VarNames.Len() != m.VarNames.Len() || got.LocalsPlusNames.Len() != m.LocalsPlusNames.Len():
		return fmt.Errorf("a name or constant table differs")
	}
	return nil
}

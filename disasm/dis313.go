package disasm

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/opcode"
)

// The column widths of 3.13+ listings.
const (
	opnameWidth313 = 20
	opargWidth313  = 5
	// noLine313 is what the line column shows for code without a line.
	noLine313 = "  --"
)

// lister313 is the state of one 3.13+ code object listing. Its buffers
// are reused from listing to listing through lister313Pool.
type lister313 struct {
	p    *printer
	c    *Code
	t    *opcode.Table
	code []byte
	// buf holds the line being built; fields are joined by single
	// spaces and trailing blanks dropped when it is written.
	buf []byte
	// arg holds the argrepr being built.
	arg []byte
	ins []Instruction
	// labels are the labelled offsets, ascending; label n+1 is labels[n].
	labels []int
	// Column widths; zero omits the line (or position) and offset columns.
	lineWidth, labelWidth, offsetWidth int
	// positions are co_positions() when the location column shows them.
	positions    []Position
	showPosition bool
}

var lister313Pool = sync.Pool{New: func() any { return new(lister313) }}

// listing313 prints one code object as dis.disassemble of Python 3.13 and
// later does: source lines separated by blank lines, each instruction with
// its line number where a line starts ("--" for code without one), its
// label ("L1:") where something jumps to it or an exception-table entry
// starts or ends there, the opcode name in 20 columns, the argument in 5
// (less by what a longer name takes) and its meaning in parentheses; jump
// arguments name labels ("to L1"); then the exception table by labels.
//
// DisOptions.ShowCaches adds a CACHE line per inline cache entry,
// ShowOffsets an offset column, and ShowPositions (3.14's show_positions;
// 3.13's dis has no such option, and its code gets the 3.14 format) shows
// each instruction's source span instead of line numbers.
//
// The listing shows the bytecode as the interpreter's code.co_code gives
// it after loading the pyc: specialised opcodes under their base names and
// inline caches as zero.
func (p *printer) listing313(c *Code) error {
	l := lister313Pool.Get().(*lister313)
	l.p, l.c, l.t, l.code = p, c, c.Table, c.Bytecode()
	l.ins = appendDecode(l.ins[:0], l.code, l.t)
	ins := l.ins
	excs := c.ExceptionTable()
	l.labels = appendLabels313(l.labels[:0], ins, l.t, excs)
	l.labelWidth = 4 + decimalLen(len(l.labels))
	l.offsetWidth = 0
	if p.opts.ShowOffsets {
		l.offsetWidth = decimalLen(max(len(l.code)-2, 9999))
	}
	starts := c.LineStarts()
	l.showPosition = p.opts.ShowPositions
	l.positions = nil
	if l.showPosition {
		l.positions = c.Positions()
		l.lineWidth = positionsWidth(l.positions)
	} else {
		l.lineWidth = lineWidth313(starts)
	}

	si, li := 0, 0 // next line start, next label
	for i := range ins {
		if err := p.reprOverBudget(c); err != nil {
			l.p, l.c, l.t, l.code, l.positions = nil, nil, nil, nil, nil
			lister313Pool.Put(l)
			return err
		}
		in := &ins[i]
		for si < len(starts) && starts[si].Offset < in.Offset {
			si++
		}
		startsLine := si < len(starts) && starts[si].Offset == in.Offset
		for li < len(l.labels) && l.labels[li] < in.Offset {
			li++
		}
		label := 0
		if li < len(l.labels) && l.labels[li] == in.Offset {
			label = li + 1
		}
		if l.lineWidth > 0 && startsLine && in.Offset > 0 {
			p.w.WriteByte('\n')
		}
		line := NoLine
		if startsLine {
			line = starts[si].Line
		}
		op := l.t.Deopt(in.Op)
		var pos Position
		if l.showPosition {
			pos = l.position(in.Offset)
		}
		l.buf = l.buf[:0]
		l.location(startsLine, line, pos)
		l.label(label)
		l.offset(in.Offset)
		name := l.t.Name(op)
		l.opname(name)
		if in.HasArg {
			l.buf = append(l.buf, ' ')
			l.buf = appendIntLeft(l.buf, in.Arg, opargWidth313-max(0, len(name)-opnameWidth313))
			l.arg = l.appendArgRepr(l.arg[:0], op, in)
			if len(l.arg) > 0 {
				l.buf = append(l.buf, " ("...)
				l.buf = append(l.buf, l.arg...)
				l.buf = append(l.buf, ')')
			}
		}
		l.flush()
		if p.opts.ShowCaches && in.Caches > 0 {
			l.caches(op, in, pos)
		}
	}
	l.exceptionTable(excs)
	l.p, l.c, l.t, l.code, l.positions = nil, nil, nil, nil, nil
	lister313Pool.Put(l)
	return nil
}

// caches writes the CACHE lines that show_caches adds after an
// instruction: one per cache entry, the first entry of each field named
// with the field's value.
func (l *lister313) caches(op byte, in *Instruction, pos Position) {
	off := in.Offset
	for _, f := range l.t.CacheFormat(op) {
		for i := 0; i < f.Size; i++ {
			off += 2
			l.buf = l.buf[:0]
			l.location(false, NoLine, pos)
			l.label(0)
			l.offset(off)
			l.opname("CACHE")
			l.buf = append(l.buf, ' ')
			l.buf = appendIntLeft(l.buf, 0, opargWidth313)
			if i == 0 {
				// co_code holds every cache entry as zero.
				l.buf = append(l.buf, " ("...)
				l.buf = append(l.buf, f.Name...)
				l.buf = append(l.buf, ": 0)"...)
			}
			l.flush()
		}
	}
}

// location writes the line-number (or, with show_positions, the source
// position) column and the space after it.
func (l *lister313) location(startsLine bool, line int, pos Position) {
	w := l.lineWidth
	if w == 0 {
		return
	}
	switch {
	case l.showPosition:
		n := len(l.buf)
		if pos.Line == NoLine && pos.EndLine == NoLine && pos.Col == NoLine && pos.EndCol == NoLine {
			l.buf = append(l.buf, noLine313...)
		} else {
			l.buf = appendPosPart(l.buf, pos.Line)
			l.buf = append(l.buf, ':')
			l.buf = appendPosPart(l.buf, pos.Col)
			l.buf = append(l.buf, '-')
			l.buf = appendPosPart(l.buf, pos.EndLine)
			l.buf = append(l.buf, ':')
			l.buf = appendPosPart(l.buf, pos.EndCol)
		}
		for k := len(l.buf) - n; k < w; k++ {
			l.buf = append(l.buf, ' ')
		}
	case !startsLine:
		l.buf = appendSpaces(l.buf, w)
	case line == NoLine:
		l.buf = appendSpaces(l.buf, w-len(noLine313))
		l.buf = append(l.buf, noLine313...)
	default:
		l.buf = appendIntLeft(l.buf, line, w)
	}
	l.buf = append(l.buf, ' ')
}

// label writes the label column ("L1:" right-aligned) and the space after
// it.
func (l *lister313) label(n int) {
	if n == 0 {
		l.buf = appendSpaces(l.buf, l.labelWidth)
	} else {
		var tmp [24]byte
		s := append(tmp[:0], 'L')
		s = strconv.AppendInt(s, int64(n), 10)
		s = append(s, ':')
		l.buf = appendSpaces(l.buf, l.labelWidth-len(s))
		l.buf = append(l.buf, s...)
	}
	l.buf = append(l.buf, ' ')
}

// offset writes the offset column (show_offsets): the offset right-aligned,
// two blanks and the separating space.
func (l *lister313) offset(off int) {
	if l.offsetWidth == 0 {
		return
	}
	l.buf = appendIntLeft(l.buf, off, l.offsetWidth)
	l.buf = append(l.buf, "   "...)
}

// opname writes the (never shown) current-instruction marker and the
// opname padded to its column.
func (l *lister313) opname(name string) {
	l.buf = append(l.buf, "    "...)
	l.buf = append(l.buf, name...)
	l.buf = appendSpaces(l.buf, opnameWidth313-len(name))
}

// flush writes the line without trailing blanks.
func (l *lister313) flush() {
	b := l.buf
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	l.p.w.Write(b)
	l.p.w.WriteByte('\n')
}

// position returns co_positions() for the code unit at off (all missing
// past the end of the table, as dis's iterator gives).
func (l *lister313) position(off int) Position {
	if i := off / 2; i >= 0 && i < len(l.positions) {
		return l.positions[i]
	}
	return Position{NoLine, NoLine, NoLine, NoLine}
}

// labelOf returns the label number of an offset, or 0.
func (l *lister313) labelOf(off int) int {
	i := sort.SearchInts(l.labels, off)
	if i < len(l.labels) && l.labels[i] == off {
		return i + 1
	}
	return 0
}

// appendArgRepr appends the argrepr of 3.13+ dis's ArgResolver for the
// (deoptimised) opcode op.
func (l *lister313) appendArgRepr(b []byte, op byte, in *Instruction) []byte {
	t, c, arg := l.t, l.c, in.Arg
	switch t.Kind(op) {
	case opcode.ArgConst:
		if c.Consts != nil && arg >= 0 && arg < len(c.Consts.Items) {
			return append(b, l.p.constRepr(c.Consts.Items[arg])...)
		}
	case opcode.ArgName:
		i, format := t.NameIndex(op, arg)
		name := tupleText(c.Names, i)
		if format != "" && len(name) > 0 {
			return appendFormat(b, format, name)
		}
		return append(b, name...)
	case opcode.ArgJumpRel, opcode.ArgJumpAbs, opcode.ArgJumpBackward, opcode.ArgExc:
		if target, ok := t.JumpTarget(op, in.Offset, arg); ok {
			if f := t.JumpFormat(op); f != "" {
				var tmp [24]byte
				lbl := strconv.AppendInt(append(tmp[:0], 'L'), int64(l.labelOf(target)), 10)
				return appendFormat(b, f, lbl)
			}
		}
	case opcode.ArgLocalPair:
		b = append(b, l.localName(arg>>4)...)
		b = append(b, ", "...)
		return append(b, l.localName(arg&15)...)
	case opcode.ArgLocal, opcode.ArgFree:
		return append(b, l.localName(arg)...)
	case opcode.ArgCompare:
		i, flags := t.CompareOp(arg)
		s := index(t.CmpOp(), i)
		for _, f := range flags {
			s = strings.Replace(f.Format, "%s", s, 1)
		}
		return append(b, s...)
	case opcode.ArgConvertValue:
		r, _ := t.ConvertValue(arg)
		return append(b, r...)
	case opcode.ArgFunctionFlags:
		flags, _ := t.FunctionFlags()
		n := len(b)
		for bit, name := range flags {
			if arg&(1<<bit) != 0 {
				if len(b) > n {
					b = append(b, ", "...)
				}
				b = append(b, name...)
			}
		}
		return b
	case opcode.ArgBinaryOp:
		if ops := t.NbOps(); arg >= 0 && arg < len(ops) {
			return append(b, ops[arg].Symbol...)
		}
	case opcode.ArgIntrinsic1:
		return append(b, index(t.Intrinsic1(), arg)...)
	case opcode.ArgIntrinsic2:
		return append(b, index(t.Intrinsic2(), arg)...)
	case opcode.ArgEnum:
		// dis picks the second text for any true (non-zero) argument.
		if arg != 0 {
			arg = 1
		}
		r, _ := t.ArgRepr(op, arg)
		return append(b, r...)
	case opcode.ArgCommonConstant, opcode.ArgSpecialMethod:
		r, _ := t.ArgRepr(op, arg)
		return append(b, r...)
	}
	// ArgSmallInt: 3.14's dis prints no argrepr for LOAD_SMALL_INT.
	return b
}

// localName is co._varname_from_oparg: a name of co_localsplusnames.
func (l *lister313) localName(i int) []byte {
	return tupleText(l.c.LocalsPlusNames, i)
}

// tupleText returns the text of the string at index i of a tuple of
// names, or nil.
func tupleText(t *marshal.Tuple, i int) []byte {
	if t == nil || i < 0 || i >= len(t.Items) {
		return nil
	}
	switch s := t.Items[i].(type) {
	case *marshal.Str:
		return s.Data
	case *marshal.Unicode:
		return s.Data
	}
	return nil
}

// appendFormat appends format with its first "%s" replaced by s.
func appendFormat[S string | []byte](b []byte, format string, s S) []byte {
	i := strings.Index(format, "%s")
	if i < 0 {
		return append(b, format...)
	}
	b = append(b, format[:i]...)
	b = append(b, s...)
	return append(b, format[i+2:]...)
}

// exceptionTable writes the "ExceptionTable:" section: each entry's
// covered range (end exclusive from 3.13) and handler by label, the stack
// depth and "lasti".
func (l *lister313) exceptionTable(excs []ExceptionEntry) {
	if len(excs) == 0 {
		return
	}
	w := l.p.w
	w.WriteString("ExceptionTable:\n")
	for _, e := range excs {
		b := append(l.buf[:0], "  L"...)
		b = strconv.AppendInt(b, int64(l.labelOf(e.Start)), 10)
		b = append(b, " to L"...)
		b = strconv.AppendInt(b, int64(l.labelOf(e.End+2)), 10)
		b = append(b, " -> L"...)
		b = strconv.AppendInt(b, int64(l.labelOf(e.Target)), 10)
		b = append(b, " ["...)
		b = strconv.AppendInt(b, int64(e.Depth), 10)
		b = append(b, ']')
		if e.Lasti {
			b = append(b, " lasti"...)
		}
		b = append(b, '\n')
		w.Write(b)
		l.buf = b
	}
}

// appendLabels313 appends the offsets that 3.13+ dis labels, ascending:
// jump targets and the start, end (exclusive) and target of each
// exception-table entry.
func appendLabels313(offs []int, ins []Instruction, t *opcode.Table, excs []ExceptionEntry) []int {
	for i := range ins {
		in := &ins[i]
		if !in.HasArg {
			continue
		}
		if target, ok := t.JumpTarget(t.Deopt(in.Op), in.Offset, in.Arg); ok {
			offs = append(offs, target)
		}
	}
	for _, e := range excs {
		offs = append(offs, e.Start, e.End+2, e.Target)
	}
	if len(offs) == 0 {
		return offs
	}
	slices.Sort(offs)
	return slices.Compact(offs)
}

// lineWidth313 is dis._get_lineno_width: the widest line number (lines 0
// and None do not count), at least 3, at least 4 when some code has no
// line; 0 when no line number counts.
func lineWidth313(starts []LineStart) int {
	maxLine, have, none := 0, false, false
	for _, s := range starts {
		switch {
		case s.Line == NoLine:
			none = true
		case s.Line == 0:
		case !have || s.Line > maxLine:
			maxLine, have = s.Line, true
		}
	}
	if !have || maxLine == -1 {
		return 0
	}
	w := max(3, decimalLen(maxLine))
	if w < len(noLine313) && none {
		w = len(noLine313)
	}
	return w
}

// positionsWidth is 3.14's dis._get_positions_width: room for the widest
// "LINE:COL-ENDLINE:ENDCOL" (a missing part shows as "?") and a blank, at
// least 5; 0 when no position has any part.
func positionsWidth(ps []Position) int {
	has, widest := false, 0
	for _, p := range ps {
		w := 0
		for _, v := range [4]int{p.Line, p.EndLine, p.Col, p.EndCol} {
			if v == NoLine {
				w++
			} else {
				has = true
				w += decimalLen(v)
			}
		}
		widest = max(widest, w)
	}
	if !has {
		return 0
	}
	return 1 + max(len(noLine313), 3+widest)
}

// decimalLen is len(str(n)).
func decimalLen(n int) int {
	var tmp [24]byte
	return len(strconv.AppendInt(tmp[:0], int64(n), 10))
}

const spaces64 = "                                                                "

// appendSpaces appends n blanks (none when n <= 0).
func appendSpaces(b []byte, n int) []byte {
	for n > len(spaces64) {
		b = append(b, spaces64...)
		n -= len(spaces64)
	}
	if n > 0 {
		b = append(b, spaces64[:n]...)
	}
	return b
}

// appendIntLeft appends n right-aligned in width columns.
func appendIntLeft(b []byte, n, width int) []byte {
	var tmp [24]byte
	s := strconv.AppendInt(tmp[:0], int64(n), 10)
	b = appendSpaces(b, width-len(s))
	return append(b, s...)
}

// appendPosPart appends one part of a position, "?" when it is missing.
func appendPosPart(b []byte, v int) []byte {
	if v == NoLine {
		return append(b, '?')
	}
	return strconv.AppendInt(b, int64(v), 10)
}

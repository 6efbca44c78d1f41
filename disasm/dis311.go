package disasm

import (
	"strconv"

	"github.com/pyc-tools/pyc/opcode"
)

// style311 is what sets the dis of 3.12 apart from that of 3.11; the two
// otherwise print alike.
type style311 struct {
	// allConsts: every instruction with a constant argument shows it
	// (3.12: LOAD_CONST, RETURN_CONST, KW_NAMES). 3.11 shows only
	// LOAD_CONST's and leaves KW_NAMES bare.
	allConsts bool
	// cacheValues: with show_caches, the first entry of every cache field
	// reads "field: value" (3.12). 3.11 does so only after a specialised
	// instruction, and such opcodes never come out of co_code.
	cacheValues bool
	// rawLabels: findlabels looks the stored opcode up in hasjrel (3.11),
	// so specialised jumps mark no target; 3.12 looks up the base
	// instruction.
	rawLabels bool
}

var (
	style311v = style311{rawLabels: true}
	style312v = style311{allConsts: true, cacheValues: true}
)

// Column widths of 3.11 and 3.12's Instruction._disassemble.
const (
	opnameWidth311 = 20
	opargWidth311  = 5
)

// listing311 prints one code object as dis.disassemble of Python 3.11 and
// 3.12 does. Each instruction is one line of fields joined by single spaces
// and right-trimmed: the line number where a source line starts (width 3,
// or the width of the largest line number from 1000 on; the column is left
// out when the code has no line numbers), the current-instruction marker
// (always blank here), ">>" for jump and exception-handler targets, the
// offset (width 4, or that of the last offset from 10000 on), the opcode
// name in 20 columns, the argument in 5 and its meaning in parentheses. A
// blank line comes before every instruction that starts a source line
// except the first. Inline caches are skipped, or shown as CACHE entries
// with DisOptions.ShowCaches. The exception table, if any, follows.
func (p *printer) listing311(c *Code) error {
	t := c.Table
	st := style311v
	if c.Version.AtLeast(3, 12) {
		st = style312v
	}
	code := c.Bytecode()
	p.ins = appendDecode(p.ins[:0], c.Bytecode(), c.Table)
	ins := p.ins
	starts := c.LineStarts()
	excs := c.ExceptionTable()

	lineWidth := 0
	if len(starts) > 0 {
		maxLine := starts[0].Line
		for _, s := range starts[1:] {
			maxLine = max(maxLine, s.Line)
		}
		lineWidth = 3
		if maxLine >= 1000 {
			lineWidth = len(strconv.Itoa(maxLine))
		}
	}
	offWidth := 4
	if maxOff := len(code) - 2; maxOff >= 10000 {
		offWidth = len(strconv.Itoa(maxOff))
	}

	// Jump targets and exception handlers, by code unit.
	labels := make([]bool, len(code)/2+1)
	mark := func(off int) {
		if off >= 0 && off < len(code) {
			labels[off/2] = true
		}
	}
	for i := range ins {
		in := &ins[i]
		if !in.HasArg || st.rawLabels && t.IsSpecialized(in.Op) {
			continue
		}
		if target, ok := t.JumpTarget(in.Op, in.Offset, in.Arg); ok {
			mark(target)
		}
	}
	for _, e := range excs {
		if e.End >= e.Start {
			mark(e.Target)
		}
	}

	a := argReprs311{c: c, p: p, style: st}
	buf := make([]byte, 0, 256)
	next := 0 // index into starts
	for i := range ins {
		if err := p.reprOverBudget(c); err != nil {
			return err
		}
		in := &ins[i]
		for next < len(starts) && starts[next].Offset < in.Offset {
			next++
		}
		line, isStart := 0, false
		if next < len(starts) && starts[next].Offset == in.Offset {
			line, isStart = starts[next].Line, true
		}
		if lineWidth > 0 && isStart && in.Offset > 0 {
			p.w.WriteByte('\n')
		}
		buf = buf[:0]
		if lineWidth > 0 {
			if isStart {
				buf = appendIntRight(buf, line, lineWidth)
			} else {
				buf = appendSpaces(buf, lineWidth)
			}
			buf = append(buf, ' ')
		}
		if in.Offset/2 < len(labels) && labels[in.Offset/2] {
			buf = append(buf, "    >> "...)
		} else {
			buf = append(buf, "       "...)
		}
		buf = appendIntRight(buf, in.Offset, offWidth)
		buf = append(buf, ' ')
		buf = append(buf, t.Name(in.Op)...)
		if in.HasArg {
			buf = appendSpaces(buf, opnameWidth311-len(t.Name(in.Op)))
			buf = append(buf, ' ')
			buf = appendIntRight(buf, in.Arg, opargWidth311)
			n := len(buf)
			buf = append(buf, " ("...)
			if buf2 := a.append(buf, in); len(buf2) > len(buf) {
				buf = append(buf2, ')')
			} else {
				buf = buf[:n]
			}
		}
		buf = append(buf, '\n')
		p.w.Write(buf)
		if p.opts.ShowCaches && in.Caches > 0 {
			p.caches311(c, in, st, code, lineWidth, offWidth, buf[:0])
		}
	}
	if len(excs) > 0 {
		p.w.WriteString("ExceptionTable:\n")
		for _, e := range excs {
			buf = append(buf[:0], "  "...)
			buf = strconv.AppendInt(buf, int64(e.Start), 10)
			buf = append(buf, " to "...)
			buf = strconv.AppendInt(buf, int64(e.End), 10)
			buf = append(buf, " -> "...)
			buf = strconv.AppendInt(buf, int64(e.Target), 10)
			buf = append(buf, " ["...)
			buf = strconv.AppendInt(buf, int64(e.Depth), 10)
			buf = append(buf, ']')
			if e.Lasti {
				buf = append(buf, " lasti"...)
			}
			buf = append(buf, '\n')
			p.w.Write(buf)
		}
	}
	return nil
}

// caches311 prints the inline cache entries after in as show_caches=True
// does: one CACHE line per code unit, argument 0, the first unit of each
// field of the cache format labelled with the field's name and value (the
// field's bytes as a little-endian number).
func (p *printer) caches311(c *Code, in *Instruction, st style311, code []byte, lineWidth, offWidth int, buf []byte) {
	t := c.Table
	labelled := st.cacheValues || t.Deopt(in.Op) != in.Op
	off := in.Offset
	for _, f := range t.CacheFormat(in.Op) {
		for i := 0; i < f.Size; i++ {
			off += 2
			buf = buf[:0]
			if lineWidth > 0 {
				buf = appendSpaces(buf, lineWidth+1)
			}
			buf = append(buf, "       "...)
			buf = appendIntRight(buf, off, offWidth)
			buf = append(buf, " CACHE"...)
			buf = appendSpaces(buf, opnameWidth311-len("CACHE"))
			buf = append(buf, "     0"...)
			if i == 0 && labelled {
				var v uint64
				end := min(off+2*f.Size, len(code))
				for j := end - 1; j >= off; j-- {
					v = v<<8 | uint64(code[j])
				}
				buf = append(buf, " ("...)
				buf = append(buf, f.Name...)
				buf = append(buf, ": "...)
				buf = strconv.AppendUint(buf, v, 10)
				buf = append(buf, ')')
			}
			buf = append(buf, '\n')
			p.w.Write(buf)
		}
	}
}

// argReprs311 renders the argrepr of 3.11 and 3.12 instructions, keeping
// the reprs of constants, which code often loads more than once.
type argReprs311 struct {
	c      *Code
	p      *printer
	style  style311
	names  []string
	locals []string
	consts []string
	done   []bool
	loaded bool
}

// append appends the argrepr of in to buf (nothing when it is empty).
func (a *argReprs311) append(buf []byte, in *Instruction) []byte {
	c, t := a.c, a.c.Table
	if !a.loaded {
		a.names = c.NameStrings()
		a.locals = c.LocalNames()
		if c.Consts != nil {
			a.consts = make([]string, len(c.Consts.Items))
			a.done = make([]bool, len(c.Consts.Items))
		}
		a.loaded = true
	}
	arg := in.Arg
	switch t.Kind(in.Op) {
	case opcode.ArgConst:
		if !a.style.allConsts {
			if op, ok := t.BaseOp("LOAD_CONST"); !ok || t.Deopt(in.Op) != op {
				break
			}
		}
		if arg >= 0 && arg < len(a.consts) {
			if !a.done[arg] {
				a.consts[arg] = a.p.repr.Repr(c.Consts.Items[arg])
				a.done[arg] = true
			}
			a.p.reprOut += len(a.consts[arg])
			buf = append(buf, a.consts[arg]...)
		}
	case opcode.ArgName:
		idx, format := t.NameIndex(in.Op, arg)
		name := index(a.names, idx)
		if format != "" && name != "" {
			buf = appendFormat(buf, format, name)
		} else {
			buf = append(buf, name...)
		}
	case opcode.ArgLocal, opcode.ArgFree:
		buf = append(buf, index(a.locals, arg)...)
	case opcode.ArgJumpRel, opcode.ArgJumpAbs, opcode.ArgJumpBackward:
		if target, ok := t.JumpTarget(in.Op, in.Offset, arg); ok && t.ShowsJumpTarget(in.Op) {
			buf = appendFormat(buf, t.JumpFormat(in.Op), strconv.Itoa(target))
		}
	case opcode.ArgCompare:
		idx, _ := t.CompareOp(arg)
		buf = append(buf, index(t.CmpOp(), idx)...)
	case opcode.ArgBinaryOp:
		if ops := t.NbOps(); arg >= 0 && arg < len(ops) {
			buf = append(buf, ops[arg].Symbol...)
		}
	case opcode.ArgIntrinsic1:
		buf = append(buf, index(t.Intrinsic1(), arg)...)
	case opcode.ArgIntrinsic2:
		buf = append(buf, index(t.Intrinsic2(), arg)...)
	case opcode.ArgFormatValue:
		r, _ := t.FormatValue(arg)
		buf = append(buf, r...)
	case opcode.ArgFunctionFlags:
		flags, _ := t.FunctionFlags()
		first := true
		for bit, name := range flags {
			if arg&(1<<bit) != 0 {
				if !first {
					buf = append(buf, ", "...)
				}
				buf = append(buf, name...)
				first = false
			}
		}
	}
	return buf
}

// appendIntRight appends n right-justified in width columns.
func appendIntRight(buf []byte, n, width int) []byte {
	var tmp [24]byte
	s := strconv.AppendInt(tmp[:0], int64(n), 10)
	buf = appendSpaces(buf, width-len(s))
	return append(buf, s...)
}

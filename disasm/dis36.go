package disasm

import (
	"strconv"
	"strings"

	"github.com/pyc-tools/pyc/opcode"
)

// listing36 prints one code object as dis.disassemble of Python 3.6 to 3.10
// does; 3.0 to 3.5 use the same format with their own byte-code offsets.
// Fields are joined by single spaces and the line right-trimmed: line
// number (width 3, wider from 3.7 when a line number reaches 1000), the
// current-instruction marker, ">>" for jump targets, the offset
// right-aligned (width 4, wider from 3.7 for long code), the opcode name in
// 20 columns, the argument in 5, and its meaning in parentheses.
func (p *printer) listing36(c *Code) error {
	t := c.Table
	p.ins = appendDecode(p.ins[:0], c.Bytecode(), c.Table)
	ins := p.ins
	code := c.Bytecode()
	starts := map[int]int{}
	maxLine := 0
	for _, ls := range c.LineStarts() {
		starts[ls.Offset] = ls.Line
		maxLine = max(maxLine, ls.Line)
	}
	v := c.Version
	// Up to 3.9 the line table always yields a line start; 3.10 omits the
	// column when it yields none.
	showLine := !v.AtLeast(3, 10) || len(starts) > 0
	lineWidth := 3
	offWidth := 4
	if v.AtLeast(3, 7) {
		if maxLine >= 1000 {
			lineWidth = len(strconv.Itoa(maxLine))
		}
		if maxOff := len(code) - 2; maxOff >= 10000 {
			offWidth = len(strconv.Itoa(maxOff))
		}
	}
	if !showLine {
		lineWidth = 0
	}
	labels := labels36(ins, t)
	names := c.NameStrings()
	locals := c.LocalNames()
	var cells []string
	line := &p.line
	for i := range ins {
		if err := p.reprOverBudget(c); err != nil {
			return err
		}
		in := &ins[i]
		*line = (*line)[:0]
		start, isStart := starts[in.Offset]
		if showLine && isStart && in.Offset > 0 {
			p.w.WriteByte('\n')
		}
		if lineWidth > 0 {
			if isStart {
				line.padInt(start, lineWidth)
			} else {
				line.spaces(lineWidth)
			}
			line.byte1(' ')
		}
		if labels[in.Offset] {
			line.str("    >> ")
		} else {
			line.str("       ")
		}
		line.padInt(in.Offset, offWidth)
		line.byte1(' ')
		line.padRight(t.Name(in.Op), 20)
		if in.HasArg {
			line.byte1(' ')
			line.padInt(in.Arg, 5)
			mark := len(*line)
			line.str(" (")
			if p.argRepr36(c, in, names, locals, &cells, line) {
				line.byte1(')')
			} else {
				*line = (*line)[:mark]
			}
		}
		p.flushLine()
	}
	return nil
}

// argRepr36 appends the argrepr of 3.0 to 3.10's dis to out and reports
// whether there was one.
func (p *printer) argRepr36(c *Code, in *Instruction, names, locals []string, cells *[]string, out *buf) bool {
	t := c.Table
	if t.Kind(in.Op) == opcode.ArgConst {
		arg := in.Arg
		if c.Consts != nil && arg >= 0 && arg < len(c.Consts.Items) {
			*out = append(*out, p.constRepr(c.Consts.Items[arg])...)
			return true
		}
		return false
	}
	r := p.argText36(c, in, names, locals, cells)
	out.str(r)
	return r != ""
}

// argText36 is the argrepr of 3.0 to 3.10's dis for arguments other than
// constants.
func (p *printer) argText36(c *Code, in *Instruction, names, locals []string, cells *[]string) string {
	t := c.Table
	arg := in.Arg
	switch t.Kind(in.Op) {
	case opcode.ArgName:
		return index(names, arg)
	case opcode.ArgLocal:
		return index(locals, arg)
	case opcode.ArgFree:
		if *cells == nil {
			*cells = c.CellAndFreeNames()
		}
		return index(*cells, arg)
	case opcode.ArgCompare:
		return index(t.CmpOp(), arg)
	case opcode.ArgJumpRel, opcode.ArgJumpAbs, opcode.ArgJumpBackward:
		if target, ok := t.JumpTarget(in.Op, in.Offset, arg); ok && t.ShowsJumpTarget(in.Op) {
			return "to " + strconv.Itoa(target)
		}
	case opcode.ArgNArgs:
		if f := t.NArgsFormat(); f != "" {
			return formatNArgs(f, arg&0xff, (arg>>8)&0xff)
		}
	case opcode.ArgFormatValue:
		r, _ := t.FormatValue(arg)
		return r
	case opcode.ArgFunctionFlags:
		flags, _ := t.FunctionFlags()
		var parts []string
		for bit, name := range flags {
			if arg&(1<<bit) != 0 {
				parts = append(parts, name)
			}
		}
		return strings.Join(parts, ", ")
	}
	return ""
}

// formatNArgs fills a "%d positional, %d keyword pair" format.
func formatNArgs(f string, a, b int) string {
	i := strings.Index(f, "%d")
	if i < 0 {
		return f
	}
	f = f[:i] + strconv.Itoa(a) + f[i+2:]
	if j := strings.Index(f, "%d"); j >= 0 {
		f = f[:j] + strconv.Itoa(b) + f[j+2:]
	}
	return f
}

func index(xs []string, i int) string {
	if i >= 0 && i < len(xs) {
		return xs[i]
	}
	return ""
}

// labels36 finds jump targets as findlabels of 3.x does: every relative or
// absolute jump's target.
func labels36(ins []Instruction, t *opcode.Table) map[int]bool {
	labels := map[int]bool{}
	for i := range ins {
		in := &ins[i]
		if !in.HasArg {
			continue
		}
		if target, ok := t.JumpTarget(in.Op, in.Offset, in.Arg); ok {
			labels[target] = true
		}
	}
	return labels
}

package disasm

import (
	"strconv"

	"github.com/pyc-tools/pyc/opcode"
)

// listing27 prints one code object as Python 2.7's dis.disassemble does;
// Python 1.x to 2.6 use the same format. Each instruction line holds, space
// separated: the line number ("%3d") or three blanks, the current
// instruction marker (three blanks), ">>" for jump targets, the offset
// right-aligned in 4, the opcode name left-aligned in 20, then the argument
// right-aligned in 5 and its meaning in parentheses. A blank line precedes
// every new source line but the first.
func (p *printer) listing27(c *Code) error {
	code := c.Bytecode()
	t := c.Table
	labels := labels27(code, t)
	starts := map[int]int{}
	for _, ls := range c.LineStarts() {
		starts[ls.Offset] = ls.Line
	}
	names := c.NameStrings()
	locals := c.LocalNames()
	var cells []string
	ext, hasExt := t.ExtendedArg()
	have := t.HaveArgument()
	// 2.7 computes the EXTENDED_ARG prefix as a Python long: the argument
	// after one is a long and prints with an L suffix.
	extended, extendedLong := 0, false
	for i := 0; i < len(code); {
		if err := p.reprOverBudget(c); err != nil {
			return err
		}
		op := code[i]
		if line, ok := starts[i]; ok {
			if i > 0 {
				p.w.WriteByte('\n')
			}
			p.padLeft(strconv.Itoa(line), 3)
		} else {
			p.w.WriteString("   ")
		}
		p.w.WriteString("     ")
		if labels[i] {
			p.w.WriteString(">>")
		} else {
			p.w.WriteString("  ")
		}
		p.w.WriteByte(' ')
		p.padLeft(strconv.Itoa(i), 4)
		p.w.WriteByte(' ')
		p.padRight(t.Name(op), 20)
		i++
		if op >= have {
			arg := 0
			if i < len(code) {
				arg = int(code[i])
			}
			if i+1 < len(code) {
				arg += int(code[i+1]) << 8
			}
			arg += extended
			long := extendedLong
			extended, extendedLong = 0, false
			i += 2
			if hasExt && op == ext {
				// A chain of EXTENDED_ARGs overflows arg (2.7's dis has
				// no limit): the lookups below check for a negative one.
				extended, extendedLong = arg<<16, true
			}
			p.w.WriteByte(' ')
			p.padLeft(pyInt(arg, long), 5)
			p.w.WriteByte(' ')
			switch t.Kind(op) {
			case opcode.ArgConst:
				if c.Consts != nil && arg >= 0 && arg < len(c.Consts.Items) {
					p.w.WriteString("(" + p.constRepr(c.Consts.Items[arg]) + ")")
				}
			case opcode.ArgName:
				if arg >= 0 && arg < len(names) {
					p.w.WriteString("(" + names[arg] + ")")
				}
			case opcode.ArgJumpRel:
				p.w.WriteString("(to " + pyInt(i+arg, long) + ")")
			case opcode.ArgLocal:
				if arg >= 0 && arg < len(locals) {
					p.w.WriteString("(" + locals[arg] + ")")
				}
			case opcode.ArgCompare:
				if cmp := t.CmpOp(); arg >= 0 && arg < len(cmp) {
					p.w.WriteString("(" + cmp[arg] + ")")
				}
			case opcode.ArgFree:
				if cells == nil {
					cells = c.CellAndFreeNames()
				}
				if arg >= 0 && arg < len(cells) {
					p.w.WriteString("(" + cells[arg] + ")")
				}
			}
		}
		p.w.WriteByte('\n')
	}
	return nil
}

// pyInt prints an int as Python 2 does, with L for a long.
func pyInt(n int, long bool) string {
	s := strconv.Itoa(n)
	if long {
		s += "L"
	}
	return s
}

// labels27 finds jump targets as 2.7's dis.findlabels does: ignoring
// EXTENDED_ARG, relative targets from the next instruction.
func labels27(code []byte, t *opcode.Table) map[int]bool {
	labels := map[int]bool{}
	have := t.HaveArgument()
	for i := 0; i < len(code); {
		op := code[i]
		i++
		if op < have {
			continue
		}
		arg := 0
		if i < len(code) {
			arg = int(code[i])
		}
		if i+1 < len(code) {
			arg += int(code[i+1]) << 8
		}
		i += 2
		switch t.Kind(op) {
		case opcode.ArgJumpRel:
			labels[i+arg] = true
		case opcode.ArgJumpAbs:
			labels[arg] = true
		}
	}
	return labels
}

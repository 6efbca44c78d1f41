package disasm

import (
	"errors"
	"fmt"

	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/opcode"
	"github.com/pyc-tools/pyc/pyc"
)

// JSONCode is the JSON form of one code object's disassembly: its identity,
// instructions, line table and exception table, and the code objects among
// its constants. Field names are stable.
type JSONCode struct {
	// Path addresses the code object from the top: "<module>",
	// "<module>.Parser.parse" (qualified names joined with dots).
	Path        string `json:"path"`
	Name        string `json:"name"`
	QualName    string `json:"qualname"`
	Filename    string `json:"filename"`
	FirstLineNo int    `json:"firstlineno"`
	ArgCount    int    `json:"argcount"`
	Flags       uint32 `json:"flags"`
	StackSize   int    `json:"stacksize"`
	CodeSize    int    `json:"code_size"`

	Instructions   []JSONInstruction `json:"instructions"`
	LineStarts     []LineStart       `json:"line_starts"`
	ExceptionTable []ExceptionEntry  `json:"exception_table,omitempty"`
	Children       []*JSONCode       `json:"children,omitempty"`
}

// JSONInstruction is one instruction in JSON form.
type JSONInstruction struct {
	Offset int    `json:"offset"`
	Opcode int    `json:"opcode"`
	Opname string `json:"opname"`
	// Arg is the argument (EXTENDED_ARG folded in); absent for opcodes
	// without one.
	Arg *int `json:"arg,omitempty"`
	// ArgKind says how the argument is read: "Const", "Name", "Local",
	// "Free", "JumpRel", "JumpAbs", "JumpBackward", "Compare", ...
	ArgKind string `json:"arg_kind,omitempty"`
	// ArgVal is what the argument designates: the constant's repr, the
	// name, the jump target offset, the operator.
	ArgVal any `json:"argval,omitempty"`
	// Line is the source line when the instruction starts one.
	Line *int `json:"starts_line,omitempty"`
	// JumpTarget reports whether some jump lands here.
	JumpTarget bool `json:"is_jump_target,omitempty"`
	// Caches is the number of inline cache entries after it (3.11+).
	Caches int `json:"caches,omitempty"`
}

// JSON builds the JSON form of a code object and, recursively, of the code
// objects among its constants. Like Dis, it refuses a code object that
// contains itself and code objects shared beyond a linear budget.
func JSON(c *Code) (*JSONCode, error) {
	p := &printer{addrs: map[*marshal.Code]int{}}
	p.repr = NewReprStyle(c.Version.Major, c.Version.Minor)
	p.repr.CodeAddr = p.codeAddr
	p.budget = 2*distinctBytecode(c.Code) + 1<<16
	return p.jsonCode(c, c.QualNameString(), 0)
}

func (p *printer) jsonCode(c *Code, path string, depth int) (*JSONCode, error) {
	for _, a := range p.stack {
		if a == c.Code {
			return nil, &pyc.CodeError{Code: c.Code, Err: errors.New("disasm: it contains itself among its constants")}
		}
	}
	p.spent += len(c.Bytecode()) + 1
	if p.listed++; p.listed > maxListings || p.spent > p.budget {
		return nil, &pyc.CodeError{Code: c.Code, Err: fmt.Errorf("disasm: code objects shared through back-references beyond %d listings", maxListings)}
	}
	p.stack = append(p.stack, c.Code)
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()
	t := c.Table
	j := &JSONCode{
		Path:        path,
		Name:        c.NameString(),
		QualName:    c.QualNameString(),
		Filename:    c.FilenameString(),
		FirstLineNo: int(c.FirstLineNo),
		ArgCount:    int(c.ArgCount),
		Flags:       c.Flags,
		StackSize:   int(c.StackSize),
		CodeSize:    len(c.Bytecode()),
		LineStarts:  c.LineStarts(),
	}
	if j.LineStarts == nil {
		j.LineStarts = []LineStart{}
	}
	if c.Version.AtLeast(3, 11) {
		j.ExceptionTable = c.ExceptionTable()
	}
	starts := map[int]int{}
	for _, ls := range j.LineStarts {
		starts[ls.Offset] = ls.Line
	}
	ins := c.Instructions()
	targets := map[int]bool{}
	for i := range ins {
		if ins[i].HasArg {
			if tg, ok := t.JumpTarget(ins[i].Op, ins[i].Offset, ins[i].Arg); ok {
				targets[tg] = true
			}
		}
	}
	names := c.NameStrings()
	locals := c.LocalNames()
	cells := c.CellAndFreeNames()
	j.Instructions = make([]JSONInstruction, len(ins))
	for i := range ins {
		if err := p.reprOverBudget(c); err != nil {
			return nil, err
		}
		in := &ins[i]
		ji := JSONInstruction{
			Offset:     in.Offset,
			Opcode:     int(in.Op),
			Opname:     t.Name(in.Op),
			JumpTarget: targets[in.Offset],
			Caches:     in.Caches,
		}
		if l, ok := starts[in.Offset]; ok {
			ji.Line = &l
		}
		if in.HasArg {
			arg := in.Arg
			ji.Arg = &arg
			k := t.Kind(in.Op)
			if k != opcode.ArgNone && k != opcode.ArgInt {
				ji.ArgKind = k.String()
			}
			ji.ArgVal = p.argVal(c, in, names, locals, cells)
		}
		j.Instructions[i] = ji
	}
	if depth < marshal.MaxDepth && c.Consts != nil {
		for _, k := range c.Consts.Items {
			if child, ok := k.(*marshal.Code); ok {
				cc := c.Child(child)
				jc, err := p.jsonCode(cc, ChildPath(c, path, cc), depth+1)
				if err != nil {
					return nil, err
				}
				j.Children = append(j.Children, jc)
			}
		}
	}
	return j, nil
}

// argVal resolves an argument by its kind, independently of any version's
// text conventions.
func (p *printer) argVal(c *Code, in *Instruction, names, locals, cells []string) any {
	t := c.Table
	arg := in.Arg
	switch t.Kind(in.Op) {
	case opcode.ArgConst:
		if c.Consts != nil && arg >= 0 && arg < len(c.Consts.Items) {
			return p.constRepr(c.Consts.Items[arg])
		}
	case opcode.ArgName:
		i, _ := t.NameIndex(in.Op, arg)
		return index(names, i)
	case opcode.ArgLocal:
		return index(locals, arg)
	case opcode.ArgLocalPair:
		return []string{index(locals, arg>>4), index(locals, arg&15)}
	case opcode.ArgFree:
		return index(cells, arg)
	case opcode.ArgCompare:
		i, _ := t.CompareOp(arg)
		return index(t.CmpOp(), i)
	case opcode.ArgBinaryOp:
		if ops := t.NbOps(); arg >= 0 && arg < len(ops) {
			return ops[arg].Symbol
		}
	case opcode.ArgIntrinsic1:
		return index(t.Intrinsic1(), arg)
	case opcode.ArgIntrinsic2:
		return index(t.Intrinsic2(), arg)
	case opcode.ArgJumpRel, opcode.ArgJumpAbs, opcode.ArgJumpBackward:
		if tg, ok := t.JumpTarget(in.Op, in.Offset, arg); ok {
			return tg
		}
	}
	return nil
}

// ChildPath returns the path of a nested code object: its qualified name
// where the version records one (3.11+), otherwise the parent's path joined
// with the child's name, with "<locals>" after functions as Python's
// __qualname__ does.
func ChildPath(parent *Code, parentPath string, child *Code) string {
	if child.QualName != nil {
		return child.QualNameString()
	}
	name := child.NameString()
	if parentPath == "" || parent.NameString() == "<module>" {
		return name
	}
	if isFunctionBody(parent) {
		return parentPath + ".<locals>." + name
	}
	return parentPath + "." + name
}

// isFunctionBody reports whether c is a function's body, whose nested
// definitions get "<locals>" in their qualified names, rather than a class
// body or a module. Functions have CO_NEWLOCALS; so do Python 2 class
// bodies, which end with LOAD_LOCALS, RETURN_VALUE instead.
func isFunctionBody(c *Code) bool {
	const coNewLocals = 0x2
	if c.Flags&coNewLocals == 0 {
		return false
	}
	if c.Layout.Python2() && c.Table != nil {
		b := c.Bytecode()
		ll, ok1 := c.Table.Op("LOAD_LOCALS")
		rv, ok2 := c.Table.Op("RETURN_VALUE")
		if ok1 && ok2 && len(b) >= 2 && b[len(b)-2] == ll && b[len(b)-1] == rv {
			return false
		}
	}
	return true
}

// Find returns the code object whose path (see ChildPath) or qualified name
// is qualname, searching depth first from c; the top code object answers
// to its own name ("<module>"). ok is false when none matches.
func Find(c *Code, qualname string) (found *Code, ok bool) {
	var walk func(c *Code, path string, depth int) *Code
	walk = func(c *Code, path string, depth int) *Code {
		if path == qualname {
			return c
		}
		if depth >= marshal.MaxDepth || c.Consts == nil {
			return nil
		}
		for _, k := range c.Consts.Items {
			if m, ok := k.(*marshal.Code); ok {
				cc := c.Child(m)
				if r := walk(cc, ChildPath(c, path, cc), depth+1); r != nil {
					return r
				}
			}
		}
		return nil
	}
	r := walk(c, c.QualNameString(), 0)
	return r, r != nil
}

// CodePaths lists the paths of all code objects under c, depth first.
func CodePaths(c *Code) []string {
	var out []string
	var walk func(c *Code, path string, depth int)
	walk = func(c *Code, path string, depth int) {
		out = append(out, path)
		if depth >= marshal.MaxDepth || c.Consts == nil {
			return
		}
		for _, k := range c.Consts.Items {
			if m, ok := k.(*marshal.Code); ok {
				cc := c.Child(m)
				walk(cc, ChildPath(c, path, cc), depth+1)
			}
		}
	}
	walk(c, c.QualNameString(), 0)
	return out
}

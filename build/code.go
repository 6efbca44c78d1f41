package build

import (
	"fmt"
	"math/big"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/opcode"
	"github.com/pyc-tools/pyc/pyc"
)

// NoLine marks a missing line or column in a Loc.
const NoLine = -1

// Loc is an instruction's source position. Before 3.11 only Line counts;
// from 3.11 the end line and the columns are recorded too (NoLine where
// there are none).
type Loc struct {
	Line, EndLine, Col, EndCol int
}

// LineLoc returns the position of a whole line without columns (NoLine for
// no line at all).
func LineLoc(line int) Loc {
	if line == NoLine {
		return Loc{NoLine, NoLine, NoLine, NoLine}
	}
	return Loc{line, line, NoLine, NoLine}
}

// Pos is a position in a source text that a Code came from (an assembly
// file), for error messages. The zero Pos means none.
type Pos struct {
	Line, Col int
}

// String returns "line:col".
func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// A Label marks a place in the instruction list: the jump targets and the
// bounds of exception-table entries. Make one with NewLabel (or any
// &Label{}) and place it with Code.Place.
type Label struct {
	// Name is what assembly text calls the label (informational).
	Name string
	// Pos is where the label was defined in assembly text.
	Pos Pos

	placed bool
	index  int // instruction index the label precedes
	offset int // byte offset, once laid out
}

// NewLabel returns a new label with a name for messages.
func NewLabel(name string) *Label { return &Label{Name: name} }

// String returns the label's name.
func (l *Label) String() string {
	if l.Name != "" {
		return l.Name
	}
	return "label"
}

// Instr is one instruction of a Code.
type Instr struct {
	// Op is the opcode, by the Code's version's numbering. Specialised and
	// instrumented opcodes are written as they are.
	Op byte
	// Arg is the operand: nil, or one of Int, Raw, Const, CodeRef, Name,
	// Local, LocalPair, Free, *Label, Compare, BinaryOp, Intrinsic.
	Arg Arg
	// Loc is the source position.
	Loc Loc
	// LineStart marks the start of a line-table entry (lnotab, 2.x to
	// 3.9): an instruction the compiler recorded a line for even when the
	// line did not change. Later versions record lines per instruction.
	LineStart bool
	// ExtraLines are lnotab entries at the same instruction before the
	// one for Loc.Line, as the peephole optimizers of 2.7 to 3.9 leave
	// them when they remove the code between two lines.
	ExtraLines []int
	// ExtArgs is the least number of EXTENDED_ARG prefixes to write; more
	// are written when the argument needs them.
	ExtArgs int
	// Cache holds the instruction's inline cache (3.11+) when it is not
	// all zero; missing units are zero.
	Cache []uint16
	// Labels are the labels placed just before the instruction.
	Labels []*Label
	// Pos is where the instruction was written in assembly text.
	Pos Pos
}

// Arg is an instruction operand.
type Arg interface{ isArg() }

// Int is an operand that is its own value: a count, flags, an operator
// number.
type Int int

// Raw is an oparg written exactly as given, whatever the instruction's
// argument means: no constant, name or label is looked up. The assembler
// does not adjust it when the code around it changes.
type Raw int

// Const is a constant operand: an index into co_consts, found by identity
// or, for a value made anew, by equal value and encoding; added when
// absent. Code is set instead of Value for a nested code object that is
// still being built.
type Const struct {
	Value marshal.Value
	Code  *Code
}

// CodeRef names a code object among the constants by its co_name.
type CodeRef string

// Name is an entry of co_names, with the flag bits some versions keep
// below the index (Flags, such as 1 for 3.11+ LOAD_GLOBAL's "NULL +").
type Name struct {
	Name  string
	Flags int
}

// Local is a local variable (co_varnames, or a 3.11+ co_localsplusnames
// entry).
type Local string

// LocalPair is the two locals of 3.13+ LOAD_FAST_LOAD_FAST and kin.
type LocalPair [2]string

// Free is a cell or free variable.
type Free string

// Compare is a comparison operator (one of the version's cmp_op names)
// with its flag bits (3.13's 16: convert to bool). Mask bits the compiler
// adds below the operator (3.12+) are computed; give Flags -1 to have none
// added.
type Compare struct {
	Op    string
	Flags int
}

// BinaryOp is a 3.11+ BINARY_OP operator by its symbol, such as "+" or
// "+=".
type BinaryOp string

// Intrinsic is a 3.12+ CALL_INTRINSIC_1 or _2 function by name, such as
// "INTRINSIC_PRINT".
type Intrinsic string

func (Int) isArg()       {}
func (Raw) isArg()       {}
func (Const) isArg()     {}
func (CodeRef) isArg()   {}
func (Name) isArg()      {}
func (Local) isArg()     {}
func (LocalPair) isArg() {}
func (Free) isArg()      {}
func (*Label) isArg()    {}
func (Compare) isArg()   {}
func (BinaryOp) isArg()  {}
func (Intrinsic) isArg() {}

// ExceptionEntry is one entry of a 3.11+ exception table: instructions
// from Start up to (not including) End are handled at Target, with the
// stack cut to Depth items and, with Lasti, the offset of the raising
// instruction pushed.
type ExceptionEntry struct {
	Start, End, Target *Label
	Depth              int
	Lasti              bool
	// Pos is where the entry was written in assembly text.
	Pos Pos
}

// Field names the objects of a code object that the assembler makes
// itself, whose encoding Code.Specs may pin down.
type Field uint8

// The fields whose objects the assembler makes.
const (
	FieldCode            Field = iota // co_code
	FieldConsts                       // the co_consts tuple
	FieldNames                        // the co_names tuple
	FieldVarNames                     // co_varnames
	FieldFreeVars                     // co_freevars
	FieldCellVars                     // co_cellvars
	FieldLocalsPlusNames              // co_localsplusnames
	FieldLocalsPlusKinds              // co_localspluskinds
	FieldLineTable                    // co_lnotab or co_linetable
	FieldExceptionTable               // co_exceptiontable
	numFields
)

var fieldNames = [...]string{
	FieldCode:            "bytecode",
	FieldConsts:          "consts",
	FieldNames:           "names",
	FieldVarNames:        "varnames",
	FieldFreeVars:        "freevars",
	FieldCellVars:        "cellvars",
	FieldLocalsPlusNames: "localsplusnames",
	FieldLocalsPlusKinds: "localspluskinds",
	FieldLineTable:       "linetable",
	FieldExceptionTable:  "exceptiontable",
}

// String returns the field's name as assembly text spells it.
func (f Field) String() string {
	if int(f) < len(fieldNames) {
		return fieldNames[f]
	}
	return fmt.Sprintf("Field(%d)", uint8(f))
}

// Code is a code object being built: its fields, its instructions with
// symbolic operands and labels, line positions and, for 3.11+, exception
// table entries. Assemble turns it into a *marshal.Code, computing the
// oparg of every instruction, EXTENDED_ARG prefixes, inline caches, jump
// arguments, co_stacksize, the line table and exception table in the
// version's formats, co_nlocals and the locals' kinds.
//
// Fields left zero get what CPython's compiler would give. The fields
// under "exact reproduction" hold what a compiled code object had where it
// differs from what would be computed; Lift fills them so that assembling
// gives back the same bytes, and the assembler uses them only while they
// still agree with the instructions.
type Code struct {
	// Version is the Python version the code is for.
	Version *pyc.Version

	// Name, QualName and Filename are co_name, co_qualname (3.11+; nil
	// means Name) and co_filename: *marshal.Str values, or Go strings set
	// through SetName and kin.
	Name, QualName, Filename marshal.Value
	// FirstLineNo is co_firstlineno.
	FirstLineNo int
	// ArgCount, PosOnlyArgCount and KwOnlyArgCount count the parameters.
	ArgCount, PosOnlyArgCount, KwOnlyArgCount int
	// Flags is co_flags.
	Flags uint32
	// AutoFlags makes Assemble add the flags that follow from the code:
	// CO_NOFREE (2.x to 3.10) when there are no cell or free variables,
	// CO_GENERATOR when it yields (unless it is a coroutine). New and its
	// kin set it; Lift does not.
	AutoFlags bool

	// Consts is co_consts.
	Consts []Const
	// Names is co_names.
	Names []marshal.Value
	// VarNames, CellVars and FreeVars are the locals, cells and free
	// variables. From 3.11 they give co_localsplusnames unless
	// LocalsPlusNames is set.
	VarNames, CellVars, FreeVars []marshal.Value
	// LocalsPlusNames and LocalsPlusKinds are 3.11+'s combined locals and
	// their kinds (CO_FAST_* bits), when given exactly.
	LocalsPlusNames []marshal.Value
	LocalsPlusKinds []byte

	// Instrs are the instructions.
	Instrs []Instr
	// EndLabels are labels placed after the last instruction.
	EndLabels []*Label
	// Exceptions is the 3.11+ exception table, in order.
	Exceptions []ExceptionEntry

	// Exact reproduction. StackSize, when not zero, is a co_stacksize at
	// least this large (exactly this with StackSizeExact). NLocals, with
	// NLocalsSet, is co_nlocals as given. RawLineTable and
	// RawExceptionTable are tables to keep while they say what the
	// instructions say. RawCode, when set, is co_code itself: the
	// instructions are then only informational.
	StackSize         int
	StackSizeExact    bool
	NLocals           int
	NLocalsSet        bool
	RawLineTable      marshal.Value
	RawExceptionTable marshal.Value
	RawCode           marshal.Value
	// Specs pins down the encoding of the objects the assembler makes.
	Specs map[Field]Spec
	// Enc pins down the encoding of the code object itself.
	Enc Spec

	// Pos is where the code object was written in assembly text.
	Pos Pos
	// Orig is the compiled code object Lift made this one from.
	Orig *marshal.Code

	table *opcode.Table
	loc   Loc
	start bool
	err   *Error
	// pending are labels placed after the last instruction so far.
	pending []*Label
}

// Spec is how to encode one object: its marshal type code (0: as CPython
// would), FLAG_REF, and an identity tag that keeps equal objects apart.
type Spec struct {
	Type byte
	Ref  Ref
	Tag  int
}

// Ref says whether an object carries FLAG_REF.
type Ref int8

// The Ref settings.
const (
	RefDefault Ref = iota // as CPython's marshal would have it
	RefSet                // FLAG_REF set
	RefClear              // FLAG_REF clear
)

// New returns an empty code object for version v: a module body named
// "<module>", first line 1.
func New(v *pyc.Version) (*Code, error) {
	t, err := disasm.TableFor(v)
	if err != nil {
		return nil, err
	}
	c := &Code{Version: v, table: t, FirstLineNo: 1, loc: LineLoc(1), AutoFlags: true}
	c.Name = NewStr("<module>")
	c.Filename = NewStr("<build>")
	return c, nil
}

// Table returns the opcode table the code is built with.
func (c *Code) Table() *opcode.Table {
	if c.table == nil && c.Version != nil {
		c.table, _ = disasm.TableFor(c.Version)
	}
	return c.table
}

// NewFunction returns an empty function body for version v: co_name name,
// the positional parameters params (the first locals), flags
// CO_OPTIMIZED|CO_NEWLOCALS.
func NewFunction(v *pyc.Version, name string, params ...string) (*Code, error) {
	c, err := New(v)
	if err != nil {
		return nil, err
	}
	c.Name = NewStr(name)
	c.ArgCount = len(params)
	c.Flags = FlagOptimized | FlagNewLocals
	for _, p := range params {
		c.VarNames = append(c.VarNames, NewStr(p))
	}
	return c, nil
}

// NewClassBody returns an empty class body for version v: co_name name,
// flags CO_NEWLOCALS in Python 2 (a class body runs in a namespace of its
// own, which LOAD_LOCALS returns), none in Python 3 (where
// __build_class__ gives it one). The caller writes the body, ending in
// what the version's class bodies end with.
func NewClassBody(v *pyc.Version, name string) (*Code, error) {
	c, err := New(v)
	if err != nil {
		return nil, err
	}
	c.Name = NewStr(name)
	if v.Major < 3 {
		c.Flags = FlagNewLocals
	}
	return c, nil
}

// The co_flags bits every version shares.
const (
	FlagOptimized   = 0x1
	FlagNewLocals   = 0x2
	FlagVarArgs     = 0x4
	FlagVarKeywords = 0x8
	FlagNested      = 0x10
	FlagGenerator   = 0x20
	// FlagNoFree is set by 2.x to 3.10 when the code has no cell or free
	// variables.
	FlagNoFree = 0x40
	// FlagCoroutine, FlagIterableCoroutine and FlagAsyncGenerator mark
	// the code of async functions (3.5+).
	FlagCoroutine         = 0x80
	FlagIterableCoroutine = 0x100
	FlagAsyncGenerator    = 0x200
)

// NewStr returns a str value of unset encoding: the assembler chooses the
// type code CPython's marshal would.
func NewStr(s string) *marshal.Str { return &marshal.Str{Data: []byte(s)} }

// Value converts a Go value into a marshal value of unset encoding: nil
// (None), bool, int, int64, *big.Int, float64, complex128, string (str),
// []byte (bytes; str in Python 2), and tuples from []any. Values that are
// marshal.Value already are returned as they are.
func Value(x any) (marshal.Value, error) {
	switch v := x.(type) {
	case nil:
		return marshal.None, nil
	case marshal.Value:
		return v, nil
	case bool:
		if v {
			return marshal.True, nil
		}
		return marshal.False, nil
	case int:
		return &marshal.Int{Small: int64(v)}, nil
	case int64:
		return &marshal.Int{Small: v}, nil
	case *big.Int:
		if v.IsInt64() {
			return &marshal.Int{Small: v.Int64()}, nil
		}
		return &marshal.Int{Big: new(big.Int).Set(v)}, nil
	case float64:
		return &marshal.Float{Value: v}, nil
	case complex128:
		return &marshal.Complex{Real: real(v), Imag: imag(v)}, nil
	case string:
		return NewStr(v), nil
	case []byte:
		return &marshal.Bytes{Data: v}, nil
	case []any:
		t := &marshal.Tuple{Items: make([]marshal.Value, len(v))}
		for i, it := range v {
			iv, err := Value(it)
			if err != nil {
				return nil, err
			}
			t.Items[i] = iv
		}
		return t, nil
	}
	return nil, fmt.Errorf("build: cannot make a constant of %T", x)
}

// Line sets the line of the instructions that follow (and makes the next
// one start a line-table entry). From 3.11 it clears the columns.
func (c *Code) Line(n int) {
	c.loc = LineLoc(n)
	c.start = true
}

// SetLoc sets the full position of the instructions that follow (3.11+).
func (c *Code) SetLoc(l Loc) {
	if l.Line != c.loc.Line {
		c.start = true
	}
	c.loc = l
}

// Place puts a label at the current end of the instructions: the next
// instruction added is its target.
func (c *Code) Place(l *Label) {
	c.pending = append(c.pending, l)
}

// Emit appends an instruction with an operand already in Arg form. It
// takes the current line and the labels placed since the last one.
func (c *Code) Emit(op byte, arg Arg) {
	in := Instr{Op: op, Arg: arg, Loc: c.loc, LineStart: c.start, Labels: c.pending}
	c.start = false
	c.pending = nil
	c.Instrs = append(c.Instrs, in)
}

// Op appends the instruction called name, turning arg into its operand by
// what the instruction's argument means in this version: a constant (any
// value Value accepts, or a *Code), a name, local or cell (string), a jump
// target (*Label), a comparison operator, BINARY_OP operator or intrinsic
// (string), or a number (int). An Arg value is taken as it is. For
// instructions whose names carry flag bits (3.11+ LOAD_GLOBAL, 3.12+
// LOAD_ATTR), a second int gives the bits.
//
// Errors (unknown instruction, an operand of the wrong kind) are kept and
// returned by Assemble, with the instruction's index.
func (c *Code) Op(name string, arg ...any) {
	if c.err != nil {
		return
	}
	t := c.Table()
	if t == nil {
		c.fail(-1, Pos{}, fmt.Errorf("no opcode table for %v", c.Version))
		return
	}
	op, ok := t.Op(name)
	if !ok {
		if n, ok2 := t.Pseudo(name); ok2 {
			c.fail(len(c.Instrs), Pos{}, fmt.Errorf("%s is a compiler pseudo-instruction (%d), not a %s opcode", name, n, c.Version.XY()))
			return
		}
		c.fail(len(c.Instrs), Pos{}, fmt.Errorf("unknown opcode %s for %s", name, c.Version.XY()))
		return
	}
	a, err := c.operand(op, arg)
	if err != nil {
		c.fail(len(c.Instrs), Pos{}, fmt.Errorf("%s: %v", name, err))
		return
	}
	c.Emit(op, a)
}

// operand turns Op's arguments into an Arg for opcode op.
func (c *Code) operand(op byte, args []any) (Arg, error) {
	t := c.Table()
	if len(args) == 0 {
		if t.HasArg(op) && t.Kind(t.Deopt(op)) != opcode.ArgNone {
			return Int(0), nil
		}
		return nil, nil
	}
	if a, ok := args[0].(Arg); ok {
		if len(args) > 1 {
			return nil, fmt.Errorf("too many operands")
		}
		return a, nil
	}
	flags := 0
	if len(args) == 2 {
		f, ok := args[1].(int)
		if !ok {
			return nil, fmt.Errorf("second operand must be int flag bits, have %T", args[1])
		}
		flags = f
	} else if len(args) > 2 {
		return nil, fmt.Errorf("too many operands")
	}
	x := args[0]
	switch k := t.Kind(t.Deopt(op)); k {
	case opcode.ArgConst:
		if sub, ok := x.(*Code); ok {
			return Const{Code: sub}, nil
		}
		v, err := Value(x)
		if err != nil {
			return nil, err
		}
		return Const{Value: v}, nil
	case opcode.ArgName:
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("want a name (string), have %T", x)
		}
		return Name{Name: s, Flags: flags}, nil
	case opcode.ArgLocal:
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("want a local name (string), have %T", x)
		}
		return Local(s), nil
	case opcode.ArgFree:
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("want a cell or free variable name (string), have %T", x)
		}
		return Free(s), nil
	case opcode.ArgJumpRel, opcode.ArgJumpAbs, opcode.ArgJumpBackward:
		l, ok := x.(*Label)
		if !ok {
			return nil, fmt.Errorf("want a jump target (*Label), have %T", x)
		}
		return l, nil
	case opcode.ArgCompare:
		s, ok := x.(string)
		if !ok {
			break
		}
		return Compare{Op: s, Flags: flags}, nil
	case opcode.ArgBinaryOp:
		if s, ok := x.(string); ok {
			return BinaryOp(s), nil
		}
	case opcode.ArgIntrinsic1, opcode.ArgIntrinsic2:
		if s, ok := x.(string); ok {
			return Intrinsic(s), nil
		}
	case opcode.ArgLocalPair:
		if s, ok := x.([2]string); ok {
			return LocalPair(s), nil
		}
	}
	n, ok := x.(int)
	if !ok {
		return nil, fmt.Errorf("want an int operand, have %T", x)
	}
	return Int(n), nil
}

// Const adds a constant (as Value converts it) to co_consts unless an
// equal one is there, and returns its index.
func (c *Code) Const(x any) (int, error) {
	if sub, ok := x.(*Code); ok {
		c.Consts = append(c.Consts, Const{Code: sub})
		return len(c.Consts) - 1, nil
	}
	v, err := Value(x)
	if err != nil {
		return 0, err
	}
	return c.constIndex(v), nil
}

// Error is a failed Op or Assemble: which instruction (index into Instrs,
// -1 for the code object as a whole), where it was written, and why.
type Error struct {
	// Code names the code object (its co_qualname or co_name).
	Code string
	// Index is the instruction's index, or -1.
	Index int
	// Pos is the instruction's (or code object's) place in assembly text.
	Pos Pos
	// Err is the cause.
	Err error
}

// Error returns "line:col: code: message".
func (e *Error) Error() string {
	s := ""
	if e.Pos.Line > 0 {
		s = e.Pos.String() + ": "
	}
	if e.Code != "" {
		s += e.Code + ": "
	}
	if e.Index >= 0 && e.Pos.Line == 0 {
		s += fmt.Sprintf("instruction %d: ", e.Index)
	}
	return s + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func (c *Code) fail(index int, pos Pos, err error) {
	if c.err != nil {
		return
	}
	if pos.Line == 0 {
		if index >= 0 && index < len(c.Instrs) {
			pos = c.Instrs[index].Pos
		} else {
			pos = c.Pos
		}
	}
	c.err = &Error{Code: c.displayName(), Index: index, Pos: pos, Err: err}
}

func (c *Code) displayName() string {
	if c.QualName != nil {
		return marshal.TextOf(c.QualName)
	}
	return marshal.TextOf(c.Name)
}

package build

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/opcode"
	"github.com/pyc-tools/pyc/pyc"
)

// Errors of assembly, wrapped in an *Error; test with errors.Is.
var (
	// ErrUnknownOp: an opcode this version does not define.
	ErrUnknownOp = errors.New("unknown opcode")
	// ErrOperand: an operand that does not fit the instruction.
	ErrOperand = errors.New("bad operand")
	// ErrRange: an argument out of range.
	ErrRange = errors.New("argument out of range")
	// ErrUndefined: a label, name or code object that is not defined.
	ErrUndefined = errors.New("undefined")
	// ErrDuplicate: a label placed twice.
	ErrDuplicate = errors.New("duplicate")
)

// Options adjust Assemble.
type Options struct {
	// NoStackCheck skips the stack-depth analysis when the stack size is
	// given exactly (StackSizeExact); by default the analysis always runs
	// and its errors (stack underflow on some path) fail the assembly.
	NoStackCheck bool
	// Annots, when not nil, receives the Specs of the objects the
	// assembler makes (co_code, the name tuples, the tables) that set
	// FLAG_REF or a tag, for Finalize.
	Annots map[marshal.Value]Spec
}

// Assemble builds the code object. Nested *Code constants are assembled
// first. The result's objects have the encodings CPython's marshal would
// give them unless Specs or the values themselves say otherwise; Finalize
// settles FLAG_REF for a whole file.
func (c *Code) Assemble() (*marshal.Code, error) {
	return c.AssembleWith(Options{})
}

// AssembleWith is Assemble with options.
func (c *Code) AssembleWith(opts Options) (*marshal.Code, error) {
	if c.err != nil {
		return nil, c.err
	}
	if c.Version == nil {
		return nil, &Error{Code: c.displayName(), Index: -1, Pos: c.Pos, Err: errors.New("code object without a version")}
	}
	if c.Table() == nil {
		return nil, &Error{Code: c.displayName(), Index: -1, Pos: c.Pos, Err: fmt.Errorf("no opcode table for %v", c.Version)}
	}
	if len(c.pending) > 0 {
		c.EndLabels = append(c.EndLabels, c.pending...)
		c.pending = nil
	}
	a := &assembler{c: c, t: c.table, opts: opts}
	m, err := a.run()
	if err != nil {
		return nil, err
	}
	return m, nil
}

type assembler struct {
	c    *Code
	t    *opcode.Table
	opts Options
	err  *Error

	consts []marshal.Value
	args   []int    // resolved opargs (jumps filled in by layout)
	jumps  []*Label // jump target per instruction, or nil
	prefix []int    // EXTENDED_ARG prefixes per instruction
	spans  []span
	code   []byte
	lplus  []marshal.Value // 3.11+: localsplus names
	kinds  []byte          // 3.11+: their kinds
}

func (a *assembler) fail(i int, err error) {
	if a.err == nil {
		pos := a.c.Pos
		if i >= 0 && i < len(a.c.Instrs) && a.c.Instrs[i].Pos.Line > 0 {
			pos = a.c.Instrs[i].Pos
		}
		a.err = &Error{Code: a.c.displayName(), Index: i, Pos: pos, Err: err}
	}
}

func (a *assembler) run() (*marshal.Code, error) {
	c := a.c
	// Constants, with nested code objects assembled.
	a.consts = make([]marshal.Value, len(c.Consts))
	for i, k := range c.Consts {
		if k.Code != nil {
			sub, err := k.Code.AssembleWith(a.opts)
			if err != nil {
				return nil, err
			}
			a.consts[i] = sub
			continue
		}
		if k.Value == nil {
			a.fail(-1, fmt.Errorf("constant %d is empty", i))
			return nil, a.err
		}
		a.consts[i] = k.Value
	}
	if c.RawCode != nil {
		return a.finish(marshal.BytesOf(c.RawCode), nil)
	}
	a.labels()
	a.collect()
	a.locals()
	a.resolve()
	if a.err != nil {
		return nil, a.err
	}
	a.layout()
	if a.err != nil {
		return nil, a.err
	}
	return a.finish(a.code, a.spans)
}

// labels checks and numbers the labels.
func (a *assembler) labels() {
	c := a.c
	seen := map[*Label]bool{}
	place := func(l *Label, i int, where int) {
		if seen[l] {
			a.fail(where, fmt.Errorf("%w label %s", ErrDuplicate, l))
			return
		}
		seen[l] = true
		l.placed, l.index = true, i
	}
	for i := range c.Instrs {
		for _, l := range c.Instrs[i].Labels {
			place(l, i, i)
		}
	}
	for _, l := range c.EndLabels {
		place(l, len(c.Instrs), -1)
	}
	check := func(l *Label, i int) {
		if l == nil || !seen[l] {
			a.fail(i, fmt.Errorf("%w label %s", ErrUndefined, l))
		}
	}
	for i, in := range c.Instrs {
		if l, ok := in.Arg.(*Label); ok {
			check(l, i)
		}
	}
	for _, e := range c.Exceptions {
		for _, l := range []*Label{e.Start, e.End, e.Target} {
			if l == nil || !seen[l] {
				a.failPos(e.Pos, fmt.Errorf("%w label %s in exception table", ErrUndefined, l))
			}
		}
	}
}

func (a *assembler) failPos(p Pos, err error) {
	if a.err == nil {
		if p.Line == 0 {
			p = a.c.Pos
		}
		a.err = &Error{Code: a.c.displayName(), Index: -1, Pos: p, Err: err}
	}
}

// collect adds the constants and names that operands use and the code
// does not have yet.
func (a *assembler) collect() {
	c := a.c
	for i := range c.Instrs {
		switch x := c.Instrs[i].Arg.(type) {
		case Const:
			if x.Code != nil {
				if a.constOfCode(x.Code) < 0 {
					sub, err := x.Code.AssembleWith(a.opts)
					if err != nil {
						a.err = asError(err)
						return
					}
					c.Consts = append(c.Consts, Const{Code: x.Code})
					a.consts = append(a.consts, sub)
				}
				continue
			}
			if a.constIndex(x.Value) < 0 {
				c.Consts = append(c.Consts, x)
				a.consts = append(a.consts, x.Value)
			}
		case Name:
			if indexOf(c.Names, x.Name) < 0 {
				c.Names = append(c.Names, NewStr(x.Name))
			}
		}
	}
}

func asError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Index: -1, Err: err}
}

// constIndex returns the index of v among the constants: the same object,
// or else an equal value of the same encoding; -1 if none.
func (a *assembler) constIndex(v marshal.Value) int {
	for i, k := range a.consts {
		if k == v {
			return i
		}
	}
	for i, k := range a.consts {
		if sameValue(k, v, 0) {
			return i
		}
	}
	return -1
}

func (a *assembler) constOfCode(sub *Code) int {
	for i, k := range a.c.Consts {
		if k.Code == sub {
			return i
		}
	}
	return -1
}

// constIndex (on Code) finds or adds a constant.
func (c *Code) constIndex(v marshal.Value) int {
	for i, k := range c.Consts {
		if k.Value == v || k.Value != nil && sameValue(k.Value, v, 0) {
			return i
		}
	}
	c.Consts = append(c.Consts, Const{Value: v})
	return len(c.Consts) - 1
}

// sameValue reports whether two values are equal as constants: same kind,
// same value (floats by their bits), same encoding.
func sameValue(x, y marshal.Value, depth int) bool {
	if depth > marshal.MaxDepth {
		return false
	}
	if ex, ok := x.(marshal.Encoded); ok {
		ey, ok := y.(marshal.Encoded)
		if !ok || *ex.Enc() != *ey.Enc() {
			return false
		}
	}
	switch a := x.(type) {
	case marshal.Singleton:
		b, ok := y.(marshal.Singleton)
		return ok && a == b
	case *marshal.Int:
		b, ok := y.(*marshal.Int)
		return ok && a.BigInt().Cmp(b.BigInt()) == 0
	case *marshal.Float:
		b, ok := y.(*marshal.Float)
		return ok && math.Float64bits(a.Value) == math.Float64bits(b.Value) && bytes.Equal(a.Text, b.Text)
	case *marshal.Complex:
		b, ok := y.(*marshal.Complex)
		return ok && math.Float64bits(a.Real) == math.Float64bits(b.Real) && math.Float64bits(a.Imag) == math.Float64bits(b.Imag) &&
			bytes.Equal(a.RealText, b.RealText) && bytes.Equal(a.ImagText, b.ImagText)
	case *marshal.Bytes:
		b, ok := y.(*marshal.Bytes)
		return ok && bytes.Equal(a.Data, b.Data)
	case *marshal.Str:
		b, ok := y.(*marshal.Str)
		return ok && bytes.Equal(a.Data, b.Data)
	case *marshal.Unicode:
		b, ok := y.(*marshal.Unicode)
		return ok && bytes.Equal(a.Data, b.Data)
	case *marshal.Tuple:
		b, ok := y.(*marshal.Tuple)
		return ok && sameItems(a.Items, b.Items, depth)
	case *marshal.List:
		b, ok := y.(*marshal.List)
		return ok && sameItems(a.Items, b.Items, depth)
	case *marshal.Set:
		b, ok := y.(*marshal.Set)
		return ok && a.Frozen == b.Frozen && sameItems(a.Items, b.Items, depth)
	case *marshal.Dict:
		b, ok := y.(*marshal.Dict)
		if !ok || len(a.Items) != len(b.Items) {
			return false
		}
		for i := range a.Items {
			if !sameValue(a.Items[i].Key, b.Items[i].Key, depth+1) || !sameValue(a.Items[i].Value, b.Items[i].Value, depth+1) {
				return false
			}
		}
		return true
	case *marshal.Slice:
		b, ok := y.(*marshal.Slice)
		return ok && sameValue(a.Start, b.Start, depth+1) && sameValue(a.Stop, b.Stop, depth+1) && sameValue(a.Step, b.Step, depth+1)
	}
	return false // code objects: only the same object
}

func sameItems(a, b []marshal.Value, depth int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !sameValue(a[i], b[i], depth+1) {
			return false
		}
	}
	return true
}

// indexOf returns the index of the first name in names whose text is s.
func indexOf(names []marshal.Value, s string) int {
	for i, n := range names {
		if marshal.TextOf(n) == s {
			return i
		}
	}
	return -1
}

// The kinds of 3.11+ co_localspluskinds.
const (
	KindHidden = 0x10
	KindLocal  = 0x20
	KindCell   = 0x40
	KindFree   = 0x80
)

// locals settles the locals: adds the locals that operands use and the
// code does not declare, and from 3.11 lays out co_localsplusnames.
func (a *assembler) locals() {
	c := a.c
	lp := c.Version.AtLeast(3, 11)
	addLocal := func(name string) {
		if lp && c.LocalsPlusNames != nil {
			if indexOf(c.LocalsPlusNames, name) >= 0 {
				return
			}
			// New locals go before the cells and free variables.
			at := len(c.LocalsPlusNames)
			for i := range c.LocalsPlusNames {
				if i < len(c.LocalsPlusKinds) && c.LocalsPlusKinds[i]&KindLocal == 0 {
					at = i
					break
				}
			}
			c.LocalsPlusNames = append(c.LocalsPlusNames[:at], append([]marshal.Value{NewStr(name)}, c.LocalsPlusNames[at:]...)...)
			c.LocalsPlusKinds = append(c.LocalsPlusKinds[:at:at], append([]byte{KindLocal}, c.LocalsPlusKinds[at:]...)...)
			return
		}
		if indexOf(c.VarNames, name) < 0 {
			c.VarNames = append(c.VarNames, NewStr(name))
		}
	}
	for i := range c.Instrs {
		switch x := c.Instrs[i].Arg.(type) {
		case Local:
			addLocal(string(x))
		case LocalPair:
			addLocal(x[0])
			addLocal(x[1])
		}
	}
	if !lp {
		return
	}
	if c.LocalsPlusNames != nil {
		if len(c.LocalsPlusKinds) != len(c.LocalsPlusNames) {
			a.fail(-1, fmt.Errorf("%d locals-plus names but %d kinds", len(c.LocalsPlusNames), len(c.LocalsPlusKinds)))
			return
		}
		a.lplus, a.kinds = c.LocalsPlusNames, c.LocalsPlusKinds
		return
	}
	// Derive them as the compiler does: the locals, then the cells that
	// are not also locals, then the free variables.
	for _, n := range c.VarNames {
		k := byte(KindLocal)
		if indexOf(c.CellVars, marshal.TextOf(n)) >= 0 {
			k |= KindCell
		}
		a.lplus = append(a.lplus, n)
		a.kinds = append(a.kinds, k)
	}
	for _, n := range c.CellVars {
		if indexOf(c.VarNames, marshal.TextOf(n)) < 0 {
			a.lplus = append(a.lplus, n)
			a.kinds = append(a.kinds, KindCell)
		}
	}
	for _, n := range c.FreeVars {
		a.lplus = append(a.lplus, n)
		a.kinds = append(a.kinds, KindFree)
	}
}

// localIndex returns the index of a local (LOAD_FAST and kin).
func (a *assembler) localIndex(name string) int {
	if a.lplus != nil {
		for i, n := range a.lplus {
			if marshal.TextOf(n) == name && a.kinds[i]&KindLocal != 0 {
				return i
			}
		}
		for i, n := range a.lplus {
			if marshal.TextOf(n) == name {
				return i
			}
		}
		return -1
	}
	return indexOf(a.c.VarNames, name)
}

// freeIndex returns the index of a cell or free variable (LOAD_DEREF and
// kin): into co_cellvars + co_freevars before 3.11, co_localsplusnames
// from 3.11.
func (a *assembler) freeIndex(name string) int {
	if a.lplus != nil {
		for i, n := range a.lplus {
			if marshal.TextOf(n) == name && a.kinds[i]&(KindCell|KindFree) != 0 {
				return i
			}
		}
		return -1
	}
	if i := indexOf(a.c.CellVars, name); i >= 0 {
		return i
	}
	if i := indexOf(a.c.FreeVars, name); i >= 0 {
		return len(a.c.CellVars) + i
	}
	return -1
}

// nameShift returns how far an instruction's co_names index is shifted
// left in its oparg (1 for 3.11+ LOAD_GLOBAL, ...).
func nameShift(t *opcode.Table, op byte) uint {
	for s := uint(0); s < 8; s++ {
		if i, _ := t.NameIndex(op, 1<<s); i == 1 {
			return s
		}
	}
	return 0
}

// resolve computes every instruction's oparg but jumps'.
func (a *assembler) resolve() {
	c, t := a.c, a.t
	n := len(c.Instrs)
	a.args = make([]int, n)
	a.jumps = make([]*Label, n)
	for i := range c.Instrs {
		in := &c.Instrs[i]
		if a.err != nil {
			return
		}
		if !t.IsDefined(in.Op) {
			a.fail(i, fmt.Errorf("%w %d for %s", ErrUnknownOp, in.Op, c.Version.XY()))
			return
		}
		base := t.Deopt(in.Op)
		kind := t.Kind(base)
		hasArg := t.HasArg(in.Op) || base >= t.HaveArgument() && !t.WordCode()
		name := t.Name(in.Op)
		arg := 0
		switch x := in.Arg.(type) {
		case nil:
			if kind.IsJump() || kind == opcode.ArgConst || kind == opcode.ArgName || kind == opcode.ArgLocal || kind == opcode.ArgFree {
				a.fail(i, fmt.Errorf("%w: %s needs an operand", ErrOperand, name))
			}
		case Raw:
			arg = int(x)
		case Int:
			if !hasArg {
				a.fail(i, fmt.Errorf("%w: %s takes no argument", ErrOperand, name))
			}
			arg = int(x)
		case Const:
			if kind != opcode.ArgConst {
				a.fail(i, fmt.Errorf("%w: %s takes no constant", ErrOperand, name))
				break
			}
			if x.Code != nil {
				arg = a.constOfCode(x.Code)
			} else {
				arg = a.constIndex(x.Value)
			}
		case CodeRef:
			if kind != opcode.ArgConst {
				a.fail(i, fmt.Errorf("%w: %s takes no constant", ErrOperand, name))
				break
			}
			arg = -1
			for j, k := range a.consts {
				m, ok := k.(*marshal.Code)
				if !ok || marshal.TextOf(m.Name) != string(x) {
					continue
				}
				if arg >= 0 {
					a.fail(i, fmt.Errorf("%w: more than one code object named %q among the constants; give its index (@N)", ErrOperand, string(x)))
					break
				}
				arg = j
			}
			if arg < 0 {
				a.fail(i, fmt.Errorf("%w code object %q among the constants", ErrUndefined, string(x)))
			}
		case Name:
			if kind != opcode.ArgName {
				a.fail(i, fmt.Errorf("%w: %s takes no name", ErrOperand, name))
				break
			}
			s := nameShift(t, base)
			if x.Flags < 0 || x.Flags >= 1<<s && s > 0 || s == 0 && x.Flags != 0 {
				a.fail(i, fmt.Errorf("%w: flag bits %d for %s", ErrRange, x.Flags, name))
				break
			}
			arg = indexOf(c.Names, x.Name)<<s | x.Flags
		case Local:
			if kind != opcode.ArgLocal {
				a.fail(i, fmt.Errorf("%w: %s takes no local variable", ErrOperand, name))
				break
			}
			arg = a.localIndex(string(x))
		case LocalPair:
			if kind != opcode.ArgLocalPair {
				a.fail(i, fmt.Errorf("%w: %s takes no pair of locals", ErrOperand, name))
				break
			}
			i1, i2 := a.localIndex(x[0]), a.localIndex(x[1])
			if i1 > 15 || i2 > 15 {
				a.fail(i, fmt.Errorf("%w: %s packs two locals below 16, have %d and %d", ErrRange, name, i1, i2))
				break
			}
			arg = i1<<4 | i2
		case Free:
			if kind != opcode.ArgFree {
				a.fail(i, fmt.Errorf("%w: %s takes no cell or free variable", ErrOperand, name))
				break
			}
			arg = a.freeIndex(string(x))
			if arg < 0 {
				a.fail(i, fmt.Errorf("%w cell or free variable %q (declare it among the cell or free variables)", ErrUndefined, string(x)))
			}
		case *Label:
			if !kind.IsJump() {
				a.fail(i, fmt.Errorf("%w: %s is not a jump", ErrOperand, name))
				break
			}
			a.jumps[i] = x
		case Compare:
			if kind != opcode.ArgCompare {
				a.fail(i, fmt.Errorf("%w: %s takes no comparison", ErrOperand, name))
				break
			}
			arg = a.compareArg(i, x)
		case BinaryOp:
			arg = -1
			for j, o := range t.NbOps() {
				if o.Symbol == string(x) || o.Name == string(x) {
					arg = j
					break
				}
			}
			if kind != opcode.ArgBinaryOp || arg < 0 {
				a.fail(i, fmt.Errorf("%w: %s has no operator %q", ErrOperand, name, string(x)))
			}
		case Intrinsic:
			list := t.Intrinsic1()
			if kind == opcode.ArgIntrinsic2 {
				list = t.Intrinsic2()
			}
			arg = -1
			for j, s := range list {
				if s == string(x) {
					arg = j
				}
			}
			if kind != opcode.ArgIntrinsic1 && kind != opcode.ArgIntrinsic2 || arg < 0 {
				a.fail(i, fmt.Errorf("%w: %s has no function %q", ErrOperand, name, string(x)))
			}
		default:
			a.fail(i, fmt.Errorf("%w: operand of type %T", ErrOperand, in.Arg))
		}
		if a.err != nil {
			return
		}
		if arg < 0 || arg > math.MaxUint32 {
			a.fail(i, fmt.Errorf("%w: %s %d", ErrRange, name, arg))
			return
		}
		if !hasArg && arg != 0 && !t.WordCode() {
			a.fail(i, fmt.Errorf("%w: %s takes no argument", ErrOperand, name))
			return
		}
		a.args[i] = arg
	}
}

// compareArg computes a COMPARE_OP oparg: the operator's index, shifted
// (3.12+), with the mask bits the compiler adds and the flags.
func (a *assembler) compareArg(i int, x Compare) int {
	t := a.t
	idx := -1
	for j, s := range t.CmpOp() {
		if s == x.Op {
			idx = j
			break
		}
	}
	if idx < 0 {
		a.fail(i, fmt.Errorf("%w: no comparison %q in %s", ErrOperand, x.Op, a.c.Version.XY()))
		return 0
	}
	shift := t.CompareShift()
	arg := idx << shift
	if x.Flags < 0 {
		return arg
	}
	if shift > 0 {
		if st := stackTableFor(a.c.Version); st != nil && idx < len(st.compareArgs) && st.compareArgs[idx] >= 0 {
			arg |= st.compareArgs[idx] & (1<<shift - 1)
		}
	}
	return arg | x.Flags
}

// needed returns the EXTENDED_ARG prefixes an oparg needs.
func (a *assembler) needed(arg int) int {
	if a.t.WordCode() {
		switch {
		case arg <= 0xff:
			return 0
		case arg <= 0xffff:
			return 1
		case arg <= 0xffffff:
			return 2
		}
		return 3
	}
	if arg > 0xffff {
		return 1
	}
	return 0
}

// layout fixes the size of every instruction and the jump arguments
// (growing prefixes until every argument fits), then writes co_code.
func (a *assembler) layout() {
	c, t := a.c, a.t
	n := len(c.Instrs)
	a.prefix = make([]int, n)
	a.spans = make([]span, n)
	for i := range c.Instrs {
		a.prefix[i] = max(c.Instrs[i].ExtArgs, a.needed(a.args[i]))
	}
	size := func(i int) int {
		in := &c.Instrs[i]
		if t.WordCode() {
			return 2*(a.prefix[i]+1) + 2*t.Caches(t.Deopt(in.Op))
		}
		if t.Deopt(in.Op) < t.HaveArgument() {
			return 1
		}
		return 3 * (a.prefix[i] + 1)
	}
	for round := 0; ; round++ {
		off := 0
		for i := range c.Instrs {
			a.spans[i] = span{off, size(i)}
			off += a.spans[i].size
		}
		end := off
		labelOff := func(l *Label) int {
			if l.index >= n {
				return end
			}
			return a.spans[l.index].offset
		}
		grew := false
		for i, l := range a.jumps {
			if l == nil {
				continue
			}
			in := &c.Instrs[i]
			base := t.Deopt(in.Op)
			opOff := a.spans[i].offset + a.opStart(i)
			t0, _ := t.JumpTarget(base, opOff, 0)
			t1, _ := t.JumpTarget(base, opOff, 1)
			target := labelOff(l)
			step := t1 - t0
			d := target - t0
			if step == 0 || d%step != 0 || d/step < 0 {
				what := "before"
				if step < 0 {
					what = "after"
				}
				if step != 0 && d%step != 0 {
					a.fail(i, fmt.Errorf("%w: %s cannot reach %s (offset %d)", ErrRange, t.Name(in.Op), l, target))
				} else {
					a.fail(i, fmt.Errorf("%w: %s cannot jump to %s, which is %s it; use a jump the other way", ErrRange, t.Name(in.Op), l, what))
				}
				return
			}
			arg := d / step
			if arg > math.MaxUint32 {
				a.fail(i, fmt.Errorf("%w: jump argument %d", ErrRange, arg))
				return
			}
			a.args[i] = arg
			if p := a.needed(arg); p > a.prefix[i] {
				a.prefix[i] = p
				grew = true
			}
		}
		if !grew {
			break
		}
		if round > 64 {
			a.fail(-1, errors.New("jump arguments do not settle"))
			return
		}
	}
	for _, l := range a.allLabels() {
		if l.index >= n {
			l.offset = 0
			if n > 0 {
				l.offset = a.spans[n-1].offset + a.spans[n-1].size
			}
		} else {
			l.offset = a.spans[l.index].offset
		}
	}
	// Write the bytes.
	ext, _ := t.ExtendedArg()
	var out []byte
	for i := range c.Instrs {
		in := &c.Instrs[i]
		arg := a.args[i]
		if t.WordCode() {
			for k := a.prefix[i]; k > 0; k-- {
				out = append(out, ext, byte(arg>>(8*k)))
			}
			out = append(out, in.Op, byte(arg))
			for k := 0; k < t.Caches(t.Deopt(in.Op)); k++ {
				var u uint16
				if k < len(in.Cache) {
					u = in.Cache[k]
				}
				out = binary.LittleEndian.AppendUint16(out, u)
			}
			continue
		}
		if t.Deopt(in.Op) < t.HaveArgument() {
			out = append(out, in.Op)
			continue
		}
		for k := a.prefix[i]; k > 0; k-- {
			hi := arg >> (16 * k)
			out = append(out, ext, byte(hi), byte(hi>>8))
		}
		out = append(out, in.Op, byte(arg), byte(arg>>8))
	}
	a.code = out
}

// opStart returns where instruction i's opcode starts within its span.
func (a *assembler) opStart(i int) int {
	if a.t.WordCode() {
		return 2 * a.prefix[i]
	}
	return 3 * a.prefix[i]
}

func (a *assembler) allLabels() []*Label {
	var ls []*Label
	for i := range a.c.Instrs {
		ls = append(ls, a.c.Instrs[i].Labels...)
	}
	return append(ls, a.c.EndLabels...)
}

// finish makes the tables, the stack size and the code object around the
// bytecode.
func (a *assembler) finish(code []byte, spans []span) (*marshal.Code, error) {
	c := a.c
	v := c.Version
	m := &marshal.Code{Layout: v.Layout}
	m.Type = c.Enc.Type
	a.annotate(m, c.Enc)
	m.ArgCount = int32(c.ArgCount)
	m.PosOnlyArgCount = int32(c.PosOnlyArgCount)
	m.KwOnlyArgCount = int32(c.KwOnlyArgCount)
	m.Flags = c.Flags
	if c.AutoFlags {
		m.Flags |= a.autoFlags()
	}
	m.FirstLineNo = int32(c.FirstLineNo)
	py2 := v.Major < 3
	m.Code = a.bytesObj(FieldCode, code, py2)
	m.Consts = a.tuple(FieldConsts, a.consts)
	m.Names = a.tuple(FieldNames, c.Names)
	m.Filename, m.Name, m.QualName = c.Filename, c.Name, nil
	if m.Filename == nil {
		m.Filename = NewStr("<build>")
	}
	if m.Name == nil {
		m.Name = NewStr("<build>")
	}
	if v.Layout.Has("qualname") {
		m.QualName = c.QualName
		if m.QualName == nil {
			m.QualName = m.Name
		}
	}
	if v.Layout.Has("localsplusnames") {
		if c.RawCode != nil && a.lplus == nil {
			a.locals()
		}
		m.LocalsPlusNames = a.tuple(FieldLocalsPlusNames, a.lplus)
		m.LocalsPlusKinds = a.bytesObj(FieldLocalsPlusKinds, a.kinds, false)
	} else {
		if v.Layout.Has("varnames") {
			m.VarNames = a.tuple(FieldVarNames, c.VarNames)
		}
		if v.Layout.Has("freevars") {
			m.FreeVars = a.tuple(FieldFreeVars, c.FreeVars)
			m.CellVars = a.tuple(FieldCellVars, c.CellVars)
		}
		m.NLocals = int32(len(c.VarNames))
		if c.NLocalsSet {
			m.NLocals = int32(c.NLocals)
		}
	}
	// Exception table (3.11+).
	var exc []disasm.ExceptionEntry
	if v.Layout.Has("exceptiontable") {
		var tab []byte
		if c.RawCode != nil {
			tab = marshal.BytesOf(c.RawExceptionTable)
		} else {
			var err error
			tab, exc, err = a.exceptionTable()
			if err != nil {
				return nil, err
			}
		}
		if c.RawExceptionTable != nil && (c.RawCode != nil || bytes.Equal(tab, marshal.BytesOf(c.RawExceptionTable)) || a.sameEntries(marshal.BytesOf(c.RawExceptionTable), exc)) {
			m.ExceptionTable = c.RawExceptionTable
		} else {
			m.ExceptionTable = a.bytesObj(FieldExceptionTable, tab, false)
		}
		exc = disasm.ParseExceptionTable(marshal.BytesOf(m.ExceptionTable))
	}
	// Line table.
	if v.Layout.Has("lnotab") {
		if c.RawCode != nil {
			m.LineTable = c.RawLineTable
			if m.LineTable == nil {
				m.LineTable = a.bytesObj(FieldLineTable, nil, py2)
			}
		} else {
			infos := make([]lineInfo, len(c.Instrs))
			for i := range c.Instrs {
				infos[i] = lineInfo{loc: c.Instrs[i].Loc, start: c.Instrs[i].LineStart, extra: c.Instrs[i].ExtraLines}
				if v.LineTable != pyc.LineTableLocations {
					infos[i].loc = LineLoc(infos[i].loc.Line)
				}
			}
			if c.RawLineTable != nil {
				got, _ := decodeLines(v, marshal.BytesOf(c.RawLineTable), c.FirstLineNo, spans, len(code))
				if sameLines(v, got, infos) {
					m.LineTable = c.RawLineTable
				}
			}
			if m.LineTable == nil {
				tab, err := encodeLines(v, c.FirstLineNo, spans, infos, len(code))
				if err != nil {
					a.fail(-1, err)
					return nil, a.err
				}
				m.LineTable = a.bytesObj(FieldLineTable, tab, py2)
			}
		}
	}
	// Stack size.
	if v.Layout.Has("stacksize") {
		depth := 0
		if !(c.StackSizeExact && a.opts.NoStackCheck) || c.StackSize == 0 {
			st := stackTableFor(v)
			if st == nil {
				if c.StackSize == 0 && !c.StackSizeExact {
					a.fail(-1, fmt.Errorf("%w (%s): give the stack size (.stacksize)", ErrNoStackFacts, v.XY()))
					return nil, a.err
				}
			} else {
				d, err := stackDepth(st, a.t, code, c.Flags, exc, m.Consts)
				if err != nil {
					if c.RawCode != nil || c.StackSizeExact {
						// Exact reproduction of code the analysis cannot
						// follow: keep what was given.
						d = c.StackSize
					} else {
						var se *StackError
						if errors.As(err, &se) && spans != nil {
							a.fail(a.instrAt(se.Offset), err)
						} else {
							a.fail(-1, err)
						}
						return nil, a.err
					}
				}
				depth = d
			}
		}
		switch {
		case c.StackSizeExact:
			m.StackSize = int32(c.StackSize)
		default:
			m.StackSize = int32(max(depth, c.StackSize))
		}
	}
	return m, nil
}

// instrAt returns the index of the instruction whose span holds offset.
func (a *assembler) instrAt(off int) int {
	for i, s := range a.spans {
		if off >= s.offset && off < s.offset+s.size {
			return i
		}
	}
	return -1
}

// sameLines reports whether two per-instruction line infos say the same
// for the version's format.
func sameLines(v *pyc.Version, a, b []lineInfo) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].loc != b[i].loc {
			return false
		}
		if v.LineTable == pyc.LineTableLnotab || v.LineTable == pyc.LineTableLnotabSigned {
			if a[i].start != b[i].start || len(a[i].extra) != len(b[i].extra) {
				return false
			}
			for k := range a[i].extra {
				if a[i].extra[k] != b[i].extra[k] {
					return false
				}
			}
		}
	}
	return true
}

// exceptionTable encodes the 3.11+ exception table.
func (a *assembler) exceptionTable() ([]byte, []disasm.ExceptionEntry, error) {
	var out []byte
	var entries []disasm.ExceptionEntry
	item := func(v int, msb byte) {
		var tmp [6]byte
		n := 0
		for {
			tmp[n] = byte(v & 63)
			n++
			v >>= 6
			if v == 0 {
				break
			}
		}
		for k := n - 1; k >= 0; k-- {
			b := tmp[k]
			if k > 0 {
				b |= 64
			}
			if k == n-1 {
				b |= msb
			}
			out = append(out, b)
		}
	}
	for _, e := range a.c.Exceptions {
		s, en, tg := e.Start.offset, e.End.offset, e.Target.offset
		if en <= s {
			a.failPos(e.Pos, fmt.Errorf("%w: exception table entry %s to %s covers nothing", ErrRange, e.Start, e.End))
			return nil, nil, a.err
		}
		if e.Depth < 0 {
			a.failPos(e.Pos, fmt.Errorf("%w: exception handler depth %d", ErrRange, e.Depth))
			return nil, nil, a.err
		}
		dl := e.Depth << 1
		if e.Lasti {
			dl |= 1
		}
		item(s/2, 0x80)
		item((en-s)/2, 0)
		item(tg/2, 0)
		item(dl, 0)
		entries = append(entries, disasm.ExceptionEntry{Start: s, End: en - 2, Target: tg, Depth: e.Depth, Lasti: e.Lasti})
	}
	return out, entries, nil
}

// sameEntries reports whether a raw exception table holds exactly the
// given entries.
func (a *assembler) sameEntries(raw []byte, want []disasm.ExceptionEntry) bool {
	have := disasm.ParseExceptionTable(raw)
	if len(have) != len(want) {
		return false
	}
	for i := range have {
		if have[i] != want[i] {
			return false
		}
	}
	return true
}

// bytesObj makes a bytes object (a str in Python 2) for a field, with the
// field's spec.
func (a *assembler) bytesObj(f Field, data []byte, py2 bool) marshal.Value {
	if data == nil {
		data = []byte{}
	}
	sp := a.c.Specs[f]
	enc := marshal.Encoding{Type: sp.Type}
	var v marshal.Value
	if py2 {
		v = &marshal.Str{Encoding: enc, Data: data}
	} else {
		v = &marshal.Bytes{Encoding: enc, Data: data}
	}
	a.annotate(v, sp)
	return v
}

func (a *assembler) annotate(v marshal.Value, sp Spec) {
	if a.opts.Annots != nil && (sp.Ref != RefDefault || sp.Tag != 0) {
		a.opts.Annots[v] = Spec{Ref: sp.Ref, Tag: sp.Tag}
	}
}

// tuple makes a tuple for a field, with the field's spec.
func (a *assembler) tuple(f Field, items []marshal.Value) *marshal.Tuple {
	sp := a.c.Specs[f]
	t := &marshal.Tuple{Encoding: marshal.Encoding{Type: sp.Type}, Items: append([]marshal.Value{}, items...)}
	a.annotate(t, sp)
	return t
}

// autoFlags returns the co_flags that follow from the code itself.
func (a *assembler) autoFlags() uint32 {
	c, t := a.c, a.t
	var f uint32
	if !c.Version.AtLeast(3, 11) && len(c.CellVars) == 0 && len(c.FreeVars) == 0 {
		f |= FlagNoFree
	}
	if c.Flags&(FlagCoroutine|FlagIterableCoroutine|FlagAsyncGenerator) == 0 {
		for _, in := range c.Instrs {
			switch t.Name(t.Deopt(in.Op)) {
			case "YIELD_VALUE", "YIELD_FROM":
				f |= FlagGenerator
			}
		}
	}
	return f
}

package build

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/pyc-tools/pyc/marshal"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/opcode"
	"github.com/pyc-tools/pyc/pyc"
)

//go:generate go run ../internal/gen/effectgen

// formula is a stack effect as a function of the oparg: base, plus bits[b]
// for every bit b set in the oparg, except for the opargs listed in over.
type formula struct {
	base int32
	bits []int32
	over []argEffect
}

type argEffect struct{ arg, effect int32 }

func (f *formula) eval(arg int) int {
	for _, o := range f.over {
		if int(o.arg) == arg {
			return int(o.effect)
		}
	}
	e := int(f.base)
	for b, d := range f.bits {
		if arg>>b&1 != 0 {
			e += int(d)
		}
	}
	return e
}

// opEffect is what the facts say about one opcode.
type opEffect struct {
	ok         bool
	terminator bool     // the walk does not fall through after it
	unfollowed bool     // the walk does not follow its jump either
	peak       int      // depth above the depth before that it counts as reaching
	effect     formula  // effect when falling through
	jump       *formula // effect when jumping, if different
}

// foldMode says which constant tuples a version's compiler counted item by
// item (see foldedTuples).
type foldMode uint8

const (
	foldNone  foldMode = iota
	foldCalls          // defaults of MAKE_FUNCTION, operands of BUILD_*_UNPACK
	foldAll            // every tuple but those the compiler loads whole
)

// stackTable holds one version's stack-effect facts (effects_gen.go).
type stackTable struct {
	impl           string
	major, minor   int
	source         string
	recursive      bool // 2.7 and 3.6: depth-first walk over paths
	exceptionTable bool // 3.11+: handlers come from co_exceptiontable
	generatorEntry int  // depth at entry of generator code
	folded         foldMode
	minDepth       int  // the least co_stacksize the compiler writes
	exact          bool // the effects are exact: underflow on any path is an error
	compareArgs    []int
	ops            [256]opEffect
}

func stackTableFor(v *pyc.Version) *stackTable {
	if v == nil || v.Impl != pyc.CPython {
		return nil
	}
	for _, t := range stackTables {
		if t.major == v.Major && t.minor == v.Minor {
			return t
		}
	}
	return nil
}

// HasStackFacts reports whether the stack size of v's code can be computed:
// whether stack effects are known for that version (CPython 2.7 and 3.6 to
// 3.13).
func HasStackFacts(v *pyc.Version) bool { return stackTableFor(v) != nil }

// Errors of the stack-depth analysis, wrapped in a *StackError.
var (
	// ErrNoStackFacts: no stack effects are known for the version.
	ErrNoStackFacts = errors.New("no stack effects known for this Python version")
	// ErrUnderflow: some path pops more than the stack holds.
	ErrUnderflow = errors.New("stack underflow")
	// ErrUnknownEffect: an opcode whose stack effect is not known.
	ErrUnknownEffect = errors.New("unknown stack effect")
	// ErrBadTarget: a jump or handler outside the code or inside an
	// instruction.
	ErrBadTarget = errors.New("jump target is not an instruction")
	// ErrUnbounded: the depth grows without bound around a loop.
	ErrUnbounded = errors.New("stack depth grows around a loop")
)

// StackError is a failed stack-depth analysis: where and why.
type StackError struct {
	// Offset is the byte offset of the instruction in co_code.
	Offset int
	// Op names the instruction.
	Op string
	// Depth is the stack depth before the instruction, on the path that
	// failed.
	Depth int
	// Err is one of the Err* sentinels above.
	Err error
}

// Error says what went wrong where.
func (e *StackError) Error() string {
	if e.Op == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%s at offset %d (%s, depth %d)", e.Err, e.Offset, e.Op, e.Depth)
}

// Unwrap returns the sentinel.
func (e *StackError) Unwrap() error { return e.Err }

// generator flags: CO_GENERATOR, CO_COROUTINE, CO_ITERABLE_COROUTINE? no:
// CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR, as the compiler tests.
const generatorFlags = 0x20 | 0x80 | 0x200

// flowInstr is one instruction as the analysis sees it.
type flowInstr struct {
	offset int
	op     byte // base opcode (specialisations undone)
	arg    int
	target int // block index of the jump target, or -1
	// handler is the index into the handlers of the exception-table
	// entry covering the instruction, or -1 (3.11+).
	handler int
	// peak is how far above the depth after it the instruction's
	// unoptimised form went (see foldedTuples).
	peak int
}

// flowHandler is an exception handler: its block and the depth there.
type flowHandler struct {
	block, depth int
}

// flowBlock is a basic block: instructions [start, end).
type flowBlock struct{ start, end int }

// StackDepth returns the stack size the code object's bytecode needs, as
// that version's compiler computes co_stacksize: the deepest stack over
// every path from the entry (and, from 3.11, into every exception handler
// of co_exceptiontable), with the version's stack effects and its rules for
// jumps and handlers.
//
// Versions before 3.8 computed co_stacksize before their peephole optimizer
// changed the code, so their recorded value can exceed what the final
// bytecode needs; this function analyses the bytecode as it is.
func StackDepth(c *disasm.Code) (int, error) {
	st := stackTableFor(c.Version)
	if st == nil {
		return 0, &StackError{Err: ErrNoStackFacts}
	}
	var exc []disasm.ExceptionEntry
	if st.exceptionTable {
		exc = c.ExceptionTable()
	}
	return stackDepth(st, c.Table, c.Bytecode(), c.Flags, exc, c.Consts)
}

func stackDepth(st *stackTable, t *opcode.Table, code []byte, flags uint32, exc []disasm.ExceptionEntry, consts *marshal.Tuple) (int, error) {
	ins := disasm.Decode(code, t)
	if len(ins) == 0 {
		return 0, nil
	}
	at := make(map[int]int, len(ins))
	for i, in := range ins {
		at[in.Offset] = i
	}
	leader := make([]bool, len(ins)+1)
	leader[0] = true
	fl := make([]flowInstr, len(ins))
	for i, in := range ins {
		f := flowInstr{offset: in.Offset, op: t.Deopt(in.Op), arg: in.Arg, target: -1, handler: -1}
		if t.Kind(f.op).IsJump() {
			tgt, _ := t.JumpTarget(f.op, in.Offset, in.Arg)
			j, ok := at[tgt]
			if !ok {
				return 0, &StackError{Offset: in.Offset, Op: t.Name(in.Op), Err: ErrBadTarget}
			}
			f.target = j
			leader[j] = true
			leader[i+1] = true
		} else if st.ops[f.op].terminator {
			leader[i+1] = true
		}
		fl[i] = f
	}
	if st.folded != foldNone {
		foldedTuples(st, t, fl, consts)
	}
	var hs []flowHandler
	for _, e := range exc {
		j, ok := at[e.Target]
		if !ok {
			return 0, &StackError{Offset: e.Target, Err: ErrBadTarget}
		}
		leader[j] = true
		d := e.Depth + 1
		if e.Lasti {
			d++
		}
		h := len(hs)
		hs = append(hs, flowHandler{block: j, depth: d})
		for i := range fl {
			if fl[i].offset >= e.Start && fl[i].offset <= e.End && fl[i].handler < 0 {
				fl[i].handler = h
			}
		}
	}
	// Number the blocks; turn instruction indexes into block indexes.
	blockOf := make([]int, len(ins))
	var blocks []flowBlock
	for i := range ins {
		if leader[i] {
			if len(blocks) > 0 {
				blocks[len(blocks)-1].end = i
			}
			blocks = append(blocks, flowBlock{start: i})
		}
		blockOf[i] = len(blocks) - 1
	}
	blocks[len(blocks)-1].end = len(ins)
	for i := range fl {
		if fl[i].target >= 0 {
			fl[i].target = blockOf[fl[i].target]
		}
	}
	for i := range hs {
		hs[i].block = blockOf[hs[i].block]
	}
	entry := 0
	if flags&generatorFlags != 0 {
		entry = st.generatorEntry
	}
	a := &analysis{st: st, t: t, fl: fl, hs: hs, blocks: blocks}
	var d int
	var err error
	if st.recursive {
		d, err = a.recursive(entry)
	} else {
		d, err = a.worklist(entry)
	}
	if err == nil && st.exact {
		err = a.lowest(entry)
	}
	return max(d, st.minDepth), err
}

type analysis struct {
	st     *stackTable
	t      *opcode.Table
	fl     []flowInstr
	hs     []flowHandler
	blocks []flowBlock
	maxd   int
}

// effects returns an instruction's effect when falling through and when
// jumping.
func (a *analysis) effects(f *flowInstr) (fall, jump int, err error) {
	e := &a.st.ops[f.op]
	if !e.ok {
		return 0, 0, &StackError{Offset: f.offset, Op: a.t.Name(f.op), Err: ErrUnknownEffect}
	}
	fall = e.effect.eval(f.arg)
	jump = fall
	if e.jump != nil {
		jump = e.jump.eval(f.arg)
	}
	return fall, jump, nil
}

func (a *analysis) fail(f *flowInstr, depth int, err error) error {
	return &StackError{Offset: f.offset, Op: a.t.Name(f.op), Depth: depth, Err: err}
}

// maxDepth bounds the depth the analysis follows before it calls a loop
// unbounded.
const maxDepth = 1 << 20

// maxVisits bounds how often a block is walked again, entered deeper each
// time, before the analysis calls the depth unbounded.
const maxVisits = 256

// worklist is the analysis of 3.7 and later: each block is entered at the
// depth of the first path reaching it (raised if a deeper one comes), and
// the depth after each instruction and at each jump target or handler
// counts towards the maximum.
func (a *analysis) worklist(entry int) (int, error) {
	start := make([]int, len(a.blocks))
	for i := range start {
		start[i] = -1
	}
	var work []int
	visits := make([]int, len(a.blocks))
	unbounded := -1
	push := func(b, d int) {
		if start[b] < d {
			start[b] = d
			visits[b]++
			if visits[b] > maxVisits {
				unbounded = b
				return
			}
			work = append(work, b)
		}
	}
	push(0, entry)
	// Every handler counts, even one whose protected code is unreachable:
	// the compiler set it up before removing dead code.
	for _, h := range a.hs {
		a.maxd = max(a.maxd, h.depth)
		push(h.block, h.depth)
	}
	for len(work) > 0 && unbounded < 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		depth := start[b]
		fall := true
		for i := a.blocks[b].start; i < a.blocks[b].end; i++ {
			f := &a.fl[i]
			if f.handler >= 0 {
				h := a.hs[f.handler]
				a.maxd = max(a.maxd, h.depth)
				push(h.block, h.depth)
			}
			ef, ej, err := a.effects(f)
			if err != nil {
				return 0, err
			}
			nd := depth + ef
			if nd < 0 {
				return 0, a.fail(f, depth, ErrUnderflow)
			}
			if nd > maxDepth {
				return 0, a.fail(f, depth, ErrUnbounded)
			}
			a.maxd = max(a.maxd, nd+f.peak, depth+a.st.ops[f.op].peak)
			if f.target >= 0 && !a.st.ops[f.op].unfollowed {
				td := depth + ej
				if td < 0 {
					return 0, a.fail(f, depth, ErrUnderflow)
				}
				a.maxd = max(a.maxd, td)
				push(f.target, td)
			}
			depth = nd
			if a.st.ops[f.op].terminator || a.st.ops[f.op].unfollowed {
				fall = false
				break
			}
		}
		if fall && b+1 < len(a.blocks) {
			push(b+1, depth)
		}
	}
	if unbounded >= 0 {
		return 0, a.fail(&a.fl[a.blocks[unbounded].start], start[unbounded], ErrUnbounded)
	}
	return a.maxd, nil
}

// lowest checks every path for stack underflow: each block is walked at
// the lowest depth any path reaches it with.
func (a *analysis) lowest(entry int) error {
	low := make([]int, len(a.blocks))
	for i := range low {
		low[i] = math.MaxInt
	}
	var work []int
	visits := make([]int, len(a.blocks))
	push := func(b, d int) {
		if d < low[b] && visits[b] <= maxVisits {
			low[b] = d
			visits[b]++
			work = append(work, b)
		}
	}
	push(0, entry)
	for _, h := range a.hs {
		push(h.block, h.depth)
	}
	for len(work) > 0 {
		b := work[len(work)-1]
		work = work[:len(work)-1]
		depth := low[b]
		fall := true
		for i := a.blocks[b].start; i < a.blocks[b].end; i++ {
			f := &a.fl[i]
			if f.handler >= 0 {
				push(a.hs[f.handler].block, a.hs[f.handler].depth)
			}
			ef, ej, err := a.effects(f)
			if err != nil {
				return err
			}
			if depth+ef < 0 || f.target >= 0 && !a.st.ops[f.op].unfollowed && depth+ej < 0 {
				return a.fail(f, depth, ErrUnderflow)
			}
			if f.target >= 0 && !a.st.ops[f.op].unfollowed {
				push(f.target, depth+ej)
			}
			depth += ef
			if a.st.ops[f.op].terminator || a.st.ops[f.op].unfollowed {
				fall = false
				break
			}
		}
		if fall && b+1 < len(a.blocks) {
			push(b+1, depth)
		}
	}
	return nil
}

// recursive is the analysis of 2.7 and 3.6: every path is followed depth
// first, a block being walked again only when entered deeper than before
// and not while it is on the current path; only the unconditional jumps
// end a path (code after a return is walked too).
func (a *analysis) recursive(entry int) (int, error) {
	start := make([]int, len(a.blocks))
	onPath := make([]bool, len(a.blocks))
	visits := make([]int, len(a.blocks))
	for i := range start {
		start[i] = -1 << 30
	}
	var walk func(b, depth int) error
	walk = func(b, depth int) error {
		if onPath[b] || start[b] >= depth {
			return nil
		}
		visits[b]++
		if visits[b] > maxVisits {
			return a.fail(&a.fl[a.blocks[b].start], depth, ErrUnbounded)
		}
		onPath[b] = true
		start[b] = depth
		defer func() { onPath[b] = false }()
		for i := a.blocks[b].start; i < a.blocks[b].end; i++ {
			f := &a.fl[i]
			ef, ej, err := a.effects(f)
			if err != nil {
				return err
			}
			before := depth
			depth += ef
			if depth > maxDepth {
				return a.fail(f, before, ErrUnbounded)
			}
			a.maxd = max(a.maxd, depth+f.peak, before+a.st.ops[f.op].peak)
			if f.target >= 0 {
				td := before + ej
				a.maxd = max(a.maxd, td)
				if err := walk(f.target, td); err != nil {
					return err
				}
				if a.st.ops[f.op].terminator {
					return nil
				}
			}
		}
		if b+1 < len(a.blocks) {
			return walk(b+1, depth)
		}
		return nil
	}
	err := walk(0, entry)
	return a.maxd, err
}

// foldedTuples marks the LOAD_CONST of each constant tuple that the
// compiler built item by item before its peephole optimizer folded it: the
// compiler computed co_stacksize on the unfolded code, where loading the
// tuple took as many slots as it has items (nested tuples included). Which
// tuples were built so depends on the version (foldMode): before 3.7 every
// tuple but the ones the compiler loads whole (import names, the keys of
// BUILD_CONST_KEY_MAP and CALL_FUNCTION_KW), and a frozenset tested with
// "in"; from 3.7, where the AST optimizer folds constant literals, only the
// defaults of a MAKE_FUNCTION and the operands of BUILD_*_UNPACK.
func foldedTuples(st *stackTable, t *opcode.Table, fl []flowInstr, consts *marshal.Tuple) {
	if consts == nil {
		return
	}
	mf, _ := t.BaseOp("MAKE_FUNCTION")
	for i := range fl {
		f := &fl[i]
		if t.Kind(f.op) != opcode.ArgConst || f.arg >= len(consts.Items) {
			continue
		}
		next := ""
		ext, _ := t.ExtendedArg()
		for j := i + 1; j < len(fl); j++ {
			if fl[j].op != ext {
				next = t.Name(fl[j].op)
				break
			}
		}
		switch k := consts.Items[f.arg].(type) {
		case *marshal.Tuple:
			if len(k.Items) < 2 {
				continue
			}
			if st.folded == foldAll {
				switch next {
				case "IMPORT_NAME", "BUILD_CONST_KEY_MAP", "CALL_FUNCTION_KW":
				default:
					f.peak = tupleNeed(k, 0) - 1
				}
				continue
			}
			if consumedByCall(st, t, fl, i, mf) {
				f.peak = len(k.Items) - 1
			}
		case *marshal.Set:
			if st.folded == foldAll && k.Frozen && next == "COMPARE_OP" && len(k.Items) > 1 {
				f.peak = len(k.Items) - 1
			}
		}
	}
}

// tupleNeed returns the stack slots loading a constant tuple item by item
// takes, inner tuples built the same way.
func tupleNeed(v marshal.Value, depth int) int {
	tu, ok := v.(*marshal.Tuple)
	if !ok || depth > 100 {
		return 1
	}
	need := len(tu.Items)
	for i, it := range tu.Items {
		need = max(need, i+tupleNeed(it, depth+1))
	}
	return need
}

// consumedByCall reports whether the value the instruction fl[i] pushes is
// the defaults of the MAKE_FUNCTION after it or an operand of a
// BUILD_*_UNPACK, following the stack within its block.
func consumedByCall(st *stackTable, t *opcode.Table, fl []flowInstr, i int, mf byte) bool {
	rel := 1 // items on the stack from the value up
	for j := i + 1; j < len(fl) && j < i+256; j++ {
		g := &fl[j]
		e := &st.ops[g.op]
		if g.target >= 0 || !e.ok {
			return false
		}
		name := t.Name(g.op)
		switch {
		case g.op == mf:
			n := 2
			for b := 0; b < 8; b++ {
				n += g.arg >> b & 1
			}
			return g.arg&1 != 0 && rel == n
		case strings.HasSuffix(name, "_UNPACK") || strings.HasSuffix(name, "_UNPACK_WITH_CALL"):
			if rel <= g.arg {
				return true
			}
		}
		rel += e.effect.eval(g.arg)
		if rel <= 0 {
			return false
		}
	}
	return false
}

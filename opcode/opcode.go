// Package opcode holds the opcode tables of every Python version the
// project reads, one Table per implementation and language version.
//
// The tables are generated (see tables_gen.go and the fact files under
// facts/) from two kinds of facts: for interpreters that can be run here,
// what their own opcode, dis and _opcode modules report; for the others,
// facts written by hand from the sources of that release. A Table answers
// what a disassembler needs to print exactly what that version's dis prints:
// names, argument kinds, inline cache sizes, jump rules and the small name
// tables dis uses to render arguments.
//
// Lookups by opcode use arrays indexed by the opcode byte, so they are cheap
// enough for the inner loop of a disassembler.
package opcode

//go:generate go run ../internal/gen/opcodegen

import (
	"fmt"
	"sort"
	"strings"
)

// ArgKind says how an instruction's argument is interpreted, as far as a
// disassembler is concerned.
type ArgKind uint8

// The argument kinds. Kinds follow the opcode module's has* lists and the
// special cases in that version's dis module.
const (
	// ArgNone: the instruction takes no argument (dis shows none).
	ArgNone ArgKind = iota
	// ArgInt: an argument with no further interpretation (a count, flags
	// dis does not decode, ...).
	ArgInt
	// ArgConst: an index into co_consts (hasconst).
	ArgConst
	// ArgName: an index into co_names (hasname), possibly shifted; see
	// Table.NameIndex.
	ArgName
	// ArgLocal: a local variable index (haslocal).
	ArgLocal
	// ArgLocalPair: two 4-bit local variable indexes packed in one
	// argument, high nibble first (3.13+ LOAD_FAST_LOAD_FAST and kin).
	ArgLocalPair
	// ArgFree: a cell or free variable index (hasfree). Before 3.11 it
	// indexes co_cellvars+co_freevars; from 3.11 the combined locals.
	ArgFree
	// ArgJumpRel: a forward jump relative to the next instruction (hasjrel).
	ArgJumpRel
	// ArgJumpBackward: a backward relative jump (3.11+ JUMP_BACKWARD and
	// kin); the target lies before the instruction.
	ArgJumpBackward
	// ArgJumpAbs: an absolute jump target (hasjabs).
	ArgJumpAbs
	// ArgCompare: a comparison operator, an index into CmpOp (hascompare),
	// possibly shifted and carrying flag bits; see Table.CompareOp.
	ArgCompare
	// ArgNArgs: a packed argument count (hasnargs, 3.0 to 3.5): low byte
	// positional, high byte keyword pairs.
	ArgNArgs
	// ArgBinaryOp: a BINARY_OP operator, an index into NbOps (3.11+).
	ArgBinaryOp
	// ArgIntrinsic1: a CALL_INTRINSIC_1 function, see Intrinsic1 (3.12+).
	ArgIntrinsic1
	// ArgIntrinsic2: a CALL_INTRINSIC_2 function, see Intrinsic2 (3.12+).
	ArgIntrinsic2
	// ArgFormatValue: FORMAT_VALUE conversion and format-spec flag (3.6 to
	// 3.12); see Table.FormatValue.
	ArgFormatValue
	// ArgConvertValue: CONVERT_VALUE conversion (3.13+); see
	// Table.ConvertValue.
	ArgConvertValue
	// ArgFunctionFlags: MAKE_FUNCTION (3.8 to 3.12) or
	// SET_FUNCTION_ATTRIBUTE (3.13+) flag bits; see Table.FunctionFlags.
	ArgFunctionFlags
	// ArgExc: an exception-handler target (hasexc, 3.12+; only pseudo
	// instructions carry it, never a real opcode).
	ArgExc
	// ArgCommonConstant: an index into CommonConstants (3.14+
	// LOAD_COMMON_CONSTANT).
	ArgCommonConstant
	// ArgSmallInt: the argument is itself the value (3.14+ LOAD_SMALL_INT).
	ArgSmallInt
	// ArgSpecialMethod: an index into SpecialMethods (3.14+ LOAD_SPECIAL).
	ArgSpecialMethod
	// ArgEnum: the argument selects one of a few texts dis prints, given
	// by Table.ArgRepr (3.14+ IS_OP and CONTAINS_OP).
	ArgEnum
)

var argKindNames = [...]string{
	ArgNone:           "None",
	ArgInt:            "Int",
	ArgConst:          "Const",
	ArgName:           "Name",
	ArgLocal:          "Local",
	ArgLocalPair:      "LocalPair",
	ArgFree:           "Free",
	ArgJumpRel:        "JumpRel",
	ArgJumpBackward:   "JumpBackward",
	ArgJumpAbs:        "JumpAbs",
	ArgCompare:        "Compare",
	ArgNArgs:          "NArgs",
	ArgBinaryOp:       "BinaryOp",
	ArgIntrinsic1:     "Intrinsic1",
	ArgIntrinsic2:     "Intrinsic2",
	ArgFormatValue:    "FormatValue",
	ArgConvertValue:   "ConvertValue",
	ArgFunctionFlags:  "FunctionFlags",
	ArgExc:            "Exc",
	ArgCommonConstant: "CommonConstant",
	ArgSmallInt:       "SmallInt",
	ArgSpecialMethod:  "SpecialMethod",
	ArgEnum:           "Enum",
}

// String returns the kind's name, such as "JumpRel".
func (k ArgKind) String() string {
	if int(k) < len(argKindNames) {
		return argKindNames[k]
	}
	return fmt.Sprintf("ArgKind(%d)", uint8(k))
}

// IsJump reports whether the argument is a jump target.
func (k ArgKind) IsJump() bool {
	return k == ArgJumpRel || k == ArgJumpBackward || k == ArgJumpAbs
}

// BinaryOp is one entry of the 3.11+ BINARY_OP operator table (_nb_ops).
type BinaryOp struct {
	// Name is the C-level name, such as "NB_ADD".
	Name string
	// Symbol is what dis prints, such as "+".
	Symbol string
}

// CacheField is one named field of an instruction's inline cache
// (3.11+ _cache_format), in code units of two bytes.
type CacheField struct {
	// Name is the field name dis prints with show_caches, such as "counter".
	Name string
	// Size is the field's size in 2-byte code units.
	Size int
}

// ArgFlag is a flag bit of an argument that changes what dis prints, such
// as COMPARE_OP's bit 16 in 3.13+ ("bool(%s)") or LOAD_GLOBAL's bit 1 in
// 3.11+ ("NULL + %s", from 3.13 "%s + NULL").
type ArgFlag struct {
	// Bit is the flag's value in the argument.
	Bit int
	// Format is the text printed when the bit is set; "%s" stands for what
	// would be printed otherwise (the operator or the name).
	Format string
}

// PseudoOp is a compiler-only pseudo instruction (3.12+), numbered from 256.
// Pseudo instructions never appear in code objects.
type PseudoOp struct {
	// Name is the pseudo instruction's name.
	Name string
	// Number is its number in opcode.opmap (256 and up).
	Number int
	// Targets lists the real instructions it may become (3.12 only).
	Targets []string
}

// HasList is one of the opcode module's has* lists, as that version defines
// it (numbers may include pseudo instructions from 256 up).
type HasList struct {
	// Name is the list's name, such as "hasjrel".
	Name string
	// Ops are the opcode numbers in ascending order.
	Ops []int
}

type jumpRule struct {
	base   int16 // added to the offset (relative) or to nothing (absolute)
	step   int8  // bytes per unit of oparg; negative for backward jumps
	rel    bool  // relative to the instruction's offset
	shown  bool  // dis prints the target for this opcode
	ok     bool
	format string // how dis prints the target: "to %s", "from %s"
}

type nameArg struct {
	op    byte
	shift uint8
	flags []ArgFlag // low bits that change the text; lowest set bit wins
}

type opReprs struct {
	op    byte
	reprs []string
}

type opCacheFormat struct {
	op     byte
	fields []CacheField
}

type nameIndex struct {
	name string
	op   byte
}

// Table is the opcode table of one Python implementation and version. Its
// zero value is not useful; get one from ForVersion or All.
type Table struct {
	impl         string
	major, minor int
	source       string
	notes        []string

	haveArgument   byte
	extendedArg    byte
	hasExtendedArg bool
	wordCode       bool

	names       [256]string // what dis prints for each opcode
	kinds       [256]ArgKind
	hasArg      [256]bool
	caches      [256]uint8
	deopt       [256]byte
	specialized [256]bool
	jumps       [256]jumpRule
	nameShift   [256]uint8

	byName         []nameIndex // sorted by name; base opcodes only
	byNameAll      []nameIndex // sorted by name; including specialised ones
	nameArgs       []nameArg
	cacheFormat    []opCacheFormat
	hasLists       []HasList
	cmpOp          []string
	cmpShift       uint8
	cmpFlags       []ArgFlag
	argReprs       []opReprs
	nbOps          []BinaryOp
	intrinsic1     []string
	intrinsic2     []string
	formatValue    []string // dis's argrepr for FORMAT_VALUE oparg 0..7
	convertValue   []string // dis's argrepr for CONVERT_VALUE oparg 0..3
	functionFlags  []string // flag names by bit for MAKE_FUNCTION or SET_FUNCTION_ATTRIBUTE
	functionOp     string
	nargsFormat    string
	commonConsts   []string
	specialMethods []string
	pseudo         []PseudoOp
	minInstrument  int // MIN_INSTRUMENTED_OPCODE, or 0
}

// Impl returns the implementation: "CPython" or "PyPy".
func (t *Table) Impl() string { return t.impl }

// Version returns the language version, such as 3 and 11.
func (t *Table) Version() (major, minor int) { return t.major, t.minor }

// String returns e.g. "CPython 3.11".
func (t *Table) String() string { return fmt.Sprintf("%s %d.%d", t.impl, t.major, t.minor) }

// Source says where the table's facts come from: dumped from an interpreter
// or written by hand from named sources.
func (t *Table) Source() string { return t.source }

// Notes returns caveats recorded with hand-written facts (may be empty).
func (t *Table) Notes() []string { return t.notes }

// Name returns the name dis prints for op. For 3.11+ that includes the names
// of specialised instructions (dis's _all_opname); unused opcodes are named
// "<N>" as dis names them.
func (t *Table) Name(op byte) string { return t.names[op] }

// Op returns the number of the instruction called name. Both base and (for
// 3.11+) specialised instruction names are found; pseudo instructions are
// not (see Pseudo).
func (t *Table) Op(name string) (byte, bool) {
	idx := t.byNameAll
	i := sort.Search(len(idx), func(i int) bool { return idx[i].name >= name })
	if i < len(idx) && idx[i].name == name {
		return idx[i].op, true
	}
	return 0, false
}

// IsDefined reports whether op is a named instruction (base or specialised).
func (t *Table) IsDefined(op byte) bool { return !strings.HasPrefix(t.names[op], "<") }

// HasArg reports whether dis reads an argument for op. Before 3.6 such
// instructions are three bytes long; from 3.6 every instruction has an
// argument byte but dis only shows it for these. For specialised
// instructions the answer is that of the base instruction, as in dis.
func (t *Table) HasArg(op byte) bool { return t.hasArg[op] }

// Kind returns how op's argument is interpreted (ArgNone when it has none).
// Specialised instructions have the kind of their base instruction.
func (t *Table) Kind(op byte) ArgKind { return t.kinds[op] }

// Caches returns the number of 2-byte inline cache entries following op
// (3.11+; zero otherwise). Specialised instructions have their base
// instruction's count.
func (t *Table) Caches(op byte) int { return int(t.caches[op]) }

// CacheFormat returns the named fields of op's inline cache, in order
// (3.11+), or nil.
func (t *Table) CacheFormat(op byte) []CacheField {
	d := t.deopt[op]
	for _, c := range t.cacheFormat {
		if c.op == d {
			return c.fields
		}
	}
	return nil
}

// ExtendedArg returns the EXTENDED_ARG opcode. ok is false for versions
// without one (before 2.0).
func (t *Table) ExtendedArg() (op byte, ok bool) { return t.extendedArg, t.hasExtendedArg }

// HaveArgument returns HAVE_ARGUMENT: before 3.12 the opcodes from this
// number up take an argument.
func (t *Table) HaveArgument() byte { return t.haveArgument }

// WordCode reports whether instructions are two bytes long with one argument
// byte (3.6+), rather than one byte, or three with a 16-bit argument.
func (t *Table) WordCode() bool { return t.wordCode }

// ExtendedArgShift returns how far EXTENDED_ARG shifts its argument into the
// next one: 16 before wordcode, 8 with it.
func (t *Table) ExtendedArgShift() uint {
	if t.wordCode {
		return 8
	}
	return 16
}

// Deopt returns the base instruction of a specialised one (3.11+, as dis's
// deoptmap); any other opcode is returned unchanged.
func (t *Table) Deopt(op byte) byte { return t.deopt[op] }

// IsSpecialized reports whether op is a specialised (quickened) instruction
// (3.11+).
func (t *Table) IsSpecialized(op byte) bool { return t.specialized[op] }

// JumpTarget returns the offset that the jump instruction op, found at byte
// offset with argument arg, jumps to, computed as that version's dis does
// (including any inline caches it skips). ok is false for non-jumps.
func (t *Table) JumpTarget(op byte, offset, arg int) (target int, ok bool) {
	j := &t.jumps[op]
	if !j.ok {
		return 0, false
	}
	target = int(j.base) + int(j.step)*arg
	if j.rel {
		target += offset
	}
	return target, true
}

// ShowsJumpTarget reports whether dis prints the jump target ("to N") for
// op. Before 3.10 dis shows it only for relative jumps, although it marks
// the targets of absolute ones as labels.
func (t *Table) ShowsJumpTarget(op byte) bool { return t.jumps[op].ok && t.jumps[op].shown }

// JumpFormat returns how dis prints op's jump target: "to %s" (3.14+
// END_ASYNC_FOR: "from %s"), where %s is the target offset or, from 3.13
// when dis shows labels, the label "L<n>". It is "" when dis prints none.
func (t *Table) JumpFormat(op byte) string {
	if !t.jumps[op].shown {
		return ""
	}
	return t.jumps[op].format
}

// NameIndex splits the argument of a name instruction (ArgName): the index
// into co_names, and the text dis prints instead of the bare name when a
// flag bit is set ("%s" stands for the name; empty when none applies), as
// for 3.11+ LOAD_GLOBAL ("NULL + %s", from 3.13 "%s + NULL"), 3.12+
// LOAD_ATTR and LOAD_SUPER_ATTR, and 3.15+ IMPORT_NAME ("%s + lazy").
func (t *Table) NameIndex(op byte, arg int) (index int, format string) {
	d := t.deopt[op]
	s := t.nameShift[d]
	if s == 0 {
		return arg, ""
	}
	index = arg >> s
	for _, n := range t.nameArgs {
		if n.op != d {
			continue
		}
		for _, f := range n.flags {
			if arg&f.Bit != 0 {
				return index, f.Format
			}
		}
		break
	}
	return index, ""
}

// ArgRepr returns dis's text for the argument of an instruction whose
// argument picks from a fixed list (ArgEnum, ArgSpecialMethod and
// ArgCommonConstant kinds, 3.14+). ok is false for other instructions or
// arguments out of range.
func (t *Table) ArgRepr(op byte, arg int) (repr string, ok bool) {
	d := t.deopt[op]
	for _, r := range t.argReprs {
		if r.op == d {
			if arg < 0 || arg >= len(r.reprs) {
				return "", false
			}
			return r.reprs[arg], true
		}
	}
	return "", false
}

// CmpOp returns the comparison operator names (opcode.cmp_op).
func (t *Table) CmpOp() []string { return t.cmpOp }

// CompareOp decodes a COMPARE_OP argument: the operator index into CmpOp
// (the argument shifted right by 4 in 3.12, by 5 from 3.13) and the flag
// bits that change what dis prints (see CompareFlags).
func (t *Table) CompareOp(arg int) (index int, flags []ArgFlag) {
	index = arg >> t.cmpShift
	for _, f := range t.cmpFlags {
		if arg&f.Bit != 0 {
			flags = append(flags, f)
		}
	}
	return index, flags
}

// CompareShift returns how far dis shifts a COMPARE_OP argument right to get
// the operator index.
func (t *Table) CompareShift() uint { return uint(t.cmpShift) }

// CompareFlags returns the COMPARE_OP flag bits that change dis's output.
func (t *Table) CompareFlags() []ArgFlag { return t.cmpFlags }

// NbOps returns the BINARY_OP operators (3.11+), indexed by argument.
func (t *Table) NbOps() []BinaryOp { return t.nbOps }

// Intrinsic1 returns the CALL_INTRINSIC_1 function names (3.12+), indexed by
// argument.
func (t *Table) Intrinsic1() []string { return t.intrinsic1 }

// Intrinsic2 returns the CALL_INTRINSIC_2 function names (3.12+), indexed by
// argument.
func (t *Table) Intrinsic2() []string { return t.intrinsic2 }

// FormatValue returns what dis prints for a FORMAT_VALUE argument (3.6 to
// 3.12), such as "repr, with format"; ok is false for other versions.
func (t *Table) FormatValue(arg int) (repr string, ok bool) {
	if len(t.formatValue) == 0 {
		return "", false
	}
	return t.formatValue[arg&(len(t.formatValue)-1)], true
}

// ConvertValue returns what dis prints for a CONVERT_VALUE argument (3.13+),
// such as "str"; ok is false when the version or argument has none.
func (t *Table) ConvertValue(arg int) (repr string, ok bool) {
	if arg < 0 || arg >= len(t.convertValue) {
		return "", false
	}
	return t.convertValue[arg], true
}

// FunctionFlags returns the flag names dis prints for the bits of a
// MAKE_FUNCTION (3.8 to 3.12) or SET_FUNCTION_ATTRIBUTE (3.13+) argument,
// indexed by bit number, and the opcode name they belong to. Versions whose
// dis prints no flags return nil.
func (t *Table) FunctionFlags() (names []string, opname string) {
	return t.functionFlags, t.functionOp
}

// NArgsFormat returns the format dis uses for hasnargs arguments (3.0 to
// 3.5), such as "%d positional, %d keyword pair", or "" when it has none.
func (t *Table) NArgsFormat() string { return t.nargsFormat }

// CommonConstants returns the names of LOAD_COMMON_CONSTANT's constants
// (3.14+), indexed by argument. (What dis prints for them is ArgRepr.)
func (t *Table) CommonConstants() []string { return t.commonConsts }

// SpecialMethods returns LOAD_SPECIAL's method names (3.14+), indexed by
// argument.
func (t *Table) SpecialMethods() []string { return t.specialMethods }

// Pseudo returns the number of a 3.12+ pseudo instruction.
func (t *Table) Pseudo(name string) (int, bool) {
	for _, p := range t.pseudo {
		if p.Name == name {
			return p.Number, true
		}
	}
	return 0, false
}

// PseudoOps returns the pseudo instructions (3.12+).
func (t *Table) PseudoOps() []PseudoOp { return t.pseudo }

// MinInstrumented returns MIN_INSTRUMENTED_OPCODE (3.12+): opcodes from here
// up are instrumented variants. ok is false before 3.12.
func (t *Table) MinInstrumented() (op int, ok bool) { return t.minInstrument, t.minInstrument != 0 }

// HasLists returns the opcode module's has* lists as this version defines
// them (which lists exist varies by version).
func (t *Table) HasLists() []HasList { return t.hasLists }

// HasList returns the has* list called name (such as "hasjrel"); ok is false
// when the version has no such list.
func (t *Table) HasList(name string) (ops []int, ok bool) {
	for _, h := range t.hasLists {
		if h.Name == name {
			return h.Ops, true
		}
	}
	return nil, false
}

// BaseOp returns the number of a base (not specialised) instruction.
func (t *Table) BaseOp(name string) (byte, bool) {
	idx := t.byName
	i := sort.Search(len(idx), func(i int) bool { return idx[i].name >= name })
	if i < len(idx) && idx[i].name == name {
		return idx[i].op, true
	}
	return 0, false
}

// All returns every table, ordered by implementation and version.
func All() []*Table { return allTables }

// ForVersion returns the table for an implementation ("CPython", "PyPy" or
// "GraalPy") and language version. PyPy uses its own table where one exists
// and otherwise CPython's table of the same version. GraalPy's own bytecode
// is not described here, so it reports false, as does any version without a
// table.
func ForVersion(impl string, major, minor int) (*Table, bool) {
	switch impl {
	case "CPython":
	case "PyPy":
		if t := find("PyPy", major, minor); t != nil {
			return t, true
		}
	default:
		return nil, false
	}
	t := find("CPython", major, minor)
	return t, t != nil
}

func find(impl string, major, minor int) *Table {
	for _, t := range allTables {
		if t.impl == impl && t.major == major && t.minor == minor {
			return t
		}
	}
	return nil
}

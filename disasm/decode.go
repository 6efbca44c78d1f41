// Package disasm decodes the bytecode of code objects of every Python
// version into instructions, line and exception tables, and formats them:
// as each version's own dis prints them, and as JSON.
//
// Decoding knows nothing about text: Decode gives Instructions; the
// formatters (dis.go and the per-version files) turn them into text.
//
// # Security
//
// Code objects come from pycs from anyone. Decoding reads arguments past
// the end of co_code as zero and never indexes out of range. Listings (Dis,
// JSON) refuse a code object that holds itself, stop listing code objects
// that back-references share once the bytecode listed exceeds twice the
// distinct bytecode plus 64 KiB, cap one constant's repr at 1 MiB and the
// constant reprs of one listing at 16 MiB: so time and memory stay linear
// in the input. Errors about a code object are *pyc.CodeError values.
package disasm

import (
	"fmt"

	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/opcode"
	"github.com/pyc-tools/pyc/pyc"
)

// Code is a code object together with the version that wrote it and that
// version's opcode table: everything needed to read its bytecode.
type Code struct {
	*marshal.Code
	Version *pyc.Version
	Table   *opcode.Table
}

// NewCode pairs a code object with its version's opcode table.
func NewCode(c *marshal.Code, v *pyc.Version) (*Code, error) {
	t, err := TableFor(v)
	if err != nil {
		return nil, err
	}
	return &Code{Code: c, Version: v, Table: t}, nil
}

// TableFor returns the opcode table of a version, or the table of the
// nearest version of the same major release when that one has none.
func TableFor(v *pyc.Version) (*opcode.Table, error) {
	if t, ok := opcode.ForVersion(v.Impl.String(), v.Major, v.Minor); ok {
		return t, nil
	}
	if v.Impl != pyc.CPython {
		if t, ok := opcode.ForVersion("CPython", v.Major, v.Minor); ok {
			return t, nil
		}
	}
	return nil, fmt.Errorf("disasm: no opcode table for %s %d.%d", v.Impl, v.Major, v.Minor)
}

// Child returns the same context for a nested code object.
func (c *Code) Child(m *marshal.Code) *Code {
	return &Code{Code: m, Version: c.Version, Table: c.Table}
}

// Instruction is one decoded instruction. EXTENDED_ARG prefixes are
// instructions of their own (as dis shows them); the argument of the
// instruction they prefix includes their bits.
type Instruction struct {
	// Offset is the byte offset of the opcode in co_code.
	Offset int
	// Op is the opcode byte as stored (possibly a specialised or
	// instrumented opcode).
	Op byte
	// Arg is the argument with EXTENDED_ARG prefixes folded in, as that
	// version's dis computes it; meaningful when HasArg is true.
	Arg int
	// HasArg reports whether the opcode takes an argument.
	HasArg bool
	// Size is the instruction's length in bytes, without inline caches: 1
	// or 3 before 3.6, 2 from 3.6.
	Size int
	// Caches is the number of 2-byte inline cache entries after the
	// instruction (3.11+).
	Caches int
}

// End returns the offset just past the instruction and its caches.
func (in *Instruction) End() int { return in.Offset + in.Size + 2*in.Caches }

// Decode splits bytecode into instructions by the table's rules: byte code
// with 2-byte arguments before 3.6, word code from 3.6, inline caches from
// 3.11. Arguments missing at the end of a truncated co_code read as zero.
func Decode(code []byte, t *opcode.Table) []Instruction {
	return appendDecode(make([]Instruction, 0, len(code)/2), code, t)
}

// appendDecode is Decode appending to out, so that a caller can reuse the
// slice's storage.
func appendDecode(out []Instruction, code []byte, t *opcode.Table) []Instruction {
	ext, hasExt := t.ExtendedArg()
	have := t.HaveArgument()
	major, minor := t.Version()
	if !t.WordCode() {
		var extended int
		for i := 0; i < len(code); {
			op := code[i]
			in := Instruction{Offset: i, Op: op, Size: 1}
			if op >= have {
				in.HasArg = true
				in.Size = 3
				arg := 0
				if i+1 < len(code) {
					arg = int(code[i+1])
				}
				if i+2 < len(code) {
					arg |= int(code[i+2]) << 8
				}
				in.Arg = arg + extended
				extended = 0
				if hasExt && op == ext {
					extended = in.Arg << 16
				}
			}
			out = append(out, in)
			i += in.Size
		}
		return out
	}
	// Word code. From 3.10 dis resets the EXTENDED_ARG accumulator on
	// argument-less opcodes (3.6 to 3.9 carry it over them); from 3.11 it
	// wraps it to a negative value from 2**31 up (the oparg is a C int). Up
	// to 3.11 dis gives an argument to every opcode from HAVE_ARGUMENT up;
	// from 3.12 to the opcodes in hasarg, which leaves out a few (3.13's
	// WITH_EXCEPT_START, unused numbers).
	reset := major > 3 || major == 3 && minor >= 10
	wrap := major > 3 || major == 3 && minor >= 11
	shift := t.ExtendedArgShift()
	extended := 0
	for i := 0; i < len(code); {
		op := code[i]
		d := t.Deopt(op)
		in := Instruction{Offset: i, Op: op, Size: 2, Caches: t.Caches(d)}
		if t.HasArg(d) {
			in.HasArg = true
			arg := 0
			if i+1 < len(code) {
				arg = int(code[i+1])
			}
			in.Arg = arg | extended
			if hasExt && d == ext {
				extended = in.Arg << shift
				if wrap && extended >= 1<<31 {
					extended -= 1 << 32
				}
			} else {
				extended = 0
			}
		} else if reset {
			extended = 0
		}
		out = append(out, in)
		i += 2 + 2*in.Caches
	}
	return out
}

// Instructions decodes the code object's bytecode.
func (c *Code) Instructions() []Instruction {
	return Decode(c.Bytecode(), c.Table)
}

// CellAndFreeNames returns the names that free-variable arguments index:
// co_cellvars + co_freevars before 3.11, all of co_localsplusnames from
// 3.11.
func (c *Code) CellAndFreeNames() []string {
	if c.Layout >= marshal.Layout311 {
		s, _ := c.LocalsPlusNames.Strings()
		return s
	}
	cells, _ := c.CellVars.Strings()
	frees, _ := c.FreeVars.Strings()
	return append(append([]string(nil), cells...), frees...)
}

// LocalNames returns the names that local-variable arguments index:
// co_varnames before 3.11, co_localsplusnames from 3.11.
func (c *Code) LocalNames() []string {
	var s []string
	if c.Layout >= marshal.Layout311 {
		s, _ = c.LocalsPlusNames.Strings()
	} else {
		s, _ = c.VarNames.Strings()
	}
	return s
}

// NameStrings returns co_names.
func (c *Code) NameStrings() []string {
	s, _ := c.Names.Strings()
	return s
}

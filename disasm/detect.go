package disasm

import (
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/opcode"
	"github.com/pyc-tools/pyc/pyc"
)

// Refine returns the version that a file's bytecode shows it was written
// by, when the magic number alone cannot tell: PyPy 3.8 wrote CPython 3.8's
// magic, and its compiler emits opcodes that CPython's of that version
// never defines (LOOKUP_METHOD, CALL_METHOD_KW, BUILD_LIST_FROM_ARG...). A
// CPython file whose code uses such opcodes, and no opcode PyPy lacks, is
// reported as PyPy's. Otherwise v is returned unchanged.
//
// Refine looks at the code only when MayBePyPy(v).
func Refine(v *pyc.Version, top *marshal.Code) *pyc.Version {
	cpy, pypy, ok := pypyTables(v)
	if top == nil || !ok {
		return v
	}
	pypyOnly, foreign := false, false
	// Each code object once: back-references can share one among the
	// constants of many, exponentially many times over.
	seen := map[*marshal.Code]bool{}
	var walk func(c *marshal.Code, depth int)
	walk = func(c *marshal.Code, depth int) {
		if depth > marshal.MaxDepth || foreign || seen[c] {
			return
		}
		seen[c] = true
		for _, in := range Decode(c.Bytecode(), cpy) {
			switch {
			case cpy.IsDefined(in.Op):
			case pypy.IsDefined(in.Op):
				pypyOnly = true
			default:
				foreign = true
				return
			}
		}
		if c.Consts == nil {
			return
		}
		for _, k := range c.Consts.Items {
			if child, ok := k.(*marshal.Code); ok {
				walk(child, depth+1)
			}
		}
	}
	walk(top, 0)
	if !pypyOnly || foreign {
		return v
	}
	r := *v
	r.Impl = pyc.PyPy
	r.Release = "PyPy " + v.XY() + " (with CPython's magic)"
	return &r
}

// MayBePyPy reports whether a file with v's magic may have been written by
// PyPy rather than CPython, which only its bytecode can tell (see Refine):
// v is CPython's, PyPy of that language version has opcodes of its own and
// writes files in the same format. A caller that only needs the version can
// skip decoding a file when it is false.
func MayBePyPy(v *pyc.Version) bool {
	_, _, ok := pypyTables(v)
	return ok
}

// pypyTables returns CPython's and PyPy's opcode tables for v's language
// version, and whether MayBePyPy(v).
func pypyTables(v *pyc.Version) (cpy, pypy *opcode.Table, ok bool) {
	if v == nil || v.Impl != pyc.CPython {
		return nil, nil, false
	}
	cpy, ok1 := opcode.ForVersion("CPython", v.Major, v.Minor)
	pypy, ok2 := opcode.ForVersion("PyPy", v.Major, v.Minor)
	if !ok1 || !ok2 || pypy == cpy {
		return nil, nil, false
	}
	// Only where PyPy of that version writes files in the same format as
	// CPython's (3.8): elsewhere a file with CPython's magic and layout
	// cannot be PyPy's, whatever opcodes a corrupt co_code holds.
	pv, err := pyc.ParseVersion("pypy" + v.XY())
	ok = err == nil && pv.Layout == v.Layout && pv.MarshalVersion == v.MarshalVersion &&
		pv.HeaderSize == v.HeaderSize && pv.LineTable == v.LineTable && pv.WordCode == v.WordCode &&
		pv.Unicode == v.Unicode
	return cpy, pypy, ok
}

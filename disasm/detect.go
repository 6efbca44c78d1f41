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
func Refine(v *pyc.Version, top *marshal.Code) *pyc.Version {
	if v == nil || top == nil || v.Impl != pyc.CPython {
		return v
	}
	cpy, ok1 := opcode.ForVersion("CPython", v.Major, v.Minor)
	pypy, ok2 := opcode.ForVersion("PyPy", v.Major, v.Minor)
	if !ok1 || !ok2 || pypy == cpy {
		return v
	}
	// Only where PyPy of that version writes files in the same format as
	// CPython's (3.8): elsewhere a file with CPython's magic and layout
	// cannot be PyPy's, whatever opcodes a corrupt co_code holds.
	pv, err := pyc.ParseVersion("pypy" + v.XY())
	if err != nil || pv.Layout != v.Layout || pv.MarshalVersion != v.MarshalVersion || pv.HeaderSize != v.HeaderSize ||
		pv.LineTable != v.LineTable || pv.WordCode != v.WordCode || pv.Unicode != v.Unicode {
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

package disasm_test

import (
	"testing"
	"time"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/opcode"
	"github.com/pyc-tools/pyc/pyc"
)

// Refine takes a CPython file for PyPy's only where PyPy writes files like
// CPython's of that version (3.8, which PyPy wrote with CPython's magic):
// a 3.11 file (CPython's layout, which PyPy 3.11 does not use) with a
// PyPy-only opcode stays CPython's, or its assembly text would name a
// version that cannot write it.
func TestRefine(t *testing.T) {
	for _, tt := range []struct {
		xy   string
		impl pyc.Implementation
	}{{"3.8", pyc.PyPy}, {"3.11", pyc.CPython}} {
		v, err := pyc.ParseVersion(tt.xy)
		if err != nil {
			t.Fatal(err)
		}
		cpy, _ := opcode.ForVersion("CPython", v.Major, v.Minor)
		pypy, _ := opcode.ForVersion("PyPy", v.Major, v.Minor)
		op := -1
		for i := 0; i < 256 && op < 0; i++ {
			if !cpy.IsDefined(byte(i)) && pypy.IsDefined(byte(i)) {
				op = i
			}
		}
		if op < 0 {
			t.Fatalf("%s: no opcode of PyPy's only", tt.xy)
		}
		c := &marshal.Code{Layout: v.Layout, Code: &marshal.Bytes{Data: []byte{byte(op), 0}}}
		if have := disasm.Refine(v, c); have.Impl != tt.impl {
			t.Errorf("%s with %s: refined to %s, want %s", tt.xy, pypy.Name(byte(op)), have.Impl, tt.impl)
		}
	}
}

// Refine looks at each code object once: one shared among the constants of
// another, and so on 60 times over, is 2**60 code objects as a tree.
func TestRefineSharedCode(t *testing.T) {
	v, err := pyc.ParseVersion("3.8")
	if err != nil {
		t.Fatal(err)
	}
	c := &marshal.Code{Layout: v.Layout, Code: &marshal.Bytes{Data: []byte{100, 0, 83, 0}}, Consts: &marshal.Tuple{}}
	for range 60 {
		c = &marshal.Code{Layout: v.Layout, Code: c.Code, Consts: &marshal.Tuple{Items: []marshal.Value{c, c}}}
	}
	start := time.Now()
	if have := disasm.Refine(v, c); have != v {
		t.Errorf("refined to %v", have)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v", d)
	}
}

// MayBePyPy is exactly Refine's precondition: for every known magic where
// it is false, Refine leaves the version alone even for code made only of
// opcodes PyPy has and CPython lacks; it is true for CPython 3.8 and false
// where PyPy has no opcodes of its own (3.12 and later).
func TestMayBePyPy(t *testing.T) {
	for _, v := range pyc.Versions() {
		cpy, ok1 := opcode.ForVersion("CPython", v.Major, v.Minor)
		pypy, ok2 := opcode.ForVersion("PyPy", v.Major, v.Minor)
		if !ok1 || !ok2 || cpy == pypy || v.Layout == marshal.LayoutNone {
			if disasm.MayBePyPy(v) {
				t.Errorf("%v: MayBePyPy, but PyPy has no opcodes of its own there", v)
			}
			continue
		}
		var code []byte
		for i := 0; i < 256; i++ {
			switch {
			case cpy.IsDefined(byte(i)) || !pypy.IsDefined(byte(i)):
			case v.WordCode:
				code = append(code, byte(i), 0)
			case i >= 90: // HAVE_ARGUMENT: an opcode and a 16-bit argument
				code = append(code, byte(i), 0, 0)
			default:
				code = append(code, byte(i))
			}
		}
		c := &marshal.Code{Layout: v.Layout, Code: &marshal.Bytes{Data: code}}
		if refined := disasm.Refine(v, c) != v; refined != disasm.MayBePyPy(v) {
			t.Errorf("%v: Refine changes the version: %v; MayBePyPy: %v", v, refined, disasm.MayBePyPy(v))
		}
	}
	for _, xy := range []string{"3.8", "3.12", "3.13"} {
		v, _ := pyc.ParseVersion(xy)
		if want := xy == "3.8"; disasm.MayBePyPy(v) != want {
			t.Errorf("%s: MayBePyPy is %v, want %v", xy, !want, want)
		}
	}
}

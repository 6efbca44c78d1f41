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

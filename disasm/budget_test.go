package disasm_test

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/opcode"
	"github.com/pyc-tools/pyc/pyc"
)

// A constant whose repr is a megabyte (a tuple holding one tuple twice,
// nested: a few hundred bytes in a stream) loaded by thousands of
// instructions would be gigabytes of listing: Dis and JSON stop at their
// budget for constant reprs, quickly and with an error about the code
// object.
func TestReprOutputBudget(t *testing.T) {
	var k marshal.Value = &marshal.Str{Data: []byte("leaf")}
	for range 30 {
		k = &marshal.Tuple{Items: []marshal.Value{k, k}}
	}
	for _, xy := range []string{"2.7", "3.8", "3.12", "3.13"} {
		v, err := pyc.ParseVersion(xy)
		if err != nil {
			t.Fatal(err)
		}
		tab, _ := opcode.ForVersion("CPython", v.Major, v.Minor)
		load, _ := tab.BaseOp("LOAD_CONST")
		pop, _ := tab.BaseOp("POP_TOP")
		var code []byte
		for range 4000 {
			if tab.WordCode() {
				code = append(code, load, 0, pop, 0)
			} else {
				code = append(code, load, 0, 0, pop)
			}
		}
		str := func(s string) *marshal.Str { return &marshal.Str{Data: []byte(s)} }
		empty := &marshal.Tuple{}
		m := &marshal.Code{Layout: v.Layout, Code: &marshal.Bytes{Data: code}, Consts: &marshal.Tuple{Items: []marshal.Value{k}},
			Names: empty, VarNames: empty, FreeVars: empty, CellVars: empty, LocalsPlusNames: empty,
			LocalsPlusKinds: &marshal.Bytes{}, Filename: str("f"), Name: str("m"), QualName: str("m"),
			LineTable: &marshal.Bytes{}, ExceptionTable: &marshal.Bytes{}}
		c, err := disasm.NewCode(m, v)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		var ce *pyc.CodeError
		err = disasm.Dis(io.Discard, c, disasm.DisOptions{})
		if err == nil || !strings.Contains(err.Error(), "constant reprs") {
			t.Errorf("%s: Dis: have %v, want the repr budget's error", xy, err)
		} else if !errors.As(err, &ce) || ce.Code != m {
			t.Errorf("%s: Dis: %v is not about the code object", xy, err)
		}
		if _, err := disasm.JSON(c); err == nil || !strings.Contains(err.Error(), "constant reprs") {
			t.Errorf("%s: JSON: have %v, want the repr budget's error", xy, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("%s: took %v", xy, d)
		}
	}
}

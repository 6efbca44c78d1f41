package disasm

import (
	"testing"

	"github.com/pyc-tools/pyc/opcode"
)

// EXTENDED_ARG followed by an argument-less opcode: 3.9's dis carries the
// prefix over to the next argument, 3.10's drops it (found on pip's
// rich/color.py, where the compiler left EXTENDED_ARG, NOP behind).
func TestExtendedArgCarry(t *testing.T) {
	for _, tt := range []struct {
		minor int
		want  int
	}{{9, 257}, {10, 1}} {
		tab, ok := opcode.ForVersion("CPython", 3, tt.minor)
		if !ok {
			t.Fatal("no table")
		}
		ext, _ := tab.ExtendedArg()
		nop, _ := tab.Op("NOP")
		code := []byte{ext, 1, nop, 0, ext, 1}
		ins := Decode(code, tab)
		if got := ins[2].Arg; got != tt.want {
			t.Errorf("3.%d: have %d, want %d", tt.minor, got, tt.want)
		}
	}
}

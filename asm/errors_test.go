package asm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/asm"
)

// module wraps instructions in a minimal 3.12 module code block.
func module(body string) string {
	return `.magic 3531
code
    .name '<module>'
    .qualname '<module>'
    .filename 'x.py'
    .firstlineno 1
    .flags 0x0
` + body + `
end
`
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name     string
		src      string
		line     int
		col      int
		contains string
	}{
		{"unknown opcode", module("    LOAD_FASTER x\n    RETURN_CONST None"), 8, 5, "unknown opcode LOAD_FASTER for CPython 3.12"},
		{"pseudo instruction", module("    SETUP_FINALLY L1\n  L1:\n    RETURN_CONST None"), 8, 5, "pseudo-instruction"},
		{"undefined label", module("    JUMP_FORWARD L9\n    RETURN_CONST None"), 8, 18, "undefined label L9"},
		{"duplicate label", module("  L1:\n    NOP\n  L1:\n    RETURN_CONST None"), 10, 3, "duplicate label L1"},
		{"argument out of range", module("    BUILD_TUPLE 4294967296\n    RETURN_CONST None"), 8, 17, "out of range"},
		{"backward jump to a later label", module("    JUMP_BACKWARD L1\n    NOP\n  L1:\n    RETURN_CONST None"), 8, 5, "which is after it"},
		{"stack underflow", module("    RESUME 0\n    POP_TOP\n    RETURN_CONST None"), 9, 5, "stack underflow"},
		{"underflow on one path", module("    RESUME 0\n    LOAD_CONST 1\n    POP_JUMP_IF_TRUE L1\n    LOAD_CONST 2\n  L1:\n    POP_TOP\n    RETURN_CONST None"), 13, 5, "stack underflow"},
		{"unencodable constant", module("    .const slice(1, 2, 3)\n    RETURN_CONST None"), 8, 12, "cannot hold a slice"},
		{"bad type code", module("    .const 5!Z\n    RETURN_CONST None"), 8, 12, "does not fit a int"},
		{"missing operand", module("    LOAD_CONST\n    RETURN_CONST None"), 8, 5, "needs an operand"},
		{"no argument", module("    POP_TOP 3\n    RETURN_CONST None"), 8, 13, "takes no argument"},
		{"unknown comparison", module("    COMPARE_OP <>\n    RETURN_CONST None"), 8, 16, "unknown comparison"},
		{"undefined cell", module("    LOAD_DEREF x\n    RETURN_CONST None"), 8, 5, "undefined cell or free variable \"x\""},
		{"unterminated string", module("    .const 'abc\n    RETURN_CONST None"), 8, 12, "unterminated string"},
		{"no end", ".magic 3531\ncode\n    .name 'x'\n", 2, 1, "without \"end\""},
		{"unknown magic", ".magic 4242\ncode\nend\n", 1, 8, "unknown magic number 4242"},
		{"position before 3.11", ".magic 3413\ncode\n    .name 'm'\n    .filename 'x'\n    .line 1\n    LOAD_CONST None @0-4\n    RETURN_VALUE\nend\n", 6, 21, "columns are recorded from Python 3.11 on"},
		{"lnotab lines go back", ".magic 62211\n.mtime 0\ncode\n    .name 'm'\n    .filename 'x'\n    .firstlineno 5\n    .line 6\n    LOAD_CONST None\n    .line 2\n    RETURN_VALUE\nend\n", 0, 0, "lines cannot go back"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := asm.Assemble([]byte(tc.src))
			if err == nil {
				t.Fatalf("no error; want %q", tc.contains)
			}
			var e *asm.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is no *asm.Error", err, err)
			}
			if !strings.Contains(e.Msg, tc.contains) {
				t.Errorf("have %q, want it to contain %q", e.Error(), tc.contains)
			}
			if tc.line != 0 && (e.Line != tc.line || e.Col != tc.col) {
				t.Errorf("have position %d:%d, want %d:%d (%s)", e.Line, e.Col, tc.line, tc.col, e.Msg)
			}
		})
	}
}

func TestDeepNesting(t *testing.T) {
	src := module("    .const " + strings.Repeat("(", 5000) + strings.Repeat(")", 5000) + "\n    RETURN_CONST None")
	_, err := asm.Assemble([]byte(src))
	if err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("have %v, want an error about nesting", err)
	}
}

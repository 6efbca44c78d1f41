package asm_test

import (
	"fmt"
	"os"

	"github.com/pyc-tools/pyc/asm"
)

// Assembling a small Python 3.8 module from text: the names and constants
// the instructions use are added, and the stack size and line table are
// computed.
func ExampleAssemble() {
	src := `.magic 3413      # Python 3.8
.mtime 0
.source_size 0
code
    .name '<module>'
    .filename 'hi.py'
    .flags 0x40
    .line 1
    LOAD_NAME        print
    LOAD_CONST       'hi'
    CALL_FUNCTION    1
    POP_TOP
    .line 2
    LOAD_CONST       None
    RETURN_VALUE
end
`
	f, err := asm.Assemble([]byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := f.TopCode()
	names, _ := m.Names.Strings()
	fmt.Printf("names %v, %d constants, stack size %d, co_lnotab % x\n", names, m.Consts.Len(), m.StackSize, m.LineTableBytes())
	data, _ := f.Bytes()
	fmt.Printf("% x\n", data[:16])
	// Output:
	// names [print], 2 constants, stack size 2, co_lnotab 08 01
	// 55 0d 0d 0a 00 00 00 00 00 00 00 00 00 00 00 00
}

// Errors name the line and column.
func ExampleAssemble_error() {
	src := `.magic 3413
code
    .name '<module>'
    .filename 'x.py'
    LOAD_CONST None
    JUMP_ABSOLUTE L1
    RETURN_VALUE
end
`
	_, err := asm.Assemble([]byte(src))
	fmt.Println(err)
	// Output:
	// 6:19: undefined label L1
}

// Printing a file: everything it holds, as text that assembles back to
// the same bytes.
func ExamplePrint() {
	f, err := asm.Assemble([]byte(`.magic 3495      # Python 3.11
.mtime 0
.source_size 0
code
    .name '<module>'
    .qualname '<module>'
    .filename 'x.py'
    .const (1, 2.5, 'text', b'\x00')
    RESUME 0
    LOAD_CONST (1, 2.5, 'text', b'\x00')
    RETURN_VALUE
end
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	asm.Print(os.Stdout, f)
	// Output:
	// # pyc assembly of CPython 3.11 (magic 3495) (assemble with: pyc asm FILE)
	// .magic 3495
	// .flags 0x0  # timestamp
	// .mtime 0
	// .source_size 0
	// code  # <module>
	//     .name '<module>'
	//     .qualname '<module>'
	//     .filename 'x.py'
	//     .firstlineno 1
	//     .argcount 0
	//     .flags 0x0
	//     .names ()
	//     .localsplusnames ()
	//     .localspluskinds b''
	//     .const (1, 2.5, 'text', b'\x00')
	//     RESUME               0
	//     LOAD_CONST           (1, 2.5, 'text', b'\x00')
	//     RETURN_VALUE
	// end
}

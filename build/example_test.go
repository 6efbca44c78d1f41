package build_test

import (
	"fmt"
	"os"

	"github.com/pyc-tools/pyc/asm"
	"github.com/pyc-tools/pyc/build"
	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/pyc"
)

// A module that prints a greeting, for Python 3.12, written to a pyc.
func Example() {
	v, _ := pyc.ParseVersion("3.12")
	c, _ := build.New(v)
	c.Filename = build.NewStr("hello.py")
	c.Op("RESUME", 0)
	c.Line(1)
	c.Op("PUSH_NULL")
	c.Op("LOAD_NAME", "print")
	c.Op("LOAD_CONST", "hello, world")
	c.Op("CALL", 1)
	c.Op("POP_TOP")
	c.Op("RETURN_CONST", nil)
	f, err := c.File()
	if err != nil {
		fmt.Println(err)
		return
	}
	data, _ := f.Bytes()
	// os.WriteFile("hello.pyc", data, 0o644); then: python3.12 hello.pyc
	fmt.Printf("%d bytes, stack size %d\n", len(data), f.TopCode().StackSize)
	asm.Print(os.Stdout, f)
	// Output:
	// 138 bytes, stack size 3
	// # pyc assembly of CPython 3.12 (magic 3531) (assemble with: pyc asm FILE)
	// .magic 3531
	// .flags 0x0  # timestamp
	// .mtime 0
	// .source_size 0
	// code  # <module>
	//     .name '<module>'
	//     .qualname '<module>'
	//     .filename 'hello.py'
	//     .firstlineno 1
	//     .argcount 0
	//     .flags 0x0
	//     .names ('print',)
	//     .localsplusnames ()
	//     .localspluskinds b''
	//     .const 'hello, world'
	//     .const None
	//     RESUME               0
	//     PUSH_NULL
	//     LOAD_NAME            print
	//     LOAD_CONST           'hello, world'
	//     CALL                 1
	//     POP_TOP
	//     RETURN_CONST         None
	// end
}

// A function with a loop, for Python 3.8: labels stand for jump targets,
// locals are added as they are used, and the stack size is computed.
func ExampleNewFunction() {
	v, _ := pyc.ParseVersion("3.8")
	// def total(items):
	//     t = 0
	//     for x in items:
	//         t = t + x
	//     return t
	c, _ := build.NewFunction(v, "total", "items")
	c.FirstLineNo = 1
	top, done := build.NewLabel("top"), build.NewLabel("done")
	c.Line(2)
	c.Op("LOAD_CONST", 0)
	c.Op("STORE_FAST", "t")
	c.Line(3)
	c.Op("LOAD_FAST", "items")
	c.Op("GET_ITER")
	c.Place(top)
	c.Op("FOR_ITER", done)
	c.Op("STORE_FAST", "x")
	c.Line(4)
	c.Op("LOAD_FAST", "t")
	c.Op("LOAD_FAST", "x")
	c.Op("BINARY_ADD")
	c.Op("STORE_FAST", "t")
	c.Op("JUMP_ABSOLUTE", top)
	c.Place(done)
	c.Line(5)
	c.Op("LOAD_FAST", "t")
	c.Op("RETURN_VALUE")
	m, err := c.Assemble()
	if err != nil {
		fmt.Println(err)
		return
	}
	names, _ := m.VarNames.Strings()
	fmt.Printf("varnames %v, nlocals %d, stack size %d, flags 0x%x\n", names, m.NLocals, m.StackSize, m.Flags)
	fmt.Printf("co_lnotab % x\n", m.LineTableBytes())
	code, _ := disasm.NewCode(m, v)
	disasm.Dis(os.Stdout, code, disasm.DisOptions{})
	// Output:
	// varnames [items t x], nlocals 3, stack size 3, flags 0x43
	// co_lnotab 00 01 04 01 08 01 0a 01
	//   2           0 LOAD_CONST               0 (0)
	//               2 STORE_FAST               1 (t)
	//
	//   3           4 LOAD_FAST                0 (items)
	//               6 GET_ITER
	//         >>    8 FOR_ITER                12 (to 22)
	//              10 STORE_FAST               2 (x)
	//
	//   4          12 LOAD_FAST                1 (t)
	//              14 LOAD_FAST                2 (x)
	//              16 BINARY_ADD
	//              18 STORE_FAST               1 (t)
	//              20 JUMP_ABSOLUTE            8
	//
	//   5     >>   22 LOAD_FAST                1 (t)
	//              24 RETURN_VALUE
}

// A try/except for Python 3.11: the exception table is given as entries
// between labels and written in the version's format.
func ExampleExceptionEntry() {
	v, _ := pyc.ParseVersion("3.11")
	c, _ := build.New(v)
	try, tryEnd, handler, cleanup, done := build.NewLabel("try"), build.NewLabel("tryend"),
		build.NewLabel("handler"), build.NewLabel("cleanup"), build.NewLabel("done")
	c.Op("RESUME", 0)
	c.Line(1)
	c.Op("NOP")
	c.Place(try)
	c.Line(2)
	c.Op("LOAD_CONST", 1)
	c.Op("LOAD_CONST", 0)
	c.Op("BINARY_OP", "/")
	c.Op("POP_TOP")
	c.Place(tryEnd)
	c.Op("JUMP_FORWARD", done)
	c.Place(handler)
	c.Line(3)
	c.Op("PUSH_EXC_INFO")
	c.Op("POP_TOP")
	c.Op("POP_EXCEPT")
	c.Op("JUMP_FORWARD", done)
	c.Place(cleanup)
	c.Op("COPY", 3)
	c.Op("POP_EXCEPT")
	c.Op("RERAISE", 1)
	c.Place(done)
	c.Op("LOAD_CONST", nil)
	c.Op("RETURN_VALUE")
	c.Exceptions = []build.ExceptionEntry{
		{Start: try, End: tryEnd, Target: handler, Depth: 0},
		{Start: handler, End: cleanup, Target: cleanup, Depth: 1, Lasti: true},
	}
	m, err := c.Assemble()
	if err != nil {
		fmt.Println(err)
		return
	}
	code, _ := disasm.NewCode(m, v)
	for _, e := range code.ExceptionTable() {
		fmt.Printf("%d to %d -> %d [%d] lasti=%v\n", e.Start, e.End, e.Target, e.Depth, e.Lasti)
	}
	fmt.Println("stack size", m.StackSize)
	// Output:
	// 4 to 12 -> 16 [0] lasti=false
	// 16 to 22 -> 24 [1] lasti=true
	// stack size 4
}

package build_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/build"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

// emitter writes the few statement shapes the test programs need, in the
// instructions of each version.
type emitter struct {
	c *build.Code
	v *pyc.Version
}

func (e *emitter) at(major, minor int) bool { return e.v.AtLeast(major, minor) }

// resume starts a 3.11+ code object.
func (e *emitter) resume() {
	if e.at(3, 11) {
		e.c.Op("RESUME", 0)
	}
}

// call calls the global or name `fn` with the arguments args pushes.
func (e *emitter) call(load, fn string, n int, args func()) {
	c := e.c
	switch {
	case e.at(3, 13):
		c.Op(load, fn)
		c.Op("PUSH_NULL")
	case e.at(3, 11):
		c.Op("PUSH_NULL")
		c.Op(load, fn)
	default:
		c.Op(load, fn)
	}
	args()
	switch {
	case e.at(3, 12):
		c.Op("CALL", n)
	case e.at(3, 11):
		c.Op("PRECALL", n)
		c.Op("CALL", n)
	default:
		c.Op("CALL_FUNCTION", n)
	}
}

// print emits print(args...) as a statement.
func (e *emitter) print(args ...any) {
	e.call("LOAD_NAME", "print", len(args), func() {
		for _, a := range args {
			if s, ok := a.(name); ok {
				e.c.Op("LOAD_NAME", string(s))
			} else {
				e.c.Op("LOAD_CONST", a)
			}
		}
	})
	e.c.Op("POP_TOP")
}

type name string

func (e *emitter) binary(old, sym string) {
	if e.at(3, 11) {
		e.c.Op("BINARY_OP", sym)
	} else {
		e.c.Op(old)
	}
}

func (e *emitter) returnNone() {
	e.c.Op("LOAD_CONST", nil)
	e.c.Op("RETURN_VALUE")
}

// hello builds print("hello, world").
func hello(v *pyc.Version) (*build.Code, error) {
	c, err := build.New(v)
	if err != nil {
		return nil, err
	}
	c.Filename = build.NewStr("hello.py")
	e := &emitter{c, v}
	e.resume()
	e.print("hello, world")
	e.returnNone()
	return c, nil
}

// program builds:
//
//	def add(a, b):
//	    return a + b
//	total = 0
//	for i in range(4):
//	    total = add(total, i)
//	print("total", total)
//	try:
//	    print(1 // 0)
//	except ZeroDivisionError:
//	    print("caught")
//	print("done")
//	class C:
//	    x = 42
//	print(C.x)
func program(v *pyc.Version) (*build.Code, error) {
	add, err := build.NewFunction(v, "add", "a", "b")
	if err != nil {
		return nil, err
	}
	add.Filename = build.NewStr("prog.py")
	add.QualName = build.NewStr("add")
	add.FirstLineNo = 1
	add.Line(2)
	fe := &emitter{add, v}
	fe.resume()
	add.Op("LOAD_FAST", "a")
	add.Op("LOAD_FAST", "b")
	fe.binary("BINARY_ADD", "+")
	add.Op("RETURN_VALUE")

	c, err := build.New(v)
	if err != nil {
		return nil, err
	}
	c.Filename = build.NewStr("prog.py")
	e := &emitter{c, v}
	e.resume()
	// def add
	c.Line(1)
	c.Op("LOAD_CONST", add)
	if !e.at(3, 11) && e.at(3, 0) {
		c.Op("LOAD_CONST", "add")
	}
	if e.at(3, 13) {
		c.Op("MAKE_FUNCTION")
	} else {
		c.Op("MAKE_FUNCTION", 0)
	}
	c.Op("STORE_NAME", "add")
	// total = 0
	c.Line(3)
	c.Op("LOAD_CONST", 0)
	c.Op("STORE_NAME", "total")
	// for i in range(4): total = add(total, i)
	c.Line(4)
	top, exit, end := build.NewLabel("top"), build.NewLabel("exit"), build.NewLabel("end")
	if !e.at(3, 8) {
		c.Op("SETUP_LOOP", end)
	}
	e.call("LOAD_NAME", "range", 1, func() { c.Op("LOAD_CONST", 4) })
	c.Op("GET_ITER")
	c.Place(top)
	c.Op("FOR_ITER", exit)
	c.Op("STORE_NAME", "i")
	c.Line(5)
	e.call("LOAD_NAME", "add", 2, func() {
		c.Op("LOAD_NAME", "total")
		c.Op("LOAD_NAME", "i")
	})
	c.Op("STORE_NAME", "total")
	if e.at(3, 11) {
		c.Op("JUMP_BACKWARD", top)
	} else {
		c.Op("JUMP_ABSOLUTE", top)
	}
	c.Place(exit)
	switch {
	case e.at(3, 13):
		c.Op("END_FOR")
		c.Op("POP_TOP")
	case e.at(3, 12):
		c.Op("END_FOR")
	case !e.at(3, 8):
		c.Op("POP_BLOCK")
	}
	c.Place(end)
	// print("total", total)
	c.Line(6)
	e.print("total", name("total"))
	// try: print(1 // 0) except ZeroDivisionError: print("caught")
	c.Line(7)
	handler, reraise, done := build.NewLabel("handler"), build.NewLabel("reraise"), build.NewLabel("done")
	tryStart, tryEnd, cleanup := build.NewLabel("try"), build.NewLabel("tryend"), build.NewLabel("cleanup")
	switch {
	case e.at(3, 11):
		c.Op("NOP")
	case e.at(3, 8):
		c.Op("SETUP_FINALLY", handler)
	default:
		c.Op("SETUP_EXCEPT", handler)
	}
	c.Place(tryStart)
	c.Line(8)
	e.call("LOAD_NAME", "print", 1, func() {
		c.Op("LOAD_CONST", 1)
		c.Op("LOAD_CONST", 0)
		e.binary("BINARY_FLOOR_DIVIDE", "//")
	})
	c.Op("POP_TOP")
	if !e.at(3, 11) {
		c.Op("POP_BLOCK")
	}
	c.Place(tryEnd)
	c.Op("JUMP_FORWARD", done)
	c.Line(9)
	c.Place(handler)
	if e.at(3, 11) {
		c.Op("PUSH_EXC_INFO")
		c.Op("LOAD_NAME", "ZeroDivisionError")
		c.Op("CHECK_EXC_MATCH")
		if e.at(3, 12) {
			c.Op("POP_JUMP_IF_FALSE", reraise)
		} else {
			c.Op("POP_JUMP_FORWARD_IF_FALSE", reraise)
		}
		c.Op("POP_TOP")
	} else {
		c.Op("DUP_TOP")
		c.Op("LOAD_NAME", "ZeroDivisionError")
		if e.at(3, 9) {
			c.Op("JUMP_IF_NOT_EXC_MATCH", reraise)
		} else {
			c.Op("COMPARE_OP", "exception match")
			c.Op("POP_JUMP_IF_FALSE", reraise)
		}
		c.Op("POP_TOP")
		c.Op("POP_TOP")
		c.Op("POP_TOP")
	}
	c.Line(10)
	e.print("caught")
	if e.at(3, 0) {
		c.Op("POP_EXCEPT")
	}
	c.Op("JUMP_FORWARD", done)
	c.Place(reraise)
	switch {
	case e.at(3, 10):
		c.Op("RERAISE", 0)
	case e.at(3, 9):
		c.Op("RERAISE")
	default:
		c.Op("END_FINALLY")
	}
	if e.at(3, 11) {
		c.Place(cleanup)
		c.Op("COPY", 3)
		c.Op("POP_EXCEPT")
		c.Op("RERAISE", 1)
		c.Exceptions = []build.ExceptionEntry{
			{Start: tryStart, End: tryEnd, Target: handler, Depth: 0},
			{Start: handler, End: cleanup, Target: cleanup, Depth: 1, Lasti: true},
		}
	}
	c.Place(done)
	c.Line(11)
	e.print("done")
	// class C: x = 42
	// print(C.x)
	c.Line(12)
	if err := e.class("C", 12, func(body *emitter) {
		body.c.Line(13)
		body.c.Op("LOAD_CONST", 42)
		body.c.Op("STORE_NAME", "x")
	}); err != nil {
		return nil, err
	}
	c.Line(14)
	e.call("LOAD_NAME", "print", 1, func() {
		c.Op("LOAD_NAME", "C")
		c.Op("LOAD_ATTR", "x")
	})
	c.Op("POP_TOP")
	e.returnNone()
	return c, nil
}

// class defines a class whose body fill writes, and stores it.
func (e *emitter) class(name string, line int, fill func(*emitter)) error {
	v, c := e.v, e.c
	body, err := build.NewClassBody(v, name)
	if err != nil {
		return err
	}
	body.Filename = c.Filename
	body.QualName = build.NewStr(name)
	body.FirstLineNo = line
	be := &emitter{body, v}
	be.resume()
	body.Op("LOAD_NAME", "__name__")
	body.Op("STORE_NAME", "__module__")
	if e.at(3, 3) {
		body.Op("LOAD_CONST", name)
		body.Op("STORE_NAME", "__qualname__")
	}
	fill(be)
	if e.at(3, 0) {
		be.returnNone()
	} else {
		body.Op("LOAD_LOCALS")
		body.Op("RETURN_VALUE")
	}
	if !e.at(3, 0) {
		// Python 2: BUILD_CLASS(name, bases, dict made by the body).
		c.Op("LOAD_CONST", name)
		c.Op("LOAD_CONST", []any{})
		c.Op("LOAD_CONST", body)
		c.Op("MAKE_FUNCTION", 0)
		c.Op("CALL_FUNCTION", 0)
		c.Op("BUILD_CLASS")
		c.Op("STORE_NAME", name)
		return nil
	}
	// __build_class__(function, name)
	if e.at(3, 11) && !e.at(3, 13) {
		c.Op("PUSH_NULL")
	}
	c.Op("LOAD_BUILD_CLASS")
	if e.at(3, 13) {
		c.Op("PUSH_NULL")
	}
	c.Op("LOAD_CONST", body)
	if !e.at(3, 11) {
		c.Op("LOAD_CONST", name)
	}
	if e.at(3, 13) {
		c.Op("MAKE_FUNCTION")
	} else {
		c.Op("MAKE_FUNCTION", 0)
	}
	c.Op("LOAD_CONST", name)
	switch {
	case e.at(3, 12):
		c.Op("CALL", 2)
	case e.at(3, 11):
		c.Op("PRECALL", 2)
		c.Op("CALL", 2)
	default:
		c.Op("CALL_FUNCTION", 2)
	}
	c.Op("STORE_NAME", name)
	return nil
}

// TestBuiltProgramsRun builds the two programs for every installed
// interpreter and runs them.
func TestBuiltProgramsRun(t *testing.T) {
	for _, in := range pytest.RequireInterpreters(t) {
		v, ok := pyc.ForVersion(pyc.CPython, in.Major(), in.Minor())
		if !ok {
			t.Errorf("%s: no magic", in.Version)
			continue
		}
		for _, tc := range []struct {
			name string
			make func(*pyc.Version) (*build.Code, error)
			want string
		}{
			{"hello", hello, "hello, world\n"},
			{"program", program, "total 6\ncaught\ndone\n42\n"},
		} {
			c, err := tc.make(v)
			if err != nil {
				t.Fatalf("%s %s: %v", in.Version, tc.name, err)
			}
			f, err := c.File()
			if err != nil {
				t.Errorf("%s %s: %v", in.Version, tc.name, err)
				continue
			}
			data, err := f.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), tc.name+".pyc")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := in.Run("", path)
			if err != nil {
				t.Errorf("%s %s: %v", in.Version, tc.name, err)
				continue
			}
			if got := strings.ReplaceAll(string(out), "\r\n", "\n"); got != tc.want {
				t.Errorf("%s %s: have output %q, want %q", in.Version, tc.name, got, tc.want)
			}
		}
	}
}

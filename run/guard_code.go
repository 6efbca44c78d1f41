package run

import (
	"fmt"
	"sync"

	"github.com/pyc-tools/pyc/build"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// The audit guard is bytecode built here with package build, one code
// object per version, never Python source: the runner (python/runner.py)
// receives it marshalled (cold, as a bytes literal in its -c program;
// warm, in the request), loads it with marshal.loads and calls it before
// the program runs. It is the function install of this Python, whose line
// numbers the code objects carry (tracebacks show the hook's frame as
// File "<pyc run>", line 50, in hook):
//
//	 1  def install(logfd, rules, state, predicates, jstr, json, write, addaudithook):
//	 2      names = {}
//	 3      prefixes = []
//	 4      preds = []
//	 5      for kind, value, label in rules:
//	 6          if kind == "name":
//	 7              names.setdefault(value, label)
//	 8          elif kind == "prefix":
//	 9              prefixes.append((value, label))
//	10          else:
//	11              preds.append((predicates[value], label))
//	12      class AuditDenied(BaseException):
//	13          """Raised inside the program for an event pyc run --deny stops."""
//	14      AuditDenied.__module__ = "pyc"
//	15      AuditDenied.__qualname__ = "AuditDenied"
//	16      busy = []
//	17      program = [state["program"]]
//	18      def hook(ev, args):
//	19          if busy:
//	20              return
//	21          busy.append(1)
//	22          try:
//	23              label = None
//	24              if ev == "exec" and program[0] is not None and args and args[0] is program[0]:
//	25                  program[0] = None  # our own exec of the program: never denied
//	26              elif rules:
//	27                  label = names.get(ev)
//	28                  if label is None:
//	29                      for p, l in prefixes:
//	30                          if ev.startswith(p):
//	31                              label = l
//	32                              break
//	33                      else:
//	34                          for p, l in preds:
//	35                              if p(ev, args):
//	36                                  label = l
//	37                                  break
//	38              if logfd >= 0:
//	39                  line = '{"event":%s,"args":%s%s}\n' % (
//	40                      jstr(ev), json(tuple(args)), ',"denied":true' if label else "")
//	41                  try:
//	42                      write(logfd, line.encode("utf-8", "surrogatepass"))
//	43                  except Exception:
//	44                      pass
//	45              if label is not None:
//	46                  state["denied"].append(ev)
//	47          finally:
//	48              busy.pop()
//	49          if label is not None:
//	50              raise AuditDenied("audit event %r denied by pyc run --deny %s" % (ev, label))
//	51      addaudithook(hook)
//
// The runner passes its _state, its table of predicates (_PREDICATES:
// name to function, kept in Python), its JSON formatters (_jstr, _json:
// pure formatting, kept in Python), os.write and sys.addaudithook. The hook's frames are named "<pyc run>" like the
// runner's, so that the dynamic-code predicate, which looks for the first
// caller outside the runner, skips them.

// guardFile is the co_filename of the guard's code objects.
const guardFile = "<pyc run>"

// The CPython versions the guard is built for: those with audit hooks
// (3.8) up to the last whose stack effects package build knows.
const (
	guardFirstMinor = 8
	guardLastMinor  = 13
)

// GuardSupported reports, as an error, when the guard cannot run on the
// interpreter: audit hooks came with CPython 3.8, and the guard is
// bytecode built for each CPython version from 3.8 to 3.13 (so also not
// for other implementations, nor for a pre-release whose bytecode is not
// the release's).
func GuardSupported(in *Interpreter) error {
	_, err := GuardCode(in)
	return err
}

// GuardCode returns the guard's installer for the interpreter: a
// function code object, marshalled as its version's marshal writes it,
// that the runner loads and calls to install the audit hook.
func GuardCode(in *Interpreter) ([]byte, error) {
	v, err := guardVersion(in)
	if err != nil {
		return nil, err
	}
	r := guardCodes[v.Minor-guardFirstMinor]()
	return r.data, r.err
}

// guardVersion returns the pyc version whose bytecode the interpreter
// runs, if the guard is built for it.
func guardVersion(in *Interpreter) (*pyc.Version, error) {
	if in.Impl != pyc.CPython {
		return nil, fmt.Errorf("--audit-log and --deny need CPython (the audit hook is CPython bytecode that pyc builds); this is %s %s", in.Impl, in.Version)
	}
	if in.Major < 3 || in.Major == 3 && in.Minor < guardFirstMinor {
		return nil, fmt.Errorf("--audit-log and --deny need Python 3.8 or later (audit hooks, PEP 578); this is %s %s", in.Impl, in.Version)
	}
	if in.Major > 3 || in.Minor > guardLastMinor {
		return nil, fmt.Errorf("--audit-log and --deny support CPython 3.8 to 3.%d (the audit hook is bytecode pyc builds for each version); this is %s %s", guardLastMinor, in.Impl, in.Version)
	}
	v, ok := pyc.ForVersion(pyc.CPython, in.Major, in.Minor)
	if !ok || v.Raw != in.Magic {
		return nil, fmt.Errorf("--audit-log and --deny: %s %s reads pycs of magic %d, not those of the %d.%d release (%d) that the audit hook is built for", in.Impl, in.Version, in.MagicNumber(), in.Major, in.Minor, v.Magic)
	}
	return v, nil
}

type guardResult struct {
	data []byte
	err  error
}

// guardCodes builds each version's guard once, when first asked.
var guardCodes = func() []func() guardResult {
	fs := make([]func() guardResult, guardLastMinor-guardFirstMinor+1)
	for i := range fs {
		minor := guardFirstMinor + i
		fs[i] = sync.OnceValue(func() guardResult {
			data, err := buildGuard(minor)
			return guardResult{data, err}
		})
	}
	return fs
}()

// buildGuard builds and marshals the installer for CPython 3.minor.
func buildGuard(minor int) ([]byte, error) {
	v, ok := pyc.ForVersion(pyc.CPython, 3, minor)
	if !ok {
		return nil, fmt.Errorf("run: no CPython 3.%d", minor)
	}
	c, err := guardInstaller(v)
	if err != nil {
		return nil, err
	}
	m, err := c.Assemble()
	if err != nil {
		return nil, fmt.Errorf("run: building the audit guard for %s: %w", v.XY(), err)
	}
	// Written as the version's marshal.dumps would choose the types of
	// its values; which objects carry FLAG_REF (build.Finalize) does not
	// matter to marshal.loads.
	return marshal.Marshal(m, v.EncodeOptions())
}

// The installer's parameters, and the variables the hook takes from it.
var (
	installParams = []string{"logfd", "rules", "state", "predicates", "jstr", "json", "write", "addaudithook"}
	installLocals = []string{"kind", "value", "label", "hook"}
	hookFree      = []string{"AuditDenied", "busy", "json", "jstr", "logfd", "names", "preds", "prefixes", "program", "rules", "state", "write"}
)

// guardInstaller builds install (see the listing above) for version v.
func guardInstaller(v *pyc.Version) (*build.Code, error) {
	hook, err := guardHook(v)
	if err != nil {
		return nil, err
	}
	class, err := guardClass(v)
	if err != nil {
		return nil, err
	}
	c, err := build.NewFunction(v, "install", installParams...)
	if err != nil {
		return nil, err
	}
	c.Filename = build.NewStr(guardFile)
	c.QualName = build.NewStr("install")
	c.FirstLineNo = 1
	// Every variable the hook uses is a cell of install's.
	g := newGuardAsm(c, v)
	g.declare(installParams, installLocals, hookFree, nil)
	g.start()

	g.line(2)
	g.op("BUILD_MAP", 0)
	g.op("STORE_DEREF", "names")
	g.line(3)
	g.op("BUILD_LIST", 0)
	g.op("STORE_DEREF", "prefixes")
	g.line(4)
	g.op("BUILD_LIST", 0)
	g.op("STORE_DEREF", "preds")

	g.line(5)
	g.op("LOAD_DEREF", "rules")
	g.forEach(func(_ func(*build.Label), next func()) {
		g.op("UNPACK_SEQUENCE", 3)
		g.op("STORE_FAST", "kind")
		g.op("STORE_FAST", "value")
		g.op("STORE_FAST", "label")
		notName, notPrefix := build.NewLabel("not_name"), build.NewLabel("not_prefix")
		g.line(6)
		g.op("LOAD_FAST", "kind")
		g.op("LOAD_CONST", "name")
		g.compare("==")
		g.popJumpIfFalse(notName, true)
		g.line(7)
		g.op("LOAD_DEREF", "names")
		g.callMethod("setdefault", 2, func() {
			g.op("LOAD_FAST", "value")
			g.op("LOAD_FAST", "label")
		})
		g.op("POP_TOP")
		next()
		g.place(notName)
		g.line(8)
		g.op("LOAD_FAST", "kind")
		g.op("LOAD_CONST", "prefix")
		g.compare("==")
		g.popJumpIfFalse(notPrefix, true)
		g.line(9)
		g.op("LOAD_DEREF", "prefixes")
		g.callMethod("append", 1, func() {
			g.op("LOAD_FAST", "value")
			g.op("LOAD_FAST", "label")
			g.op("BUILD_TUPLE", 2)
		})
		g.op("POP_TOP")
		next()
		g.place(notPrefix)
		g.line(11)
		g.op("LOAD_DEREF", "preds")
		g.callMethod("append", 1, func() {
			g.op("LOAD_FAST", "predicates")
			g.op("LOAD_FAST", "value")
			g.op("BINARY_SUBSCR")
			g.op("LOAD_FAST", "label")
			g.op("BUILD_TUPLE", 2)
		})
		g.op("POP_TOP")
	})

	// class AuditDenied(BaseException): __build_class__(body, name, base)
	g.line(12)
	g.call(func() { g.op("LOAD_BUILD_CLASS") }, 3, func() {
		g.makeFunction(class, "AuditDenied", nil)
		g.op("LOAD_CONST", "AuditDenied")
		g.op("LOAD_GLOBAL", "BaseException")
	})
	g.op("STORE_DEREF", "AuditDenied")
	g.line(14)
	g.op("LOAD_CONST", "pyc")
	g.op("LOAD_DEREF", "AuditDenied")
	g.op("STORE_ATTR", "__module__")
	g.line(15)
	g.op("LOAD_CONST", "AuditDenied")
	g.op("LOAD_DEREF", "AuditDenied")
	g.op("STORE_ATTR", "__qualname__")
	g.line(16)
	g.op("BUILD_LIST", 0)
	g.op("STORE_DEREF", "busy")
	g.line(17)
	g.op("LOAD_DEREF", "state")
	g.op("LOAD_CONST", "program")
	g.op("BINARY_SUBSCR")
	g.op("BUILD_LIST", 1)
	g.op("STORE_DEREF", "program")

	g.line(18)
	g.makeFunction(hook, "install.<locals>.hook", hookFree)
	g.op("STORE_FAST", "hook")
	g.line(51)
	g.call(func() { g.op("LOAD_FAST", "addaudithook") }, 1, func() { g.op("LOAD_FAST", "hook") })
	g.op("POP_TOP")
	g.returnNone()
	return g.finish()
}

// guardClass builds the body of class AuditDenied.
func guardClass(v *pyc.Version) (*build.Code, error) {
	c, err := build.NewClassBody(v, "AuditDenied")
	if err != nil {
		return nil, err
	}
	c.Filename = build.NewStr(guardFile)
	c.QualName = build.NewStr("install.<locals>.AuditDenied")
	c.FirstLineNo = 12
	g := newGuardAsm(c, v)
	g.start()
	g.line(12)
	g.op("LOAD_NAME", "__name__")
	g.op("STORE_NAME", "__module__")
	g.op("LOAD_CONST", "install.<locals>.AuditDenied")
	g.op("STORE_NAME", "__qualname__")
	if g.at(13) {
		g.op("LOAD_CONST", 12)
		g.op("STORE_NAME", "__firstlineno__")
	}
	g.line(13)
	g.op("LOAD_CONST", "Raised inside the program for an event pyc run --deny stops.")
	g.op("STORE_NAME", "__doc__")
	if g.at(13) {
		g.op("LOAD_CONST", []any{})
		g.op("STORE_NAME", "__static_attributes__")
	}
	g.returnNone()
	return g.finish()
}

// guardHook builds hook (see the listing above).
func guardHook(v *pyc.Version) (*build.Code, error) {
	c, err := build.NewFunction(v, "hook", "ev", "args")
	if err != nil {
		return nil, err
	}
	c.Filename = build.NewStr(guardFile)
	c.QualName = build.NewStr("install.<locals>.hook")
	c.FirstLineNo = 18
	c.Flags |= build.FlagNested
	g := newGuardAsm(c, v)
	g.declare([]string{"ev", "args"}, []string{"label", "p", "l", "line"}, nil, hookFree)
	g.start()

	enter := build.NewLabel("enter")
	g.line(19)
	g.op("LOAD_DEREF", "busy")
	g.popJumpIfFalse(enter, false)
	g.line(20)
	g.returnNone()
	g.place(enter)
	g.line(21)
	g.op("LOAD_DEREF", "busy")
	g.callMethod("append", 1, func() { g.op("LOAD_CONST", 1) })
	g.op("POP_TOP")

	g.line(22)
	g.tryFinally(func() {
		elif, logging, record, done := build.NewLabel("elif"), build.NewLabel("logging"), build.NewLabel("record"), build.NewLabel("done")
		g.line(23)
		g.op("LOAD_CONST", nil)
		g.op("STORE_FAST", "label")
		// ev == "exec" and program[0] is not None and args and args[0] is program[0]
		g.line(24)
		g.op("LOAD_FAST", "ev")
		g.op("LOAD_CONST", "exec")
		g.compare("==")
		g.popJumpIfFalse(elif, true)
		g.op("LOAD_DEREF", "program")
		g.op("LOAD_CONST", 0)
		g.op("BINARY_SUBSCR")
		g.op("LOAD_CONST", nil)
		g.is(true)
		g.popJumpIfFalse(elif, true)
		g.op("LOAD_FAST", "args")
		g.popJumpIfFalse(elif, false)
		g.op("LOAD_FAST", "args")
		g.op("LOAD_CONST", 0)
		g.op("BINARY_SUBSCR")
		g.op("LOAD_DEREF", "program")
		g.op("LOAD_CONST", 0)
		g.op("BINARY_SUBSCR")
		g.is(false)
		g.popJumpIfFalse(elif, true)
		g.line(25)
		g.op("LOAD_CONST", nil)
		g.op("LOAD_DEREF", "program")
		g.op("LOAD_CONST", 0)
		g.op("STORE_SUBSCR")
		g.jump(logging)

		g.place(elif)
		g.line(26)
		g.op("LOAD_DEREF", "rules")
		g.popJumpIfFalse(logging, false)
		g.line(27)
		g.op("LOAD_DEREF", "names")
		g.callMethod("get", 1, func() { g.op("LOAD_FAST", "ev") })
		g.op("STORE_FAST", "label")
		g.line(28)
		g.op("LOAD_FAST", "label")
		g.op("LOAD_CONST", nil)
		g.is(false)
		g.popJumpIfFalse(logging, true)
		// for p, l in prefixes: if ev.startswith(p): label = l; break
		g.line(29)
		g.op("LOAD_DEREF", "prefixes")
		g.forEach(func(brk func(*build.Label), _ func()) {
			g.op("UNPACK_SEQUENCE", 2)
			g.op("STORE_FAST", "p")
			g.op("STORE_FAST", "l")
			skip := build.NewLabel("skip")
			g.line(30)
			g.op("LOAD_FAST", "ev")
			g.callMethod("startswith", 1, func() { g.op("LOAD_FAST", "p") })
			g.popJumpIfFalse(skip, false)
			g.line(31)
			g.op("LOAD_FAST", "l")
			g.op("STORE_FAST", "label")
			g.line(32)
			brk(logging)
			g.place(skip)
		})
		// else: for p, l in preds: if p(ev, args): label = l; break
		g.line(34)
		g.op("LOAD_DEREF", "preds")
		g.forEach(func(brk func(*build.Label), _ func()) {
			g.op("UNPACK_SEQUENCE", 2)
			g.op("STORE_FAST", "p")
			g.op("STORE_FAST", "l")
			skip := build.NewLabel("skip")
			g.line(35)
			g.call(func() { g.op("LOAD_FAST", "p") }, 2, func() {
				g.op("LOAD_FAST", "ev")
				g.op("LOAD_FAST", "args")
			})
			g.popJumpIfFalse(skip, false)
			g.line(36)
			g.op("LOAD_FAST", "l")
			g.op("STORE_FAST", "label")
			g.line(37)
			brk(logging)
			g.place(skip)
		})

		g.place(logging)
		g.line(38)
		g.op("LOAD_DEREF", "logfd")
		g.op("LOAD_CONST", 0)
		g.compare(">=")
		g.popJumpIfFalse(record, true)
		g.line(39)
		g.op("LOAD_CONST", "{\"event\":%s,\"args\":%s%s}\n")
		g.line(40)
		g.call(func() { g.op("LOAD_DEREF", "jstr") }, 1, func() { g.op("LOAD_FAST", "ev") })
		g.call(func() { g.op("LOAD_DEREF", "json") }, 1, func() {
			g.callGlobal("tuple", 1, func() { g.op("LOAD_FAST", "args") })
		})
		notDenied, formatted := build.NewLabel("not_denied"), build.NewLabel("formatted")
		g.op("LOAD_FAST", "label")
		g.popJumpIfFalse(notDenied, false)
		g.op("LOAD_CONST", ",\"denied\":true")
		g.jump(formatted)
		g.place(notDenied)
		g.op("LOAD_CONST", "")
		g.place(formatted)
		g.op("BUILD_TUPLE", 3)
		g.line(39)
		g.binary("BINARY_MODULO", "%")
		g.op("STORE_FAST", "line")
		g.line(41)
		g.tryExceptPass("Exception", 43, 44, func() {
			g.line(42)
			g.call(func() { g.op("LOAD_DEREF", "write") }, 2, func() {
				g.op("LOAD_DEREF", "logfd")
				g.op("LOAD_FAST", "line")
				g.callMethod("encode", 2, func() {
					g.op("LOAD_CONST", "utf-8")
					g.op("LOAD_CONST", "surrogatepass")
				})
			})
			g.op("POP_TOP")
		})

		g.place(record)
		g.line(45)
		g.op("LOAD_FAST", "label")
		g.op("LOAD_CONST", nil)
		g.is(true)
		g.popJumpIfFalse(done, true)
		g.line(46)
		g.op("LOAD_DEREF", "state")
		g.op("LOAD_CONST", "denied")
		g.op("BINARY_SUBSCR")
		g.callMethod("append", 1, func() { g.op("LOAD_FAST", "ev") })
		g.op("POP_TOP")
		g.place(done)
	}, func() {
		g.line(48)
		g.op("LOAD_DEREF", "busy")
		g.callMethod("pop", 0, func() {})
		g.op("POP_TOP")
	})

	allowed := build.NewLabel("allowed")
	g.line(49)
	g.op("LOAD_FAST", "label")
	g.op("LOAD_CONST", nil)
	g.is(true)
	g.popJumpIfFalse(allowed, true)
	g.line(50)
	g.call(func() { g.op("LOAD_DEREF", "AuditDenied") }, 1, func() {
		g.op("LOAD_CONST", "audit event %r denied by pyc run --deny %s")
		g.op("LOAD_FAST", "ev")
		g.op("LOAD_FAST", "label")
		g.op("BUILD_TUPLE", 2)
		g.binary("BINARY_MODULO", "%")
	})
	g.op("RAISE_VARARGS", 1)
	g.place(allowed)
	g.line(49)
	g.returnNone()
	return g.finish()
}

// guardAsm lowers the few statement shapes the guard needs to the
// instructions of CPython 3.8 to 3.13, whose families differ in how they
// call (CALL_FUNCTION and CALL_METHOD; 3.11's PRECALL and CALL with a
// NULL pushed first; 3.12's CALL; 3.13's NULL after the callable), test
// (3.13 jumps on exact bools only: TO_BOOL), jump (3.11's directional
// conditional jumps, JUMP_BACKWARD from 3.11), end loops (END_FOR from
// 3.12) and handle exceptions (3.8's BEGIN_FINALLY and END_FINALLY, 3.9
// and 3.10's RERAISE, and from 3.11 the exception table, which it builds
// from the handler each instruction is under, as the compiler does).
type guardAsm struct {
	c      *build.Code
	minor  int
	placed map[*build.Label]bool
	// cur is the handler of the instructions being written (3.11+; nil
	// for none); under[i] is that of instruction i.
	cur   *guardHandler
	under []*guardHandler
}

// guardHandler is a 3.11+ exception handler: where it is, the stack depth
// it cuts to, whether it pushes the offset of the raising instruction.
type guardHandler struct {
	target *build.Label
	depth  int
	lasti  bool
}

func newGuardAsm(c *build.Code, v *pyc.Version) *guardAsm {
	return &guardAsm{c: c, minor: v.Minor, placed: map[*build.Label]bool{}}
}

// at reports whether the code is for 3.minor or later.
func (g *guardAsm) at(minor int) bool { return g.minor >= minor }

// op appends an instruction (as build.Code.Op takes it) under the current
// handler.
func (g *guardAsm) op(name string, arg ...any) {
	n := len(g.c.Instrs)
	g.c.Op(name, arg...)
	if len(g.c.Instrs) > n {
		g.under = append(g.under, g.cur)
	}
}

func (g *guardAsm) line(n int) { g.c.Line(n) }

func (g *guardAsm) place(l *build.Label) {
	g.c.Place(l)
	g.placed[l] = true
}

// declare lays out the variables: parameters, other locals, cells and
// free variables. From 3.11 they are one array, a parameter that is also
// a cell has one slot of both kinds, cells that are not parameters follow
// the locals and free variables come last.
func (g *guardAsm) declare(params, locals, cells, free []string) {
	c := g.c
	isCell := map[string]bool{}
	for _, n := range cells {
		isCell[n] = true
	}
	strs := func(names []string) []marshal.Value {
		out := make([]marshal.Value, len(names))
		for i, n := range names {
			out[i] = build.NewStr(n)
		}
		return out
	}
	if !g.at(11) {
		c.VarNames = strs(append(append([]string{}, params...), locals...))
		c.CellVars = strs(cells)
		c.FreeVars = strs(free)
		return
	}
	var names []string
	var kinds []byte
	for _, n := range append(append([]string{}, params...), locals...) {
		k := byte(build.KindLocal)
		if isCell[n] {
			k |= build.KindCell
			delete(isCell, n)
		}
		names, kinds = append(names, n), append(kinds, k)
	}
	for _, n := range cells {
		if isCell[n] {
			names, kinds = append(names, n), append(kinds, build.KindCell)
		}
	}
	for _, n := range free {
		names, kinds = append(names, n), append(kinds, build.KindFree)
	}
	c.LocalsPlusNames, c.LocalsPlusKinds = strs(names), kinds
}

// start writes what begins a code object from 3.11: cells made, free
// variables copied in, RESUME.
func (g *guardAsm) start() {
	if !g.at(11) {
		return
	}
	c := g.c
	nfree := 0
	for i, n := range c.LocalsPlusNames {
		switch k := c.LocalsPlusKinds[i]; {
		case k&build.KindCell != 0:
			g.op("MAKE_CELL", marshal.TextOf(n))
		case k&build.KindFree != 0:
			nfree++
		}
	}
	if nfree > 0 {
		g.op("COPY_FREE_VARS", nfree)
	}
	g.op("RESUME", 0)
}

// finish writes the 3.11+ exception table: one entry for each run of
// instructions under the same handler.
func (g *guardAsm) finish() (*build.Code, error) {
	c := g.c
	if len(g.under) != len(c.Instrs) {
		// An Op failed; Assemble reports it.
		_, err := c.Assemble()
		return nil, err
	}
	labelAt := func(i int) *build.Label {
		l := build.NewLabel("")
		if i == len(c.Instrs) {
			c.EndLabels = append(c.EndLabels, l)
		} else {
			c.Instrs[i].Labels = append(c.Instrs[i].Labels, l)
		}
		return l
	}
	var open *guardHandler
	var start *build.Label
	for i := 0; i <= len(c.Instrs); i++ {
		var h *guardHandler
		if i < len(c.Instrs) {
			h = g.under[i]
		}
		if h == open {
			continue
		}
		l := labelAt(i)
		if open != nil {
			c.Exceptions = append(c.Exceptions, build.ExceptionEntry{Start: start, End: l, Target: open.target, Depth: open.depth, Lasti: open.lasti})
		}
		open, start = h, l
	}
	return c, nil
}

// call calls the callable fn pushes with the n arguments args pushes.
func (g *guardAsm) call(fn func(), n int, args func()) {
	switch {
	case g.at(13):
		fn()
		g.op("PUSH_NULL")
	case g.at(11):
		g.op("PUSH_NULL")
		fn()
	default:
		fn()
	}
	args()
	g.callOp(n)
}

// callGlobal calls a global (a builtin) with the n arguments args pushes.
func (g *guardAsm) callGlobal(name string, n int, args func()) {
	if g.at(11) {
		g.op("LOAD_GLOBAL", name, 1) // and a NULL
	} else {
		g.op("LOAD_GLOBAL", name)
	}
	args()
	g.callOp(n)
}

// callMethod calls the method name of the object on the stack with the n
// arguments args pushes.
func (g *guardAsm) callMethod(name string, n int, args func()) {
	if g.at(12) {
		g.op("LOAD_ATTR", name, 1) // the method and self, or NULL and the attribute
	} else {
		g.op("LOAD_METHOD", name)
	}
	args()
	if g.at(11) {
		g.callOp(n)
	} else {
		g.op("CALL_METHOD", n)
	}
}

func (g *guardAsm) callOp(n int) {
	switch {
	case g.at(12):
		g.op("CALL", n)
	case g.at(11):
		g.op("PRECALL", n)
		g.op("CALL", n)
	default:
		g.op("CALL_FUNCTION", n)
	}
}

// makeFunction pushes a new function of code, a closure over free when
// free is not empty; qualname is its __qualname__ (before 3.11, where the
// code object does not say it).
func (g *guardAsm) makeFunction(code *build.Code, qualname string, free []string) {
	for _, n := range free {
		if g.at(13) {
			g.op("LOAD_FAST", n) // LOAD_CLOSURE is a pseudo-instruction in 3.13
		} else {
			g.op("LOAD_CLOSURE", n)
		}
	}
	if len(free) > 0 {
		g.op("BUILD_TUPLE", len(free))
	}
	g.op("LOAD_CONST", code)
	if !g.at(11) {
		g.op("LOAD_CONST", qualname)
	}
	flags := 0
	if len(free) > 0 {
		flags = 8
	}
	if g.at(13) {
		g.op("MAKE_FUNCTION")
		if flags != 0 {
			g.op("SET_FUNCTION_ATTRIBUTE", flags)
		}
	} else {
		g.op("MAKE_FUNCTION", flags)
	}
}

// compare compares the two values on top with op ("==", ">="), leaving a
// bool.
func (g *guardAsm) compare(op string) {
	if g.at(13) {
		g.op("COMPARE_OP", op, 16) // the result converted to bool
	} else {
		g.op("COMPARE_OP", op)
	}
}

// is tests identity ("is", or "is not" with not), leaving a bool.
func (g *guardAsm) is(not bool) {
	switch {
	case g.at(9) && not:
		g.op("IS_OP", 1)
	case g.at(9):
		g.op("IS_OP", 0)
	case not:
		g.op("COMPARE_OP", "is not")
	default:
		g.op("COMPARE_OP", "is")
	}
}

// binary applies a binary operator: old is its instruction before 3.11,
// sym its BINARY_OP symbol from 3.11.
func (g *guardAsm) binary(old, sym string) {
	if g.at(11) {
		g.op("BINARY_OP", sym)
	} else {
		g.op(old)
	}
}

// jump jumps to l, backward or forward.
func (g *guardAsm) jump(l *build.Label) {
	switch {
	case !g.placed[l]:
		g.op("JUMP_FORWARD", l)
	case g.at(11):
		g.op("JUMP_BACKWARD", l)
	default:
		g.op("JUMP_ABSOLUTE", l)
	}
}

// popJumpIfFalse pops the value on top and jumps forward to l when it is
// false. isBool says the value is a bool already; 3.13's conditional
// jumps take nothing else.
func (g *guardAsm) popJumpIfFalse(l *build.Label, isBool bool) {
	if g.placed[l] {
		panic("run: guard: conditional jumps go forward")
	}
	if g.at(13) && !isBool {
		g.op("TO_BOOL")
	}
	if g.minor == 11 {
		g.op("POP_JUMP_FORWARD_IF_FALSE", l)
	} else {
		g.op("POP_JUMP_IF_FALSE", l)
	}
}

func (g *guardAsm) returnNone() {
	if g.at(12) {
		g.op("RETURN_CONST", nil)
	} else {
		g.op("LOAD_CONST", nil)
		g.op("RETURN_VALUE")
	}
}

// forEach loops over the iterable on the stack: body runs with the next
// item on the stack and ends by falling back to the loop's head. body
// gets brk, which leaves the loop for a label, and next, which goes
// straight to the next item.
func (g *guardAsm) forEach(body func(brk func(*build.Label), next func())) {
	top, exit := build.NewLabel("for"), build.NewLabel("for_end")
	g.op("GET_ITER")
	g.place(top)
	g.op("FOR_ITER", exit)
	body(func(to *build.Label) {
		g.op("POP_TOP") // the iterator
		g.jump(to)
	}, func() { g.jump(top) })
	g.jump(top)
	g.place(exit)
	// Exhausted, FOR_ITER pops the iterator and jumps to exit (3.12 and
	// 3.13: past the END_FOR, and 3.13's POP_TOP, that the compiler puts
	// there for instrumentation).
	if g.at(12) {
		g.op("END_FOR")
	}
	if g.at(13) {
		g.op("POP_TOP")
	}
}

// tryFinally runs body, then final, also when body raises, re-raising
// then. body and final start and end with nothing on the stack.
func (g *guardAsm) tryFinally(body, final func()) {
	handler, after := build.NewLabel("finally"), build.NewLabel("after_finally")
	switch {
	case g.at(11):
		cleanup := build.NewLabel("finally_cleanup")
		outer := g.cur
		g.cur = &guardHandler{target: handler, depth: 0}
		body()
		g.cur = outer
		final()
		g.jump(after)
		g.place(handler)
		g.cur = &guardHandler{target: cleanup, depth: 1, lasti: true}
		g.op("PUSH_EXC_INFO")
		final()
		g.op("RERAISE", 0)
		g.place(cleanup)
		g.cur = outer
		g.op("COPY", 3)
		g.op("POP_EXCEPT")
		g.op("RERAISE", 1)
		g.place(after)
	case g.at(9):
		g.op("SETUP_FINALLY", handler)
		body()
		g.op("POP_BLOCK")
		final()
		g.jump(after)
		g.place(handler)
		final()
		g.reraise()
		g.place(after)
	default:
		// 3.8: BEGIN_FINALLY pushes what END_FINALLY, on the way out,
		// takes for "no exception".
		g.op("SETUP_FINALLY", handler)
		body()
		g.op("POP_BLOCK")
		g.op("BEGIN_FINALLY")
		g.place(handler)
		final()
		g.op("END_FINALLY")
	}
}

func (g *guardAsm) reraise() {
	if g.at(10) {
		g.op("RERAISE", 0)
	} else {
		g.op("RERAISE")
	}
}

// tryExceptPass runs body and ignores the exceptions of the builtin class
// exc ("try: body except exc: pass", the except and pass at the lines
// exceptLine and passLine). body starts and ends with nothing on the
// stack.
func (g *guardAsm) tryExceptPass(exc string, exceptLine, passLine int, body func()) {
	handler, nomatch, after := build.NewLabel("except"), build.NewLabel("except_nomatch"), build.NewLabel("after_except")
	if g.at(11) {
		cleanup := build.NewLabel("except_cleanup")
		outer := g.cur
		g.cur = &guardHandler{target: handler, depth: 0}
		body()
		g.cur = outer
		g.jump(after)
		g.place(handler)
		inHandler := &guardHandler{target: cleanup, depth: 1, lasti: true}
		g.cur = inHandler
		g.line(exceptLine)
		g.op("PUSH_EXC_INFO")
		g.op("LOAD_GLOBAL", exc)
		g.op("CHECK_EXC_MATCH")
		g.popJumpIfFalse(nomatch, true)
		g.op("POP_TOP")
		g.line(passLine)
		g.cur = outer
		g.op("POP_EXCEPT")
		g.jump(after)
		g.place(nomatch)
		g.cur = inHandler
		g.line(exceptLine)
		g.op("RERAISE", 0)
		g.place(cleanup)
		g.cur = outer
		g.op("COPY", 3)
		g.op("POP_EXCEPT")
		g.op("RERAISE", 1)
		g.place(after)
		return
	}
	g.op("SETUP_FINALLY", handler)
	body()
	g.op("POP_BLOCK")
	g.jump(after)
	// The handler starts with the exception (traceback, value, type) on
	// the stack, above the one it replaces.
	g.place(handler)
	g.line(exceptLine)
	g.op("DUP_TOP")
	g.op("LOAD_GLOBAL", exc)
	if g.at(9) {
		g.op("JUMP_IF_NOT_EXC_MATCH", nomatch)
	} else {
		g.op("COMPARE_OP", "exception match")
		g.op("POP_JUMP_IF_FALSE", nomatch)
	}
	g.op("POP_TOP")
	g.op("POP_TOP")
	g.op("POP_TOP")
	g.line(passLine)
	g.op("POP_EXCEPT")
	g.op("JUMP_FORWARD", after)
	g.place(nomatch)
	g.line(exceptLine)
	if g.at(9) {
		g.reraise()
	} else {
		g.op("END_FINALLY")
	}
	g.place(after)
}

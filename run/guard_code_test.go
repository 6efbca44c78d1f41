package run

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// guardInterpreter returns an Interpreter that stands for CPython
// major.minor's release.
func guardInterpreter(t *testing.T, major, minor int) *Interpreter {
	t.Helper()
	v, ok := pyc.ForVersion(pyc.CPython, major, minor)
	if !ok {
		t.Fatalf("no CPython %d.%d", major, minor)
	}
	return &Interpreter{Path: "python", Impl: pyc.CPython, Version: v.XY() + ".0", Major: major, Minor: minor, Magic: v.Raw}
}

// TestGuardCodeVersions builds the guard for every version it supports
// and reads it back: three code objects, named for tracebacks as the
// runner's, whose instructions disassemble; and refuses the others.
func TestGuardCodeVersions(t *testing.T) {
	for minor := guardFirstMinor; minor <= guardLastMinor; minor++ {
		in := guardInterpreter(t, 3, minor)
		data, err := GuardCode(in)
		if err != nil {
			t.Errorf("3.%d: %v", minor, err)
			continue
		}
		if err := GuardSupported(in); err != nil {
			t.Errorf("3.%d: GuardSupported: %v", minor, err)
		}
		again, _ := GuardCode(in)
		if !bytes.Equal(data, again) {
			t.Errorf("3.%d: two different builds", minor)
		}
		v, _ := pyc.ForVersion(pyc.CPython, 3, minor)
		val, n, err := marshal.Unmarshal(data, v.MarshalOptions())
		if err != nil || n != len(data) {
			t.Errorf("3.%d: unmarshal: %v (%d of %d bytes)", minor, err, n, len(data))
			continue
		}
		var names []string
		var walk func(c *marshal.Code)
		walk = func(c *marshal.Code) {
			names = append(names, marshal.TextOf(c.Name))
			if f := marshal.TextOf(c.Filename); f != guardFile {
				t.Errorf("3.%d: %s: co_filename %q", minor, marshal.TextOf(c.Name), f)
			}
			code, err := disasm.NewCode(c, v)
			if err == nil {
				err = disasm.Dis(new(bytes.Buffer), code, disasm.DisOptions{})
			}
			if err != nil {
				t.Errorf("3.%d: %s: %v", minor, marshal.TextOf(c.Name), err)
			}
			for _, k := range c.Consts.Items {
				if sub, ok := k.(*marshal.Code); ok {
					walk(sub)
				}
			}
		}
		top, ok := val.(*marshal.Code)
		if !ok {
			t.Errorf("3.%d: a %T, not a code object", minor, val)
			continue
		}
		if top.ArgCount != int32(len(installParams)) {
			t.Errorf("3.%d: install takes %d arguments, want %d", minor, top.ArgCount, len(installParams))
		}
		walk(top)
		if got := strings.Join(names, " "); got != "install AuditDenied hook" {
			t.Errorf("3.%d: code objects %s", minor, got)
		}
	}

	pypy := guardInterpreter(t, 3, 10)
	pypy.Impl = pyc.PyPy
	prerelease := guardInterpreter(t, 3, 12)
	prerelease.Magic[0]--
	refused := map[string]*Interpreter{
		"2.7": guardInterpreter(t, 2, 7), "3.7": guardInterpreter(t, 3, 7),
		"3.14": guardInterpreter(t, 3, 14), "PyPy 3.10": pypy, "3.12 pre-release": prerelease,
	}
	for name, in := range refused {
		if _, err := GuardCode(in); err == nil {
			t.Errorf("%s: a guard was built", name)
		} else if GuardSupported(in) == nil {
			t.Errorf("%s: GuardSupported has no error", name)
		} else if !strings.Contains(err.Error(), "--audit-log and --deny") {
			t.Errorf("%s: error %q does not say what cannot be done", name, err)
		}
	}
}

// guardHarness runs in the interpreter (-c, a JSON configuration on
// standard input). Mode "dis" disassembles the guard with the
// interpreter's own dis; modes "built" and "listing" install the guard
// (the built one, or the Python that guard_code.go shows compiled by the
// interpreter) with the runner's own helpers, then raise events and print
// what became of each.
const guardHarness = `
import ast, json, os, sys
cfg = json.loads(sys.stdin.read())
if cfg["mode"] == "dis":
    import dis, io, marshal
    code = marshal.loads(bytes.fromhex(cfg["guard"]))
    out = io.StringIO()
    dis.dis(code, file=out)
    def walk(c):
        yield c
        for k in c.co_consts:
            if hasattr(k, "co_code"):
                yield from walk(k)
    for c in walk(code):
        ins = list(dis.get_instructions(c))
        bad = [i.opname for i in ins if not i.opname.isupper()]
        print("code", c.co_name, c.co_filename, c.co_argcount, len(ins), c.co_stacksize, bad)
    print(out.getvalue())
    raise SystemExit(0)

# The runner's definitions, without its main part.
tree = ast.parse(cfg["runner"])
keep = [n for n in tree.body if isinstance(n, (ast.Import, ast.FunctionDef)) or
        isinstance(n, ast.Assign) and all(isinstance(t, ast.Name) and t.id in ("_V", "_state", "_PREDICATES") for t in n.targets)]
ns = {"__name__": "__main__", "__builtins__": __builtins__}
exec(compile(ast.Module(body=keep, type_ignores=[]), "<pyc run>", "exec"), ns)

state = ns["_state"]
program = compile("x = 1", "<prog>", "exec")
state["program"] = program
preds = ns["_PREDICATES"]
def nested(ev, args):
    if ev == "t.nested":
        sys.audit("t.inner", ev)
    return False
def boom(ev, args):
    if ev == "t.boom":
        raise ValueError("boom")
    return False
preds["t-nested"] = nested
preds["t-boom"] = boom
logfd = -1
if cfg["log"] == "readonly":
    logfd = os.open(os.devnull, os.O_RDONLY)
elif cfg["log"]:
    logfd = os.open(cfg["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
rules = [tuple(r) for r in cfg["rules"] or []]
if cfg["mode"] == "built":
    ns["_guard"](bytes.fromhex(cfg["guard"]), logfd, rules)
else:
    exec(compile(cfg["listing"], "<pyc run>", "exec"), ns)
    ns["install"](logfd, rules, state, preds, ns["_jstr"], ns["_json"], os.write, sys.addaudithook)

def attempt(name, f):
    try:
        f()
        print("ok", name)
    except BaseException as e:
        t = type(e)
        print("raised", name, t.__module__, t.__qualname__, t.__name__, repr(t.__doc__),
              [c.__name__ for c in t.__mro__[1:]], repr(e.args))
        tb = e.__traceback__
        while tb.tb_next is not None:
            tb = tb.tb_next
        print("  in", tb.tb_frame.f_code.co_name, tb.tb_frame.f_code.co_filename)

class K:
    pass
def nt():
    import collections
    collections.namedtuple("P", "a b")(1, 2)
attempt("exec-program", lambda: exec(program, {}))
attempt("exec-program-again", lambda: exec(program, {}))
attempt("exec-no-args", lambda: sys.audit("exec"))
attempt("args", lambda: sys.audit("t.args", "\u00e9\u2028\U0001F600", b"\x00\xff'\"", bytearray(b"ab"), 1.5,
        float("nan"), float("inf"), -0.0, 10**30, -7, True, None, (1, (2, (3, (4, (5, (6,)))))), [1, [2]],
        "x" * 5000, "a\"b\\c\n\t\r\x01\x7f", K(), K, program, "\ud800x", 3+4j, {1: 2}, sys))
attempt("quote", lambda: sys.audit('t."quote"\u00e9', 1))
attempt("name", lambda: sys.audit("t.name", 1))
attempt("name2", lambda: sys.audit("t.name2"))
attempt("prefix", lambda: sys.audit("t.pfx.x", 1))
attempt("prefix-itself", lambda: sys.audit("t.pfx", 1))
attempt("nested", lambda: sys.audit("t.nested", 1))
attempt("boom", lambda: sys.audit("t.boom", 1))
attempt("after-boom", lambda: sys.audit("t.after", 1))
attempt("write", lambda: os.close(os.open(cfg["tmp"] + "/w.txt", os.O_WRONLY | os.O_CREAT)))
attempt("read", lambda: os.close(os.open(cfg["tmp"], os.O_RDONLY)))
attempt("dynamic", lambda: exec(compile("y = 2", "<dyn>", "exec"), {}))
attempt("namedtuple", nt)
print("denied", state["denied"])
`

// guardListing is the Python that guard_code.go says the guard is.
func guardListing(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("guard_code.go")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	re := regexp.MustCompile(`^//\t([ 0-9]\d)  (.*)$`)
	n := 0
	for _, l := range strings.Split(string(src), "\n") {
		if m := re.FindStringSubmatch(l); m != nil {
			n++
			if strings.TrimSpace(m[1]) != itoa(n) {
				t.Fatalf("guard_code.go: listing line %s where %d was expected", m[1], n)
			}
			out.WriteString(m[2] + "\n")
		}
	}
	if n != 51 {
		t.Fatalf("guard_code.go: %d listing lines", n)
	}
	return out.String()
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// runGuardHarness runs guardHarness with the configuration cfg.
func runGuardHarness(t *testing.T, in pytest.Interpreter, cfg map[string]any) string {
	t.Helper()
	data, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(in.Path, "-I", "-c", guardHarness)
	cmd.Stdin = bytes.NewReader(data)
	cmd.Env = append(os.Environ(), "PYTHONHASHSEED=0", "PYTHONIOENCODING=utf-8")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", in.Version, cfg["mode"], err, out)
	}
	return string(out)
}

// TestGuardCodeInterpreters has every installed interpreter that has audit
// hooks disassemble its guard with dis, then run it and the Python it
// stands for (the listing in guard_code.go) on the same events, under a
// few configurations: what the program sees and the log must be the same
// to the byte.
func TestGuardCodeInterpreters(t *testing.T) {
	listing := guardListing(t)
	rules := [][3]string{
		{"name", "t.name", "t.name"}, {"name", "t.name", "other"}, {"name", "t.name2", "t.name2"},
		{"prefix", "t.pfx.", "t.pfx.*"}, {"pred", "t-nested", "nest"}, {"pred", "t-boom", "boom"},
		{"pred", "open-write", "fs-write"}, {"pred", "dynamic-code", "exec"},
	}
	configs := []struct {
		name  string
		log   bool
		rules [][3]string
	}{
		{"log and rules", true, rules},
		{"log only", true, nil},
		{"rules only", false, rules},
		{"unwritable log", false, rules},
	}
	tested := 0
	for _, pin := range pytest.RequireInterpreters(t) {
		if pin.Major() != 3 || pin.Minor() < guardFirstMinor {
			continue
		}
		in, err := Probe(pin.Path)
		if err != nil {
			t.Errorf("%s: %v", pin.Version, err)
			continue
		}
		code, err := GuardCode(in)
		if err != nil {
			t.Logf("%s: %v", pin.Version, err) // a pre-release, say
			continue
		}
		tested++
		guard := hex.EncodeToString(code)
		t.Run(pin.Version, func(t *testing.T) {
			out := runGuardHarness(t, pin, map[string]any{"mode": "dis", "guard": guard})
			for _, want := range []string{"code install <pyc run> 8 ", "code AuditDenied <pyc run> 0 ", "code hook <pyc run> 2 "} {
				if !strings.Contains(out, want) {
					t.Errorf("dis: no %q in\n%s", want, out)
				}
			}
			if strings.Contains(out, "<unknown") || regexp.MustCompile(`code .* \[.+\]`).MatchString(out) {
				t.Errorf("dis: unknown instructions in\n%s", out)
			}
			for i, c := range configs {
				dir := t.TempDir()
				logs := map[string][]byte{}
				outs := map[string]string{}
				for _, mode := range []string{"built", "listing"} {
					cfg := map[string]any{"mode": mode, "guard": guard, "listing": listing,
						"runner": string(runnerSource), "tmp": dir, "rules": c.rules, "log": ""}
					logf := filepath.Join(dir, mode+".log")
					switch {
					case c.log:
						cfg["log"] = logf
					case i == 3:
						cfg["log"] = "readonly"
					}
					outs[mode] = runGuardHarness(t, pin, cfg)
					logs[mode], _ = os.ReadFile(logf)
				}
				if outs["built"] != outs["listing"] {
					t.Errorf("%s: the program saw\n%s\nwith the built guard, and\n%s\nwith the listing", c.name, outs["built"], outs["listing"])
				}
				if !bytes.Equal(logs["built"], logs["listing"]) {
					t.Errorf("%s: the built guard logged\n%s\nthe listing\n%s", c.name, logs["built"], logs["listing"])
				}
				checkGuardOutcome(t, c.name, c.rules != nil, c.log, outs["built"], string(logs["built"]))
			}
		})
	}
	if tested == 0 {
		t.Skip("no interpreter with audit hooks")
	}
}

// checkGuardOutcome checks what the harness printed and logged against
// what the guard is meant to do, so that the comparison above cannot pass
// with both sides broken alike.
func checkGuardOutcome(t *testing.T, name string, deny, logged bool, out, log string) {
	t.Helper()
	denied := func(what string) string {
		return "raised " + what + " pyc AuditDenied AuditDenied 'Raised inside the program for an event pyc run --deny stops.' ['BaseException', 'object']"
	}
	want := []string{"ok exec-program\n", "ok exec-no-args\n", "ok prefix-itself\n", "ok nested\n", "ok after-boom\n",
		"ok read\n", "ok namedtuple\n"}
	if deny {
		want = append(want,
			denied("exec-program-again"), "audit event 'exec' denied by pyc run --deny exec",
			denied("name"), "audit event 't.name' denied by pyc run --deny t.name\",)",
			denied("name2"), denied("prefix"), "denied by pyc run --deny t.pfx.*", "raised boom builtins ValueError",
			denied("write"), denied("dynamic"), "  in hook <pyc run>\n",
			"denied ['exec', 't.name', 't.name2', 't.pfx.x', 'open', 'compile']\n")
	} else {
		want = append(want, "ok exec-program-again\n", "ok name\n", "ok boom\n", "ok write\n", "ok dynamic\n", "denied []\n")
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("%s: no %q in\n%s", name, w, out)
		}
	}
	if !logged {
		return
	}
	first, _, _ := strings.Cut(log, "\n")
	if first != `{"event":"exec","args":["<code <module> <prog>:1>"]}` {
		t.Errorf("%s: first log line %s", name, first)
	}
	wantLog := []string{
		`{"event":"t.args","args":["\u00e9\u2028\ud83d\ude00","b'\\x00\\xff\\'\"'","b'ab'",1.5,"nan","inf",-0.0,1000000000000000000000000000000,-7,true,null,[1,[2,[3,"<builtins.tuple>"]]],[1,[2]],"xxxx`,
		`...(5000 chars)","a\"b\\c\n\t\r\u0001\u007f","<__main__.K>","<builtins.type>","<code <module> <prog>:1>","\ud800x","<builtins.complex>","<builtins.dict>","<builtins.module>"]}` + "\n",
		`{"event":"t.\"quote\"\u00e9","args":[1]}` + "\n",
		`{"event":"t.nested","args":[1]}` + "\n",
		`{"event":"t.after","args":[1]}` + "\n",
	}
	if deny {
		wantLog = append(wantLog, `{"event":"t.name","args":[1],"denied":true}`+"\n", `{"event":"t.pfx.x","args":[1],"denied":true}`+"\n")
	} else {
		wantLog = append(wantLog, `{"event":"t.name","args":[1]}`+"\n")
	}
	for _, w := range wantLog {
		if !strings.Contains(log, w) {
			t.Errorf("%s: no %s in the log:\n%s", name, w, log)
		}
	}
	if deny && strings.Contains(log, `"t.inner"`) {
		t.Errorf("%s: an event raised inside the hook was logged:\n%s", name, log)
	}
}

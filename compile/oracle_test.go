package compile_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/compile"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

// Sources that exercise the parts of py_compile a compile server must get
// right, valid on Python 2.7 and 3 alike (but bad.py).
var crafted = map[string]string{
	"crlf.py":         "x = '''a\r\nb'''\r\ndef f():\r\n    return x\r\n",
	"latin.py":        "# -*- coding: latin-1 -*-\ns = '\xe9t\xe9'\n",
	"sets.py":         "def f(x):\n    return x in {'alpha', 'beta', 'gamma', 'delta', 'epsilon'}\n",
	"doc.py":          "'''Module doc.'''\ndef f(x):\n    '''Function doc.'''\n    assert x, 'no'\n    return x\n",
	"pkg/__init__.py": "",
	"pkg/mod.py":      "class finalize(object):\n    class _Info(object):\n        pass\n",
	"bad.py":          "def f(:\n    pass\n",
	"notes.txt":       "not python\n",
}

// stdlibSample are modules every installed version has.
var stdlibSample = []string{"abc.py", "base64.py", "string.py", "json/decoder.py"}

func makeTree(t *testing.T, in pytest.Interpreter) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tree")
	for name, text := range crafted {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lib := filepath.Join(in.Prefix, "lib", "python"+in.Version)
	for _, name := range stdlibSample {
		b, err := os.ReadFile(filepath.Join(lib, name))
		if err != nil {
			t.Skipf("%s: %v", in.Version, err)
		}
		p := filepath.Join(dir, "std", name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// takePycs reads every pyc under dir, keyed by relative path, and removes
// them.
func takePycs(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".pyc") || strings.HasSuffix(p, ".pyo")) {
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(dir, p)
			out[rel] = b
			os.Remove(p)
		}
		return nil
	})
	return out
}

func canonical(t *testing.T, b []byte) []byte {
	t.Helper()
	h, err := pyc.ParseHeader(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := h.Version.HeaderSize
	s, err := compile.Deterministic(b[n:], h.Version)
	if err != nil {
		t.Fatal(err)
	}
	return append(b[:n:n], s...)
}

type run struct {
	name       string
	compileall []string // arguments after -m compileall -q
	pyflags    []string // interpreter flags for compileall
	levels     []int
	mode       pyc.Mode
}

func runsFor(in pytest.Interpreter) []run {
	runs := []run{{name: "timestamp"}}
	if in.Major() == 3 && in.Minor() >= 7 {
		runs = append(runs, run{name: "unchecked-hash", compileall: []string{"--invalidation-mode", "unchecked-hash"}, mode: pyc.UncheckedHash})
	}
	switch {
	case in.Major() == 2:
		runs = append(runs, run{name: "-O", pyflags: []string{"-O"}, levels: []int{1}})
	case in.Minor() >= 9:
		runs = append(runs, run{name: "levels 0,2", compileall: []string{"-o", "0", "-o", "2"}, levels: []int{0, 2}})
	default:
		runs = append(runs, run{name: "-OO", pyflags: []string{"-OO"}, levels: []int{2}})
	}
	return runs
}

// pyc compile writes the pycs python -m compileall writes: byte for byte,
// or equal once both are canonicalized (FLAG_REF follows reference
// counts).
func TestCompileallOracle(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	if testing.Short() {
		ins = []pytest.Interpreter{ins[0], ins[len(ins)-1]}
	}
	for _, in := range ins {
		t.Run(in.Version, func(t *testing.T) {
			dir := makeTree(t, in)
			for _, r := range runsFor(in) {
				args := append(append([]string{}, r.pyflags...), "-m", "compileall", "-q")
				args = append(append(args, r.compileall...), dir)
				cmd := exec.Command(in.Path, args...)
				cmd.Env = append(os.Environ(), "PYTHONHASHSEED=0")
				out, _ := cmd.CombinedOutput()
				want := takePycs(t, dir)
				if len(want) == 0 {
					t.Fatalf("%s: compileall wrote nothing: %s", r.name, out)
				}
				c, err := compile.NewCompiler(in.Path, compile.CompilerOptions{Servers: 1, Levels: r.levels})
				if err != nil {
					t.Fatal(err)
				}
				var failures []string
				st, err := c.Tree([]string{dir}, compile.TreeOptions{Levels: r.levels, Mode: r.mode, MaxDepth: -1}, func(ev compile.Event) {
					if ev.Kind == compile.Failed {
						failures = append(failures, ev.Err.Error())
					}
				})
				c.Close()
				if err != nil {
					t.Fatal(err)
				}
				if st.Failed != 1 || len(failures) != 1 || !strings.HasPrefix(failures[0], filepath.Join(dir, "bad.py")+":1: SyntaxError: ") {
					t.Errorf("%s: failures %q (stats %+v), want one SyntaxError in bad.py line 1", r.name, failures, st)
				}
				got := takePycs(t, dir)
				raw := 0
				for rel, w := range want {
					g, ok := got[rel]
					switch {
					case !ok:
						t.Errorf("%s: %s not written", r.name, rel)
					case bytes.Equal(g, w):
						raw++
					case !bytes.Equal(canonical(t, g), canonical(t, w)):
						t.Errorf("%s: %s differs from compileall's", r.name, rel)
					}
				}
				for rel := range got {
					if _, ok := want[rel]; !ok {
						t.Errorf("%s: %s written, compileall did not", r.name, rel)
					}
				}
				t.Logf("%s %s: %d pycs, %d byte-identical, the rest identical canonicalized", in.Version, r.name, len(want), raw)
			}
		})
	}
}

// A second run finds everything up to date; -f and a changed source
// compile again.
func TestUpToDate(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	in := ins[len(ins)-1]
	dir := makeTree(t, in)
	c, err := compile.NewCompiler(in.Path, compile.CompilerOptions{Servers: 1, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	count := func(opts compile.TreeOptions) compile.Stats {
		t.Helper()
		opts.MaxDepth = -1
		st, err := c.Tree([]string{dir}, opts, nil)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	first := count(compile.TreeOptions{})
	n := first.Compiled
	if n == 0 || first.Failed != 1 {
		t.Fatalf("first run: %+v", first)
	}
	if st := count(compile.TreeOptions{}); st.Compiled != 0 || st.UpToDate != n {
		t.Errorf("second run: %+v, want %d up to date", st, n)
	}
	if st := count(compile.TreeOptions{Force: true}); st.Compiled != n {
		t.Errorf("forced run: %+v, want %d compiled", st, n)
	}
	if err := os.WriteFile(filepath.Join(dir, "doc.py"), []byte("x = 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st := count(compile.TreeOptions{}); st.Compiled != 1 {
		t.Errorf("after a change: %+v, want 1 compiled", st)
	}
	if st := count(compile.TreeOptions{Mode: pyc.CheckedHash}); st.Compiled != n {
		t.Errorf("another mode: %+v, want %d compiled", st, n)
	}
	if st := count(compile.TreeOptions{Mode: pyc.CheckedHash}); st.Compiled != 0 {
		t.Errorf("hash pycs up to date: %+v", st)
	}
}

// loadScript compares each pyc given (header size, then path pairs on
// stdin) with compile() of its source, by the code objects' equality and
// their marshalled form, and prints "ok" or the first mismatch.
const loadScript = `
import marshal, sys
size = int(sys.stdin.readline())
bad = []
for line in sys.stdin.read().splitlines():
    p, src, name = line.split('\t')
    data = open(p, 'rb').read()
    code = marshal.loads(data[size:])
    s = open(src, 'rb').read()
    if sys.version_info[0] == 2:
        s = s.replace(b'\r\n', b'\n')
        want = compile(s, name, 'exec', 0, True)
    else:
        want = compile(s, name, 'exec', dont_inherit=True)
    if code != want or marshal.loads(marshal.dumps(code)) != want:
        bad.append(p)
print(bad and 'mismatch ' + ' '.join(bad) or 'ok')
`

// Deterministic pycs load in their interpreter as the code compile()
// gives, and two builds (with different numbers of servers, so in other
// orders) are byte-identical.
func TestDeterministic(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	if testing.Short() {
		ins = []pytest.Interpreter{ins[0], ins[len(ins)-1]}
	}
	for _, in := range ins {
		t.Run(in.Version, func(t *testing.T) {
			dir := makeTree(t, in)
			build := func(servers int) (map[string][]byte, *compile.Compiler) {
				c, err := compile.NewCompiler(in.Path, compile.CompilerOptions{Servers: servers, Deterministic: true})
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()
				if _, err := c.Tree([]string{dir}, compile.TreeOptions{MaxDepth: -1, Force: true}, nil); err != nil {
					t.Fatal(err)
				}
				return takePycs(t, dir), c
			}
			a, c := build(1)
			// Leave the second build's pycs in place to load them.
			c2, err := compile.NewCompiler(in.Path, compile.CompilerOptions{Servers: 2, Deterministic: true})
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			_, err = c2.Tree([]string{dir}, compile.TreeOptions{MaxDepth: -1, Force: true}, func(ev compile.Event) {
				for _, p := range ev.Pycs {
					lines = append(lines, p+"\t"+ev.Source+"\t"+ev.Source)
				}
			})
			c2.Close()
			if err != nil {
				t.Fatal(err)
			}
			sort.Strings(lines)
			stdin := fmt.Sprintf("%d\n%s\n", c.Version().HeaderSize, strings.Join(lines, "\n"))
			out, err := in.Run(stdin, "-c", loadScript)
			if err != nil || strings.TrimSpace(string(out)) != "ok" {
				t.Errorf("loading the deterministic pycs: %s %v", out, err)
			}
			b := takePycs(t, dir)
			if len(a) == 0 || len(a) != len(b) {
				t.Fatalf("builds wrote %d and %d pycs", len(a), len(b))
			}
			for rel, x := range a {
				if !bytes.Equal(x, b[rel]) {
					t.Errorf("%s differs between two builds", rel)
				}
			}
		})
	}
}

// A source that does not compile is reported with its line, and the rest
// of the tree is compiled.
func TestErrorsDoNotStop(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	in := ins[len(ins)-1]
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.py"), []byte("x = (\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.py"), []byte("x = 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "c.py"), []byte("x = 1\x00\n"), 0o644)
	c, err := compile.NewCompiler(in.Path, compile.CompilerOptions{Servers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var evs []compile.Event
	st, err := c.Tree([]string{dir}, compile.TreeOptions{MaxDepth: -1}, func(ev compile.Event) { evs = append(evs, ev) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Compiled != 1 || st.Failed != 2 || len(evs) != 3 {
		t.Fatalf("stats %+v, events %+v", st, evs)
	}
	var ce *compile.Error
	if !errors.As(evs[0].Err, &ce) || ce.Line != 1 || ce.Class != "SyntaxError" || ce.Path != filepath.Join(dir, "a.py") {
		t.Errorf("a.py: %+v", evs[0].Err)
	}
	if evs[1].Kind != compile.Compiled || evs[2].Kind != compile.Failed {
		t.Errorf("events out of order: %+v", evs)
	}
}

func TestSysPath(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	in := ins[len(ins)-1]
	ps, err := compile.SysPath(in.Path)
	if err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(in.Prefix, "lib", "python"+in.Version)
	found := false
	for _, p := range ps {
		if p == lib {
			found = true
		}
		if p == "" {
			t.Error("the script directory is in the list")
		}
	}
	if !found {
		t.Errorf("%s not in %q", lib, ps)
	}
}

package diff_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/diff"
	"github.com/pyc-tools/pyc/internal/pytest"
)

// The sources compiled by every interpreter: v1, and three edits of it.
const srcV1 = `import os

RATIO = 1.5
PAIR = (1, 'a', 2.5)


class Parser(object):
    def parse(self, text):
        items = []
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            items.append(line.strip())
        return items

    def count(self, text):
        return len(self.parse(text))


def helper(x):
    total = 0
    for i in range(x):
        total += i * 2
    return total


LIMIT = 10
`

// insertedLine is the line of the statement v2 inserts.
const insertedLine = 13

var sources = map[string]string{
	"v1": srcV1,
	// v2 inserts a statement in Parser.parse.
	"v2": strings.Replace(srcV1, "            items.append(line.strip())\n",
		"            line = line.lower()\n            items.append(line.strip())\n", 1),
	// v3 edits one constant.
	"v3": strings.Replace(srcV1, "LIMIT = 10", "LIMIT = 11", 1),
	// v4 renames a function.
	"v4": strings.Replace(srcV1, "def helper(x)", "def helper2(x)", 1),
}

// compileScript compiles v1..v4 with py_compile (the same mtime, so that
// the headers agree) and, where marshal has FLAG_REF (3.4+), writes v1's
// code twice: once as compiled, once after the process took extra
// references to its constants, which makes marshal set FLAG_REF on them.
const compileScript = `
import marshal, os, py_compile, struct, sys
out = sys.argv[1]
for name in ("v1", "v2", "v3", "v4"):
    src = os.path.join(out, name + ".py")
    os.utime(src, (1700000000, 1700000000))
    py_compile.compile(src, cfile=os.path.join(out, name + ".pyc"), dfile="m.py", doraise=True)
if sys.version_info >= (3, 4):
    import importlib.util
    with open(os.path.join(out, "v1.py")) as f:
        src = f.read()
    code = compile(src, "m.py", "exec")
    if sys.version_info >= (3, 7):
        header = importlib.util.MAGIC_NUMBER + struct.pack("<III", 0, 1700000000, len(src))
    else:
        header = importlib.util.MAGIC_NUMBER + struct.pack("<II", 1700000000, len(src))
    fresh = marshal.dumps(code)
    keep = list(code.co_consts)
    for c in code.co_consts:
        if hasattr(c, "co_consts"):
            keep.extend(c.co_consts)
    held = marshal.dumps(code)
    with open(os.path.join(out, "flag-a.pyc"), "wb") as f:
        f.write(header + fresh)
    with open(os.path.join(out, "flag-b.pyc"), "wb") as f:
        f.write(header + held)
`

// compiled holds the directory of each interpreter's pycs.
type compiled struct {
	in  pytest.Interpreter
	dir string
}

func compileAll(t *testing.T) []compiled {
	t.Helper()
	ins := pytest.RequireInterpreters(t)
	var out []compiled
	for _, in := range ins {
		dir := filepath.Join(t.TempDir(), in.Version)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, src := range sources {
			if err := os.WriteFile(filepath.Join(dir, name+".py"), []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := in.Run("", "-c", compileScript, dir); err != nil {
			t.Errorf("%s: %v", in.Version, err)
			continue
		}
		out = append(out, compiled{in, dir})
	}
	return out
}

func codeByPath(d *diff.FileDiff, path string) *diff.CodeDiff {
	for _, c := range d.Codes {
		if c.Path == path {
			return c
		}
	}
	return nil
}

func textOf(d *diff.FileDiff) string {
	var sb strings.Builder
	d.WriteText(&sb)
	return sb.String()
}

// TestInterpreterPairs diffs pycs that real interpreters made: an inserted
// statement, a one-constant edit, a renamed function, the same code
// marshalled with and without extra references (FLAG_REF), and the same
// source compiled by two versions.
func TestInterpreterPairs(t *testing.T) {
	all := compileAll(t)
	for _, c := range all {
		c := c
		p := func(name string) string { return filepath.Join(c.dir, name) }
		t.Run(c.in.Version+"/inserted statement", func(t *testing.T) {
			d := diff.Paths(p("v1.pyc"), p("v2.pyc"), diff.ReadOptions{}, diff.Options{})
			parse := codeByPath(d, "<module>.Parser.parse")
			if d.Status != diff.Different || parse == nil || parse.Bytecode == nil {
				t.Fatalf("no bytecode change in Parser.parse:\n%s", textOf(d))
			}
			inserted, jumps := 0, 0
			for _, h := range parse.Bytecode.Hunks {
				for _, l := range h.Lines {
					isJump := strings.Contains(l.Text, " to L")
					switch {
					case l.Op == "+" && l.BLine != nil && *l.BLine == insertedLine:
						inserted++
					case l.Op != " " && isJump:
						jumps++
					case l.Op != " ":
						t.Errorf("changed line %s%q is neither on the inserted line %d nor a retargeted jump", l.Op, l.Text, insertedLine)
					}
				}
			}
			t.Logf("Parser.parse: %d instructions inserted, %d jump lines changed, of %d -> %d", inserted, jumps, parse.Bytecode.ACount, parse.Bytecode.BCount)
			if inserted < 3 {
				t.Errorf("%d instructions on the inserted line, want at least 3 (load, call, store):\n%s", inserted, textOf(d))
			}
			if total := parse.Bytecode.ACount; inserted+jumps >= total {
				t.Errorf("%d of %d instructions changed: the whole function, not the statement", inserted+jumps, total)
			}
			for _, cd := range d.Codes {
				if cd.Path != "<module>.Parser.parse" && (cd.Bytecode != nil || len(cd.Lists) > 0) {
					t.Errorf("%s changed beyond its lines:\n%s", cd.Path, textOf(d))
				}
			}
			if count := codeByPath(d, "<module>.Parser.count"); count == nil || len(count.Fields) != 1 || count.Fields[0].Field != "co_firstlineno" {
				t.Errorf("Parser.count: want only co_firstlineno moved:\n%s", textOf(d))
			}
		})
		t.Run(c.in.Version+"/one constant", func(t *testing.T) {
			d := diff.Paths(p("v1.pyc"), p("v3.pyc"), diff.ReadOptions{}, diff.Options{})
			if len(d.Codes) != 1 || d.Codes[0].Path != "<module>" {
				t.Fatalf("want one code object changed, <module>:\n%s", textOf(d))
			}
			m := d.Codes[0]
			if len(m.Lists) != 1 || m.Lists[0].Field != "co_consts" || len(m.Lists[0].Items) != 1 {
				t.Fatalf("want one constant changed:\n%s", textOf(d))
			}
			if it := m.Lists[0].Items[0]; it.Op != "changed" || it.A != "10" || it.B != "11" {
				t.Errorf("constant change %+v, want 10 -> 11", it)
			}
			var changed []string
			for _, h := range m.Bytecode.Hunks {
				for _, l := range h.Lines {
					if l.Op != " " {
						changed = append(changed, l.Op+l.Text)
					}
				}
			}
			if strings.Join(changed, "|") != "-LOAD_CONST 10|+LOAD_CONST 11" {
				t.Errorf("changed instructions %q, want the one LOAD_CONST", changed)
			}
			if len(d.Header)+len(d.Encoding) > 0 {
				t.Errorf("header or encoding differences: %+v %+v", d.Header, d.Encoding)
			}
		})
		t.Run(c.in.Version+"/renamed function", func(t *testing.T) {
			d := diff.Paths(p("v1.pyc"), p("v4.pyc"), diff.ReadOptions{}, diff.Options{})
			var renamed []*diff.CodeDiff
			for _, cd := range d.Codes {
				switch cd.Status {
				case diff.CodeRenamed:
					renamed = append(renamed, cd)
				case diff.CodeAdded, diff.CodeRemoved:
					t.Errorf("%s %s: want a rename", cd.Path, cd.Status)
				}
			}
			if len(renamed) != 1 || renamed[0].APath != "<module>.helper" || renamed[0].Path != "<module>.helper2" {
				t.Fatalf("want <module>.helper renamed to <module>.helper2:\n%s", textOf(d))
			}
			if renamed[0].Bytecode != nil || len(renamed[0].Lists) > 0 {
				t.Errorf("the renamed function's body differs:\n%s", textOf(d))
			}
		})
		if c.in.Major() < 3 {
			continue
		}
		t.Run(c.in.Version+"/FLAG_REF only", func(t *testing.T) {
			d := diff.Paths(p("flag-a.pyc"), p("flag-b.pyc"), diff.ReadOptions{}, diff.Options{})
			if d.Status != diff.EncodingOnly || len(d.Encoding) == 0 {
				t.Fatalf("status %s with %d encoding differences, want %s:\n%s", d.Status, len(d.Encoding), diff.EncodingOnly, textOf(d))
			}
			for _, e := range d.Encoding {
				if e.What != "FLAG_REF set in b only" {
					t.Errorf("%s: %s, want only FLAG_REF differences", e.Path, e.What)
				}
			}
			if !strings.Contains(textOf(d), "same values, different encoding:") {
				t.Errorf("text does not say same values, different encoding:\n%s", textOf(d))
			}
			if s := diff.Paths(p("flag-a.pyc"), p("flag-b.pyc"), diff.ReadOptions{}, diff.Options{Semantic: true}); s.Status != diff.Identical {
				t.Errorf("--semantic: status %s, want identical", s.Status)
			}
			t.Logf("%d objects gained FLAG_REF", len(d.Encoding))
		})
	}
	// The same source compiled by successive versions: different, and
	// every code object pairs up.
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		t.Run(a.in.Version+" vs "+b.in.Version, func(t *testing.T) {
			d := diff.Paths(filepath.Join(a.dir, "v1.pyc"), filepath.Join(b.dir, "v1.pyc"), diff.ReadOptions{}, diff.Options{})
			if d.Status != diff.Different || len(d.Header) == 0 || d.Header[0].Field != "magic" {
				t.Fatalf("status %s, header %v: want a magic difference", d.Status, d.Header)
			}
			if d.VersionA != a.in.Version || d.VersionB != b.in.Version {
				t.Errorf("versions %s and %s, want %s and %s", d.VersionA, d.VersionB, a.in.Version, b.in.Version)
			}
			for _, cd := range d.Codes {
				if cd.Status != diff.CodeChanged || cd.APath != "" {
					t.Errorf("%s: %s %s, want every code object paired by path", cd.Path, cd.Status, cd.APath)
				}
			}
			// Some successive versions compile this source to equal code
			// (3.8 and 3.9): then only the header (and encoding) differ.
			t.Logf("%d code objects differ", len(d.Codes))
		})
	}
}

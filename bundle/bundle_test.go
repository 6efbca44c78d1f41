package bundle_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/pyc-tools/pyc/bundle"
	"github.com/pyc-tools/pyc/compile"
	"github.com/pyc-tools/pyc/internal/pytest"
)

func TestMainSource(t *testing.T) {
	tests := []struct {
		target string
		want   []string // lines the source must hold
		ok     bool
	}{
		{"app.cli:main", []string{`__import__("app.cli")`, `sys.exit(sys.modules["app.cli"].main())`}, true},
		{"app:Main.run", []string{`sys.exit(sys.modules["app"].Main.run())`}, true},
		{"app.cli", []string{`runpy.run_module("app.cli", run_name='__main__', alter_sys=True)`}, true},
		{"app-cli:main", nil, false},
		{"app.cli:", nil, false},
		{"app.cli:main()", nil, false},
		{"", nil, false},
	}
	for _, tt := range tests {
		src, err := bundle.MainSource(tt.target)
		if (err == nil) != tt.ok {
			t.Errorf("%q: err %v, want ok %v", tt.target, err, tt.ok)
			continue
		}
		for _, line := range tt.want {
			if !strings.Contains(string(src), line+"\n") {
				t.Errorf("%q: no line %s in\n%s", tt.target, line, src)
			}
		}
	}
}

// app is a small application: two packages (one a namespace package), a
// data file read through the loader, a set constant, a docstring, and a
// stray pyc and __pycache__ that must stay out.
var app = map[string]string{
	"myapp/__init__.py":       "'''The app.'''\nVERSION = '1.0'\n",
	"myapp/cli.py":            "import sys\nimport pkgutil\nfrom myapp.util import helper\nimport plugins.extra\n\n\ndef main():\n    data = pkgutil.get_data('myapp', 'data/greeting.txt').decode('ascii').strip()\n    sys.stdout.write('%s %d %s %s\\n' % (data, helper.twice(21), plugins.extra.NAME, helper.kind('b')))\n    return 3\n",
	"myapp/util/__init__.py":  "",
	"myapp/util/helper.py":    "def twice(x):\n    return 2 * x\n\n\ndef kind(c):\n    return 'vowel' if c in {'a', 'e', 'i', 'o', 'u'} else 'consonant'\n",
	"myapp/data/greeting.txt": "hello\n",
	"plugins/extra.py":        "NAME = 'extra'\n",
	"README.txt":              "read me\n",
	"myapp/__pycache__/x.pyc": "stale",
	"myapp/util/helper.pyc":   "stray",
}

func makeApp(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "src")
	for name, text := range app {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		// Different mtimes per build must not matter.
		now := time.Now()
		os.Chtimes(p, now, now)
	}
	return dir
}

func names(t *testing.T, zipPath string) []string {
	t.Helper()
	r, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []string
	for _, f := range r.File {
		out = append(out, f.Name)
		if !f.Modified.Equal(bundle.DefaultTime) {
			t.Errorf("%s: timestamp %v", f.Name, f.Modified)
		}
	}
	return out
}

func TestBundleRuns(t *testing.T) {
	var ins []pytest.Interpreter
	for _, in := range pytest.RequireInterpreters(t) {
		if in.Major() == 3 {
			ins = append(ins, in)
		}
	}
	if len(ins) == 0 {
		t.Skip("no Python 3 interpreter")
	}
	if testing.Short() {
		ins = []pytest.Interpreter{ins[0], ins[len(ins)-1]}
	}
	for _, in := range ins {
		t.Run(in.Version, func(t *testing.T) {
			c, err := compile.NewCompiler(in.Path, compile.CompilerOptions{Servers: 1, Deterministic: true})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			out := t.TempDir()
			build := func(name string, sourceless bool) string {
				src := makeApp(t) // a fresh copy each time: other paths, other mtimes
				p := filepath.Join(out, name)
				st, err := bundle.Build(bundle.Options{Src: src, Out: p, Compiler: c, Main: "myapp.cli:main", Sourceless: sourceless})
				if err != nil {
					t.Fatal(err)
				}
				if st.Modules != 6 || st.Data != 2 || st.Dirs != 4 {
					t.Errorf("%s: %+v", name, st)
				}
				return p
			}
			a := build("a.zip", false)
			b := build("b.zip", false)
			s := build("s.zip", true)
			ab, _ := os.ReadFile(a)
			bb, _ := os.ReadFile(b)
			if !bytes.Equal(ab, bb) {
				t.Error("two builds differ")
			}
			for _, z := range []string{a, s} {
				cmd := exec.Command(in.Path, z)
				got, err := cmd.Output()
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != 3 {
					t.Errorf("%s: exit %v, want 3", filepath.Base(z), err)
				}
				if want := "hello 42 extra consonant\n"; string(got) != want {
					t.Errorf("%s: printed %q, want %q", filepath.Base(z), got, want)
				}
			}
			n := names(t, a)
			if !sort.StringsAreSorted(n) {
				t.Errorf("entries not sorted: %q", n)
			}
			want := []string{"README.txt", "__main__.py", "__main__.pyc", "myapp/", "myapp/__init__.py", "myapp/__init__.pyc",
				"myapp/cli.py", "myapp/cli.pyc", "myapp/data/", "myapp/data/greeting.txt", "myapp/util/", "myapp/util/__init__.py",
				"myapp/util/__init__.pyc", "myapp/util/helper.py", "myapp/util/helper.pyc", "plugins/", "plugins/extra.py", "plugins/extra.pyc"}
			if strings.Join(n, " ") != strings.Join(want, " ") {
				t.Errorf("entries\nhave %q\nwant %q", n, want)
			}
			for _, name := range names(t, s) {
				if strings.HasSuffix(name, ".py") {
					t.Errorf("sourceless bundle holds %s", name)
				}
			}
		})
	}
}

// The interpreter runs the bundled pycs, not the sources: a level-2 pyc
// has no docstrings, whatever -O the interpreter runs with.
func TestBundlePycsAreUsed(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	in := ins[len(ins)-1]
	if in.Major() < 3 {
		t.Skip("no Python 3 interpreter")
	}
	src := makeApp(t)
	os.WriteFile(filepath.Join(src, "__main__.py"), []byte("import myapp\nprint(myapp.__doc__)\n"), 0o644)
	c, err := compile.NewCompiler(in.Path, compile.CompilerOptions{Servers: 1, Deterministic: true, Levels: []int{2}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	p := filepath.Join(t.TempDir(), "app.zip")
	if _, err := bundle.Build(bundle.Options{Src: src, Out: p, Compiler: c, Level: 2, Exclude: regexp.MustCompile(`^README`)}); err != nil {
		t.Fatal(err)
	}
	got, err := exec.Command(in.Path, p).Output()
	if err != nil || string(got) != "None\n" {
		t.Errorf("printed %q (%v), want None: the source was compiled instead of the pyc", got, err)
	}
	for _, n := range names(t, p) {
		if strings.HasPrefix(n, "README") {
			t.Errorf("excluded %s is in the bundle", n)
		}
	}
}

func TestBundleErrors(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	in := ins[len(ins)-1]
	c, err := compile.NewCompiler(in.Path, compile.CompilerOptions{Servers: 1, Deterministic: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	out := filepath.Join(t.TempDir(), "app.zip")
	src := makeApp(t)
	if _, err := bundle.Build(bundle.Options{Src: src, Out: out, Compiler: c}); !errors.Is(err, bundle.ErrNoMain) {
		t.Errorf("no main: %v", err)
	}
	os.WriteFile(filepath.Join(src, "myapp", "broken.py"), []byte("def f(:\n"), 0o644)
	_, err = bundle.Build(bundle.Options{Src: src, Out: out, Compiler: c, Main: "myapp.cli:main"})
	var ce *compile.Error
	if !errors.As(err, &ce) || ce.Line != 1 || !strings.HasSuffix(ce.Path, "broken.py") {
		t.Errorf("syntax error: %v", err)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed build left its output")
	}
	ents, _ := os.ReadDir(filepath.Dir(out))
	if len(ents) != 0 {
		t.Errorf("a failed build left %d files", len(ents))
	}
	// A failed build keeps the previous output as it was.
	if err := os.WriteFile(out, []byte("previous bundle"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := bundle.Build(bundle.Options{Src: src, Out: out, Compiler: c, Main: "myapp.cli:main"}); err == nil {
		t.Fatal("the broken module compiled")
	}
	if b, _ := os.ReadFile(out); string(b) != "previous bundle" {
		t.Errorf("a failed build changed the previous output: %d bytes", len(b))
	}
	if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 1 {
		t.Errorf("a failed build left %d files beside the previous output", len(ents)-1)
	}
}

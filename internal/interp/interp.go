// Package interp finds the Python interpreters installed on the machine:
// on PATH and under pyenv. It tells them apart by their file names (and
// the pyenv version directories), without running them unless a name says
// nothing.
package interp

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Interpreter is one installed Python.
type Interpreter struct {
	// Path is the executable.
	Path string
	// Impl is "cpython" or "pypy".
	Impl string
	// Major and Minor are the language version.
	Major, Minor int
}

// Tag returns the PEP 3147 cache tag ("cpython-311", "pypy39"), or for
// versions before 3.2 (which have none) the same form as a name
// ("cpython-27").
func (in Interpreter) Tag() string { return MakeTag(in.Impl, in.Major, in.Minor) }

// MakeTag builds a cache tag from its parts.
func MakeTag(impl string, major, minor int) string {
	n := strconv.Itoa(major) + strconv.Itoa(minor)
	if impl == "pypy" {
		return "pypy" + n
	}
	return impl + "-" + n
}

// XY returns "X.Y".
func (in Interpreter) XY() string { return strconv.Itoa(in.Major) + "." + strconv.Itoa(in.Minor) }

// PyenvRoot returns pyenv's root: $PYENV_ROOT or ~/.pyenv.
func PyenvRoot() string {
	if r := os.Getenv("PYENV_ROOT"); r != "" {
		return r
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".pyenv")
}

// The expressions are compiled on first use, not at every pyc start-up.
var (
	pyenvDir = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(pypy)?(\d+)\.(\d+)`) })
	exeName  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(python|pypy)(\d+)\.(\d+)$`) })
)

// Pyenv returns the interpreters under pyenv's versions directory, newest
// last.
func Pyenv() []Interpreter {
	dirs, _ := os.ReadDir(filepath.Join(PyenvRoot(), "versions"))
	var out []Interpreter
	for _, d := range dirs {
		m := pyenvDir().FindStringSubmatch(d.Name())
		if m == nil {
			continue
		}
		impl, bin := "cpython", "python"
		if m[1] != "" {
			impl, bin = "pypy", "pypy"
		}
		major, _ := strconv.Atoi(m[2])
		minor, _ := strconv.Atoi(m[3])
		p := filepath.Join(PyenvRoot(), "versions", d.Name(), "bin", bin)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		out = append(out, Interpreter{Path: p, Impl: impl, Major: major, Minor: minor})
	}
	sortByVersion(out)
	return out
}

func sortByVersion(xs []Interpreter) {
	sort.SliceStable(xs, func(i, j int) bool {
		a, b := xs[i], xs[j]
		if a.Major != b.Major {
			return a.Major < b.Major
		}
		return a.Minor < b.Minor
	})
}

// ErrNotFound: no Python found.
var ErrNotFound = errors.New("no Python interpreter found: give one with --python")

// Default returns the interpreter to use when none is named: python3 on
// PATH, else the newest under pyenv.
func Default() (string, error) {
	if p, err := exec.LookPath("python3"); err == nil {
		return p, nil
	}
	if ins := Pyenv(); len(ins) > 0 {
		return ins[len(ins)-1].Path, nil
	}
	return "", ErrNotFound
}

// Installed returns every interpreter found under pyenv and on PATH
// (python, python2, python3, pythonX.Y, pypy...), one per implementation
// and version. pyenv's shims are skipped (they run the versions found
// under pyenv). A PATH entry whose name (after following symlinks) does
// not say its version is asked, with a short time limit, in parallel with
// the others.
func Installed() []Interpreter {
	seen := map[string]Interpreter{}
	add := func(in Interpreter) {
		if _, ok := seen[in.Tag()]; !ok {
			seen[in.Tag()] = in
		}
	}
	for _, in := range Pyenv() {
		add(in)
	}
	shims := filepath.Join(PyenvRoot(), "shims")
	resolved := map[string]bool{}
	var ask []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if filepath.Clean(dir) == shims {
			continue
		}
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			name := e.Name()
			if !strings.HasPrefix(name, "python") && !strings.HasPrefix(name, "pypy") {
				continue
			}
			if strings.ContainsAny(name, "-_") || strings.HasSuffix(name, "m") && exeName().MatchString(strings.TrimSuffix(name, "m")) {
				continue // python3-config, python3.11m...
			}
			p := filepath.Join(dir, name)
			real, err := filepath.EvalSymlinks(p)
			if err != nil || resolved[real] {
				continue
			}
			resolved[real] = true
			if in, ok := fromName(p, real); ok {
				add(in)
			} else if isExecutable(real) {
				ask = append(ask, p)
			}
		}
	}
	found := make([]Interpreter, len(ask))
	ok := make([]bool, len(ask))
	var wg sync.WaitGroup
	for i, p := range ask {
		wg.Add(1)
		go func() {
			defer wg.Done()
			found[i], ok[i] = run(p)
		}()
	}
	wg.Wait()
	for i := range ask {
		if ok[i] {
			add(found[i])
		}
	}
	out := make([]Interpreter, 0, len(seen))
	for _, in := range seen {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Tag() < out[j].Tag() })
	sortByVersion(out)
	return out
}

func isExecutable(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// fromName tells an executable's version from its name or its symlink
// target's.
func fromName(p, real string) (Interpreter, bool) {
	for _, name := range []string{filepath.Base(p), filepath.Base(real)} {
		if m := exeName().FindStringSubmatch(name); m != nil {
			impl := "cpython"
			if m[1] == "pypy" {
				impl = "pypy"
			}
			major, _ := strconv.Atoi(m[2])
			minor, _ := strconv.Atoi(m[3])
			return Interpreter{Path: p, Impl: impl, Major: major, Minor: minor}, true
		}
	}
	return Interpreter{}, false
}

// run asks an interpreter its implementation and version.
func run(p string) (Interpreter, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, p, "-c",
		"import sys; print('%s %d %d' % (getattr(getattr(sys, 'implementation', None), 'name', 'cpython'), sys.version_info[0], sys.version_info[1]))").Output()
	if err != nil {
		return Interpreter{}, false
	}
	f := strings.Fields(string(out))
	if len(f) != 3 {
		return Interpreter{}, false
	}
	major, err1 := strconv.Atoi(f[1])
	minor, err2 := strconv.Atoi(f[2])
	if err1 != nil || err2 != nil {
		return Interpreter{}, false
	}
	return Interpreter{Path: p, Impl: f[0], Major: major, Minor: minor}, true
}

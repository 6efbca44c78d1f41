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

// PyenvRoot returns pyenv's root: $PYENV_ROOT, else .pyenv in the home
// directory ("" when there is none).
func PyenvRoot() string { return PyenvRootEnv(os.Getenv) }

// PyenvRootEnv is PyenvRoot for the environment getenv reads: $PYENV_ROOT,
// else .pyenv in $HOME (in the user's home directory when HOME is unset),
// else "".
func PyenvRootEnv(getenv func(string) string) string {
	if r := getenv("PYENV_ROOT"); r != "" {
		return r
	}
	home := getenv("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".pyenv")
}

// PyenvVersion is one entry of pyenv's versions directory and the version
// its name claims.
type PyenvVersion struct {
	// Name is the entry's name: "3.11.7", "pypy3.9-7.3.11", "myenv".
	Name string
	// Dir is its path.
	Dir string
	// Impl is "cpython" or "pypy", and Major and Minor are the language
	// version, when the name claims one (see ParsePyenvName); Impl is ""
	// when it claims none.
	Impl         string
	Major, Minor int
}

// Bin returns the path of the executable name in the version's bin
// directory.
func (v PyenvVersion) Bin(name string) string { return filepath.Join(v.Dir, "bin", name) }

// PyenvVersions lists the entries of the versions directory under the
// pyenv root root, in name order (none when root is "").
func PyenvVersions(root string) []PyenvVersion {
	if root == "" {
		return nil
	}
	dir := filepath.Join(root, "versions")
	ents, _ := os.ReadDir(dir)
	out := make([]PyenvVersion, 0, len(ents))
	for _, e := range ents {
		v := PyenvVersion{Name: e.Name(), Dir: filepath.Join(dir, e.Name())}
		v.Impl, v.Major, v.Minor, _ = ParsePyenvName(e.Name())
		out = append(out, v)
	}
	return out
}

// LeadingInt splits s into its leading decimal digits (at most nine, as a
// number) and the rest; ok is false without digits.
func LeadingInt(s string) (n int, rest string, ok bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' && i < 9 {
		n = n*10 + int(s[i]-'0')
		i++
	}
	return n, s[i:], i > 0
}

// versionPrefix reads "X.Y" at the start of s.
func versionPrefix(s string) (major, minor int, rest string, ok bool) {
	major, rest, ok = LeadingInt(s)
	if !ok || !strings.HasPrefix(rest, ".") {
		return 0, 0, s, false
	}
	minor, rest, ok = LeadingInt(rest[1:])
	return major, minor, rest, ok
}

// ParsePyenvName reads the version a pyenv version directory's name
// claims: impl "cpython" for "3.11.7", "3.11-dev" or "3.13.0t", "pypy" for
// "pypy3.9-7.3.11". ok is false, and impl "", for names that claim nothing
// (virtual environments, anaconda3-..., GraalPy's, named by GraalPy's own
// version).
func ParsePyenvName(name string) (impl string, major, minor int, ok bool) {
	impl = "cpython"
	if rest, found := strings.CutPrefix(name, "pypy"); found {
		impl, name = "pypy", rest
	}
	major, minor, _, ok = versionPrefix(name)
	if !ok {
		return "", 0, 0, false
	}
	return impl, major, minor, true
}

// exePrefixes are the names interpreters' executables start with, and
// their implementations.
var exePrefixes = [...]struct{ prefix, impl string }{
	{"python", "cpython"}, {"pypy", "pypy"}, {"graalpy", "graalpy"},
}

// ParseExeName reads an executable name that says its version exactly:
// pythonX.Y (impl "cpython"), pypyX.Y ("pypy") or graalpyX.Y ("graalpy").
// ok is false for any other name (python3, python3.11-config, ...).
func ParseExeName(name string) (impl string, major, minor int, ok bool) {
	for _, p := range exePrefixes {
		rest, found := strings.CutPrefix(name, p.prefix)
		if !found {
			continue
		}
		if major, minor, rest, ok := versionPrefix(rest); ok && rest == "" {
			return p.impl, major, minor, true
		}
	}
	return "", 0, 0, false
}

// Pyenv returns the interpreters under pyenv's versions directory, newest
// last.
func Pyenv() []Interpreter {
	var out []Interpreter
	for _, v := range PyenvVersions(PyenvRoot()) {
		if v.Impl == "" {
			continue
		}
		p := v.Bin("python")
		if v.Impl == "pypy" {
			p = v.Bin("pypy")
		}
		if _, err := os.Stat(p); err != nil {
			continue
		}
		out = append(out, Interpreter{Path: p, Impl: v.Impl, Major: v.Major, Minor: v.Minor})
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
	shims := ""
	if root := PyenvRoot(); root != "" {
		shims = filepath.Join(root, "shims")
	}
	resolved := map[string]bool{}
	var ask []string
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		if shims != "" && filepath.Clean(dir) == shims {
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
			if strings.ContainsAny(name, "-_") || strings.HasSuffix(name, "m") && isExeName(strings.TrimSuffix(name, "m")) {
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

// isExeName reports whether name is pythonX.Y or pypyX.Y.
func isExeName(name string) bool {
	impl, _, _, ok := ParseExeName(name)
	return ok && impl != "graalpy"
}

// fromName tells an executable's version from its name or its symlink
// target's.
func fromName(p, real string) (Interpreter, bool) {
	for _, name := range []string{filepath.Base(p), filepath.Base(real)} {
		if impl, major, minor, ok := ParseExeName(name); ok && impl != "graalpy" {
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

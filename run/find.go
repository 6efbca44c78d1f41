package run

import (
	"bytes"
	"fmt"
	"iter"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyc-tools/pyc/internal/interp"
	"github.com/pyc-tools/pyc/pyc"
)

// Finder looks for interpreters, in this order:
//
//  1. Python, when set (the --python flag): the only one considered;
//  2. the paths in $PYC_PYTHON (separated by ':');
//  3. pythonX.Y (pypyX.Y for PyPy) on $PATH;
//  4. pyenv's versions: $PYENV_ROOT/versions/*/bin/python (~/.pyenv
//     without PYENV_ROOT), versions named X.Y... first;
//  5. python3 and python on $PATH (pypy3 and pypy for PyPy).
//
// Each candidate is asked what it is (Probe; answers are cached by file
// identity). Executables that are scripts found on $PATH or under pyenv
// (pyenv's shims, which run whatever version pyenv selects) are skipped;
// the real interpreters behind them are found directly.
type Finder struct {
	// Python is an explicit interpreter (path, or name looked up on $PATH).
	Python string
	// Getenv reads the environment (os.Getenv when nil).
	Getenv func(string) string
	// Cache remembers probe answers (nil: probe every candidate).
	Cache *ProbeCache
	// Fresh ignores cached answers (and refreshes them).
	Fresh bool
	// ProbeFunc, when set, asks an interpreter what it is instead of
	// running it (for tests).
	ProbeFunc func(path string) (*Interpreter, error)
}

func (f *Finder) getenv(k string) string {
	if f.Getenv != nil {
		return f.Getenv(k)
	}
	return os.Getenv(k)
}

// candidate is a path to try and what its name claims.
type candidate struct {
	path   string
	source string
	// claim is the version the name promises ("3.11", "pypy3.9"), "" when
	// it promises nothing.
	claim string
	// explicit: named by the user, so scripts are accepted.
	explicit bool
}

// exeNames are the names interpreters' executables start with.
var exeNames = []string{"python", "pypy", "graalpy"}

// executableKind classifies a file name on $PATH: "versioned" for
// pythonX.Y (pypyX.Y, graalpyX.Y), "generic" for python, python3 and the
// like, "" otherwise.
func executableKind(name string) string {
	if _, _, _, ok := interp.ParseExeName(name); ok {
		return "versioned"
	}
	for _, p := range exeNames {
		if rest, ok := strings.CutPrefix(name, p); ok {
			if _, r, _ := interp.LeadingInt(rest); r == "" {
				return "generic"
			}
		}
	}
	return ""
}

// pyenvClaim is the version a pyenv directory name promises: "3.11" for
// 3.11.7 or 3.11-dev, "pypy3.9" for pypy3.9-7.3.11, "" for names that
// promise nothing (virtual environments, anaconda3-..., GraalPy's, named
// by GraalPy's own version).
func pyenvClaim(name string) string {
	switch impl, major, minor, _ := interp.ParsePyenvName(name); impl {
	case "cpython":
		return claimFor(pyc.CPython, major, minor)
	case "pypy":
		return claimFor(pyc.PyPy, major, minor)
	}
	return ""
}

// numbers returns the decimal numbers in s, at most four.
func numbers(s string) []int {
	var out []int
	for i := 0; i < len(s) && len(out) < 4; {
		if n, rest, ok := interp.LeadingInt(s[i:]); ok {
			out = append(out, n)
			i = len(s) - len(rest)
		} else {
			i++
		}
	}
	return out
}

// claimFor names the implementation and version for claims: "3.11",
// "pypy3.9".
func claimFor(impl pyc.Implementation, major, minor int) string {
	p := ""
	switch impl {
	case pyc.PyPy:
		p = "pypy"
	case pyc.GraalPy:
		p = "graalpy"
	}
	return fmt.Sprintf("%s%d.%d", p, major, minor)
}

func exeName(impl pyc.Implementation) string {
	switch impl {
	case pyc.PyPy:
		return "pypy"
	case pyc.GraalPy:
		return "graalpy"
	}
	return "python"
}

func (f *Finder) pathDirs() []string {
	var out []string
	for _, d := range filepath.SplitList(f.getenv("PATH")) {
		if d == "" {
			d = "."
		}
		out = append(out, d)
	}
	return out
}

func (f *Finder) envCandidates() []candidate {
	var out []candidate
	for _, p := range filepath.SplitList(f.getenv("PYC_PYTHON")) {
		if p != "" {
			out = append(out, candidate{path: p, source: "PYC_PYTHON", explicit: true})
		}
	}
	return out
}

// pyenvCandidates lists pyenv's versions; with want set, those whose
// directory name claims that version come first and those claiming another
// are dropped.
func (f *Finder) pyenvCandidates(want string) []candidate {
	var first, rest []candidate
	for _, v := range interp.PyenvVersions(interp.PyenvRootEnv(f.getenv)) {
		claim := pyenvClaim(v.Name)
		c := candidate{path: v.Bin("python"), source: "pyenv", claim: claim}
		switch {
		case want == "" || claim == "":
			rest = append(rest, c)
		case claim == want:
			first = append(first, c)
		}
	}
	sortByVersion(first, true)
	sortByVersion(rest, false)
	return append(first, rest...)
}

// sortByVersion orders candidates by the numbers in their pyenv directory
// names: newest first (3.11.9 before 3.11.7) or oldest first.
func sortByVersion(cs []candidate, newest bool) {
	key := func(p string) []int { return numbers(filepath.Base(filepath.Dir(filepath.Dir(p)))) }
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := key(cs[i].path), key(cs[j].path)
		for k := 0; k < len(a) && k < len(b); k++ {
			if a[k] != b[k] {
				return (a[k] > b[k]) == newest
			}
		}
		return (len(a) > len(b)) == newest
	})
}

// candidates yields, in order, the paths to try for version v (all paths
// when v is nil), looking at each place only when the earlier ones are
// exhausted.
func (f *Finder) candidates(v *pyc.Version) iter.Seq[candidate] {
	return func(yield func(candidate) bool) {
		for _, c := range f.envCandidates() {
			if !yield(c) {
				return
			}
		}
		if v != nil {
			want := claimFor(v.Impl, v.Major, v.Minor)
			name := exeName(v.Impl) + fmt.Sprintf("%d.%d", v.Major, v.Minor)
			for _, d := range f.pathDirs() {
				if !yield(candidate{path: filepath.Join(d, name), source: "PATH", claim: want}) {
					return
				}
			}
			for _, c := range f.pyenvCandidates(want) {
				if !yield(c) {
					return
				}
			}
			base := exeName(v.Impl)
			for _, n := range []string{fmt.Sprintf("%s%d", base, v.Major), base} {
				for _, d := range f.pathDirs() {
					if !yield(candidate{path: filepath.Join(d, n), source: "PATH"}) {
						return
					}
				}
			}
			return
		}
		var generic []candidate
		for _, d := range f.pathDirs() {
			ents, err := os.ReadDir(d)
			if err != nil {
				continue
			}
			for _, e := range ents {
				c := candidate{path: filepath.Join(d, e.Name()), source: "PATH"}
				switch executableKind(e.Name()) {
				case "versioned":
					if !yield(c) {
						return
					}
				case "generic":
					generic = append(generic, c)
				}
			}
		}
		for _, c := range append(f.pyenvCandidates(""), generic...) {
			if !yield(c) {
				return
			}
		}
	}
}

// isScript reports whether the file starts with "#!".
func isScript(path string) bool {
	fh, err := os.Open(path)
	if err != nil {
		return false
	}
	defer fh.Close()
	var b [2]byte
	n, _ := fh.Read(b[:])
	return n == 2 && bytes.Equal(b[:], []byte("#!"))
}

// usable reports whether a candidate is an executable file worth probing.
func usable(c candidate) bool {
	st, err := os.Stat(c.path)
	if err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		return false
	}
	return c.explicit || !isScript(c.path)
}

func (f *Finder) probe(path string) (*Interpreter, error) {
	if f.ProbeFunc != nil {
		return f.ProbeFunc(path)
	}
	return f.Cache.Probe(path, f.Fresh)
}

// explicit resolves and probes f.Python.
func (f *Finder) explicit() (*Interpreter, error) {
	p := f.Python
	if !strings.ContainsRune(p, '/') {
		lp, err := exec.LookPath(p)
		if err != nil {
			return nil, fmt.Errorf("--python %s: not found on $PATH", p)
		}
		p = lp
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	in, err := f.probe(abs)
	if err != nil {
		return nil, fmt.Errorf("--python: %v", err)
	}
	in.Source = "--python"
	return in, nil
}

// Find returns the first interpreter that runs pycs of version v. With
// v nil (a bundle whose __main__ is source) it needs f.Python. The error,
// when none is found, is a *NotFoundError.
func (f *Finder) Find(v *pyc.Version) (*Interpreter, error) {
	defer f.Cache.Save()
	if f.Python != "" {
		in, err := f.explicit()
		if err != nil {
			return nil, err
		}
		if v != nil && !in.Runs(v) {
			return nil, fmt.Errorf("--python %s is %s %s (magic %d); the file needs %s %d.%d (magic %d)",
				f.Python, in.Impl, in.Version, in.MagicNumber(), v.Impl, v.Major, v.Minor, v.Magic)
		}
		return in, nil
	}
	if v == nil {
		return nil, fmt.Errorf("cannot tell which Python to use: give one with --python")
	}
	for _, a := range f.probed(v) {
		if a.err == nil && a.in.Runs(v) {
			return a.in, nil
		}
	}
	all, _ := f.All()
	return nil, &NotFoundError{Want: v, Found: all}
}

// All returns every interpreter found, in search order, one per file
// (the first path leading to each), and the probe failures.
func (f *Finder) All() ([]*Interpreter, []error) {
	defer f.Cache.Save()
	var out []*Interpreter
	var errs []error
	files := map[fileID]bool{}
	add := func(in *Interpreter, path string) {
		id, err := statID(path)
		if err == nil {
			if files[id] {
				return
			}
			files[id] = true
		}
		out = append(out, in)
	}
	if f.Python != "" {
		in, err := f.explicit()
		if err != nil {
			return nil, []error{err}
		}
		add(in, in.Path)
	}
	for abs, a := range f.probed(nil) {
		if a.err != nil {
			errs = append(errs, a.err)
			continue
		}
		add(a.in, abs)
	}
	return out, errs
}

// probeAnswer is what probing a candidate said: the interpreter, its
// Source set, or the error.
type probeAnswer struct {
	in  *Interpreter
	err error
}

// probed yields, in search order, the absolute path of each usable
// candidate for version v (for every version when v is nil), once per
// path, and what probing it said.
func (f *Finder) probed(v *pyc.Version) iter.Seq2[string, probeAnswer] {
	return func(yield func(string, probeAnswer) bool) {
		seen := map[string]bool{}
		for c := range f.candidates(v) {
			abs, err := filepath.Abs(c.path)
			if err != nil || seen[abs] {
				continue
			}
			seen[abs] = true
			if !usable(c) {
				continue
			}
			in, err := f.probe(abs)
			if err == nil {
				in.Source = c.source
			}
			if !yield(abs, probeAnswer{in, err}) {
				return
			}
		}
	}
}

// NotFoundError is Find's error: no interpreter runs the wanted version.
type NotFoundError struct {
	// Want is the version the file needs.
	Want *pyc.Version
	// Found lists the interpreters that were found.
	Found []*Interpreter
}

// Error says what was wanted, what was found and how to point at an
// interpreter.
func (e *NotFoundError) Error() string {
	v := e.Want
	var b strings.Builder
	fmt.Fprintf(&b, "no %s %d.%d interpreter found (the file has magic %d, %s)", v.Impl, v.Major, v.Minor, v.Magic, v.Release)
	if len(e.Found) == 0 {
		b.WriteString("\n  found no Python interpreters at all")
	} else {
		b.WriteString("\n  found:")
		for _, in := range e.Found {
			fmt.Fprintf(&b, "\n    %-8s %-10s magic %-5d %s", in.Impl, in.Version, in.MagicNumber(), in.Path)
		}
	}
	name := exeName(v.Impl) + fmt.Sprintf("%d.%d", v.Major, v.Minor)
	fmt.Fprintf(&b, "\n  point at one with --python PATH or PYC_PYTHON=PATH, put %s on $PATH, or install it (pyenv install %d.%d)", name, v.Major, v.Minor)
	return b.String()
}

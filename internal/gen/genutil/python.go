package genutil

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/pyc-tools/pyc/internal/interp"
)

// Interpreter is a Python interpreter found on this machine.
type Interpreter struct {
	// Path is the executable (or a wrapper script).
	Path string
	// Impl is "CPython" or "PyPy".
	Impl string
	// Major, Minor and Patch are its version.
	Major, Minor, Patch int
}

// Key returns the implementation and X.Y, such as "cpython-3.11" (the base
// name of opcodegen's fact files).
func (p Interpreter) Key() string {
	return fmt.Sprintf("%s-%d.%d", strings.ToLower(p.Impl), p.Major, p.Minor)
}

// Search says where to look for interpreters.
type Search struct {
	// Bins are the executables tried, in order, in each pyenv version's bin
	// directory (called directly, not through the shims): the first that
	// is a file is asked.
	Bins []string
	// Path lists executables also looked for on $PATH (pyenv's shims are
	// skipped).
	Path []string
	// Env names an environment variable listing more interpreters,
	// separated like PATH (such as a build unpacked outside pyenv, or a
	// wrapper script that runs one).
	Env string
	// Want, when set, refuses the interpreters not wanted with an error
	// saying why.
	Want func(Interpreter) error
}

// Find asks every interpreter the search names what it is and returns
// those wanted, one per implementation and X.Y (the newest patch release;
// the first found among equals), sorted by implementation and version.
// Those found under pyenv or on $PATH that cannot be run or are not wanted
// are skipped quietly; those listed in $Env are reported in the error,
// with the others still returned.
func (s Search) Find() ([]Interpreter, error) {
	var cands []string
	for _, v := range interp.PyenvVersions(interp.PyenvRoot()) {
		for _, name := range s.Bins {
			p := v.Bin(name)
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				cands = append(cands, p)
				break
			}
		}
	}
	for _, name := range s.Path {
		if p, err := exec.LookPath(name); err == nil && !strings.Contains(p, "shims") {
			cands = append(cands, p)
		}
	}
	var found []Interpreter
	for _, c := range cands {
		if p, err := s.probe(c); err == nil {
			found = append(found, p)
		}
	}
	var errs []error
	if s.Env != "" {
		for _, c := range filepath.SplitList(os.Getenv(s.Env)) {
			if c == "" {
				continue
			}
			p, err := s.probe(c)
			if err != nil {
				errs = append(errs, fmt.Errorf("$%s: %w", s.Env, err))
				continue
			}
			found = append(found, p)
		}
	}
	best := map[string]Interpreter{}
	for _, p := range found {
		if old, ok := best[p.Key()]; !ok || p.Patch > old.Patch {
			best[p.Key()] = p
		}
	}
	out := make([]Interpreter, 0, len(best))
	for _, p := range best {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Impl != b.Impl {
			return a.Impl < b.Impl
		}
		if a.Major != b.Major {
			return a.Major < b.Major
		}
		return a.Minor < b.Minor
	})
	return out, errors.Join(errs...)
}

// probe asks the interpreter at path what it is and whether it is wanted.
func (s Search) probe(path string) (Interpreter, error) {
	p, err := askVersion(path)
	if err != nil {
		return Interpreter{}, err
	}
	if s.Want != nil {
		if err := s.Want(p); err != nil {
			return Interpreter{}, fmt.Errorf("%s: %w", path, err)
		}
	}
	return p, nil
}

// probeScript prints the implementation and version, on every Python from
// 2.7 (PyPy's 2.7 has no sys.implementation).
const probeScript = `import sys
impl = getattr(getattr(sys, "implementation", None), "name", None) or ("pypy" if "__pypy__" in sys.builtin_module_names else "cpython")
sys.stdout.write("%s %d.%d.%d\n" % ((impl,) + tuple(sys.version_info[:3])))
`

var versionRE = regexp.MustCompile(`^(\S+) (\d+)\.(\d+)\.(\d+)$`)

// askVersion asks the interpreter at path for its implementation (CPython
// or PyPy; others are an error) and version.
func askVersion(path string) (Interpreter, error) {
	out, err := exec.Command(path, "-c", probeScript).Output()
	if err != nil {
		return Interpreter{}, fmt.Errorf("%s: %v", path, err)
	}
	m := versionRE.FindStringSubmatch(strings.TrimSpace(string(out)))
	if m == nil {
		return Interpreter{}, fmt.Errorf("%s: unexpected version %q", path, out)
	}
	p := Interpreter{Path: path}
	switch m[1] {
	case "cpython":
		p.Impl = "CPython"
	case "pypy":
		p.Impl = "PyPy"
	default:
		return Interpreter{}, fmt.Errorf("%s: unsupported implementation %q", path, m[1])
	}
	p.Major, _ = strconv.Atoi(m[2])
	p.Minor, _ = strconv.Atoi(m[3])
	p.Patch, _ = strconv.Atoi(m[4])
	return p, nil
}

// Dump runs the dump script script under the interpreter at path, fed on
// its standard input with output in UTF-8 and no bytecode written, and
// parses what it prints. An error names the interpreter and carries its
// standard error.
func Dump[F any](path, script string, parse func([]byte) (F, error)) (F, error) {
	var zero F
	cmd := exec.Command(path, "-")
	cmd.Stdin = strings.NewReader(script)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return zero, fmt.Errorf("%s: %v: %s", path, err, strings.TrimSpace(stderr.String()))
	}
	f, err := parse(out)
	if err != nil {
		return zero, fmt.Errorf("%s: reading its facts: %w", path, err)
	}
	return f, nil
}

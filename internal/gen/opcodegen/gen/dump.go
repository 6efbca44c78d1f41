package gen

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// DumpScript is the Python program (runs on 2.7 and 3.6+) that prints an
// interpreter's opcode facts as JSON.
//
//go:embed dump.py
var DumpScript string

// Interpreter is a Python interpreter found on this machine.
type Interpreter struct {
	// Path is the executable.
	Path string
	// Impl is "CPython" or "PyPy".
	Impl string
	// Major, Minor and Patch are its version.
	Major, Minor, Patch int
}

// Key returns the fact file base name it dumps to, such as "cpython-3.11".
func (p Interpreter) Key() string {
	return fmt.Sprintf("%s-%d.%d", strings.ToLower(p.Impl), p.Major, p.Minor)
}

// Dump runs the dump script under the interpreter at path and returns its
// facts, normalised and validated.
func Dump(path string) (*Facts, error) {
	cmd := exec.Command(path, "-")
	cmd.Stdin = strings.NewReader(DumpScript)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONIOENCODING=utf-8")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %s", path, err, stderr.String())
	}
	f, err := Parse(out)
	if err != nil {
		return nil, fmt.Errorf("%s: reading its facts: %w", path, err)
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

var versionRE = regexp.MustCompile(`^(\S+) (\d+)\.(\d+)\.(\d+)`)

// probeVersion asks an interpreter for its implementation and version.
func probeVersion(path string) (Interpreter, error) {
	const script = `import sys
impl = getattr(getattr(sys, "implementation", None), "name", None) or ("pypy" if "__pypy__" in sys.builtin_module_names else "cpython")
sys.stdout.write("%s %d.%d.%d\n" % ((impl,) + tuple(sys.version_info[:3])))
`
	cmd := exec.Command(path, "-c", script)
	out, err := cmd.Output()
	if err != nil {
		return Interpreter{}, err
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

// pyenvRoot returns pyenv's root directory, or "".
func pyenvRoot() string {
	if r := os.Getenv("PYENV_ROOT"); r != "" {
		return r
	}
	if out, err := exec.Command("pyenv", "root").Output(); err == nil {
		if r := strings.TrimSpace(string(out)); r != "" {
			return r
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		r := filepath.Join(home, ".pyenv")
		if st, err := os.Stat(r); err == nil && st.IsDir() {
			return r
		}
	}
	return ""
}

// ExtraEnv names an environment variable holding more interpreters to use,
// separated by the OS list separator (such as a CPython build unpacked
// outside pyenv).
const ExtraEnv = "OPCODEGEN_PYTHONS"

// FindInterpreters lists the Python interpreters it can find: every pyenv
// version (called directly, not through the shims), pypy/pypy3 on PATH, and
// those listed in $OPCODEGEN_PYTHONS.
// When several share an implementation and X.Y, the newest patch release
// wins. The result is sorted by implementation and version.
func FindInterpreters() []Interpreter {
	var cands []string
	if root := pyenvRoot(); root != "" {
		dirs, _ := filepath.Glob(filepath.Join(root, "versions", "*", "bin"))
		for _, d := range dirs {
			for _, name := range []string{"python", "pypy3", "pypy"} {
				p := filepath.Join(d, name)
				if st, err := os.Stat(p); err == nil && !st.IsDir() {
					cands = append(cands, p)
					break
				}
			}
		}
	}
	for _, name := range []string{"pypy", "pypy3"} {
		if p, err := exec.LookPath(name); err == nil && !strings.Contains(p, "shims") {
			cands = append(cands, p)
		}
	}
	for _, p := range filepath.SplitList(os.Getenv(ExtraEnv)) {
		if p != "" {
			cands = append(cands, p)
		}
	}
	best := map[string]Interpreter{}
	for _, c := range cands {
		p, err := probeVersion(c)
		if err != nil {
			continue
		}
		if old, ok := best[p.Key()]; !ok || p.Patch > old.Patch {
			best[p.Key()] = p
		}
	}
	var out []Interpreter
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
	return out
}

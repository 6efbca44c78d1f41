// Package pytest finds the real Python interpreters and shared test data
// that oracle tests compare against, so that tests can skip with a clear
// message where they are absent.
package pytest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/interp"
)

// Interpreter is one installed CPython.
type Interpreter struct {
	// Version is "X.Y".
	Version string
	// Path is the interpreter binary.
	Path string
	// Prefix is the installation prefix (Path's grandparent directory).
	Prefix string
}

// Major and Minor return the version numbers.
func (in Interpreter) Major() int { m, _ := split(in.Version); return m }

// Minor returns the minor version number.
func (in Interpreter) Minor() int { _, n := split(in.Version); return n }

func split(v string) (int, int) {
	a, b, _ := strings.Cut(v, ".")
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	return x, y
}

// PyenvRoot returns pyenv's root directory.
func PyenvRoot() string { return interp.PyenvRoot() }

// Interpreters returns the CPython interpreters installed under pyenv,
// ordered by version, one per X.Y.
func Interpreters() []Interpreter {
	seen := map[[2]int]Interpreter{}
	for _, v := range interp.PyenvVersions(PyenvRoot()) {
		p := v.Bin("python")
		if _, err := os.Lstat(p); err != nil || v.Impl != "cpython" {
			continue
		}
		// The last of an X.Y in name order wins.
		seen[[2]int{v.Major, v.Minor}] = Interpreter{Version: fmt.Sprintf("%d.%d", v.Major, v.Minor), Path: p, Prefix: v.Dir}
	}
	out := make([]Interpreter, 0, len(seen))
	for _, in := range seen {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.Major() < b.Major() || a.Major() == b.Major() && a.Minor() < b.Minor()
	})
	return out
}

// RequireInterpreters returns the installed interpreters or skips the test.
func RequireInterpreters(t testing.TB) []Interpreter {
	t.Helper()
	ins := Interpreters()
	if len(ins) == 0 {
		t.Skipf("no Python interpreters under %s/versions (pyenv): oracle test skipped", PyenvRoot())
	}
	return ins
}

// RepoRoot returns the repository root (the directory holding go.mod).
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(filepath.Dir(file)))
}

// SharedDir returns ../shared beside the repository, or "" when absent.
func SharedDir() string {
	d := filepath.Join(filepath.Dir(RepoRoot()), "shared")
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		return d
	}
	return ""
}

// RequireShared returns a path under ../shared or skips the test.
func RequireShared(t testing.TB, rel string) string {
	t.Helper()
	d := SharedDir()
	if d == "" {
		t.Skipf("../shared is absent: test skipped")
	}
	p := filepath.Join(d, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s is absent: test skipped", p)
	}
	return p
}

// StdlibPycs returns the pyc files an interpreter's own installation holds
// (standard library, test suite, site-packages, optimized variants), sorted.
func StdlibPycs(in Interpreter) []string {
	lib := filepath.Join(in.Prefix, "lib", "python"+in.Version)
	var out []string
	filepath.WalkDir(lib, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if !d.IsDir() && (strings.HasSuffix(p, ".pyc") || strings.HasSuffix(p, ".pyo")) {
			out = append(out, p)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// Sample returns up to n items of xs spread evenly (all of them when n <= 0
// or n >= len(xs)).
func Sample(xs []string, n int) []string {
	if n <= 0 || n >= len(xs) {
		return xs
	}
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, xs[i*len(xs)/n])
	}
	return out
}

// Run runs the interpreter with args and returns its stdout.
func (in Interpreter) Run(stdin string, args ...string) ([]byte, error) {
	cmd := exec.Command(in.Path, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), "PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, &RunError{Err: err, Stderr: stderr.String()}
	}
	return out, nil
}

// RunError is a failed interpreter run with its standard error.
type RunError struct {
	Err    error
	Stderr string
}

func (e *RunError) Error() string { return e.Err.Error() + ": " + e.Stderr }

package gen

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// DumpScript is the Python 3 program that prints an interpreter's Unicode
// database version and the ranges of code points str.isprintable()
// accepts.
//
//go:embed dump.py
var DumpScript string

// ExtraEnv names an environment variable listing more interpreters to
// dump, separated like PATH (for example CPython builds unpacked outside
// pyenv, or wrapper scripts that run them).
const ExtraEnv = "UNICODEGEN_PYTHONS"

// Interpreter is a CPython 3 interpreter found on this machine.
type Interpreter struct {
	// Path is the executable (or a wrapper script).
	Path string
	// Major, Minor and Patch are its version.
	Major, Minor, Patch int
}

// Dump is what one interpreter reported.
type Dump struct {
	// Major, Minor and Patch are the interpreter's version.
	Major, Minor, Patch int
	// Unicode is its unicodedata.unidata_version.
	Unicode string
	// Ranges are the maximal ranges of printable code points.
	Ranges []Range
}

// RunDump runs DumpScript under the interpreter at path and returns its
// report, checked: the ranges must make valid facts.
func RunDump(path string) (*Dump, error) {
	cmd := exec.Command(path, "-")
	cmd.Stdin = strings.NewReader(DumpScript)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s: %v: %s", path, err, strings.TrimSpace(stderr.String()))
	}
	d, err := parseDump(out)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

var dumpVersionRE = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)$`)

// parseDump reads the dump script's output.
func parseDump(out []byte) (*Dump, error) {
	d := &Dump{}
	impl := ""
	sc := bufio.NewScanner(bytes.NewReader(out))
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		key, rest, _ := strings.Cut(line, " ")
		switch key {
		case "python":
			m := dumpVersionRE.FindStringSubmatch(rest)
			if m == nil {
				return nil, fmt.Errorf("line %d: bad version %q", n, rest)
			}
			d.Major, _ = strconv.Atoi(m[1])
			d.Minor, _ = strconv.Atoi(m[2])
			d.Patch, _ = strconv.Atoi(m[3])
		case "implementation":
			impl = rest
		case "unicode":
			d.Unicode = rest
		default:
			r, err := parseRangeLine(line)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			d.Ranges = append(d.Ranges, r)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if impl != "cpython" {
		return nil, fmt.Errorf("implementation %q: only CPython is supported", impl)
	}
	f := &Facts{Unicode: d.Unicode, Pythons: []PyVersion{{d.Major, d.Minor}}, Ranges: d.Ranges}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// probe asks an interpreter for its implementation and version.
func probe(path string) (Interpreter, error) {
	const script = `import sys
impl = getattr(getattr(sys, "implementation", None), "name", "cpython")
sys.stdout.write("%s %d.%d.%d\n" % ((impl,) + tuple(sys.version_info[:3])))
`
	out, err := exec.Command(path, "-c", script).Output()
	if err != nil {
		return Interpreter{}, fmt.Errorf("%s: %v", path, err)
	}
	impl, ver, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	m := dumpVersionRE.FindStringSubmatch(ver)
	if m == nil {
		return Interpreter{}, fmt.Errorf("%s: unexpected version %q", path, out)
	}
	if impl != "cpython" {
		return Interpreter{}, fmt.Errorf("%s: %s, not CPython", path, impl)
	}
	p := Interpreter{Path: path}
	p.Major, _ = strconv.Atoi(m[1])
	p.Minor, _ = strconv.Atoi(m[2])
	p.Patch, _ = strconv.Atoi(m[3])
	if p.Major != 3 {
		return Interpreter{}, fmt.Errorf("%s: Python %d.%d, not Python 3", path, p.Major, p.Minor)
	}
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

// FindInterpreters lists the CPython 3 interpreters it can find: every
// pyenv version's bin/python (called directly, not through the shims) and
// those listed in $UNICODEGEN_PYTHONS. pyenv versions that are not CPython
// 3 (2.7, PyPy) are skipped quietly; an interpreter listed in
// $UNICODEGEN_PYTHONS that cannot be run or is not CPython 3 is an error.
// When several share a major.minor version the newest patch release wins.
// The result is sorted by version.
func FindInterpreters() ([]Interpreter, error) {
	var found []Interpreter
	if root := pyenvRoot(); root != "" {
		bins, _ := filepath.Glob(filepath.Join(root, "versions", "*", "bin", "python"))
		for _, b := range bins {
			if p, err := probe(b); err == nil {
				found = append(found, p)
			}
		}
	}
	var errs []error
	for _, path := range filepath.SplitList(os.Getenv(ExtraEnv)) {
		if path == "" {
			continue
		}
		p, err := probe(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("$%s: %w", ExtraEnv, err))
			continue
		}
		found = append(found, p)
	}
	best := map[PyVersion]Interpreter{}
	for _, p := range found {
		k := PyVersion{p.Major, p.Minor}
		if old, ok := best[k]; !ok || p.Patch > old.Patch {
			best[k] = p
		}
	}
	out := make([]Interpreter, 0, len(best))
	for _, p := range best {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool {
		return PyVersion{out[i].Major, out[i].Minor}.less(PyVersion{out[j].Major, out[j].Minor})
	})
	return out, errors.Join(errs...)
}

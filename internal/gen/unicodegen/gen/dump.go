package gen

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pyc-tools/pyc/internal/gen/genutil"
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
type Interpreter = genutil.Interpreter

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
func RunDump(path string) (*Dump, error) { return genutil.Dump(path, DumpScript, parseDump) }

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

// FindInterpreters lists the CPython 3 interpreters it can find: every
// pyenv version's bin/python (called directly, not through the shims) and
// those listed in $UNICODEGEN_PYTHONS. pyenv versions that are not CPython
// 3 (2.7, PyPy) are skipped quietly; an interpreter listed in
// $UNICODEGEN_PYTHONS that cannot be run or is not CPython 3 is an error.
// When several share a major.minor version the newest patch release wins.
// The result is sorted by version.
func FindInterpreters() ([]Interpreter, error) {
	return genutil.Search{Bins: []string{"python"}, Env: ExtraEnv, Want: isCPython3}.Find()
}

// isCPython3 wants CPython 3.
func isCPython3(p Interpreter) error {
	if p.Impl != "CPython" {
		return fmt.Errorf("%s, not CPython", p.Impl)
	}
	if p.Major != 3 {
		return fmt.Errorf("Python %d.%d, not Python 3", p.Major, p.Minor)
	}
	return nil
}

package gen

import (
	_ "embed"
	"fmt"

	"github.com/pyc-tools/pyc/internal/gen/genutil"
)

// DumpScript is the Python program (runs on 2.7 and 3.6+) that prints an
// interpreter's opcode facts as JSON.
//
//go:embed dump.py
var DumpScript string

// Interpreter is a Python interpreter found on this machine; its Key is
// the base name of the fact file it dumps to, such as "cpython-3.11".
type Interpreter = genutil.Interpreter

// Dump runs the dump script under the interpreter at path and returns its
// facts, normalised and validated.
func Dump(path string) (*Facts, error) {
	f, err := genutil.Dump(path, DumpScript, Parse)
	if err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// ExtraEnv names an environment variable holding more interpreters to use,
// separated by the OS list separator (such as a CPython build unpacked
// outside pyenv).
const ExtraEnv = "OPCODEGEN_PYTHONS"

// FindInterpreters lists the Python interpreters it can find: every pyenv
// version (called directly, not through the shims), pypy/pypy3 on PATH, and
// those listed in $OPCODEGEN_PYTHONS; those that cannot be run are
// skipped. When several share an implementation and X.Y, the newest patch
// release wins. The result is sorted by implementation and version.
func FindInterpreters() []Interpreter {
	found, _ := genutil.Search{
		Bins: []string{"python", "pypy3", "pypy"},
		Path: []string{"pypy", "pypy3"},
		Env:  ExtraEnv,
	}.Find()
	return found
}

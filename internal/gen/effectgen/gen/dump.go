package gen

import (
	_ "embed"
	"errors"

	"github.com/pyc-tools/pyc/internal/gen/genutil"
)

// DumpScript is the Python program (CPython 3.6+) that prints an
// interpreter's stack-effect facts as JSON.
//
//go:embed dump.py
var DumpScript string

// Dump runs the dump script under the interpreter at path.
func Dump(path string) (*Facts, error) { return genutil.Dump(path, DumpScript, Parse) }

// Interpreters returns the CPython 3.6+ interpreters under pyenv (one per
// X.Y, the newest patch release), the ones whose dis has stack_effect.
func Interpreters() []genutil.Interpreter {
	found, _ := genutil.Search{Bins: []string{"python"}, Want: hasStackEffect}.Find()
	return found
}

// hasStackEffect wants CPython 3.6 and later.
func hasStackEffect(p genutil.Interpreter) error {
	if p.Impl != "CPython" || p.Major < 3 || p.Major == 3 && p.Minor < 6 {
		return errors.New("dis.stack_effect needs CPython 3.6 or later")
	}
	return nil
}

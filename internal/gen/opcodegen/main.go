// Command opcodegen maintains the opcode tables.
//
//	go run ./internal/gen/opcodegen          # facts -> opcode/tables_gen.go
//	go run ./internal/gen/opcodegen -dump    # installed interpreters -> facts, then tables
//	go run ./internal/gen/opcodegen -fmt     # canonicalise hand-edited fact files, then tables
//
// Fact files live in opcode/facts, one per implementation and version
// (cpython-3.11.json, pypy-2.7.json, ...). With -dump, the facts of every
// Python interpreter found (pyenv versions, pypy and pypy3 on PATH, and any
// listed in $OPCODEGEN_PYTHONS, separated like PATH) are
// re-dumped from the interpreter's own opcode, dis and _opcode modules;
// fact files for versions that cannot be run here are written by hand and
// left alone. The output is deterministic: running it twice gives the same
// bytes.
package main

import (
	"errors"

	"github.com/pyc-tools/pyc/internal/gen/genutil"
	"github.com/pyc-tools/pyc/internal/gen/opcodegen/gen"
)

func main() {
	tool := &genutil.Tool{
		Name:      "opcodegen",
		Facts:     "opcode/facts",
		Out:       "opcode/tables_gen.go",
		Pythons:   "Python interpreters",
		Dump:      dump,
		Canonical: genutil.Canonical(gen.Parse),
		Pattern:   "*.json",
		Generate:  genutil.FromFacts(gen.Load, gen.Generate),
	}
	tool.Main()
}

// dump re-dumps the fact files of every interpreter found.
func dump(dir string) error {
	interps := gen.FindInterpreters()
	if len(interps) == 0 {
		return errors.New("-dump: no Python interpreters found")
	}
	return genutil.DumpEach("opcodegen", dir, interps, gen.Dump)
}

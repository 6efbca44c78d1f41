// Command effectgen maintains the stack-effect tables of package build.
//
//	go run ./internal/gen/effectgen          # facts -> build/effects_gen.go
//	go run ./internal/gen/effectgen -dump    # installed interpreters -> facts, then tables
//	go run ./internal/gen/effectgen -fmt     # canonicalise hand-edited fact files, then tables
//
// With -dump, build/facts/stack-cpython-X.Y.json is rewritten from the
// dis.stack_effect of every CPython 3.6+ found under pyenv. The hand-written
// files (*.hand.json) are never touched. The output is deterministic.
package main

import (
	"errors"

	"github.com/pyc-tools/pyc/internal/gen/effectgen/gen"
	"github.com/pyc-tools/pyc/internal/gen/genutil"
)

func main() {
	tool := &genutil.Tool{
		Name:      "effectgen",
		Facts:     "build/facts",
		Out:       "build/effects_gen.go",
		Pythons:   "interpreters",
		Dump:      dump,
		Canonical: genutil.Canonical(gen.Parse),
		Pattern:   "stack-*.json",
		Generate:  genutil.FromFacts(gen.Load, gen.Generate),
	}
	tool.Main()
}

// dump re-dumps the fact files of every CPython 3.6+ under pyenv.
func dump(dir string) error {
	interps := gen.Interpreters()
	if len(interps) == 0 {
		return errors.New("-dump: no CPython 3.6+ interpreters under pyenv")
	}
	return genutil.DumpEach("effectgen", dir, interps, gen.Dump)
}

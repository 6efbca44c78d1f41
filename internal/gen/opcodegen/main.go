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
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pyc-tools/pyc/internal/gen/opcodegen/gen"
)

func main() {
	dump := flag.Bool("dump", false, "re-dump fact files from the installed Python interpreters first")
	factsDir := flag.String("facts", "", "fact file directory (default: opcode/facts in the module)")
	out := flag.String("out", "", "generated file (default: opcode/tables_gen.go in the module)")
	canon := flag.Bool("fmt", false, "rewrite every fact file in canonical form first (after hand edits)")
	flag.Parse()
	if err := run(*dump, *canon, *factsDir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "opcodegen:", err)
		os.Exit(1)
	}
}

// moduleRoot finds the directory holding go.mod, from the working directory
// up (go generate runs in opcode/, go run usually at the root).
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}

func run(dump, canon bool, factsDir, out string) error {
	if factsDir == "" || out == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		if factsDir == "" {
			factsDir = filepath.Join(root, "opcode", "facts")
		}
		if out == "" {
			out = filepath.Join(root, "opcode", "tables_gen.go")
		}
	}
	if dump {
		interps := gen.FindInterpreters()
		if len(interps) == 0 {
			return errors.New("-dump: no Python interpreters found")
		}
		for _, p := range interps {
			f, err := gen.Dump(p.Path)
			if err != nil {
				return err
			}
			data, err := f.Marshal()
			if err != nil {
				return err
			}
			path := filepath.Join(factsDir, f.Key()+".json")
			if err := writeIfChanged(path, data); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "opcodegen: dumped %s from %s\n", f.Key(), p.Path)
		}
	}
	if canon {
		paths, err := filepath.Glob(filepath.Join(factsDir, "*.json"))
		if err != nil {
			return err
		}
		for _, path := range paths {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			f, err := gen.Parse(data)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			if data, err = f.Marshal(); err != nil {
				return err
			}
			if err := writeIfChanged(path, data); err != nil {
				return err
			}
		}
	}
	all, err := gen.Load(factsDir)
	if err != nil {
		return err
	}
	src, err := gen.Generate(all)
	if err != nil {
		return err
	}
	return writeIfChanged(out, src)
}

// writeIfChanged writes data to path unless it already holds exactly that.
func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return os.WriteFile(path, data, 0o644)
}

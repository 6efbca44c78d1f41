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
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pyc-tools/pyc/internal/gen/effectgen/gen"
)

func main() {
	dump := flag.Bool("dump", false, "re-dump fact files from the installed interpreters first")
	canon := flag.Bool("fmt", false, "rewrite every fact file in canonical form first (after hand edits)")
	flag.Parse()
	if err := run(*dump, *canon); err != nil {
		fmt.Fprintln(os.Stderr, "effectgen:", err)
		os.Exit(1)
	}
}

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

func run(dump, canon bool) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	facts := filepath.Join(root, "build", "facts")
	if dump {
		interps := gen.Interpreters()
		if len(interps) == 0 {
			return errors.New("-dump: no CPython 3.6+ interpreters under pyenv")
		}
		for _, p := range interps {
			f, err := gen.Dump(p)
			if err != nil {
				return err
			}
			data, err := f.Marshal()
			if err != nil {
				return err
			}
			name := "stack-" + strings.ToLower(f.Impl) + "-" + f.Version + ".json"
			if err := writeIfChanged(filepath.Join(facts, name), data); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "effectgen: dumped %s from %s\n", f.Key(), p)
		}
	}
	if canon {
		paths, err := filepath.Glob(filepath.Join(facts, "stack-*.json"))
		if err != nil {
			return err
		}
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			f, err := gen.Parse(data)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			if data, err = f.Marshal(); err != nil {
				return err
			}
			if err := writeIfChanged(p, data); err != nil {
				return err
			}
		}
	}
	all, err := gen.Load(facts)
	if err != nil {
		return err
	}
	src, err := gen.Generate(all)
	if err != nil {
		return err
	}
	return writeIfChanged(filepath.Join(root, "build", "effects_gen.go"), src)
}

func writeIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return os.WriteFile(path, data, 0o644)
}

// Package genutil holds what the table generators under internal/gen
// (opcodegen, effectgen, unicodegen) share: the command line (-dump, -fmt,
// -facts, -out), reading and rewriting fact files, finding the Python
// interpreters to dump facts from and running a dump script under them.
// Each generator keeps its own fact format, dump script and output.
package genutil

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// Tool is one table generator: it reads a directory of fact files and
// writes one Go file from them.
type Tool struct {
	// Name is the command's name, for messages: "opcodegen".
	Name string
	// Facts and Out are the default fact directory and generated file,
	// slash-separated and relative to the module root.
	Facts, Out string
	// Pythons says which interpreters -dump asks, for its help text:
	// "Python interpreters".
	Pythons string
	// Dump rewrites the fact files in dir from the installed interpreters
	// (-dump).
	Dump func(dir string) error
	// Canonical returns a fact file's text in canonical form (see
	// Canonical); when set, -fmt rewrites the files in the fact directory
	// matching Pattern with it.
	Canonical func([]byte) ([]byte, error)
	// Pattern matches the fact files -fmt rewrites, such as "*.json".
	Pattern string
	// Generate returns the generated file's text for the fact directory dir
	// (see FromFacts).
	Generate func(dir string) ([]byte, error)
}

// Main runs the tool as the command line says and exits with a message on
// failure.
func (t *Tool) Main() {
	dump := flag.Bool("dump", false, "re-dump fact files from the installed "+t.Pythons+" first")
	canon := new(bool)
	if t.Canonical != nil {
		canon = flag.Bool("fmt", false, "rewrite every fact file in canonical form first (after hand edits)")
	}
	facts := flag.String("facts", "", "fact file directory (default: "+t.Facts+" in the module)")
	out := flag.String("out", "", "generated file (default: "+t.Out+" in the module)")
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := t.Run(*dump, *canon, *facts, *out); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", t.Name, err)
		os.Exit(1)
	}
}

// Run re-dumps the facts (with dump), rewrites the fact files in canonical
// form (with canon), then generates the output file, writing only files
// whose content changes. An empty factsDir or out stands for the default in
// the module holding the working directory.
func (t *Tool) Run(dump, canon bool, factsDir, out string) error {
	if factsDir == "" || out == "" {
		root, err := ModuleRoot()
		if err != nil {
			return err
		}
		if factsDir == "" {
			factsDir = filepath.Join(root, filepath.FromSlash(t.Facts))
		}
		if out == "" {
			out = filepath.Join(root, filepath.FromSlash(t.Out))
		}
	}
	if dump {
		if err := t.Dump(factsDir); err != nil {
			return err
		}
	}
	if canon {
		if err := Reformat(factsDir, t.Pattern, t.Canonical); err != nil {
			return err
		}
	}
	src, err := t.Generate(factsDir)
	if err != nil {
		return err
	}
	return WriteIfChanged(out, src)
}

// ModuleRoot finds the directory holding go.mod, from the working directory
// up (go generate runs in the package directory, go run usually at the
// root).
func ModuleRoot() (string, error) {
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

// WriteIfChanged writes data to path unless it already holds exactly that.
func WriteIfChanged(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	return os.WriteFile(path, data, 0o644)
}

// Command unicodegen maintains pyunicode's tables of printable code points.
//
//	go run ./internal/gen/unicodegen          # facts -> internal/pyunicode/tables_gen.go
//	go run ./internal/gen/unicodegen -dump    # installed interpreters -> facts, then tables
//
// CPython 3's str repr escapes the characters str.isprintable() rejects,
// and that depends on the Unicode database each CPython version ships. The
// fact files in internal/pyunicode/facts, one per Unicode version
// (unicode-13.0.0.txt, ...), record the printable code points as ranges and
// the CPython versions that use that database.
//
// With -dump, every CPython 3 interpreter found (each pyenv version's
// bin/python, and any listed in $UNICODEGEN_PYTHONS, separated like PATH)
// is asked, for every code point, whether chr(c).isprintable(), and for
// unicodedata.unidata_version; the fact files are updated to match. Fact
// files of versions that cannot be run here are left alone, and a fact file
// no Python version uses any more is removed. For example, with CPython
// 3.14 and 3.15 unpacked under /tmp/sid and run through wrapper scripts:
//
//	UNICODEGEN_PYTHONS=/tmp/sid/py314:/tmp/sid/py315 go run ./internal/gen/unicodegen -dump
//
// The output is deterministic: running it twice gives the same bytes.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pyc-tools/pyc/internal/gen/genutil"
	"github.com/pyc-tools/pyc/internal/gen/unicodegen/gen"
)

func main() {
	tool := &genutil.Tool{
		Name:     "unicodegen",
		Facts:    "internal/pyunicode/facts",
		Out:      "internal/pyunicode/tables_gen.go",
		Pythons:  "CPython interpreters",
		Dump:     dumpFacts,
		Generate: genutil.FromFacts(gen.Load, gen.Generate),
	}
	tool.Main()
}

// dumpFacts asks every interpreter found and rewrites the fact files.
func dumpFacts(factsDir string) error {
	interps, err := gen.FindInterpreters()
	if err != nil {
		return err
	}
	if len(interps) == 0 {
		return fmt.Errorf("-dump: no CPython 3 interpreters found (pyenv, $%s)", gen.ExtraEnv)
	}
	var dumps []*gen.Dump
	for _, p := range interps {
		d, err := gen.RunDump(p.Path)
		if err != nil {
			return err
		}
		if d.Major != p.Major || d.Minor != p.Minor {
			return fmt.Errorf("%s: said %d.%d, then %d.%d", p.Path, p.Major, p.Minor, d.Major, d.Minor)
		}
		fmt.Fprintf(os.Stderr, "unicodegen: CPython %d.%d.%d (%s): Unicode %s, %d ranges\n",
			d.Major, d.Minor, d.Patch, p.Path, d.Unicode, len(d.Ranges))
		dumps = append(dumps, d)
	}
	var existing []*gen.Facts
	if paths, _ := filepath.Glob(filepath.Join(factsDir, "unicode-*.txt")); len(paths) > 0 {
		if existing, err = gen.Load(factsDir); err != nil {
			return err
		}
	}
	merged, removed, err := gen.Merge(existing, dumps)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(factsDir, 0o755); err != nil {
		return err
	}
	for _, f := range merged {
		data, err := f.Marshal()
		if err != nil {
			return err
		}
		if err := genutil.WriteIfChanged(filepath.Join(factsDir, f.FileName()), data); err != nil {
			return err
		}
	}
	for _, u := range removed {
		f := &gen.Facts{Unicode: u}
		path := filepath.Join(factsDir, f.FileName())
		fmt.Fprintf(os.Stderr, "unicodegen: removing %s: no Python version uses Unicode %s any more\n", path, u)
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	return nil
}

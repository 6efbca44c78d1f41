package asm_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyc-tools/pyc/asm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

// FuzzAssemble feeds the assembler arbitrary text, seeded with the
// assembly of golden pycs of several versions. It must never panic; what
// it assembles must print as text that assembles to the same bytes.
func FuzzAssemble(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join(pytest.RepoRoot(), "testdata", "pycs", "*", "optimize.ts.pyc"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		pf, err := pyc.Parse(data, pyc.ParseOptions{})
		if err != nil {
			f.Fatal(err)
		}
		var text bytes.Buffer
		if err := asm.Print(&text, pf); err != nil {
			f.Fatal(err)
		}
		f.Add(text.Bytes())
	}
	f.Add([]byte(".magic 3531\ncode\n    .name 'm'\n    .filename 'x'\n    RESUME 0\n    RETURN_CONST None\nend\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		pf, err := asm.Assemble(src)
		if err != nil {
			return
		}
		data, err := pf.Bytes()
		if err != nil {
			return
		}
		var text bytes.Buffer
		if err := asm.Print(&text, pf); err != nil {
			return // e.g. a value the printer cannot write (NULL)
		}
		again, err := asm.Assemble(text.Bytes())
		if err != nil {
			t.Fatalf("printed text does not assemble: %v\n%s", err, text.String())
		}
		out, err := again.Bytes()
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("printed text assembles to other bytes (%v)\n%s", err, text.String())
		}
	})
}

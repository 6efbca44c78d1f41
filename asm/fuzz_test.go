package asm_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyc-tools/pyc/asm"
	"github.com/pyc-tools/pyc/disasm"
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

// FuzzAsmRoundTrip checks the printer and the assembler on pycs: whatever
// parses and prints (as "pyc dis -f asm" does: version refined from the
// bytecode) must assemble from its text to exactly the bytes it came from.
// The printer may refuse a file (an error), never panic, run away or print
// text that does not assemble back. Seeds: a few golden pycs of each
// version, and all of them (testdata/pycs/*/*.pyc) when fuzzing.
func FuzzAsmRoundTrip(f *testing.F) {
	pattern := "*.ts.pyc"
	if fl := flag.Lookup("test.fuzz"); fl != nil && fl.Value.String() != "" {
		pattern = "*.pyc"
	}
	paths, _ := filepath.Glob(filepath.Join(pytest.RepoRoot(), "testdata", "pycs", "*", pattern))
	for i, p := range paths {
		if pattern != "*.pyc" && i%8 != 0 {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pf, err := pyc.Parse(data, pyc.ParseOptions{})
		if err != nil {
			return
		}
		pf.Header.Version = disasm.Refine(pf.Version(), pf.TopCode())
		var text bytes.Buffer
		if err := asm.Print(&text, pf); err != nil {
			return // refused: a value or code object the text cannot say
		}
		again, err := asm.Assemble(text.Bytes())
		if err != nil {
			t.Fatalf("printed text does not assemble: %v\n%s", err, text.String())
		}
		out, err := again.Bytes()
		if err != nil {
			t.Fatalf("assembled file does not encode: %v", err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("round trip changed the bytes: first difference at offset %d of %d\n%s", firstDiff(out, data), len(data), text.String())
		}
	})
}

func firstDiff(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
)

func TestDisAsmRoundTrip(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(pytest.RepoRoot(), "testdata", "pycs", "*", "funcs.ts.pyc"))
	if len(paths) == 0 {
		t.Skip("no golden pycs")
	}
	dir := t.TempDir()
	for _, p := range paths {
		var out, errOut bytes.Buffer
		if code := Main([]string{"dis", "-f", "asm", p}, strings.NewReader(""), &out, &errOut); code != 0 {
			t.Fatalf("%s: pyc dis -f asm: %s", p, errOut.String())
		}
		src := filepath.Join(dir, "x.pyasm")
		if err := os.WriteFile(src, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		// Without -o the output is the input with .pyc for .pyasm.
		if code, e := runStatus("asm", src); code != 0 {
			t.Fatalf("%s: pyc asm: %s", p, e)
		}
		sameFiles(t, filepath.Join(dir, "x.pyc"), p)
		// Standard input, with -o.
		var errOut2 bytes.Buffer
		o := filepath.Join(dir, "y.pyc")
		if code := Main([]string{"asm", "-o", o, "-"}, bytes.NewReader(out.Bytes()), &bytes.Buffer{}, &errOut2); code != 0 {
			t.Fatalf("pyc asm -: %s", errOut2.String())
		}
		sameFiles(t, o, p)
	}
}

func TestAsmErrors(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "bad.pyasm")
	os.WriteFile(src, []byte(".magic 3531\ncode\n    .name 'x'\n    .filename 'x'\n    LOAD_FASTER y\nend\n"), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"asm", src}, ExitError, src + ":5:5: unknown opcode LOAD_FASTER"},
		{[]string{"asm", "-"}, ExitUsage, "needs -o"},
		{[]string{"asm"}, ExitUsage, "accepts 1 arg"},
		{[]string{"dis", "-f", "asm", "--code", "f", src}, ExitUsage, "--code and --show-* do not apply"},
		{[]string{"dis", "-f", "asm", src, src}, ExitUsage, "-f asm takes one file"},
		{[]string{"dis", "-f", "nasm", src}, ExitUsage, "want dis, json or asm"},
	} {
		code, msg := runStatus(tc.args...)
		if code != tc.code || !strings.Contains(msg, tc.msg) {
			t.Errorf("%v: have %d %q, want %d and %q", tc.args, code, msg, tc.code, tc.msg)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.pyc")); err == nil {
		t.Error("a failed assembly wrote its output")
	}
}

// TestAsmFlags checks the flag parsing of pyc asm apart from running it.
func TestAsmFlags(t *testing.T) {
	var got *asmOptions
	cmd := newAsmCmd(&IO{}, func(o *asmOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-o", "out.pyc", "in.pyasm"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.File != "in.pyasm" || got.Output != "out.pyc" {
		t.Errorf("have %+v", got)
	}
}

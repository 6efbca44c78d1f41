package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// dis --json over several files writes one array, element by element; it
// must be what the files' single listings make, indented as writeJSON
// indents an array, with "null" for none.
func TestDisJSONStream(t *testing.T) {
	a, b := testdata("3.8", "funcs.ts.pyc"), testdata("2.7", "consts.ts.pyc")
	var singles []string
	for _, f := range []string{a, b} {
		out, errOut, code := runCLI(t, "dis", "--json", f)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, errOut)
		}
		singles = append(singles, "  "+strings.ReplaceAll(strings.TrimSuffix(out, "\n"), "\n", "\n  "))
	}
	want := "[\n" + strings.Join(singles, ",\n") + "\n]\n"
	out, errOut, code := runCLI(t, "dis", "--json", a, b)
	if code != 0 || out != want {
		t.Errorf("exit %d (%s); output differs from the single listings:\n%.300s", code, errOut, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.pyc")
	os.WriteFile(bad, []byte("junk"), 0o644)
	out, _, code = runCLI(t, "dis", "--json", bad, bad)
	if code != 1 || out != "null\n" {
		t.Errorf("no listing: exit %d, output %q, want 1 and null", code, out)
	}
	out, _, code = runCLI(t, "dis", "--json", bad, a)
	if code != 1 || out != "[\n"+singles[0]+"\n]\n" {
		t.Errorf("one listing of two: exit %d, output %.200q", code, out)
	}
}

// A pyc whose top-level object is not a code object: dis says where that
// object is.
func TestDisNotCode(t *testing.T) {
	data, err := os.ReadFile(testdata("3.12", "empty.ts.pyc"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := pyc.Parse(data, pyc.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f.Code = &marshal.Int{Small: 7}
	data, err = f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "int.pyc")
	os.WriteFile(name, data, 0o644)
	for _, args := range [][]string{{"dis"}, {"dis", "--json"}, {"dis", "-f", "asm"}} {
		_, errOut, code := runCLI(t, append(args, name)...)
		if want := "pyc: " + name + ": offset 16: the file holds a int, not a code object\n"; code != 1 || errOut != want {
			t.Errorf("%v: exit %d, stderr %q, want 1 and %q", args, code, errOut, want)
		}
	}
}

package asm_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/asm"
	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

func contains(xs []string, s string) bool { return slices.Contains(xs, s) }

// findCode returns the code object named name among c's constants, at any
// depth.
func findCode(c *marshal.Code, name string) *marshal.Code {
	if c == nil {
		return nil
	}
	if c.NameString() == name {
		return c
	}
	for _, k := range c.Consts.Items {
		if m, ok := k.(*marshal.Code); ok {
			if f := findCode(m, name); f != nil {
				return f
			}
		}
	}
	return nil
}

// editSource is compiled by each interpreter, printed as assembly, edited
// as text, assembled and run. The edits: the constant 'hello' changed, the
// statement on line 13 (in a try block, in a loop) duplicated, the one on
// line 16 (in the loop, after the try) deleted.
const editSource = `from __future__ import print_function


def work(items):
    total = 0
    for i in items:
        try:
            if i == 3:
                raise ValueError("three")
            total += i
            if i > 100:
                return -1
            print("item", i)
        except ValueError as e:
            print("caught", e)
        print("after", i)
    return total


print("hello")
print(work([1, 2, 3, 4]))
`

const (
	dupLine = 13
	delLine = 16
)

// editedSource is editSource with the same edits made to the source.
func editedSource() string {
	lines := strings.Split(editSource, "\n")
	var out []string
	for i, l := range lines {
		switch i + 1 {
		case dupLine:
			out = append(out, l, l)
		case delLine:
		default:
			out = append(out, strings.ReplaceAll(l, `"hello"`, `"HELLO"`))
		}
	}
	return strings.Join(out, "\n")
}

// statement returns the line range [start, end] of the text holding the
// instructions of source line n: from its .line directive to the POP_TOP
// ending the expression statement.
func statement(t *testing.T, lines []string, n int) (int, int) {
	t.Helper()
	dir := fmt.Sprintf(".line %d", n)
	for i, l := range lines {
		if strings.TrimSpace(l) != dir {
			continue
		}
		for j := i + 1; j < len(lines); j++ {
			f := strings.Fields(lines[j])
			if len(f) > 0 && f[0] == "POP_TOP" {
				return i, j
			}
		}
	}
	t.Fatalf("no %q followed by POP_TOP in the assembly", dir)
	return 0, 0
}

// edit makes the edits on assembly text: the constant, the duplicated and
// the deleted statement, a new local variable stored and loaded before the
// duplicated statement, and the return statement moved to line 117.
func edit(t *testing.T, text string) string {
	text = strings.ReplaceAll(text, `'hello'`, `'HELLO'`)
	text = strings.Replace(text, ".line 17\n", ".line 117\n", 1)
	lines := strings.Split(text, "\n")
	ds, de := statement(t, lines, dupLine)
	xs, xe := statement(t, lines, delLine)
	if xs < de {
		t.Fatal("the deleted statement comes before the duplicated one")
	}
	newLocal := []string{"LOAD_CONST 7", "STORE_FAST newlocal", "LOAD_FAST newlocal", "POP_TOP"}
	var out []string
	out = append(out, lines[:ds+1]...)
	out = append(out, newLocal...)
	out = append(out, lines[ds+1:de+1]...)
	out = append(out, lines[ds:de+1]...)   // the copy
	out = append(out, lines[de+1:xs+1]...) // keep the .line of the deleted statement
	out = append(out, lines[xe+1:]...)
	return strings.Join(out, "\n")
}

func compile(t *testing.T, in pytest.Interpreter, dir, name, src string) string {
	t.Helper()
	py := filepath.Join(dir, name+".py")
	if err := os.WriteFile(py, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, name+".pyc")
	script := fmt.Sprintf("import py_compile; py_compile.compile(%q, cfile=%q, doraise=True)", py, out)
	if _, err := in.Run("", "-c", script); err != nil {
		t.Fatalf("%s: compiling: %v", in.Version, err)
	}
	return out
}

// TestEditAndRun takes a module compiled by each interpreter, edits its
// assembly (a constant changed, a statement inside a try block in a loop
// duplicated, another in the loop deleted, a new local variable used, a
// line number changed), assembles it and runs it: the output must be that
// of the source edited the same way, and the new local and line must be in
// the code object.
func TestEditAndRun(t *testing.T) {
	for _, in := range pytest.RequireInterpreters(t) {
		t.Run(in.Version, func(t *testing.T) {
			dir := t.TempDir()
			pycPath := compile(t, in, dir, "orig", editSource)
			f, err := pyc.Open(pycPath)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := asm.Print(&buf, f); err != nil {
				t.Fatal(err)
			}
			// Unedited, the text gives back the file.
			g, err := asm.Assemble(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			data, _ := os.ReadFile(pycPath)
			if b, _ := g.Bytes(); !bytes.Equal(b, data) {
				t.Fatal("unedited assembly does not give back the file")
			}
			edited := edit(t, buf.String())
			g, err = asm.Assemble([]byte(edited))
			if err != nil {
				t.Fatalf("assembling the edited text: %v", err)
			}
			b, err := g.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			got := filepath.Join(dir, "edited.pyc")
			if err := os.WriteFile(got, b, 0o644); err != nil {
				t.Fatal(err)
			}
			have, err := in.Run("", got)
			if err != nil {
				t.Fatalf("running the edited pyc: %v\n%s", err, edited)
			}
			want, err := in.Run("", filepath.Join(dir, "want.py"))
			if err != nil {
				if err := os.WriteFile(filepath.Join(dir, "want.py"), []byte(editedSource()), 0o644); err != nil {
					t.Fatal(err)
				}
				want, err = in.Run("", filepath.Join(dir, "want.py"))
				if err != nil {
					t.Fatal(err)
				}
			}
			if string(have) != string(want) {
				t.Errorf("have output\n%s\nwant\n%s", have, want)
			}
			if strings.Count(string(have), "item 1") != 2 || strings.Contains(string(have), "after") || !strings.Contains(string(have), "HELLO") {
				t.Errorf("the edits did not take: %q", have)
			}
			// The new local and the moved line are in the code object.
			ef, err := pyc.Open(got)
			if err != nil {
				t.Fatal(err)
			}
			work := findCode(ef.TopCode(), "work")
			if work == nil {
				t.Fatal("no work() in the edited file")
			}
			dc, err := disasm.NewCode(work, ef.Version())
			if err != nil {
				t.Fatal(err)
			}
			if !contains(dc.LocalNames(), "newlocal") {
				t.Errorf("newlocal is not among the locals %v", dc.LocalNames())
			}
			if ef.Version().LineTable != pyc.LineTableLocations && !ef.Version().AtLeast(3, 11) && int(work.NLocals) != len(dc.LocalNames()) {
				t.Errorf("co_nlocals %d, %d locals", work.NLocals, len(dc.LocalNames()))
			}
			moved := false
			for _, r := range dc.Lines() {
				moved = moved || r.Line == 117
			}
			if !moved {
				t.Error("no instruction on the moved line 117")
			}
		})
	}
}

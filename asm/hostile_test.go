package asm_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyc-tools/pyc/asm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// withConst returns the bytes of testdata's empty 3.12 module with k
// appended to its constants, parsed again (so that it is what a decoder
// makes of such a file).
func withConst(t *testing.T, k marshal.Value) *pyc.File {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(pytest.RepoRoot(), "testdata", "pycs", "3.12", "empty.ts.pyc"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := pyc.Parse(data, pyc.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	top := f.TopCode()
	top.Consts.Items = append(top.Consts.Items, k)
	data, err = f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	f, err = pyc.Parse(data, pyc.ParseOptions{Path: "x.pyc"})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// printFails prints f, which must fail within a second with a
// *pyc.CodeError whose message contains want.
func printFails(t *testing.T, f *pyc.File, want string) {
	t.Helper()
	start := time.Now()
	err := asm.Print(&bytes.Buffer{}, f)
	if d := time.Since(start); d > time.Second {
		t.Errorf("Print took %v", d)
	}
	var ce *pyc.CodeError
	if err == nil || !errors.As(err, &ce) || !strings.Contains(err.Error(), want) {
		t.Fatalf("Print: have %v, want a *pyc.CodeError saying %q", err, want)
	}
	located := f.Locate("x.pyc", err).Error()
	want = fmt.Sprintf("x.pyc: offset %d: code object %s: ", f.BodyOffset()+ce.Code.Offset, ce.Code.QualNameString())
	if !strings.HasPrefix(located, want) {
		t.Errorf("located: %s", located)
	}
}

// A tuple that holds itself (which CPython's marshal reads) has no text:
// Print says so instead of writing forever.
func TestPrintSelfContainingTuple(t *testing.T) {
	tu := &marshal.Tuple{Encoding: marshal.Encoding{Type: '(', Ref: true}}
	tu.Items = []marshal.Value{marshal.None, tu}
	f := withConst(t, tu)
	if k := f.TopCode().Consts.Items[1].(*marshal.Tuple); k.Items[1] != marshal.Value(k) {
		t.Fatal("the decoded tuple does not hold itself")
	}
	printFails(t, f, "a tuple that contains itself")
}

// A tuple holding one tuple twice, which holds one tuple twice, and so on,
// is a few hundred bytes in the stream and 2**40 leaves as text: Print
// gives up within its budget.
func TestPrintExponentialSharing(t *testing.T) {
	var v marshal.Value = &marshal.Str{Encoding: marshal.Encoding{Type: 'z'}, Data: []byte("leaf")}
	for range 40 {
		v = &marshal.Tuple{Encoding: marshal.Encoding{Type: ')', Ref: true}, Items: []marshal.Value{v, v}}
	}
	f := withConst(t, v)
	if f.Size > 1000 {
		t.Fatalf("the file has %d bytes", f.Size)
	}
	printFails(t, f, "the text would exceed")
}

// A code object's name goes into a comment after "code": a line break in
// it must not end the comment.
func TestPrintNameWithLineBreak(t *testing.T) {
	f := withConst(t, marshal.None)
	top := f.TopCode()
	top.QualName = &marshal.Str{Encoding: marshal.Encoding{Type: 'z'}, Data: []byte("<modu\ne>\r")}
	data, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !roundTrip(t, "name with a line break", data) {
		t.Fatal("does not decode")
	}
}

// A code object shared among the constants of another, and so on 40 times
// over, is 2**40 code blocks as text: Print gives up within its budget and
// a second.
func TestPrintSharedCode(t *testing.T) {
	f := withConst(t, marshal.None)
	top := f.TopCode()
	cur := *top
	for range 40 {
		up := *top
		cur.Ref = true
		c := cur
		up.Consts = &marshal.Tuple{Encoding: marshal.Encoding{Type: '('}, Items: []marshal.Value{&c, &c}}
		cur = up
	}
	f.Code = &cur
	data, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if f, err = pyc.Parse(data, pyc.ParseOptions{}); err != nil {
		t.Fatal(err)
	}
	printFails(t, f, "the text would exceed")
}

package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyc-tools/pyc/asm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

// runStatus runs the command line and returns its exit status and error output.
func runStatus(args ...string) (int, string) {
	var out, errOut bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errOut)
	return code, errOut.String()
}

// pyCompile compiles src with the interpreter's py_compile in the given
// invalidation mode ("" for the version's default).
func pyCompile(t *testing.T, in pytest.Interpreter, src, out, mode string) {
	t.Helper()
	arg := ""
	if mode != "" {
		arg = ", invalidation_mode=py_compile.PycInvalidationMode." + mode
	}
	script := fmt.Sprintf("import py_compile; py_compile.compile(%q, cfile=%q, doraise=True%s)", src, out, arg)
	if _, err := in.Run("", "-c", script); err != nil {
		t.Fatalf("%s: py_compile: %v", in.Version, err)
	}
}

func sameFiles(t *testing.T, have, want string) {
	t.Helper()
	a, err := os.ReadFile(have)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("%s differs from %s:\nhave % x\nwant % x", filepath.Base(have), filepath.Base(want), a[:min(len(a), 16)], b[:min(len(b), 16)])
	}
}

// TestHeaderAgainstPyCompile converts pycs between invalidation modes,
// restamps them from a source and wraps a bare marshal stream, and checks
// each result is byte for byte what py_compile writes, and that the
// interpreter runs it.
func TestHeaderAgainstPyCompile(t *testing.T) {
	for _, in := range pytest.RequireInterpreters(t) {
		t.Run(in.Version, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "mod.py")
			if err := os.WriteFile(src, []byte("print('from mod')\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			stamp := time.Unix(1600000000, 0)
			os.Chtimes(src, stamp, stamp)
			p := func(name string) string { return filepath.Join(dir, name) }
			hashes := in.Major() > 3 || in.Major() == 3 && in.Minor() >= 7
			pyCompile(t, in, src, p("ts.pyc"), map[bool]string{true: "TIMESTAMP"}[hashes])

			// Restamp: an old pyc, the source touched, then the header
			// rewritten from the source equals a fresh compile.
			later := time.Unix(1700000123, 0)
			if err := os.WriteFile(src, []byte("print('from mod')   \n"), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Chtimes(src, later, later)
			pyCompile(t, in, src, p("fresh.pyc"), map[bool]string{true: "TIMESTAMP"}[hashes])
			if code, e := runStatus("header", "--source", src, "-o", p("restamped.pyc"), p("ts.pyc")); code != 0 {
				t.Fatalf("pyc header: %s", e)
			}
			// The stream differs only if the compiler's output does; the
			// source change is whitespace, so it does not.
			sameFiles(t, p("restamped.pyc"), p("fresh.pyc"))

			// Wrap a bare marshal stream.
			stream := fmt.Sprintf("import marshal; d = open(%q, 'rb').read(); open(%q, 'wb').write(d[%d:])",
				p("fresh.pyc"), p("bare"), map[bool]int{true: 16, false: 8}[hashes]+map[bool]int{true: 4}[in.Major() == 3 && in.Minor() == 6])
			if _, err := in.Run("", "-c", stream); err != nil {
				t.Fatal(err)
			}
			if code, e := runStatus("header", "--headerless", "--python-version", in.Version, "--source", src, "-o", p("wrapped.pyc"), p("bare")); code != 0 {
				t.Fatalf("pyc header --headerless: %s", e)
			}
			sameFiles(t, p("wrapped.pyc"), p("fresh.pyc"))
			if out, err := in.Run("", p("wrapped.pyc")); err != nil || string(out) != "from mod\n" {
				t.Errorf("running the wrapped pyc: %q %v", out, err)
			}
			if !hashes {
				return
			}
			pyCompile(t, in, src, p("checked.pyc"), "CHECKED_HASH")
			pyCompile(t, in, src, p("unchecked.pyc"), "UNCHECKED_HASH")
			for _, tc := range []struct{ from, mode, want string }{
				{"fresh.pyc", "checked-hash", "checked.pyc"},
				{"fresh.pyc", "unchecked-hash", "unchecked.pyc"},
				{"checked.pyc", "unchecked-hash", "unchecked.pyc"},
				{"unchecked.pyc", "timestamp", "fresh.pyc"},
				{"checked.pyc", "timestamp", "fresh.pyc"},
			} {
				out := p("out-" + tc.mode + "-" + tc.from)
				if code, e := runStatus("header", "--mode", tc.mode, "--source", src, "-o", out, p(tc.from)); code != 0 {
					t.Fatalf("pyc header --mode %s: %s", tc.mode, e)
				}
				sameFiles(t, out, p(tc.want))
				if o, err := in.Run("", out); err != nil || string(o) != "from mod\n" {
					t.Errorf("running %s: %q %v", filepath.Base(out), o, err)
				}
			}
			// --in-place, on a copy.
			data, _ := os.ReadFile(p("fresh.pyc"))
			os.WriteFile(p("inplace.pyc"), data, 0o644)
			if code, e := runStatus("header", "--mode", "checked-hash", "--source", src, "--in-place", p("inplace.pyc")); code != 0 {
				t.Fatalf("pyc header --in-place: %s", e)
			}
			sameFiles(t, p("inplace.pyc"), p("checked.pyc"))
		})
	}
}

func TestHeaderUsage(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "x.pyc")
	os.WriteFile(f, []byte{0x55, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'N'}, 0o644)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"header", f}, ExitUsage, "give -o OUT, or --in-place"},
		{[]string{"header", "--in-place", "-o", "y", f}, ExitUsage, "not both"},
		{[]string{"header", "--headerless", "-o", "y", f}, ExitUsage, "needs --python-version"},
		{[]string{"header", "--mode", "sometimes", "-o", "y", f}, ExitUsage, "unknown invalidation mode"},
		{[]string{"header", "--mode", "checked-hash", "-o", filepath.Join(dir, "y"), f}, ExitError, "needs the source"},
		{[]string{"header", "--python-version", "2.7", "-o", filepath.Join(dir, "y"), f}, ExitError, "not laid out as"},
	} {
		code, msg := runStatus(tc.args...)
		if code != tc.code || !strings.Contains(msg, tc.msg) {
			t.Errorf("%v: have %d %q, want %d and %q", tc.args, code, msg, tc.code, tc.msg)
		}
	}
	// Nothing was written over the input.
	if b, _ := os.ReadFile(f); len(b) != 17 {
		t.Error("the input changed")
	}
	// Another version of the same layout: 3.8 to 3.9 (3425).
	out := filepath.Join(dir, "z.pyc")
	if code, msg := runStatus("header", "--python-version", "3.9", "-o", out, f); code != 0 {
		t.Fatal(msg)
	}
	if b, _ := os.ReadFile(out); len(b) != 17 || b[0] != 0x61 || b[1] != 0x0d || b[16] != 'N' {
		t.Errorf("have % x", b)
	}
}

// TestNoOverwriteInput: pyc header and pyc asm refuse to write over their
// input, by its own name or another (symlink, hard link), unless asked
// (header --in-place).
func TestNoOverwriteInput(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "x.pyc")
	pycData := []byte{0x55, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'N'}
	os.WriteFile(f, pycData, 0o644)
	src := filepath.Join(dir, "x.pyasm")
	golden, err := pyc.Open(filepath.Join(pytest.RepoRoot(), "testdata", "pycs", "3.12", "consts.ts.pyc"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := asm.Print(&buf, golden); err != nil {
		t.Fatal(err)
	}
	text := buf.String() // assembles
	os.WriteFile(src, []byte(text), 0o644)
	sym, hard, asmLink := filepath.Join(dir, "sym.pyc"), filepath.Join(dir, "hard.pyc"), filepath.Join(dir, "x.pyc.pyasm")
	if err := os.Symlink("x.pyc", sym); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(f, hard); err != nil {
		t.Fatal(err)
	}
	// The default output of x.pyc.pyasm is x.pyc.pyc: make that the input.
	os.Symlink("x.pyc.pyasm", filepath.Join(dir, "x.pyc.pyc"))
	os.WriteFile(asmLink, []byte(text), 0o644)
	for _, args := range [][]string{
		{"header", "--mtime", "1", "-o", f, f},
		{"header", "--mtime", "1", "-o", sym, f},
		{"header", "--mtime", "1", "-o", hard, f},
		{"header", "--mtime", "1", "-o", f, sym},
		{"asm", "-o", src, src},
		{"asm", asmLink},
	} {
		code, msg := runStatus(args...)
		if code != ExitUsage || !strings.Contains(msg, "itself") && !strings.Contains(msg, "refusing") {
			t.Errorf("%v: have %d %q, want a refusal", args, code, msg)
		}
	}
	if b, _ := os.ReadFile(f); !bytes.Equal(b, pycData) {
		t.Error("the pyc changed")
	}
	for _, p := range []string{src, asmLink} {
		if b, _ := os.ReadFile(p); string(b) != text {
			t.Errorf("%s changed", p)
		}
	}
	if fi, err := os.Lstat(sym); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced")
	}
	// Asked: --in-place rewrites it.
	if code, msg := runStatus("header", "--mtime", "1", "--in-place", f); code != 0 {
		t.Fatal(msg)
	}
	if b, _ := os.ReadFile(f); len(b) != 17 || b[8] != 1 {
		t.Errorf("--in-place: have % x", b)
	}
	// Through a symlink: the file it names is rewritten, the link stays.
	if code, msg := runStatus("header", "--mtime", "2", "--in-place", sym); code != 0 {
		t.Fatal(msg)
	}
	if fi, err := os.Lstat(sym); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Error("--in-place replaced the symlink")
	}
	if b, _ := os.ReadFile(f); len(b) != 17 || b[8] != 2 {
		t.Errorf("--in-place through a symlink: have % x", b)
	}
}

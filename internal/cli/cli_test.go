package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
)

func testdata(parts ...string) string {
	return filepath.Join(append([]string{pytest.RepoRoot(), "testdata", "pycs"}, parts...)...)
}

// run runs the command line and returns stdout, stderr and the status.
func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestInfoJSON(t *testing.T) {
	out, errOut, code := runCLI(t, "info", "--json", testdata("2.7", "funcs.ts.pyc"), testdata("3.12", "funcs.checked.pyc"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var infos []map[string]any
	if err := json.Unmarshal([]byte(out), &infos); err != nil {
		t.Fatal(err)
	}
	if len(infos) != 2 {
		t.Fatalf("have %d objects, want 2", len(infos))
	}
	want := []map[string]any{
		{"magic": 62211.0, "magic_hex": "03f30d0a", "implementation": "CPython", "version": "2.7", "mode": "timestamp"},
		{"magic": 3531.0, "magic_hex": "cb0d0d0a", "implementation": "CPython", "version": "3.12", "mode": "checked-hash"},
	}
	for i, w := range want {
		for k, v := range w {
			if infos[i][k] != v {
				t.Errorf("file %d: %s: have %v, want %v", i, k, infos[i][k], v)
			}
		}
		if infos[i]["file"] == nil {
			t.Errorf("file %d: no \"file\" field", i)
		}
	}
}

func TestDumpJSONTellsFilesApart(t *testing.T) {
	a, _, code1 := runCLI(t, "dump", "--json", testdata("3.11", "funcs.ts.pyc"))
	b, _, code2 := runCLI(t, "dump", "--json", testdata("3.11", "funcs.checked.pyc"))
	if code1 != 0 || code2 != 0 {
		t.Fatalf("exit %d, %d", code1, code2)
	}
	var doc struct {
		Object struct {
			Type   string `json:"type"`
			Fields []struct {
				Name string `json:"name"`
			} `json:"fields"`
		} `json:"object"`
	}
	if err := json.Unmarshal([]byte(a), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Object.Type != "code" || len(doc.Object.Fields) != 16 {
		t.Errorf("have %s with %d fields, want a 3.11 code object with 16", doc.Object.Type, len(doc.Object.Fields))
	}
	if a == b {
		t.Error("dumps of different pycs are equal")
	}
}

func TestCheck(t *testing.T) {
	out, errOut, code := runCLI(t, "check", testdata("3.10"))
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errOut)
	}
	if !strings.Contains(out, "checked") || !strings.HasSuffix(strings.TrimSpace(out), "0 failed") {
		t.Errorf("closing line: %q", out)
	}
	// A truncated copy fails with its name and the offset.
	dir := t.TempDir()
	data, err := os.ReadFile(testdata("3.10", "funcs.ts.pyc"))
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.pyc")
	if err := os.WriteFile(bad, data[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code = runCLI(t, "check", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(out, bad+": offset ") || !strings.Contains(out, "1 checked, 0 ok, 1 failed") {
		t.Errorf("output: %q", out)
	}
}

func TestStaleSource(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "m.py")
	if err := os.WriteFile(src, []byte("x = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(testdata("3.12", "empty.ts.pyc"))
	cache := filepath.Join(dir, "__pycache__")
	os.Mkdir(cache, 0o755)
	if err := os.WriteFile(filepath.Join(cache, "m.cpython-312.pyc"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code := runCLI(t, "check", dir)
	if code != 1 || !strings.Contains(out, "stale: ") {
		t.Errorf("exit %d, output %q: want a stale pyc", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	tests := [][]string{
		{"info"},
		{"dis", "--no-such-flag", "x.pyc"},
		{"dis", "--show-caches", testdata("3.8", "funcs.ts.pyc")},
		{"info", "--headerless", testdata("3.8", "funcs.ts.pyc")},
		{"info", "--python-version", "9.9", testdata("3.8", "funcs.ts.pyc")},
	}
	for _, args := range tests {
		if _, errOut, code := runCLI(t, args...); code != 2 || errOut == "" {
			t.Errorf("%v: exit %d (%q), want 2 with a message", args, code, errOut)
		}
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	forged := filepath.Join(dir, "forged.pyc")
	os.WriteFile(forged, []byte{0x34, 0x12, '\r', '\n', 0, 0, 0, 0}, 0o644)
	_, errOut, code := runCLI(t, "info", forged)
	if code != 1 || !strings.Contains(errOut, forged) || !strings.Contains(errOut, "unknown magic") || !strings.Contains(errOut, "nearest known") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	_, errOut, code = runCLI(t, "dis", "--code", "nope", testdata("3.8", "funcs.ts.pyc"))
	if code != 1 || !strings.Contains(errOut, `no code object named "nope"`) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestHeaderlessOverride(t *testing.T) {
	data, _ := os.ReadFile(testdata("3.9", "funcs.ts.pyc"))
	blob := filepath.Join(t.TempDir(), "blob.bin")
	os.WriteFile(blob, data[16:], 0o644)
	out, errOut, code := runCLI(t, "info", "--json", "--headerless", "--python-version", "3.9", blob)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, `"headerless": true`) || !strings.Contains(out, `"version": "3.9"`) {
		t.Errorf("output: %s", out)
	}
}

func TestDisGolden(t *testing.T) {
	for _, name := range []string{testdata("2.7", "funcs.ts.pyc"), testdata("3.8", "funcs.ts.pyc")} {
		want, err := os.ReadFile(name + ".dis")
		if err != nil {
			t.Fatal(err)
		}
		out, errOut, code := runCLI(t, "dis", name)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		if norm(out) != norm(string(want)) {
			t.Errorf("%s: listing differs from the interpreter's", name)
		}
	}
}

// norm drops trailing blanks and code object addresses.
func norm(s string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		l = strings.TrimRight(l, " ")
		for {
			i := strings.Index(l, " at 0x")
			if i < 0 || strings.HasPrefix(l[i:], " at 0x?") {
				break
			}
			j := i + 6
			for j < len(l) && strings.IndexByte("0123456789abcdef", l[j]) >= 0 {
				j++
			}
			l = l[:i] + " at 0x?" + l[j:]
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}

// TestOneCommandRoot checks that the tree Main builds for a command line
// naming a subcommand (that subcommand only) behaves as the whole tree:
// same help, same errors, same statuses.
func TestOneCommandRoot(t *testing.T) {
	full := NewRootCmd(&IO{})
	if len(full.Commands()) != len(commands) {
		t.Fatalf("the whole tree has %d commands, the table %d", len(full.Commands()), len(commands))
	}
	for _, c := range commands {
		for _, args := range [][]string{
			{c.name, "--help"},
			{c.name, "--no-such-flag"},
			{c.name, "-h", "extra"},
			{c.name},
		} {
			if c.name == "serve" && len(args) == 1 {
				continue // would run a server
			}
			var outA, errA, outB, errB bytes.Buffer
			ios := &IO{In: strings.NewReader(""), Out: &outA, ErrOut: &errA}
			codeA := execute(NewRootCmd(ios), args, ios)
			ios = &IO{In: strings.NewReader(""), Out: &outB, ErrOut: &errB}
			codeB := execute(newRoot(ios, args), args, ios)
			if codeA != codeB || outA.String() != outB.String() || errA.String() != errB.String() {
				t.Errorf("%q: whole tree: %d %q %q; one command: %d %q %q", args,
					codeA, outA.String(), errA.String(), codeB, outB.String(), errB.String())
			}
		}
	}
}

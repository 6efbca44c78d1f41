package cli

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

func testIO() (*IO, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	return &IO{In: strings.NewReader(""), Out: &out, ErrOut: &errOut}, &out, &errOut
}

// The flags land in the options as compileall users would expect.
func TestCompileFlags(t *testing.T) {
	tests := []struct {
		args  []string
		check func(o *compileOptions) bool
	}{
		{[]string{"src"}, func(o *compileOptions) bool {
			return o.Paths[0] == "src" && o.MaxDepth == -1 && len(o.Levels.levels) == 0 && o.Jobs == 0
		}},
		{[]string{"-O", "0,1", "-O", "2", "x"}, func(o *compileOptions) bool { return reflect.DeepEqual(o.Levels.levels, []int{0, 1, 2}) }},
		{[]string{"-o", "1", "-o", "2", "x"}, func(o *compileOptions) bool { return reflect.DeepEqual(o.Levels.levels, []int{1, 2}) }},
		{[]string{"--invalidation-mode", "unchecked-hash", "x"}, func(o *compileOptions) bool { return o.Invalidation == "unchecked-hash" }},
		{[]string{"-b", "-f", "-qq", "-j", "3", "-r", "2", "x"}, func(o *compileOptions) bool {
			return o.Legacy && o.Force && o.Quiet == 2 && o.Jobs == 3 && o.MaxDepth == 2
		}},
		{[]string{"-d", "/usr/lib", "-x", `test_.*\.py`, "--deterministic", "x"}, func(o *compileOptions) bool {
			return o.DDir == "/usr/lib" && o.Exclude == `test_.*\.py` && o.Deterministic
		}},
		{[]string{"-s", "/build", "-p", "/", "x"}, func(o *compileOptions) bool { return o.StripDir == "/build" && o.PrependDir == "/" }},
	}
	for _, tt := range tests {
		ios, _, _ := testIO()
		var got *compileOptions
		cmd := newCompileCmd(ios, func(o *compileOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		if err := cmd.Execute(); err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if !tt.check(got) {
			t.Errorf("%q: options %+v", tt.args, got)
		}
	}
}

// Bad command lines exit with 2 before any interpreter starts.
func TestCompileUsageErrors(t *testing.T) {
	tests := [][]string{
		{"compile", "-O", "3", "x"},
		{"compile", "--invalidation", "sometimes", "x"},
		{"compile", "-d", "a", "-s", "b", "x"},
		{"compile", "-x", "(", "x"},
		{"bundle", "src"},
		{"bundle", "--main", "not valid", "src", "-o", "a.zip"},
		{"bundle", "-O", "5", "src", "-o", "a.zip"},
		{"scan", "--yes", "x"},
		{"scan"},
	}
	for _, args := range tests {
		_, out, errOut := testIO()
		if code := Main(args, strings.NewReader(""), out, errOut); code != ExitUsage {
			t.Errorf("%q: exit %d, want %d (%s)", args, code, ExitUsage, errOut)
		}
	}
}

// pyc scan --json lists every pyc with its status; --prune --yes removes
// exactly the prunable ones it lists.
func TestScanPruneJSON(t *testing.T) {
	golden, err := os.ReadFile(filepath.Join(pytest.RepoRoot(), "testdata", "pycs", "3.11", "consts.ts.pyc"))
	if err != nil {
		t.Skipf("golden pyc: %v", err)
	}
	v, _ := pyc.ParseVersion("3.11")
	dir := t.TempDir()
	when := time.Unix(1700000000, 0)
	write := func(rel string, b []byte) string {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, when, when)
		return p
	}
	src := []byte("x = 1\n")
	h := pyc.Header{Magic: v.Raw, Version: v, Mtime: uint32(when.Unix()), SourceSize: uint32(len(src))}
	pycBytes := append(h.AppendHeader(nil), golden[16:]...)
	write("m.py", src)
	fresh := write("__pycache__/m.cpython-311.pyc", pycBytes)
	orphan := write("__pycache__/gone.cpython-311.pyc", pycBytes)
	corrupt := write("__pycache__/m.cpython-311.opt-1.pyc", pycBytes[:20])

	run := func(args ...string) (map[string]any, int) {
		ios, out, errOut := testIO()
		cmd := newScanCmd(ios, func(o *scanOptions) error {
			o.Detect = func() []string { return []string{"cpython-311"} }
			return runScan(o)
		})
		cmd.SetArgs(args)
		code := 0
		if err := cmd.Execute(); err != nil {
			code = 1
		}
		var rep map[string]any
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("%v: %s %s", err, out, errOut)
		}
		return rep, code
	}
	rep, code := run("--json", "--prune", dir)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	status := map[string]string{}
	for _, f := range rep["files"].([]any) {
		m := f.(map[string]any)
		status[m["path"].(string)] = m["status"].(string)
	}
	want := map[string]string{fresh: "fresh", orphan: "orphan", corrupt: "corrupt"}
	if !reflect.DeepEqual(status, want) {
		t.Errorf("statuses %v, want %v", status, want)
	}
	listed := func(rep map[string]any) []string {
		var out []string
		for _, r := range rep["prune"].(map[string]any)["removed"].([]any) {
			out = append(out, r.(map[string]any)["path"].(string))
		}
		return out
	}
	dry := listed(rep)
	if len(dry) != 2 || rep["prune"].(map[string]any)["dry_run"] != true {
		t.Errorf("dry run lists %q", dry)
	}
	for _, p := range []string{fresh, orphan, corrupt} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("dry run removed %s", p)
		}
	}
	rep, _ = run("--json", "--prune", "--yes", dir)
	if got := listed(rep); !reflect.DeepEqual(got, dry) {
		t.Errorf("removed %q, the dry run listed %q", got, dry)
	}
	for p, st := range want {
		_, err := os.Stat(p)
		if (err == nil) != (st == "fresh") {
			t.Errorf("%s (%s): exists %v", filepath.Base(p), st, err == nil)
		}
	}
}

// pyc compile prints "file:line: SyntaxError: ..." and exits 1, having
// compiled the rest; pyc bundle takes its timestamp from SOURCE_DATE_EPOCH.
func TestCompileAndBundleCommands(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	in := ins[len(ins)-1]
	if in.Major() < 3 {
		t.Skip("no Python 3 interpreter")
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bad.py"), []byte("x = (\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "good.py"), []byte("x = 1\n"), 0o644)
	_, out, errOut := testIO()
	code := Main([]string{"compile", "--python", in.Path, "-j", "1", dir}, strings.NewReader(""), out, errOut)
	if code != ExitError {
		t.Errorf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "pyc compile: CPython "+in.Version) ||
		!strings.HasPrefix(lines[1], filepath.Join(dir, "bad.py")+":1: SyntaxError: ") {
		t.Errorf("stderr (%d lines):\n%q", len(lines), lines)
	}
	if out.Len() != 0 {
		t.Errorf("stdout: %s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "__pycache__", "good.cpython-"+strings.ReplaceAll(in.Version, ".", "")+".pyc")); err != nil {
		t.Error(err)
	}

	os.Remove(filepath.Join(dir, "bad.py"))
	zipPath := filepath.Join(t.TempDir(), "app.zip")
	ios, _, errOut := testIO()
	cmd := newBundleCmd(ios, func(o *bundleOptions) error {
		o.Getenv = func(k string) string {
			if k == "SOURCE_DATE_EPOCH" {
				return "1700000000"
			}
			return ""
		}
		return runBundle(o)
	})
	cmd.SetArgs([]string{"--python", in.Path, "-q", "--main", "good", dir, "-o", zipPath})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v: %s", err, errOut)
	}
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if !f.Modified.Equal(time.Unix(1700000000, 0)) {
			t.Errorf("%s: %v", f.Name, f.Modified)
		}
	}
}

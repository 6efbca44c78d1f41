package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/diff"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

func goldenPyc(rel string) string {
	return filepath.Join(pytest.RepoRoot(), "testdata", "pycs", rel)
}

func TestDiffFlags(t *testing.T) {
	tests := []struct {
		args []string
		want diffOptions
	}{
		{[]string{"a", "b"}, diffOptions{A: "a", B: "b", Context: 3, OptA: -1, OptB: -1}},
		{[]string{"--semantic", "--json", "-U", "0", "a", "b"}, diffOptions{A: "a", B: "b", Semantic: true, JSON: true, OptA: -1, OptB: -1}},
		{[]string{"--a-opt", "0", "--b-opt", "2", "-q", "--ignore-header", "x", "y"}, diffOptions{A: "x", B: "y", Context: 3, OptA: 0, OptB: 2, Brief: true, IgnoreHeader: true}},
	}
	for _, tc := range tests {
		var have *diffOptions
		cmd := newDiffCmd(&IO{}, func(o *diffOptions) error { have = o; return nil })
		cmd.SetArgs(tc.args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		have.IO = nil
		if *have != tc.want {
			t.Errorf("%v: have %+v, want %+v", tc.args, *have, tc.want)
		}
	}
}

// encodingTwin writes a copy of a golden pyc with FLAG_REF set on one more
// object: the same values, another encoding.
func encodingTwin(t *testing.T, rel, dst string) {
	t.Helper()
	f, err := pyc.Open(goldenPyc(rel))
	if err != nil {
		t.Fatal(err)
	}
	top := f.TopCode()
	done := false
	for _, k := range top.Consts.Items {
		if x, ok := k.(*marshal.Float); ok && !x.Ref {
			x.Ref, done = true, true
			break
		}
	}
	if !done {
		t.Fatalf("%s: no float constant to flag", rel)
	}
	if err := f.Write(dst); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDiffExitStatus checks diff's exit statuses: 0 identical, 1
// different, 2 trouble, for files and directories.
func TestDiffExitStatus(t *testing.T) {
	tmp := t.TempDir()
	twin := filepath.Join(tmp, "twin.pyc")
	encodingTwin(t, "3.12/consts.ts.pyc", twin)
	// Two trees: one file the same, one edited (-O), one only in each.
	a, b := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	copyFile(t, goldenPyc("3.12/funcs.ts.pyc"), filepath.Join(a, "pkg", "funcs.pyc"))
	copyFile(t, goldenPyc("3.12/funcs.ts.pyc"), filepath.Join(b, "pkg", "funcs.pyc"))
	copyFile(t, goldenPyc("3.12/optimize.ts.pyc"), filepath.Join(a, "optimize.pyc"))
	copyFile(t, goldenPyc("3.12/optimize.opt-1.pyc"), filepath.Join(b, "optimize.pyc"))
	copyFile(t, goldenPyc("3.12/empty.ts.pyc"), filepath.Join(a, "gone.pyc"))
	copyFile(t, goldenPyc("3.12/empty.ts.pyc"), filepath.Join(b, "new.pyc"))
	same := goldenPyc("3.12/consts.ts.pyc")
	tests := []struct {
		name string
		args []string
		code int
		out  string // a piece of stdout
	}{
		{"identical", []string{same, same}, 0, ""},
		{"different", []string{goldenPyc("3.12/optimize.ts.pyc"), goldenPyc("3.12/optimize.opt-1.pyc")}, 1, "code <module>.asserts_only: changed"},
		{"encoding only", []string{same, twin}, 1, "same values, different encoding:"},
		{"encoding only, semantic", []string{"--semantic", same, twin}, 0, ""},
		{"header only, ignored", []string{"--ignore-header", same, goldenPyc("3.12/consts.checked.pyc")}, 0, ""},
		{"brief", []string{"-q", same, twin}, 1, "differ only in encoding"},
		{"missing file", []string{same, filepath.Join(tmp, "nope.pyc")}, 2, ""},
		{"not a pyc", []string{same, goldenPyc("MANIFEST.tsv")}, 2, ""},
		{"directory and file", []string{a, same}, 2, ""},
		{"bad --a-opt", []string{"--a-opt", "7", a, b}, 2, ""},
		{"one argument", []string{same}, 2, ""},
		{"trees", []string{a, b}, 1, "4 pairs: 1 identical, 1 differ (1 in values, 0 only in encoding), 1 only in a, 1 only in b, 0 errors"},
		{"tree against itself", []string{a, a}, 0, "0 differ"},
	}
	for _, tc := range tests {
		var out, errOut bytes.Buffer
		code := Main(append([]string{"diff"}, tc.args...), nil, &out, &errOut)
		if code != tc.code {
			t.Errorf("%s: exit status %d, want %d; stderr %q", tc.name, code, tc.code, errOut.String())
		}
		if !strings.Contains(out.String(), tc.out) {
			t.Errorf("%s: output lacks %q:\n%s", tc.name, tc.out, out.String())
		}
		if tc.code == 2 && errOut.Len() == 0 {
			t.Errorf("%s: trouble without a message", tc.name)
		}
	}
}

func TestDiffJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	code := Main([]string{"diff", "--json", goldenPyc("3.12/optimize.ts.pyc"), goldenPyc("3.12/optimize.opt-1.pyc")}, nil, &out, &errOut)
	if code != 1 {
		t.Fatalf("exit status %d, want 1: %s", code, errOut.String())
	}
	var d diff.FileDiff
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		t.Fatal(err)
	}
	if d.Status != diff.Different || len(d.Codes) == 0 || d.Codes[0].Bytecode == nil {
		t.Errorf("JSON diff: %+v", d)
	}
	// A missing file is still trouble, reported in the JSON.
	out.Reset()
	code = Main([]string{"diff", "--json", goldenPyc("3.12/optimize.ts.pyc"), "/nonexistent.pyc"}, nil, &out, &errOut)
	if code != 2 {
		t.Errorf("missing file with --json: exit status %d, want 2", code)
	}
}

package run

import (
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
)

var literalCases = []string{
	"", "plain", "it's", `back\slash`, "quote\"s", "tab\tnew\nline\x00nul", "é ü €", "𝄞 clef",
	"/tmp/caf\xe9/latin-1 bytes", "\xff\xfe",
}

func TestPyStringShape(t *testing.T) {
	for _, s := range literalCases {
		lit := pyString(s)
		if strings.ContainsAny(lit, "\n\x00") {
			t.Errorf("pyString(%q) = %s: raw control characters", s, lit)
		}
	}
}

// TestPyStringOracle has each installed Python 3 evaluate the literals and
// give back the bytes (os.fsencode) they stand for.
func TestPyStringOracle(t *testing.T) {
	for _, in := range pytest.RequireInterpreters(t) {
		if in.Major() < 3 {
			continue
		}
		var src strings.Builder
		src.WriteString("import os, sys\n")
		for _, s := range literalCases {
			src.WriteString("sys.stdout.write('=' + os.fsencode(" + pyString(s) + ").hex() + '\\n')\n")
		}
		cmd := exec.Command(in.Path, "-c", src.String())
		cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=C.UTF-8")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", in.Version, err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != len(literalCases) {
			t.Fatalf("%s: %d answers for %d literals:\n%s", in.Version, len(lines), len(literalCases), out)
		}
		for i, s := range literalCases {
			if lines[i] != "="+hex.EncodeToString([]byte(s)) {
				t.Errorf("%s: %q came back as %q", in.Version, s, lines[i])
			}
		}
	}
}

// TestPyBytesOracle has each installed Python 3 evaluate bytes literals
// (every byte value; escapes followed by digits and quotes) and give them
// back in hex.
func TestPyBytesOracle(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	cases := [][]byte{{}, all, []byte("\x001\xff7'\\'\"x"), []byte("plain"), nil}
	for _, in := range pytest.RequireInterpreters(t) {
		if in.Major() < 3 {
			continue
		}
		var src strings.Builder
		src.WriteString("import sys\n")
		for _, b := range cases {
			src.WriteString("sys.stdout.write('=' + (" + pyValue(b) + " or b'').hex() + '\\n')\n")
		}
		out, err := exec.Command(in.Path, "-c", src.String()).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", in.Version, err, out)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != len(cases) {
			t.Fatalf("%s: %d answers for %d literals:\n%s", in.Version, len(lines), len(cases), out)
		}
		for i, b := range cases {
			if lines[i] != "="+hex.EncodeToString(b) {
				t.Errorf("%s: %q came back as %q", in.Version, b, lines[i])
			}
		}
	}
	if pyValue([]byte(nil)) != "None" {
		t.Errorf("nil bytes are %s, want None", pyValue([]byte(nil)))
	}
}

// TestRunnerCompiles compiles the -c programs (bootstrap and server) with
// every interpreter that runs them.
func TestRunnerCompiles(t *testing.T) {
	for _, in := range pytest.RequireInterpreters(t) {
		if in.Major() < 3 || in.Major() == 3 && in.Minor() < 6 {
			continue
		}
		var c Config
		c.Set("mode", "serve")
		dir := t.TempDir()
		p := filepath.Join(dir, "runner.py")
		if err := os.WriteFile(p, []byte(runnerSource), 0o644); err != nil {
			t.Fatal(err)
		}
		src := c.Source()
		cmd := exec.Command(in.Path, "-c", "import sys; compile(sys.argv[1], '<c>', 'exec'); compile(open(sys.argv[2]).read(), 'runner.py', 'exec')", src, p)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: %v\n%s", in.Version, err, out)
		}
	}
}

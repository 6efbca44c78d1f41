package run

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/pyc"
)

// fakeInterpreters lays out a $PATH directory and a pyenv root with
// executables whose probe answers are given: name (relative to the
// temporary directory) -> "impl X.Y.Z" ("" for a script, "!" for one that
// fails to answer).
func fakeInterpreters(t *testing.T, files map[string]string) (string, func(string) (*Interpreter, error)) {
	t.Helper()
	root := t.TempDir()
	answers := map[string]string{}
	for name, ans := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		content := "\x7fELF fake interpreter"
		if ans == "" {
			content = "#!/bin/sh\nexec python \"$@\"\n"
		}
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
		answers[p] = ans
	}
	probe := func(path string) (*Interpreter, error) {
		ans, ok := answers[path]
		if !ok || ans == "!" || ans == "" {
			return nil, fmt.Errorf("%s: no answer", path)
		}
		var impl string
		var major, minor, micro int
		fmt.Sscanf(ans, "%s %d.%d.%d", &impl, &major, &minor, &micro)
		i := map[string]pyc.Implementation{"cpython": pyc.CPython, "pypy": pyc.PyPy}[impl]
		v, ok := pyc.ForVersion(i, major, minor)
		if !ok {
			t.Fatalf("no magic for %s", ans)
		}
		return &Interpreter{Path: path, Impl: i, Version: fmt.Sprintf("%d.%d.%d", major, minor, micro),
			Major: major, Minor: minor, Magic: v.Raw}, nil
	}
	return root, probe
}

func TestFinderOrder(t *testing.T) {
	root, probe := fakeInterpreters(t, map[string]string{
		"bin/python3.11":                       "cpython 3.11.2",
		"bin/python3":                          "cpython 3.12.1",
		"bin/python":                           "cpython 2.7.18",
		"bin/pypy3.9":                          "pypy 3.9.16",
		"shims/python3.10":                     "", // a pyenv shim: skipped
		"pyenv/versions/3.10.1/bin/python":     "cpython 3.10.1",
		"pyenv/versions/3.10.13/bin/python":    "cpython 3.10.13",
		"pyenv/versions/3.9.18/bin/python":     "cpython 3.9.18",
		"pyenv/versions/myenv/bin/python":      "cpython 3.8.18", // a virtualenv: no claim
		"pyenv/versions/broken-3.7/bin/python": "!",
		"other/python3.10":                     "cpython 3.10.4",
	})
	v := func(major, minor int) *pyc.Version {
		r, _ := pyc.ForVersion(pyc.CPython, major, minor)
		return r
	}
	pypy39, _ := pyc.ForVersion(pyc.PyPy, 3, 9)
	tests := []struct {
		name   string
		env    map[string]string
		python string
		want   *pyc.Version
		path   string // "" for an error
		source string
	}{
		{"PATH versioned name", nil, "", v(3, 11), "bin/python3.11", "PATH"},
		{"pyenv newest micro first", nil, "", v(3, 10), "pyenv/versions/3.10.13/bin/python", "pyenv"},
		{"generic name last", nil, "", v(3, 12), "bin/python3", "PATH"},
		{"python for 2.7", nil, "", v(2, 7), "bin/python", "PATH"},
		{"unclaimed pyenv directory", nil, "", v(3, 8), "pyenv/versions/myenv/bin/python", "pyenv"},
		{"pypy", nil, "", pypy39, "bin/pypy3.9", "PATH"},
		{"PYC_PYTHON first", map[string]string{"PYC_PYTHON": "ROOT/other/python3.10"}, "", v(3, 10), "other/python3.10", "PYC_PYTHON"},
		{"PYC_PYTHON mismatch skipped", map[string]string{"PYC_PYTHON": "ROOT/bin/python3:ROOT/other/python3.10"}, "", v(3, 10), "other/python3.10", "PYC_PYTHON"},
		{"--python", nil, "ROOT/other/python3.10", v(3, 10), "other/python3.10", "--python"},
		{"--python mismatch", nil, "ROOT/other/python3.10", v(3, 11), "", ""},
		{"nobody has it", nil, "", v(3, 6), "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{
				"PATH":       filepath.Join(root, "shims") + ":" + filepath.Join(root, "bin"),
				"PYENV_ROOT": filepath.Join(root, "pyenv"),
			}
			for k, val := range tt.env {
				env[k] = strings.ReplaceAll(val, "ROOT", root)
			}
			f := &Finder{Getenv: func(k string) string { return env[k] }, ProbeFunc: probe,
				Python: strings.ReplaceAll(tt.python, "ROOT", root)}
			in, err := f.Find(tt.want)
			if tt.path == "" {
				if err == nil {
					t.Fatalf("have %v, want an error", in)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if have, want := in.Path, filepath.Join(root, tt.path); have != want || in.Source != tt.source {
				t.Errorf("have %s (%s), want %s (%s)", have, in.Source, want, tt.source)
			}
		})
	}
}

func TestNotFoundError(t *testing.T) {
	root, probe := fakeInterpreters(t, map[string]string{
		"bin/python3.11": "cpython 3.11.2",
		"bin/python3":    "cpython 3.11.2", // same interpreter twice: listed once
	})
	os.Remove(filepath.Join(root, "bin/python3"))
	if err := os.Link(filepath.Join(root, "bin/python3.11"), filepath.Join(root, "bin/python3")); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PATH": filepath.Join(root, "bin"), "PYENV_ROOT": filepath.Join(root, "none")}
	f := &Finder{Getenv: func(k string) string { return env[k] }, ProbeFunc: probe}
	want, _ := pyc.ForVersion(pyc.CPython, 3, 9)
	_, err := f.Find(want)
	var nf *NotFoundError
	if !errors.As(err, &nf) {
		t.Fatalf("have %v, want a *NotFoundError", err)
	}
	if len(nf.Found) != 1 {
		t.Errorf("found %d interpreters, want 1 (one file under two names)", len(nf.Found))
	}
	msg := err.Error()
	for _, s := range []string{"no CPython 3.9 interpreter found", "magic 3425", filepath.Join(root, "bin/python3.11"),
		"--python PATH", "PYC_PYTHON", "python3.9"} {
		if !strings.Contains(msg, s) {
			t.Errorf("message lacks %q:\n%s", s, msg)
		}
	}
}

func TestNames(t *testing.T) {
	for _, tt := range []struct{ name, kind string }{
		{"python3.11", "versioned"}, {"pypy3.9", "versioned"}, {"graalpy3.10", "versioned"},
		{"python3", "generic"}, {"python", "generic"}, {"pypy", "generic"},
		{"python3.11-config", ""}, {"python3-config", ""}, {"pythonw", ""}, {"ipython3", ""},
	} {
		if have := executableKind(tt.name); have != tt.kind {
			t.Errorf("executableKind(%q) = %q, want %q", tt.name, have, tt.kind)
		}
	}
	for _, tt := range []struct{ name, claim string }{
		{"3.11.7", "3.11"}, {"3.13-dev", "3.13"}, {"3.13.0t", "3.13"}, {"pypy3.9-7.3.11", "pypy3.9"},
		{"graalpy-23.1.0", ""}, {"anaconda3-2023.09", ""}, {"myenv", ""}, {"3", ""},
	} {
		if have := pyenvClaim(tt.name); have != tt.claim {
			t.Errorf("pyenvClaim(%q) = %q, want %q", tt.name, have, tt.claim)
		}
	}
}

func TestParseProbe(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		magic    uint16
	}{
		{"pyc-probe cpython 3 11 7 final 0 a70d0d0a\n", "CPython 3.11.7", 3495},
		{"noise\npyc-probe cpython 3 14 0 alpha 1 0b0e0d0a\n", "CPython 3.14.0a1", 3595},
		{"pyc-probe pypy 3 9 16 final 0 50010d0a", "PyPy 3.9.16", 336},
		{"pyc-probe cpython 2 7 18 final 0 03f30d0a", "CPython 2.7.18", 62211},
	} {
		in, err := parseProbe(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if have := in.Impl.String() + " " + in.Version; have != tt.want || in.MagicNumber() != tt.magic {
			t.Errorf("%q: have %s magic %d, want %s magic %d", tt.in, have, in.MagicNumber(), tt.want, tt.magic)
		}
	}
	for _, bad := range []string{"", "Python 3.11.7", "pyc-probe jython 2 7 0 final 0 00000000", "pyc-probe cpython 3 x 0 final 0 a70d0d0a", "pyc-probe cpython 3 11 0 final 0 a70d"} {
		if _, err := parseProbe(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestProbeCache(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "python")
	if err := os.WriteFile(exe, []byte("x"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := &ProbeCache{Path: filepath.Join(dir, "cache", "interpreters")}
	id, _ := statID(exe)
	c.load()
	c.entries[exe] = cacheEntry{id: id, impl: "cpython", version: "3.12.1", major: 3, minor: 12, magic: "cb0d0d0a"}
	c.dirty = true
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	c2 := &ProbeCache{Path: c.Path}
	in, err := c2.Probe(exe, false)
	if err != nil {
		t.Fatal(err)
	}
	if in.Version != "3.12.1" || in.MagicNumber() != 3531 || in.Path != exe {
		t.Errorf("from the cache: have %v magic %d", in, in.MagicNumber())
	}
	// A changed file is asked again (and this one cannot answer).
	if err := os.WriteFile(exe, []byte("changed"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := (&ProbeCache{Path: c.Path}).Probe(exe, false); err == nil {
		t.Error("a changed file answered from the cache")
	}
}

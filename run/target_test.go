package run

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

func writeZip(t *testing.T, path string, files map[string][]byte) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	f.WriteString("#!/usr/bin/env python3\n") // zip applications may start with a line
	zw := zip.NewWriter(f)
	for name, data := range files {
		w, _ := zw.Create(name)
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenTarget(t *testing.T) {
	golden := filepath.Join(pytest.RepoRoot(), "testdata", "pycs", "3.11", "consts.ts.pyc")
	data, err := os.ReadFile(golden)
	if err != nil {
		t.Skipf("golden pyc absent: %v", err)
	}
	dir := t.TempDir()
	writeZip(t, filepath.Join(dir, "app.zip"), map[string][]byte{"__main__.pyc": data, "lib/x.py": []byte("")})
	writeZip(t, filepath.Join(dir, "src.zip"), map[string][]byte{"__main__.py": []byte("print(1)\n")})
	writeZip(t, filepath.Join(dir, "none.zip"), map[string][]byte{"lib.py": []byte("")})
	os.Mkdir(filepath.Join(dir, "appdir"), 0o755)
	os.WriteFile(filepath.Join(dir, "appdir", "__main__.pyc"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "junk.pyc"), []byte("not a pyc at all"), 0o644)

	v311, _ := pyc.ForVersion(pyc.CPython, 3, 11)
	tests := []struct {
		path    string
		kind    Kind
		version *pyc.Version
		err     string
	}{
		{golden, PycFile, v311, ""},
		{filepath.Join(dir, "app.zip"), ZipBundle, v311, ""},
		{filepath.Join(dir, "src.zip"), ZipBundle, nil, ""},
		{filepath.Join(dir, "appdir"), Directory, v311, ""},
		{filepath.Join(dir, "none.zip"), 0, nil, "no __main__"},
		{filepath.Join(dir, "junk.pyc"), 0, nil, "unknown magic"},
		{filepath.Join(dir, "missing.pyc"), 0, nil, "no such file"},
	}
	for _, tt := range tests {
		tg, err := OpenTarget(tt.path)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: error %v, want one saying %q", filepath.Base(tt.path), err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", filepath.Base(tt.path), err)
			continue
		}
		if tg.Kind != tt.kind || tg.Version != tt.version {
			t.Errorf("%s: have %v %v, want %v %v", filepath.Base(tt.path), tg.Kind, tg.Version, tt.kind, tt.version)
		}
	}
	_, err = OpenTarget(filepath.Join(dir, "none.zip"))
	if !errors.Is(err, ErrNoMain) {
		t.Errorf("none.zip: %v is not ErrNoMain", err)
	}
}

package pyc_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

// FuzzParse checks that no input makes Parse panic, and that a file that
// parses encodes back to its own bytes. Seeds: the golden pycs.
func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join(pytest.RepoRoot(), "testdata", "pycs", "*", "*.pyc"))
	for _, name := range names {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := pyc.Parse(data, pyc.ParseOptions{})
		if err != nil {
			return
		}
		out, err := file.Bytes()
		if err != nil {
			t.Fatalf("parsed, but encode fails: %v", err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("parse then encode changed the bytes")
		}
	})
}

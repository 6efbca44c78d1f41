package marshal_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// TestCorpusOtherCodeFormats decodes and re-encodes every file of the
// corpus families whose code objects are not 'c' objects of a CPython
// layout: Python 1.0 to 1.2 ('C'), GraalPy (*GraalCode) and RustPython
// (*RustCode). The bytes must come back the same.
func TestCorpusOtherCodeFormats(t *testing.T) {
	dir := pytest.RequireShared(t, "corpus")
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Skipf("corpus manifest: %v", err)
	}
	defer f.Close()
	counts := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 6 {
			continue
		}
		path, family := cols[0], cols[5]
		var kind string
		switch {
		case family == "1.0" || strings.HasPrefix(family, "1.1/1.2"):
			kind = "1.0-1.2"
		case strings.HasPrefix(family, "Graal "):
			kind = "GraalPy"
		case strings.HasPrefix(family, "RustPython "):
			kind = "RustPython"
		default:
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, path))
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		p, err := pyc.Parse(data, pyc.ParseOptions{Path: path})
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		switch c := p.Code.(type) {
		case *marshal.Code:
			if kind != "1.0-1.2" || c.Type != 'C' || c.Layout != marshal.Layout10 {
				t.Errorf("%s: %s code object of type %q, layout %s", path, kind, c.Type, c.Layout)
			}
		case *marshal.GraalCode:
			if kind != "GraalPy" || c.Unit == nil {
				t.Errorf("%s: %s file holds a GraalPy code object", path, kind)
			}
		case *marshal.RustCode:
			if kind != "RustPython" {
				t.Errorf("%s: %s file holds a RustPython code object", path, kind)
			}
		default:
			t.Errorf("%s: %s file holds a %s", path, kind, marshal.KindName(c))
		}
		out, err := p.Bytes()
		if err != nil {
			t.Errorf("%s: encode: %v", path, err)
			continue
		}
		if !bytes.Equal(out, data) {
			t.Errorf("%s: re-encoded bytes differ", path)
			continue
		}
		counts[kind]++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("round-tripped: %d Python 1.0-1.2, %d GraalPy, %d RustPython files", counts["1.0-1.2"], counts["GraalPy"], counts["RustPython"])
	if counts["1.0-1.2"] == 0 || counts["GraalPy"] == 0 || counts["RustPython"] == 0 {
		t.Errorf("a family is missing from the manifest: %v", counts)
	}
}

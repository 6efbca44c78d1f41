package marshal_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
)

// cpythonLayouts are the CPython code-object layouts with the Python 2
// switch they imply; the fuzzer picks one by its first argument.
var cpythonLayouts = []marshal.Layout{
	marshal.Layout13, marshal.Layout15, marshal.Layout21, marshal.Layout23,
	marshal.Layout30, marshal.Layout38, marshal.Layout311,
}

// FuzzUnmarshal checks that no input makes the decoder panic or loop, and
// that whatever decodes encodes back to exactly the bytes it was read from.
// Seeds: every golden pyc and marshal blob in testdata (headers stripped).
func FuzzUnmarshal(f *testing.F) {
	root := filepath.Join(pytest.RepoRoot(), "testdata", "pycs")
	seeds := map[string]int{"*/*.ts.pyc": -1, "*/marshal/*.marshal": 0}
	for pat, skip := range seeds {
		names, _ := filepath.Glob(filepath.Join(root, pat))
		for _, name := range names {
			b, err := os.ReadFile(name)
			if err != nil {
				continue
			}
			lay := layoutForDir(filepath.Base(filepath.Dir(name)))
			if skip < 0 {
				skip = 16
				if lay <= marshal.Layout23 {
					skip = 8
				} else if filepath.Base(filepath.Dir(name)) == "3.6" {
					skip = 12
				}
			}
			if len(b) >= skip {
				f.Add(byte(indexOf(lay)), b[skip:])
			}
		}
	}
	f.Fuzz(func(t *testing.T, which byte, data []byte) {
		lay := cpythonLayouts[int(which)%len(cpythonLayouts)]
		opts := marshal.Options{Layout: lay}
		v, n, err := marshal.Unmarshal(data, opts)
		if err != nil {
			return
		}
		out, err := marshal.Marshal(v, marshal.EncodeOptions{Version: 4, Python2: lay.Python2()})
		if err != nil {
			t.Fatalf("decoded, but encode fails: %v", err)
		}
		if !bytes.Equal(out, data[:n]) {
			t.Fatalf("decode then encode changed the bytes:\nin  % x\nout % x", data[:n], out)
		}
	})
}

func layoutForDir(xy string) marshal.Layout {
	switch xy {
	case "2.7":
		return marshal.Layout23
	case "3.6", "3.7":
		return marshal.Layout30
	case "3.8", "3.9", "3.10":
		return marshal.Layout38
	}
	return marshal.Layout311
}

func indexOf(l marshal.Layout) int {
	for i, x := range cpythonLayouts {
		if x == l {
			return i
		}
	}
	return 0
}

package marshal_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
)

// FuzzOtherFormats checks, for GraalPy, RustPython and Python 1.0 streams,
// that decoding never panics and that whatever decodes encodes back to the
// bytes it was read from.
func FuzzOtherFormats(f *testing.F) {
	w := &wb{}
	graalUnitFields(w, 28, "m", 2, []byte{'u' | 0x80, 1, 0, 0, 0, 'a', 'r', 0, 0, 0, 0})
	f.Add(byte(0), graalCode(w.b))
	r := &wb{}
	rustCode(r, "m", 2, []byte{'i', 1, 0, 0, 0, 5, '{', 1, 0, 0, 0, 'N', 'T'})
	f.Add(byte(1), r.b)
	f.Add(byte(2), []byte{'C', 's', 1, 0, 0, 0, 'S', '[', 0, 0, 0, 0, '(', 0, 0, 0, 0, 'N', 'N'})
	// Real files, when the shared corpus is there (pyc headers stripped).
	if dir := pytest.SharedDir(); dir != "" {
		for which, pat := range []string{"bytecode_graal31*/*.pyc", "bytecode_rust-*/*.pyc", "bytecode_1.[0-2]/*.pyc"} {
			names, _ := filepath.Glob(filepath.Join(dir, "corpus", "xdis", "test", pat))
			for i, name := range names {
				if b, err := os.ReadFile(name); err == nil && i < 5 && len(b) > 16 {
					skip := 16
					if which == 2 {
						skip = 8
					}
					f.Add(byte(which), b[skip:])
				}
			}
		}
	}
	layouts := []marshal.Layout{marshal.LayoutGraal, marshal.LayoutRustPython313, marshal.Layout10}
	f.Fuzz(func(t *testing.T, which byte, data []byte) {
		lay := layouts[int(which)%len(layouts)]
		v, n, err := marshal.Unmarshal(data, marshal.Options{Layout: lay})
		if err != nil {
			return
		}
		out, err := marshal.Marshal(v, marshal.EncodeOptions{Version: 4, Python2: lay == marshal.Layout10, Layout: lay})
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		if !bytes.Equal(out, data[:n]) {
			t.Fatalf("re-encoded bytes differ:\nhave % x\nwant % x", out, data[:n])
		}
	})
}

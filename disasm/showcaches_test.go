package disasm_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

// TestShowCachesOracle compares DisOptions.ShowCaches with what
// dis.dis(code, show_caches=True) prints, for a few pycs of each installed
// interpreter from 3.11 to 3.12.
func TestShowCachesOracle(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	normdis := pytest.RequireShared(t, "tools/normdis.py")
	script, err := filepath.Abs("testdata/showcaches.py")
	if err != nil {
		t.Fatal(err)
	}
	norm := ins[len(ins)-1]
	ran := false
	for _, in := range ins {
		if in.Major() != 3 || in.Minor() < 11 || in.Minor() > 12 {
			continue
		}
		ran = true
		in := in
		t.Run(in.Version, func(t *testing.T) {
			// Files of some size, so that each has instructions with caches.
			var sized []string
			for _, f := range pytest.StdlibPycs(in) {
				if st, err := os.Stat(f); err == nil && st.Size() > 4000 {
					sized = append(sized, f)
				}
			}
			files := pytest.Sample(sized, 12)
			if len(files) == 0 {
				t.Skipf("no pycs in %s", in.Prefix)
			}
			out, err := in.Run("", append([]string{script}, files...)...)
			if err != nil {
				t.Fatalf("showcaches.py: %v", err)
			}
			refs := splitListings(string(out))
			for _, path := range files {
				ref, ok := refs[path]
				if !ok {
					t.Errorf("%s: no listing from the interpreter", path)
					continue
				}
				f, err := pyc.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				c, err := disasm.NewCode(f.TopCode(), f.Version())
				if err != nil {
					t.Fatal(err)
				}
				var buf bytes.Buffer
				if err := disasm.Dis(&buf, c, disasm.DisOptions{ShowCaches: true}); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if !strings.Contains(buf.String(), " CACHE ") {
					t.Errorf("%s: no CACHE entries shown", path)
				}
				a := normalize(t, norm, normdis, ref)
				b := normalize(t, norm, normdis, buf.String())
				if a != b {
					t.Errorf("%s: show_caches listing differs from dis:\n%s", path, firstDiff(a, b))
				}
			}
		})
	}
	if !ran {
		t.Skip("no Python 3.11 or 3.12 installed")
	}
}

package disasm_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

// extraPythons names interpreters that pyenv does not hold, such as
// development builds of 3.14 and 3.15: "3.14=/path/to/python3.14,...".
var extraPythons = flag.String("oracle.extra", os.Getenv("PYC_ORACLE_PYTHONS"),
	"X.Y=PATH,... interpreters outside pyenv for the 3.13+ oracle tests (default $PYC_ORACLE_PYTHONS)")

// extraInterpreters returns the interpreters named by -oracle.extra that
// can be run.
func extraInterpreters(t *testing.T) []pytest.Interpreter {
	var out []pytest.Interpreter
	for _, item := range strings.Split(*extraPythons, ",") {
		v, path, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			continue
		}
		in := pytest.Interpreter{Version: v, Path: path}
		if _, err := in.Run("", "-c", "pass"); err != nil {
			t.Logf("%s (%s) cannot be run: %v", v, path, err)
			continue
		}
		out = append(out, in)
	}
	return out
}

// compileScript compiles an evenly spread sample of the interpreter's own
// standard library into a directory and prints the pyc paths.
const compileScript = `
import os, py_compile, sys, sysconfig
out, n = sys.argv[1], int(sys.argv[2])
lib = sysconfig.get_paths()["stdlib"]
srcs = []
for d, dirs, files in os.walk(lib):
    dirs[:] = sorted(x for x in dirs if x not in ("site-packages", "dist-packages", "__pycache__"))
    srcs.extend(os.path.join(d, f) for f in sorted(files) if f.endswith(".py"))
if 0 < n < len(srcs):
    srcs = [srcs[i * len(srcs) // n] for i in range(n)]
for i, src in enumerate(srcs):
    dst = os.path.join(out, "%05d.pyc" % i)
    try:
        py_compile.compile(src, cfile=dst, doraise=True)
    except Exception:
        continue
    print(dst)
`

// compiledStdlib compiles n stdlib modules (0: all) with the interpreter
// into a temporary directory.
func compiledStdlib(t *testing.T, in pytest.Interpreter, n int) []string {
	dir := t.TempDir()
	b, err := in.Run("", "-c", compileScript, dir, strconv.Itoa(n))
	if err != nil {
		t.Fatalf("compiling the %s stdlib: %v", in.Version, err)
	}
	return strings.Fields(string(b))
}

// TestDisOracleExtra compares the default listing with the dis of the
// interpreters named by -oracle.extra (or $PYC_ORACLE_PYTHONS), on stdlib
// modules that each compiles into a temporary directory (-oracle.n of
// them; 0 for all). It skips when none is named.
func TestDisOracleExtra(t *testing.T) {
	ins := extraInterpreters(t)
	if len(ins) == 0 {
		t.Skip("no -oracle.extra interpreters (PYC_ORACLE_PYTHONS): test skipped")
	}
	refdis := pytest.RequireShared(t, "tools/refdis.py")
	normdis := pytest.RequireShared(t, "tools/normdis.py")
	for _, in := range ins {
		t.Run(in.Version, func(t *testing.T) {
			files := compiledStdlib(t, in, *oracleN)
			bad, total := 0, 0
			for start := 0; start < len(files); start += 150 {
				chunk := files[start:min(start+150, len(files))]
				refs := runRefdis(t, in, refdis, chunk)
				for _, f := range chunk {
					ref, ok := refs[f]
					if !ok {
						continue
					}
					total++
					var buf bytes.Buffer
					if err := disFileWith(&buf, f, disasm.DisOptions{}); err != nil {
						bad++
						if bad <= *oracleShow {
							t.Errorf("%s: %v", f, err)
						}
						continue
					}
					a := normalize(t, in, normdis, ref)
					b := normalize(t, in, normdis, buf.String())
					if a != b {
						bad++
						if bad <= *oracleShow {
							t.Errorf("%s: listing differs from dis:\n%s", f, firstDiff(a, b))
						}
					}
				}
			}
			if total == 0 {
				t.Fatalf("%s compiled no module", in.Version)
			}
			t.Logf("%s: %d of %d files differ from dis", in.Version, bad, total)
		})
	}
}

// optionsScript prints dis.dis of each pyc's code object with the keyword
// arguments given as JSON, a "==> FILE <==" line before each.
const optionsScript = `
import dis, json, marshal, sys
opts = json.loads(sys.argv[1])
for p in sys.argv[2:]:
    with open(p, "rb") as f:
        f.seek(16)
        co = marshal.load(f)
    print("==> %s <==" % p)
    dis.dis(co, **opts)
`

// TestDisOptionsOracle compares show_caches, show_offsets and (3.14+)
// show_positions, alone and together, with the dis of each installed 3.13+
// interpreter (and those of -oracle.extra) on a few files.
func TestDisOptionsOracle(t *testing.T) {
	normdis := pytest.RequireShared(t, "tools/normdis.py")
	var ins []pytest.Interpreter
	for _, in := range pytest.Interpreters() {
		if in.Major() > 3 || in.Major() == 3 && in.Minor() >= 13 {
			ins = append(ins, in)
		}
	}
	ins = append(ins, extraInterpreters(t)...)
	if len(ins) == 0 {
		t.Skip("no Python 3.13+ interpreter: test skipped")
	}
	for _, in := range ins {
		t.Run(in.Version, func(t *testing.T) {
			var files []string
			if in.Prefix != "" {
				files = pytest.Sample(pytest.StdlibPycs(in), 6)
			} else {
				files = compiledStdlib(t, in, 6)
			}
			if len(files) == 0 {
				t.Skipf("no pycs for %s", in.Version)
			}
			positions := in.Minor() >= 14 || in.Major() > 3
			type combo struct {
				py   map[string]bool
				opts disasm.DisOptions
			}
			combos := []combo{
				{map[string]bool{"show_caches": true}, disasm.DisOptions{ShowCaches: true}},
				{map[string]bool{"show_offsets": true}, disasm.DisOptions{ShowOffsets: true}},
				{map[string]bool{"show_caches": true, "show_offsets": true}, disasm.DisOptions{ShowCaches: true, ShowOffsets: true}},
			}
			if positions {
				combos = append(combos,
					combo{map[string]bool{"show_positions": true}, disasm.DisOptions{ShowPositions: true}},
					combo{map[string]bool{"show_positions": true, "show_caches": true, "show_offsets": true},
						disasm.DisOptions{ShowPositions: true, ShowCaches: true, ShowOffsets: true}})
			}
			for _, cb := range combos {
				js, _ := json.Marshal(cb.py)
				out, err := in.Run("", append([]string{"-c", optionsScript, string(js)}, files...)...)
				if err != nil {
					t.Fatalf("dis %s: %v", js, err)
				}
				refs := splitListings(string(out))
				for _, f := range files {
					ref, ok := refs[f]
					if !ok {
						t.Errorf("%s: no listing from dis", f)
						continue
					}
					var buf bytes.Buffer
					if err := disFileWith(&buf, f, cb.opts); err != nil {
						t.Errorf("%s: %v", f, err)
						continue
					}
					a := normalize(t, in, normdis, ref)
					b := normalize(t, in, normdis, buf.String())
					if a != b {
						t.Errorf("%s with %s: listing differs from dis:\n%s", filepath.Base(f), js, firstDiff(a, b))
					}
				}
			}
		})
	}
}

// splitListings splits output with "==> FILE <==" lines by file.
func splitListings(s string) map[string]string {
	out := map[string]string{}
	var cur string
	var sb strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if strings.HasPrefix(line, "==> ") && strings.HasSuffix(line, " <==\n") {
			if cur != "" {
				out[cur] = sb.String()
			}
			cur = strings.TrimSuffix(strings.TrimPrefix(line, "==> "), " <==\n")
			sb.Reset()
			continue
		}
		sb.WriteString(line)
	}
	if cur != "" {
		out[cur] = sb.String()
	}
	return out
}

func disFileWith(w *bytes.Buffer, path string, opts disasm.DisOptions) error {
	f, err := pyc.Open(path)
	if err != nil {
		return err
	}
	if f.TopCode() == nil {
		return fmt.Errorf("no code object")
	}
	c, err := disasm.NewCode(f.TopCode(), f.Version())
	if err != nil {
		return err
	}
	return disasm.Dis(w, c, opts)
}

// BenchmarkDis313 lists a sample of the 3.13 installation's pycs with the
// default options.
func BenchmarkDis313(b *testing.B) {
	var codes []*disasm.Code
	for _, in := range pytest.Interpreters() {
		if in.Version != "3.13" {
			continue
		}
		for _, p := range pytest.Sample(pytest.StdlibPycs(in), 400) {
			f, err := pyc.Open(p)
			if err != nil || f.TopCode() == nil {
				continue
			}
			c, err := disasm.NewCode(f.TopCode(), f.Version())
			if err != nil {
				b.Fatal(err)
			}
			codes = append(codes, c)
		}
	}
	if len(codes) == 0 {
		b.Skip("Python 3.13 is not installed (pyenv): benchmark skipped")
	}
	var buf bytes.Buffer
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var n int64
		for _, c := range codes {
			buf.Reset()
			if err := disasm.Dis(&buf, c, disasm.DisOptions{}); err != nil {
				b.Fatal(err)
			}
			n += int64(buf.Len())
		}
		b.SetBytes(n)
	}
}

package disasm_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

// benchmarkDisStdlib parses and disassembles every pyc of one installed
// interpreter's standard library directory (the files
// bench/dis_cpython.py times CPython's dis on), writing to io.Discard.
func benchmarkDisStdlib(b *testing.B, xy string) {
	var in *pytest.Interpreter
	for _, i := range pytest.Interpreters() {
		if i.Version == xy {
			in = &i
		}
	}
	if in == nil {
		b.Skipf("Python %s is not installed (pyenv): benchmark skipped", xy)
	}
	tag := ".cpython-" + strings.ReplaceAll(xy, ".", "") + "."
	var files [][]byte
	var total int64
	for _, p := range pytest.StdlibPycs(*in) {
		if !strings.Contains(filepath.Base(p), tag) {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
		total += int64(len(data))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, data := range files {
			f, err := pyc.Parse(data, pyc.ParseOptions{})
			if err != nil {
				b.Fatal(err)
			}
			c, err := disasm.NewCode(f.TopCode(), f.Version())
			if err != nil {
				b.Fatal(err)
			}
			if err := disasm.Dis(io.Discard, c, disasm.DisOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(len(files)), "files")
}

// BenchmarkDisStdlib311 disassembles the 3.11 installation's pycs.
func BenchmarkDisStdlib311(b *testing.B) { benchmarkDisStdlib(b, "3.11") }

// BenchmarkDisStdlib313 disassembles the 3.13 installation's pycs.
func BenchmarkDisStdlib313(b *testing.B) { benchmarkDisStdlib(b, "3.13") }

// BenchmarkDisStdlib38 disassembles the 3.8 installation's pycs.
func BenchmarkDisStdlib38(b *testing.B) { benchmarkDisStdlib(b, "3.8") }

package marshal_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
)

// stdlibStreams returns the marshal streams (headers stripped) of every pyc
// of the installed interpreter X.Y under its lib directory: the same files
// bench/marshal_loads.py times CPython's marshal.loads on.
func stdlibStreams(b *testing.B, xy string) ([][]byte, int64) {
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
	var blobs [][]byte
	var total int64
	for _, p := range pytest.StdlibPycs(*in) {
		if !strings.Contains(filepath.Base(p), tag) {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil || len(data) < 16 {
			continue
		}
		blobs = append(blobs, data[16:])
		total += int64(len(data) - 16)
	}
	return blobs, total
}

func benchmarkStdlib(b *testing.B, xy string) {
	blobs, total := stdlibStreams(b, xy)
	opts := marshal.Options{Layout: marshal.Layout311}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, blob := range blobs {
			if _, _, err := marshal.Unmarshal(blob, opts); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkUnmarshalStdlib311 decodes every pyc of the 3.11 installation.
func BenchmarkUnmarshalStdlib311(b *testing.B) { benchmarkStdlib(b, "3.11") }

// BenchmarkUnmarshalStdlib313 decodes every pyc of the 3.13 installation.
func BenchmarkUnmarshalStdlib313(b *testing.B) { benchmarkStdlib(b, "3.13") }

// BenchmarkMarshalStdlib313 encodes every decoded pyc of the 3.13
// installation back to bytes.
func BenchmarkMarshalStdlib313(b *testing.B) {
	blobs, total := stdlibStreams(b, "3.13")
	vals := make([]marshal.Value, len(blobs))
	for i, blob := range blobs {
		v, _, err := marshal.Unmarshal(blob, marshal.Options{Layout: marshal.Layout311})
		if err != nil {
			b.Fatal(err)
		}
		vals[i] = v
	}
	b.SetBytes(total)
	b.ReportAllocs()
	b.ResetTimer()
	var buf []byte
	for i := 0; i < b.N; i++ {
		for _, v := range vals {
			var err error
			buf, err = marshal.Append(buf[:0], v, marshal.EncodeOptions{Version: 4})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

package disasm_test

import (
	"bytes"
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

var (
	oracleN        = flag.Int("oracle.n", 20, "pycs per installed interpreter for the dis oracle test (0: all)")
	oracleVersions = flag.String("oracle.versions", "", "comma-separated X.Y versions for the dis oracle test (default: all installed)")
	oracleShow     = flag.Int("oracle.show", 5, "mismatching files to show in full per version")
)

// TestDisOracle compares our listing with what each installed interpreter's
// own dis prints (through ../shared/tools/refdis.py, normalised by
// normdis.py) for a sample of the pycs of its own installation; with
// -oracle.n=0, for all of them.
func TestDisOracle(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	refdis := pytest.RequireShared(t, "tools/refdis.py")
	normdis := pytest.RequireShared(t, "tools/normdis.py")
	want := map[string]bool{}
	for _, v := range strings.Split(*oracleVersions, ",") {
		if v != "" {
			want[v] = true
		}
	}
	norm := ins[len(ins)-1]
	for _, in := range ins {
		if len(want) > 0 && !want[in.Version] {
			continue
		}
		in := in
		t.Run(in.Version, func(t *testing.T) {
			files := pytest.Sample(pytest.StdlibPycs(in), *oracleN)
			if len(files) == 0 {
				t.Skipf("no pycs in %s", in.Prefix)
			}
			bad, total := 0, 0
			for start := 0; start < len(files); start += 150 {
				chunk := files[start:min(start+150, len(files))]
				refs := runRefdis(t, in, refdis, chunk)
				for _, f := range chunk {
					ref, ok := refs[f]
					if !ok {
						continue // the interpreter itself could not load it
					}
					total++
					var buf bytes.Buffer
					if err := disFile(&buf, f); err != nil {
						bad++
						if bad <= *oracleShow {
							t.Errorf("%s: %v", f, err)
						}
						continue
					}
					a := normalize(t, norm, normdis, ref)
					b := normalize(t, norm, normdis, buf.String())
					if a != b {
						bad++
						if bad <= *oracleShow {
							t.Errorf("%s: listing differs from dis:\n%s", f, firstDiff(a, b))
						}
					}
				}
			}
			t.Logf("%s: %d of %d files differ from dis", in.Version, bad, total)
		})
	}
}

func disFile(w *bytes.Buffer, path string) error {
	f, err := pyc.Open(path)
	if err != nil {
		return err
	}
	top := f.TopCode()
	if top == nil {
		return fmt.Errorf("no code object")
	}
	c, err := disasm.NewCode(top, f.Version())
	if err != nil {
		return err
	}
	return disasm.Dis(w, c, disasm.DisOptions{})
}

// runRefdis returns refdis.py's listing of each file, by path.
func runRefdis(t *testing.T, in pytest.Interpreter, refdis string, files []string) map[string]string {
	args := append([]string{refdis}, files...)
	out := map[string]string{}
	b, err := in.Run("", args...)
	if err != nil {
		if len(files) == 1 {
			return out
		}
		// One file the interpreter cannot load spoils the batch: go one
		// by one.
		for _, f := range files {
			for k, v := range runRefdis(t, in, refdis, []string{f}) {
				out[k] = v
			}
		}
		return out
	}
	if len(files) == 1 {
		out[files[0]] = string(b)
		return out
	}
	return splitListings(string(b))
}

var normCache = map[string]string{}

func normalize(t *testing.T, in pytest.Interpreter, normdis, s string) string {
	if strings.Contains(s, "frozenset({") {
		b, err := in.Run(s, normdis)
		if err != nil {
			t.Fatalf("normdis: %v", err)
		}
		return string(b)
	}
	var sb strings.Builder
	for _, line := range strings.SplitAfter(s, "\n") {
		if line == "" {
			continue
		}
		line = strings.TrimRight(line, " \t\r\n")
		sb.WriteString(addrRE(line))
		sb.WriteByte('\n')
	}
	return sb.String()
}

// addrRE replaces " at 0x<hex>" with " at 0x?", as normdis does.
func addrRE(line string) string {
	var sb strings.Builder
	for {
		i := strings.Index(line, " at 0x")
		if i < 0 {
			sb.WriteString(line)
			return sb.String()
		}
		j := i + len(" at 0x")
		k := j
		for k < len(line) && strings.IndexByte("0123456789abcdefABCDEF", line[k]) >= 0 {
			k++
		}
		if k == j {
			sb.WriteString(line[:j])
			line = line[j:]
			continue
		}
		sb.WriteString(line[:i] + " at 0x?")
		line = line[k:]
	}
}

func firstDiff(a, b string) string {
	al := strings.Split(a, "\n")
	bl := strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			var sb strings.Builder
			for j := max(0, i-3); j < i; j++ {
				fmt.Fprintf(&sb, "      %s\n", clip(al[j]))
			}
			fmt.Fprintf(&sb, "dis:  %s\nours: %s\n(line %d)", clip(x), clip(y), i+1)
			return sb.String()
		}
	}
	return "(no difference)"
}

// clip shortens a line for a readable failure message.
func clip(s string) string {
	if len(s) > 240 {
		return s[:240] + "..."
	}
	return s
}

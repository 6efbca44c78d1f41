package disasm_test

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

type corpusEntry struct{ Path, Family string }

func corpus(t *testing.T) (string, []corpusEntry, map[string]bool) {
	t.Helper()
	dir := pytest.RequireShared(t, "corpus")
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Skipf("corpus manifest: %v", err)
	}
	defer f.Close()
	var out []corpusEntry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 6 || cols[5] == "headerless" {
			continue
		}
		out = append(out, corpusEntry{cols[0], cols[5]})
	}
	bad := map[string]bool{}
	b, err := os.ReadFile(filepath.Join(pytest.RepoRoot(), "testdata", "corpus", "known-bad.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			bad[strings.SplitN(line, "\t", 2)[0]] = true
		}
	}
	return dir, out, bad
}

// familyVersions turns a manifest family ("3.7", "PyPy 3.9", "Graal
// 3.11/3.12 (shared magic)", "1.1/1.2 (shared magic)") into the
// implementation and the versions it allows.
func familyVersions(fam string) (impl string, versions []string) {
	impl = "CPython"
	fam, _, _ = strings.Cut(fam, " (")
	switch {
	case strings.HasPrefix(fam, "PyPy "):
		impl, fam = "PyPy", strings.TrimPrefix(fam, "PyPy ")
	case strings.HasPrefix(fam, "Graal "):
		impl, fam = "GraalPy", strings.TrimPrefix(fam, "Graal ")
	case strings.HasPrefix(fam, "RustPython "):
		impl, fam = "RustPython", strings.TrimPrefix(fam, "RustPython ")
	}
	return impl, strings.Split(fam, "/")
}

// TestCorpusIdentify checks that the implementation and version pyc reports
// (magic, refined by the bytecode) are the corpus manifest's.
func TestCorpusIdentify(t *testing.T) {
	dir, entries, bad := corpus(t)
	for _, e := range entries {
		if bad[e.Path] {
			continue
		}
		f, err := pyc.Open(filepath.Join(dir, e.Path))
		if err != nil {
			t.Errorf("%s: %v", e.Path, err)
			continue
		}
		v := disasm.Refine(f.Version(), f.TopCode())
		impl, versions := familyVersions(e.Family)
		okv := false
		for _, x := range versions {
			okv = okv || x == v.XY()
		}
		if v.Impl.String() != impl || !okv {
			t.Errorf("%s: have %s %s, want %s", e.Path, v.Impl, v.XY(), e.Family)
		}
	}
}

// TestCorpusDis disassembles every decodable corpus file (1.0 to 3.15,
// PyPy): no errors.
func TestCorpusDis(t *testing.T) {
	dir, entries, bad := corpus(t)
	n := 0
	for _, e := range entries {
		if bad[e.Path] {
			continue
		}
		f, err := pyc.Open(filepath.Join(dir, e.Path))
		if err != nil {
			t.Errorf("%s: %v", e.Path, err)
			continue
		}
		v := disasm.Refine(f.Version(), f.TopCode())
		if f.TopCode() == nil {
			continue // GraalPy's or RustPython's own code objects: no CPython bytecode
		}
		c, err := disasm.NewCode(f.TopCode(), v)
		if err != nil {
			t.Errorf("%s: %v", e.Path, err)
			continue
		}
		if err := disasm.Dis(io.Discard, c, disasm.DisOptions{}); err != nil {
			t.Errorf("%s: %v", e.Path, err)
			continue
		}
		n++
	}
	t.Logf("%d corpus files disassembled", n)
}

package pyc_test

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

// CorpusEntry is one row of ../shared/corpus/MANIFEST.tsv.
type corpusEntry struct {
	Path, Family string
}

func readManifest(t *testing.T) (string, []corpusEntry) {
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
		if first {
			continue
		}
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 6 {
			continue
		}
		out = append(out, corpusEntry{Path: cols[0], Family: cols[5]})
	}
	return dir, out
}

// knownBad reads testdata/corpus/known-bad.tsv: path, then the error we
// give, then why.
func knownBad(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pytest.RepoRoot(), "testdata", "corpus", "known-bad.tsv"))
	if err != nil {
		t.Fatalf("known-bad list: %v", err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.SplitN(line, "\t", 3)
		if len(cols) < 2 {
			t.Fatalf("known-bad list: bad line %q", line)
		}
		out[cols[0]] = cols[1]
	}
	return out
}

// TestCorpusRoundTrip decodes every file of ../shared/corpus and encodes it
// again: the bytes must be the same. Files that cannot be decoded must be on
// the known-bad list, failing with the error the list gives.
func TestCorpusRoundTrip(t *testing.T) {
	dir, entries := readManifest(t)
	bad := knownBad(t)
	ok := 0
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Path))
		if err != nil {
			t.Errorf("%s: %v", e.Path, err)
			continue
		}
		opts := pyc.ParseOptions{}
		if e.Family == "headerless" {
			continue
		}
		f, err := pyc.Parse(data, opts)
		if want, listed := bad[e.Path]; listed {
			if err == nil {
				t.Errorf("%s: on the known-bad list but decodes now: take it off", e.Path)
			} else if err.Error() != want {
				t.Errorf("%s: error changed:\nhave %v\nwant %s", e.Path, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", e.Path, err)
			continue
		}
		out, err := f.Bytes()
		if err != nil {
			t.Errorf("%s: encode: %v", e.Path, err)
			continue
		}
		if !bytes.Equal(out, data) {
			t.Errorf("%s: re-encoded bytes differ", e.Path)
			continue
		}
		ok++
	}
	t.Logf("%d of %d corpus files round-trip byte for byte; %d on the known-bad list", ok, len(entries), len(bad))
}

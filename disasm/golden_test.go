package disasm_test

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
)

// TestGoldenDis compares our listing of every golden pyc with the listing
// its interpreter's dis printed when the golden data was made
// (testdata/pycs/<X.Y>/*.dis), addresses and trailing blanks aside. It
// needs no interpreter.
func TestGoldenDis(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(pytest.RepoRoot(), "testdata", "pycs", "*", "*.pyc.dis"))
	if len(files) == 0 {
		t.Fatal("no golden listings under testdata/pycs")
	}
	bad := 0
	for _, d := range files {
		want, err := os.ReadFile(d)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := disFile(&buf, strings.TrimSuffix(d, ".dis")); err != nil {
			t.Errorf("%s: %v", d, err)
			bad++
			continue
		}
		a, b := normalizeGo(string(want)), normalizeGo(buf.String())
		if a != b {
			bad++
			t.Errorf("%s: listing differs:\n%s", d, firstDiff(a, b))
		}
	}
	t.Logf("%d of %d golden listings differ", bad, len(files))
}

// normalizeGo applies normdis.py's address and trailing-blank rules.
func normalizeGo(s string) string {
	var sb strings.Builder
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		line = addrRE(strings.TrimRight(line, " \t\r"))
		if strings.Contains(line, "frozenset({") {
			line = sortFrozensets(line)
		}
		sb.WriteString(line)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// sortFrozensets sorts the elements of every "frozenset({...})" in a line,
// as normdis.py does: CPython prints them in hash order, which changes from
// process to process.
func sortFrozensets(line string) string {
	const open = "frozenset({"
	var sb strings.Builder
	for {
		i := strings.Index(line, open)
		if i < 0 {
			sb.WriteString(line)
			return sb.String()
		}
		sb.WriteString(line[:i+len(open)])
		rest := line[i+len(open):]
		items, n := splitTopLevel(rest)
		if n < 0 {
			sb.WriteString(rest)
			return sb.String()
		}
		for k := range items {
			items[k] = sortFrozensets(items[k])
		}
		sort.Strings(items)
		sb.WriteString(strings.Join(items, ", "))
		line = rest[n:]
	}
}

// splitTopLevel splits s at top-level ", " up to the "}" that closes it,
// returning the items and the index of that "}" (-1 if there is none).
func splitTopLevel(s string) ([]string, int) {
	depth, start := 0, 0
	var q byte
	var items []string
	for k := 0; k < len(s); k++ {
		c := s[k]
		switch {
		case q != 0:
			if c == '\\' {
				k++
			} else if c == q {
				q = 0
			}
		case c == '\'' || c == '"':
			q = c
		case c == '(' || c == '[' || c == '{':
			depth++
		case c == ')' || c == ']' || c == '}':
			if depth == 0 {
				if k > start {
					items = append(items, strings.TrimSpace(s[start:k]))
				}
				return items, k
			}
			depth--
		case c == ',' && depth == 0:
			items = append(items, strings.TrimSpace(s[start:k]))
			start = k + 1
		}
	}
	return nil, -1
}

package diff_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/diff"
)

var update = flag.Bool("update", false, "rewrite the golden diffs under diff/testdata")

// goldenPairs are pairs of golden pycs (testdata/pycs) and the file under
// diff/testdata holding their expected diff, made by `go test -update` and
// read over by a person.
var goldenPairs = []struct {
	a, b, want string
	opts       diff.Options
}{
	// -O drops asserts and `if __debug__:` code and makes __debug__ false.
	{"3.12/optimize.ts.pyc", "3.12/optimize.opt-1.pyc", "optimize-3.12-O.txt", diff.Options{}},
	// -OO also drops docstrings.
	{"3.12/optimize.opt-1.pyc", "3.12/optimize.opt-2.pyc", "optimize-3.12-O-OO.txt", diff.Options{}},
	{"2.7/optimize.ts.pyc", "2.7/optimize.opt-2.pyc", "optimize-2.7-OO.txt", diff.Options{}},
	{"3.8/optimize.ts.pyc", "3.8/optimize.opt-2.pyc", "optimize-3.8-OO.json", diff.Options{}},
	// The same source under a timestamp and a checked-hash header.
	{"3.12/consts.ts.pyc", "3.12/consts.checked.pyc", "consts-3.12-checked.txt", diff.Options{}},
	{"3.10/funcs.ts.pyc", "3.10/funcs.unchecked.pyc", "funcs-3.10-unchecked.json", diff.Options{}},
	// The same source compiled by two versions.
	{"3.12/future_flags.ts.pyc", "3.13/future_flags.ts.pyc", "future_flags-3.12-3.13.txt", diff.Options{}},
	{"3.10/docstring_only.ts.pyc", "3.11/docstring_only.ts.pyc", "docstring_only-3.10-3.11.txt", diff.Options{}},
	{"2.7/lines.ts.pyc", "3.6/lines.ts.pyc", "lines-2.7-3.6.txt", diff.Options{Context: -1}},
}

func TestGoldenDiffs(t *testing.T) {
	for _, p := range goldenPairs {
		t.Run(p.want, func(t *testing.T) {
			d := diff.Paths(golden(p.a), golden(p.b), diff.ReadOptions{}, p.opts)
			if d.Status == diff.Trouble {
				t.Fatal(d.Error)
			}
			// Name the files relative to testdata/pycs, so that the
			// golden files do not depend on where the repository is.
			d.A, d.B = p.a, p.b
			var have bytes.Buffer
			if strings.HasSuffix(p.want, ".json") {
				enc := json.NewEncoder(&have)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				if err := enc.Encode(d); err != nil {
					t.Fatal(err)
				}
			} else if err := d.WriteText(&have); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", p.want)
			if *update {
				if err := os.WriteFile(path, have.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to make it)", err)
			}
			if !bytes.Equal(have.Bytes(), want) {
				t.Errorf("diff of %s and %s differs from %s:\n%s", p.a, p.b, path, firstLineDiff(string(want), have.String()))
			}
		})
	}
}

// firstLineDiff shows the first line where two texts differ.
func firstLineDiff(want, have string) string {
	w, h := strings.Split(want, "\n"), strings.Split(have, "\n")
	for i := 0; i < len(w) || i < len(h); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(h) {
			b = h[i]
		}
		if a != b {
			return "line " + itoa(i+1) + ":\nwant: " + a + "\nhave: " + b
		}
	}
	return "(no line differs)"
}

func itoa(i int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}

// goldenPycs lists every golden pyc.
func goldenPycs(t *testing.T) []string {
	files, _ := filepath.Glob(golden(filepath.Join("*", "*.pyc")))
	if len(files) == 0 {
		t.Fatal("no golden pycs under testdata/pycs")
	}
	return files
}

// TestGoldenSelf diffs every golden pyc against itself, decoding both
// copies (Deep): the values must compare equal and no encoding difference
// may be found.
func TestGoldenSelf(t *testing.T) {
	for _, f := range goldenPycs(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		other := append([]byte(nil), data...)
		d := diff.Bytes(f, data, f, other, diff.ReadOptions{}, diff.Options{Deep: true})
		if d.Status != diff.Identical || len(d.Codes)+len(d.Encoding)+len(d.Header)+len(d.Notes) > 0 {
			t.Errorf("%s against itself: status %s, %d code, %d encoding, %d header differences, notes %q",
				f, d.Status, len(d.Codes), len(d.Encoding), len(d.Header), d.Notes)
		}
	}
}

// TestGoldenHashHeaders diffs each timestamp pyc with the checked- and
// unchecked-hash pycs of the same source: only the header may differ, and
// it must.
func TestGoldenHashHeaders(t *testing.T) {
	n := 0
	for _, f := range goldenPycs(t) {
		if !strings.HasSuffix(f, ".ts.pyc") {
			continue
		}
		for _, mode := range []string{".checked.pyc", ".unchecked.pyc"} {
			g := strings.TrimSuffix(f, ".ts.pyc") + mode
			if _, err := os.Stat(g); err != nil {
				continue
			}
			n++
			d := diff.Paths(f, g, diff.ReadOptions{}, diff.Options{})
			if d.Status != diff.Different || len(d.Header) == 0 || len(d.Codes)+len(d.Encoding)+len(d.Notes) > 0 {
				t.Errorf("%s and %s: status %s, header %v, %d code and %d encoding differences, notes %q",
					f, g, d.Status, d.Header, len(d.Codes), len(d.Encoding), d.Notes)
			}
			fields := map[string]bool{}
			for _, c := range d.Header {
				fields[c.Field] = true
			}
			if !fields["flags"] || !fields["hash"] || fields["magic"] {
				t.Errorf("%s and %s: header fields %v, want flags and hash (not magic)", f, g, d.Header)
			}
			if s := diff.Paths(f, g, diff.ReadOptions{}, diff.Options{IgnoreHeader: true}); s.Status != diff.Identical {
				t.Errorf("%s and %s with --ignore-header: status %s, want identical", f, g, s.Status)
			}
		}
	}
	if n == 0 {
		t.Fatal("no hash-based golden pycs")
	}
}

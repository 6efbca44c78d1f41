package diff_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/diff"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// golden returns the path of a golden pyc under testdata/pycs.
func golden(rel string) string {
	return filepath.Join(pytest.RepoRoot(), "testdata", "pycs", rel)
}

func readGolden(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(golden(rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// visit calls fn for every value under v (code objects' fields included),
// once per occurrence, with a setter that replaces the value in its tuple,
// list or set. It stops early when fn returns false.
func visit(v marshal.Value, fn func(v marshal.Value, set func(marshal.Value)) bool) bool {
	var items []marshal.Value
	switch x := v.(type) {
	case *marshal.Tuple:
		items = x.Items
	case *marshal.List:
		items = x.Items
	case *marshal.Set:
		items = x.Items
	case *marshal.Code:
		for _, f := range []*marshal.Tuple{x.Consts, x.Names, x.VarNames, x.FreeVars, x.CellVars, x.LocalsPlusNames} {
			if f != nil && !visit(f, fn) {
				return false
			}
		}
		return true
	}
	for i := range items {
		if !fn(items[i], func(n marshal.Value) { items[i] = n }) || !visit(items[i], fn) {
			return false
		}
	}
	return true
}

// TestEncodingOnly changes only how values of a real pyc are encoded (a
// string's type code, a tuple's, FLAG_REF, a frozenset's order, a shared
// string copied) and checks that the diff says "same values, different
// encoding", names each change, and that --semantic finds them identical.
// A value change, by contrast, must make the files differ.
func TestEncodingOnly(t *testing.T) {
	const rel = "3.12/consts.ts.pyc"
	data := readGolden(t, rel)
	type mutation struct {
		name string
		// apply changes the file and returns what the diff must say.
		apply func(t *testing.T, f *pyc.File) string
	}
	first := func(f *pyc.File, pred func(marshal.Value) bool, do func(v marshal.Value, set func(marshal.Value))) bool {
		found := false
		visit(f.Code, func(v marshal.Value, set func(marshal.Value)) bool {
			if pred(v) {
				do(v, set)
				found = true
				return false
			}
			return true
		})
		return found
	}
	muts := []mutation{
		{"short ASCII written as str", func(t *testing.T, f *pyc.File) string {
			if !first(f, func(v marshal.Value) bool { s, ok := v.(*marshal.Str); return ok && s.Type == 'z' && len(s.Data) > 3 },
				func(v marshal.Value, _ func(marshal.Value)) { v.(*marshal.Str).Type = 'u' }) {
				t.Skip("no short ASCII string")
			}
			return "type code 'z' (short ASCII) in a, 'u' (str) in b"
		}},
		{"small tuple written as tuple", func(t *testing.T, f *pyc.File) string {
			if !first(f, func(v marshal.Value) bool {
				x, ok := v.(*marshal.Tuple)
				return ok && x.Type == ')' && len(x.Items) > 1
			},
				func(v marshal.Value, _ func(marshal.Value)) { v.(*marshal.Tuple).Type = '(' }) {
				t.Skip("no small tuple")
			}
			return "type code ')' (small tuple) in a, '(' (tuple) in b"
		}},
		{"FLAG_REF set", func(t *testing.T, f *pyc.File) string {
			if !first(f, func(v marshal.Value) bool { x, ok := v.(*marshal.Float); return ok && !x.Ref },
				func(v marshal.Value, _ func(marshal.Value)) { v.(*marshal.Float).Ref = true }) {
				t.Skip("no float")
			}
			return "FLAG_REF set in b only"
		}},
		{"frozenset reordered", func(t *testing.T, f *pyc.File) string {
			if !first(f, func(v marshal.Value) bool { x, ok := v.(*marshal.Set); return ok && len(x.Items) > 1 },
				func(v marshal.Value, _ func(marshal.Value)) {
					s := v.(*marshal.Set)
					for i, j := 0, len(s.Items)-1; i < j; i, j = i+1, j-1 {
						s.Items[i], s.Items[j] = s.Items[j], s.Items[i]
					}
				}) {
				t.Skip("no frozenset")
			}
			return "the same items in another order"
		}},
		{"shared string copied", func(t *testing.T, f *pyc.File) string {
			// Find a string met twice (written once, then referred back
			// to) and replace the second occurrence with a copy.
			seen := map[marshal.Value]bool{}
			if !first(f, func(v marshal.Value) bool {
				s, ok := v.(*marshal.Str)
				if !ok {
					return false
				}
				if seen[s] {
					return true
				}
				seen[s] = true
				return false
			}, func(v marshal.Value, set func(marshal.Value)) {
				s := v.(*marshal.Str)
				set(&marshal.Str{Encoding: marshal.Encoding{Type: s.Type}, Data: s.Data})
			}) {
				t.Skip("no shared string")
			}
			return "refers back to the object at"
		}},
	}
	for _, m := range muts {
		t.Run(m.name, func(t *testing.T) {
			f, err := pyc.Parse(append([]byte(nil), data...), pyc.ParseOptions{})
			if err != nil {
				t.Fatal(err)
			}
			want := m.apply(t, f)
			out, err := f.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			d := diff.Bytes("a", data, "b", out, diff.ReadOptions{}, diff.Options{})
			if d.Status != diff.EncodingOnly {
				t.Fatalf("status %s, want %s; %+v", d.Status, diff.EncodingOnly, d)
			}
			t.Logf("%+v", d.Encoding)
			found := false
			for _, e := range d.Encoding {
				if strings.Contains(e.What, want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no encoding difference says %q; have %+v", want, d.Encoding)
			}
			if len(d.Codes) > 0 {
				t.Errorf("value differences reported for an encoding change: %+v", d.Codes[0])
			}
			if s := diff.Bytes("a", data, "b", out, diff.ReadOptions{}, diff.Options{Semantic: true}); s.Status != diff.Identical || len(s.Encoding) > 0 {
				t.Errorf("--semantic: status %s with %d encoding differences, want identical", s.Status, len(s.Encoding))
			}
		})
	}
	t.Run("value change", func(t *testing.T) {
		f, err := pyc.Parse(append([]byte(nil), data...), pyc.ParseOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var old int64
		if !first(f, func(v marshal.Value) bool { x, ok := v.(*marshal.Int); return ok && x.Big == nil && x.Small > 1000 },
			func(v marshal.Value, set func(marshal.Value)) {
				x := v.(*marshal.Int)
				old = x.Small
				set(&marshal.Int{Encoding: x.Encoding, Small: x.Small + 1})
			}) {
			t.Skip("no int")
		}
		out, err := f.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		for _, semantic := range []bool{false, true} {
			d := diff.Bytes("a", data, "b", out, diff.ReadOptions{}, diff.Options{Semantic: semantic})
			if d.Status != diff.Different || len(d.Codes) == 0 {
				t.Fatalf("semantic=%v: status %s with %d code differences, want different", semantic, d.Status, len(d.Codes))
			}
			var text strings.Builder
			d.WriteText(&text)
			if !strings.Contains(text.String(), "changed") || !strings.Contains(text.String(), "->") {
				t.Errorf("semantic=%v: the change of %d is not reported:\n%s", semantic, old, text.String())
			}
		}
	})
}

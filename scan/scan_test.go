package scan_test

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
	"github.com/pyc-tools/pyc/scan"
)

// body returns the marshal stream of a golden pyc of a version.
func body(t *testing.T, xy string) (*pyc.Version, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pytest.RepoRoot(), "testdata", "pycs", xy, "consts.ts.pyc"))
	if err != nil {
		t.Skipf("golden pyc: %v", err)
	}
	h, err := pyc.ParseHeader(b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return h.Version, b[h.Version.HeaderSize:]
}

// Tree is a directory holding a pyc of every status. Build returns the
// paths by expected status.
type tree struct {
	t    *testing.T
	dir  string
	want map[string]scan.Status
}

func (tr *tree) file(rel string, data []byte, mtime time.Time) string {
	p := filepath.Join(tr.dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		tr.t.Fatal(err)
	}
	if !mtime.IsZero() {
		os.Chtimes(p, mtime, mtime)
	}
	return p
}

// pyc writes a pyc of v for src (mode, stamp taken from src) with the
// given body, and records the status it should get.
func (tr *tree) pyc(rel string, v *pyc.Version, mode pyc.Mode, src []byte, mtime time.Time, code []byte, want scan.Status) {
	h := pyc.Header{Magic: v.Raw, Version: v}
	if err := h.SetMode(mode); err != nil {
		tr.t.Fatal(err)
	}
	h.Mtime, h.SourceSize, h.Hash = uint32(mtime.Unix()), uint32(len(src)), v.SourceHash(src)
	p := tr.file(rel, append(h.AppendHeader(nil), code...), time.Time{})
	tr.want[p] = want
}

func build(t *testing.T) *tree {
	v311, code311 := body(t, "3.11")
	v27, code27 := body(t, "2.7")
	tr := &tree{t: t, dir: t.TempDir(), want: map[string]scan.Status{}}
	when := time.Unix(1700000000, 0)
	later := when.Add(time.Hour)
	src := []byte("x = 1\n")
	tr.file("pkg/fresh.py", src, when)
	tr.pyc("pkg/__pycache__/fresh.cpython-311.pyc", v311, pyc.Timestamp, src, when, code311, scan.Fresh)
	tr.pyc("pkg/__pycache__/fresh.cpython-39.pyc", v311, pyc.Timestamp, src, when, code311, scan.Foreign)
	tr.file("pkg/stale.py", src, later)
	tr.pyc("pkg/__pycache__/stale.cpython-311.pyc", v311, pyc.Timestamp, src, when, code311, scan.Stale)
	tr.file("pkg/hashed.py", src, when)
	tr.pyc("pkg/__pycache__/hashed.cpython-311.pyc", v311, pyc.CheckedHash, src, when, code311, scan.Fresh)
	tr.pyc("pkg/__pycache__/hashed.cpython-311.opt-1.pyc", v311, pyc.CheckedHash, []byte("x = 2\n"), when, code311, scan.Stale)
	tr.pyc("pkg/__pycache__/hashed.cpython-311.opt-2.pyc", v311, pyc.UncheckedHash, []byte("x = 2\n"), when, code311, scan.Fresh)
	tr.pyc("pkg/__pycache__/gone.cpython-311.pyc", v311, pyc.Timestamp, src, when, code311, scan.Orphan)
	tr.pyc("pkg/__pycache__/noname.pyc", v311, pyc.Timestamp, src, when, code311, scan.Orphan)
	tr.pyc("pkg/lone.pyc", v311, pyc.Timestamp, src, when, code311, scan.Sourceless)
	tr.file("pkg/old.py", src, when)
	tr.pyc("pkg/old.pyc", v27, pyc.Timestamp, src, when, code27, scan.Foreign) // no 2.7 installed
	tr.file("pkg/trunc.py", src, when)
	tr.pyc("pkg/__pycache__/trunc.cpython-311.pyc", v311, pyc.Timestamp, src, when, code311[:len(code311)/2], scan.Corrupt)
	tr.want[tr.file("pkg/__pycache__/junk.cpython-311.pyc", []byte("junk"), time.Time{})] = scan.Corrupt
	tr.want[tr.file("pkg/__pycache__/none.cpython-311.pyc", append(mustHeader(t, v311), 'N'), time.Time{})] = scan.Corrupt
	return tr
}

func mustHeader(t *testing.T, v *pyc.Version) []byte {
	h := pyc.Header{Magic: v.Raw, Version: v}
	return h.AppendHeader(nil)
}

var installed = []string{"cpython-311"}

func TestScanStatuses(t *testing.T) {
	tr := build(t)
	var got []scan.Entry
	if err := scan.Scan([]string{tr.dir}, scan.Options{Installed: installed}, func(e scan.Entry) { got = append(got, e) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(tr.want) {
		t.Errorf("have %d pycs, want %d", len(got), len(tr.want))
	}
	if !sort.SliceIsSorted(got, func(i, j int) bool { return got[i].Path < got[j].Path }) {
		t.Error("entries not in walk order")
	}
	for _, e := range got {
		if want, ok := tr.want[e.Path]; !ok {
			t.Errorf("%s: unexpected", e.Path)
		} else if e.Status != want {
			t.Errorf("%s: have %s (%s), want %s", filepath.Base(e.Path), e.Status, e.Reason, want)
		}
	}
	// Without the installed list, the 2.7 pyc is judged by its stamp.
	e := scan.File(filepath.Join(tr.dir, "pkg/old.pyc"), scan.Options{})
	if e.Status != scan.Fresh || e.Version != "CPython 2.7" || !e.Legacy {
		t.Errorf("old.pyc without an installed list: %+v", e)
	}
	e = scan.File(filepath.Join(tr.dir, "pkg/__pycache__/hashed.cpython-311.opt-1.pyc"), scan.Options{})
	if e.Tag != "cpython-311" || e.Opt != 1 || e.Mode != "checked-hash" || e.Source != filepath.Join(tr.dir, "pkg/hashed.py") {
		t.Errorf("hashed opt-1: %+v", e)
	}
}

func TestTotals(t *testing.T) {
	tr := build(t)
	tot := scan.NewTotals()
	scan.Scan([]string{tr.dir}, scan.Options{Installed: installed}, tot.Add)
	n := 0
	for _, c := range tot.ByStatus {
		n += c.Files
	}
	if n != len(tr.want) || tot.All.Files != n {
		t.Errorf("by status %d, all %d, want %d", n, tot.All.Files, len(tr.want))
	}
	if got := tot.Versions(); len(got) != 3 || got[0] != "CPython 2.7" || got[1] != "CPython 3.11" || got[2] != "unknown" {
		t.Errorf("versions %q", got)
	}
	if tot.ByStatus["corrupt"].Files != 3 || tot.ByStatus["orphan"].Files != 2 {
		t.Errorf("by status %+v", tot.ByStatus)
	}
}

// Prune removes exactly the stale, orphan and corrupt pycs.
func TestPrune(t *testing.T) {
	tr := build(t)
	var entries []scan.Entry
	scan.Scan([]string{tr.dir}, scan.Options{Installed: installed}, func(e scan.Entry) { entries = append(entries, e) })
	removed := scan.Prune(entries)
	gone := map[string]bool{}
	for _, r := range removed {
		if r.Err != "" {
			t.Errorf("%s: %s", r.Path, r.Err)
		}
		gone[r.Path] = true
	}
	for p, st := range tr.want {
		_, err := os.Stat(p)
		exists := err == nil
		if st.Prunable() == exists || st.Prunable() != gone[p] {
			t.Errorf("%s (%s): exists %v, reported removed %v", filepath.Base(p), st, exists, gone[p])
		}
	}
	// Sources are never touched.
	if _, err := os.Stat(filepath.Join(tr.dir, "pkg/stale.py")); err != nil {
		t.Error(err)
	}
}

func TestStatusNames(t *testing.T) {
	want := map[scan.Status]string{scan.Fresh: "fresh", scan.Stale: "stale", scan.Orphan: "orphan",
		scan.Sourceless: "sourceless", scan.Foreign: "foreign", scan.Corrupt: "corrupt"}
	for s, name := range want {
		if s.String() != name {
			t.Errorf("%d: %s, want %s", s, s, name)
		}
		if s.Prunable() != (s == scan.Stale || s == scan.Orphan || s == scan.Corrupt) {
			t.Errorf("%s: Prunable %v", s, s.Prunable())
		}
	}
	if len(scan.Statuses()) != len(want) {
		t.Errorf("%d statuses", len(scan.Statuses()))
	}
}

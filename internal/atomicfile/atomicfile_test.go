package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// entries returns the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

// reset forgets an Interrupt, for the tests that follow one.
func reset() {
	register.Lock()
	register.closed = false
	register.files = nil
	register.Unlock()
}

func TestCommitReplaces(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "out.pyc")
	if err := os.WriteFile(dest, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	oldIno := ino(t, dest)
	f, err := Create(dest, 0o640, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(f.Name(), filepath.Join(dir, ".out.pyc.tmp")) {
		t.Errorf("temporary file %s", f.Name())
	}
	f.Write([]byte("new"))
	if got, _ := os.ReadFile(dest); string(got) != "old" {
		t.Errorf("before Commit the destination holds %q", got)
	}
	if n := InFlight(); n != 1 {
		t.Errorf("%d files in flight, want 1", n)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	f.Abort() // does nothing after Commit
	if got, _ := os.ReadFile(dest); string(got) != "new" {
		t.Errorf("after Commit the destination holds %q", got)
	}
	st, _ := os.Stat(dest)
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 exactly", st.Mode())
	}
	if ino(t, dest) == oldIno {
		t.Error("the destination was rewritten in place")
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("files left: %q", got)
	}
	if n := InFlight(); n != 0 {
		t.Errorf("%d files in flight after Commit", n)
	}
	if err := f.Commit(); err == nil {
		t.Error("a second Commit succeeded")
	}
}

func ino(t *testing.T, name string) uint64 {
	t.Helper()
	st, err := os.Stat(name)
	if err != nil {
		t.Fatal(err)
	}
	return st.Sys().(*syscall.Stat_t).Ino
}

func TestUmask(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dest := filepath.Join(t.TempDir(), "m.pyc")
	f, err := Create(dest, 0o666, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(dest)
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want 0666 less umask 027", st.Mode())
	}
}

func TestAbortKeepsOld(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "out.zip")
	os.WriteFile(dest, []byte("old"), 0o644)
	f, err := Create(dest, 0o644, false)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("partial"))
	f.Abort()
	if got, _ := os.ReadFile(dest); string(got) != "old" {
		t.Errorf("after Abort the destination holds %q", got)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("files left: %q", got)
	}
}

// A failed rename (the destination is a directory) removes the temporary
// file.
func TestCommitFailure(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "d")
	if err := os.Mkdir(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dest, "x"), nil, 0o644)
	f, err := Create(dest, 0o644, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Commit(); err == nil {
		t.Fatal("renamed a file over a directory")
	}
	if got := entries(t, dir); len(got) != 1 || got[0] != "d" {
		t.Errorf("files left: %q", got)
	}
	if n := InFlight(); n != 0 {
		t.Errorf("%d files in flight", n)
	}
}

// Interrupt removes the files in flight; the writes fail, the destinations
// keep their content, and no file can be created after.
func TestInterrupt(t *testing.T) {
	defer reset()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.pyc"), filepath.Join(dir, "b.pyc")
	os.WriteFile(a, []byte("old a"), 0o644)
	fa, err := Create(a, 0o644, false)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := Create(b, 0o644, true)
	if err != nil {
		t.Fatal(err)
	}
	fa.Write([]byte("new a"))
	if n := Interrupt(); n != 2 {
		t.Errorf("Interrupt removed %d files, want 2", n)
	}
	if got := entries(t, dir); len(got) != 1 || got[0] != "a.pyc" {
		t.Errorf("after Interrupt: %q", got)
	}
	if err := fa.Commit(); err == nil {
		t.Error("Commit after Interrupt succeeded")
	}
	fb.Abort()
	if got, _ := os.ReadFile(a); string(got) != "old a" {
		t.Errorf("a.pyc holds %q", got)
	}
	if _, err := Create(b, 0o644, false); !errors.Is(err, ErrInterrupted) {
		t.Errorf("Create after Interrupt: %v", err)
	}
	if got := entries(t, dir); len(got) != 1 {
		t.Errorf("files left: %q", got)
	}
}

// The temporary file goes into the destination's directory as spelled,
// through symlinks and "..": "link/../x" is in link's target's parent.
func TestTempBesideDest(t *testing.T) {
	root := t.TempDir()
	real := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(root, "link") + "/../x.pyc" // root/a/x.pyc
	f, err := Create(dest, 0o644, false)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(f.Name(), filepath.Join(root, "link")+"/../.x.pyc.tmp") {
		t.Errorf("temporary file %s", f.Name())
	}
	if err := f.Commit(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "a", "x.pyc")); err != nil {
		t.Error(err)
	}
	if got := entries(t, filepath.Join(root, "a")); len(got) != 2 {
		t.Errorf("in a: %q", got)
	}
	for _, name := range []string{"out.pyc", "./out.pyc"} {
		if p := TempPrefix(name); !strings.HasSuffix(p, ".out.pyc.tmp") || filepath.Dir(p) != "." {
			t.Errorf("TempPrefix(%q) = %q", name, p)
		}
	}
}

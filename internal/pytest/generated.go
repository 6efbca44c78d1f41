package pytest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// CheckGenerated checks a generated file against its generator: run on the
// fact directory facts, generate must return exactly the text of file, and
// the same bytes when run again. regen says how to rewrite a stale file,
// such as "run `go generate ./opcode`".
func CheckGenerated(t testing.TB, file, facts string, generate func(facts string) ([]byte, error), regen string) {
	t.Helper()
	want, err := generate(facts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: %s", file, regen)
	}
	again, err := generate(facts)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, again) {
		t.Fatal("the generator is not deterministic")
	}
}

// CheckCanonical checks that every file matching pattern (there must be
// some) is in the canonical form the generator writes: canonical returns
// its text unchanged. fix says how to rewrite one that is not.
func CheckCanonical(t testing.TB, pattern string, canonical func([]byte) ([]byte, error), fix string) {
	t.Helper()
	paths, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no fact files match %s", pattern)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out, err := canonical(data)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if !bytes.Equal(out, data) {
			t.Errorf("%s is not in canonical form; %s", p, fix)
		}
	}
}

// CheckOrUpdate is CheckGenerated for a generator that reads no fact
// files (its facts are code): with update set it first rewrites file with
// what generate returns, as a test's -update flag asks.
func CheckOrUpdate(t testing.TB, file string, update bool, generate func() ([]byte, error), regen string) {
	t.Helper()
	if update {
		out, err := generate()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, out, 0o666); err != nil {
			t.Fatal(err)
		}
	}
	CheckGenerated(t, file, "", func(string) ([]byte, error) { return generate() }, regen)
}

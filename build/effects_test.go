package build

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/gen/effectgen/gen"
)

// TestEffectsGeneratedIsCurrent regenerates effects_gen.go in memory from
// the fact files and compares it with the committed file.
func TestEffectsGeneratedIsCurrent(t *testing.T) {
	all, err := gen.Load("facts")
	if err != nil {
		t.Fatal(err)
	}
	want, err := gen.Generate(all)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("effects_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("effects_gen.go is stale: run `go generate ./build` (or `go run ./internal/gen/effectgen`)")
	}
}

// TestEffectFactsCanonical checks that every fact file is in the form the
// generator writes.
func TestEffectFactsCanonical(t *testing.T) {
	paths, _ := filepath.Glob("facts/*.json")
	if len(paths) == 0 {
		t.Fatal("no fact files")
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := gen.Parse(data)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out, err := f.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, data) {
			t.Errorf("%s is not canonical; run `go run ./internal/gen/effectgen -fmt`", p)
		}
	}
}

// TestEffectFactsAgainstInterpreters dumps the stack effects of every
// installed CPython 3.6+ again and compares them with the committed facts.
func TestEffectFactsAgainstInterpreters(t *testing.T) {
	interps := gen.Interpreters()
	if len(interps) == 0 {
		t.Skip("no CPython 3.6+ under pyenv: live stack-effect test skipped")
	}
	for _, p := range interps {
		live, err := gen.Dump(p)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join("facts", "stack-"+strings.ToLower(live.Impl)+"-"+live.Version+".json")
		data, err := os.ReadFile(name)
		if err != nil {
			t.Errorf("%s: no committed facts (%v)", live.Key(), err)
			continue
		}
		committed, err := gen.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		live.Source = committed.Source // the patch release may differ
		if !reflect.DeepEqual(live, committed) {
			t.Errorf("%s: the committed facts differ from what %s reports; run `go run ./internal/gen/effectgen -dump`", live.Key(), p)
		}
	}
}

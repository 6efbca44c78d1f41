package build

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pyc-tools/pyc/internal/gen/effectgen/gen"
	"github.com/pyc-tools/pyc/internal/gen/genutil"
	"github.com/pyc-tools/pyc/internal/pytest"
)

// TestEffectsGeneratedIsCurrent regenerates effects_gen.go in memory from
// the fact files and compares it with the committed file.
func TestEffectsGeneratedIsCurrent(t *testing.T) {
	pytest.CheckGenerated(t, "effects_gen.go", "facts", genutil.FromFacts(gen.Load, gen.Generate),
		"run `go generate ./build` (or `go run ./internal/gen/effectgen`)")
}

// TestEffectFactsCanonical checks that every fact file is in the form the
// generator writes.
func TestEffectFactsCanonical(t *testing.T) {
	pytest.CheckCanonical(t, "facts/*.json", genutil.Canonical(gen.Parse),
		"run `go run ./internal/gen/effectgen -fmt`")
}

// TestEffectFactsAgainstInterpreters dumps the stack effects of every
// installed CPython 3.6+ again and compares them with the committed facts.
func TestEffectFactsAgainstInterpreters(t *testing.T) {
	interps := gen.Interpreters()
	if len(interps) == 0 {
		t.Skip("no CPython 3.6+ under pyenv: live stack-effect test skipped")
	}
	for _, p := range interps {
		live, err := gen.Dump(p.Path)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join("facts", live.FileName())
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
			t.Errorf("%s: the committed facts differ from what %s reports; run `go run ./internal/gen/effectgen -dump`", live.Key(), p.Path)
		}
	}
}

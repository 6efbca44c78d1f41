// Package hostile makes broken pycs out of good ones, for the hostile-input
// sweep: truncations at every byte offset and seeded random byte changes.
// Every mutant has a short spec ("3.12/funcs.ts.pyc@trunc=120",
// "3.12/funcs.ts.pyc@flip=0x2a00000011") from which Make builds exactly
// the same bytes again, so that any finding can be reproduced.
//
// The package also names the reading operations the sweep runs (Ops) and
// checks what a pyc command printed for a mutant (CheckRun): exit status 0
// or 1, no panic or Go stack trace, and every error message naming the file
// and a byte offset. The in-process sweep is hostile_test.go in this
// package; bench/hostile runs the real binary.
package hostile

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Source is one original (good) file.
type Source struct {
	// Name is the path relative to the corpus directory, with slashes
	// ("3.12/funcs.ts.pyc").
	Name string
	// Data is the file's content.
	Data []byte
}

// Sources reads the *.pyc files one level under dir (testdata/pycs/<X.Y>/),
// sorted by name. A file whose bytes equal an earlier file's is left out
// (its mutants would be the same); dups counts those.
func Sources(dir string) (srcs []Source, dups int, err error) {
	names, err := filepath.Glob(filepath.Join(dir, "*", "*.pyc"))
	if err != nil {
		return nil, 0, err
	}
	sort.Strings(names)
	seen := map[string]bool{}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			return nil, 0, err
		}
		if seen[string(data)] {
			dups++
			continue
		}
		seen[string(data)] = true
		rel, err := filepath.Rel(dir, n)
		if err != nil {
			return nil, 0, err
		}
		srcs = append(srcs, Source{Name: filepath.ToSlash(rel), Data: data})
	}
	return srcs, dups, nil
}

// Edit is one changed byte.
type Edit struct {
	Off      int
	Old, New byte
}

// Mutant is a broken copy of a source.
type Mutant struct {
	// Source is the name of the original.
	Source string
	// Trunc is the number of bytes kept for a truncation, -1 for a flip
	// mutant.
	Trunc int
	// Seed makes the edits of a flip mutant (with the source's name).
	Seed uint64
	// Edits are a flip mutant's changes, in the order made.
	Edits []Edit
	// Data is the mutant's content.
	Data []byte
	// Size is the original's length.
	Size int
}

// Spec returns the string that Make turns back into this mutant.
func (m *Mutant) Spec() string {
	if m.Trunc >= 0 {
		return fmt.Sprintf("%s@trunc=%d", m.Source, m.Trunc)
	}
	return fmt.Sprintf("%s@flip=%#x", m.Source, m.Seed)
}

// String is the spec and, for a flip mutant, its edits.
func (m *Mutant) String() string {
	if m.Trunc >= 0 {
		return fmt.Sprintf("%s (%d of %d bytes)", m.Spec(), m.Trunc, m.Size)
	}
	var b strings.Builder
	b.WriteString(m.Spec())
	b.WriteString(" [")
	for i, e := range m.Edits {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "@%d:%02x->%02x", e.Off, e.Old, e.New)
	}
	b.WriteString("]")
	return b.String()
}

// Truncate returns the first n bytes of src as a mutant.
func Truncate(src Source, n int) *Mutant {
	n = max(0, min(n, len(src.Data)))
	return &Mutant{Source: src.Name, Trunc: n, Data: src.Data[:n:n], Size: len(src.Data)}
}

// MaxEdits is the most bytes a flip mutant changes.
const MaxEdits = 8

// Flip returns a copy of src with 1 to MaxEdits bytes changed, chosen by
// seed and the source's name: a random offset each, and there a random
// value, one bit flipped, or one of 0x00, 0xff, 0x7f, 0x80 (the values that
// turn sizes negative, huge or zero). The same seed and source always give
// the same mutant.
func Flip(src Source, seed uint64) *Mutant {
	m := &Mutant{Source: src.Name, Trunc: -1, Seed: seed, Data: bytes.Clone(src.Data), Size: len(src.Data)}
	if len(m.Data) == 0 {
		return m
	}
	h := fnv.New64a()
	h.Write([]byte(src.Name))
	rng := rand.New(rand.NewPCG(seed, h.Sum64()))
	n := 1 + rng.IntN(MaxEdits)
	special := [...]byte{0x00, 0xff, 0x7f, 0x80}
	for range n {
		off := rng.IntN(len(m.Data))
		old := m.Data[off]
		var b byte
		switch rng.IntN(4) {
		case 0, 1:
			b = byte(rng.IntN(256))
		case 2:
			b = old ^ 1<<rng.IntN(8)
		default:
			b = special[rng.IntN(len(special))]
		}
		if b == old {
			b = ^old
		}
		m.Data[off] = b
		m.Edits = append(m.Edits, Edit{Off: off, Old: old, New: b})
	}
	return m
}

// FlipSeed returns the seed of the i-th flip mutant of a run with base
// seed base.
func FlipSeed(base uint64, i int) uint64 { return base<<32 | uint64(uint32(i)) }

// Make builds the mutant a spec names, from sources keyed by name.
func Make(spec string, srcs []Source) (*Mutant, error) {
	name, what, ok := strings.Cut(spec, "@")
	if !ok {
		return nil, fmt.Errorf("mutant spec %q: want NAME@trunc=N or NAME@flip=SEED", spec)
	}
	var src *Source
	for i := range srcs {
		if srcs[i].Name == name {
			src = &srcs[i]
		}
	}
	if src == nil {
		return nil, fmt.Errorf("mutant spec %q: no source %s", spec, name)
	}
	kind, num, _ := strings.Cut(what, "=")
	n, err := strconv.ParseUint(num, 0, 64)
	if err != nil {
		return nil, fmt.Errorf("mutant spec %q: %v", spec, err)
	}
	switch kind {
	case "trunc":
		if n >= uint64(len(src.Data)) {
			return nil, fmt.Errorf("mutant spec %q: %s has %d bytes", spec, name, len(src.Data))
		}
		return Truncate(*src, int(n)), nil
	case "flip":
		return Flip(*src, n), nil
	}
	return nil, fmt.Errorf("mutant spec %q: unknown kind %q", spec, kind)
}

// FileName returns a file name for the mutant, unique within a run and
// telling what it is: "3.12_funcs.ts.pyc.t120.pyc", "3.12_funcs.ts.pyc.f2a00000011.pyc".
func (m *Mutant) FileName() string {
	base := strings.ReplaceAll(m.Source, "/", "_")
	if m.Trunc >= 0 {
		return fmt.Sprintf("%s.t%d.pyc", base, m.Trunc)
	}
	return fmt.Sprintf("%s.f%x.pyc", base, m.Seed)
}

// Sample picks one source per version, for quick sweeps: the first funcs
// pyc (every kind of code) of every other version and the first consts pyc
// (every kind of constant) of the others.
func Sample(srcs []Source) []Source {
	var out []Source
	seen := map[string]bool{}
	for _, s := range srcs {
		dir, base, _ := strings.Cut(s.Name, "/")
		stem, _, _ := strings.Cut(base, ".")
		if seen[dir] {
			continue
		}
		want := "funcs"
		if len(out)%2 == 1 {
			want = "consts"
		}
		if stem == want {
			seen[dir] = true
			out = append(out, s)
		}
	}
	return out
}

// Truncations returns the lengths to cut a file of n bytes to: all of them
// (0 to n-1) when full, else every length up to 24 (the headers and the
// first objects) and 12 more spread over the rest.
func Truncations(n int, full bool) []int {
	const head, spread = 24, 12
	var out []int
	for i := 0; i < n && (full || i <= head); i++ {
		out = append(out, i)
	}
	if !full {
		for i := 1; i <= spread; i++ {
			if k := head + i*(n-head)/(spread+1); k > head && k < n {
				out = append(out, k)
			}
		}
	}
	return out
}

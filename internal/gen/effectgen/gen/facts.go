// Package gen reads and writes the stack-effect fact files of package build
// and generates build/effects_gen.go from them.
//
// Two kinds of fact files live in build/facts:
//
//   - stack-<impl>-<X.Y>.json, dumped from an installed interpreter by
//     dump.py: what its dis.stack_effect says for every opcode, fitted to
//     one formula per opcode, and the COMPARE_OP arguments its compiler
//     writes;
//   - stack-<impl>-<X.Y>.hand.json, written by hand: how that version's
//     compiler walks the flow graph (the facts dis does not expose), effects
//     dis cannot report (3.7 gives only the larger of the two branch
//     effects; 2.7 has no dis.stack_effect), with the sources they come
//     from.
//
// A hand file may stand alone (2.7) or amend a dumped file: its ops replace
// the dumped ones of the same name.
package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pyc-tools/pyc/internal/gen/genutil"
)

// Formula is a stack effect as a function of the oparg: Base plus Bits[b]
// for every bit b set in the oparg, except for the opargs in Over, whose
// effect is given outright.
type Formula struct {
	Base int            `json:"base"`
	Bits []int          `json:"bits,omitempty"`
	Over map[string]int `json:"over,omitempty"`
}

// Eval returns the formula's effect for arg.
func (f *Formula) Eval(arg int) int {
	if e, ok := f.Over[strconv.Itoa(arg)]; ok {
		return e
	}
	e := f.Base
	for b, d := range f.Bits {
		if arg>>b&1 != 0 {
			e += d
		}
	}
	return e
}

// Op is what the facts say about one opcode.
type Op struct {
	// Op is the opcode number.
	Op int `json:"op"`
	// Arg reports whether the opcode takes an argument.
	Arg bool `json:"arg"`
	// Effect is the effect on the stack when execution falls through (or,
	// for versions whose dis cannot tell, the only effect known).
	Effect *Formula `json:"effect,omitempty"`
	// Jump is the effect when the jump is taken, if it differs.
	Jump *Formula `json:"jump,omitempty"`
	// Peak is how far above the depth before it the compiler counted the
	// instruction as reaching (3.13's RETURN_CONST: computed while it was
	// still LOAD_CONST and RETURN_VALUE).
	Peak int `json:"peak,omitempty"`
}

// Facts is one fact file, dumped or written by hand.
type Facts struct {
	Impl    string `json:"impl"`
	Version string `json:"version"`
	Source  string `json:"source"`
	// JumpParam: dis.stack_effect takes jump= (3.8+).
	JumpParam bool `json:"jump_param,omitempty"`
	// CompareArgs is, by index into cmp_op, the COMPARE_OP oparg the
	// compiler writes for "a OP b" (null for operators it writes
	// otherwise).
	CompareArgs []*int `json:"compare_args,omitempty"`
	// Walk names the compiler's stack-depth algorithm (hand files):
	// "recursive" (2.7, 3.6: a depth-first walk over paths) or "worklist"
	// (3.7+: each block's entry depth fixed by the first path reaching it).
	Walk string `json:"walk,omitempty"`
	// Terminators are the opcodes after which the walk does not fall
	// through (hand files).
	Terminators []string `json:"terminators,omitempty"`
	// GeneratorEntry is the stack depth at entry of generator and
	// coroutine code (hand files; 0 when absent).
	GeneratorEntry int `json:"generator_entry,omitempty"`
	// ExceptionTable: handlers come from co_exceptiontable (3.11+), entered
	// at the entry's depth plus lasti plus the exception.
	ExceptionTable bool `json:"exception_table,omitempty"`
	// ExactEffects: every path through compiled code agrees with the
	// effects (3.9+), so a path that pops more than the stack holds is an
	// error in the code, not in the model.
	ExactEffects bool `json:"exact_effects,omitempty"`
	// MinDepth is the least co_stacksize the compiler writes (3.13: 1).
	MinDepth int `json:"min_depth,omitempty"`
	// Unfollowed are jumps whose target the walk does not follow (and
	// after which it does not fall through): 3.7's CONTINUE_LOOP, whose
	// target the loop reaches anyway at its own depth.
	Unfollowed []string `json:"unfollowed,omitempty"`
	// FoldedTuples says which constant tuples the compiler built item by
	// item before its peephole optimizer folded them (co_stacksize counts
	// the unfolded code): "all" but those the compiler loads whole (2.7,
	// 3.6), "calls" (the defaults of MAKE_FUNCTION and the operands of
	// BUILD_*_UNPACK, 3.7 to 3.9), or none.
	FoldedTuples string `json:"folded_tuples,omitempty"`
	// Notes are caveats (hand files).
	Notes []string `json:"notes,omitempty"`
	// Ops maps opcode names to their facts.
	Ops map[string]*Op `json:"ops,omitempty"`
}

// Parse reads a fact file.
func Parse(data []byte) (*Facts, error) {
	var f Facts
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	return &f, nil
}

// Marshal writes the facts in canonical form (sorted keys, one space
// indent, final newline).
func (f *Facts) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Key returns e.g. "CPython 3.11".
func (f *Facts) Key() string { return f.Impl + " " + f.Version }

// FileName returns the name of the dumped fact file, such as
// "stack-cpython-3.11.json" (its hand file adds ".hand" before ".json").
func (f *Facts) FileName() string {
	return "stack-" + strings.ToLower(f.Impl) + "-" + f.Version + ".json"
}

// Merge applies a hand file to dumped facts (either may be nil).
func Merge(dumped, hand *Facts) (*Facts, error) {
	switch {
	case dumped == nil && hand == nil:
		return nil, fmt.Errorf("no facts")
	case dumped == nil:
		return hand, nil
	case hand == nil:
		return nil, fmt.Errorf("%s: no hand file (walk, terminators)", dumped.Key())
	}
	if dumped.Key() != hand.Key() {
		return nil, fmt.Errorf("hand file %s amends %s", hand.Key(), dumped.Key())
	}
	out := *dumped
	out.Source = dumped.Source + "; " + hand.Source
	out.Walk, out.Terminators = hand.Walk, hand.Terminators
	out.GeneratorEntry, out.ExceptionTable, out.Notes = hand.GeneratorEntry, hand.ExceptionTable, hand.Notes
	out.Unfollowed, out.FoldedTuples, out.MinDepth = hand.Unfollowed, hand.FoldedTuples, hand.MinDepth
	out.ExactEffects = hand.ExactEffects
	if hand.CompareArgs != nil {
		out.CompareArgs = hand.CompareArgs
	}
	out.Ops = map[string]*Op{}
	for k, v := range dumped.Ops {
		out.Ops[k] = v
	}
	for k, v := range hand.Ops {
		old, ok := out.Ops[k]
		if !ok {
			out.Ops[k] = v
			continue
		}
		if v.Op != old.Op {
			return nil, fmt.Errorf("%s: hand file gives %s opcode %d, the dump %d", hand.Key(), k, v.Op, old.Op)
		}
		n := *old
		if v.Effect != nil {
			n.Effect = v.Effect
		}
		if v.Jump != nil {
			n.Jump = v.Jump
		}
		if v.Peak != 0 {
			n.Peak = v.Peak
		}
		out.Ops[k] = &n
	}
	return &out, nil
}

// Validate checks a merged fact file.
func (f *Facts) Validate() error {
	if f.Walk != "recursive" && f.Walk != "worklist" {
		return fmt.Errorf("%s: walk %q (want recursive or worklist)", f.Key(), f.Walk)
	}
	seen := map[int]string{}
	for name, op := range f.Ops {
		if op.Op < 0 || op.Op > 255 {
			return fmt.Errorf("%s: %s: opcode %d out of range", f.Key(), name, op.Op)
		}
		if other, ok := seen[op.Op]; ok {
			return fmt.Errorf("%s: %s and %s share opcode %d", f.Key(), name, other, op.Op)
		}
		seen[op.Op] = name
		if op.Effect == nil {
			return fmt.Errorf("%s: %s has no effect", f.Key(), name)
		}
	}
	for _, t := range append(append([]string(nil), f.Terminators...), f.Unfollowed...) {
		if _, ok := f.Ops[t]; !ok {
			return fmt.Errorf("%s: %s is no opcode", f.Key(), t)
		}
	}
	switch f.FoldedTuples {
	case "", "all", "calls":
	default:
		return fmt.Errorf("%s: folded_tuples %q (want all, calls or nothing)", f.Key(), f.FoldedTuples)
	}
	return nil
}

// Load reads every fact file in dir and merges each version's dumped and
// hand files, ordered by implementation and version.
func Load(dir string) ([]*Facts, error) {
	files, err := genutil.ReadFacts(dir, "stack-*.json", Parse)
	if err != nil {
		return nil, err
	}
	type pair struct{ dumped, hand *Facts }
	byKey := map[string]*pair{}
	for _, file := range files {
		f := file.Facts
		pr := byKey[f.Key()]
		if pr == nil {
			pr = &pair{}
			byKey[f.Key()] = pr
		}
		if strings.HasSuffix(file.Path, ".hand.json") {
			pr.hand = f
		} else {
			pr.dumped = f
		}
	}
	var out []*Facts
	for _, pr := range byKey {
		f, err := Merge(pr.dumped, pr.hand)
		if err != nil {
			return nil, err
		}
		if err := f.Validate(); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Impl != b.Impl {
			return a.Impl < b.Impl
		}
		am, an := splitVersion(a.Version)
		bm, bn := splitVersion(b.Version)
		return am < bm || am == bm && an < bn
	})
	return out, nil
}

func splitVersion(v string) (int, int) {
	a, b, _ := strings.Cut(v, ".")
	x, _ := strconv.Atoi(a)
	y, _ := strconv.Atoi(b)
	return x, y
}

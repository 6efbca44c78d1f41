package diff_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pyc-tools/pyc/diff"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

var stdlib = flag.Bool("stdlib", false, "diff the installed interpreters' standard libraries: every pyc against itself, and the -O and -OO pycs against the plain ones (a few minutes)")

// regions are the source line ranges -O (debug) and -OO (doc as well) may
// change, per source file relative to the library, as
// scripts/opt-regions.py prints them.
type regions struct {
	Debug [][2]int `json:"debug"`
	Doc   [][2]int `json:"doc"`
}

func (r *regions) allows(line int, level int) bool {
	in := func(rs [][2]int) bool {
		for _, x := range rs {
			if line >= x[0] && line <= x[1] {
				return true
			}
		}
		return false
	}
	return in(r.Debug) || level >= 2 && in(r.Doc)
}

// TestStdlibSweep diffs every interpreter's installed library: each pyc
// against itself (byte shortcut, then decoding both sides) must be
// identical; each -O (and -OO) pyc against the plain one of the same
// source must differ only where asserts, __debug__ and (for -OO)
// docstrings are. Differences elsewhere are listed and fail the test.
func TestStdlibSweep(t *testing.T) {
	if !*stdlib {
		t.Skip("pass -stdlib to diff the installed standard libraries")
	}
	script := filepath.Join(pytest.RepoRoot(), "scripts", "opt-regions.py")
	for _, in := range pytest.RequireInterpreters(t) {
		in := in
		t.Run(in.Version, func(t *testing.T) {
			lib := filepath.Join(in.Prefix, "lib", "python"+in.Version)
			for _, deep := range []bool{false, true} {
				start := time.Now()
				d, err := diff.Dirs(lib, lib, diff.DirOptions{Options: diff.Options{Deep: deep}, OptA: diff.AnyOpt, OptB: diff.AnyOpt})
				if err != nil {
					t.Fatal(err)
				}
				s := d.Summary
				t.Logf("self (deep=%v): %d pairs, %d identical, %d errors in %v", deep, s.Pairs, s.Identical, s.Errors, time.Since(start).Round(time.Millisecond))
				if s.Identical+s.Errors != s.Pairs || !deep && s.Errors > 0 {
					t.Errorf("self diff: %+v", s)
				}
				for _, f := range d.Files {
					if f.Status == diff.Trouble {
						t.Logf("  unreadable: %s", f.Error)
					}
				}
			}
			levels := []int{1, 2}
			if in.Major() < 3 {
				levels = []int{1} // 2.7's .pyo files
			}
			diffs := map[int]*diff.DirDiff{}
			took := map[int]time.Duration{}
			need := map[string]bool{}
			for _, level := range levels {
				// A context as long as any function: each hunk holds the
				// whole listing, to tell duplicated blocks.
				start := time.Now()
				d, err := diff.Dirs(lib, lib, diff.DirOptions{Options: diff.Options{Context: 1 << 20}, OptA: 0, OptB: level})
				if err != nil {
					t.Fatal(err)
				}
				diffs[level], took[level] = d, time.Since(start)
				for _, f := range d.Files {
					if f.Status != diff.Different {
						continue
					}
					if info, ok := pyc.ParseCachePath(f.A); ok {
						if rel, err := filepath.Rel(lib, info.Source); err == nil {
							need[rel] = true
						}
					}
				}
			}
			args := []string{"-W", "ignore", script, lib}
			for rel := range need {
				args = append(args, rel)
			}
			out, err := in.Run("", args...)
			if err != nil {
				t.Fatal(err)
			}
			var regs map[string]*regions
			if err := json.Unmarshal(out, &regs); err != nil {
				t.Fatal(err)
			}
			for _, level := range levels {
				d, elapsed := diffs[level], took[level]
				s := d.Summary
				explained, bad := 0, 0
				kinds := map[string]int{}
				for _, f := range d.Files {
					if f.Status != diff.Different {
						continue
					}
					why := unexplained(f, lib, regs, level, kinds)
					if len(why) == 0 {
						explained++
						continue
					}
					bad++
					if bad <= 15 {
						t.Errorf("-O%d %s: %s", level, f.B, strings.Join(why, "; "))
					}
				}
				var ks []string
				for k, n := range kinds {
					ks = append(ks, fmt.Sprintf("%s %d", k, n))
				}
				sort.Strings(ks)
				t.Logf("plain vs opt-%d: %d pairs: %d identical, %d differ in values (%d explained, %d not), %d only in encoding, %d without an opt-%d twin, %d errors, in %v",
					level, s.Pairs, s.Identical, s.Different, explained, bad, s.EncodingOnly, s.Removed, level, s.Errors, elapsed.Round(time.Millisecond))
				t.Logf("  what differs: %s", strings.Join(ks, ", "))
				if s.Added > 0 || s.Errors > 0 {
					t.Errorf("%d opt-%d pycs without a plain twin, %d errors", s.Added, level, s.Errors)
				}
			}
		})
	}
}

// unexplained lists what, in a diff of a plain pyc and its -O (level 1) or
// -OO (level 2) twin, lies outside the regions that optimization level
// may change, and counts the kinds of differences it meets.
func unexplained(f *diff.FileDiff, lib string, regs map[string]*regions, level int, kinds map[string]int) []string {
	var why []string
	info, ok := pyc.ParseCachePath(f.A)
	if !ok {
		return []string{"cannot name the source"}
	}
	rel, err := filepath.Rel(lib, info.Source)
	if err != nil {
		return []string{err.Error()}
	}
	r := regs[rel]
	if r == nil {
		return []string{"no parsed source " + rel}
	}
	if len(f.Header) > 0 || len(f.Notes) > 0 {
		why = append(why, fmt.Sprintf("header %v, notes %q", f.Header, f.Notes))
	}
	if len(f.Encoding) > 0 {
		kinds["encoding"]++
	}
	for _, c := range f.Codes {
		switch c.Status {
		case diff.CodeAdded, diff.CodeRemoved:
			kinds["code "+c.Status]++
			if !r.allows(c.Line, level) {
				why = append(why, fmt.Sprintf("%s %s at line %d", c.Path, c.Status, c.Line))
			}
			continue
		}
		if definedInRegion(c, r, level) {
			// Another definition, chosen by `if __debug__:`.
			kinds["definitions in regions"]++
			continue
		}
		for _, fl := range c.Fields {
			kinds[fl.Field]++
			switch fl.Field {
			case "co_stacksize":
			case "co_nlocals":
				// Python 2 drops locals used only in asserts.
			case "co_firstlineno":
				// Before 3.8 a module starts at its first statement:
				// the docstring, until -OO drops it.
				if a, err := strconv.Atoi(fl.A); err != nil || !r.allows(a, level) {
					why = append(why, fmt.Sprintf("%s.%s: %s -> %s", c.Path, fl.Field, fl.A, fl.B))
				}
			default:
				why = append(why, fmt.Sprintf("%s.%s: %s -> %s", c.Path, fl.Field, fl.A, fl.B))
			}
		}
		for _, l := range c.Lists {
			kinds[l.Field]++
		}
		if c.ExceptionTable != nil {
			kinds["exception table"]++
		}
		if c.Bytecode == nil {
			continue
		}
		kinds["bytecode"]++
		for _, h := range c.Bytecode.Hunks {
			why = append(why, unexplainedLines(c.Path, h.Lines, r, level, kinds)...)
		}
	}
	return why
}

// definedInRegion reports whether a code object starts, in both files, on
// lines a region holds: it is then the other branch of an `if __debug__:`.
func definedInRegion(c *diff.CodeDiff, r *regions, level int) bool {
	for _, f := range c.Fields {
		if f.Field != "co_firstlineno" {
			continue
		}
		a, errA := strconv.Atoi(f.A)
		b, errB := strconv.Atoi(f.B)
		return errA == nil && errB == nil && r.allows(a, level) && r.allows(b, level)
	}
	return false
}

var labelRE = regexp.MustCompile(` to L[0-9]+$`)

// unexplainedLines checks the changed instructions of one hunk that holds
// a whole function. Changes on source lines in the regions are expected;
// outside them the compiler's side effects of removing code are accepted
// and counted: retargeted jumps, NOPs (line markers), loads of locals
// trading LOAD_FAST, LOAD_FAST_CHECK and LOAD_FAST_LOAD_FAST (3.12+
// unbound-local analysis), implicit returns, exit blocks, instructions
// that moved within the function, and runs of instructions that repeat a
// block found elsewhere in the function (blocks the compiler duplicates or
// stops duplicating).
func unexplainedLines(path string, lines []diff.Line, r *regions, level int, kinds map[string]int) []string {
	var why []string
	text := func(l diff.Line) string { return labelRE.ReplaceAllString(l.Text, "") }
	var sideA, sideB []string
	for _, l := range lines {
		if l.Op != "+" {
			sideA = append(sideA, text(l))
		}
		if l.Op != "-" {
			sideB = append(sideB, text(l))
		}
	}
	outside := func(l diff.Line) bool {
		line := l.ALine
		if l.Op == "+" {
			line = l.BLine
		}
		return line != nil && !r.allows(*line, level)
	}
	for i := 0; i < len(lines); {
		l := lines[i]
		if l.Op == " " || !outside(l) {
			if l.Op != " " && l.ALine == nil && l.BLine == nil {
				kinds["instructions without a line"]++
			}
			i++
			continue
		}
		// The run of changed instructions outside the regions, one side,
		// cut at jumps and NOPs, which are counted on their own.
		j := i
		for j < len(lines) && lines[j].Op == l.Op && outside(lines[j]) {
			j++
		}
		side := sideA
		if l.Op == "+" {
			side = sideB
		}
		for k := i; k < j; {
			t := text(lines[k])
			name, arg, _ := strings.Cut(t, " ")
			switch {
			case t == "NOP":
				kinds["NOPs"]++
				k++
				continue
			case labelRE.MatchString(lines[k].Text):
				kinds["retargeted jumps"]++
				k++
				continue
			case fastLoads[name] && swapped(lines, lines[k].Op, arg):
				kinds["local loads revised"]++
				k++
				continue
			}
			e := k
			var run []string
			for e < j && text(lines[e]) != "NOP" && !labelRE.MatchString(lines[e].Text) {
				run = append(run, text(lines[e]))
				e++
			}
			r := strings.ReplaceAll(strings.Join(run, "|"), "LOAD_CONST None|RETURN_VALUE", "RETURN_CONST None")
			switch {
			case strings.Trim(strings.ReplaceAll(r, "RETURN_CONST None", ""), "|") == "":
				kinds["implicit returns"]++
			case exitBlock(run):
				kinds["exit blocks"]++
			case occurrences(side, run) > 1:
				kinds["duplicated blocks"]++
			case len(run) == 1 && swappedText(lines, lines[k].Op, run[0]):
				kinds["moved instructions"]++
			default:
				for x := k; x < e; x++ {
					line := lines[x].ALine
					if lines[x].Op == "+" {
						line = lines[x].BLine
					}
					why = append(why, fmt.Sprintf("%s: %s%s at line %d", path, lines[x].Op, text(lines[x]), *line))
				}
			}
			k = e
		}
		i = j
	}
	return why
}

// exitBlock reports whether a run only leaves the function or a handler:
// pops blocks or exceptions, loads a value and returns it, re-raises. The
// compiler copies such blocks to where they are jumped to, and removing an
// assert changes which copies it makes.
func exitBlock(run []string) bool {
	if len(run) == 0 {
		return false
	}
	for i, t := range run {
		name, _, _ := strings.Cut(t, " ")
		switch name {
		case "POP_BLOCK", "POP_EXCEPT", "RETURN_VALUE", "RETURN_CONST", "RERAISE", "NOP":
		case "LOAD_FAST", "LOAD_CONST":
			if i+1 == len(run) || !strings.HasPrefix(run[i+1], "RETURN_VALUE") {
				return false
			}
		default:
			return false
		}
	}
	last, _, _ := strings.Cut(run[len(run)-1], " ")
	return last == "RETURN_VALUE" || last == "RETURN_CONST" || last == "RERAISE"
}

// swappedText reports whether the hunk has the same instruction changed on
// the other side: a block that moved.
func swappedText(lines []diff.Line, op, text string) bool {
	for _, l := range lines {
		if l.Op != " " && l.Op != op && labelRE.ReplaceAllString(l.Text, "") == text {
			return true
		}
	}
	return false
}

// occurrences counts where seq occurs as a contiguous run in side.
func occurrences(side, seq []string) int {
	n := 0
	for i := 0; i+len(seq) <= len(side); i++ {
		match := true
		for k := range seq {
			if side[i+k] != seq[k] {
				match = false
				break
			}
		}
		if match {
			n++
		}
	}
	return n
}

// fastLoads are the instructions that load locals, whose choice the
// compiler revises when removing code changes what may be unbound:
// LOAD_FAST, LOAD_FAST_CHECK (3.12+) and the LOAD_FAST_LOAD_FAST pair
// (3.13+).
var fastLoads = map[string]bool{"LOAD_FAST": true, "LOAD_FAST_CHECK": true, "LOAD_FAST_LOAD_FAST": true}

// swapped reports whether every local an instruction of fastLoads loads is
// loaded by a changed fastLoads instruction on the other side of the hunk.
func swapped(lines []diff.Line, op, arg string) bool {
	for _, v := range strings.Split(arg, ", ") {
		found := false
		for _, l := range lines {
			if l.Op == " " || l.Op == op {
				continue
			}
			n, a, _ := strings.Cut(l.Text, " ")
			if !fastLoads[n] {
				continue
			}
			for _, w := range strings.Split(a, ", ") {
				found = found || w == v
			}
		}
		if !found {
			return false
		}
	}
	return true
}

package opcode

import (
	"encoding/json"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/gen/genutil"
	"github.com/pyc-tools/pyc/internal/gen/opcodegen/gen"
	"github.com/pyc-tools/pyc/internal/pytest"
)

// TestGeneratedIsCurrent regenerates tables_gen.go in memory from the fact
// files and compares it with the committed file.
func TestGeneratedIsCurrent(t *testing.T) {
	pytest.CheckGenerated(t, "tables_gen.go", "facts", genutil.FromFacts(gen.Load, gen.Generate),
		"run `go generate ./opcode` (or `go run ./internal/gen/opcodegen`)")
}

// TestFactFilesCanonical checks that every fact file is in the canonical
// form the generator writes, so hand edits and dumps stay diff-friendly.
func TestFactFilesCanonical(t *testing.T) {
	pytest.CheckCanonical(t, "facts/*.json", genutil.Canonical(gen.Parse),
		"rewrite it with gen.Facts.Marshal")
}

// liveScript prints, independently of the generator's dump script, what an
// interpreter's opcode and dis modules say about each opcode.
const liveScript = `
import json, sys, opcode, dis
out = {}
names = getattr(dis, "_all_opname", opcode.opname)
out["names"] = [names[i] for i in range(256)]
out["opmap"] = dict((k, v) for k, v in opcode.opmap.items() if v < 256)
spec = getattr(opcode, "_specialized_opmap", None)
if spec:
    out["names"] = [out["names"][i] for i in range(256)]
    for k, v in spec.items():
        out["names"][v] = k
out["has"] = {}
for n in dir(opcode):
    if n.startswith("has") and isinstance(getattr(opcode, n), list):
        out["has"][n] = sorted(getattr(opcode, n))
out["have_argument"] = opcode.HAVE_ARGUMENT
out["extended_arg"] = getattr(opcode, "EXTENDED_ARG", None)
out["cmp_op"] = list(opcode.cmp_op)
out["nb_ops"] = [list(x) for x in getattr(opcode, "_nb_ops", [])]
out["intrinsic1"] = list(getattr(opcode, "_intrinsic_1_descs", []))
out["intrinsic2"] = list(getattr(opcode, "_intrinsic_2_descs", []))
deop = getattr(dis, "_deoptop", lambda op: op)
out["deopt"] = [deop(op) for op in range(256)]
ice = getattr(opcode, "_inline_cache_entries", None)
caches = []
hasarg = []
for op in range(256):
    d = deop(op)
    if ice is None:
        n = 0
    elif hasattr(ice, "items"):
        n = ice.get(opcode.opname[d], 0)
    else:
        n = ice[d]
    caches.append(n)
    if sys.version_info >= (3, 6):
        code = bytes(bytearray([op, 0] + [0, 0] * n))
        first = next(iter(dis._unpack_opargs(code)))
        hasarg.append(first[-1] is not None)
    else:
        hasarg.append(op >= opcode.HAVE_ARGUMENT)
out["caches"] = caches
out["hasarg"] = hasarg
sys.stdout.write(json.dumps(out))
`

type liveFacts struct {
	Names        []string         `json:"names"`
	Opmap        map[string]int   `json:"opmap"`
	Has          map[string][]int `json:"has"`
	HaveArgument int              `json:"have_argument"`
	ExtendedArg  *int             `json:"extended_arg"`
	CmpOp        []string         `json:"cmp_op"`
	NbOps        [][2]string      `json:"nb_ops"`
	Intrinsic1   []string         `json:"intrinsic1"`
	Intrinsic2   []string         `json:"intrinsic2"`
	Deopt        []int            `json:"deopt"`
	Caches       []int            `json:"caches"`
	HasArg       []bool           `json:"hasarg"`
}

// TestAgainstInterpreters checks each table of an installed interpreter
// against that interpreter's opcode and dis modules, live.
func TestAgainstInterpreters(t *testing.T) {
	if testing.Short() {
		t.Skip("live interpreter checks skipped in -short mode")
	}
	interps := gen.FindInterpreters()
	if len(interps) == 0 {
		t.Skip("no Python interpreters found (pyenv versions, or pypy/pypy3 on PATH): live checks skipped")
	}
	for _, p := range interps {
		t.Run(p.Key(), func(t *testing.T) {
			tab := find(p.Impl, p.Major, p.Minor)
			if tab == nil {
				t.Fatalf("no table for installed %s %d.%d; run `go run ./internal/gen/opcodegen -dump`", p.Impl, p.Major, p.Minor)
			}
			cmd := exec.Command(p.Path, "-c", liveScript)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%s: %v", p.Path, err)
			}
			var live liveFacts
			if err := json.Unmarshal(out, &live); err != nil {
				t.Fatal(err)
			}
			checkLive(t, tab, &live)
		})
	}
}

func checkLive(t *testing.T, tab *Table, live *liveFacts) {
	t.Helper()
	for op := 0; op < 256; op++ {
		b := byte(op)
		if got := tab.Name(b); got != live.Names[op] {
			t.Errorf("Name(%d) = %q, dis says %q", op, got, live.Names[op])
		}
		if got := int(tab.Deopt(b)); got != live.Deopt[op] {
			t.Errorf("Deopt(%d) = %d, dis says %d", op, got, live.Deopt[op])
		}
		if got := tab.Caches(b); got != live.Caches[op] {
			t.Errorf("Caches(%d %s) = %d, want %d", op, live.Names[op], got, live.Caches[op])
		}
		if got := tab.HasArg(b); got != live.HasArg[op] {
			t.Errorf("HasArg(%d %s) = %v, dis says %v", op, live.Names[op], got, live.HasArg[op])
		}
		if got := tab.Kind(b); (got != ArgNone) != live.HasArg[op] {
			t.Errorf("Kind(%d %s) = %v, but HasArg is %v", op, live.Names[op], got, live.HasArg[op])
		}
	}
	for name, op := range live.Opmap {
		got, ok := tab.Op(name)
		if !ok || int(got) != op {
			t.Errorf("Op(%q) = %d, %v; opmap says %d", name, got, ok, op)
		}
		if got, ok := tab.BaseOp(name); !ok || int(got) != op {
			t.Errorf("BaseOp(%q) = %d, %v; opmap says %d", name, got, ok, op)
		}
	}
	if int(tab.HaveArgument()) != live.HaveArgument {
		t.Errorf("HaveArgument = %d, want %d", tab.HaveArgument(), live.HaveArgument)
	}
	ea, ok := tab.ExtendedArg()
	if live.ExtendedArg == nil {
		if ok {
			t.Errorf("ExtendedArg = %d, want none", ea)
		}
	} else if !ok || int(ea) != *live.ExtendedArg {
		t.Errorf("ExtendedArg = %d, %v; want %d", ea, ok, *live.ExtendedArg)
	}
	var liveLists, tabLists []string
	for n := range live.Has {
		liveLists = append(liveLists, n)
	}
	for _, h := range tab.HasLists() {
		tabLists = append(tabLists, h.Name)
	}
	sort.Strings(liveLists)
	if strings.Join(liveLists, ",") != strings.Join(tabLists, ",") {
		t.Errorf("has lists %v, opcode has %v", tabLists, liveLists)
	}
	for n, want := range live.Has {
		got, _ := tab.HasList(n)
		if !equalInts(got, want) {
			t.Errorf("%s = %v, opcode says %v", n, got, want)
		}
		for _, op := range want {
			if op > 255 || tab.IsSpecialized(byte(op)) {
				// dis decodes a specialised slot by its base
				// instruction, whatever list the slot is in.
				continue
			}
			k := tab.Kind(byte(op))
			var okKind bool
			switch n {
			case "hasconst":
				okKind = k == ArgConst
			case "hasname":
				okKind = k == ArgName
			case "hasjrel":
				okKind = k == ArgJumpRel || k == ArgJumpBackward
			case "hasjabs":
				okKind = k == ArgJumpAbs
			case "hasjump":
				okKind = k.IsJump()
			case "haslocal":
				okKind = k == ArgLocal || k == ArgLocalPair
			case "hasfree":
				okKind = k == ArgFree
			case "hascompare":
				okKind = k == ArgCompare
			default:
				okKind = true
			}
			if !okKind {
				t.Errorf("%s holds %d (%s) but Kind is %v", n, op, tab.Name(byte(op)), k)
			}
		}
	}
	if strings.Join(tab.CmpOp(), " ") != strings.Join(live.CmpOp, " ") {
		t.Errorf("CmpOp = %q, want %q", tab.CmpOp(), live.CmpOp)
	}
	if len(tab.NbOps()) != len(live.NbOps) {
		t.Errorf("NbOps has %d entries, want %d", len(tab.NbOps()), len(live.NbOps))
	} else {
		for i, nb := range live.NbOps {
			if got := tab.NbOps()[i]; got.Name != nb[0] || got.Symbol != nb[1] {
				t.Errorf("NbOps[%d] = %v, want %v", i, got, nb)
			}
		}
	}
	if strings.Join(tab.Intrinsic1(), "|") != strings.Join(live.Intrinsic1, "|") {
		t.Errorf("Intrinsic1 = %q, want %q", tab.Intrinsic1(), live.Intrinsic1)
	}
	if strings.Join(tab.Intrinsic2(), "|") != strings.Join(live.Intrinsic2, "|") {
		t.Errorf("Intrinsic2 = %q, want %q", tab.Intrinsic2(), live.Intrinsic2)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func mustTable(t *testing.T, impl string, major, minor int) *Table {
	t.Helper()
	tab, ok := ForVersion(impl, major, minor)
	if !ok {
		t.Fatalf("no table for %s %d.%d", impl, major, minor)
	}
	return tab
}

func wantName(t *testing.T, tab *Table, op byte, name string) {
	t.Helper()
	if got := tab.Name(op); got != name {
		t.Errorf("%v: Name(%d) = %q, want %q", tab, op, got, name)
	}
	if name[0] != '<' {
		if got, ok := tab.Op(name); !ok || got != op {
			t.Errorf("%v: Op(%q) = %d, %v; want %d", tab, name, got, ok, op)
		}
	}
}

func wantKind(t *testing.T, tab *Table, name string, kind ArgKind) {
	t.Helper()
	op, ok := tab.Op(name)
	if !ok {
		t.Errorf("%v: no %s", tab, name)
		return
	}
	if got := tab.Kind(op); got != kind {
		t.Errorf("%v: Kind(%s) = %v, want %v", tab, name, got, kind)
	}
}

func TestForVersion(t *testing.T) {
	if tab, ok := ForVersion("CPython", 3, 11); !ok || tab.Impl() != "CPython" {
		t.Fatalf("ForVersion(CPython 3.11) = %v, %v", tab, ok)
	}
	if _, ok := ForVersion("CPython", 3, 99); ok {
		t.Error("ForVersion(CPython 3.99) found a table")
	}
	if _, ok := ForVersion("CPython", 4, 0); ok {
		t.Error("ForVersion(CPython 4.0) found a table")
	}
	if _, ok := ForVersion("Jython", 2, 7); ok {
		t.Error("ForVersion(Jython 2.7) found a table")
	}
	if _, ok := ForVersion("GraalPy", 3, 11); ok {
		t.Error("ForVersion(GraalPy 3.11) found a table")
	}
	// PyPy 2.7 has its own table; PyPy falls back to CPython where it has none.
	if tab, ok := ForVersion("PyPy", 2, 7); !ok || tab.Impl() != "PyPy" {
		t.Errorf("ForVersion(PyPy 2.7) = %v, %v", tab, ok)
	}
	if tab, ok := ForVersion("PyPy", 2, 5); !ok || tab.Impl() != "CPython" {
		t.Errorf("ForVersion(PyPy 2.5) = %v, %v; want CPython's table", tab, ok)
	}
	seen := map[string]bool{}
	for _, tab := range All() {
		if seen[tab.String()] {
			t.Errorf("two tables for %v", tab)
		}
		seen[tab.String()] = true
		if tab.Source() == "" {
			t.Errorf("%v has no source", tab)
		}
		major, minor := tab.Version()
		if got, ok := ForVersion(tab.Impl(), major, minor); !ok || got != tab {
			t.Errorf("ForVersion(%s %d.%d) = %v, %v", tab.Impl(), major, minor, got, ok)
		}
	}
}

// TestSpotChecks checks known facts of versions whose tables were not
// dumped from an interpreter here.
func TestSpotChecks(t *testing.T) {
	t.Run("CPython 1.5", func(t *testing.T) {
		tab := mustTable(t, "CPython", 1, 5)
		wantName(t, tab, 127, "SET_LINENO")
		wantName(t, tab, 114, "FOR_LOOP")
		if _, ok := tab.ExtendedArg(); ok {
			t.Error("1.5 has no EXTENDED_ARG")
		}
		wantKind(t, tab, "FOR_LOOP", ArgJumpRel)
	})
	t.Run("CPython 2.5", func(t *testing.T) {
		tab := mustTable(t, "CPython", 2, 5)
		wantName(t, tab, 0, "STOP_CODE")
		wantName(t, tab, 30, "SLICE+0")
		wantName(t, tab, 111, "JUMP_IF_FALSE")
		wantName(t, tab, 143, "EXTENDED_ARG")
		wantName(t, tab, 54, "<54>") // STORE_MAP arrives in 2.6
		wantKind(t, tab, "JUMP_IF_FALSE", ArgJumpRel)
		wantKind(t, tab, "JUMP_ABSOLUTE", ArgJumpAbs)
		wantKind(t, tab, "LOAD_CLOSURE", ArgFree)
		if tab.WordCode() || tab.ExtendedArgShift() != 16 {
			t.Error("2.5 uses 3-byte instructions")
		}
		if got, _ := tab.JumpTarget(110, 10, 5); got != 18 {
			t.Errorf("JUMP_FORWARD at 10 by 5 lands at %d, want 18", got)
		}
		if tab.ShowsJumpTarget(113) {
			t.Error("2.5 dis does not print JUMP_ABSOLUTE targets")
		}
	})
	t.Run("CPython 2.6", func(t *testing.T) {
		tab := mustTable(t, "CPython", 2, 6)
		wantName(t, tab, 54, "STORE_MAP")
	})
	t.Run("CPython 3.5", func(t *testing.T) {
		tab := mustTable(t, "CPython", 3, 5)
		wantName(t, tab, 50, "GET_AITER")
		wantName(t, tab, 73, "GET_AWAITABLE")
		wantName(t, tab, 131, "CALL_FUNCTION")
		wantName(t, tab, 143, "SETUP_WITH")
		wantName(t, tab, 144, "EXTENDED_ARG")
		wantKind(t, tab, "CALL_FUNCTION", ArgNArgs)
		if got := tab.NArgsFormat(); got != "%d positional, %d keyword pair" {
			t.Errorf("NArgsFormat = %q", got)
		}
	})
	t.Run("CPython 3.4", func(t *testing.T) {
		tab := mustTable(t, "CPython", 3, 4)
		wantName(t, tab, 148, "LOAD_CLASSDEREF")
		wantKind(t, tab, "LOAD_CLASSDEREF", ArgFree)
	})
	t.Run("CPython 3.14", func(t *testing.T) {
		tab := mustTable(t, "CPython", 3, 14)
		wantName(t, tab, 2, "BUILD_TEMPLATE")
		wantKind(t, tab, "LOAD_SMALL_INT", ArgSmallInt)
		wantKind(t, tab, "LOAD_COMMON_CONSTANT", ArgCommonConstant)
		wantKind(t, tab, "LOAD_SPECIAL", ArgSpecialMethod)
		wantKind(t, tab, "LOAD_FAST_BORROW_LOAD_FAST_BORROW", ArgLocalPair)
		wantKind(t, tab, "JUMP_BACKWARD", ArgJumpBackward)
		wantKind(t, tab, "END_ASYNC_FOR", ArgJumpBackward)
		op, _ := tab.Op("END_ASYNC_FOR")
		if got := tab.JumpFormat(op); got != "from %s" {
			t.Errorf("END_ASYNC_FOR format %q", got)
		}
		op, _ = tab.Op("IS_OP")
		if got, ok := tab.ArgRepr(op, 1); !ok || got != "is not" {
			t.Errorf("IS_OP 1 = %q, %v", got, ok)
		}
		op, _ = tab.Op("LOAD_GLOBAL")
		if i, f := tab.NameIndex(op, 7); i != 3 || f != "%s + NULL" {
			t.Errorf("LOAD_GLOBAL 7 = %d, %q", i, f)
		}
		op, _ = tab.Op("COMPARE_OP")
		if i, f := tab.CompareOp(2<<5 | 16); i != 2 || len(f) != 1 || f[0].Format != "bool(%s)" {
			t.Errorf("COMPARE_OP = %d, %v", i, f)
		}
		spec, _ := tab.Op("LOAD_ATTR_SLOT")
		base, _ := tab.Op("LOAD_ATTR")
		if tab.Deopt(spec) != base || !tab.IsSpecialized(spec) || tab.Caches(spec) != tab.Caches(base) {
			t.Errorf("LOAD_ATTR_SLOT: deopt %d, caches %d", tab.Deopt(spec), tab.Caches(spec))
		}
	})
	t.Run("CPython 3.15", func(t *testing.T) {
		tab := mustTable(t, "CPython", 3, 15)
		op, _ := tab.Op("IMPORT_NAME")
		if i, f := tab.NameIndex(op, 4<<2|2); i != 4 || f != "%s + eager" {
			t.Errorf("IMPORT_NAME = %d, %q", i, f)
		}
	})
	t.Run("PyPy", func(t *testing.T) {
		tab := mustTable(t, "PyPy", 2, 7)
		wantKind(t, tab, "LOOKUP_METHOD", ArgName)
		wantKind(t, tab, "JUMP_IF_NOT_DEBUG", ArgJumpRel)
		wantName(t, tab, 202, "CALL_METHOD")
		for _, minor := range []int{3, 5, 6, 7, 8, 9, 10, 11} {
			tab := mustTable(t, "PyPy", 3, minor)
			if tab.Impl() != "PyPy" {
				t.Errorf("PyPy 3.%d has no table of its own", minor)
			}
			if _, ok := tab.Op("BUILD_LIST_FROM_ARG"); !ok {
				t.Errorf("PyPy 3.%d lacks BUILD_LIST_FROM_ARG", minor)
			}
		}
	})
}

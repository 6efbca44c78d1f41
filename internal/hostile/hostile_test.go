package hostile_test

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyc-tools/pyc/asm"
	"github.com/pyc-tools/pyc/check"
	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/internal/cli"
	"github.com/pyc-tools/pyc/internal/hostile"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

var (
	fullFlag     = flag.Bool("hostile.full", false, "full sweep: every golden pyc truncated at every byte offset, and -hostile.flips flip mutants of each")
	flipsFlag    = flag.Int("hostile.flips", 0, "flip mutants per source (0: 100 with -hostile.full, 10 without)")
	seedFlag     = flag.Uint64("hostile.seed", 1, "base seed of the flip mutants")
	onlyFlag     = flag.String("hostile.only", "", "run only these mutants (specs, comma-separated, as findings print them)")
	sourcesFlag  = flag.String("hostile.sources", "", "only sources whose name matches this glob (e.g. '3.12/*')")
	maxTimeFlag  = flag.Duration("hostile.maxtime", time.Second, "most CPU time one operation on one mutant may take")
	maxAllocFlag = flag.Int64("hostile.maxalloc", 32<<20, "most bytes one operation on one mutant may allocate")
	hangFlag     = flag.Duration("hostile.hang", 20*time.Second, "after this long an operation is taken to hang: the test crashes, naming the mutant")
	truncFlag    = flag.Bool("hostile.trunc", true, "make truncated mutants")
	progressFlag = flag.Duration("hostile.progress", 0, "log progress this often (0: never)")
)

// TestHostile runs every reading operation over broken copies of the golden
// pycs: truncations and seeded byte changes. By default it takes a small
// sample (one source per version, 37 truncations and 10 flip mutants
// each); -hostile.full takes every byte offset of every golden pyc
// (see bench/hostile.md for the figures). Each operation must not panic,
// must take at most -hostile.maxtime of CPU time, must not allocate more than
// -hostile.maxalloc, and what the command line prints must pass
// hostile.CheckRun; a mutant that parses must print as assembly text that
// assembles to its own bytes.
func TestHostile(t *testing.T) {
	dir := filepath.Join(pytest.RepoRoot(), "testdata", "pycs")
	srcs, dups, err := hostile.Sources(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) == 0 {
		t.Fatalf("no pycs under %s", dir)
	}
	if *sourcesFlag != "" {
		var keep []hostile.Source
		for _, s := range srcs {
			if ok, _ := filepath.Match(*sourcesFlag, s.Name); ok {
				keep = append(keep, s)
			}
		}
		srcs = keep
	}
	s := newSweep(t)
	debug.SetTraceback("all")
	runtime.LockOSThread() // for threadCPU
	defer runtime.UnlockOSThread()
	if *onlyFlag != "" {
		for _, spec := range strings.Split(*onlyFlag, ",") {
			m, err := hostile.Make(strings.TrimSpace(spec), srcs)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s", m)
			s.run(m)
		}
		s.finish(len(srcs), 0)
		return
	}
	flips := *flipsFlag
	if flips <= 0 {
		flips = 10
		if *fullFlag {
			flips = 100
		}
	}
	if !*fullFlag {
		for _, spec := range regressions {
			m, err := hostile.Make(spec, srcs)
			if err != nil {
				t.Fatalf("regression %s: %v", spec, err)
			}
			s.run(m)
		}
		srcs = hostile.Sample(srcs)
	}
	for _, src := range srcs {
		if *truncFlag {
			for _, n := range hostile.Truncations(len(src.Data), *fullFlag) {
				s.run(hostile.Truncate(src, n))
			}
		}
		for i := range flips {
			s.run(hostile.Flip(src, hostile.FlipSeed(*seedFlag, i)))
		}
	}
	s.finish(len(srcs), dups)
}

type opStat struct {
	runs      int
	total     time.Duration // CPU
	max       time.Duration // CPU
	maxSpec   string
	wall      time.Duration
	wallSpec  string
	alloc     uint64
	allocSpec string
}

// threadCPU returns the CPU time (user and system) of the calling thread:
// with the goroutine locked to its thread, that of the operation it runs,
// whatever else the machine does.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rusageThread is Linux's RUSAGE_THREAD.
const rusageThread = 1

type finding struct {
	op, problem string
	count       int
	spec        string
}

type sweep struct {
	t       *testing.T
	dir     string
	start   time.Time
	last    time.Time
	mutants int
	truncs  int
	flips   int
	parsed  int
	ops     int
	asmOK   int
	refused map[string]int // asm.Print refusals by shape
	stats   map[string]*opStat
	found   map[string]*finding
	order   []string
	sample  []metrics.Sample
}

func newSweep(t *testing.T) *sweep {
	now := time.Now()
	return &sweep{t: t, dir: t.TempDir(), start: now, last: now,
		refused: map[string]int{}, stats: map[string]*opStat{}, found: map[string]*finding{},
		sample: []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}}
}

func (s *sweep) allocated() uint64 {
	metrics.Read(s.sample)
	return s.sample[0].Value.Uint64()
}

func (s *sweep) problem(op string, m *hostile.Mutant, p string) {
	key := op + "\x00" + p
	f := s.found[key]
	if f == nil {
		f = &finding{op: op, problem: p, spec: m.String()}
		s.found[key] = f
		s.order = append(s.order, key)
	}
	f.count++
}

// measure runs fn as operation op on m: it records the time and the bytes
// allocated, turns a panic into a finding, and crashes the test, naming
// the mutant, when fn hangs.
func (s *sweep) measure(op string, m *hostile.Mutant, fn func()) (ok bool) {
	s.ops++
	st := s.stats[op]
	if st == nil {
		st = &opStat{}
		s.stats[op] = st
	}
	wd := time.AfterFunc(*hangFlag, func() {
		panic(fmt.Sprintf("hostile: %s on %s still running after %v", op, m, *hangFlag))
	})
	a0 := s.allocated()
	t0 := time.Now()
	c0 := threadCPU()
	defer func() {
		d := threadCPU() - c0
		wall := time.Since(t0)
		wd.Stop()
		a := s.allocated() - a0
		if r := recover(); r != nil {
			s.problem(op, m, fmt.Sprintf("panic: %v\n%s", r, firstFrames(debug.Stack())))
			ok = false
		}
		st.runs++
		st.total += d
		if d > st.max {
			st.max, st.maxSpec = d, m.Spec()
		}
		if wall > st.wall {
			st.wall, st.wallSpec = wall, m.Spec()
		}
		if a > st.alloc {
			st.alloc, st.allocSpec = a, m.Spec()
		}
		if d > *maxTimeFlag {
			s.problem(op, m, fmt.Sprintf("took %v of CPU time (limit %v)", d.Round(time.Millisecond), *maxTimeFlag))
		}
		if a > uint64(*maxAllocFlag) {
			s.problem(op, m, fmt.Sprintf("allocated %d MB (limit %d MB)", a>>20, *maxAllocFlag>>20))
		}
	}()
	fn()
	return true
}

// firstFrames keeps the stack from the panic on, a dozen lines.
func firstFrames(stack []byte) string {
	lines := strings.Split(string(stack), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic(") {
			lines = lines[i:]
			break
		}
	}
	return strings.Join(lines[:min(len(lines), 14)], "\n")
}

func (s *sweep) run(m *hostile.Mutant) {
	s.mutants++
	if m.Trunc >= 0 {
		s.truncs++
	} else {
		s.flips++
	}
	if *progressFlag > 0 && time.Since(s.last) > *progressFlag {
		s.last = time.Now()
		s.t.Logf("%v: %d mutants (%s), %d operations, %d findings", time.Since(s.start).Round(time.Second), s.mutants, m.Spec(), s.ops, len(s.found))
	}
	path := filepath.Join(s.dir, m.FileName())
	if err := os.WriteFile(path, m.Data, 0o644); err != nil {
		s.t.Fatal(err)
	}
	defer os.Remove(path)

	var f *pyc.File
	s.measure("parse", m, func() {
		var err error
		f, err = pyc.Parse(m.Data, pyc.ParseOptions{Path: path})
		if err != nil {
			f = nil
		}
	})
	// check's command runs check.File on worker goroutines, where a panic
	// cannot be recovered: try it here first.
	if !s.measure("check.File", m, func() { check.File(path, check.Options{}) }) {
		return
	}
	for _, op := range hostile.Ops {
		var out, errOut bytes.Buffer
		code := -1
		s.measure(op.Name, m, func() {
			args := append(append([]string(nil), op.Args...), path)
			code = cli.Main(args, strings.NewReader(""), &out, &errOut)
		})
		if code < 0 {
			continue // panicked
		}
		for _, p := range hostile.CheckRun(op, []string{path}, &out, errOut.Bytes(), code) {
			s.problem(op.Name, m, strings.ReplaceAll(p.What, s.dir+string(filepath.Separator), ""))
		}
	}
	if f == nil {
		return
	}
	s.parsed++
	s.measure("asm", m, func() { s.roundTrip(m, path) })
}

// roundTrip prints the mutant as assembly text (as pyc dis -f asm does) and
// assembles the text again: the bytes must be the mutant's.
func (s *sweep) roundTrip(m *hostile.Mutant, path string) {
	f, err := pyc.Parse(m.Data, pyc.ParseOptions{Path: path})
	if err != nil {
		return
	}
	f.Header.Version = disasm.Refine(f.Version(), f.TopCode())
	var text bytes.Buffer
	if err := asm.Print(&text, f); err != nil {
		s.refused[hostile.Shape(err.Error(), path)]++
		return
	}
	g, err := asm.Assemble(text.Bytes())
	if err != nil {
		s.problem("asm", m, "printed text does not assemble: "+hostile.Shape(err.Error(), ""))
		return
	}
	out, err := g.Bytes()
	if err != nil {
		s.problem("asm", m, "assembled file does not encode: "+hostile.Shape(err.Error(), ""))
		return
	}
	if !bytes.Equal(out, m.Data) {
		s.problem("asm", m, "assembles to other bytes")
		return
	}
	s.asmOK++
}

func (s *sweep) finish(nsrc, dups int) {
	t := s.t
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	t.Logf("%d sources (%d duplicates left out), %d mutants (%d truncations, %d flip mutants), %d parse; %d operations in %v; heap peak (Sys) %d MB",
		nsrc, dups, s.mutants, s.truncs, s.flips, s.parsed, s.ops, time.Since(s.start).Round(time.Second), ms.Sys>>20)
	names := make([]string, 0, len(s.stats))
	for n := range s.stats {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		st := s.stats[n]
		t.Logf("  %-10s %8d runs  CPU mean %8v  max %8v (%s)  wall max %8v  alloc max %6.2f MB (%s)", n, st.runs,
			(st.total / time.Duration(max(st.runs, 1))).Round(time.Microsecond), st.max.Round(time.Microsecond), st.maxSpec,
			st.wall.Round(time.Microsecond), float64(st.alloc)/(1<<20), st.allocSpec)
	}
	t.Logf("asm round trip: %d of %d parsed mutants print and assemble to their bytes; the printer refused %d", s.asmOK, s.parsed, sum(s.refused))
	for shape, n := range s.refused {
		t.Logf("  refused %d: %s", n, shape)
	}
	for i, key := range s.order {
		f := s.found[key]
		if i >= 40 {
			t.Errorf("... and %d more findings", len(s.order)-i)
			break
		}
		t.Errorf("%s: %d mutants, e.g. %s (-hostile.only=%s):\n%s", f.op, f.count, f.spec, strings.Fields(f.spec)[0], f.problem)
	}
}

// regressions are mutants that found bugs, which the default run takes
// too (with every golden pyc, -hostile.full makes them all again).
var regressions = []string{
	// A code object holding itself (through a back-reference in
	// co_names, co_consts, co_varnames, co_filename, co_qualname):
	// pyc dis -f asm ran until out of memory. The decoder now refuses
	// them, as CPython does.
	"3.11/postponed.opt-2.pyc@flip=0x10000000d",
	"3.10/py3only.unchecked.pyc@flip=0x100000025",
	"3.11/optimize.checked.pyc@flip=0x10000002b",
	"3.12/py3only.checked.pyc@flip=0x10000001b",
	"3.13/postponed.checked.pyc@flip=0x100000029",
	"3.8/optimize.ts.pyc@flip=0x10000000b",
	"3.8/py3only.opt-1.pyc@flip=0x10000000d",
	"3.11/farlines.unchecked.pyc@flip=0x10000002f",
	// Messages without a byte offset: a top-level object that is no code
	// object, a code object that holds itself, a code object that the
	// printer cannot reproduce.
	"2.7/latin1.opt-2.pyc@flip=0x10000002c",
	"3.10/py38only.unchecked.pyc@flip=0x100000018",
	"3.13/py39only.checked.pyc@flip=0x100000019",
	// Assembly text that did not assemble, or assembled to other bytes: a
	// Python 2 co_code of type 'u'; a line break in a code object's name
	// (in the comment after "code"); PyPy taken for the writer of a 3.11
	// file; a negative end line; a line out of int32 range; a position
	// without a line but with columns.
	"2.7/manylocals.opt-1.pyc@flip=0x100000020",
	"3.10/latin1.checked.pyc@flip=0x100000019",
	"3.10/py36only.unchecked.pyc@flip=0x100000018",
	"3.9/py38only.unchecked.pyc@flip=0x10000001b",
	"3.11/docstring_only.opt-2.pyc@flip=0x100000010",
	"3.11/empty.opt-1.pyc@flip=0x10000000d",
	"3.11/empty.opt-1.pyc@flip=0x100000027",
	"3.12/lines.opt-1.pyc@flip=0x10000000f",
	"3.11/docstring_only.unchecked.pyc@flip=0x100000001",
	"3.13/py3only.unchecked.pyc@flip=0x100000022",
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

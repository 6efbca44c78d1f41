// Command hostile runs the real pyc binary over broken copies of the golden
// pycs (testdata/pycs): every file truncated at every byte offset (-full;
// a sample without it) and seeded random byte changes (-flips per file).
// It writes the mutants to a scratch directory and runs each reading
// command of hostile.Ops over them, many files per process for the
// commands that take several, and one file per process for every command
// on a sample of the mutants (-single-trunc, -single-flip), where it also
// prints the mutant as assembly (pyc dis -f asm), assembles it (pyc asm)
// and compares the bytes.
//
// A process fails the sweep when its peak resident set (from getrusage)
// exceeds -maxrss, when it takes more than -maxtime of CPU time for one
// file (a batch that takes longer is run again file by file; CPU time,
// unlike the wall clock, does not depend on what else the machine runs),
// when it is killed after -hang (wall clock), exits other than 0 or 1, prints a Go panic or
// stack trace, or prints an error message that does not name the file and
// a byte offset (hostile.CheckRun). It prints a summary and each finding
// with its mutant spec; -only SPEC runs that mutant again, and -keep DIR
// keeps the files of the mutants with findings.
//
//	go run ./bench/hostile -full -flips 100
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pyc-tools/pyc/internal/hostile"
)

var (
	pycBin      = flag.String("pyc", "", "the pyc binary (default: go build ./cmd/pyc into the scratch directory)")
	corpus      = flag.String("corpus", "", "directory of <X.Y>/*.pyc (default: testdata/pycs of the repository)")
	full        = flag.Bool("full", false, "truncate every file at every byte offset (else 37 offsets per file, and one file per version)")
	truncs      = flag.Bool("trunc", true, "make truncated mutants")
	flips       = flag.Int("flips", 10, "flip mutants per file")
	seed        = flag.Uint64("seed", 1, "base seed of the flip mutants")
	sourcesGlob = flag.String("sources", "", "only files whose name (X.Y/NAME.pyc) matches this glob")
	only        = flag.String("only", "", "run only these mutants (specs, comma-separated)")
	batchFiles  = flag.Int("batch", 400, "most files per process for the commands that take several")
	batchBytes  = flag.Int("batchbytes", 512<<10, "most bytes of mutants per process")
	singleTrunc = flag.Int("single-trunc", 500, "run every command one file per process on every Nth truncation (0: none)")
	singleFlip  = flag.Int("single-flip", 8, "run every command one file per process on every Nth flip mutant (0: none)")
	maxRSS      = flag.Int64("maxrss", 64, "peak resident set allowed per process, in MB")
	maxTime     = flag.Duration("maxtime", time.Second, "CPU time (user and system) allowed per file")
	hang        = flag.Duration("hang", 20*time.Second, "kill a one-file process after this long (batches get this plus -maxtime per file)")
	jobs        = flag.Int("j", 1, "processes run at once")
	keep        = flag.String("keep", "", "copy the mutants with findings into this directory")
	jsonOut     = flag.String("json", "", "write the figures as JSON to this file")
	scratch     = flag.String("scratch", "", "scratch directory (default: under /dev/shm when present)")
)

func main() {
	flag.Parse()
	// Keep this process small: its resident set is a floor under the
	// children's figures (see runProc).
	debug.SetGCPercent(25)
	debug.SetMemoryLimit(16 << 20)
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "hostile:", err)
		os.Exit(2)
	}
}

// proc is one finished process. Its standard output is in the file out.
type proc struct {
	exit   int
	out    string
	stderr []byte
	wall   time.Duration
	cpu    time.Duration // user and system
	rss    int64         // bytes
	killed bool
}

// stdout opens the process's standard output.
func (p proc) stdout() *os.File {
	f, err := os.Open(p.out)
	if err != nil {
		panic(err)
	}
	return f
}

// runProc runs bin with args, its standard output going to the file out.
//
// The peak resident set comes from wait4's rusage. Linux counts there, for
// a child started with vfork (as Go starts them), the parent's resident set
// at the time of the exec as well; so this process keeps its own small
// (see main) and reports its peak, below which the children's figures
// cannot go.
func runProc(bin string, args []string, out string, timeout time.Duration) proc {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	f, err := os.Create(out)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	var errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = f, &errOut
	start := time.Now()
	err = cmd.Run()
	p := proc{wall: time.Since(start), out: out, stderr: errOut.Bytes()}
	if cmd.ProcessState != nil {
		p.exit = cmd.ProcessState.ExitCode()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			p.rss = ru.Maxrss * 1024 // kilobytes on Linux
			p.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		p.exit = -1
		p.stderr = append(p.stderr, []byte("\n(hostile: "+err.Error()+")")...)
	}
	if ctx.Err() != nil {
		p.killed = true
	}
	return p
}

// selfHWM returns this process's peak resident set (VmHWM), or 0.
func selfHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), &kb)
			return kb * 1024
		}
	}
	return 0
}

type finding struct {
	Op      string `json:"op"`
	Problem string `json:"problem"`
	Count   int    `json:"count"`
	Example string `json:"example"`
}

// Figures are what the sweep measured.
type Figures struct {
	Sources      int           `json:"sources"`
	Duplicates   int           `json:"duplicates"`
	Mutants      int           `json:"mutants"`
	Truncations  int           `json:"truncations"`
	Flips        int           `json:"flips"`
	Processes    int           `json:"processes"`
	FileRuns     int           `json:"file_runs"`
	SingleRuns   int           `json:"single_runs"`
	AsmRoundTrip int           `json:"asm_round_trips"`
	MaxRSS       int64         `json:"max_rss_bytes"`
	SelfRSS      int64         `json:"bench_process_rss_bytes"`
	MaxRSSWhat   string        `json:"max_rss_what"`
	Slowest      time.Duration `json:"slowest_single_cpu_ns"`
	SlowestWhat  string        `json:"slowest_single_what"`
	SlowestWall  time.Duration `json:"slowest_single_wall_ns"`
	SlowestWWhat string        `json:"slowest_single_wall_what"`
	SlowestBatch time.Duration `json:"slowest_batch_cpu_per_file_ns"`
	SlowestBWhat string        `json:"slowest_batch_what"`
	Elapsed      time.Duration `json:"elapsed_ns"`
	Findings     []*finding    `json:"findings"`
}

type sweep struct {
	bin, dir string
	mu       sync.Mutex
	fig      Figures
	found    map[string]*finding
	keepers  map[string]*hostile.Mutant
}

func (s *sweep) problem(op string, m *hostile.Mutant, what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := op + "\x00" + what
	f := s.found[key]
	if f == nil {
		ex := "(batch)"
		if m != nil {
			ex = m.String()
		}
		f = &finding{Op: op, Problem: what, Example: ex}
		s.found[key] = f
		s.fig.Findings = append(s.fig.Findings, f)
		fmt.Printf("FINDING %s: %s\n  e.g. %s\n", op, what, ex)
	}
	f.Count++
	if m != nil && s.keepers != nil {
		s.keepers[m.FileName()] = m
	}
}

func (s *sweep) account(p proc, what string, files int, single bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fig.Processes++
	s.fig.FileRuns += files
	if single {
		s.fig.SingleRuns++
	}
	if p.rss > s.fig.MaxRSS {
		s.fig.MaxRSS, s.fig.MaxRSSWhat = p.rss, what
	}
	if single && p.cpu > s.fig.Slowest {
		s.fig.Slowest, s.fig.SlowestWhat = p.cpu, what
	}
	if single && p.wall > s.fig.SlowestWall {
		s.fig.SlowestWall, s.fig.SlowestWWhat = p.wall, what
	}
	if per := p.cpu / time.Duration(max(files, 1)); !single && per > s.fig.SlowestBatch {
		s.fig.SlowestBatch, s.fig.SlowestBWhat = per, what
	}
}

// batch is a set of mutants written to files in one directory.
type batch struct {
	dir     string
	mutants []*hostile.Mutant
	files   []string
	byFile  map[string]*hostile.Mutant
	single  []bool
}

func run() error {
	start := time.Now()
	root, err := repoRoot()
	if err != nil && (*corpus == "" || *pycBin == "") {
		return err
	}
	if *corpus == "" {
		*corpus = filepath.Join(root, "testdata", "pycs")
	}
	base := *scratch
	if base == "" {
		if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
			base = "/dev/shm"
		}
	}
	dir, err := os.MkdirTemp(base, "pyc-hostile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := *pycBin
	if bin == "" {
		bin = filepath.Join(dir, "pyc")
		build := exec.Command("go", "build", "-o", bin, "./cmd/pyc")
		build.Dir = root
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build: %v", err)
		}
	}
	srcs, dups, err := hostile.Sources(*corpus)
	if err != nil {
		return err
	}
	if *sourcesGlob != "" {
		var keepSrcs []hostile.Source
		for _, s := range srcs {
			if ok, _ := filepath.Match(*sourcesGlob, s.Name); ok {
				keepSrcs = append(keepSrcs, s)
			}
		}
		srcs = keepSrcs
	}
	s := &sweep{bin: bin, dir: dir, found: map[string]*finding{}}
	if *keep != "" {
		s.keepers = map[string]*hostile.Mutant{}
	}
	if !*full && *only == "" {
		srcs = hostile.Sample(srcs)
	}
	s.fig.Sources, s.fig.Duplicates = len(srcs), dups

	batches := make(chan *batch, *jobs)
	var wg sync.WaitGroup
	for range *jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				s.runBatch(b)
				os.RemoveAll(b.dir)
			}
		}()
	}
	nb := 0
	cur := &batch{}
	size := 0
	flush := func() error {
		if len(cur.mutants) == 0 {
			return nil
		}
		nb++
		cur.dir = filepath.Join(dir, fmt.Sprintf("b%d", nb))
		if err := os.Mkdir(cur.dir, 0o755); err != nil {
			return err
		}
		cur.byFile = map[string]*hostile.Mutant{}
		for _, m := range cur.mutants {
			f := filepath.Join(cur.dir, m.FileName())
			if err := os.WriteFile(f, m.Data, 0o644); err != nil {
				return err
			}
			cur.files = append(cur.files, f)
			cur.byFile[f] = m
		}
		batches <- cur
		cur, size = &batch{}, 0
		return nil
	}
	add := func(m *hostile.Mutant, single bool) error {
		s.fig.Mutants++
		if m.Trunc >= 0 {
			s.fig.Truncations++
		} else {
			s.fig.Flips++
		}
		cur.mutants = append(cur.mutants, m)
		cur.single = append(cur.single, single)
		size += len(m.Data)
		if len(cur.mutants) >= *batchFiles || size >= *batchBytes {
			return flush()
		}
		return nil
	}
	last := time.Now()
	progress := func(m *hostile.Mutant) {
		if time.Since(last) > 30*time.Second {
			last = time.Now()
			s.mu.Lock()
			fmt.Printf("%v: %d mutants (%s), %d processes, %d findings\n", time.Since(start).Round(time.Second), s.fig.Mutants, m.Spec(), s.fig.Processes, len(s.found))
			s.mu.Unlock()
		}
	}
	if *only != "" {
		for _, spec := range strings.Split(*only, ",") {
			m, err := hostile.Make(strings.TrimSpace(spec), srcs)
			if err != nil {
				return err
			}
			if err := add(m, true); err != nil {
				return err
			}
		}
	} else {
		nt, nf := 0, 0
		for _, src := range srcs {
			for _, n := range hostile.Truncations(len(src.Data), *full) {
				if !*truncs {
					break
				}
				m := hostile.Truncate(src, n)
				nt++
				if err := add(m, *singleTrunc > 0 && nt%*singleTrunc == 0); err != nil {
					return err
				}
				progress(m)
			}
			for i := range *flips {
				m := hostile.Flip(src, hostile.FlipSeed(*seed, i))
				nf++
				if err := add(m, *singleFlip > 0 && nf%*singleFlip == 0); err != nil {
					return err
				}
				progress(m)
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	close(batches)
	wg.Wait()
	s.fig.Elapsed = time.Since(start)
	s.fig.SelfRSS = selfHWM()
	if s.keepers != nil && len(s.keepers) > 0 {
		if err := os.MkdirAll(*keep, 0o755); err != nil {
			return err
		}
		for name, m := range s.keepers {
			if err := os.WriteFile(filepath.Join(*keep, name), m.Data, 0o644); err != nil {
				return err
			}
		}
	}
	s.summary()
	if *jsonOut != "" {
		b, err := json.MarshalIndent(&s.fig, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if len(s.fig.Findings) > 0 {
		os.Exit(1)
	}
	return nil
}

func (s *sweep) summary() {
	f := &s.fig
	fmt.Printf("sources: %d (%d duplicate files left out)\n", f.Sources, f.Duplicates)
	fmt.Printf("mutants: %d (%d truncations, %d flip mutants)\n", f.Mutants, f.Truncations, f.Flips)
	fmt.Printf("processes: %d, %d file runs (%d one-file processes, %d asm round trips)\n", f.Processes, f.FileRuns, f.SingleRuns, f.AsmRoundTrip)
	fmt.Printf("max RSS: %.1f MB (%s); this process's own peak, a floor under the figures: %.1f MB\n", float64(f.MaxRSS)/(1<<20), f.MaxRSSWhat, float64(f.SelfRSS)/(1<<20))
	fmt.Printf("slowest one-file process: %v CPU (%s); %v wall (%s)\n", f.Slowest.Round(time.Millisecond), f.SlowestWhat, f.SlowestWall.Round(time.Millisecond), f.SlowestWWhat)
	fmt.Printf("slowest batch, CPU per file: %v (%s)\n", f.SlowestBatch.Round(time.Microsecond), f.SlowestBWhat)
	fmt.Printf("elapsed: %v\n", f.Elapsed.Round(time.Second))
	sort.Slice(f.Findings, func(i, j int) bool { return f.Findings[i].Count > f.Findings[j].Count })
	fmt.Printf("findings: %d\n", len(f.Findings))
	for _, x := range f.Findings {
		fmt.Printf("  %s: %s (%d times, e.g. %s)\n", x.Op, x.Problem, x.Count, x.Example)
	}
}

// runBatch runs the multi-file commands over the whole batch and every
// command one file per process on the batch's sampled mutants.
func (s *sweep) runBatch(b *batch) {
	for _, op := range hostile.Ops {
		if !op.Multi {
			continue
		}
		if len(b.files) == 1 {
			break // the one-file runs below cover it
		}
		args := append(append([]string(nil), op.Args...), b.files...)
		p := runProc(s.bin, args, filepath.Join(b.dir, "stdout"), *hang+*maxTime*time.Duration(len(b.files)))
		what := fmt.Sprintf("%s over %d files %s .. %s", op.Name, len(b.files), b.mutants[0].Spec(), b.mutants[len(b.mutants)-1].Spec())
		s.account(p, what, len(b.files), false)
		out := p.stdout()
		probs := hostile.CheckRun(op, b.files, out, p.stderr, p.exit)
		out.Close()
		bad := p.killed || p.cpu > *maxTime || p.rss > *maxRSS<<20
		for _, pr := range probs {
			if pr.File == "" {
				bad = true
				continue
			}
			s.problem(op.Name, b.byFile[pr.File], s.clean(pr.What))
		}
		if bad {
			// Find the files to blame, one process each.
			blamed := 0
			for _, f := range b.files {
				if s.single(op, b.byFile[f], f) {
					blamed++
				}
			}
			if blamed == 0 && p.rss > *maxRSS<<20 {
				s.problem(op.Name, nil, fmt.Sprintf("%s: peak RSS %.1f MB over the batch, though no file alone exceeds %d MB", what, float64(p.rss)/(1<<20), *maxRSS))
			}
		}
	}
	for i, f := range b.files {
		if !b.single[i] && len(b.files) > 1 {
			continue
		}
		m := b.mutants[i]
		for _, op := range hostile.Ops {
			s.single(op, m, f)
		}
		s.roundTrip(m, f)
	}
}

// single runs op on one file and reports whether anything was wrong.
func (s *sweep) single(op hostile.Op, m *hostile.Mutant, file string) bool {
	args := append(append([]string(nil), op.Args...), file)
	p := runProc(s.bin, args, file+".stdout", *hang)
	defer os.Remove(p.out)
	s.account(p, op.Name+" "+m.Spec(), 1, true)
	out := p.stdout()
	defer out.Close()
	return s.judge(op.Name, m, p, hostile.CheckRun(op, []string{file}, out, p.stderr, p.exit))
}

func (s *sweep) judge(op string, m *hostile.Mutant, p proc, probs []hostile.Problem) bool {
	bad := false
	if p.killed {
		s.problem(op, m, fmt.Sprintf("killed after %v", p.wall.Round(time.Millisecond)))
		return true
	}
	if p.cpu > *maxTime {
		s.problem(op, m, fmt.Sprintf("took %v of CPU time (limit %v)", p.cpu.Round(time.Millisecond), *maxTime))
		bad = true
	}
	if p.rss > *maxRSS<<20 {
		s.problem(op, m, fmt.Sprintf("peak RSS %.1f MB (limit %d MB)", float64(p.rss)/(1<<20), *maxRSS))
		bad = true
	}
	for _, pr := range probs {
		s.problem(op, m, s.clean(pr.What))
		bad = true
	}
	return bad
}

// roundTrip prints the mutant as assembly with pyc dis -f asm, assembles
// the text with pyc asm and compares the bytes.
func (s *sweep) roundTrip(m *hostile.Mutant, file string) {
	text := file + ".pyasm"
	out := file + ".out"
	defer os.Remove(text)
	defer os.Remove(out)
	p := runProc(s.bin, []string{"dis", "-f", "asm", file}, text, *hang)
	if p.exit != 0 || p.killed {
		return // judged as dis-asm already
	}
	p = runProc(s.bin, []string{"asm", text, "-o", out}, file+".stdout", *hang)
	s.account(p, "asm "+m.Spec(), 1, true)
	var probs []hostile.Problem
	if p.exit != 0 {
		probs = append(probs, hostile.Problem{What: "printed text does not assemble: " + hostile.Shape(strings.TrimSpace(string(p.stderr)), text)})
	} else if data, err := os.ReadFile(out); err != nil || !bytes.Equal(data, m.Data) {
		probs = append(probs, hostile.Problem{What: "printed text assembles to other bytes"})
	}
	s.mu.Lock()
	s.fig.AsmRoundTrip++
	s.mu.Unlock()
	s.judge("asm", m, p, probs)
}

// clean takes the scratch directory out of a message.
func (s *sweep) clean(msg string) string {
	return strings.ReplaceAll(msg, s.dir+string(filepath.Separator), "")
}

func repoRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", errors.New("not inside the repository (no go.mod above the working directory): give -corpus and -pyc")
		}
		d = parent
	}
}

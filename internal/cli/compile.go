package cli

import (
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pyc-tools/pyc/compile"
	"github.com/pyc-tools/pyc/internal/interp"
	"github.com/pyc-tools/pyc/pyc"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

type compileOptions struct {
	IO            *IO
	Python        string
	Levels        levelsValue
	Invalidation  string
	Legacy        bool
	Exclude       string
	MaxDepth      int
	NoRecurse     bool
	DDir          string
	StripDir      string
	PrependDir    string
	Force         bool
	Quiet         int
	Jobs          int
	Deterministic bool
	Paths         []string
}

func newCompileCmd(ios *IO, runF func(*compileOptions) error) *cobra.Command {
	opts := &compileOptions{IO: ios, MaxDepth: -1}
	cmd := &cobra.Command{
		Use:   "compile [flags] [PATH...]",
		Short: "Precompile Python sources to pycs, like python -m compileall but faster",
		Long: `Compile every .py file given, and those under the directories given, to
pycs, as "python -m compileall" does, with the same file names, headers and
code: a real interpreter compiles (--python; default python3 on PATH, else
the newest pyenv one), running as -j long-lived compile servers, while pyc
walks the tree, skips what is up to date and writes the files atomically.

Without PATH, the directories on the interpreter's sys.path are compiled,
without recursion.

A pyc is up to date when it has the interpreter's magic number, the
invalidation mode asked for, and matches its source by the import system's
rules (mtime and size, or the source hash); -f compiles regardless.

Syntax errors are printed as "file:line: SyntaxError: message" and
compilation goes on; the exit status is then 1. On a terminal, a progress
line is kept on standard error; otherwise pyc compile prints only errors
and warnings.

--deterministic rewrites each pyc so that it depends only on its source:
FLAG_REF only on objects the stream refers back to, set constants in a
fixed order. See docs/compile.md.`,
		Example: `  pyc compile -j 4 src/
  pyc compile --python python3.12 -O 0,1,2 --invalidation checked-hash build/lib
  SOURCE_DATE_EPOCH=0 pyc compile --deterministic -d /usr/lib/app app/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if runF != nil {
				return runF(opts)
			}
			return runCompile(opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Python, "python", "", "interpreter that compiles (default: python3 on PATH, else the newest pyenv one)")
	fs.VarP(&opts.Levels, "optimize", "O", "optimization level 0, 1 or 2; repeat or give a comma list for several (default 0)")
	addAlias(fs, &opts.Levels, "", "o", "alias of -O, as compileall spells it")
	fs.StringVar(&opts.Invalidation, "invalidation", "", "timestamp, checked-hash or unchecked-hash (default: timestamp, or checked-hash when SOURCE_DATE_EPOCH is set, on 3.7+)")
	fs.StringVar(&opts.Invalidation, "invalidation-mode", "", "alias of --invalidation")
	fs.MarkHidden("invalidation-mode")
	fs.BoolVar(&opts.Legacy, "legacy", false, "write x.pyc beside x.py instead of into __pycache__")
	fs.BoolVarP(&opts.Legacy, "b", "b", false, "alias of --legacy")
	fs.MarkHidden("b")
	fs.StringVarP(&opts.Exclude, "exclude", "x", "", "skip files whose path matches this regular expression (Go syntax)")
	fs.IntVarP(&opts.MaxDepth, "max-depth", "r", -1, "walk at most this many directory levels down (default: no limit)")
	fs.BoolVarP(&opts.NoRecurse, "no-recurse", "l", false, "do not descend into subdirectories (-r 0)")
	fs.StringVarP(&opts.DDir, "ddir", "d", "", "record file names as if the directory given were this one")
	fs.StringVarP(&opts.StripDir, "strip", "s", "", "strip this directory from the front of recorded file names")
	fs.StringVarP(&opts.PrependDir, "prepend", "p", "", "put this directory in front of recorded file names (after -s)")
	fs.BoolVarP(&opts.Force, "force", "f", false, "compile even what is up to date")
	fs.CountVarP(&opts.Quiet, "quiet", "q", "no progress or summary; -qq: no warnings or error messages either")
	fs.IntVarP(&opts.Jobs, "jobs", "j", 0, "compile servers to run (default: one per CPU)")
	fs.BoolVar(&opts.Deterministic, "deterministic", false, "write pycs that depend only on their source (canonical FLAG_REF, string identity and set order)")
	return cmd
}

// levelsValue collects optimization levels from repeated flags and comma
// lists.
type levelsValue struct{ levels []int }

func (v *levelsValue) String() string {
	s := make([]string, len(v.levels))
	for i, l := range v.levels {
		s[i] = strconv.Itoa(l)
	}
	return strings.Join(s, ",")
}

func (v *levelsValue) Set(s string) error {
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 0 || n > 2 {
			return fmt.Errorf("optimization level %q: want 0, 1 or 2", part)
		}
		v.levels = append(v.levels, n)
	}
	return nil
}

func (v *levelsValue) Type() string { return "levels" }

// addAlias registers a hidden second spelling of a flag.
func addAlias(fs *pflag.FlagSet, v pflag.Value, name, short, usage string) {
	if name == "" {
		name = "alias-" + short
	}
	fs.VarP(v, name, short, usage)
	fs.MarkHidden(name)
}

func runCompile(opts *compileOptions) error {
	defer catchInterrupts(opts.IO.ErrOut)()
	var mode *pyc.Mode
	if opts.Invalidation != "" {
		m, err := pyc.ParseMode(opts.Invalidation)
		if err != nil {
			return usageErrorf("--invalidation: %v", err)
		}
		mode = &m
	}
	var rx *regexp.Regexp
	if opts.Exclude != "" {
		var err error
		if rx, err = regexp.Compile(opts.Exclude); err != nil {
			return usageErrorf("-x: %v", err)
		}
	}
	names := compile.Names{DDir: opts.DDir, StripDir: opts.StripDir, PrependDir: opts.PrependDir}
	if opts.DDir != "" && (opts.StripDir != "" || opts.PrependDir != "") {
		return usageErrorf("-d cannot be used with -s or -p")
	}
	if opts.Jobs < 0 {
		return usageErrorf("-j must be 0 or more")
	}
	python := opts.Python
	if python == "" {
		p, err := interp.Default()
		if err != nil {
			return err
		}
		python = p
	}
	levels := opts.Levels.levels
	if len(levels) == 0 {
		levels = []int{0}
	}
	errOut := &syncWriter{w: opts.IO.ErrOut}
	c, err := compile.NewCompiler(python, compile.CompilerOptions{
		Servers: opts.Jobs, Levels: levels, Deterministic: opts.Deterministic, Stderr: errOut,
	})
	if err != nil {
		return err
	}
	defer c.Close()
	in := c.Interpreter()
	m := compile.DefaultMode(in.Version, os.Environ())
	if mode != nil {
		m = *mode
	}
	if m != pyc.Timestamp && !in.Version.AtLeast(3, 7) {
		return usageErrorf("--invalidation %s needs Python 3.7 or later; %s is %s", m, python, in.Release)
	}
	paths := opts.Paths
	depth := opts.MaxDepth
	if opts.NoRecurse && depth < 0 {
		depth = 0
	}
	if len(paths) == 0 {
		// compileall without arguments: sys.path, one level, no cwd.
		depth = 0
		sysPath, err := compile.SysPath(python)
		if err != nil {
			return err
		}
		for _, p := range sysPath {
			if p == "" || p == "." {
				continue
			}
			if st, err := os.Stat(p); err == nil && st.IsDir() {
				paths = append(paths, p)
			}
		}
	}
	term := isTerminal(opts.IO.ErrOut)
	if opts.Quiet == 0 {
		servers := opts.Jobs
		if servers == 0 {
			servers = numCPU()
		}
		fmt.Fprintf(errOut, "pyc compile: %s, %s, %d server(s)\n", in, m, servers)
	}
	prog := &progress{w: errOut, on: term && opts.Quiet == 0}
	start := time.Now()
	st, err := c.Tree(paths, compile.TreeOptions{
		Levels: levels, Mode: m, Legacy: opts.Legacy, Exclude: rx, MaxDepth: depth,
		Names: names, Force: opts.Force,
	}, func(ev compile.Event) {
		prog.event(ev)
		if opts.Quiet >= 2 {
			return
		}
		for _, w := range ev.Warnings {
			prog.printf("%s:%d: %s: %s\n", ev.Source, w.Line, w.Category, w.Msg)
		}
		switch ev.Kind {
		case compile.Failed:
			if _, ok := ev.Err.(*compile.Error); ok {
				prog.printf("%v\n", ev.Err)
			} else {
				prog.printf("%s: %v\n", ev.Source, ev.Err)
			}
		case compile.Notice:
			prog.printf("%s: %s\n", ev.Source, ev.Note)
		}
	})
	prog.clear()
	if err != nil {
		return err
	}
	if term && opts.Quiet == 0 {
		fmt.Fprintf(errOut, "%d compiled (%d pycs), %d up to date, %d failed, %d excluded in %.1fs\n",
			st.Compiled, st.Pycs, st.UpToDate, st.Failed, st.Excluded, time.Since(start).Seconds())
	}
	if st.Failed > 0 {
		return &silentError{ExitError}
	}
	return nil
}

// syncWriter serializes writes: the compile servers' standard error is
// copied into it from other goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func numCPU() int { return runtime.NumCPU() }

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progress keeps one status line at the bottom of a terminal, redrawn at
// most ten times a second, and prints other lines above it.
type progress struct {
	w                    io.Writer
	on                   bool
	shown                bool
	last                 time.Time
	done, compiled, fail int
}

func (p *progress) event(ev compile.Event) {
	switch ev.Kind {
	case compile.Compiled:
		p.done++
		p.compiled++
	case compile.UpToDate:
		p.done++
	case compile.Failed:
		p.done++
		p.fail++
	}
	if !p.on || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	src := ev.Source
	if len(src) > 50 {
		src = "..." + src[len(src)-47:]
	}
	fmt.Fprintf(p.w, "\r\x1b[K%d files, %d compiled, %d failed: %s", p.done, p.compiled, p.fail, src)
	p.shown = true
}

func (p *progress) printf(format string, a ...any) {
	p.clear()
	fmt.Fprintf(p.w, format, a...)
}

func (p *progress) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

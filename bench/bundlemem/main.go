// Command bundlemem measures the peak memory of "pyc bundle" and "pyc
// compile" (in process, through packages bundle and compile) on a generated
// tree of modules, to show that it does not grow with the tree. It prints
// the Go process's peak resident set (VmHWM) after each step; the compile
// servers are separate processes, each holding one source at a time.
//
//	go run ./bench/bundlemem -python PATH -n 10000 [-n 1000 ...]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/pyc-tools/pyc/bundle"
	"github.com/pyc-tools/pyc/compile"
)

type counts []int

func (c *counts) String() string { return fmt.Sprint(*c) }
func (c *counts) Set(s string) error {
	n, err := strconv.Atoi(s)
	*c = append(*c, n)
	return err
}

func main() {
	python := flag.String("python", "python3", "interpreter")
	jobs := flag.Int("j", 2, "compile servers")
	work := flag.String("work", "/tmp/pyc-bundlemem", "scratch directory")
	scale := flag.Int("scale", 1, "repeat each module's body this many times (bigger sources, same count)")
	var ns counts
	flag.Var(&ns, "n", "number of modules (repeat for several trees, smallest first)")
	flag.Parse()
	if len(ns) == 0 {
		ns = counts{10000}
	}
	c, err := compile.NewCompiler(*python, compile.CompilerOptions{Servers: *jobs, Deterministic: true})
	check(err)
	defer c.Close()
	fmt.Printf("%s, %d servers\n", c.Interpreter(), *jobs)
	for _, n := range ns {
		dir := filepath.Join(*work, fmt.Sprintf("tree-%d-x%d", n, *scale))
		srcBytes := generate(dir, n, *scale)
		out := filepath.Join(*work, fmt.Sprintf("app-%d.zip", n))
		runtime.GC()
		start := time.Now()
		st, err := bundle.Build(bundle.Options{Src: dir, Out: out, Compiler: c, Main: "pkg000.mod0000:main"})
		check(err)
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("bundle  %6d modules (%5.1f MB of source): %.1fs, zip %5.1f MB, peak RSS so far %s, Go heap in use %.1f MB\n",
			st.Modules, float64(srcBytes)/1e6, time.Since(start).Seconds(), float64(st.Size)/1e6, hwm(), float64(ms.HeapInuse)/1e6)
		start = time.Now()
		cst, err := c.Tree([]string{dir}, compile.TreeOptions{MaxDepth: -1, Force: true}, nil)
		check(err)
		fmt.Printf("compile %6d modules: %.1fs, %d pycs, peak RSS so far %s\n", cst.Sources, time.Since(start).Seconds(), cst.Pycs, hwm())
	}
}

// generate writes n modules in packages of 100, each module about 3 KB,
// and a 4 KB data file per package. It returns the bytes of source.
func generate(dir string, n, scale int) int64 {
	os.RemoveAll(dir)
	var total int64
	for i := 0; i < n; i++ {
		pkg := filepath.Join(dir, fmt.Sprintf("pkg%03d", i/100))
		if i%100 == 0 {
			check(os.MkdirAll(pkg, 0o755))
			check(os.WriteFile(filepath.Join(pkg, "__init__.py"), []byte("'''Package.'''\n"), 0o644))
			check(os.WriteFile(filepath.Join(pkg, "data.txt"), []byte(strings.Repeat("data ", 800)), 0o644))
		}
		src := strings.Repeat(module(i), scale)
		total += int64(len(src))
		check(os.WriteFile(filepath.Join(pkg, fmt.Sprintf("mod%04d.py", i)), []byte(src), 0o644))
	}
	return total
}

func module(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "'''Module %d.'''\nimport os\nimport sys\n\nCONST = %d\nNAMES = {'alpha', 'beta', 'gamma', 'n%d'}\n\n", i, i, i)
	for j := 0; j < 6; j++ {
		fmt.Fprintf(&b, "\nclass Thing%d(object):\n    '''A thing.'''\n\n    def __init__(self, x=%d):\n        self.x = x\n        self.items = [x * k for k in range(%d)]\n\n    def total(self):\n        return sum(self.items) + CONST\n", j, j, j+3)
		fmt.Fprintf(&b, "\n\ndef func%d(a, b=%d.5, *args, **kw):\n    if a in NAMES:\n        return 'found %%s' %% a\n    return [a, b, args, kw, os.sep, sys.maxsize]\n", j, j)
	}
	b.WriteString("\n\ndef main():\n    return 0\n")
	return b.String()
}

// hwm returns the process's peak resident set size.
func hwm() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

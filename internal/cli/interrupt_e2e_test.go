package cli_test

// End-to-end tests of issue #7, "Nothing lost": the commands that write
// (pyc asm, pyc header, pyc compile, pyc bundle, pyc scan --prune --yes)
// are run as the real binary and killed at random moments, and what is on
// disk afterwards is checked.
//
// For each command the test first times an uninterrupted run and keeps its
// output as the reference. Then, trial after trial, it restores the state
// before the run (planting an older version of the output in every other
// trial), starts the command, sends it SIGKILL after a delay drawn
// uniformly from [0, that time] (the first trial at 0, the second at the
// full time: the very start and the very end), and checks that every
// output is absent, byte-identical to what it was before the run, or
// byte-identical to the reference; that the inputs are unchanged; and that
// nothing else appeared but temporary files. Where an older output was
// planted and the new one is there, it must be another inode: replaced by
// a rename, not rewritten in place (which a kill hits only now and then,
// this check every time). SIGKILL gives the command no
// chance to clean up, so the hidden temporary files of the writes in
// flight (".NAME.tmp*", beside their destination) are expected to remain:
// the test counts them and reruns the command with them still there; the
// rerun must complete, produce the full output and leave no temporary file
// of its own.
//
// Then SIGINT is sent to the command's process group mid-run, as Ctrl-C
// does: the command must end with a failure status (it dies of the
// signal), remove its temporary files, and leave no partial output.
//
// After every run the compile servers of pyc compile and pyc bundle (found
// by a token in their environment) must exit: they end at the end of their
// input, when pyc is gone.
//
// go test ./internal/cli -run TestInterrupt runs 3 SIGKILL and 2 SIGINT
// trials per command (5 s on an idle 2-CPU machine, 15 to 25 s on a busy
// one); -interrupt.n=200 -interrupt.sigint=40 runs more (add -timeout),
// and -v prints the figures (bench/interrupt.md). Without a Python 3 under
// pyenv, the compile, bundle and scan cases are skipped.

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyc-tools/pyc/asm"
	"github.com/pyc-tools/pyc/build"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/pyc"
)

var (
	interruptN      = flag.Int("interrupt.n", 3, "SIGKILL trials per writing command in TestInterrupt")
	interruptSigint = flag.Int("interrupt.sigint", 2, "SIGINT trials per writing command in TestInterrupt")
	interruptSeed   = flag.Uint64("interrupt.seed", 7, "seed of TestInterrupt's kill delays")
)

// isTemp reports whether a file name is one of an atomic write's
// temporary files: ".NAME.tmp" and a random suffix.
func isTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp")
}

// tempFiles returns the temporary files under root.
func tempFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && isTemp(d.Name()) {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// removeTemps removes the temporary files under root.
func removeTemps(t *testing.T, root string) {
	t.Helper()
	for _, p := range tempFiles(t, root) {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
}

// fileState is what the tests compare of a file: content, mode, mtime.
type fileState struct {
	sum   [32]byte
	mode  fs.FileMode
	mtime time.Time
}

// snapshot returns the state of the regular files under root (relative
// paths) for which keep is true (nil: all).
func snapshot(t *testing.T, root string, keep func(rel string) bool) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if keep != nil && !keep(rel) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		out[rel] = fileState{sha256.Sum256(data), st.Mode(), st.ModTime()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// diffSnapshots reports how have differs from want, "" if not at all.
func diffSnapshots(have, want map[string]fileState) string {
	var diffs []string
	for p, w := range want {
		h, ok := have[p]
		switch {
		case !ok:
			diffs = append(diffs, p+" removed")
		case h.sum != w.sum:
			diffs = append(diffs, p+" changed")
		case h.mode != w.mode || !h.mtime.Equal(w.mtime):
			diffs = append(diffs, p+" touched (mode or mtime)")
		}
	}
	for p := range have {
		if _, ok := want[p]; !ok {
			diffs = append(diffs, p+" added")
		}
	}
	sort.Strings(diffs)
	return strings.Join(diffs, ", ")
}

// readOrNil returns a file's content, or nil when it does not exist.
func readOrNil(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// inode returns the inode number of a file, 0 when it does not exist.
func inode(name string) uint64 {
	st, err := os.Stat(name)
	if err != nil {
		return 0
	}
	return st.Sys().(*syscall.Stat_t).Ino
}

// rewritten reports whether name, which has its new content, is still the
// inode of the older file planted before the run (planted: that inode, 0
// for none): it was then rewritten in place, not replaced by a rename, and
// an interruption at the wrong moment would have left it partial. (The
// temporary file exists beside the older one before the rename, so it
// cannot have the same inode number; once the older file is gone, its
// number can be reused, so the callers forget it then.)
func rewritten(name string, planted uint64) bool {
	return planted != 0 && inode(name) == planted
}

// inPlaceError is the failure for files that rewritten reports.
func inPlaceError(t *testing.T, names []string) {
	t.Helper()
	if len(names) > 0 {
		sort.Strings(names)
		t.Errorf("%d files have their new content in the inode of the older file, rewritten in place, not replaced by a rename: %s...", len(names), names[0])
	}
}

// classify says whether data (nil: absent) is the old content or the new
// one, or neither ("partial").
func classify(data, old, new []byte) string {
	switch {
	case data == nil:
		return "absent"
	case bytes.Equal(data, new):
		return "new"
	case old != nil && bytes.Equal(data, old):
		return "old"
	}
	return "partial"
}

// strays returns the processes whose environment holds token.
func strays(token string) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		env, err := os.ReadFile("/proc/" + e.Name() + "/environ")
		if err == nil && bytes.Contains(env, []byte(token)) {
			out = append(out, pid)
		}
	}
	return out
}

// awaitStrays waits for the processes carrying token (compile servers left
// by a killed pyc) to end; it fails the test and kills them after 20 s.
func awaitStrays(t *testing.T, token string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		pids := strays(token)
		if len(pids) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("processes %v still run 20 s after pyc ended", pids)
			for _, p := range pids {
				syscall.Kill(p, syscall.SIGKILL)
			}
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// writeCase is one writing command under test.
type writeCase struct {
	name string
	// dir is where the command runs; temporary files are looked for under
	// it.
	dir  string
	argv []string
	// prepare restores the state before a run, with the older output in
	// place when old is true, and removes temporary files.
	prepare func(t *testing.T, old bool)
	// record keeps the output of the uninterrupted reference run.
	record func(t *testing.T)
	// inspect checks the state after an interrupted run (old: whether the
	// older output was planted) and returns an outcome per output.
	inspect func(t *testing.T, old bool) []string
	// complete checks the state after an uninterrupted run.
	complete func(t *testing.T)
}

// tally counts the outcomes of a case's trials.
type tally struct {
	trials, killed, finished int
	outcomes                 map[string]int
	tempsLeft, trialsTemps   int
	sigint, sigintEarly      int
	sigintStatus             map[string]int
	sigintResults            map[string]int
}

// start starts the case's command in a process group of its own and returns
// it running.
func (c *writeCase) start(t *testing.T, env []string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(pycBin, c.argv...)
	cmd.Dir = c.dir
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// runFull runs the command to its end, which must be a success, and
// returns how long it took.
func (c *writeCase) runFull(t *testing.T, env []string) time.Duration {
	t.Helper()
	t0 := time.Now()
	cmd, out := c.start(t, env)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("pyc %s: %v\n%s", strings.Join(c.argv, " "), err, out)
	}
	return time.Since(t0)
}

// trials runs the case: the reference run, n SIGKILL trials and nint
// SIGINT trials, checking after each.
func (c *writeCase) trials(t *testing.T, n, nint int, rng *rand.Rand) tally {
	token := fmt.Sprintf("PYC_INTERRUPT_TEST=%s-%d-%d", c.name, os.Getpid(), rng.Uint64())
	env := testEnv(token)
	tl := tally{outcomes: map[string]int{}, sigintStatus: map[string]int{}, sigintResults: map[string]int{}}

	// The reference run: the output, and the duration.
	c.prepare(t, false)
	d := c.runFull(t, env)
	c.record(t)
	c.complete(t)
	if tmp := tempFiles(t, c.dir); len(tmp) > 0 {
		t.Fatalf("an uninterrupted run left temporary files: %q", tmp)
	}
	awaitStrays(t, token)
	t.Logf("uninterrupted run: %v", d.Round(time.Millisecond))

	for i := 0; i < n && !t.Failed(); i++ {
		old := i%2 == 1
		var delay time.Duration
		switch i {
		case 0:
		case 1:
			delay = d
		default:
			delay = time.Duration(rng.Int64N(int64(d) + 1))
		}
		c.prepare(t, old)
		cmd, out := c.start(t, env)
		time.Sleep(delay)
		cmd.Process.Signal(syscall.SIGKILL)
		err := cmd.Wait()
		tl.trials++
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		switch {
		case ws.Signaled() && ws.Signal() == syscall.SIGKILL:
			tl.killed++
		case err == nil:
			tl.finished++ // it ended before the signal
		default:
			t.Fatalf("trial %d (kill after %v): %v\n%s", i, delay, err, out)
		}
		awaitStrays(t, token)
		for _, o := range c.inspect(t, old) {
			tl.outcomes[o]++
		}
		if t.Failed() {
			t.Logf("trial %d: killed after %v (old output planted: %v)", i, delay, old)
			break
		}
		left := tempFiles(t, c.dir)
		tl.tempsLeft += len(left)
		if len(left) > 0 {
			tl.trialsTemps++
		}
		// The rerun, with the killed run's temporary files still there.
		c.runFull(t, env)
		awaitStrays(t, token)
		c.complete(t)
		if after := tempFiles(t, c.dir); len(after) != len(left) {
			t.Errorf("trial %d: the rerun left temporary files: before %q, after %q", i, left, after)
		}
	}

	// Ctrl-C mid-run: SIGINT to the process group, between a tenth and
	// half of the reference run's time. A run that ended before the
	// signal (it can be faster than the reference) is tried again with
	// half the delay, five times at most.
	for i := 0; i < nint && !t.Failed(); i++ {
		old := i%2 == 0
		delay := d/10 + time.Duration(rng.Int64N(int64(d*4/10)+1))
		var cmd *exec.Cmd
		var out *bytes.Buffer
		var err error
		for try := 0; ; try++ {
			c.prepare(t, old)
			cmd, out = c.start(t, env)
			time.Sleep(delay)
			syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
			err = cmd.Wait()
			awaitStrays(t, token)
			if err != nil || try == 5 {
				break
			}
			tl.sigintEarly++
			delay /= 2
		}
		tl.sigint++
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		status := fmt.Sprintf("exit %d", ws.ExitStatus())
		if ws.Signaled() {
			status = "killed by " + ws.Signal().String()
		}
		tl.sigintStatus[status]++
		if err == nil {
			t.Errorf("SIGINT after %v: pyc %s exited 0 (six times)\n%s", delay, c.argv[0], out)
		}
		for _, o := range c.inspect(t, old) {
			tl.sigintResults[o]++
		}
		if tmp := tempFiles(t, c.dir); len(tmp) > 0 {
			t.Errorf("SIGINT after %v left temporary files: %q\n%s", delay, tmp, out)
		}
	}
	return tl
}

// row returns the figures as a row of bench/interrupt.md's table.
func (tl tally) row(name string) string {
	o, r := tl.outcomes, tl.sigintResults
	return fmt.Sprintf("| %s | %d | %d | %d / %d / %d / %d | %d (%d trials) | %d | %d / %d / %d / %d |",
		name, tl.trials, tl.killed, o["absent"]+o["gone"], o["old"]+o["present"], o["new"], o["partial"],
		tl.tempsLeft, tl.trialsTemps, tl.sigint, r["absent"]+r["gone"], r["old"]+r["present"], r["new"], r["partial"])
}

// String returns the figures in words.
func (tl tally) String() string {
	keys := func(m map[string]int) string {
		var ks []string
		for k, v := range m {
			ks = append(ks, fmt.Sprintf("%s %d", k, v))
		}
		sort.Strings(ks)
		return strings.Join(ks, ", ")
	}
	return fmt.Sprintf("%d SIGKILL trials (%d killed, %d ended first): %s; temporary files left: %d in %d trials | %d SIGINT trials (%d runs ended first, tried again): %s; outputs: %s",
		tl.trials, tl.killed, tl.finished, keys(tl.outcomes), tl.tempsLeft, tl.trialsTemps,
		tl.sigint, tl.sigintEarly, keys(tl.sigintStatus), keys(tl.sigintResults))
}

// TestInterrupt kills each writing command at random moments and checks
// that nothing is lost: see the comment at the top of this file.
func TestInterrupt(t *testing.T) {
	n, nint := *interruptN, *interruptSigint
	cases := []struct {
		name string
		make func(t *testing.T) *writeCase
	}{
		{"asm", asmCase},
		{"header", func(t *testing.T) *writeCase { return headerCase(t, false) }},
		{"header-in-place", func(t *testing.T) *writeCase { return headerCase(t, true) }},
		{"compile", compileCase},
		{"bundle", bundleCase},
		{"scan-prune", scanCase},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.make(t)
			// Each case its own stream of delays, so that -run picks
			// the same delays for it as the whole test does.
			h := fnv.New64a()
			h.Write([]byte(tc.name))
			rng := rand.New(rand.NewPCG(*interruptSeed, h.Sum64()))
			tl := c.trials(t, n, nint, rng)
			t.Logf("%s: %v", tc.name, tl)
			t.Logf("figures: %s", tl.row(tc.name))
			if tl.outcomes["partial"] > 0 || tl.sigintResults["partial"] > 0 {
				t.Errorf("partial outputs")
			}
		})
	}
}

// bigPyc returns a 3.12 pyc of size bytes or so: a module whose one
// constant is a bytes object.
func bigPyc(t *testing.T, size int) []byte {
	t.Helper()
	v, err := pyc.ParseVersion("3.12")
	if err != nil {
		t.Fatal(err)
	}
	c, err := build.New(v)
	if err != nil {
		t.Fatal(err)
	}
	c.Filename = build.NewStr("big.py")
	c.Op("RESUME", 0)
	c.Line(1)
	line := "pyc interrupt test data "
	c.Op("LOAD_CONST", []byte(strings.Repeat(line, size/len(line))))
	c.Op("POP_TOP")
	c.Op("RETURN_CONST", nil)
	f, err := c.File()
	if err != nil {
		t.Fatal(err)
	}
	data, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// fileCase is a command with one input file and one output file.
func fileCase(t *testing.T, name, dir, in, out string, input, old []byte, argv []string) *writeCase {
	var want []byte
	var plantedIno uint64
	inPlace := in == out
	c := &writeCase{name: name, dir: dir, argv: argv}
	c.prepare = func(t *testing.T, planted bool) {
		removeTemps(t, dir)
		if !inPlace {
			os.Remove(out)
			if planted {
				if err := os.WriteFile(out, old, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := os.WriteFile(in, input, 0o644); err != nil {
			t.Fatal(err)
		}
		plantedIno = inode(out)
	}
	c.record = func(t *testing.T) {
		want = readOrNil(t, out)
		if want == nil {
			t.Fatalf("the uninterrupted run wrote no %s", out)
		}
	}
	c.inspect = func(t *testing.T, planted bool) []string {
		var prev []byte
		if planted {
			prev = old
		}
		if inPlace {
			prev = input
		}
		got := classify(readOrNil(t, out), prev, want)
		if got == "partial" || inPlace && got == "absent" {
			t.Errorf("%s is %s (%d bytes; old %d, new %d)", out, got, len(readOrNil(t, out)), len(prev), len(want))
		}
		if got == "new" && rewritten(out, plantedIno) {
			inPlaceError(t, []string{out})
		}
		if got != "old" {
			plantedIno = 0
		}
		if !inPlace && !bytes.Equal(readOrNil(t, in), input) {
			t.Errorf("the input %s changed", in)
		}
		others(t, dir, in, out)
		return []string{got}
	}
	c.complete = func(t *testing.T) {
		if got := readOrNil(t, out); !bytes.Equal(got, want) {
			t.Errorf("after an uninterrupted run %s has %d bytes, want the reference's %d", out, len(got), len(want))
		}
		if rewritten(out, plantedIno) {
			inPlaceError(t, []string{out})
		}
		if !inPlace && !bytes.Equal(readOrNil(t, in), input) {
			t.Errorf("the input %s changed", in)
		}
	}
	return c
}

// others fails the test when dir holds files other than the given ones
// and temporary files.
func others(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		p := filepath.Join(dir, e.Name())
		found := isTemp(e.Name())
		for _, n := range names {
			found = found || n == p
		}
		if !found {
			t.Errorf("unexpected file %s", p)
		}
	}
}

// asmCase: pyc asm of the text of a 4 MB pyc.
func asmCase(t *testing.T) *writeCase {
	dir := t.TempDir()
	var text bytes.Buffer
	f, err := pyc.Parse(bigPyc(t, 4<<20), pyc.ParseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := asm.Print(&text, f); err != nil {
		t.Fatal(err)
	}
	in, out := filepath.Join(dir, "big.pyasm"), filepath.Join(dir, "big.pyc")
	old := bigPyc(t, 1<<20)
	return fileCase(t, "asm", dir, in, out, text.Bytes(), old, []string{"asm", in, "-o", out})
}

// headerCase: pyc header on a 16 MB pyc, to another file or in place.
func headerCase(t *testing.T, inPlace bool) *writeCase {
	dir := t.TempDir()
	in := filepath.Join(dir, "big.pyc")
	out := filepath.Join(dir, "new.pyc")
	argv := []string{"header", "--mtime", "1700000000", "--source-size", "4242"}
	name := "header"
	if inPlace {
		out = in
		argv = append(argv, "--in-place", in)
		name = "header-in-place"
	} else {
		argv = append(argv, "-o", out, in)
	}
	return fileCase(t, name, dir, in, out, bigPyc(t, 16<<20), bigPyc(t, 1<<20), argv)
}

// python3 returns the newest Python 3 interpreter, or skips the test.
func python3(t *testing.T) pytest.Interpreter {
	t.Helper()
	ins := pytest.RequireInterpreters(t)
	in := ins[len(ins)-1]
	if in.Major() < 3 {
		t.Skip("no Python 3 interpreter under pyenv: test skipped")
	}
	return in
}

// slicePackages are the packages of the standard library that stdlibSlice
// copies by default: about a hundred modules.
var slicePackages = []string{"json", "email", "http", "xml", "importlib", "concurrent", "logging"}

// stdlibSlice copies packages of in's standard library (their .py files)
// under dst, adds big generated modules of 3 MB each (so that some writes
// take a while), and returns the number of .py files.
func stdlibSlice(t *testing.T, in pytest.Interpreter, dst string, pkgs []string, big int) int {
	t.Helper()
	lib := filepath.Join(in.Prefix, "lib", "python"+in.Version)
	n := 0
	for _, pkg := range pkgs {
		root := filepath.Join(lib, pkg)
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && d.Name() == "__pycache__" {
				return fs.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(p, ".py") {
				return nil
			}
			rel, _ := filepath.Rel(lib, p)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			q := filepath.Join(dst, rel)
			os.MkdirAll(filepath.Dir(q), 0o755)
			if err := os.WriteFile(q, data, 0o644); err != nil {
				t.Fatal(err)
			}
			n++
			return nil
		})
	}
	if n < 20 {
		t.Skipf("only %d .py files found under %s: test skipped", n, lib)
	}
	var b strings.Builder
	line := strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789", 5)
	for i := 0; i < big; i++ {
		b.Reset()
		fmt.Fprintf(&b, "\"\"\"Generated data module %d.\"\"\"\nDATA = (\n", i)
		for b.Len() < 3<<20 {
			fmt.Fprintf(&b, "    b'%s'\n", line)
		}
		b.WriteString(")\n")
		if err := os.WriteFile(filepath.Join(dst, fmt.Sprintf("bigdata%d.py", i)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		n++
	}
	// Every source with one fixed mtime, so that timestamp pycs do not
	// depend on when the test ran.
	when := time.Unix(1700000000, 0)
	filepath.WalkDir(dst, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chtimes(p, when, when)
		}
		return nil
	})
	return n
}

// isPycacheFile reports whether rel is in a __pycache__ directory.
func isPycacheFile(rel string) bool {
	return filepath.Base(filepath.Dir(rel)) == "__pycache__"
}

// compileCase: pyc compile --deterministic of a slice of the standard
// library; the older outputs are the reference pycs with another source
// mtime in their headers (as left by an older version of the sources),
// which the run replaces.
func compileCase(t *testing.T) *writeCase {
	in := python3(t)
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	nsrc := stdlibSlice(t, in, tree, slicePackages, 2)
	sources := snapshot(t, tree, nil)
	argv := []string{"compile", "-q", "--deterministic", "-j", "2", "--python", in.Path, "tree"}
	t.Logf("%d sources", nsrc)
	mtimeAt := 8 // the header's mtime field
	if in.Minor() < 7 {
		mtimeAt = 4
	}

	var want, old map[string][]byte
	plantedIno := map[string]uint64{}
	clear := func(t *testing.T) {
		filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() && d.Name() == "__pycache__" {
				if err := os.RemoveAll(p); err != nil {
					t.Fatal(err)
				}
				return fs.SkipDir
			}
			return err
		})
	}
	c := &writeCase{name: "compile", dir: dir, argv: argv}
	c.prepare = func(t *testing.T, planted bool) {
		clear(t)
		plantedIno = map[string]uint64{}
		if planted {
			for rel, data := range old {
				p := filepath.Join(tree, rel)
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, data, 0o644); err != nil {
					t.Fatal(err)
				}
				plantedIno[rel] = inode(p)
			}
		}
	}
	c.record = func(t *testing.T) {
		want = map[string][]byte{}
		for rel := range snapshot(t, tree, isPycacheFile) {
			want[rel] = readOrNil(t, filepath.Join(tree, rel))
		}
		if len(want) != nsrc {
			t.Fatalf("%d pycs for %d sources", len(want), nsrc)
		}
		old = map[string][]byte{}
		for rel, w := range want {
			o := append([]byte(nil), w...)
			o[mtimeAt] ^= 0x55
			old[rel] = o
		}
	}
	c.inspect = func(t *testing.T, planted bool) []string {
		var outs, inPlace []string
		for rel, w := range want {
			var prev []byte
			if planted {
				prev = old[rel]
			}
			got := classify(readOrNil(t, filepath.Join(tree, rel)), prev, w)
			if got == "partial" {
				t.Errorf("%s is partial", rel)
			}
			if got == "new" && rewritten(filepath.Join(tree, rel), plantedIno[rel]) {
				inPlace = append(inPlace, rel)
			}
			if got != "old" {
				delete(plantedIno, rel)
			}
			outs = append(outs, got)
		}
		inPlaceError(t, inPlace)
		// Nothing else: the sources as they were, the pycs, temporary
		// files.
		have := snapshot(t, tree, func(rel string) bool {
			return !isTemp(filepath.Base(rel)) && want[rel] == nil
		})
		if d := diffSnapshots(have, sources); d != "" {
			t.Errorf("sources: %s", d)
		}
		return outs
	}
	c.complete = func(t *testing.T) {
		have := snapshot(t, tree, func(rel string) bool { return isPycacheFile(rel) && !isTemp(filepath.Base(rel)) })
		if len(have) != len(want) {
			t.Errorf("%d pycs after an uninterrupted run, want %d", len(have), len(want))
		}
		var inPlace []string
		for rel, w := range want {
			if got := readOrNil(t, filepath.Join(tree, rel)); !bytes.Equal(got, w) {
				t.Errorf("after an uninterrupted run, %s has %d bytes, not the reference's %d", rel, len(got), len(w))
			}
			if rewritten(filepath.Join(tree, rel), plantedIno[rel]) {
				inPlace = append(inPlace, rel)
			}
		}
		inPlaceError(t, inPlace)
	}
	return c
}

// bundleCase: pyc bundle of a slice of the standard library into a zip
// outside the tree; the older output is a small zip of another content.
func bundleCase(t *testing.T) *writeCase {
	in := python3(t)
	dir := t.TempDir()
	tree, outDir := filepath.Join(dir, "tree"), filepath.Join(dir, "dist")
	// A smaller tree: the zip is written all along, no need for big
	// modules or many files to be hit mid-way.
	stdlibSlice(t, in, tree, []string{"json", "email", "http"}, 0)
	if err := os.Mkdir(outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	sources := snapshot(t, tree, nil)
	out := filepath.Join(outDir, "app.zip")
	var oldZip bytes.Buffer
	zw := zip.NewWriter(&oldZip)
	w, _ := zw.Create("__main__.py")
	w.Write([]byte("print('the old bundle')\n"))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	old := oldZip.Bytes()
	var want []byte
	var plantedIno uint64

	c := &writeCase{name: "bundle", dir: dir,
		argv: []string{"bundle", "-q", "-j", "2", "--python", in.Path, "--main", "json.tool", "tree", "-o", out}}
	c.prepare = func(t *testing.T, planted bool) {
		removeTemps(t, dir)
		os.Remove(out)
		if planted {
			if err := os.WriteFile(out, old, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		plantedIno = inode(out)
	}
	c.record = func(t *testing.T) {
		want = readOrNil(t, out)
		zr, err := zip.NewReader(bytes.NewReader(want), int64(len(want)))
		if err != nil {
			t.Fatalf("the uninterrupted run's zip: %v", err)
		}
		if len(zr.File) < len(sources) {
			t.Fatalf("the zip has %d entries for %d sources", len(zr.File), len(sources))
		}
	}
	check := func(t *testing.T) {
		if d := diffSnapshots(snapshot(t, tree, nil), sources); d != "" {
			t.Errorf("the input tree: %s", d)
		}
		others(t, outDir, out)
	}
	c.inspect = func(t *testing.T, planted bool) []string {
		var prev []byte
		if planted {
			prev = old
		}
		got := classify(readOrNil(t, out), prev, want)
		if got == "partial" {
			t.Errorf("%s is partial (%d bytes)", out, len(readOrNil(t, out)))
		}
		if got == "new" && rewritten(out, plantedIno) {
			inPlaceError(t, []string{out})
		}
		if got != "old" {
			plantedIno = 0
		}
		check(t)
		return []string{got}
	}
	c.complete = func(t *testing.T) {
		if !bytes.Equal(readOrNil(t, out), want) {
			t.Errorf("after an uninterrupted run %s differs from the reference", out)
		}
		if rewritten(out, plantedIno) {
			inPlaceError(t, []string{out})
		}
		check(t)
	}
	return c
}

// scanCase: pyc scan --prune --yes over a compiled slice of the standard
// library with a few hundred orphan, stale and corrupt pycs among the
// fresh ones.
func scanCase(t *testing.T) *writeCase {
	in := python3(t)
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	stdlibSlice(t, in, tree, slicePackages, 0)
	cmd := exec.Command(pycBin, "compile", "-q", "--deterministic", "-j", "2", "--python", in.Path, "tree")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	pycs := snapshot(t, tree, isPycacheFile)
	var names []string
	for rel := range pycs {
		names = append(names, rel)
	}
	sort.Strings(names)
	var prunable []string
	for i, rel := range names {
		p := filepath.Join(tree, rel)
		data := readOrNil(t, p)
		d, base := filepath.Split(p)
		for k := 0; k < 3; k++ {
			orphan := filepath.Join(d, fmt.Sprintf("gone%d_%s", k, base))
			if err := os.WriteFile(orphan, data, 0o644); err != nil {
				t.Fatal(err)
			}
			prunable = append(prunable, orphan)
		}
		switch i % 3 {
		case 0: // stale: another source mtime in the header
			data = append([]byte(nil), data...)
			data[8] ^= 0x55
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			prunable = append(prunable, p)
		case 1: // corrupt: truncated
			if err := os.WriteFile(p, data[:len(data)/2], 0o644); err != nil {
				t.Fatal(err)
			}
			prunable = append(prunable, p)
		}
	}
	sort.Strings(prunable)
	tag := "cpython-" + strings.ReplaceAll(in.Version, ".", "")
	argv := []string{"scan", "--installed", tag, "--prune", "--yes", "tree"}

	// What a dry run lists must be what was made prunable.
	cmd = exec.Command(pycBin, "scan", "--installed", tag, "--json", "--prune", "tree")
	cmd.Dir = dir
	js, err := cmd.Output()
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	var rep struct {
		Prune struct {
			Removed []struct{ Path string }
		}
	}
	if err := json.Unmarshal(js, &rep); err != nil {
		t.Fatal(err)
	}
	var listed []string
	for _, r := range rep.Prune.Removed {
		listed = append(listed, filepath.Join(dir, r.Path))
	}
	sort.Strings(listed)
	if strings.Join(listed, "\n") != strings.Join(prunable, "\n") {
		t.Fatalf("the dry run lists %d pycs, %d were made prunable", len(listed), len(prunable))
	}
	t.Logf("%d pycs, %d to prune", len(pycs)+3*len(pycs), len(prunable))

	all := snapshot(t, tree, nil)
	content := map[string][]byte{}
	isPrunable := map[string]bool{}
	for _, p := range prunable {
		rel, _ := filepath.Rel(tree, p)
		content[rel] = readOrNil(t, p)
		isPrunable[rel] = true
	}
	kept := map[string]fileState{}
	for rel, st := range all {
		if !isPrunable[rel] {
			kept[rel] = st
		}
	}
	c := &writeCase{name: "scan-prune", dir: dir, argv: argv}
	c.prepare = func(t *testing.T, _ bool) {
		for rel, data := range content {
			p := filepath.Join(tree, rel)
			if _, err := os.Stat(p); err != nil {
				if err := os.WriteFile(p, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	c.record = func(t *testing.T) {}
	c.inspect = func(t *testing.T, _ bool) []string {
		have := snapshot(t, tree, nil)
		outs := make([]string, 0, len(prunable))
		for rel := range isPrunable {
			h, ok := have[rel]
			switch {
			case !ok:
				outs = append(outs, "gone")
			case h.sum != all[rel].sum:
				t.Errorf("%s: changed", rel)
				outs = append(outs, "partial")
			default:
				outs = append(outs, "present")
			}
			delete(have, rel)
		}
		if d := diffSnapshots(have, kept); d != "" {
			t.Errorf("other files: %s", d)
		}
		return outs
	}
	c.complete = func(t *testing.T) {
		if d := diffSnapshots(snapshot(t, tree, nil), kept); d != "" {
			t.Errorf("after an uninterrupted run: %s", d)
		}
	}
	return c
}

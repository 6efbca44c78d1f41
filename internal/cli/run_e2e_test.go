package cli_test

// End-to-end tests of pyc run, pyc interpreters and warm servers: the pyc
// binary is built once and run as a user would, against the installed
// interpreters (tests skip where they are absent). Every comparison is
// with the interpreter running the same pyc itself.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/warm"
)

var (
	pycBin     string // the pyc binary under test
	runtimeDir string // $XDG_RUNTIME_DIR of the tests: their warm servers live there
	cacheDir   string // $XDG_CACHE_HOME of the tests
	emptyPath  string // a $PATH without interpreters: discovery must use pyenv's
)

func TestMain(m *testing.M) {
	code, err := testMain(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(code)
}

func testMain(m *testing.M) (int, error) {
	if os.Getenv("PYC_TEST_CATCH_HELPER") != "" {
		return m.Run(), nil // a helper process of TestCatchInterrupts: no binary needed
	}
	dir, err := os.MkdirTemp("", "pyc-e2e-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	pycBin = filepath.Join(dir, "pyc")
	build := exec.Command("go", "build", "-o", pycBin, "github.com/pyc-tools/pyc/cmd/pyc")
	if out, err := build.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("building pyc: %v\n%s", err, out)
	}
	runtimeDir = filepath.Join(dir, "run")
	cacheDir = filepath.Join(dir, "cache")
	emptyPath = filepath.Join(dir, "bin")
	for _, d := range []string{runtimeDir, cacheDir, emptyPath} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return 0, err
		}
	}
	code := m.Run()
	if _, err := os.Stat(filepath.Join(runtimeDir, "pyc")); err == nil {
		if _, err := warm.StopAll(filepath.Join(runtimeDir, "pyc")); err != nil {
			fmt.Fprintln(os.Stderr, "stopping the tests' warm servers:", err)
		}
	}
	return code, nil
}

// testEnv is the environment of every run, direct or through pyc.
func testEnv(extra ...string) []string {
	env := []string{
		"PATH=" + emptyPath,
		"HOME=" + os.Getenv("HOME"),
		"PYENV_ROOT=" + pytest.PyenvRoot(),
		"XDG_RUNTIME_DIR=" + runtimeDir,
		"XDG_CACHE_HOME=" + cacheDir,
		"LANG=C.UTF-8",
		"PYTHONDONTWRITEBYTECODE=1",
		"PYC_TEST_VAR=hello from the environment",
	}
	return append(env, extra...)
}

type result struct {
	stdout, stderr string
	code           int
	signal         syscall.Signal
}

func (r result) String() string {
	s := fmt.Sprintf("exit %d", r.code)
	if r.signal != 0 {
		s = "killed by " + r.signal.String()
	}
	return fmt.Sprintf("%s\n--- stdout\n%s--- stderr\n%s", s, r.stdout, r.stderr)
}

func run(t *testing.T, dir string, env []string, stdin string, argv ...string) result {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		ws := ee.Sys().(syscall.WaitStatus)
		if ws.Signaled() {
			r.signal = ws.Signal()
		} else {
			r.code = ws.ExitStatus()
		}
	default:
		t.Fatalf("%v: %v", argv, err)
	}
	return r
}

// compile writes testdata/run/NAME.py, compiled by in, to dir/NAME.pyc.
func compile(t *testing.T, in pytest.Interpreter, dir, name string) string {
	t.Helper()
	src, err := filepath.Abs(filepath.Join("testdata", "run", name+".py"))
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, name+".pyc")
	if _, err := os.Stat(dst); err == nil {
		return dst
	}
	cmd := exec.Command(in.Path, "-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)", src, dst)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("compiling %s with %s: %v\n%s", name, in.Version, err, out)
	}
	return dst
}

func atLeast(in pytest.Interpreter, major, minor int) bool {
	return in.Major() > major || in.Major() == major && in.Minor() >= minor
}

// modes are the ways pyc run can run a program, with the first version
// that has each.
type mode struct {
	name  string
	flags func(dir string) []string
	since [2]int
}

var modes = []mode{
	{"cold", func(string) []string { return nil }, [2]int{2, 7}},
	{"warm", func(string) []string { return []string{"--warm", "--idle-timeout", "2m"} }, [2]int{3, 6}},
	{"audit", func(d string) []string { return []string{"--audit-log", filepath.Join(d, "audit.jsonl")} }, [2]int{3, 8}},
	{"audit-warm", func(d string) []string {
		return []string{"--warm", "--idle-timeout", "2m", "--audit-log", filepath.Join(d, "audit.jsonl")}
	}, [2]int{3, 8}},
}

// TestRunLikeDirect runs programs with every installed interpreter, in
// every mode pyc run has for it, and compares standard output, standard
// error and exit status with the interpreter running the pyc itself.
func TestRunLikeDirect(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	cases := []struct {
		prog  string
		args  []string
		stdin string
	}{
		{"argv", []string{"3", "two words", "--flag"}, "input line\n"},
		{"argv", nil, ""},
		{"raise", nil, ""},
		{"exitmsg", nil, ""},
	}
	if testing.Short() && len(ins) > 2 {
		ins = []pytest.Interpreter{ins[0], ins[len(ins)-1]}
	}
	for _, in := range ins {
		t.Run(in.Version, func(t *testing.T) {
			dir := t.TempDir()
			for _, c := range cases {
				pycPath := compile(t, in, dir, c.prog)
				rel := filepath.Base(pycPath)
				direct := run(t, dir, testEnv(), c.stdin, append([]string{in.Path, rel}, c.args...)...)
				for _, m := range modes {
					if !atLeast(in, m.since[0], m.since[1]) {
						continue
					}
					argv := append([]string{pycBin, "run"}, m.flags(dir)...)
					argv = append(append(argv, rel), c.args...)
					got := run(t, dir, testEnv(), c.stdin, argv...)
					if got.String() != direct.String() {
						t.Errorf("%s %s %q:\nhave (pyc run)\n%v\nwant (%s directly)\n%v", m.name, c.prog, c.args, got, in.Version, direct)
					}
				}
			}
		})
	}
}

// newest returns the newest installed interpreter of at least major.minor.
func newest(t *testing.T, major, minor int) pytest.Interpreter {
	t.Helper()
	ins := pytest.RequireInterpreters(t)
	in := ins[len(ins)-1]
	if !atLeast(in, major, minor) {
		t.Skipf("no interpreter of Python %d.%d or later: test skipped", major, minor)
	}
	return in
}

// TestRunBrokenPipe runs a program whose final flush fails: standard
// output is a pipe nobody reads.
func TestRunBrokenPipe(t *testing.T) {
	for _, in := range pytest.RequireInterpreters(t) {
		if !atLeast(in, 3, 6) {
			continue
		}
		dir := t.TempDir()
		p := compile(t, in, dir, "flushfail")
		var results []string
		for _, argv := range [][]string{{in.Path, p}, {pycBin, "run", p}, {pycBin, "run", "--warm", p}} {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Env = testEnv()
			cmd.Stdout = w
			var errb bytes.Buffer
			cmd.Stderr = &errb
			cmd.Run()
			w.Close()
			results = append(results, fmt.Sprintf("exit %d, stderr %q", cmd.ProcessState.ExitCode(), errb.String()))
		}
		for i, name := range []string{"pyc run", "pyc run --warm"} {
			if results[i+1] != results[0] {
				t.Errorf("%s %s: have %s, want (directly) %s", in.Version, name, results[i+1], results[0])
			}
		}
	}
}

// TestRunDiscovery checks that pyc interpreters lists every installed
// version and that pyc run picks the one of the file's version.
func TestRunDiscovery(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	r := run(t, ".", testEnv(), "", pycBin, "interpreters", "--json")
	if r.code != 0 {
		t.Fatalf("pyc interpreters: %v", r)
	}
	var list []struct {
		Path, Implementation, Version string
		Major, Minor                  int
		Magic                         int
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatalf("pyc interpreters --json: %v\n%s", err, r.stdout)
	}
	for _, in := range ins {
		found := false
		for _, l := range list {
			if l.Path == in.Path && fmt.Sprintf("%d.%d", l.Major, l.Minor) == in.Version && l.Implementation == "CPython" {
				found = true
			}
		}
		if !found {
			t.Errorf("pyc interpreters does not list %s (%s):\n%s", in.Version, in.Path, r.stdout)
		}
	}
	in := newest(t, 3, 10)
	dir := t.TempDir()
	p := compile(t, in, dir, "argv")
	r = run(t, dir, testEnv(), "", pycBin, "run", p)
	if want := fmt.Sprintf("orig_argv=['%s', '%s']\n", in.Path, p); !strings.Contains(r.stdout, want) {
		t.Errorf("pyc run did not use %s: have\n%v\nwant %s", in.Path, r, want)
	}
}

// TestRunNoInterpreter gives pyc run a pyc of a version nobody has.
func TestRunNoInterpreter(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "old.pyc")
	// Python 1.5's magic, a timestamp and a marshalled None.
	if err := os.WriteFile(p, []byte{0x99, 0x4e, 0x0d, 0x0a, 0, 0, 0, 0, 'N'}, 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, testEnv(), "", pycBin, "run", p)
	if r.code != 1 || !strings.Contains(r.stderr, "no CPython 1.5 interpreter found") ||
		!strings.Contains(r.stderr, "--python PATH") {
		t.Errorf("have\n%v\nwant exit 1 and a message naming the version and --python", r)
	}
	if ins := pytest.Interpreters(); len(ins) > 0 && !strings.Contains(r.stderr, ins[0].Path) {
		t.Errorf("the message does not list the interpreters found:\n%s", r.stderr)
	}
}

// TestRunBundle runs a zip bundle whose __main__ is a pyc.
func TestRunBundle(t *testing.T) {
	in := newest(t, 3, 6)
	dir := t.TempDir()
	p := compile(t, in, dir, "argv")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("__main__.pyc")
	w.Write(data)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app.zip"), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	direct := run(t, dir, testEnv(), "in", in.Path, "app.zip", "5", "x")
	for _, m := range modes[:2] {
		argv := append(append([]string{pycBin, "run"}, m.flags(dir)...), "app.zip", "5", "x")
		if got := run(t, dir, testEnv(), "in", argv...); got.String() != direct.String() {
			t.Errorf("%s: have\n%v\nwant\n%v", m.name, got, direct)
		}
	}
}

// TestRunDenyNet stops a program that opens a socket.
func TestRunDenyNet(t *testing.T) {
	for _, in := range pytest.RequireInterpreters(t) {
		if !atLeast(in, 3, 8) {
			continue
		}
		t.Run(in.Version, func(t *testing.T) {
			dir := t.TempDir()
			p := compile(t, in, dir, "net")
			allowed := run(t, dir, testEnv(), "", pycBin, "run", p)
			if allowed.code != 0 || !strings.Contains(allowed.stdout, "after") {
				t.Fatalf("without --deny: %v", allowed)
			}
			for _, warmFlag := range [][]string{nil, {"--warm"}} {
				argv := append(append([]string{pycBin, "run", "--deny", "net"}, warmFlag...), p)
				r := run(t, dir, testEnv(), "", argv...)
				if r.code == 0 || r.signal != 0 || !strings.Contains(r.stdout, "before") || strings.Contains(r.stdout, "after") ||
					!strings.Contains(r.stderr, "pyc.AuditDenied: audit event 'socket.__new__' denied by pyc run --deny net") ||
					!strings.Contains(r.stderr, "pyc run: denied audit events: socket.__new__") {
					t.Errorf("pyc run --deny net %v: have\n%v\nwant a non-zero exit, the program stopped at the socket and a message naming the event", warmFlag, r)
				}
			}
		})
	}
}

// TestRunAuditLog compares the audit log with what a hook the program
// installs itself records: from the program's sys.addaudithook on, the
// same events in the same order.
func TestRunAuditLog(t *testing.T) {
	for _, in := range pytest.RequireInterpreters(t) {
		if !atLeast(in, 3, 8) {
			continue
		}
		t.Run(in.Version, func(t *testing.T) {
			dir := t.TempDir()
			p := compile(t, in, dir, "hooked")
			for _, warmFlag := range [][]string{nil, {"--warm"}} {
				logf := filepath.Join(dir, "log.jsonl")
				argv := append(append([]string{pycBin, "run", "--audit-log", logf}, warmFlag...), p)
				r := run(t, dir, testEnv(), "", argv...)
				if r.code != 0 {
					t.Fatalf("%v: %v", argv, r)
				}
				var want [][2]json.RawMessage
				for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
					var rec [2]json.RawMessage
					if err := json.Unmarshal([]byte(l), &rec); err != nil {
						t.Fatalf("program output %q: %v", l, err)
					}
					want = append(want, rec)
				}
				data, err := os.ReadFile(logf)
				if err != nil {
					t.Fatal(err)
				}
				var have []struct {
					Event string
					Args  []json.RawMessage
				}
				for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
					var e struct {
						Event string
						Args  []json.RawMessage
					}
					if err := json.Unmarshal([]byte(l), &e); err != nil {
						t.Fatalf("audit log line %q: %v", l, err)
					}
					have = append(have, e)
				}
				start := -1
				for i, e := range have {
					if e.Event == "sys.addaudithook" {
						start = i + 1
						break
					}
				}
				if start < 0 || len(have)-start < len(want) {
					t.Fatalf("%v: the log has %d events, %d after sys.addaudithook; the program saw %d", warmFlag, len(have), len(have)-start, len(want))
				}
				for i, w := range want {
					h := have[start+i]
					var ev string
					json.Unmarshal(w[0], &ev)
					var args []json.RawMessage
					json.Unmarshal(w[1], &args)
					if h.Event != ev || len(h.Args) != len(args) {
						t.Fatalf("%v: event %d after sys.addaudithook: have %s %s, want %s %s", warmFlag, i, h.Event, h.Args, ev, args)
					}
					for j, a := range args {
						if string(a) != "null" && string(a) != string(h.Args[j]) {
							t.Errorf("%v: event %d (%s) argument %d: have %s, want %s", warmFlag, i, ev, j, h.Args[j], a)
						}
					}
				}
			}
		})
	}
}

// TestWarmConcurrent runs 32 warm runs at once.
func TestWarmConcurrent(t *testing.T) {
	in := newest(t, 3, 6)
	dir := t.TempDir()
	p := compile(t, in, dir, "argv")
	var wg sync.WaitGroup
	errs := make([]string, 32)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			code := fmt.Sprint(i % 7)
			r := run(t, dir, testEnv(), fmt.Sprintf("stdin %d", i), pycBin, "run", "--warm", p, code, fmt.Sprint(i))
			wantArgv := fmt.Sprintf("argv=['%s', '%s', '%d']\n", p, code, i)
			wantIn := fmt.Sprintf("stdin='stdin %d'\n", i)
			if r.code != i%7 || !strings.Contains(r.stdout, wantArgv) || !strings.Contains(r.stdout, wantIn) || r.stderr != "to stderr\n" {
				errs[i] = fmt.Sprintf("run %d: have\n%v\nwant exit %d, %s%s", i, r, i%7, wantArgv, wantIn)
			}
		}(i)
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Error(e)
		}
	}
}

// startClient starts pyc run --warm sleep.pyc and waits until the program
// says it started; it returns the program's pid.
func startClient(t *testing.T, dir string, argv ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer, int) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = testEnv()
	pr, pw := io.Pipe()
	var out, errb bytes.Buffer
	cmd.Stdout = io.MultiWriter(&out, pw)
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(pr).ReadString('\n')
		line <- l
		io.Copy(io.Discard, pr)
	}()
	select {
	case l := <-line:
		var pid int
		if _, err := fmt.Sscanf(l, "started %d", &pid); err != nil {
			t.Fatalf("unexpected first line %q (stderr %q)", l, errb.String())
		}
		return cmd, &out, &errb, pid
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the program did not start: %s", errb.String())
	}
	return nil, nil, nil, 0
}

// serverPid returns the pid of the server that runs the program pid: its
// parent (a spare that took the run is the server's child too).
func serverPid(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	var ppid int
	fmt.Sscan(strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))[1], &ppid)
	return ppid
}

// TestWarmServerKilled kills the server while a program runs: the program
// still reports its exit status; killing the program too makes the client
// say that the status is lost.
func TestWarmServerKilled(t *testing.T) {
	in := newest(t, 3, 6)
	dir := t.TempDir()
	p := compile(t, in, dir, "sleep")

	cmd, out, errb, pid := startClient(t, dir, pycBin, "run", "--warm", p, "2")
	if err := syscall.Kill(serverPid(t, pid), syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 7 || !strings.Contains(out.String(), "done") {
		t.Errorf("server killed: have exit %d (%v), stdout %q, stderr %q; want the program's own exit 7", code, err, out, errb)
	}

	cmd, out, errb, pid = startClient(t, dir, pycBin, "run", "--warm", p, "30")
	syscall.Kill(serverPid(t, pid), syscall.SIGKILL)
	syscall.Kill(pid, syscall.SIGKILL)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the client did not notice that the server and the program were killed")
	}
	if code := cmd.ProcessState.ExitCode(); code != 125 || !strings.Contains(errb.String(), "exit status is lost") {
		t.Errorf("server and program killed: have exit %d, stderr %q; want 125 and a message", code, errb)
	}
}

// TestWarmInterrupt sends SIGINT (Ctrl-C) to pyc run --warm: the program
// gets it, and the client ends as the program does, as the interpreter
// run directly would.
func TestWarmInterrupt(t *testing.T) {
	in := newest(t, 3, 8)
	dir := t.TempDir()
	p := compile(t, in, dir, "sleep")
	var results [2]string
	for i, argv := range [][]string{{in.Path, p, "30"}, {pycBin, "run", "--warm", p, "30"}} {
		cmd, out, errb, _ := startClient(t, dir, argv...)
		time.Sleep(200 * time.Millisecond)
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		tb := errb.String()
		if i := strings.LastIndex(tb, "\n  File"); i >= 0 {
			tb = tb[i:] // the innermost frame: time.sleep's line
		}
		stdout := out.String()
		if j := strings.IndexByte(stdout, '\n'); j >= 0 {
			stdout = stdout[j+1:] // after "started PID"
		}
		results[i] = fmt.Sprintf("signaled=%v signal=%v stdout=%q traceback end=%q", ws.Signaled(), ws.Signal(), stdout, tb)
	}
	if results[0] != results[1] {
		t.Errorf("SIGINT:\nhave (pyc run --warm) %s\nwant (directly)      %s", results[1], results[0])
	}
}

// TestWarmEnvironment runs a program through one warm server with
// environments other than the one the server started with (a variable
// more, one less, one changed, the order reversed) and compares what it
// sees with the interpreter run directly.
func TestWarmEnvironment(t *testing.T) {
	in := newest(t, 3, 6)
	dir := t.TempDir()
	p := filepath.Base(compile(t, in, dir, "env"))
	base := testEnv()
	var less, changed, reversed []string
	for _, kv := range base {
		if strings.HasPrefix(kv, "PYC_TEST_VAR=") {
			changed = append(changed, "PYC_TEST_VAR=changed")
			continue
		}
		less = append(less, kv)
		changed = append(changed, kv)
	}
	for i := len(base) - 1; i >= 0; i-- {
		reversed = append(reversed, base[i])
	}
	for _, env := range [][]string{base, testEnv("PYC_TEST_EXTRA=more"), less, changed, reversed, base} {
		direct := run(t, dir, env, "", in.Path, p)
		warm := run(t, dir, env, "", pycBin, "run", "--warm", "--idle-timeout", "2m", p)
		if warm.String() != direct.String() {
			t.Errorf("environment %q:\nhave (pyc run --warm)\n%v\nwant (directly)\n%v", env, warm, direct)
		}
	}
}

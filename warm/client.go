package warm

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pyc-tools/pyc/run"
)

// Status is how a program ended: an exit code, or the signal that killed
// it.
type Status struct {
	// Code is the exit code (0 to 255) when Signal is 0.
	Code int
	// Signal is the signal that killed the program, 0 if it exited.
	Signal syscall.Signal
}

// ExitCode returns the code a shell shows: Code, or 128 + the signal.
func (s Status) ExitCode() int {
	if s.Signal != 0 {
		return 128 + int(s.Signal)
	}
	return s.Code
}

// String returns "exit status N" or "killed by SIGNAL".
func (s Status) String() string {
	if s.Signal != 0 {
		return "killed by " + s.Signal.String()
	}
	return "exit status " + strconv.Itoa(s.Code)
}

// Raise ends the current process by the same signal, so that its parent
// sees what it would have seen of the program. It returns when the signal
// does not end the process (or for an exit status).
func (s Status) Raise() {
	if s.Signal == 0 {
		return
	}
	signal.Reset(s.Signal)
	syscall.Kill(os.Getpid(), s.Signal)
	time.Sleep(100 * time.Millisecond)
}

// StartError is a failure before the program started: nothing ran, so the
// caller may run it cold instead.
type StartError struct{ Err error }

// Error returns the cause's message.
func (e *StartError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *StartError) Unwrap() error { return e.Err }

// LostError is a server that went away after the request was sent and
// before the program's exit status came back: a program that was still
// running reports its status itself, so this means it was killed with
// the server, or never started. Either way its fate is unknown, and the
// run is not retried (it might run twice).
type LostError struct {
	// Socket is the server's socket.
	Socket string
}

// Error says that the status is lost, and which server it was.
func (e *LostError) Error() string {
	return fmt.Sprintf("the warm server (%s) went away during the run: the program's exit status is lost", e.Socket)
}

// Run is one program to run on a warm server.
type Run struct {
	Target *run.Target
	// Args are sys.argv[1:].
	Args []string
	// Opts are the interpreter options, guard and environment.
	Opts run.Options
	// Files are the descriptors the program gets, by number; nil passes
	// every descriptor of this process that a child would inherit
	// (0, 1, 2 and any other not close-on-exec).
	Files map[int]*os.File
	// Dir is the program's working directory ("" for ours).
	Dir string
	// Idle is how long a server started for this run waits for the next.
	Idle time.Duration
	// Signals forwards these signals to the program (Ctrl-C and the
	// like) while it runs, and resets them to their default action
	// afterwards; nil forwards ForwardedSignals, an empty slice none.
	Signals []os.Signal
	// Exiting says that the caller exits as soon as Execute returns: the
	// signals stay caught rather than reset (Go resets each with a round
	// trip to its signal thread), and Status.Raise resets the one it
	// raises.
	Exiting bool
}

// ForwardedSignals are the signals the client passes on to the program.
var ForwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH, syscall.SIGALRM, syscall.SIGTSTP, syscall.SIGCONT}

// maxFDs is how many descriptors one message may pass (SCM_MAX_FD is 253).
const maxFDs = 250

// Execute runs the program on the server (started if need be) and returns
// how it ended. Errors before the program started are *StartError; a
// server lost while it ran is *LostError.
func (s *Server) Execute(r *Run) (Status, error) {
	// The Go runtime enables each signal with a round trip to its signal
	// thread: 0.6 ms for the ten forwarded on a small virtual machine, a
	// tenth of a warm run. So they are
	// enabled while this goroutine builds the request, connects and the
	// program starts, not before. A signal that comes before its turn
	// takes its default action on this process: Ctrl-C, SIGTERM and the
	// like end it, the server then kills the program (which had run for
	// less than a millisecond), and the status is the signal's, much as
	// a signal during a cold interpreter's start-up would end it.
	sigs := r.Signals
	if sigs == nil {
		sigs = ForwardedSignals
	}
	var ch chan os.Signal
	var caught chan struct{}
	if len(sigs) > 0 {
		ch = make(chan os.Signal, 8)
		caught = make(chan struct{})
		go func() {
			signal.Notify(ch, sigs...)
			close(caught)
		}()
		if !r.Exiting {
			defer func() {
				<-caught
				signal.Reset(sigs...)
			}()
		}
	}
	payload, fds, closeFDs, err := s.request(r)
	defer closeFDs()
	if err != nil {
		return Status{}, &StartError{err}
	}
	idle := r.Idle
	if idle == 0 {
		idle = DefaultIdleTimeout
	}
	conn, err := s.Connect(idle)
	if err != nil {
		return Status{}, &StartError{err}
	}
	defer conn.Close()
	err = conn.sendFDs(payload, fds)
	closeFDs()
	if err != nil {
		return Status{}, &StartError{fmt.Errorf("sending the request: %v", err)}
	}
	// From here on the program may have started: a failure is reported,
	// never retried (it would run twice).
	if err := conn.usePoller(); err != nil {
		return Status{}, &LostError{Socket: s.Socket}
	}
	// Signals caught before this point wait in ch: they follow the request.
	stop := make(chan struct{})
	defer close(stop)
	if ch != nil {
		go forward(conn, ch, stop)
	}
	line, err := conn.readLine()
	if err != nil {
		return Status{}, &LostError{Socket: s.Socket}
	}
	kind, val, _ := strings.Cut(strings.TrimSpace(line), " ")
	if kind == "E" {
		// Refused before anything ran.
		return Status{}, &StartError{fmt.Errorf("warm server: %s", val)}
	}
	num, err := strconv.Atoi(val)
	switch {
	case err != nil:
	case kind == "X":
		conn.Write([]byte("Q\n")) // we have it: the server need not kill the child when we go
		return Status{Code: num}, nil
	case kind == "S":
		if caught != nil {
			<-caught // so that Status.Raise's reset comes after
		}
		return Status{Signal: syscall.Signal(num)}, nil
	}
	return Status{}, fmt.Errorf("warm server: unexpected answer %q", line)
}

// forward passes signals to the program through the server, which knows
// whether the process is still its child (no pid reuse races). SIGTSTP
// (Ctrl-Z) stops the program and then this process; SIGCONT resumes both.
func forward(conn *conn, ch chan os.Signal, stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case sig := <-ch:
			n := sig.(syscall.Signal)
			fmt.Fprintf(conn, "K %d\n", int(n))
			if n == syscall.SIGTSTP {
				syscall.Kill(os.Getpid(), syscall.SIGSTOP)
			}
		}
	}
}

// request encodes the run: the message and the descriptors to pass with
// it. closeFDs releases descriptors opened for it (idempotent).
func (s *Server) request(r *Run) (payload []byte, fds []int, closeFDs func(), err error) {
	var opened []*os.File
	closeFDs = func() {
		for _, f := range opened {
			f.Close()
		}
		opened = nil
	}
	var targets []string
	add := func(fd int, target string) {
		fds = append(fds, fd)
		targets = append(targets, target)
	}
	if r.Files != nil {
		nums := make([]int, 0, len(r.Files))
		for n := range r.Files {
			nums = append(nums, n)
		}
		sort.Ints(nums)
		for _, n := range nums {
			add(int(r.Files[n].Fd()), strconv.Itoa(n))
		}
	} else {
		for _, n := range inheritableFDs() {
			add(n, strconv.Itoa(n))
		}
	}
	if len(fds) > maxFDs-2 {
		return nil, nil, closeFDs, fmt.Errorf("%d open descriptors to pass: at most %d fit in one message", len(fds), maxFDs-2)
	}
	dir := r.Dir
	if dir == "" {
		dir, err = os.Getwd()
		if err != nil {
			return nil, nil, closeFDs, err
		}
	}
	if fd, err := syscall.Open(dir, oPath|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0); err == nil {
		opened = append(opened, os.NewFile(uintptr(fd), dir))
		add(fd, "cwd")
	}
	g := r.Opts.Guard
	var guard []byte
	if g.Active() {
		guard, err = run.GuardCode(s.Interpreter)
		if err != nil {
			return nil, nil, closeFDs, err
		}
		switch g.Log {
		case "":
		case "-":
			stderr := os.Stderr
			if f, ok := r.Files[2]; ok {
				stderr = f
			}
			add(int(stderr.Fd()), "log")
		default:
			f, err := os.OpenFile(g.Log, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
			if err != nil {
				return nil, nil, closeFDs, fmt.Errorf("--audit-log: %v", err)
			}
			opened = append(opened, f)
			add(int(f.Fd()), "log")
		}
	}

	var b bytes.Buffer
	field := func(tag byte, v string) {
		if strings.IndexByte(v, 0) >= 0 && err == nil {
			err = fmt.Errorf("a NUL byte in %q", v)
		}
		if b.Len() > 0 {
			b.WriteByte(0)
		}
		b.WriteByte(tag)
		b.WriteString(v)
	}
	field('k', r.Target.Kind.String())
	if r.Target.Version != nil {
		field('h', strconv.Itoa(r.Target.Version.HeaderSize))
	}
	if r.Target.Kind == run.PycFile {
		// sys.path[0]: the script's directory, symbolic links resolved.
		abs := r.Target.Path
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(dir, abs)
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			field('p', filepath.Dir(real))
		}
	}
	field('a', r.Target.Path)
	for _, a := range r.Args {
		field('a', a)
	}
	field('o', s.Interpreter.Path)
	for _, f := range r.Opts.Flags {
		field('o', f)
	}
	env := r.Opts.Env
	if env == nil {
		env = os.Environ()
	}
	field('c', dir)
	field('u', strconv.Itoa(umask()))
	field('f', strings.Join(targets, ","))
	if g.Active() {
		for _, rule := range g.Deny {
			field('d', rule.Kind.String()+"\x01"+rule.Value+"\x01"+rule.Label)
		}
		// The audit guard's code object for the server's interpreter,
		// built by this pyc (so a server started by another build runs
		// this build's guard).
		field('g', hex.EncodeToString(guard))
	}
	// The environment comes last, after two NUL bytes (no field is empty):
	// the server compares it whole with its own.
	b.WriteString("\x00\x00")
	for i, kv := range env {
		if strings.IndexByte(kv, 0) >= 0 && err == nil {
			err = fmt.Errorf("a NUL byte in the environment entry %q", kv)
		}
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(kv)
	}
	if err != nil {
		return nil, nil, closeFDs, err
	}
	body := b.Bytes()
	out := make([]byte, 8, 8+len(body))
	copy(out, "PYC3")
	binary.LittleEndian.PutUint32(out[4:], uint32(len(body)))
	return append(out, body...), fds, closeFDs, nil
}

// umask returns the process's file mode creation mask.
func umask() int {
	m := syscall.Umask(0o22)
	syscall.Umask(m)
	return m
}

// inheritableFDs lists this process's descriptors that are not
// close-on-exec: what a child started with exec would inherit.
func inheritableFDs() []int {
	var out []int
	names, err := readDirNames("/proc/self/fd")
	if err != nil {
		names, err = readDirNames("/dev/fd")
	}
	if err != nil {
		// No way to list them: the standard three.
		for fd := 0; fd < 3; fd++ {
			if _, err := fcntl(fd, syscall.F_GETFD); err == nil {
				out = append(out, fd)
			}
		}
		return out
	}
	for _, name := range names {
		fd, err := strconv.Atoi(name)
		if err != nil {
			continue
		}
		flags, err := fcntl(fd, syscall.F_GETFD)
		if err != nil || flags&syscall.FD_CLOEXEC != 0 {
			continue // closed since (the listing's own), or close-on-exec
		}
		out = append(out, fd)
	}
	sort.Ints(out)
	return out
}

// readDirNames lists a directory with plain system calls (os.ReadDir
// would go through the runtime's poller and build a DirEntry per name).
func readDirNames(dir string) ([]string, error) {
	fd, err := syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(fd)
	var names []string
	buf := make([]byte, 4096)
	for {
		n, err := syscall.ReadDirent(fd, buf)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return names, nil
		}
		_, _, names = syscall.ParseDirent(buf[:n], -1, names)
	}
}

func fcntl(fd, cmd int) (int, error) {
	r, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), uintptr(cmd), 0)
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// oPath is Linux's O_PATH: a descriptor for fchdir that needs no read
// permission on the directory.
const oPath = 0o10000000

package warm

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pyc-tools/pyc/run"
)

// DefaultIdleTimeout is how long a server started on demand waits for the
// next run before it exits.
const DefaultIdleTimeout = 10 * time.Minute

// ReadyTimeout bounds how long a new server may take to start listening.
var ReadyTimeout = 60 * time.Second

// Server names one warm server: an interpreter with its options and
// start-up environment, and the socket it listens on.
type Server struct {
	Interpreter *run.Interpreter
	// Flags are the interpreter's options.
	Flags []string
	// Env is the environment it starts with.
	Env []string
	// Socket is the socket's path.
	Socket string
}

// NewServer names the server for an interpreter, options and environment
// (os.Environ() when env is nil), in Dir().
func NewServer(in *run.Interpreter, flags, env []string) (*Server, error) {
	if err := Supported(in); err != nil {
		return nil, err
	}
	if env == nil {
		env = os.Environ()
	}
	d, err := Dir()
	if err != nil {
		return nil, err
	}
	return &Server{Interpreter: in, Flags: flags, Env: env,
		Socket: filepath.Join(d, Key(in, flags, env)+".sock")}, nil
}

// Supported reports, as an error, interpreters that cannot be warm
// servers: receiving file descriptors needs socket.recvmsg (3.3).
func Supported(in *run.Interpreter) error {
	if in.Major < 3 || in.Major == 3 && in.Minor < 6 {
		return fmt.Errorf("warm start needs Python 3.6 or later (this is %s %s)", in.Impl, in.Version)
	}
	return nil
}

// Source returns the server's -c program. readyFD is a descriptor the
// server writes "ok" to once it listens (-1: none); announce makes it say
// so on its standard error.
func (s *Server) Source(idle time.Duration, readyFD int, announce bool) string {
	var c run.Config
	c.Set("mode", "serve")
	c.Set("socket", s.Socket)
	c.Set("idle", int(idle.Round(time.Second)/time.Second))
	c.Set("ready", readyFD)
	c.Set("announce", announce)
	return c.Source()
}

// Argv returns the server's command line.
func (s *Server) Argv(idle time.Duration, readyFD int, announce bool) []string {
	argv := append([]string{s.Interpreter.Path}, s.Flags...)
	return append(argv, "-c", s.Source(idle, readyFD, announce))
}

// dial connects to the server and checks that its peer is ours.
func (s *Server) dial() (*conn, error) {
	if err := checkSocket(s.Socket); err != nil {
		return nil, err
	}
	c, err := dialUnix(s.Socket)
	if err != nil {
		return nil, err
	}
	cred, err := c.peerCred()
	if err == nil && int(cred.Uid) != os.Getuid() {
		err = fmt.Errorf("%s: server runs as uid %d, not as us", s.Socket, cred.Uid)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// Alive reports whether a server answers on the socket.
func (s *Server) Alive() bool {
	c, err := s.dial()
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// Connect returns a connection to the server, starting one (daemonized,
// exiting after idle) when none answers. Concurrent callers start one
// server between them.
func (s *Server) Connect(idle time.Duration) (*conn, error) {
	if c, err := s.dial(); err == nil {
		return c, nil
	}
	// One lock for the directory: starting a server is rare, and a lock
	// file per server could not be removed safely.
	lock, err := os.Open(filepath.Dir(s.Socket))
	if err != nil {
		return nil, err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return nil, err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if c, err := s.dial(); err == nil {
		return c, nil // another client started it meanwhile
	}
	CleanStale(filepath.Dir(s.Socket))
	if err := s.start(idle); err != nil {
		return nil, err
	}
	return s.dial()
}

// start launches the server in its own session, its output to the
// socket's .log file, and waits until it listens.
func (s *Server) start(idle time.Duration) error {
	if err := removeStale(s.Socket); err != nil {
		return err
	}
	logName := strings.TrimSuffix(s.Socket, ".sock") + ".log"
	logf, err := os.OpenFile(logName, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	defer logf.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	argv := s.Argv(idle, 3, false)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = s.Env
	cmd.Dir = "/"
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.ExtraFiles = []*os.File{w}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("cannot start a warm server: %v", err)
	}
	w.Close()
	done := make(chan error, 1)
	go func() {
		b := make([]byte, 3)
		_, err := io.ReadFull(r, b)
		if err == nil && string(b) != "ok\n" {
			err = fmt.Errorf("unexpected %q", b)
		}
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(ReadyTimeout):
		err = fmt.Errorf("not listening after %v", ReadyTimeout)
		cmd.Process.Kill()
	}
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		tail, _ := os.ReadFile(logName)
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		msg := strings.TrimSpace(string(tail))
		if msg != "" {
			msg = ":\n" + msg
		}
		return fmt.Errorf("warm server for %s did not start (%v)%s", s.Interpreter, err, msg)
	}
	// The server lives on after us; nobody waits for it but init.
	go cmd.Wait()
	return nil
}

// removeStale removes the socket at path if nothing listens on it.
func removeStale(path string) error {
	if checkSocket(path) != nil {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s exists and is not a socket of ours: remove it", path)
		}
		return nil
	}
	c, err := dialUnix(path)
	if err == nil {
		c.Close()
		return nil
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return os.Remove(path)
	}
	return nil
}

// CleanStale removes, in the socket directory dir, sockets nobody listens
// on any more (their servers were killed) with their logs, logs of servers
// gone for a day, and temporary sockets left by servers that died
// starting.
func CleanStale(dir string) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		n := e.Name()
		p := filepath.Join(dir, n)
		switch {
		case strings.HasSuffix(n, ".sock"):
			if checkSocket(p) != nil {
				continue
			}
			c, err := dialUnix(p)
			if err == nil {
				c.Close()
				continue
			}
			if errors.Is(err, syscall.ECONNREFUSED) {
				os.Remove(p)
				os.Remove(strings.TrimSuffix(p, ".sock") + ".log")
			}
		case strings.HasSuffix(n, ".log"):
			// The log of a server long gone.
			if _, err := os.Lstat(strings.TrimSuffix(p, ".log") + ".sock"); os.IsNotExist(err) {
				if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
					os.Remove(p)
				}
			}
		case strings.HasSuffix(n, ".tmp"):
			// name.sock.PID.tmp: stale when PID is gone.
			parts := strings.Split(n, ".")
			if len(parts) >= 3 {
				var pid int
				if _, err := fmt.Sscan(parts[len(parts)-2], &pid); err == nil && pid > 0 &&
					syscall.Kill(pid, 0) == syscall.ESRCH {
					os.Remove(p)
				}
			}
		}
	}
}

// Stop asks the server to exit (SIGTERM to the process listening),
// reporting whether one was running.
func (s *Server) Stop() (bool, error) {
	c, err := s.dial()
	if err != nil {
		return false, nil
	}
	defer c.Close()
	cred, err := c.peerCred()
	if err != nil {
		return true, err
	}
	if err := syscall.Kill(int(cred.Pid), syscall.SIGTERM); err != nil {
		return true, err
	}
	for i := 0; i < 100 && syscall.Kill(int(cred.Pid), 0) == nil; i++ {
		time.Sleep(20 * time.Millisecond)
	}
	return true, nil
}

// Exec replaces the current process with the server, in the foreground
// (pyc serve): it says where it listens on standard error and exits after
// idle without a run (never when idle is 0) or on SIGTERM, SIGHUP or
// Ctrl-C. It returns only on failure.
func (s *Server) Exec(idle time.Duration) error {
	if s.Alive() {
		return fmt.Errorf("a server for %s with these options and environment already listens on %s", s.Interpreter, s.Socket)
	}
	if err := removeStale(s.Socket); err != nil {
		return err
	}
	if err := os.Chdir("/"); err != nil {
		return err
	}
	argv := s.Argv(idle, -1, true)
	err := syscall.Exec(argv[0], argv, s.Env)
	return fmt.Errorf("cannot run %s: %v", argv[0], err)
}

// StopAll stops every server listening in the socket directory dir ("" for
// Dir()) and returns how many there were.
func StopAll(dir string) (int, error) {
	if dir == "" {
		d, err := Dir()
		if err != nil {
			return 0, err
		}
		dir = d
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".sock") {
			continue
		}
		s := &Server{Socket: filepath.Join(dir, e.Name())}
		ran, err := s.Stop()
		if ran {
			n++
		}
		if err != nil {
			return n, err
		}
	}
	CleanStale(dir)
	return n, nil
}

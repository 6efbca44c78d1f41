package compile

import (
	"bufio"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/pyc-tools/pyc/pyc"
)

// serverProgram is the compile server, run with "python -c". It is a Go
// string at run time: nothing is written to disk.
//
//go:embed server.py
var serverProgram string

// Interpreter describes the Python a pool runs, as its compile server
// reported it.
type Interpreter struct {
	// Path is the interpreter as it was started.
	Path string
	// Executable is its sys.executable.
	Executable string
	// Implementation is sys.implementation.name ("cpython").
	Implementation string
	// Release is the full version, such as "3.11.7".
	Release string
	// CacheTag is sys.implementation.cache_tag ("cpython-311"), empty
	// before 3.2.
	CacheTag string
	// Magic is the magic number its pycs start with.
	Magic [4]byte
	// Version is what the magic number says.
	Version *pyc.Version
}

// String returns e.g. "CPython 3.11.7 (/usr/bin/python3)".
func (in *Interpreter) String() string {
	name := in.Implementation
	switch name {
	case "cpython", "":
		name = "CPython"
	case "pypy":
		name = "PyPy"
	}
	return fmt.Sprintf("%s %s (%s)", name, in.Release, in.Path)
}

// Error is a source file that did not compile: the interpreter's exception
// and where it points.
type Error struct {
	// Path is the source file.
	Path string
	// Class is the exception class, such as "SyntaxError".
	Class string
	// Msg is the exception's message.
	Msg string
	// Line and Col locate the error (0 when unknown).
	Line, Col int
}

// Error returns "file:line: Class: message".
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s: %s", e.Path, e.Line, e.Class, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.Path, e.Class, e.Msg)
}

// Warning is a warning the compiler issued, such as a SyntaxWarning for an
// invalid escape sequence.
type Warning struct {
	// Category is the warning class.
	Category string
	// Line is the source line.
	Line int
	// Msg is the message.
	Msg string
}

// server is one running compile server. Requests are pipelined: a caller
// writes its request and waits for the reply while others may be queued
// behind it, so that the server finds its next request waiting when it is
// done with one instead of idling until a Go goroutine is scheduled.
type server struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	r    *bufio.Reader
	buf  []byte
	info *Interpreter

	wmu     sync.Mutex // guards w, pending, dead
	w       *bufio.Writer
	pending []chan reply
	dead    error

	done    chan struct{} // closed when readLoop has waited for the process
	waitErr error         // the process's exit, once done is closed

	inflight int // guarded by the pool's mutex
}

// reply is one answer of a server.
type reply struct {
	data  []byte
	warns []Warning
	cerr  *Error
	err   error
}

// startServer starts python and reads its hello.
func startServer(python string, o PoolOptions) (*server, error) {
	args := append([]string{}, o.Flags...)
	if o.Mimic {
		args = append(args, "-c", serverProgram, "mimic")
	} else {
		args = append(args, "-S", "-c", serverProgram)
	}
	cmd := exec.Command(python, args...)
	cmd.Env = o.Env
	// A process group of its own: Ctrl-C reaches the terminal's foreground
	// group, and what an interrupt means is for the Go side to decide (pyc
	// removes its temporary files and ends, and the server then ends at
	// the end of its input). In the group, the server would die of the
	// KeyboardInterrupt, print its traceback, and be lost to a program
	// that handles the signal and goes on.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if o.Stderr != nil {
		// Only Write: io.Copy would use a ReadFrom method (bytes.Buffer's,
		// say), which resets the buffer's length when it returns and so
		// loses what others wrote meanwhile.
		cmd.Stderr = writerOnly{o.Stderr}
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", python, err)
	}
	s := &server{cmd: cmd, in: in, w: bufio.NewWriterSize(in, 64<<10), r: bufio.NewReaderSize(out, 64<<10)}
	kind, fs, err := s.readFrame()
	if err != nil || kind != 'H' || len(fs) < 7 || string(fs[0]) != "pyc-compile-server 1" {
		s.kill()
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = errors.New("it exited")
		}
		if err == nil {
			err = errors.New("unexpected hello")
		}
		return nil, fmt.Errorf("%s did not start a compile server: %w", python, err)
	}
	info := &Interpreter{
		Path:           python,
		CacheTag:       string(fs[2]),
		Release:        string(fs[3]),
		Implementation: string(fs[4]),
		Executable:     string(fs[6]),
	}
	if len(fs[1]) != 4 {
		s.kill()
		return nil, fmt.Errorf("%s: magic number of %d bytes", python, len(fs[1]))
	}
	copy(info.Magic[:], fs[1])
	v, ok := pyc.LookupMagic(info.Magic)
	if !ok {
		s.kill()
		return nil, fmt.Errorf("%s %s writes magic % x, which pyc does not know", python, info.Release, info.Magic[:])
	}
	info.Version = v
	s.info = info
	s.done = make(chan struct{})
	go s.readLoop()
	return s, nil
}

// readFrame reads one frame: its kind and fields (which alias s.buf).
func (s *server) readFrame() (byte, [][]byte, error) {
	var head [4]byte
	if _, err := io.ReadFull(s.r, head[:]); err != nil {
		return 0, nil, err
	}
	n := int(binary.LittleEndian.Uint32(head[:]))
	if n < 5 || n > 1<<30 {
		return 0, nil, fmt.Errorf("compile server: bad frame length %d", n)
	}
	if cap(s.buf) < n {
		s.buf = make([]byte, n)
	}
	b := s.buf[:n]
	if _, err := io.ReadFull(s.r, b); err != nil {
		return 0, nil, err
	}
	fs, err := splitFields(b[1:])
	return b[0], fs, err
}

// readLoop hands each reply to the oldest waiting caller. When the server
// ends or fails, every waiting and later caller gets the error.
func (s *server) readLoop() {
	defer close(s.done)
	for {
		kind, fs, err := s.readFrame()
		if err != nil {
			s.in.Close()
			s.waitErr = s.cmd.Wait()
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				err = errors.New("compile server ended")
				if s.waitErr != nil {
					err = fmt.Errorf("compile server ended: %v", s.waitErr)
				}
			}
			s.fail(err)
			return
		}
		r := parseReply(kind, fs)
		s.wmu.Lock()
		if len(s.pending) == 0 {
			s.wmu.Unlock()
			r.err = errors.New("compile server: reply without a request")
		} else {
			ch := s.pending[0]
			s.pending = s.pending[1:]
			s.wmu.Unlock()
			ch <- r
		}
		if r.err != nil {
			// Out of step with the server: stop it.
			s.in.Close()
			s.cmd.Process.Kill()
			s.waitErr = s.cmd.Wait()
			s.fail(r.err)
			return
		}
	}
}

// fail answers every waiting caller with err and refuses later ones.
func (s *server) fail(err error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.dead = err
	for _, ch := range s.pending {
		ch <- reply{err: err}
	}
	s.pending = nil
}

// parseReply reads a 'K' or 'E' reply, copying what it keeps.
func parseReply(kind byte, fs [][]byte) reply {
	switch kind {
	case 'K':
		if len(fs) < 1 {
			return reply{err: errors.New("compile server: empty reply")}
		}
		return reply{data: append([]byte(nil), fs[0]...), warns: warningsOf(fs[1:])}
	case 'E':
		if len(fs) < 4 {
			return reply{err: errors.New("compile server: short error reply")}
		}
		line, _ := strconv.Atoi(string(fs[2]))
		col, _ := strconv.Atoi(string(fs[3]))
		return reply{warns: warningsOf(fs[4:]), cerr: &Error{Class: string(fs[0]), Msg: string(fs[1]), Line: line, Col: col}}
	}
	return reply{err: fmt.Errorf("compile server: reply of kind %q", kind)}
}

// splitFields reads a field list. The fields alias b.
func splitFields(b []byte) ([][]byte, error) {
	bad := errors.New("compile server: malformed reply")
	if len(b) < 4 {
		return nil, bad
	}
	n := int(binary.LittleEndian.Uint32(b))
	b = b[4:]
	if n > len(b)/4 {
		return nil, bad
	}
	out := make([][]byte, 0, n)
	for i := 0; i < n; i++ {
		if len(b) < 4 {
			return nil, bad
		}
		m := int(binary.LittleEndian.Uint32(b))
		b = b[4:]
		if m > len(b) {
			return nil, bad
		}
		out = append(out, b[:m:m])
		b = b[m:]
	}
	return out, nil
}

// compile sends one request and waits for its reply.
func (s *server) compile(source []byte, dfile string, opt int) reply {
	ch := make(chan reply, 1)
	s.wmu.Lock()
	if s.dead != nil {
		err := s.dead
		s.wmu.Unlock()
		return reply{err: err}
	}
	s.pending = append(s.pending, ch)
	body := 1 + 1 + 4 + 4 + len(dfile) + 4 + len(source)
	var head [10]byte
	binary.LittleEndian.PutUint32(head[0:], uint32(body))
	head[4] = 'C'
	head[5] = byte(int8(opt))
	binary.LittleEndian.PutUint32(head[6:], 2)
	s.w.Write(head[:])
	var n [4]byte
	binary.LittleEndian.PutUint32(n[:], uint32(len(dfile)))
	s.w.Write(n[:])
	s.w.WriteString(dfile)
	binary.LittleEndian.PutUint32(n[:], uint32(len(source)))
	s.w.Write(n[:])
	s.w.Write(source)
	if err := s.w.Flush(); err != nil {
		// The reader sees the end of the server and answers every
		// pending request, this one included.
		s.in.Close()
	}
	s.wmu.Unlock()
	return <-ch
}

func warningsOf(fs [][]byte) []Warning {
	var out []Warning
	for _, f := range fs {
		parts := strings.SplitN(string(f), "\x00", 3)
		if len(parts) != 3 {
			continue
		}
		line, _ := strconv.Atoi(parts[1])
		out = append(out, Warning{Category: parts[0], Line: line, Msg: parts[2]})
	}
	return out
}

// close ends the server: end of input, then wait for it to exit.
func (s *server) close() error {
	s.wmu.Lock()
	s.in.Close()
	s.wmu.Unlock()
	<-s.done
	return s.waitErr
}

// kill stops the server now.
func (s *server) kill() {
	s.in.Close()
	if s.cmd.Process != nil {
		s.cmd.Process.Kill()
	}
	if s.done != nil {
		<-s.done
	} else {
		s.cmd.Wait()
	}
}

// depth is how many requests a server has at most: one being compiled,
// one waiting in its pipe.
const depth = 2

// Pool is a set of compile servers running one interpreter. Its methods
// are safe for concurrent use.
type Pool struct {
	python string
	opts   PoolOptions
	info   *Interpreter

	mu      sync.Mutex
	free    *sync.Cond // signalled when a request slot frees
	servers []*server
}

// PoolOptions adjust NewPool.
type PoolOptions struct {
	// Servers is the number of server processes (at least 1).
	Servers int
	// Flags are extra interpreter options, such as "-O" (Python 2, whose
	// compile() has no optimize argument).
	Flags []string
	// Env is the servers' environment; nil means this process's, with
	// PYTHONHASHSEED=0 added when it is not set (so that the order of set
	// constants, which follows string hashes before Python 3.11, is the
	// same from run to run).
	Env []string
	// Stderr receives what the servers write to their standard error
	// (nothing, normally: warnings come back with the replies); nil
	// discards it. It is written from other goroutines: it must be safe
	// for concurrent use with whatever else writes to it.
	Stderr io.Writer
	// Mimic makes the servers load what "python -m compileall" loads (the
	// site module, runpy, argparse, compileall) before compiling. Which
	// objects CPython's marshal flags with FLAG_REF follows reference
	// counts, which follow what the process has loaded: mimicking
	// compileall makes the pycs byte-identical to its own far more often,
	// at some startup time. Without it the servers start with -S and load
	// nothing.
	Mimic bool
}

// NewPool starts the servers of a pool, in parallel, and waits for them to
// be ready.
func NewPool(python string, opts PoolOptions) (*Pool, error) {
	n := max(opts.Servers, 1)
	if opts.Env == nil {
		opts.Env = DefaultEnv()
	}
	p := &Pool{python: python, opts: opts}
	p.free = sync.NewCond(&p.mu)
	type res struct {
		s   *server
		err error
	}
	ch := make(chan res, n)
	for i := 0; i < n; i++ {
		go func() {
			s, err := startServer(python, opts)
			ch <- res{s, err}
		}()
	}
	var first error
	for i := 0; i < n; i++ {
		r := <-ch
		if r.err != nil {
			if first == nil {
				first = r.err
			}
			continue
		}
		p.servers = append(p.servers, r.s)
		if p.info == nil {
			p.info = r.s.info
		}
	}
	if first != nil {
		p.Close()
		return nil, first
	}
	return p, nil
}

// SysPath returns the sys.path of python as a script run by it sees it
// (site directories included, the script's own directory left out).
func SysPath(python string) ([]string, error) {
	out, err := exec.Command(python, "-c", "import sys\nfor p in sys.path[1:]: print(p)").Output()
	if err != nil {
		return nil, fmt.Errorf("%s: sys.path: %w", python, err)
	}
	return strings.Split(strings.TrimRight(string(out), "\n"), "\n"), nil
}

// DefaultEnv returns this process's environment with PYTHONHASHSEED=0
// added when it is not set.
func DefaultEnv() []string {
	env := os.Environ()
	if _, ok := os.LookupEnv("PYTHONHASHSEED"); !ok {
		env = append(env, "PYTHONHASHSEED=0")
	}
	return env
}

// Interpreter describes the pool's interpreter.
func (p *Pool) Interpreter() *Interpreter { return p.info }

// Size returns the number of servers.
func (p *Pool) Size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.servers)
}

// Compile compiles source as compile(source, filename, 'exec',
// dont_inherit=True, optimize=opt) and returns marshal.dumps of the code
// object (Python 2 ignores opt: its level is the pool's -O flags). A
// source that does not compile gives a *Error (with Path empty); a server
// that fails gives another error, and is replaced for the next calls.
func (p *Pool) Compile(source []byte, filename string, opt int) ([]byte, []Warning, error) {
	p.mu.Lock()
	var s *server
	for {
		for _, c := range p.servers {
			if s == nil || c.inflight < s.inflight {
				s = c
			}
		}
		if s == nil {
			p.mu.Unlock()
			return nil, nil, errors.New("compile: the pool is closed")
		}
		if s.inflight < depth {
			break
		}
		s = nil
		p.free.Wait()
	}
	s.inflight++
	p.mu.Unlock()

	r := s.compile(source, filename, opt)

	p.mu.Lock()
	s.inflight--
	if r.err != nil {
		p.replace(s)
	}
	p.free.Signal()
	p.mu.Unlock()
	if r.err != nil {
		return nil, nil, r.err
	}
	if r.cerr != nil {
		return nil, r.warns, r.cerr
	}
	return r.data, r.warns, nil
}

// replace swaps a failed server for a new one (once: the first caller to
// see the failure does it). p.mu is held.
func (p *Pool) replace(s *server) {
	for i, c := range p.servers {
		if c != s {
			continue
		}
		s.kill()
		if ns, err := startServer(p.python, p.opts); err == nil {
			p.servers[i] = ns
		} else {
			p.servers = append(p.servers[:i], p.servers[i+1:]...)
		}
		p.free.Broadcast()
		return
	}
}

// Close stops the servers. Calls to Compile must have returned.
func (p *Pool) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var first error
	for _, s := range p.servers {
		if err := s.close(); err != nil && first == nil {
			first = err
		}
	}
	p.servers = nil
	p.free.Broadcast()
	return first
}

// writerOnly hides every method of a writer but Write.
type writerOnly struct{ w io.Writer }

func (w writerOnly) Write(p []byte) (int, error) { return w.w.Write(p) }

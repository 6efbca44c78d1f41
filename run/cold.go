package run

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// Options adjust how a program runs.
type Options struct {
	// Flags are interpreter options, as on its command line before the
	// program (["-O", "-X", "dev"]).
	Flags []string
	// Guard installs an audit hook first (CPython 3.8 to 3.13).
	Guard *Guard
	// Env is the program's environment (os.Environ() when nil).
	Env []string
}

// Plan is a cold run: the interpreter's command line and environment.
// Without a guard it is exactly "python [flags] FILE ARGS...". With one,
// the interpreter runs the bootstrap (-c) that installs the audit hook,
// then runs FILE as __main__ with the same sys.argv, sys.path[0], __file__
// and exit status the direct run would have.
type Plan struct {
	Interpreter *Interpreter
	Target      *Target
	// Args are the program's arguments (sys.argv[1:]).
	Args []string
	Opts Options

	log *os.File
}

// NewPlan checks that the interpreter can do what is asked and opens the
// audit log, if any. Call Close when the plan is not executed.
func NewPlan(in *Interpreter, t *Target, args []string, opts Options) (*Plan, error) {
	p := &Plan{Interpreter: in, Target: t, Args: args, Opts: opts}
	if opts.Guard.Active() {
		if err := GuardSupported(in); err != nil {
			return nil, err
		}
		if opts.Guard.Log != "" && opts.Guard.Log != "-" {
			f, err := os.OpenFile(opts.Guard.Log, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
			if err != nil {
				return nil, fmt.Errorf("--audit-log: %v", err)
			}
			p.log = f
		}
	}
	return p, nil
}

// LogFile returns the opened audit log, nil for none or standard error.
func (p *Plan) LogFile() *os.File { return p.log }

// Close releases the audit log.
func (p *Plan) Close() error {
	if p.log == nil {
		return nil
	}
	err := p.log.Close()
	p.log = nil
	return err
}

// Argv returns the interpreter's command line, argv[0] included, for an
// audit log at descriptor logfd.
func (p *Plan) Argv(logfd int) []string {
	argv := append([]string{p.Interpreter.Path}, p.Opts.Flags...)
	if p.Opts.Guard.Active() {
		argv = append(argv, "-c", BootSource(p.Interpreter, p.Target, p.Opts, logfd))
	}
	argv = append(argv, p.Target.Path)
	return append(argv, p.Args...)
}

// BootSource returns the -c program of a guarded cold run: the audit log
// at descriptor logfd (-1 none, -2 a copy of standard error). The guard's
// code object for the interpreter (GuardCode) is in it, marshalled; where
// there is none (GuardSupported says why) the program fails before the
// pyc runs.
func BootSource(in *Interpreter, t *Target, opts Options, logfd int) string {
	var c Config
	c.Set("mode", "boot")
	guard, _ := GuardCode(in)
	c.Set("guard", guard)
	c.Set("kind", t.Kind.String())
	c.Set("header", headerSize(t))
	c.Set("log", logfd)
	c.Set("rules", opts.Guard.Deny)
	c.Set("orig", append([]string{in.Path}, opts.Flags...))
	return c.Source()
}

// headerSize is the pyc header length for the target's version.
func headerSize(t *Target) int {
	if t.Version == nil {
		return 0
	}
	return t.Version.HeaderSize
}

func (p *Plan) logfd() int {
	switch {
	case p.log != nil:
		return int(p.log.Fd())
	case p.Opts.Guard.Active() && p.Opts.Guard.Log == "-":
		return -2
	}
	return -1
}

func (p *Plan) env() []string {
	if p.Opts.Env != nil {
		return p.Opts.Env
	}
	return os.Environ()
}

// Exec replaces the current process with the interpreter (execve): its
// stdin, stdout, stderr, signals and exit status are the program's. It
// returns only on failure.
func (p *Plan) Exec() error {
	fd := p.logfd()
	if p.log != nil {
		// Keep the log open across exec; the bootstrap makes it
		// non-inheritable again before the program runs.
		if _, _, e := syscall.Syscall(syscall.SYS_FCNTL, uintptr(fd), syscall.F_SETFD, 0); e != 0 {
			return fmt.Errorf("--audit-log: %v", e)
		}
	}
	argv := p.Argv(fd)
	err := syscall.Exec(argv[0], argv, p.env())
	return fmt.Errorf("cannot run %s: %v", argv[0], err)
}

// Command returns the run as a child process (the audit log as descriptor
// 3), for callers that need to stay in control, and for tests.
func (p *Plan) Command() *exec.Cmd {
	fd := p.logfd()
	var extra []*os.File
	if p.log != nil {
		fd = 3
		extra = []*os.File{p.log}
	}
	argv := p.Argv(fd)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = p.env()
	cmd.ExtraFiles = extra
	return cmd
}

package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/pyc-tools/pyc/run"
	"github.com/pyc-tools/pyc/warm"
	"github.com/spf13/cobra"
)

// ExitLost is pyc run's exit status when a warm server went away while the
// program ran, so that the program's own status is unknown.
const ExitLost = 125

type runOptions struct {
	IO       *IO
	Python   string
	Warm     bool
	Idle     time.Duration
	AuditLog string
	Deny     []string
	Py       pyFlags
	File     string
	Args     []string

	// exec runs a cold plan (replacing the process); tests replace it.
	exec func(*run.Plan) error
}

func newRunCmd(ios *IO, runF func(*runOptions) error) *cobra.Command {
	opts := &runOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "run [flags] FILE.pyc|BUNDLE.zip|DIR [ARGS...]",
		Short: "Run a pyc (or a zip bundle of them) with the interpreter of its version",
		Long: `Run a pyc with an interpreter of exactly the implementation and version
that wrote it (the magic number decides), as "pythonX.Y FILE.pyc ARGS..."
would: sys.argv is [FILE, ARGS...], standard input, output and error are
this process's, and the exit status (or the signal) is the program's.

A zip bundle or a directory runs as the interpreter runs them: its
__main__ module, whose __main__.pyc tells the version.

The interpreter is --python, else the first that matches among $PYC_PYTHON
(':'-separated), pythonX.Y on $PATH, pyenv's versions, then python3 and
python on $PATH; each is asked its magic number (answers are cached).
"pyc interpreters" lists them.

--warm hands the run to a server that keeps an interpreter of that version
started and forks a fresh child for each run, which saves the interpreter's
start-up time; one is started on demand and exits after --idle-timeout
without runs. Without a usable server it runs cold, saying why.

--audit-log and --deny (CPython 3.8 to 3.13) install an audit hook
(PEP 578) before the program's first instruction. --audit-log records
every event as a JSON line; --deny makes the listed events raise
pyc.AuditDenied in the program, and pyc run then exits non-zero. Groups:
net, subprocess, fs-write, import-native, exec; or give event names
(socket.connect, os.system, shutil.*). Audit hooks are a tripwire and a
record, not a security boundary.

Interpreter options (-O, -B, -E, -I, -s, -S, -u, -X, -W) go before the
program; everything after FILE is the program's.`,
		Example: `  pyc run app.cpython-311.pyc --verbose input.txt
  pyc run --python ~/py/bin/python3.12 tool.pyc
  pyc run --warm hello.pyc
  pyc run --deny net,subprocess --audit-log audit.jsonl plugin.pyc`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File, opts.Args = args[0], args[1:]
			if runF != nil {
				return runF(opts)
			}
			return runRun(opts)
		},
	}
	fs := cmd.Flags()
	fs.SetInterspersed(false)
	fs.StringVar(&opts.Python, "python", "", "run with this interpreter (it must match the pyc's version)")
	fs.BoolVar(&opts.Warm, "warm", false, "run on a warm server (started on demand)")
	fs.DurationVar(&opts.Idle, "idle-timeout", warm.DefaultIdleTimeout, "with --warm: how long a server started now waits for the next run")
	fs.StringVar(&opts.AuditLog, "audit-log", "", "record audit events as JSON lines in `FILE` (- for standard error)")
	fs.StringArrayVar(&opts.Deny, "deny", nil, "deny audit `EVENTS`: groups (net, subprocess, fs-write, import-native, exec) or event names, comma-separated")
	opts.Py.addFlags(fs)
	return cmd
}

func runRun(opts *runOptions) error {
	rules, err := run.ParseDeny(opts.Deny)
	if err != nil {
		return &usageError{err}
	}
	if opts.Idle <= 0 {
		return usageErrorf("--idle-timeout must be positive")
	}
	guard := &run.Guard{Log: opts.AuditLog, Deny: rules}
	t, err := run.OpenTarget(opts.File)
	if err != nil {
		return err
	}
	if t.Version == nil && opts.Python == "" {
		return fmt.Errorf("%s: its __main__ is source (%s), so no magic number tells the Python version: give an interpreter with --python", opts.File, t.Main)
	}
	f := &run.Finder{Python: opts.Python}
	if p := run.DefaultCachePath(); p != "" {
		f.Cache = &run.ProbeCache{Path: p}
	}
	in, err := f.Find(t.Version)
	if err != nil {
		return err
	}
	ro := run.Options{Flags: opts.Py.list(), Guard: guard}
	if guard.Active() {
		if err := run.GuardSupported(in); err != nil {
			return err
		}
	}

	if opts.Warm {
		st, err := runWarm(opts, in, t, ro)
		var se *warm.StartError
		switch {
		case err == nil:
			st.Raise()
			if c := st.ExitCode(); c != 0 {
				return &silentError{c}
			}
			return nil
		case errors.As(err, &se):
			fmt.Fprintf(opts.IO.ErrOut, "pyc run: --warm: %v; running cold\n", err)
		default:
			fmt.Fprintf(opts.IO.ErrOut, "pyc run: %v\n", err)
			return &silentError{ExitLost}
		}
	}

	plan, err := run.NewPlan(in, t, opts.Args, ro)
	if err != nil {
		return err
	}
	defer plan.Close()
	exec := opts.exec
	if exec == nil {
		exec = (*run.Plan).Exec
	}
	return exec(plan)
}

func runWarm(opts *runOptions, in *run.Interpreter, t *run.Target, ro run.Options) (warm.Status, error) {
	if err := warm.Supported(in); err != nil {
		return warm.Status{}, &warm.StartError{Err: err}
	}
	srv, err := warm.NewServer(in, ro.Flags, nil)
	if err != nil {
		return warm.Status{}, &warm.StartError{Err: err}
	}
	return srv.Execute(&warm.Run{Target: t, Args: opts.Args, Opts: ro, Idle: opts.Idle, Exiting: true})
}

package cli

import (
	"fmt"
	"time"

	"github.com/pyc-tools/pyc/pyc"
	"github.com/pyc-tools/pyc/run"
	"github.com/pyc-tools/pyc/warm"
	"github.com/spf13/cobra"
)

type serveOptions struct {
	IO            *IO
	Python        string
	PythonVersion string
	Idle          time.Duration
	Stop          bool
	StopAll       bool
	Py            pyFlags
}

func newServeCmd(ios *IO, runF func(*serveOptions) error) *cobra.Command {
	opts := &serveOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "serve (--python PATH | --python-version X.Y) [--idle-timeout D] [--stop] | --stop-all",
		Short: "Run a warm server for pyc run --warm in the foreground",
		Long: `Run, in the foreground, the server that pyc run --warm uses: an
interpreter started once that forks a fresh child for each run. It serves
runs of the same interpreter, interpreter options and start-up environment
(PYTHON* variables, locale, HOME, TZ) as its own, on a socket in
$XDG_RUNTIME_DIR/pyc (or /tmp/pyc-UID). It exits after --idle-timeout
without runs (0: never), on SIGTERM or on Ctrl-C.

--stop stops the server that this command would start, if one runs;
--stop-all stops every server of this user.`,
		Example: `  pyc serve --python-version 3.12
  pyc serve --python /usr/bin/python3.11 --idle-timeout 1h
  pyc serve --python-version 3.12 --stop`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runServe(opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Python, "python", "", "the interpreter to serve")
	fs.StringVar(&opts.PythonVersion, "python-version", "", "serve the interpreter pyc run would pick for this version (X.Y, pypyX.Y)")
	fs.DurationVar(&opts.Idle, "idle-timeout", 0, "exit after this long without a run (0: never)")
	fs.BoolVar(&opts.Stop, "stop", false, "stop the matching server instead")
	fs.BoolVar(&opts.StopAll, "stop-all", false, "stop every warm server of this user")
	opts.Py.addFlags(fs)
	return cmd
}

func runServe(opts *serveOptions) error {
	if opts.StopAll {
		n, err := warm.StopAll("")
		fmt.Fprintf(opts.IO.ErrOut, "pyc serve: stopped %d server(s)\n", n)
		return err
	}
	if (opts.Python == "") == (opts.PythonVersion == "") {
		return usageErrorf("give one of --python and --python-version")
	}
	if opts.Idle < 0 {
		return usageErrorf("--idle-timeout must not be negative")
	}
	var want *pyc.Version
	if opts.PythonVersion != "" {
		v, err := pyc.ParseVersion(opts.PythonVersion)
		if err != nil {
			return usageErrorf("--python-version: %v", err)
		}
		want = v
	}
	f := &run.Finder{Python: opts.Python}
	if p := run.DefaultCachePath(); p != "" {
		f.Cache = &run.ProbeCache{Path: p}
	}
	in, err := f.Find(want)
	if err != nil {
		return err
	}
	srv, err := warm.NewServer(in, opts.Py.list(), nil)
	if err != nil {
		return err
	}
	if opts.Stop {
		ran, err := srv.Stop()
		if err != nil {
			return err
		}
		if !ran {
			fmt.Fprintf(opts.IO.ErrOut, "pyc serve: no server for %s runs on %s\n", in, srv.Socket)
			return &silentError{ExitError}
		}
		fmt.Fprintf(opts.IO.ErrOut, "pyc serve: stopped the server on %s\n", srv.Socket)
		return nil
	}
	return srv.Exec(opts.Idle)
}

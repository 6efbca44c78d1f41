package cli

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pyc-tools/pyc/bundle"
	"github.com/pyc-tools/pyc/compile"
	"github.com/pyc-tools/pyc/internal/interp"
	"github.com/spf13/cobra"
)

type bundleOptions struct {
	IO         *IO
	Src        string
	Out        string
	Python     string
	Level      int
	Sourceless bool
	Main       string
	Exclude    string
	Prefix     string
	Jobs       int
	Quiet      bool
	// Getenv reads SOURCE_DATE_EPOCH (nil: os.Getenv); tests replace it.
	Getenv func(string) string
}

func newBundleCmd(ios *IO, runF func(*bundleOptions) error) *cobra.Command {
	opts := &bundleOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "bundle SRC -o APP.zip",
		Short: "Build a reproducible zip of an application with every module precompiled",
		Long: `Bundle the application tree SRC into a zip runnable as "python APP.zip":
every module compiled (m.pyc beside m.py, as zipimport wants; canonical,
unchecked-hash pycs), data files kept, __pycache__ and stray pycs left out,
a directory entry for every directory, entries sorted, one fixed timestamp
(1980-01-01, or SOURCE_DATE_EPOCH). Two builds of the same tree with the same
interpreter are byte-identical.

The root of SRC must hold a __main__.py, unless --main names the function
to run (pkg.module:function, or pkg.module to run it as __main__), for which
a __main__.py is generated. --sourceless leaves the .py files out.

The pycs are for one interpreter (--python): other versions fall back to
the sources, or fail without them.`,
		Example: `  pyc bundle myapp -o dist/myapp.zip
  pyc bundle --python python3.12 --sourceless --main myapp.cli:main src -o app.zip`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Src = args[0]
			if opts.Out == "" {
				return usageErrorf("give the zip to write with -o")
			}
			if runF != nil {
				return runF(opts)
			}
			return runBundle(opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&opts.Out, "output", "o", "", "the zip file to write")
	fs.StringVar(&opts.Python, "python", "", "interpreter that compiles (default: python3 on PATH, else the newest pyenv one)")
	fs.IntVarP(&opts.Level, "optimize", "O", 0, "optimization level 0, 1 or 2")
	fs.BoolVar(&opts.Sourceless, "sourceless", false, "leave the .py files out")
	fs.StringVar(&opts.Main, "main", "", "generate a __main__ calling pkg.module:function (or running pkg.module)")
	fs.StringVarP(&opts.Exclude, "exclude", "x", "", "leave out paths (relative to SRC, with /) matching this regular expression")
	fs.StringVar(&opts.Prefix, "prefix", "", "directory put in front of the file names recorded in the code objects")
	fs.IntVarP(&opts.Jobs, "jobs", "j", 0, "compile servers to run (default: one per CPU)")
	fs.BoolVarP(&opts.Quiet, "quiet", "q", false, "print nothing but errors")
	return cmd
}

func runBundle(opts *bundleOptions) error {
	defer catchInterrupts(opts.IO.ErrOut)()
	if opts.Level < 0 || opts.Level > 2 {
		return usageErrorf("-O %d: want 0, 1 or 2", opts.Level)
	}
	if opts.Main != "" {
		if _, err := bundle.MainSource(opts.Main); err != nil {
			return usageErrorf("--main: %v", err)
		}
	}
	var rx *regexp.Regexp
	if opts.Exclude != "" {
		var err error
		if rx, err = regexp.Compile(opts.Exclude); err != nil {
			return usageErrorf("-x: %v", err)
		}
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	stamp := bundle.DefaultTime
	if s := getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return usageErrorf("SOURCE_DATE_EPOCH=%q: not a number of seconds", s)
		}
		if t := time.Unix(n, 0).UTC(); t.After(stamp) {
			stamp = t
		}
	}
	python := opts.Python
	if python == "" {
		p, err := interp.Default()
		if err != nil {
			return err
		}
		python = p
	}
	errOut := &syncWriter{w: opts.IO.ErrOut}
	c, err := compile.NewCompiler(python, compile.CompilerOptions{
		Servers: opts.Jobs, Levels: []int{opts.Level}, Deterministic: true, Stderr: errOut,
	})
	if err != nil {
		return err
	}
	defer c.Close()
	start := time.Now()
	st, err := bundle.Build(bundle.Options{
		Src: opts.Src, Out: opts.Out, Compiler: c, Level: opts.Level, Sourceless: opts.Sourceless,
		Main: opts.Main, Exclude: rx, Time: stamp, Prefix: opts.Prefix,
	})
	if err != nil {
		// Compile errors are "file:line: ..." lines; the rest are pyc's.
		errs := []error{err}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		}
		for _, e := range errs {
			var ce *compile.Error
			if errors.As(e, &ce) {
				fmt.Fprintln(errOut, e)
			} else {
				fmt.Fprintf(errOut, "pyc: %v\n", e)
			}
		}
		return &silentError{ExitError}
	}
	if !opts.Quiet {
		fmt.Fprintf(errOut, "pyc bundle: %s: %d modules, %d data files, %d directories, %d bytes, for %s, in %.1fs\n",
			opts.Out, st.Modules, st.Data, st.Dirs, st.Size, c.Interpreter(), time.Since(start).Seconds())
	}
	return nil
}

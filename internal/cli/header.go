package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pyc-tools/pyc/pyc"
	"github.com/spf13/cobra"
)

type headerOptions struct {
	IO            *IO
	File          string
	Output        string
	InPlace       bool
	Mode          string
	Source        string
	Mtime         int64
	SourceSize    int64
	PythonVersion string
	Headerless    bool
}

func newHeaderCmd(ios *IO, runF func(*headerOptions) error) *cobra.Command {
	opts := &headerOptions{IO: ios, Mtime: -1, SourceSize: -1}
	cmd := &cobra.Command{
		Use:   "header [flags] (--in-place | -o OUT) FILE",
		Short: "Rewrite a pyc's header: invalidation mode, source stamp, magic",
		Long: `Rewrite the header of a pyc, keeping its marshal stream byte for byte.

--mode switches the invalidation mode (timestamp, checked-hash,
unchecked-hash; the hash-based ones need Python 3.7+). --source names the
source file: its hash goes into a hash-based header, its mtime and size into
a timestamp header, as py_compile writes them. --mtime and --source-size set
those two numbers directly. --python-version writes the magic number of
another version whose pycs have the same code-object layout and marshal
format. With --headerless the input is a bare marshal stream (as
PyInstaller stores modules) and --python-version says its version; the
result is a proper pyc.

The result is written atomically to OUT (-o), or over FILE with
--in-place (over the file it names, if FILE is a symlink); never over FILE
otherwise (an OUT that is FILE, or a link to it, is refused). Atomically: into a temporary file beside it, renamed over
it when complete, so that an interruption leaves the old file or the new
one; Ctrl-C removes the temporary file.`,
		Example: `  pyc header --mode checked-hash --source mod.py --in-place __pycache__/mod.cpython-312.pyc
  pyc header --mode timestamp --source mod.py -o new.pyc old.pyc
  pyc header --python-version 3.8 --headerless -o mod.pyc extracted/mod`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runHeader(opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&opts.Output, "output", "o", "", "write the result here")
	fs.BoolVar(&opts.InPlace, "in-place", false, "rewrite FILE itself")
	fs.StringVar(&opts.Mode, "mode", "", "invalidation mode: timestamp, checked-hash or unchecked-hash")
	fs.StringVar(&opts.Source, "source", "", "the source file (hash, or mtime and size)")
	fs.Int64Var(&opts.Mtime, "mtime", -1, "source mtime to record (timestamp mode)")
	fs.Int64Var(&opts.SourceSize, "source-size", -1, "source size to record (timestamp mode)")
	fs.StringVar(&opts.PythonVersion, "python-version", "", "write this version's magic (X.Y, pypyX.Y, ...)")
	fs.BoolVar(&opts.Headerless, "headerless", false, "FILE is a bare marshal stream (needs --python-version)")
	return cmd
}

func runHeader(opts *headerOptions) error {
	defer catchInterrupts(opts.IO.ErrOut)()
	switch {
	case opts.InPlace && opts.Output != "":
		return usageErrorf("give --in-place or -o, not both")
	case !opts.InPlace && opts.Output == "":
		return usageErrorf("give -o OUT, or --in-place to rewrite %s", opts.File)
	case opts.Headerless && opts.PythonVersion == "":
		return usageErrorf("--headerless needs --python-version")
	case opts.Output != "" && sameFile(opts.File, opts.Output):
		return usageErrorf("-o %s is %s itself: give --in-place to rewrite it", opts.Output, opts.File)
	}
	var e pyc.HeaderEdit
	e.Headerless = opts.Headerless
	if opts.PythonVersion != "" {
		v, err := pyc.ParseVersion(opts.PythonVersion)
		if err != nil {
			return usageErrorf("--python-version: %v", err)
		}
		e.Version = v
	}
	if opts.Mode != "" {
		m, err := pyc.ParseMode(opts.Mode)
		if err != nil {
			return usageErrorf("--mode: %v", err)
		}
		e.Mode = &m
	}
	u32 := func(name string, n int64) (*uint32, error) {
		if n < 0 {
			return nil, nil
		}
		if n > 1<<32-1 {
			return nil, usageErrorf("%s %d does not fit in 32 bits", name, n)
		}
		v := uint32(n)
		return &v, nil
	}
	var err error
	if e.Mtime, err = u32("--mtime", opts.Mtime); err != nil {
		return err
	}
	if e.SourceSize, err = u32("--source-size", opts.SourceSize); err != nil {
		return err
	}
	if opts.Source != "" {
		src, err := os.ReadFile(opts.Source)
		if err != nil {
			return err
		}
		st, err := os.Stat(opts.Source)
		if err != nil {
			return err
		}
		e.Source = src
		// As py_compile: int(st_mtime) and st_size, modulo 2**32.
		if e.Mtime == nil {
			m := uint32(st.ModTime().Unix())
			e.Mtime = &m
		}
		if e.SourceSize == nil {
			s := uint32(st.Size())
			e.SourceSize = &s
		}
	}
	data, err := os.ReadFile(opts.File)
	if err != nil {
		return err
	}
	out, err := pyc.EditHeader(data, e)
	if err != nil {
		return fmt.Errorf("%s: %v", opts.File, err)
	}
	dest, perm := opts.Output, os.FileMode(0o644)
	if opts.InPlace {
		// Through a symlink, the file it names is rewritten: the rename
		// would otherwise replace the link and leave that file as it was.
		dest = opts.File
		if real, err := filepath.EvalSymlinks(opts.File); err == nil {
			dest = real
		}
		if st, err := os.Stat(dest); err == nil {
			perm = st.Mode().Perm()
		}
	}
	return pyc.WriteFile(dest, out, perm)
}

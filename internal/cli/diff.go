package cli

import (
	"fmt"
	"os"

	"github.com/pyc-tools/pyc/diff"
	"github.com/spf13/cobra"
)

type diffOptions struct {
	IO           *IO
	Read         readOpts
	JSON         bool
	Semantic     bool
	IgnoreHeader bool
	Brief        bool
	Context      int
	OptA, OptB   int
	A, B         string
}

func newDiffCmd(ios *IO, runF func(*diffOptions) error) *cobra.Command {
	opts := &diffOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "diff [flags] A B",
		Short: "Say exactly how two pycs (or two trees of pycs) differ",
		Long: `Compare two pyc files, or the pycs under two directories (paired by
relative path), from the top down: the header fields; then, per code object
addressed by its qualified path (<module>.Parser.parse), the scalar fields
that changed, the constants, names and locals added, removed or changed, and
an instruction-level diff of the two disassemblies (without offsets, with
source line numbers, jumps as labels); and last, separately, values that are
the same but encoded differently (FLAG_REF, string and tuple type codes,
back-references, set order).

Code objects are paired by path; a function renamed without other changes is
reported as renamed. For directories a summary comes first (identical,
differing in values or only in encoding, only in one tree, errors), then the
details of each differing file.

--semantic ignores encoding-only differences. --ignore-header leaves the
mtime, source size, hash and flags out. --a-opt and --b-opt pick the files of
one optimization level in each tree (0 plain, 1 for -O, 2 for -OO) and pair
them with the level's tag removed: "--a-opt 0 --b-opt 1 lib lib" compares a
tree's -O pycs with its plain ones.

Exit status: 0 identical, 1 different, 2 trouble (a missing or unreadable
file, a bad command line), as diff's.`,
		Example: `  pyc diff old/__pycache__/m.cpython-312.pyc new/__pycache__/m.cpython-312.pyc
  pyc diff --semantic build1/lib build2/lib
  pyc diff --a-opt 0 --b-opt 1 /usr/lib/python3.12 /usr/lib/python3.12
  pyc diff --json a.pyc b.pyc | jq '.codes[].path'`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.A, opts.B = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return runDiff(opts)
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&opts.JSON, "json", false, "print the differences as JSON")
	fs.BoolVar(&opts.Semantic, "semantic", false, "compare values only: ignore differences of encoding")
	fs.BoolVar(&opts.IgnoreHeader, "ignore-header", false, "ignore the header's flags, mtime, source size and hash")
	fs.BoolVarP(&opts.Brief, "brief", "q", false, "report only whether files differ")
	fs.IntVarP(&opts.Context, "unified", "U", diff.DefaultContext, "instructions of context around each change")
	fs.IntVar(&opts.OptA, "a-opt", diff.AnyOpt, "directories: take only A's pycs of this optimization level, 0, 1 or 2 (-1: all)")
	fs.IntVar(&opts.OptB, "b-opt", diff.AnyOpt, "directories: take only B's pycs of this optimization level, 0, 1 or 2 (-1: all)")
	opts.Read.addFlags(fs)
	return cmd
}

// exitTrouble is diff's status for trouble: an unreadable or bad file.
const exitTrouble = 2

func runDiff(opts *diffOptions) error {
	ro, err := opts.Read.parseOptions()
	if err != nil {
		return err
	}
	for _, o := range []int{opts.OptA, opts.OptB} {
		if o < diff.AnyOpt || o > 2 {
			return usageErrorf("--a-opt and --b-opt take 0, 1 or 2")
		}
	}
	if opts.Context < 0 {
		return usageErrorf("--unified: want 0 or more, have %d", opts.Context)
	}
	dopts := diff.Options{Semantic: opts.Semantic, IgnoreHeader: opts.IgnoreHeader, Context: opts.Context}
	if opts.Context == 0 {
		dopts.Context = -1
	}
	sa, errA := os.Stat(opts.A)
	sb, errB := os.Stat(opts.B)
	for _, e := range []error{errA, errB} {
		if e != nil {
			fmt.Fprintf(opts.IO.ErrOut, "pyc: %v\n", e)
			return &silentError{exitTrouble}
		}
	}
	if sa.IsDir() != sb.IsDir() {
		fmt.Fprintf(opts.IO.ErrOut, "pyc: %s and %s: cannot compare a directory with a file\n", opts.A, opts.B)
		return &silentError{exitTrouble}
	}
	if sa.IsDir() {
		d, err := diff.Dirs(opts.A, opts.B, diff.DirOptions{Options: dopts, Read: ro, OptA: opts.OptA, OptB: opts.OptB})
		if err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "pyc: %v\n", err)
			return &silentError{exitTrouble}
		}
		if opts.JSON {
			err = writeJSON(opts.IO.Out, d)
		} else {
			err = d.WriteText(opts.IO.Out, opts.Brief)
		}
		if err != nil {
			return err
		}
		return diffStatus(d.Trouble(), d.Differs())
	}
	if opts.OptA != diff.AnyOpt || opts.OptB != diff.AnyOpt {
		return usageErrorf("--a-opt and --b-opt apply to directories")
	}
	d := diff.Paths(opts.A, opts.B, ro, dopts)
	if d.Status == diff.Trouble && !opts.JSON {
		fmt.Fprintf(opts.IO.ErrOut, "pyc: %s\n", d.Error)
		return &silentError{exitTrouble}
	}
	switch {
	case opts.JSON:
		err = writeJSON(opts.IO.Out, d)
	case opts.Brief:
		if d.Differs() {
			what := "differ"
			if d.Status == diff.EncodingOnly {
				what = "differ only in encoding"
			}
			_, err = fmt.Fprintf(opts.IO.Out, "files %s and %s %s\n", opts.A, opts.B, what)
		}
	default:
		err = d.WriteText(opts.IO.Out)
	}
	if err != nil {
		return err
	}
	return diffStatus(d.Status == diff.Trouble, d.Differs())
}

// diffStatus maps a verdict to diff's exit statuses.
func diffStatus(trouble, differs bool) error {
	switch {
	case trouble:
		return &silentError{exitTrouble}
	case differs:
		return &silentError{ExitError}
	}
	return nil
}

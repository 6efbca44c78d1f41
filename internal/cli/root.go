// Package cli is the pyc command line: one file per command, each an
// options struct, a constructor that parses flags and a run function that
// does the work through the project's packages and prints to injected
// writers.
package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
)

// Exit statuses.
const (
	ExitOK    = 0 // success
	ExitError = 1 // failure, or (for check, diff) problems found
	ExitUsage = 2 // bad command line
)

// IO holds the streams a command reads and writes.
type IO struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
}

// IsTerminal reports whether Out is a terminal.
func (s *IO) IsTerminal() bool {
	f, ok := s.Out.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// usageError is a bad command line: exit status 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, a ...any) error {
	return &usageError{fmt.Errorf(format, a...)}
}

// silentError carries an exit status whose messages were printed already.
type silentError struct{ code int }

func (e *silentError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Main runs the pyc command line with args (without the program name) and
// returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ios := &IO{In: stdin, Out: stdout, ErrOut: stderr}
	return execute(newRoot(ios, args), args, ios)
}

// execute runs root on args and returns the exit status.
func execute(root *cobra.Command, args []string, ios *IO) int {
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var se *silentError
	if errors.As(err, &se) {
		return se.code
	}
	fmt.Fprintf(ios.ErrOut, "pyc: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitError
}

// commands are the constructors of the subcommands, by name, in the
// order help lists them (alphabetically, as cobra sorts them).
var commands = []struct {
	name string
	make func(*IO) *cobra.Command
}{
	{"asm", func(ios *IO) *cobra.Command { return newAsmCmd(ios, nil) }},
	{"bundle", func(ios *IO) *cobra.Command { return newBundleCmd(ios, nil) }},
	{"check", func(ios *IO) *cobra.Command { return newCheckCmd(ios, nil) }},
	{"compile", func(ios *IO) *cobra.Command { return newCompileCmd(ios, nil) }},
	{"diff", func(ios *IO) *cobra.Command { return newDiffCmd(ios, nil) }},
	{"dis", func(ios *IO) *cobra.Command { return newDisCmd(ios, nil) }},
	{"dump", func(ios *IO) *cobra.Command { return newDumpCmd(ios, nil) }},
	{"header", func(ios *IO) *cobra.Command { return newHeaderCmd(ios, nil) }},
	{"info", func(ios *IO) *cobra.Command { return newInfoCmd(ios, nil) }},
	{"interpreters", func(ios *IO) *cobra.Command { return newInterpretersCmd(ios, nil) }},
	{"run", func(ios *IO) *cobra.Command { return newRunCmd(ios, nil) }},
	{"scan", func(ios *IO) *cobra.Command { return newScanCmd(ios, nil) }},
	{"serve", func(ios *IO) *cobra.Command { return newServeCmd(ios, nil) }},
}

// NewRootCmd builds the command tree.
func NewRootCmd(ios *IO) *cobra.Command {
	root := newRootOnly(ios)
	for _, c := range commands {
		addCommand(root, c.make(ios))
	}
	return root
}

// newRoot builds the tree a command line needs: when it starts with the
// name of a subcommand, the root with that one only (what it parses, prints
// and runs is the same as in the whole tree, and pyc run --warm starts
// faster without building the others); otherwise the whole tree, for help,
// completion and suggestions.
func newRoot(ios *IO, args []string) *cobra.Command {
	if len(args) > 0 {
		for _, c := range commands {
			if c.name == args[0] {
				root := newRootOnly(ios)
				// "pyc completion" is not this command line.
				root.CompletionOptions.DisableDefaultCmd = true
				addCommand(root, c.make(ios))
				return root
			}
		}
	}
	return NewRootCmd(ios)
}

// newRootOnly returns the root command without subcommands.
func newRootOnly(ios *IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "pyc",
		Short: "Read, check, disassemble and write Python bytecode (.pyc) files",
		Long: `pyc reads, checks, disassembles and writes CPython bytecode files of every
version from 1.0 to 3.15 (and PyPy's, GraalPy's), from one static binary.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetIn(ios.In)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{err}
	})
	return root
}

// addCommand adds c to root, its argument errors made usage errors.
func addCommand(root, c *cobra.Command) {
	if args := c.Args; args != nil {
		c.Args = func(cmd *cobra.Command, a []string) error {
			if err := args(cmd, a); err != nil {
				return &usageError{err}
			}
			return nil
		}
	}
	root.AddCommand(c)
}

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

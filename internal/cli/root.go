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
	root := NewRootCmd(ios)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var se *silentError
	if errors.As(err, &se) {
		return se.code
	}
	fmt.Fprintf(stderr, "pyc: %v\n", err)
	var ue *usageError
	if errors.As(err, &ue) {
		return ExitUsage
	}
	return ExitError
}

// NewRootCmd builds the command tree.
func NewRootCmd(ios *IO) *cobra.Command {
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
	root.AddCommand(
		newInfoCmd(ios, nil),
		newDumpCmd(ios, nil),
		newCheckCmd(ios, nil),
		newDisCmd(ios, nil),
		newDiffCmd(ios, nil),
		newRunCmd(ios, nil),
		newInterpretersCmd(ios, nil),
		newServeCmd(ios, nil),
		newCompileCmd(ios, nil),
		newScanCmd(ios, nil),
		newBundleCmd(ios, nil),
		newAsmCmd(ios, nil),
		newHeaderCmd(ios, nil),
	)
	for _, c := range root.Commands() {
		if c.Args == nil {
			continue
		}
		args := c.Args
		c.Args = func(cmd *cobra.Command, a []string) error {
			if err := args(cmd, a); err != nil {
				return &usageError{err}
			}
			return nil
		}
	}
	return root
}

// writeJSON writes v as indented JSON followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pyc-tools/pyc/asm"
	"github.com/pyc-tools/pyc/pyc"
	"github.com/spf13/cobra"
)

type asmOptions struct {
	IO     *IO
	File   string
	Output string
}

func newAsmCmd(ios *IO, runF func(*asmOptions) error) *cobra.Command {
	opts := &asmOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "asm [-o OUT.pyc] FILE.pyasm",
		Short: "Assemble a pyc from assembly text (as pyc dis -f asm writes it)",
		Long: `Assemble a pyc file from assembly text: the header, the code objects with
their fields and constants, and their instructions with symbolic operands.
The assembler computes what depends on the instructions: opargs,
EXTENDED_ARG prefixes, inline caches, jump arguments, co_stacksize, the
line table and the exception table in the version's formats, and the
locals. Text printed by "pyc dis -f asm" assembles to the very bytes it
came from. The language is described in docs/asm.md.

The output goes to OUT.pyc (-o), else to FILE with its .pyasm extension
replaced by .pyc; it is written atomically (into a temporary file renamed
over OUT when complete: an interruption leaves the old OUT or the new one),
never over FILE itself. FILE "-" reads standard input (then -o is
required). Errors name the line and column.`,
		Example: `  pyc dis -f asm mod.pyc > mod.pyasm
  pyc asm mod.pyasm -o mod.pyc`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runAsm(opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Output, "output", "o", "", "write the pyc here")
	return cmd
}

func runAsm(opts *asmOptions) error {
	defer catchInterrupts(opts.IO.ErrOut)()
	out := opts.Output
	if out == "" {
		if opts.File == "-" {
			return usageErrorf("reading standard input needs -o")
		}
		out = strings.TrimSuffix(opts.File, ".pyasm") + ".pyc"
	}
	if opts.File != "-" && sameFile(opts.File, out) {
		return usageErrorf("-o %s is the input %s: refusing to write over it", out, opts.File)
	}
	var src []byte
	var err error
	if opts.File == "-" {
		src, err = io.ReadAll(opts.IO.In)
	} else {
		src, err = os.ReadFile(opts.File)
	}
	if err != nil {
		return err
	}
	f, err := asm.Assemble(src)
	if err != nil {
		var ae *asm.Error
		if errors.As(err, &ae) {
			ae.File = opts.File
			return ae
		}
		return fmt.Errorf("%s: %w", opts.File, err)
	}
	data, err := f.Bytes()
	if err != nil {
		return fmt.Errorf("%s: %w", opts.File, err)
	}
	return pyc.WriteFile(out, data, 0o644)
}

package cli

import (
	"bufio"

	"github.com/pyc-tools/pyc/inspect"
	"github.com/spf13/cobra"
)

type dumpOptions struct {
	IO   *IO
	Read readOpts
	JSON bool
	File string
}

func newDumpCmd(ios *IO, runF func(*dumpOptions) error) *cobra.Command {
	opts := &dumpOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "dump [--json] FILE",
		Short: "Print a pyc's whole object tree, every field of every code object",
		Long: `Print the whole marshal object tree of a pyc: every field of every code
object, every constant, with the type code each object was written with,
its FLAG_REF mark and reference index, and back-references where the stream
has them. Two different pycs always dump differently.

The JSON form (--json) is documented in docs/dump-json.md and stable.`,
		Example: `  pyc dump __pycache__/mod.cpython-312.pyc
  pyc dump --json mod.pyc | jq '.object.fields[] | select(.name=="co_names")'
  pyc dump --headerless --python-version 3.10 blob.bin`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runDump(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	opts.Read.addFlags(cmd.Flags())
	return cmd
}

func runDump(opts *dumpOptions) error {
	po, err := opts.Read.parseOptions()
	if err != nil {
		return err
	}
	f, err := opts.Read.open(opts.File, po)
	if err != nil {
		return err
	}
	doc := inspect.Dump(opts.File, f)
	if opts.JSON {
		return writeJSON(opts.IO.Out, doc)
	}
	w := bufio.NewWriter(opts.IO.Out)
	if err := inspect.WriteText(w, doc); err != nil {
		return err
	}
	return w.Flush()
}

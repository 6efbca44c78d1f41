package cli

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"text/tabwriter"

	"github.com/pyc-tools/pyc/run"
	"github.com/spf13/cobra"
)

type interpretersOptions struct {
	IO      *IO
	JSON    bool
	Refresh bool
	Python  string
}

func newInterpretersCmd(ios *IO, runF func(*interpretersOptions) error) *cobra.Command {
	opts := &interpretersOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "interpreters [--json] [--refresh]",
		Short: "List the Python interpreters pyc run can use",
		Long: `List the Python interpreters pyc run finds, in the order it considers
them: $PYC_PYTHON, pythonX.Y on $PATH, pyenv's versions, then python3 and
python on $PATH (one line per interpreter file). Each was asked its
implementation, version and magic number; answers are cached by file
identity, --refresh asks again.

With --json, an array of objects: path, implementation, version, major,
minor, magic (the 16-bit number), magic_hex (the four bytes), source.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return runInterpreters(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	cmd.Flags().BoolVar(&opts.Refresh, "refresh", false, "ask every interpreter again instead of using cached answers")
	cmd.Flags().StringVar(&opts.Python, "python", "", "list this interpreter first")
	return cmd
}

// interpreterJSON is one interpreter in pyc interpreters --json.
type interpreterJSON struct {
	Path           string `json:"path"`
	Implementation string `json:"implementation"`
	Version        string `json:"version"`
	Major          int    `json:"major"`
	Minor          int    `json:"minor"`
	Magic          uint16 `json:"magic"`
	MagicHex       string `json:"magic_hex"`
	Source         string `json:"source"`
}

func runInterpreters(opts *interpretersOptions) error {
	f := &run.Finder{Python: opts.Python, Fresh: opts.Refresh}
	if p := run.DefaultCachePath(); p != "" {
		f.Cache = &run.ProbeCache{Path: p}
	}
	ins, errs := f.All()
	for _, err := range errs {
		fmt.Fprintf(opts.IO.ErrOut, "pyc interpreters: %v\n", err)
	}
	if opts.JSON {
		out := make([]interpreterJSON, 0, len(ins))
		for _, in := range ins {
			out = append(out, interpreterJSON{Path: in.Path, Implementation: in.Impl.String(),
				Version: in.Version, Major: in.Major, Minor: in.Minor, Magic: in.MagicNumber(),
				MagicHex: hex.EncodeToString(in.Magic[:]), Source: in.Source})
		}
		return writeJSON(opts.IO.Out, out)
	}
	bw := bufio.NewWriter(opts.IO.Out)
	w := tabwriter.NewWriter(bw, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "IMPLEMENTATION\tVERSION\tMAGIC\tSOURCE\tPATH")
	for _, in := range ins {
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\n", in.Impl, in.Version, in.MagicNumber(), in.Source, in.Path)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return bw.Flush()
}

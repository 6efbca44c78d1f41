package cli

import (
	"bufio"
	"fmt"
	"io"

	"github.com/pyc-tools/pyc/inspect"
	"github.com/spf13/cobra"
)

type infoOptions struct {
	IO    *IO
	Read  readOpts
	JSON  bool
	Files []string
}

func newInfoCmd(ios *IO, runF func(*infoOptions) error) *cobra.Command {
	opts := &infoOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "info [--json] FILE...",
		Short: "Show a pyc's header: version, magic, invalidation mode, source stamp",
		Long: `Show what a pyc's header and top code object say: magic number, the
implementation and version that wrote it, the invalidation mode with its
mtime and source size or source hash, the marshal version, the code
object's file and name, and the file size.

With --json, one JSON object per file, in an array.`,
		Example: `  pyc info __pycache__/mod.cpython-311.pyc
  pyc info --json $(find . -name '*.pyc')`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if runF != nil {
				return runF(opts)
			}
			return runInfo(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	opts.Read.addFlags(cmd.Flags())
	return cmd
}

func runInfo(opts *infoOptions) error {
	po, err := opts.Read.parseOptions()
	if err != nil {
		return err
	}
	infos := make([]*inspect.Info, 0, len(opts.Files))
	failed := 0
	for _, name := range opts.Files {
		f, err := opts.Read.open(name, po)
		info := inspect.FileInfo(name, f, err)
		if info.Error != "" {
			failed++
			if !opts.JSON {
				fmt.Fprintf(opts.IO.ErrOut, "pyc: %s\n", info.Error)
			}
		}
		infos = append(infos, info)
	}
	if opts.JSON {
		if err := writeJSON(opts.IO.Out, infos); err != nil {
			return err
		}
	} else {
		w := bufio.NewWriter(opts.IO.Out)
		first := true
		for _, info := range infos {
			if info.Error != "" {
				continue
			}
			if !first {
				fmt.Fprintln(w)
			}
			first = false
			printInfo(w, info)
		}
		if err := w.Flush(); err != nil {
			return err
		}
	}
	if failed > 0 {
		return &silentError{ExitError}
	}
	return nil
}

func printInfo(w io.Writer, in *inspect.Info) {
	row := func(k, v string) { fmt.Fprintf(w, "%-15s %s\n", k+":", v) }
	row("file", in.File)
	row("size", fmt.Sprintf("%d bytes", in.Size))
	if in.Headerless {
		row("magic", "none (headerless marshal stream)")
	} else {
		row("magic", fmt.Sprintf("%d (%s)", in.Magic, in.MagicHex))
	}
	row("version", fmt.Sprintf("%s %s (release %s)", in.Implementation, in.Version, in.Release))
	if !in.Headerless {
		row("header", fmt.Sprintf("%d bytes", in.HeaderSize))
		row("mode", in.Mode)
		if in.Flags != nil {
			row("flags", fmt.Sprintf("0x%x", *in.Flags))
		}
		if in.Hash != "" {
			row("source hash", in.Hash)
		} else {
			row("mtime", fmt.Sprintf("%d (%s)", *in.Mtime, in.MtimeISO))
			if in.SourceSize != nil {
				row("source size", fmt.Sprintf("%d", *in.SourceSize))
			}
		}
	}
	row("marshal", fmt.Sprintf("version %d, code layout %s", in.MarshalVersion, in.Layout))
	if in.CodeFilename != "" || in.CodeName != "" {
		row("code", fmt.Sprintf("%s in %q", in.CodeName, in.CodeFilename))
	} else {
		row("object", in.TopType)
	}
	if in.TrailingBytes > 0 {
		row("trailing", fmt.Sprintf("%d bytes after the marshal stream", in.TrailingBytes))
	}
}

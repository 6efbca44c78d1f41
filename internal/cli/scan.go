package cli

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/pyc-tools/pyc/internal/interp"
	"github.com/pyc-tools/pyc/scan"
	"github.com/spf13/cobra"
)

type scanOptions struct {
	IO        *IO
	JSON      bool
	Prune     bool
	Yes       bool
	Installed []string
	Paths     []string
	// Detect finds the installed interpreters' cache tags (nil: package
	// interp); tests replace it.
	Detect func() []string
}

func newScanCmd(ios *IO, runF func(*scanOptions) error) *cobra.Command {
	opts := &scanOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "scan [--json] [--prune [--yes]] PATH...",
		Short: "Inventory the pycs under directories: source, tag, level, fresh or stale or useless",
		Long: `List every pyc (.pyc, .pyo) under the paths with its source, cache tag,
optimization level, size and status, then totals by status and by version.

Statuses, decided in this order:
  corrupt     does not decode (bad magic, truncated, bad marshal stream)
  orphan      in __pycache__ without its source: never loaded
  sourceless  a legacy x.pyc without x.py: imported as the module itself
  foreign     its name's cache tag disagrees with its magic number, or no
              interpreter of its tag is installed here (see --installed)
  stale       the source changed (mtime and size, or source hash, by the
              rules of the pyc's version and invalidation mode)
  fresh       otherwise (unchecked-hash pycs are always fresh)

--prune removes the stale, orphan and corrupt pycs. Without --yes it only
lists what it would remove.`,
		Example: `  pyc scan .
  pyc scan --json /usr/lib/python3/dist-packages | jq '.totals'
  pyc scan --prune --yes src/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if opts.Yes && !opts.Prune {
				return usageErrorf("--yes goes with --prune")
			}
			if runF != nil {
				return runF(opts)
			}
			return runScan(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON: every pyc, the totals, and what --prune did")
	cmd.Flags().BoolVar(&opts.Prune, "prune", false, "remove stale, orphan and corrupt pycs (a dry run without --yes)")
	cmd.Flags().BoolVar(&opts.Yes, "yes", false, "with --prune: really remove them")
	cmd.Flags().StringSliceVar(&opts.Installed, "installed", nil, "cache tags of the interpreters to count as installed, such as cpython-311,cpython-27 (default: those found on PATH and under pyenv)")
	return cmd
}

type scanReport struct {
	Files  []scan.Entry `json:"files"`
	Totals *scan.Totals `json:"totals"`
	Prune  *pruneReport `json:"prune,omitempty"`
	Errors []string     `json:"errors,omitempty"`
}

type pruneReport struct {
	DryRun  bool           `json:"dry_run"`
	Removed []scan.Removal `json:"removed"`
}

func runScan(opts *scanOptions) error {
	if opts.Prune && opts.Yes {
		defer catchInterrupts(opts.IO.ErrOut)()
	}
	installed := opts.Installed
	if installed == nil {
		detect := opts.Detect
		if detect == nil {
			detect = func() []string {
				var tags []string
				for _, in := range interp.Installed() {
					tags = append(tags, in.Tag())
				}
				return tags
			}
		}
		installed = detect()
		if installed == nil {
			installed = []string{}
		}
	}
	rep := scanReport{Files: []scan.Entry{}, Totals: scan.NewTotals()}
	w := bufio.NewWriter(opts.IO.Out)
	defer w.Flush()
	err := scan.Scan(opts.Paths, scan.Options{Installed: installed}, func(e scan.Entry) {
		rep.Files = append(rep.Files, e)
		rep.Totals.Add(e)
		if !opts.JSON {
			printEntry(w, e)
		}
	})
	failed := false
	if err != nil {
		failed = true
		for _, line := range strings.Split(err.Error(), "\n") {
			rep.Errors = append(rep.Errors, line)
			if !opts.JSON {
				fmt.Fprintf(opts.IO.ErrOut, "pyc: %s\n", line)
			}
		}
	}
	if opts.Prune {
		pr := &pruneReport{DryRun: !opts.Yes, Removed: []scan.Removal{}}
		if opts.Yes {
			pr.Removed = scan.Prune(rep.Files)
		} else {
			for _, e := range rep.Files {
				if e.Status.Prunable() {
					pr.Removed = append(pr.Removed, scan.Removal{Path: e.Path, Status: e.Status, Size: e.Size})
				}
			}
		}
		for _, r := range pr.Removed {
			if r.Err != "" {
				failed = true
			}
		}
		rep.Prune = pr
	}
	if opts.JSON {
		if err := writeJSON(w, rep); err != nil {
			return err
		}
	} else {
		printTotals(w, rep.Totals)
		if rep.Prune != nil {
			printPrune(w, opts.IO.ErrOut, rep.Prune)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if failed {
		return &silentError{ExitError}
	}
	return nil
}

func printEntry(w io.Writer, e scan.Entry) {
	tag := e.Tag
	if e.Legacy {
		tag = "legacy"
	}
	if tag == "" {
		tag = "-"
	}
	fmt.Fprintf(w, "%-10s %-12s opt-%d %9d  %s", e.Status, tag, e.Opt, e.Size, e.Path)
	if e.Status == scan.Fresh && e.Source != "" {
		fmt.Fprintf(w, "  <- %s", e.Source)
	}
	if e.Reason != "" && e.Status != scan.Fresh {
		fmt.Fprintf(w, "  (%s)", e.Reason)
	}
	fmt.Fprintln(w)
}

func printTotals(w io.Writer, t *scan.Totals) {
	fmt.Fprintf(w, "\n%d pycs, %d bytes\n", t.All.Files, t.All.Bytes)
	for _, s := range scan.Statuses() {
		c := t.ByStatus[s.String()]
		if c.Files > 0 {
			fmt.Fprintf(w, "  %-14s %6d files %12d bytes\n", s, c.Files, c.Bytes)
		}
	}
	for _, v := range t.Versions() {
		c := t.ByVersion[v]
		fmt.Fprintf(w, "  %-14s %6d files %12d bytes\n", v, c.Files, c.Bytes)
	}
}

func printPrune(w, errOut io.Writer, p *pruneReport) {
	var n int
	var bytes int64
	for _, r := range p.Removed {
		if r.Err != "" {
			fmt.Fprintf(errOut, "pyc: cannot remove %s: %s\n", r.Path, r.Err)
			continue
		}
		n++
		bytes += r.Size
	}
	if p.DryRun {
		fmt.Fprintf(w, "\nwould remove %d pycs (%d bytes):\n", n, bytes)
		for _, r := range p.Removed {
			fmt.Fprintf(w, "  %s (%s)\n", r.Path, r.Status)
		}
		if n > 0 {
			fmt.Fprintln(w, "run again with --yes to remove them")
		}
		return
	}
	fmt.Fprintf(w, "\nremoved %d pycs (%d bytes):\n", n, bytes)
	for _, r := range p.Removed {
		if r.Err == "" {
			fmt.Fprintf(w, "  %s (%s)\n", r.Path, r.Status)
		}
	}
}

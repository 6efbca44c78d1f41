package cli

import (
	"bufio"
	"fmt"

	"github.com/pyc-tools/pyc/check"
	"github.com/spf13/cobra"
)

type checkOptions struct {
	IO       *IO
	Read     readOpts
	JSON     bool
	NoSource bool
	Verbose  bool
	Paths    []string
}

func newCheckCmd(ios *IO, runF func(*checkOptions) error) *cobra.Command {
	opts := &checkOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "check [--json] PATH...",
		Short: "Verify pycs: full decode, byte-exact re-encode, freshness against the source",
		Long: `Check pyc files, and every .pyc/.pyo under directories, recursively:
  - the whole file decodes (header and marshal stream);
  - encoding it again gives back the identical bytes;
  - where its source is found (above __pycache__ by PEP 3147 naming, or
    x.py beside a legacy x.pyc), it is fresh by importlib's own rules for
    its invalidation mode: mtime and size for timestamp pycs, the source
    hash for checked-hash pycs (unchecked-hash pycs are never stale).

Prints one line per problem and a closing line "N checked, N ok, N failed";
exits 1 if any file failed.`,
		Example: `  pyc check __pycache__
  pyc check --json build/lib | jq '.failed'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if runF != nil {
				return runF(opts)
			}
			return runCheck(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON: every result and the totals")
	cmd.Flags().BoolVar(&opts.NoSource, "no-source", false, "skip the freshness check")
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "also print a line for every file that is ok")
	opts.Read.addFlags(cmd.Flags())
	return cmd
}

type checkReport struct {
	Results []check.Result `json:"results"`
	Checked int            `json:"checked"`
	OK      int            `json:"ok"`
	Failed  int            `json:"failed"`
}

func runCheck(opts *checkOptions) error {
	po, err := opts.Read.parseOptions()
	if err != nil {
		return err
	}
	w := bufio.NewWriter(opts.IO.Out)
	defer w.Flush()
	rep := checkReport{Results: []check.Result{}}
	err = check.Paths(opts.Paths, check.Options{Parse: po, NoSource: opts.NoSource}, func(r check.Result) {
		rep.Checked++
		if r.OK() {
			rep.OK++
		} else {
			rep.Failed++
		}
		if opts.JSON {
			rep.Results = append(rep.Results, r)
			return
		}
		for _, p := range r.Problems {
			fmt.Fprintf(w, "%s: %s\n", r.Path, p)
		}
		if r.OK() && opts.Verbose {
			status := "ok"
			if r.Freshness != "" {
				status += ", " + r.Freshness
			}
			fmt.Fprintf(w, "%s: %s (%s)\n", r.Path, status, r.Version)
		}
	})
	if err != nil {
		return err
	}
	if opts.JSON {
		if err := writeJSON(w, rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(w, "%d checked, %d ok, %d failed\n", rep.Checked, rep.OK, rep.Failed)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if rep.Failed > 0 {
		return &silentError{ExitError}
	}
	return nil
}

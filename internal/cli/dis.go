package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pyc-tools/pyc/asm"
	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
	"github.com/spf13/cobra"
)

type disOptions struct {
	IO            *IO
	Read          readOpts
	Format        string
	JSON          bool
	Code          string
	ShowCaches    bool
	ShowOffsets   bool
	ShowPositions bool
	Files         []string
}

func newDisCmd(ios *IO, runF func(*disOptions) error) *cobra.Command {
	opts := &disOptions{IO: ios}
	cmd := &cobra.Command{
		Use:   "dis [flags] FILE...",
		Short: "Disassemble pycs exactly as their own Python version's dis does",
		Long: `Print what dis.dis(code) of the pyc's own Python version prints for the
code object in the file: 3.7 and later recurse into nested code objects, and
for older versions the nested code objects follow in the same format.
Object addresses in "<code object ... at 0x...>" are stable dummies, and
frozenset constants print in the order stored in the file. Versions that
cannot be run here use the format of the nearest version that can.

With several files, each listing is preceded by a "==> FILE <==" line.

--show-caches (3.11+), --show-offsets (3.13+) and --show-positions (3.13+)
do what the options of the same names do in that version's dis.
--code QUALNAME disassembles one function or class body (as named by its
__qualname__, e.g. "Parser.parse" or "outer.<locals>.inner").
--json prints the instructions, line starts and exception table of every
code object instead. -f asm prints assembly text that "pyc asm" turns back
into the same file (see docs/asm.md).`,
		Example: `  pyc dis __pycache__/mod.cpython-312.pyc
  pyc dis --code Parser.parse mod.pyc
  pyc dis --show-caches mod.cpython-311.pyc
  pyc dis --json mod.pyc | jq '.instructions | length'
  pyc dis -f asm mod.pyc > mod.pyasm`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if runF != nil {
				return runF(opts)
			}
			return runDis(opts)
		},
	}
	fs := cmd.Flags()
	fs.StringVarP(&opts.Format, "format", "f", "dis", "output format: dis, json or asm")
	fs.BoolVar(&opts.JSON, "json", false, "same as --format json")
	fs.StringVar(&opts.Code, "code", "", "disassemble only the code object with this qualified name")
	fs.BoolVar(&opts.ShowCaches, "show-caches", false, "show inline cache entries (3.11+)")
	fs.BoolVar(&opts.ShowOffsets, "show-offsets", false, "show instruction offsets (3.13+)")
	fs.BoolVar(&opts.ShowPositions, "show-positions", false, "show source positions (3.13+)")
	opts.Read.addFlags(fs)
	return cmd
}

func runDis(opts *disOptions) error {
	po, err := opts.Read.parseOptions()
	if err != nil {
		return err
	}
	if opts.JSON {
		opts.Format = "json"
	}
	switch opts.Format {
	case "dis", "json":
	case "asm":
		if len(opts.Files) > 1 {
			return usageErrorf("-f asm takes one file")
		}
		if opts.Code != "" || opts.ShowCaches || opts.ShowOffsets || opts.ShowPositions {
			return usageErrorf("-f asm writes whole files: --code and --show-* do not apply")
		}
	default:
		return usageErrorf("--format: unknown format %q (want dis, json or asm)", opts.Format)
	}
	w := bufio.NewWriterSize(opts.IO.Out, 64<<10)
	defer w.Flush()
	// JSON for several files is an array, written one element at a time
	// so that memory does not grow with the number of files.
	js := &jsonStream{w: w, array: len(opts.Files) > 1}
	failed := 0
	for _, name := range opts.Files {
		if len(opts.Files) > 1 && opts.Format == "dis" {
			fmt.Fprintf(w, "==> %s <==\n", name)
		}
		res, err := disOne(w, opts, name, po)
		var ue *usageError
		if errors.As(err, &ue) {
			return err
		}
		if err != nil {
			failed++
			w.Flush()
			fmt.Fprintf(opts.IO.ErrOut, "pyc: %v\n", err)
			continue
		}
		if res != nil {
			if err := js.add(res); err != nil {
				return err
			}
		}
	}
	if opts.Format == "json" {
		if err := js.end(); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if failed > 0 {
		return &silentError{ExitError}
	}
	return nil
}

// jsonStream writes what writeJSON writes for one value, or for an array
// of values given one at a time; "null" when there is none.
type jsonStream struct {
	w     *bufio.Writer
	array bool
	n     int
	buf   bytes.Buffer
}

func (s *jsonStream) add(v any) error {
	s.buf.Reset()
	enc := json.NewEncoder(&s.buf)
	enc.SetEscapeHTML(false)
	if s.array {
		enc.SetIndent("  ", "  ")
	} else {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	switch {
	case !s.array:
	case s.n == 0:
		s.w.WriteString("[\n  ")
	default:
		s.w.WriteString(",\n  ")
	}
	s.n++
	_, err := s.w.Write(bytes.TrimSuffix(s.buf.Bytes(), []byte("\n")))
	return err
}

func (s *jsonStream) end() error {
	var err error
	switch {
	case s.n == 0:
		_, err = s.w.WriteString("null\n")
	case s.array:
		_, err = s.w.WriteString("\n]\n")
	default:
		_, err = s.w.WriteString("\n")
	}
	return err
}

type disJSON struct {
	File    string           `json:"file"`
	Version string           `json:"version"`
	Code    *disasm.JSONCode `json:"code"`
}

func disOne(w *bufio.Writer, opts *disOptions, name string, po pyc.ParseOptions) (any, error) {
	f, err := opts.Read.open(name, po)
	if err != nil {
		return nil, err
	}
	v := f.Version()
	top := f.TopCode()
	if top == nil {
		if !v.Layout.CPython() {
			return nil, f.Locate(name, fmt.Errorf("%s stores its own bytecode format, which pyc reads (pyc dump) but does not disassemble", v))
		}
		return nil, f.Locate(name, fmt.Errorf("the file holds a %s, not a code object", marshal.KindName(f.Code)))
	}
	switch {
	case opts.ShowCaches && !v.AtLeast(3, 11):
		return nil, usageErrorf("%s: --show-caches needs Python 3.11 or later (the file is %s)", name, v.XY())
	case opts.ShowOffsets && !v.AtLeast(3, 13):
		return nil, usageErrorf("%s: --show-offsets needs Python 3.13 or later (the file is %s)", name, v.XY())
	case opts.ShowPositions && !v.AtLeast(3, 13):
		return nil, usageErrorf("%s: --show-positions needs Python 3.13 or later (the file is %s)", name, v.XY())
	}
	if opts.Format == "asm" {
		f.Header.Version = v
		if err := asm.Print(w, f); err != nil {
			return nil, f.Locate(name, err)
		}
		return nil, nil
	}
	c, err := disasm.NewCode(top, v)
	if err != nil {
		return nil, f.Locate(name, err)
	}
	if opts.Code != "" {
		found, ok := disasm.Find(c, opts.Code)
		if !ok {
			paths := disasm.CodePaths(c)
			if len(paths) > 12 {
				paths = append(paths[:12], "...")
			}
			return nil, fmt.Errorf("%s: no code object named %q; there are: %s", name, opts.Code, strings.Join(paths, ", "))
		}
		c = found
	}
	if opts.Format == "json" {
		j, err := disasm.JSON(c)
		if err != nil {
			return nil, f.Locate(name, err)
		}
		return &disJSON{File: name, Version: v.XY(), Code: j}, nil
	}
	err = disasm.Dis(w, c, disasm.DisOptions{
		ShowCaches:    opts.ShowCaches,
		ShowOffsets:   opts.ShowOffsets,
		ShowPositions: opts.ShowPositions,
	})
	var ce *pyc.CodeError
	if errors.As(err, &ce) {
		return nil, f.Locate(name, err)
	}
	return nil, err // writing failed
}

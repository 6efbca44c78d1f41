package cli

import (
	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/pyc"
	"github.com/spf13/pflag"
)

// readOpts are the options every reading command shares.
type readOpts struct {
	PythonVersion string
	Headerless    bool
}

func (o *readOpts) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.PythonVersion, "python-version", "", "read as this version (X.Y, pypyX.Y, ...) whatever the magic says")
	fs.BoolVar(&o.Headerless, "headerless", false, "input is a bare marshal stream (needs --python-version)")
}

// parseOptions checks the flags and turns them into pyc.ParseOptions.
func (o *readOpts) parseOptions() (pyc.ParseOptions, error) {
	var po pyc.ParseOptions
	if o.PythonVersion != "" {
		v, err := pyc.ParseVersion(o.PythonVersion)
		if err != nil {
			return po, usageErrorf("--python-version: %v", err)
		}
		po.Version = v
	}
	if o.Headerless {
		if po.Version == nil {
			return po, usageErrorf("--headerless needs --python-version")
		}
		po.Headerless = true
	}
	return po, nil
}

// open reads one file with the options. Unless the version was given, the
// bytecode may refine what the magic says (PyPy 3.8 reused CPython's magic).
func (o *readOpts) open(path string, po pyc.ParseOptions) (*pyc.File, error) {
	f, err := pyc.OpenWith(path, po)
	if err != nil || po.Version != nil {
		return f, err
	}
	f.Header.Version = disasm.Refine(f.Version(), f.TopCode())
	return f, nil
}

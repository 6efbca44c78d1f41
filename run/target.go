package run

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/pyc"
)

// Kind is what a target file is.
type Kind uint8

// The kinds of program pyc run runs.
const (
	// PycFile is one pyc, run as __main__.
	PycFile Kind = iota
	// ZipBundle is a zip archive with __main__.pyc (or __main__.py) at its
	// root, run as the interpreter runs zip applications.
	ZipBundle
	// Directory is a directory with __main__.pyc (or __main__.py).
	Directory
)

// String returns "pyc", "zip" or "dir", the names the Python side uses.
func (k Kind) String() string {
	switch k {
	case PycFile:
		return "pyc"
	case ZipBundle:
		return "zip"
	case Directory:
		return "dir"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Target is a program to run.
type Target struct {
	// Path is the file or directory as given: it becomes sys.argv[0].
	Path string
	// Kind is what Path is.
	Kind Kind
	// Version is what the pyc (a bundle's __main__.pyc) was written by;
	// nil for a bundle whose __main__ is source only.
	Version *pyc.Version
	// Main names the member that decided Version, for bundles.
	Main string
}

// ErrNoMain is returned for a bundle or directory without __main__.
var ErrNoMain = errors.New("no __main__.pyc or __main__.py at its top level")

// OpenTarget looks at path: a pyc (by its magic number), a zip bundle or a
// directory, and finds the Python version that must run it.
func OpenTarget(path string) (*Target, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		t := &Target{Path: path, Kind: Directory}
		data, err := os.ReadFile(filepath.Join(path, "__main__.pyc"))
		switch {
		case err == nil:
			t.Main = "__main__.pyc"
			t.Version, err = versionOf(data, filepath.Join(path, "__main__.pyc"))
			return t, err
		case !os.IsNotExist(err):
			return nil, err
		}
		if _, err := os.Stat(filepath.Join(path, "__main__.py")); err == nil {
			t.Main = "__main__.py"
			return t, nil
		}
		return nil, fmt.Errorf("%s: %w", path, ErrNoMain)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var head [4]byte
	if _, err := io.ReadFull(f, head[:]); err == nil {
		if _, ok := pyc.LookupMagic(head); ok {
			data := make([]byte, st.Size())
			copy(data, head[:])
			if _, err := io.ReadFull(f, data[4:]); err != nil {
				return nil, err
			}
			v, err := versionOf(data, path)
			if err != nil {
				return nil, err
			}
			return &Target{Path: path, Kind: PycFile, Version: v}, nil
		}
	}
	zr, zerr := zip.NewReader(f, st.Size())
	if zerr != nil {
		// Neither: report it as a pyc with a bad magic.
		_, err := pyc.Parse(head[:], pyc.ParseOptions{Path: path})
		if err == nil {
			err = fmt.Errorf("%s: not a pyc or a zip bundle", path)
		}
		return nil, err
	}
	t := &Target{Path: path, Kind: ZipBundle}
	var src bool
	for _, zf := range zr.File {
		switch zf.Name {
		case "__main__.pyc":
			rc, err := zf.Open()
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %v", path, zf.Name, err)
			}
			data, err := io.ReadAll(io.LimitReader(rc, 1<<28))
			rc.Close()
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %v", path, zf.Name, err)
			}
			t.Main = zf.Name
			t.Version, err = versionOf(data, path+"/"+zf.Name)
			return t, err
		case "__main__.py":
			src = true
		}
	}
	if src {
		t.Main = "__main__.py"
		return t, nil
	}
	return nil, fmt.Errorf("%s: %w", path, ErrNoMain)
}

// versionOf reads the version from a pyc's magic. Where the magic alone
// cannot tell the implementation (PyPy 3.8 wrote CPython 3.8's), the
// bytecode decides.
func versionOf(data []byte, name string) (*pyc.Version, error) {
	var raw [4]byte
	copy(raw[:], data)
	v, ok := pyc.LookupMagic(raw)
	if !ok || len(data) < v.HeaderSize {
		_, err := pyc.Parse(data, pyc.ParseOptions{Path: name})
		return nil, err
	}
	if disasm.MayBePyPy(v) {
		f, err := pyc.Parse(data, pyc.ParseOptions{Path: name})
		if err != nil {
			return nil, err
		}
		v = disasm.Refine(v, f.TopCode())
	}
	return v, nil
}

package build

import (
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// File assembles c as the top-level code object of a pyc file of its
// version: a timestamp header with mtime and source size 0 (set them, or
// another mode, on the result's Header), the marshal stream with every
// object encoded as CPython's marshal of that version would.
func (c *Code) File() (*pyc.File, error) {
	annots := map[marshal.Value]Spec{}
	m, err := c.AssembleWith(Options{Annots: annots})
	if err != nil {
		return nil, err
	}
	top, err := Finalize(m, c.Version, annots)
	if err != nil {
		return nil, err
	}
	return &pyc.File{Header: pyc.Header{Magic: c.Version.Raw, Version: c.Version}, Code: top}, nil
}

package pyc

import (
	"fmt"

	"github.com/pyc-tools/pyc/marshal"
)

// Implementation is the Python implementation that wrote a pyc.
type Implementation uint8

// The implementations whose pycs exist in the wild.
const (
	CPython Implementation = iota
	PyPy
	GraalPy
	RustPython
)

func (i Implementation) String() string {
	switch i {
	case CPython:
		return "CPython"
	case PyPy:
		return "PyPy"
	case GraalPy:
		return "GraalPy"
	case RustPython:
		return "RustPython"
	}
	return fmt.Sprintf("Implementation(%d)", uint8(i))
}

// LineTableFormat names the encoding of a code object's line table.
type LineTableFormat uint8

// The line-table formats.
const (
	// LineTableNone: no line table (Python 1.0 to 1.4; SET_LINENO opcodes
	// carry line numbers).
	LineTableNone LineTableFormat = iota
	// LineTableLnotab: co_lnotab byte pairs, unsigned line deltas (1.5 to 3.5).
	LineTableLnotab
	// LineTableLnotabSigned: co_lnotab with signed line deltas (3.6 to 3.9).
	LineTableLnotabSigned
	// LineTable310: 3.10's co_linetable (byte-offset delta, signed line delta).
	LineTable310
	// LineTableLocations: the 3.11+ location table with columns.
	LineTableLocations
)

func (f LineTableFormat) String() string {
	switch f {
	case LineTableNone:
		return "none"
	case LineTableLnotab:
		return "lnotab"
	case LineTableLnotabSigned:
		return "lnotab-signed"
	case LineTable310:
		return "linetable-3.10"
	case LineTableLocations:
		return "locations"
	}
	return fmt.Sprintf("LineTableFormat(%d)", uint8(f))
}

// Version describes one magic number: who wrote files with it and how they
// are laid out. Everything that depends on the Python version is answered
// here, once, from the magic number.
type Version struct {
	// Magic is the 16-bit magic number (the first two bytes, little-endian).
	Magic uint16
	// Raw is the whole 4-byte magic as it appears in the file.
	Raw [4]byte
	// Impl is the implementation.
	Impl Implementation
	// Major and Minor are the language version, such as 3 and 11.
	Major, Minor int
	// Release names the release or pre-release that introduced the magic,
	// such as "3.11a7" or "2.7" (informational).
	Release string
	// HeaderSize is 8, 12 or 16.
	HeaderSize int
	// MarshalVersion is the marshal format version the writer used (0 to 5).
	MarshalVersion int
	// Layout is the code-object layout.
	Layout marshal.Layout
	// LineTable is the line-table format.
	LineTable LineTableFormat
	// Unicode reports a "-U" variant magic (1.6 to 3.1: magic + 1, written
	// when the interpreter ran with -U).
	Unicode bool
	// WordCode reports 2-byte instructions (3.6 and later).
	WordCode bool
}

// String returns e.g. "CPython 3.11 (magic 3495)".
func (v *Version) String() string {
	return fmt.Sprintf("%s %d.%d (magic %d)", v.Impl, v.Major, v.Minor, v.Magic)
}

// XY returns the language version as "X.Y".
func (v *Version) XY() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// AtLeast reports whether the language version is at least major.minor.
func (v *Version) AtLeast(major, minor int) bool {
	return v.Major > major || v.Major == major && v.Minor >= minor
}

// Package pyunicode answers str.isprintable() the way a given CPython 3
// version does.
//
// CPython 3's repr of a str escapes every character that is not printable,
// and printability comes from the Unicode database that version ships
// (unicodedata.unidata_version): 3.6 uses Unicode 9.0.0, 3.7 11.0.0, 3.8
// 12.1.0, 3.9 and 3.10 13.0.0, 3.11 14.0.0, 3.12 15.0.0, 3.13 15.1.0, 3.14
// 16.0.0 and 3.15 17.0.0. Go's unicode.IsPrint follows Go's own Unicode
// version, so it cannot stand in for it.
//
// A character is printable unless its general category is Cc, Cf, Cs, Co,
// Cn, Zl, Zp or Zs, except that U+0020 SPACE is printable. In particular
// unassigned code points and the surrogates U+D800..U+DFFF are not.
//
// The tables are generated from fact files dumped from the interpreters
// themselves; see internal/gen/unicodegen.
package pyunicode

//go:generate go run ../gen/unicodegen

// Table is one Unicode database version's set of printable code points.
type Table struct {
	version string
	// r16 and r32 hold first and last code point of each maximal range
	// of printable code points, ascending: r16 those below U+10000, r32
	// the rest.
	r16 []uint16
	r32 []uint32
}

// For returns the table CPython major.minor uses. Versions older than the
// oldest known (3.6), including Python 2, get the oldest table; versions
// newer than the newest known get the newest; a version in between without
// facts of its own gets the nearest older version's.
func For(major, minor int) *Table {
	switch {
	case major < 3 || (major == 3 && minor < 0):
		return byMinor[0]
	case major > 3 || minor >= len(byMinor):
		return byMinor[len(byMinor)-1]
	}
	return byMinor[minor]
}

// IsPrintable reports whether chr(r).isprintable() is true in CPython
// major.minor (see For for versions without tables of their own). Code
// points outside 0..0x10FFFF are not printable.
func IsPrintable(major, minor int, r rune) bool {
	if r < 0x80 {
		return 0x20 <= r && r < 0x7f
	}
	return For(major, minor).IsPrintable(r)
}

// UnicodeVersion returns the unicodedata.unidata_version of the table
// CPython major.minor uses, such as "13.0.0".
func UnicodeVersion(major, minor int) string {
	return For(major, minor).version
}

// UnicodeVersion returns the table's Unicode database version, such as
// "13.0.0".
func (t *Table) UnicodeVersion() string { return t.version }

// IsPrintable reports whether chr(r).isprintable() is true under the
// table's Unicode version. Code points outside 0..0x10FFFF are not
// printable.
func (t *Table) IsPrintable(r rune) bool {
	switch {
	case r < 0x80:
		return 0x20 <= r && r < 0x7f
	case r <= 0xFFFF:
		return in16(t.r16, uint16(r))
	case r <= 0x10FFFF:
		return in32(t.r32, uint32(r))
	}
	return false
}

// in16 reports whether c lies in one of the ranges of pairs.
func in16(pairs []uint16, c uint16) bool {
	// Find the first range whose last code point is at least c.
	lo, hi := 0, len(pairs)/2
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if pairs[2*m+1] < c {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(pairs)/2 && pairs[2*lo] <= c
}

// in32 reports whether c lies in one of the ranges of pairs.
func in32(pairs []uint32, c uint32) bool {
	lo, hi := 0, len(pairs)/2
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if pairs[2*m+1] < c {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(pairs)/2 && pairs[2*lo] <= c
}

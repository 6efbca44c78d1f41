package disasm

import (
	"github.com/pyc-tools/pyc/pyc"
)

// NoLine marks an instruction range without a line number (None in
// Python).
const NoLine = -1

// LineStart is one entry of dis.findlinestarts: the offset where a line's
// code starts, and the line (NoLine where the version yields None).
type LineStart struct {
	Offset int
	Line   int
}

// LineRange is one entry of code.co_lines(): the bytes [Start, End) belong
// to Line (NoLine for none).
type LineRange struct {
	Start, End int
	Line       int
}

// Position is one entry of code.co_positions() (3.11+): the source span of
// one code unit. Missing values are NoLine.
type Position struct {
	Line, EndLine, Col, EndCol int
}

// LineStarts returns what that version's dis.findlinestarts yields.
func (c *Code) LineStarts() []LineStart {
	switch c.Version.LineTable {
	case pyc.LineTableNone:
		return nil
	case pyc.LineTableLnotab, pyc.LineTableLnotabSigned:
		return c.lnotabStarts()
	}
	var out []LineStart
	identity := c.Version.AtLeast(3, 13)
	last, have := 0, false
	for _, r := range c.Lines() {
		if identity {
			// 3.13 compares with "is not": None and each distinct line
			// start anew.
			if have && r.Line == last && r.Line != NoLine && smallInt(r.Line) {
				continue
			}
			if have && r.Line == NoLine && last == NoLine {
				continue
			}
		} else if r.Line == NoLine || have && r.Line == last {
			continue
		}
		last, have = r.Line, true
		out = append(out, LineStart{r.Start, r.Line})
	}
	return out
}

// smallInt reports whether CPython caches the int object for n, so that
// two separately made ints equal to n are the same object.
func smallInt(n int) bool { return n >= -5 && n <= 256 }

func (c *Code) lnotabStarts() []LineStart {
	tab := c.LineTableBytes()
	signed := c.Version.LineTable == pyc.LineTableLnotabSigned
	// 3.8 and 3.9 stop at the first offset past the end of the bytecode:
	// the lines after it were optimised away.
	cut := c.Version.AtLeast(3, 8) && !c.Version.AtLeast(3, 10)
	size := len(c.Bytecode())
	var out []LineStart
	line := int(c.FirstLineNo)
	last, have := 0, false
	addr := 0
	for i := 0; i+1 < len(tab); i += 2 {
		if tab[i] != 0 {
			if !have || line != last {
				out = append(out, LineStart{addr, line})
				last, have = line, true
			}
			addr += int(tab[i])
			if cut && addr >= size {
				return out
			}
		}
		d := int(tab[i+1])
		if signed && d >= 0x80 {
			d -= 0x100
		}
		line += d
	}
	if !have || line != last {
		out = append(out, LineStart{addr, line})
	}
	return out
}

// Lines returns what code.co_lines() yields (3.10+); for older versions it
// derives ranges from the line starts.
func (c *Code) Lines() []LineRange {
	switch c.Version.LineTable {
	case pyc.LineTable310:
		return mergeRanges(c.ranges310(), false)
	case pyc.LineTableLocations:
		tab := c.LineTableBytes()
		// Entries take two bytes or more: half the table bounds their count.
		rs := make([]LineRange, 0, len(tab)/2+1)
		off := 0
		walkLocations(tab, int(c.FirstLineNo), func(n int, p Position) {
			rs = append(rs, LineRange{off, off + 2*n, p.Line})
			off += 2 * n
		})
		return mergeRanges(rs, c.Version.AtLeast(3, 12))
	}
	starts := c.LineStarts()
	n := len(c.Bytecode())
	out := make([]LineRange, 0, len(starts))
	for i, s := range starts {
		end := n
		if i+1 < len(starts) {
			end = starts[i+1].Offset
		}
		out = append(out, LineRange{s.Offset, end, s.Line})
	}
	return out
}

// ranges310 reads 3.10's co_linetable: byte pairs of (offset delta,
// signed line delta), -128 meaning no line. Empty ranges are dropped.
func (c *Code) ranges310() []LineRange {
	tab := c.LineTableBytes()
	line := int(c.FirstLineNo)
	end := 0
	var out []LineRange
	for i := 0; i+1 < len(tab); i += 2 {
		start := end
		end += int(tab[i])
		ld := int(int8(tab[i+1]))
		l := NoLine
		if ld != -128 {
			line += ld
			l = line
		}
		if start == end {
			continue
		}
		out = append(out, LineRange{start, end, l})
	}
	return out
}

// mergeRanges joins neighbouring ranges of the same line, as co_lines does
// from 3.12 (merge true); 3.10 and 3.11 yield them as they are.
func mergeRanges(rs []LineRange, merge bool) []LineRange {
	if !merge || len(rs) == 0 {
		return rs
	}
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.Line == last.Line && r.Start == last.End {
			last.End = r.End
			continue
		}
		out = append(out, r)
	}
	return out
}

// Positions returns co_positions() (3.11+): one Position per 2-byte code
// unit. Older versions give each unit its line and no columns.
func (c *Code) Positions() []Position {
	n := len(c.Bytecode()) / 2
	out := make([]Position, 0, n)
	if c.Version.LineTable != pyc.LineTableLocations {
		for _, r := range c.Lines() {
			for off := r.Start; off < r.End; off += 2 {
				out = append(out, Position{r.Line, r.Line, NoLine, NoLine})
			}
		}
		return out
	}
	walkLocations(c.LineTableBytes(), int(c.FirstLineNo), func(k int, p Position) {
		for i := 0; i < k; i++ {
			out = append(out, p)
		}
	})
	return out
}

// ParseLocations decodes a 3.11+ location table (co_linetable) into one
// Position per code unit it covers, as co_positions() yields them.
func ParseLocations(tab []byte, firstLine int) []Position {
	var out []Position
	walkLocations(tab, firstLine, func(k int, p Position) {
		for i := 0; i < k; i++ {
			out = append(out, p)
		}
	})
	return out
}

// walkLocations decodes a 3.11+ location table, calling fn with each
// entry's length in code units and its position.
func walkLocations(tab []byte, firstLine int, fn func(units int, p Position)) {
	line := firstLine
	for i := 0; i < len(tab); {
		b := tab[i]
		i++
		code := int(b>>3) & 15
		units := int(b&7) + 1
		p := Position{NoLine, NoLine, NoLine, NoLine}
		switch {
		case code == 15: // no location
		case code == 14: // long form
			var d, v int
			d, i = svarint(tab, i)
			line += d
			p.Line = line
			v, i = uvarint(tab, i)
			p.EndLine = line + v
			v, i = uvarint(tab, i)
			p.Col = v - 1
			v, i = uvarint(tab, i)
			p.EndCol = v - 1
		case code == 13: // no columns
			var d int
			d, i = svarint(tab, i)
			line += d
			p.Line, p.EndLine = line, line
		case code >= 10: // one line, columns in two bytes
			line += code - 10
			p.Line, p.EndLine = line, line
			if i+1 < len(tab) {
				p.Col, p.EndCol = int(tab[i]), int(tab[i+1])
			}
			i += 2
		default: // short form
			p.Line, p.EndLine = line, line
			if i < len(tab) {
				s := int(tab[i])
				p.Col = code<<3 | s>>4
				p.EndCol = p.Col + s&15
			}
			i++
		}
		fn(units, p)
	}
}

// uvarint reads a location-table varint: 6-bit groups, least significant
// first, bit 6 set on all but the last.
func uvarint(b []byte, i int) (int, int) {
	v, shift := 0, 0
	for i < len(b) {
		c := b[i]
		i++
		v |= int(c&63) << shift
		shift += 6
		if c&64 == 0 || shift > 60 {
			break
		}
	}
	return v, i
}

func svarint(b []byte, i int) (int, int) {
	v, i := uvarint(b, i)
	if v&1 != 0 {
		return -(v >> 1), i
	}
	return v >> 1, i
}

// ExceptionEntry is one entry of a 3.11+ exception table, offsets in bytes:
// the handler covers [Start, End] (End inclusive, the offset of the last
// covered code unit), as 3.11 and 3.12's dis print it; 3.13 and later's
// dis print the exclusive end, End+2.
type ExceptionEntry struct {
	Start, End, Target int
	Depth              int
	Lasti              bool
}

// ExceptionTable parses co_exceptiontable as dis._parse_exception_table
// does.
func (c *Code) ExceptionTable() []ExceptionEntry {
	return ParseExceptionTable(c.ExceptionTableBytes())
}

// ParseExceptionTable parses a 3.11+ exception table. Varints there are
// 6-bit groups, most significant first, bit 6 set on all but the last; bit 7
// marks an entry's first byte. A truncated final entry is dropped.
func ParseExceptionTable(b []byte) []ExceptionEntry {
	var out []ExceptionEntry
	i := 0
	read := func() (int, bool) {
		if i >= len(b) {
			return 0, false
		}
		c := b[i]
		i++
		v := int(c & 63)
		for c&64 != 0 {
			if i >= len(b) || v > 1<<40 {
				return 0, false
			}
			c = b[i]
			i++
			v = v<<6 | int(c&63)
		}
		return v, true
	}
	for i < len(b) {
		start, ok1 := read()
		length, ok2 := read()
		target, ok3 := read()
		dl, ok4 := read()
		if !(ok1 && ok2 && ok3 && ok4) {
			break
		}
		out = append(out, ExceptionEntry{
			Start:  start * 2,
			End:    start*2 + length*2 - 2,
			Target: target * 2,
			Depth:  dl >> 1,
			Lasti:  dl&1 != 0,
		})
	}
	return out
}

package build

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/pyc"
)

// This file encodes and decodes line tables in each version's format, at
// the granularity of instructions: what an instruction's line (and, from
// 3.11, its columns) are, and for the lnotab formats where a new
// line-table entry starts.
//
// The encoders write what CPython's assembler of that version writes for
// the same information; the decoders read a table back into it, so that
// encode(decode(t)) == t for every table CPython wrote (the disassembler
// checks this and keeps a table as it is where it does not hold).

// lineInfo is what a line table says about one instruction.
type lineInfo struct {
	loc   Loc
	start bool  // an lnotab entry starts here
	extra []int // earlier entries at the same instruction (lnotab)
}

// span is an instruction's place in co_code: its first byte and its
// length (EXTENDED_ARG prefixes and inline caches included).
type span struct{ offset, size int }

// errLineTable reports a line table that cannot be written.
var errLineTable = errors.New("line table")

// encodeLines writes the line table of version v for instructions at
// spans with infos. codeLen is len(co_code).
func encodeLines(v *pyc.Version, firstLine int, spans []span, infos []lineInfo, codeLen int) ([]byte, error) {
	switch v.LineTable {
	case pyc.LineTableNone:
		return nil, nil
	case pyc.LineTableLnotab:
		return encodeLnotab(firstLine, spans, infos, false)
	case pyc.LineTableLnotabSigned:
		return encodeLnotab(firstLine, spans, infos, true)
	case pyc.LineTable310:
		return encodeLines310(firstLine, spans, infos, codeLen)
	case pyc.LineTableLocations:
		return encodeLocations(firstLine, spans, infos, v.AtLeast(3, 12))
	}
	return nil, fmt.Errorf("%w: unknown format %v", errLineTable, v.LineTable)
}

// decodeLines reads a line table of version v into one lineInfo per
// instruction. ok is false when the table says something the instruction
// granularity cannot carry (an entry inside an instruction, a table that
// does not cover the code exactly).
func decodeLines(v *pyc.Version, tab []byte, firstLine int, spans []span, codeLen int) (infos []lineInfo, ok bool) {
	infos = make([]lineInfo, len(spans))
	switch v.LineTable {
	case pyc.LineTableNone:
		for i := range infos {
			infos[i].loc = LineLoc(NoLine)
		}
		return infos, len(tab) == 0
	case pyc.LineTableLnotab, pyc.LineTableLnotabSigned:
		return decodeLnotab(tab, firstLine, spans, v.LineTable == pyc.LineTableLnotabSigned)
	case pyc.LineTable310:
		return decodeLines310(tab, firstLine, spans, codeLen)
	case pyc.LineTableLocations:
		return decodeLocations(tab, firstLine, spans, codeLen)
	}
	return nil, false
}

// encodeLnotab writes co_lnotab: byte pairs (offset increment, line
// increment), unsigned before 3.6 and with a signed line increment from
// 3.6. An entry is written at each instruction marked as starting one
// (unless nothing changes there), after any extra entries for it.
func encodeLnotab(firstLine int, spans []span, infos []lineInfo, signed bool) ([]byte, error) {
	var out []byte
	lastOff, lastLine := 0, firstLine
	for i, in := range infos {
		if !in.start || in.loc.Line == NoLine {
			continue
		}
		for k, line := range append(append([]int{}, in.extra...), in.loc.Line) {
			db := spans[i].offset - lastOff
			dl := line - lastLine
			if k == 0 && db == 0 && dl == 0 {
				continue
			}
			var err error
			out, err = lnotabEntry(out, db, dl, signed, lastLine, line)
			if err != nil {
				return nil, err
			}
			lastOff, lastLine = spans[i].offset, line
		}
	}
	return out, nil
}

// lnotabEntry appends one entry of offset increment db and line increment
// dl.
func lnotabEntry(out []byte, db, dl int, signed bool, lastLine, line int) ([]byte, error) {
	if db < 0 {
		return nil, fmt.Errorf("%w: entry out of order", errLineTable)
	}
	if db > 255 {
		for n := db / 255; n > 0; n-- {
			out = append(out, 255, 0)
		}
		db %= 255
	}
	if !signed {
		if dl < 0 {
			return nil, fmt.Errorf("%w: line %d after line %d: lines cannot go back in this version's co_lnotab", errLineTable, line, lastLine)
		}
		if dl > 255 {
			n := dl / 255
			out = append(out, byte(db), 255)
			for j := 1; j < n; j++ {
				out = append(out, 0, 255)
			}
			db = 0
			dl -= n * 255
		}
	} else if dl < -128 || dl > 127 {
		k, n := 127, dl/127
		if dl < 0 {
			k, n = -128, -dl/128
		}
		out = append(out, byte(db), byte(int8(k)))
		for j := 1; j < n; j++ {
			out = append(out, 0, byte(int8(k)))
		}
		db = 0
		dl -= n * k
	}
	out = append(out, byte(db), byte(int8(dl)))
	return out, nil
}

// decodeLnotab reads co_lnotab back into entries, as encodeLnotab writes
// them, and gives each instruction the line of the last entry at or before
// it. Where pairs could be read as one entry or several (a long line jump
// or a run of offset increments), the longest reading that encodeLnotab
// writes back the same way wins; a single pair always does.
func decodeLnotab(tab []byte, firstLine int, spans []span, signed bool) ([]lineInfo, bool) {
	type event struct{ off, line int }
	var evs []event
	off, line := 0, firstLine
	delta := func(b byte) int {
		if signed {
			return int(int8(b))
		}
		return int(b)
	}
	ok := len(tab)%2 == 0
	n := len(tab) / 2 * 2
	for i := 0; i < n; {
		// The longest entry: offset runs of (255, 0), then a pair, then
		// line runs of (0, k) ending in (0, rest).
		j, db, dl := i, 0, 0
		for j+2 < n && tab[j] == 255 && tab[j+1] == 0 {
			db += 255
			j += 2
		}
		db += int(tab[j])
		dl += delta(tab[j+1])
		k := tab[j+1]
		j += 2
		if k == 255 && !signed || signed && (k == 127 || k == 0x80) {
			for j+2 < n && tab[j] == 0 && tab[j+1] == k {
				dl += delta(k)
				j += 2
			}
			if j < n && tab[j] == 0 {
				dl += delta(tab[j+1])
				j += 2
			}
		}
		enc, err := lnotabEntry(nil, db, dl, signed, 0, 0)
		if err != nil || !bytes.Equal(enc, tab[i:j]) {
			// Read one pair as one entry.
			j, db, dl = i+2, int(tab[i]), delta(tab[i+1])
		}
		off += db
		line += dl
		evs = append(evs, event{off, line})
		i = j
	}
	infos := make([]lineInfo, len(spans))
	e := 0
	cur := firstLine
	for i, s := range spans {
		// The entries up to this instruction's start belong to it; one
		// inside the previous instruction is moved here (and the table
		// cannot be written back from the instructions).
		var lines []int
		for e < len(evs) && evs[e].off <= s.offset {
			if evs[e].off < s.offset {
				ok = false
			}
			lines = append(lines, evs[e].line)
			e++
		}
		if len(lines) > 0 {
			infos[i].start = true
			if len(lines) > 1 {
				infos[i].extra = lines[:len(lines)-1]
			}
			cur = lines[len(lines)-1]
		}
		infos[i].loc = LineLoc(cur)
	}
	if e < len(evs) {
		ok = false // entries past the last instruction
	}
	return infos, ok
}

// encodeLines310 writes 3.10's co_linetable: for each run of instructions
// on one line, pairs (byte length up to 254, line delta), -128 for none.
func encodeLines310(firstLine int, spans []span, infos []lineInfo, codeLen int) ([]byte, error) {
	var out []byte
	prev := firstLine
	emit := func(length, line int) {
		if length == 0 {
			return
		}
		ld := -128
		if line != NoLine {
			ld = line - prev
			prev = line
			for ld > 127 {
				out = append(out, 0, 127)
				ld -= 127
			}
			for ld < -127 {
				out = append(out, 0, 0x81)
				ld += 127
			}
		}
		for length > 254 {
			out = append(out, 254, byte(int8(ld)))
			if line == NoLine {
				ld = -128
			} else {
				ld = 0
			}
			length -= 254
		}
		out = append(out, byte(length), byte(int8(ld)))
	}
	cur, start := firstLine, 0
	for i, in := range infos {
		if in.loc.Line != cur {
			emit(spans[i].offset-start, cur)
			cur, start = in.loc.Line, spans[i].offset
		}
	}
	emit(codeLen-start, cur)
	return out, nil
}

func decodeLines310(tab []byte, firstLine int, spans []span, codeLen int) ([]lineInfo, bool) {
	line := firstLine
	end := 0
	type rng struct{ start, end, line int }
	var rs []rng
	ok := len(tab)%2 == 0
	for i := 0; i+1 < len(tab); i += 2 {
		start := end
		end += int(tab[i])
		ld := int(int8(tab[i+1]))
		l := NoLine
		if ld != -128 {
			line += ld
			l = line
		}
		if start < end {
			rs = append(rs, rng{start, end, l})
		}
	}
	if end != codeLen {
		ok = false
	}
	infos := make([]lineInfo, len(spans))
	r := 0
	for i, s := range spans {
		for r < len(rs) && rs[r].end <= s.offset {
			r++
		}
		l := NoLine
		if r < len(rs) && rs[r].start <= s.offset {
			l = rs[r].line
			if rs[r].start != s.offset && (i == 0 || infos[i-1].loc.Line != l) {
				ok = false // a range starting inside an instruction
			}
		} else {
			ok = false
		}
		infos[i].loc = LineLoc(l)
	}
	return infos, ok
}

// encodeLocations writes the 3.11+ location table: an entry per
// instruction (3.11) or per run of instructions at one position (3.12+),
// split into entries of at most 8 code units, each in the shortest form
// CPython's assembler picks.
func encodeLocations(firstLine int, spans []span, infos []lineInfo, merge bool) ([]byte, error) {
	var out []byte
	line := firstLine
	write := func(l Loc, units int) {
		for units > 0 {
			n := min(units, 8)
			units -= n
			out = appendLocation(out, &line, l, n)
		}
	}
	if !merge {
		for i, in := range infos {
			write(in.loc, spans[i].size/2)
		}
		return out, nil
	}
	for i := 0; i < len(infos); {
		j, units := i, 0
		for j < len(infos) && infos[j].loc == infos[i].loc {
			units += spans[j].size / 2
			j++
		}
		write(infos[i].loc, units)
		i = j
	}
	return out, nil
}

// appendLocation writes one location entry of n code units.
func appendLocation(out []byte, line *int, l Loc, n int) []byte {
	head := func(code int) []byte { return append(out, byte(0x80|code<<3|(n-1))) }
	if l.Line == NoLine {
		return head(15)
	}
	ld := l.Line - *line
	col, endCol := l.Col, l.EndCol
	if col < 0 || endCol < 0 {
		if l.EndLine == l.Line || l.EndLine == NoLine {
			out = head(13)
			*line = l.Line
			return appendSvarint(out, ld)
		}
	} else if l.EndLine == l.Line {
		if ld == 0 && col < 80 && endCol-col < 16 && endCol >= col {
			out = head(col >> 3)
			return append(out, byte((col&7)<<4|(endCol-col)))
		}
		if ld >= 0 && ld < 3 && col < 128 && endCol < 128 {
			out = head(10 + ld)
			*line = l.Line
			return append(out, byte(col), byte(endCol))
		}
	}
	out = head(14)
	out = appendSvarint(out, ld)
	endLine := l.EndLine
	if endLine == NoLine {
		endLine = l.Line
	}
	out = appendUvarint(out, endLine-l.Line)
	out = appendUvarint(out, col+1)
	out = appendUvarint(out, endCol+1)
	*line = l.Line
	return out
}

func appendUvarint(out []byte, v int) []byte {
	u := uint(v)
	for u >= 64 {
		out = append(out, byte(u&63|64))
		u >>= 6
	}
	return append(out, byte(u))
}

func appendSvarint(out []byte, v int) []byte {
	if v < 0 {
		return appendUvarint(out, (-v)<<1|1)
	}
	return appendUvarint(out, v<<1)
}

func decodeLocations(tab []byte, firstLine int, spans []span, codeLen int) ([]lineInfo, bool) {
	pos := disasm.ParseLocations(tab, firstLine)
	ok := len(pos) == codeLen/2
	infos := make([]lineInfo, len(spans))
	for i, s := range spans {
		u := s.offset / 2
		if u < len(pos) {
			p := pos[u]
			infos[i].loc = Loc{p.Line, p.EndLine, p.Col, p.EndCol}
		} else {
			infos[i].loc = LineLoc(NoLine)
			ok = false
		}
	}
	return infos, ok
}

package diff

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// maxText is the longest instruction or item text shown in text output
// (JSON keeps everything).
const maxText = 160

// WriteText writes the human form of a file diff: "--- A" and "+++ B"
// lines, then the header fields, each code object's differences, and the
// encoding differences. Identical files write nothing.
func (d *FileDiff) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	d.writeText(bw)
	return bw.Flush()
}

func (d *FileDiff) writeText(w *bufio.Writer) {
	switch d.Status {
	case Identical:
		return
	case Trouble:
		w.WriteString("error: " + d.Error + "\n")
		return
	case Added:
		w.WriteString("only in b: " + d.B + "\n")
		return
	case Removed:
		w.WriteString("only in a: " + d.A + "\n")
		return
	}
	w.WriteString("--- " + d.A + "\n")
	w.WriteString("+++ " + d.B + "\n")
	if len(d.Header) > 0 {
		w.WriteString("header:\n")
		for _, c := range d.Header {
			w.WriteString("  " + c.Field + ": " + c.A + " -> " + c.B + "\n")
		}
	}
	for _, n := range d.Notes {
		w.WriteString("note: " + n + "\n")
	}
	for _, c := range d.Codes {
		c.writeText(w)
	}
	if len(d.Encoding) > 0 {
		w.WriteString("same values, different encoding:\n")
		for _, e := range d.Encoding {
			w.WriteString("  " + e.Path)
			if e.Value != "" {
				w.WriteString(" " + e.Value)
			}
			w.WriteString(": " + e.What + "\n")
		}
	}
}

func (c *CodeDiff) writeText(w *bufio.Writer) {
	w.WriteString("code ")
	if c.APath != "" {
		w.WriteString(c.APath + " -> ")
	}
	w.WriteString(c.Path + ": " + c.Status)
	if c.Summary != "" {
		w.WriteString(" (" + c.Summary + ")")
	}
	w.WriteByte('\n')
	for _, f := range c.Fields {
		w.WriteString("  " + f.Field + ": " + shorten(f.A, maxText) + " -> " + shorten(f.B, maxText) + "\n")
	}
	for _, l := range c.Lists {
		w.WriteString("  " + l.Field + ":\n")
		for _, it := range l.Items {
			w.WriteString("    ")
			switch it.Op {
			case "changed":
				w.WriteString("changed [" + strconv.Itoa(*it.AIndex) + "]")
				if *it.BIndex != *it.AIndex {
					w.WriteString(" -> [" + strconv.Itoa(*it.BIndex) + "]")
				}
				w.WriteString(": " + shorten(it.A, maxText) + " -> " + shorten(it.B, maxText))
			case "removed":
				w.WriteString("removed [" + strconv.Itoa(*it.AIndex) + "]: " + shorten(it.A, maxText))
			case "added":
				w.WriteString("added [" + strconv.Itoa(*it.BIndex) + "]: " + shorten(it.B, maxText))
			}
			w.WriteByte('\n')
		}
	}
	if c.Bytecode != nil {
		w.WriteString("  bytecode (" + strconv.Itoa(c.Bytecode.ACount) + " -> " + strconv.Itoa(c.Bytecode.BCount) + " instructions):\n")
		writeHunks(w, c.Bytecode.Hunks, true)
	}
	if c.ExceptionTable != nil {
		w.WriteString("  exception table:\n")
		writeHunks(w, c.ExceptionTable.Hunks, false)
	}
	for _, n := range c.Notes {
		w.WriteString("  note: " + n + "\n")
	}
}

// writeHunks writes hunks as diff -u does, each line indented; with
// lines, the source line numbers of both sides (where they change) and
// the labels lead each line.
func writeHunks(w *bufio.Writer, hs []Hunk, lines bool) {
	labelWidth := 0
	for _, h := range hs {
		for _, l := range h.Lines {
			labelWidth = max(labelWidth, len(l.Label)+1)
		}
	}
	for _, h := range hs {
		w.WriteString("    @@ -" + hunkRange(h.AStart, h.ALen) + " +" + hunkRange(h.BStart, h.BLen) + " @@\n")
		lastA, lastB := -2, -2
		for _, l := range h.Lines {
			w.WriteString("    " + l.Op)
			if lines {
				w.WriteString(lineCol(l.ALine, &lastA, l.Op != "+"))
				w.WriteString(lineCol(l.BLine, &lastB, l.Op != "-"))
				w.WriteString("  ")
				lab := ""
				if l.Label != "" {
					lab = l.Label + ":"
				}
				w.WriteString(lab + strings.Repeat(" ", labelWidth-len(lab)))
				w.WriteByte(' ')
				w.WriteString(instrText(l.Text))
			} else {
				w.WriteString(" " + l.Text)
			}
			w.WriteByte('\n')
		}
	}
}

// hunkRange writes a diff -u range: "start,len", or "start" for one line.
func hunkRange(start, n int) string {
	if n == 1 {
		return strconv.Itoa(start)
	}
	return strconv.Itoa(start) + "," + strconv.Itoa(n)
}

// lineCol is a 6-column source line cell: the line when the side has the
// instruction and its line differs from the last one shown.
func lineCol(l *int, last *int, present bool) string {
	const width = 6
	if !present {
		return strings.Repeat(" ", width)
	}
	v := -1
	if l != nil {
		v = *l
	}
	if v == *last {
		return strings.Repeat(" ", width)
	}
	*last = v
	s := "-"
	if l != nil {
		s = strconv.Itoa(v)
	}
	return strings.Repeat(" ", max(0, width-len(s))) + s
}

// instrText pads the opcode name to 20 columns, as dis does, and shortens
// long arguments.
func instrText(t string) string {
	name, arg, ok := strings.Cut(t, " ")
	if !ok {
		return t
	}
	if len(name) < 20 {
		name += strings.Repeat(" ", 20-len(name))
	}
	return name + " " + shorten(arg, maxText)
}

package disasm

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// DisOptions are the options of that version's dis.dis.
type DisOptions struct {
	// ShowCaches shows inline cache entries (3.11+, show_caches=True).
	ShowCaches bool
	// ShowOffsets shows instruction offsets (3.13+, show_offsets=True;
	// earlier versions always show them).
	ShowOffsets bool
	// ShowPositions shows each instruction's source span instead of line
	// numbers (3.14+, show_positions=True). 3.13's dis has no such option;
	// 3.13 code gets the 3.14 format.
	ShowPositions bool
	// CodeAddr gives the address printed in code object reprs; nil prints
	// a stable dummy address derived from the code object's place in the
	// file. CPython prints an object address that changes from run to run.
	CodeAddr func(*marshal.Code) string
	// NoRecurse prints only the given code object, not the code objects in
	// its constants.
	NoRecurse bool
}

// writers recycles the buffered writers of Dis calls given an unbuffered
// writer: a 64 KiB buffer per call would dominate listing small files.
var writers = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// printers recycles printers, whose buffers grow to the largest code
// object listed.
var printers = sync.Pool{New: func() any { return &printer{addrs: map[*marshal.Code]int{}} }}

// release resets the printer, keeping its buffers, and returns it to the
// pool.
func (p *printer) release() {
	clear(p.addrs)
	clear(p.reprs)
	ins, line, stack := p.ins[:0], p.line[:0], p.stack[:0]
	*p = printer{addrs: p.addrs, ins: ins, line: line, stack: stack, reprs: p.reprs}
	printers.Put(p)
}

// printer is the state of one listing: the output and the version's
// formatting rules.
type printer struct {
	w    *bufio.Writer
	opts DisOptions
	repr ReprStyle
	// addrs numbers code objects for the dummy addresses.
	addrs map[*marshal.Code]int
	// line is the line being built, reused from line to line; ins holds
	// the instructions of the code object being listed, reused likewise.
	line buf
	ins  []Instruction
	// stack holds the code objects being listed, outermost first; listed
	// counts the listings written.
	stack  []*marshal.Code
	listed int
	// spent counts the bytecode listed so far; budget caps it at a small
	// multiple of the distinct bytecode under the top code object, so that
	// the work stays linear in the input.
	spent, budget int
	// reprs holds the reprs of the constants shown so far; reprOut counts
	// the bytes of constant reprs written, which maxReprOutput caps.
	reprs   map[marshal.Value]string
	reprOut int
}

// maxReprOutput caps the bytes of constant reprs one listing (Dis or JSON
// call) writes. A constant shows again at each instruction that loads it,
// and back-references let a small hostile stream hold a constant whose
// repr is long (up to maxRepr): loaded by thousands of instructions, that
// would be gigabytes of text from a few kilobytes. Real listings write a
// small fraction of this.
const maxReprOutput = 16 << 20

// constRepr returns the repr of a code object's constant and counts it
// against maxReprOutput; the caller checks reprOverBudget.
func (p *printer) constRepr(k marshal.Value) string {
	r, ok := p.reprs[k]
	if !ok {
		r = p.repr.Repr(k)
		if p.reprs == nil {
			p.reprs = map[marshal.Value]string{}
		}
		p.reprs[k] = r
	}
	p.reprOut += len(r)
	return r
}

// reprOverBudget returns an error about c once the listing has written
// more than maxReprOutput bytes of constant reprs.
func (p *printer) reprOverBudget(c *Code) error {
	if p.reprOut <= maxReprOutput {
		return nil
	}
	return &pyc.CodeError{Code: c.Code, Err: fmt.Errorf("disasm: the listing would write more than %d bytes of constant reprs (constants shared through back-references, loaded again and again)", maxReprOutput)}
}

// flushLine writes the line being built without trailing blanks, and a
// newline.
func (p *printer) flushLine() {
	l := p.line
	for len(l) > 0 && l[len(l)-1] == ' ' {
		l = l[:len(l)-1]
	}
	p.w.Write(l)
	p.w.WriteByte('\n')
	p.line = p.line[:0]
}

// padInt appends n right-aligned in width columns.
func (b *buf) padInt(n, width int) {
	var tmp [24]byte
	s := strconv.AppendInt(tmp[:0], int64(n), 10)
	for i := len(s); i < width; i++ {
		*b = append(*b, ' ')
	}
	*b = append(*b, s...)
}

// padRight appends s left-aligned in width columns.
func (b *buf) padRight(s string, width int) {
	*b = append(*b, s...)
	for n := utf8.RuneCountInString(s); n < width; n++ {
		*b = append(*b, ' ')
	}
}

// spaces appends n blanks.
func (b *buf) spaces(n int) {
	for i := 0; i < n; i++ {
		*b = append(*b, ' ')
	}
}

// Dis writes what dis.dis(code) of the code's own Python version prints:
// the listing of the code object, then, as 3.7 and later do (and for 2.7
// and 3.6 in the same format), each code object among its constants,
// depth first, after a blank line and "Disassembly of <code object ...>:".
// Versions that cannot be run here use the format of the nearest version
// that can.
func Dis(w io.Writer, c *Code, opts DisOptions) error {
	bw, ok := w.(*bufio.Writer)
	if !ok {
		bw = writers.Get().(*bufio.Writer)
		bw.Reset(w)
		defer func() {
			bw.Reset(nil)
			writers.Put(bw)
		}()
	}
	p := printers.Get().(*printer)
	defer p.release()
	p.w, p.opts = bw, opts
	p.repr = NewReprStyle(c.Version.Major, c.Version.Minor)
	p.repr.CodeAddr = p.codeAddr
	if opts.CodeAddr != nil {
		p.repr.CodeAddr = opts.CodeAddr
	}
	p.budget = 2*distinctBytecode(c.Code) + 1<<16
	if err := p.recurse(c, 0); err != nil {
		return err
	}
	return bw.Flush()
}

func (p *printer) codeAddr(c *marshal.Code) string {
	n, ok := p.addrs[c]
	if !ok {
		n = len(p.addrs) + 1
		p.addrs[c] = n
	}
	return "0x" + strconv.FormatInt(0x7f0000000000+int64(n)*0x100, 16)
}

// maxListings caps the code objects one Dis call lists. Back-references
// let a small hostile stream share one code object among the constants of
// many others, which dis would list again each time: exponentially many.
const maxListings = 1 << 17

func (p *printer) recurse(c *Code, depth int) error {
	if depth > marshal.MaxDepth {
		return &pyc.CodeError{Code: c.Code, Err: fmt.Errorf("disasm: code objects nested deeper than %d", marshal.MaxDepth)}
	}
	for _, a := range p.stack {
		if a == c.Code {
			return &pyc.CodeError{Code: c.Code, Err: errors.New("disasm: it contains itself among its constants")}
		}
	}
	p.spent += len(c.Bytecode()) + 1
	if p.listed++; p.listed > maxListings || p.spent > p.budget {
		return &pyc.CodeError{Code: c.Code, Err: fmt.Errorf("disasm: the listing would repeat shared code objects beyond %d listings or %d bytes of bytecode (code objects shared through back-references)", maxListings, p.budget)}
	}
	p.stack = append(p.stack, c.Code)
	defer func() { p.stack = p.stack[:len(p.stack)-1] }()
	if err := p.listing(c); err != nil {
		return err
	}
	if p.opts.NoRecurse || c.Consts == nil {
		return nil
	}
	for _, k := range c.Consts.Items {
		child, ok := k.(*marshal.Code)
		if !ok {
			continue
		}
		p.w.WriteString("\nDisassembly of ")
		p.w.WriteString(p.repr.CodeRepr(child))
		p.w.WriteString(":\n")
		if err := p.recurse(c.Child(child), depth+1); err != nil {
			return err
		}
	}
	return nil
}

// family is a group of versions whose dis prints alike.
type family uint8

const (
	fam27  family = iota // 1.x and 2.x: the 2.7 format
	fam36                // 3.0 to 3.10
	fam311               // 3.11 and 3.12
	fam313               // 3.13 and later
)

func familyOf(v *pyc.Version) family {
	switch {
	case v.Major < 3:
		return fam27
	case !v.AtLeast(3, 11):
		return fam36
	case !v.AtLeast(3, 13):
		return fam311
	}
	return fam313
}

// listing writes one code object's listing in its version's format.
func (p *printer) listing(c *Code) error {
	switch familyOf(c.Version) {
	case fam27:
		return p.listing27(c)
	case fam36:
		return p.listing36(c)
	case fam311:
		return p.listing311(c)
	}
	return p.listing313(c)
}

// padRight writes s left-justified in width columns (Python's ljust).
func (p *printer) padRight(s string, width int) {
	p.w.WriteString(s)
	for n := len([]rune(s)); n < width; n++ {
		p.w.WriteByte(' ')
	}
}

// padLeft writes s right-justified in width columns (Python's rjust).
func (p *printer) padLeft(s string, width int) {
	for n := len([]rune(s)); n < width; n++ {
		p.w.WriteByte(' ')
	}
	p.w.WriteString(s)
}

// distinctBytecode sums the bytecode length of the distinct code objects
// under c.
func distinctBytecode(c *marshal.Code) int {
	seen := map[*marshal.Code]bool{}
	total := 0
	var walk func(c *marshal.Code, depth int)
	walk = func(c *marshal.Code, depth int) {
		if seen[c] || depth > marshal.MaxDepth {
			return
		}
		seen[c] = true
		total += len(c.Bytecode())
		if c.Consts == nil {
			return
		}
		for _, k := range c.Consts.Items {
			if m, ok := k.(*marshal.Code); ok {
				walk(m, depth+1)
			}
		}
	}
	walk(c, 0)
	return total
}

package diff

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/opcode"
	"github.com/pyc-tools/pyc/pyc"
)

// node is one code object in a file's tree of code objects.
type node struct {
	code *marshal.Code
	// dc is the code with its opcode table; nil when the version has none.
	dc *disasm.Code
	// rel is the path disasm.ChildPath gives ("" for the top), path the
	// displayed one ("<module>.f", with "#n" on repeats).
	rel, path string
	// local names the node among its siblings: its co_name, with "#n" on
	// repeats.
	local    string
	parent   *node
	children []*node
	// peer is the paired node of the other file, how says why: "path",
	// "rename" or "follow" (nested in a renamed node).
	peer *node
	how  string
	// id is shared by paired nodes and unique otherwise.
	id int
	// sig caches the body signature (rename detection).
	sig    string
	hasSig bool
	// done marks nodes already reported (inside an equal subtree, or
	// added).
	done bool
}

// side is one file's code objects and the rules to read them.
type side struct {
	v      *pyc.Version
	table  *opcode.Table
	style  disasm.ReprStyle
	nodes  []*node
	byCode map[*marshal.Code]*node
	ren    *renderer
}

func newSide(v *pyc.Version) *side {
	s := &side{v: v, byCode: map[*marshal.Code]*node{}}
	if t, err := disasm.TableFor(v); err == nil {
		s.table = t
	}
	s.style = disasm.NewReprStyle(v.Major, v.Minor)
	s.style.CodeAddr = func(*marshal.Code) string { return "..." }
	s.ren = &renderer{style: s.style, codeKey: s.pairKey}
	return s
}

// pairKey keys a code object constant by its pairing (and name, so that a
// renamed function shows in its parent's constants).
func (s *side) pairKey(c *marshal.Code) string {
	n := s.byCode[c]
	if n == nil {
		return "code?" + c.NameString()
	}
	return "code#" + strconv.Itoa(n.id) + ":" + c.NameString()
}

func (s *side) disasmCode(c *marshal.Code) *disasm.Code {
	if s.table == nil {
		return nil
	}
	return &disasm.Code{Code: c, Version: s.v, Table: s.table}
}

// flatten lists the code objects under top, depth first, with their paths.
func (s *side) flatten(top *marshal.Code) {
	root := top.QualNameString()
	if root == "" {
		root = "<module>"
	}
	count := map[string]int{}
	var walk func(c *marshal.Code, rel string, parent *node, local string, depth int)
	walk = func(c *marshal.Code, rel string, parent *node, local string, depth int) {
		if s.byCode[c] != nil || depth > marshal.MaxDepth {
			return
		}
		path := root
		if parent != nil {
			path = root + "." + rel
		}
		count[path]++
		if k := count[path]; k > 1 {
			path += "#" + strconv.Itoa(k)
		}
		n := &node{code: c, dc: s.disasmCode(c), rel: rel, path: path, local: local, parent: parent}
		s.nodes = append(s.nodes, n)
		s.byCode[c] = n
		if parent != nil {
			parent.children = append(parent.children, n)
		}
		if c.Consts == nil {
			return
		}
		sibling := map[string]int{}
		pc := &disasm.Code{Code: c, Version: s.v, Table: s.table}
		for _, k := range c.Consts.Items {
			child, ok := k.(*marshal.Code)
			if !ok {
				continue
			}
			name := child.NameString()
			sibling[name]++
			loc := name
			if k := sibling[name]; k > 1 {
				loc += "#" + strconv.Itoa(k)
			}
			crel := disasm.ChildPath(pc, rel, &disasm.Code{Code: child, Version: s.v, Table: s.table})
			walk(child, crel, n, loc, depth+1)
		}
	}
	walk(top, "", nil, "", 0)
}

// differ compares two files' code objects.
type differ struct {
	opts   Options
	out    *FileDiff
	a, b   *side
	eq     equality
	enc    *encWalker
	nextID int
}

func (df *differ) link(a, b *node, how string) {
	df.nextID++
	a.peer, b.peer = b, a
	a.how, b.how = how, how
	a.id, b.id = df.nextID, df.nextID
}

// pair pairs the code objects of the two files: by path, then renamed ones
// by body, then those nested in renamed ones by name.
func (df *differ) pair() {
	A, B := df.a.nodes, df.b.nodes
	df.link(A[0], B[0], "path")
	// Group by path without the "#n" of repeats. Groups of the same size
	// pair in order; otherwise equal bodies pair first (an assert holding
	// a generator expression removes one of several), then the rest in
	// order.
	var bases []string
	groupA := map[string][]*node{}
	groupB := map[string][]*node{}
	for _, n := range A[1:] {
		b := basePath(n.path)
		if groupA[b] == nil {
			bases = append(bases, b)
		}
		groupA[b] = append(groupA[b], n)
	}
	for _, m := range B[1:] {
		b := basePath(m.path)
		groupB[b] = append(groupB[b], m)
	}
	for _, base := range bases {
		ga, gb := groupA[base], groupB[base]
		if len(ga) != len(gb) && len(gb) > 0 {
			for _, n := range ga {
				for _, m := range gb {
					if m.peer == nil && df.a.signature(n) == df.b.signature(m) {
						df.link(n, m, "path")
						break
					}
				}
			}
		}
		k := 0
		for _, n := range ga {
			if n.peer != nil {
				continue
			}
			for k < len(gb) && gb[k].peer != nil {
				k++
			}
			if k == len(gb) {
				break
			}
			df.link(n, gb[k], "path")
		}
	}
	loneA, loneB := 0, 0
	for _, n := range A {
		if n.peer == nil {
			loneA++
		}
	}
	for _, m := range B {
		if m.peer == nil {
			loneB++
		}
	}
	if loneA > 0 && loneB > 0 {
		var bySig map[string][]*node
		for _, n := range A {
			if n.peer != nil {
				continue
			}
			if p := n.parent; p != nil && p.peer != nil && p.how != "path" {
				for _, m := range p.peer.children {
					if m.peer == nil && m.local == n.local {
						df.link(n, m, "follow")
						break
					}
				}
				if n.peer != nil {
					continue
				}
			}
			if bySig == nil {
				bySig = map[string][]*node{}
				for _, m := range B {
					if m.peer == nil {
						s := df.b.signature(m)
						bySig[s] = append(bySig[s], m)
					}
				}
			}
			for _, m := range bySig[df.a.signature(n)] {
				if m.peer == nil {
					df.link(n, m, "rename")
					break
				}
			}
		}
	}
	for _, ns := range [][]*node{A, B} {
		for _, n := range ns {
			if n.peer == nil {
				df.nextID++
				n.id = df.nextID
			}
		}
	}
}

// basePath strips the "#n" that marks a repeated path.
func basePath(p string) string {
	i := strings.LastIndexByte(p, '#')
	if i < 0 || i == len(p)-1 {
		return p
	}
	for _, c := range p[i+1:] {
		if c < '0' || c > '9' {
			return p
		}
	}
	return p[:i]
}

// signature describes a code object's body for rename detection: its
// instructions (jumps as relative distances), constants (nested code
// objects by their own signatures), names and locals, argument counts and
// flags; its own name and qualified name are abstracted away, and so are
// its line numbers.
func (s *side) signature(n *node) string {
	if n.hasSig {
		return n.sig
	}
	n.hasSig = true
	c := n.code
	qual := n.rel
	if c.QualName != nil {
		qual = c.QualNameString()
	}
	r := &renderer{style: s.style, selfName: c.NameString(), selfQual: qual,
		codeKey: func(k *marshal.Code) string {
			if m := s.byCode[k]; m != nil {
				return "sig(" + s.signature(m) + ")"
			}
			return "code?"
		}}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d,%d,%d,%d,%d,%x|", c.Layout, c.ArgCount, c.PosOnlyArgCount, c.KwOnlyArgCount, c.NLocals, c.Flags)
	if n.dc != nil {
		l := r.render(n.dc)
		for i, k := range l.key {
			sb.WriteString(k)
			if j := l.jump[i]; j >= 0 {
				sb.WriteString(strconv.Itoa(j - i))
			}
			sb.WriteByte('\n')
		}
		for _, x := range [][]string{n.dc.NameStrings(), n.dc.LocalNames(), n.dc.CellAndFreeNames()} {
			sb.WriteByte('|')
			for _, name := range x {
				sb.WriteString(r.self(name))
				sb.WriteByte(',')
			}
		}
	} else {
		sb.Write(c.Bytecode())
	}
	sb.WriteByte('|')
	if c.Consts != nil {
		for _, k := range c.Consts.Items {
			sb.WriteString(r.constKey(k, c.Layout.Python2()))
			sb.WriteByte(',')
		}
	}
	n.sig = sb.String()
	return n.sig
}

// codes diffs the code objects under two top-level code objects.
func (df *differ) codes(topA, topB *marshal.Code) {
	df.a.flatten(topA)
	df.b.flatten(topB)
	df.pair()
	for _, n := range df.a.nodes {
		if n.done {
			continue
		}
		if n.peer == nil {
			df.lone(n, CodeRemoved)
			continue
		}
		df.pairDiff(n, n.peer)
		df.added(n.peer)
	}
	for _, m := range df.b.nodes {
		if m.peer == nil && !m.done {
			df.lone(m, CodeAdded)
		}
	}
}

// added reports the unpaired children of a node of the second file, and
// their unpaired descendants.
func (df *differ) added(m *node) {
	for _, c := range m.children {
		if c.peer == nil && !c.done {
			df.lone(c, CodeAdded)
			df.added(c)
		}
	}
}

// lone reports a code object found in one file only.
func (df *differ) lone(n *node, status string) {
	n.done = true
	c := n.code
	s := fmt.Sprintf("line %d", c.FirstLineNo)
	if n.dc != nil {
		count := 0
		for _, in := range n.dc.Instructions() {
			if op, ok := n.dc.Table.ExtendedArg(); !ok || n.dc.Table.Deopt(in.Op) != op {
				count++
			}
		}
		s += fmt.Sprintf(", %d instructions", count)
	}
	df.out.Codes = append(df.out.Codes, &CodeDiff{Path: n.path, Status: status, Summary: s, Line: int(c.FirstLineNo)})
}

// markDone marks a subtree as reported.
func markDone(n *node) {
	n.done = true
	for _, c := range n.children {
		markDone(c)
	}
}

// pairDiff diffs two paired code objects (not their children).
func (df *differ) pairDiff(na, nb *node) {
	ca, cb := na.code, nb.code
	if df.eq.equal(ca, cb, false, 0) {
		if df.enc != nil {
			df.enc.walk(ca, cb, at(na.path), 0)
		}
		markDone(na)
		return
	}
	na.done = true
	cd := &CodeDiff{Path: nb.path, Status: CodeChanged}
	if na.path != nb.path {
		cd.APath = na.path
	}
	if na.how != "path" {
		cd.Status = CodeRenamed
		switch na.how {
		case "rename":
			cd.Summary = "same body"
		case "follow":
			cd.Summary = "nested in a renamed code object"
		}
	}
	if df.enc != nil {
		df.enc.codeHeader(ca, cb, na.path)
	}
	df.fields(cd, ca, cb)
	df.lists(cd, na, nb)
	df.bytecode(cd, na, nb)
	if cd.Status == CodeRenamed || len(cd.Fields)+len(cd.Lists)+len(cd.Notes) > 0 || cd.Bytecode != nil || cd.ExceptionTable != nil {
		df.out.Codes = append(df.out.Codes, cd)
	}
}

// fields compares the scalar fields.
func (df *differ) fields(cd *CodeDiff, a, b *marshal.Code) {
	if a.Layout != b.Layout {
		cd.Fields = append(cd.Fields, Change{"layout", a.Layout.String(), b.Layout.String()})
	}
	ints := []struct {
		name   string
		va, vb int64
	}{
		{"argcount", int64(a.ArgCount), int64(b.ArgCount)},
		{"posonlyargcount", int64(a.PosOnlyArgCount), int64(b.PosOnlyArgCount)},
		{"kwonlyargcount", int64(a.KwOnlyArgCount), int64(b.KwOnlyArgCount)},
		{"nlocals", int64(a.NLocals), int64(b.NLocals)},
		{"stacksize", int64(a.StackSize), int64(b.StackSize)},
		{"flags", int64(a.Flags), int64(b.Flags)},
		{"firstlineno", int64(a.FirstLineNo), int64(b.FirstLineNo)},
	}
	for _, f := range ints {
		ha, hb := a.Layout.Has(f.name), b.Layout.Has(f.name)
		if !ha && !hb || ha && hb && f.va == f.vb {
			continue
		}
		sa, sb := "-", "-"
		if ha {
			sa = strconv.FormatInt(f.va, 10)
		}
		if hb {
			sb = strconv.FormatInt(f.vb, 10)
		}
		if f.name == "flags" {
			sa, sb = flagsChange(ha, hb, a.Flags, b.Flags)
		}
		cd.Fields = append(cd.Fields, Change{"co_" + f.name, sa, sb})
	}
	strs := []struct {
		name   string
		va, vb marshal.Value
	}{
		{"name", a.Name, b.Name},
		{"qualname", a.QualName, b.QualName},
		{"filename", a.Filename, b.Filename},
	}
	for _, f := range strs {
		if Equal(f.va, f.vb, a.Layout.Python2()) {
			continue
		}
		cd.Fields = append(cd.Fields, Change{"co_" + f.name, df.a.valueText(f.va), df.b.valueText(f.vb)})
	}
}

func (s *side) valueText(v marshal.Value) string {
	if v == nil {
		return "-"
	}
	return s.style.Repr(v)
}

// flagNames names the co_flags bits that mean the same in every version.
var flagNames = []string{"OPTIMIZED", "NEWLOCALS", "VARARGS", "VARKEYWORDS", "NESTED", "GENERATOR",
	"NOFREE", "COROUTINE", "ITERABLE_COROUTINE", "ASYNC_GENERATOR"}

// flagsChange writes two co_flags values in hex, the second with the bits
// it sets and clears.
func flagsChange(ha, hb bool, a, b uint32) (string, string) {
	sa, sb := "-", "-"
	if ha {
		sa = "0x" + strconv.FormatUint(uint64(a), 16)
	}
	if hb {
		sb = "0x" + strconv.FormatUint(uint64(b), 16)
	}
	if !ha || !hb {
		return sa, sb
	}
	var parts []string
	for bit := 0; bit < 32; bit++ {
		m := uint32(1) << bit
		if a&m == b&m {
			continue
		}
		name := "0x" + strconv.FormatUint(uint64(m), 16)
		if bit < len(flagNames) {
			name = flagNames[bit]
		}
		if b&m != 0 {
			parts = append(parts, "+"+name)
		} else {
			parts = append(parts, "-"+name)
		}
	}
	return sa, sb + " (" + strings.Join(parts, " ") + ")"
}

// listItems is one tuple field of a code object, rendered for diffing.
type listItems struct {
	t     *marshal.Tuple
	keys  []string
	reprs []string
}

func (s *side) items(t *marshal.Tuple, py2 bool, kinds []byte) listItems {
	li := listItems{t: t}
	if t == nil {
		return li
	}
	for i, v := range t.Items {
		k := s.ren.constKey(v, py2)
		r := s.ren.repr(v)
		if kinds != nil {
			kind := byte(0)
			if i < len(kinds) {
				kind = kinds[i]
			}
			k += "/" + strconv.Itoa(int(kind))
			r += " (" + localKind(kind) + ")"
		}
		li.keys = append(li.keys, k)
		li.reprs = append(li.reprs, r)
	}
	return li
}

// localKind names the bits of a co_localspluskinds byte.
func localKind(k byte) string {
	var parts []string
	for _, b := range []struct {
		bit  byte
		name string
	}{{0x02, "arg"}, {0x04, "*arg"}, {0x08, "**arg"}, {0x10, "hidden"}, {0x20, "local"}, {0x40, "cell"}, {0x80, "free"}} {
		if k&b.bit != 0 {
			parts = append(parts, b.name)
		}
	}
	if rest := k &^ 0xfe; rest != 0 {
		parts = append(parts, "0x"+strconv.FormatUint(uint64(rest), 16))
	}
	if len(parts) == 0 {
		return "0"
	}
	return strings.Join(parts, "|")
}

// lists compares the tuple fields.
func (df *differ) lists(cd *CodeDiff, na, nb *node) {
	a, b := na.code, nb.code
	py2 := a.Layout.Python2()
	type field struct {
		name   string
		ta, tb *marshal.Tuple
		kinds  bool
	}
	fields := []field{
		{"consts", a.Consts, b.Consts, false},
		{"names", a.Names, b.Names, false},
		{"varnames", a.VarNames, b.VarNames, false},
		{"freevars", a.FreeVars, b.FreeVars, false},
		{"cellvars", a.CellVars, b.CellVars, false},
		{"localsplusnames", a.LocalsPlusNames, b.LocalsPlusNames, true},
	}
	for _, f := range fields {
		ha, hb := a.Layout.Has(f.name), b.Layout.Has(f.name)
		if !ha && !hb {
			continue
		}
		name := "co_" + f.name
		if ha != hb {
			sa, sb := "-", "-"
			if ha {
				sa = fmt.Sprintf("%d items", f.ta.Len())
			}
			if hb {
				sb = fmt.Sprintf("%d items", f.tb.Len())
			}
			cd.Fields = append(cd.Fields, Change{name, sa, sb})
			continue
		}
		path := na.path + "." + name
		if f.kinds {
			ka, kb := a.LocalsPlusKindsBytes(), b.LocalsPlusKindsBytes()
			if df.eq.equal(tupleOrNil(f.ta), tupleOrNil(f.tb), py2, 0) && bytes.Equal(ka, kb) {
				df.walkEqual(tupleOrNil(f.ta), tupleOrNil(f.tb), path)
				df.walkEqual(a.LocalsPlusKinds, b.LocalsPlusKinds, na.path+".co_localspluskinds")
				continue
			}
			if df.enc != nil && bytes.Equal(ka, kb) {
				df.walkEqual(a.LocalsPlusKinds, b.LocalsPlusKinds, na.path+".co_localspluskinds")
			}
			df.listDiff(cd, name, path, df.a.items(f.ta, py2, ka), df.b.items(f.tb, py2, kb), py2)
			continue
		}
		if df.eq.equal(tupleOrNil(f.ta), tupleOrNil(f.tb), py2, 0) {
			df.walkEqual(tupleOrNil(f.ta), tupleOrNil(f.tb), path)
			continue
		}
		df.listDiff(cd, name, path, df.a.items(f.ta, py2, nil), df.b.items(f.tb, py2, nil), py2)
	}
}

// walkEqual walks the encodings of two equal values, unless the diff is
// semantic.
func (df *differ) walkEqual(a, b marshal.Value, path string) {
	if df.enc != nil {
		df.enc.walk(a, b, at(path), 0)
	}
}

// listDiff diffs two tuples item by item.
func (df *differ) listDiff(cd *CodeDiff, name, path string, a, b listItems, py2 bool) {
	es := editStrings(a.keys, b.keys)
	var items []ItemChange
	walkItem := func(i, j int) {
		x, y := a.t.Items[i], b.t.Items[j]
		if cx, ok := x.(*marshal.Code); ok {
			if cy, ok := y.(*marshal.Code); ok && df.enc != nil {
				df.enc.codeHeader(cx, cy, df.a.byCode[cx].pathOr(path))
			}
			return
		}
		if df.enc != nil {
			df.enc.walk(x, y, where{path, i}, 0)
		}
	}
	for k := 0; k < len(es); {
		if es[k].Kind == editEqual {
			walkItem(es[k].A, es[k].B)
			k++
			continue
		}
		var dels, ins []int
		for ; k < len(es) && es[k].Kind != editEqual; k++ {
			if es[k].Kind == editDelete {
				dels = append(dels, es[k].A)
			} else {
				ins = append(ins, es[k].B)
			}
		}
		n := min(len(dels), len(ins))
		for x := 0; x < n; x++ {
			i, j := dels[x], ins[x]
			if df.eq.equal(a.t.Items[i], b.t.Items[j], py2, 0) {
				walkItem(i, j)
				continue
			}
			items = append(items, ItemChange{Op: "changed", AIndex: intp(i), BIndex: intp(j), A: a.reprs[i], B: b.reprs[j]})
		}
		for _, i := range dels[n:] {
			items = append(items, ItemChange{Op: "removed", AIndex: intp(i), A: a.reprs[i]})
		}
		for _, j := range ins[n:] {
			items = append(items, ItemChange{Op: "added", BIndex: intp(j), B: b.reprs[j]})
		}
	}
	if len(items) > 0 {
		cd.Lists = append(cd.Lists, ListDiff{Field: name, Items: items})
	}
}

func (n *node) pathOr(def string) string {
	if n == nil {
		return def
	}
	return n.path
}

// bytecode diffs the instructions, line numbers and exception tables.
func (df *differ) bytecode(cd *CodeDiff, na, nb *node) {
	a, b := na.code, nb.code
	sameCode := bytes.Equal(a.Bytecode(), b.Bytecode()) && df.a.table == df.b.table
	if na.dc == nil || nb.dc == nil {
		if !sameCode {
			cd.Notes = append(cd.Notes, fmt.Sprintf("co_code differs (%d and %d bytes; no opcode table to disassemble it)", len(a.Bytecode()), len(b.Bytecode())))
		}
		return
	}
	la, lb := df.a.ren.render(na.dc), df.b.ren.render(nb.dc)
	ld := diffListings(la, lb)
	var exA, exB []exceptionEntry
	if a.Layout.Has("exceptiontable") {
		exA = exceptionEntries(na.dc, la)
	}
	if b.Layout.Has("exceptiontable") {
		exB = exceptionEntries(nb.dc, lb)
	}
	ld.assignLabels(exA, exB)
	changed := hasChange(ld.edits)
	if changed {
		cd.Bytecode = &Listing{ACount: len(la.ins), BCount: len(lb.ins), Hunks: ld.hunks(df.opts.context())}
	} else if !sameCode {
		cd.Notes = append(cd.Notes, "co_code differs only in argument numbering or EXTENDED_ARG prefixes: the instructions are the same")
	}
	notes := ld.lineNotes()
	cd.Notes = append(cd.Notes, notes...)
	if len(notes) == 0 && !changed && !bytes.Equal(a.LineTableBytes(), b.LineTableBytes()) {
		cd.Notes = append(cd.Notes, df.positionNote(na, nb, ld))
	}
	if !bytes.Equal(a.ExceptionTableBytes(), b.ExceptionTableBytes()) {
		cd.ExceptionTable = ld.exceptionDiff(exA, exB, df.opts.context())
		if cd.ExceptionTable == nil && !changed {
			cd.Notes = append(cd.Notes, "co_exceptiontable bytes differ, the same entries")
		}
	}
}

// positionNote explains a line table that differs while every instruction
// keeps its line: columns and end lines (3.11+), or the encoding.
func (df *differ) positionNote(na, nb *node, ld *listingDiff) string {
	table := lineTableName(na.code)
	if na.code.Layout >= marshal.Layout311 && nb.code.Layout >= marshal.Layout311 {
		pa, pb := na.dc.Positions(), nb.dc.Positions()
		n := 0
		for _, e := range ld.edits {
			if e.Kind != editEqual {
				continue
			}
			i, j := ld.a.ins[e.A].Offset/2, ld.b.ins[e.B].Offset/2
			if i < len(pa) && j < len(pb) && pa[i] != pb[j] {
				n++
			}
		}
		if n > 0 {
			return fmt.Sprintf("%s: source columns or end lines differ for %d instructions, lines are the same", table, n)
		}
	}
	return table + " bytes differ, every instruction keeps its line"
}

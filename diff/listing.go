package diff

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/opcode"
)

// listing is one code object's instructions rendered for diffing:
// EXTENDED_ARG prefixes left out, each instruction as a comparison key and
// a display text, jumps resolved to instruction indexes.
type listing struct {
	ins []disasm.Instruction
	// key compares instructions: the opcode name and what the argument
	// designates, without offsets, indexes or jump targets.
	key []string
	// text is the opcode name and argument as shown, without the jump
	// target.
	text []string
	// jump is the index of the instruction a jump lands on, -1 for
	// instructions that are not jumps, -2 for a jump outside the code.
	jump []int
	// line is the source line of each instruction (disasm.NoLine for none).
	line []int
	// starts holds each instruction's offset, for mapping offsets back to
	// instructions.
	starts []int
}

// renderer renders instructions of one side of a diff.
type renderer struct {
	style disasm.ReprStyle
	// codeKey keys a code object constant: by pairing in diffs, by body in
	// signatures.
	codeKey func(*marshal.Code) string
	// self, when set, is the code object's own name and qualified name,
	// replaced by a placeholder in keys (for rename detection).
	selfName, selfQual string
}

const selfMark = "\x00self"

// render decodes and renders a code object's instructions.
func (r *renderer) render(c *disasm.Code) *listing {
	raw := c.Instructions()
	t := c.Table
	ext, hasExt := t.ExtendedArg()
	l := &listing{}
	n := len(raw)
	l.ins = make([]disasm.Instruction, 0, n)
	// lineAt maps raw offsets to lines: carry the line forward over the
	// line starts.
	starts := c.LineStarts()
	si, line := 0, disasm.NoLine
	for i := range raw {
		in := &raw[i]
		for si < len(starts) && starts[si].Offset <= in.Offset {
			line = starts[si].Line
			si++
		}
		if hasExt && t.Deopt(in.Op) == ext {
			continue
		}
		l.ins = append(l.ins, *in)
		l.line = append(l.line, line)
		l.starts = append(l.starts, in.Offset)
	}
	names := c.NameStrings()
	locals := c.LocalNames()
	var cells []string
	l.key = make([]string, len(l.ins))
	l.text = make([]string, len(l.ins))
	l.jump = make([]int, len(l.ins))
	var sb strings.Builder
	for i := range l.ins {
		in := &l.ins[i]
		name := t.Name(in.Op)
		l.jump[i] = -1
		if !in.HasArg {
			l.key[i], l.text[i] = name, name
			continue
		}
		kind := t.Kind(in.Op)
		switch kind {
		case opcode.ArgJumpRel, opcode.ArgJumpAbs, opcode.ArgJumpBackward:
			l.key[i], l.text[i] = name+" ->", name
			tg, ok := t.JumpTarget(in.Op, in.Offset, in.Arg)
			j := l.index(tg)
			if !ok || j < 0 {
				l.jump[i] = -2
				l.key[i] = name + " ->?" + strconv.Itoa(tg)
				l.text[i] = name + " to ?" + strconv.Itoa(tg)
			} else {
				l.jump[i] = j
			}
			continue
		case opcode.ArgFree:
			if cells == nil {
				cells = c.CellAndFreeNames()
			}
		}
		key, text := r.arg(c, in, kind, names, locals, cells)
		sb.Reset()
		sb.WriteString(name)
		sb.WriteByte(' ')
		sb.WriteString(key)
		l.key[i] = sb.String()
		if text == key {
			l.text[i] = l.key[i]
		} else {
			l.text[i] = name + " " + text
		}
	}
	return l
}

// index returns the index of the instruction at or just after offset (a
// jump to an EXTENDED_ARG lands on the instruction it prefixes), or -1
// when the offset is outside the code.
func (l *listing) index(off int) int {
	j := sort.SearchInts(l.starts, off)
	if j >= len(l.starts) || off < 0 {
		return -1
	}
	return j
}

// containing returns the index of the instruction whose bytes (with its
// caches) hold offset, or len(ins) past the end.
func (l *listing) containing(off int) int {
	j := sort.SearchInts(l.starts, off+1) - 1
	if j < 0 {
		return 0
	}
	if j < len(l.ins) && off >= l.ins[j].End() {
		return j + 1
	}
	return j
}

// arg renders an argument: the comparison key and the display text.
func (r *renderer) arg(c *disasm.Code, in *disasm.Instruction, kind opcode.ArgKind, names, locals, cells []string) (key, text string) {
	t := c.Table
	arg := in.Arg
	num := strconv.Itoa(arg)
	pick := func(xs []string, i int) string {
		if i >= 0 && i < len(xs) {
			return xs[i]
		}
		return "<" + strconv.Itoa(i) + "?>"
	}
	switch kind {
	case opcode.ArgConst:
		if c.Consts == nil || arg < 0 || arg >= len(c.Consts.Items) {
			return "<const " + num + "?>", "<const " + num + "?>"
		}
		v := c.Consts.Items[arg]
		return r.constKey(v, c.Layout.Python2()), r.repr(v)
	case opcode.ArgName:
		i, f := t.NameIndex(in.Op, arg)
		s := r.self(pick(names, i))
		if f != "" {
			s = strings.Replace(f, "%s", s, 1)
		}
		return s, s
	case opcode.ArgLocal:
		s := pick(locals, arg)
		return s, s
	case opcode.ArgLocalPair:
		s := pick(locals, arg>>4) + ", " + pick(locals, arg&15)
		return s, s
	case opcode.ArgFree:
		s := pick(cells, arg)
		return s, s
	case opcode.ArgCompare:
		i, flags := t.CompareOp(arg)
		s := pick(t.CmpOp(), i)
		for _, f := range flags {
			s = strings.Replace(f.Format, "%s", s, 1)
		}
		return s, s
	case opcode.ArgBinaryOp:
		if ops := t.NbOps(); arg >= 0 && arg < len(ops) {
			return ops[arg].Symbol, ops[arg].Symbol
		}
	case opcode.ArgIntrinsic1:
		s := pick(t.Intrinsic1(), arg)
		return s, s
	case opcode.ArgIntrinsic2:
		s := pick(t.Intrinsic2(), arg)
		return s, s
	case opcode.ArgFormatValue:
		if s, ok := t.FormatValue(arg); ok && s != "" {
			return num + " (" + s + ")", num + " (" + s + ")"
		}
	case opcode.ArgConvertValue:
		if s, ok := t.ConvertValue(arg); ok && s != "" {
			return num + " (" + s + ")", num + " (" + s + ")"
		}
	case opcode.ArgFunctionFlags:
		flags, _ := t.FunctionFlags()
		var parts []string
		for bit, name := range flags {
			if arg&(1<<bit) != 0 {
				parts = append(parts, name)
			}
		}
		if len(parts) > 0 {
			s := num + " (" + strings.Join(parts, ", ") + ")"
			return s, s
		}
	case opcode.ArgCommonConstant, opcode.ArgSpecialMethod, opcode.ArgEnum:
		if s, ok := t.ArgRepr(in.Op, arg); ok {
			return s, s
		}
	}
	return num, num
}

// self replaces the code object's own name with a placeholder when
// rendering for a signature.
func (r *renderer) self(s string) string {
	if r.selfName != "" && s == r.selfName {
		return selfMark
	}
	return s
}

// constKey is the comparison key of a constant.
func (r *renderer) constKey(v marshal.Value, py2 bool) string {
	if c, ok := v.(*marshal.Code); ok {
		return r.codeKey(c)
	}
	if r.selfQual != "" {
		if s, ok := v.(*marshal.Str); ok {
			if d := string(s.Data); d == r.selfQual || d == r.selfName {
				return selfMark
			} else if strings.HasPrefix(d, r.selfQual+".") {
				return selfMark + d[len(r.selfQual):]
			}
		}
	}
	c := canonizer{py2: py2, code: func(dst []byte, c *marshal.Code) []byte {
		return append(dst, r.codeKey(c)...)
	}}
	return string(c.key(nil, v, 0))
}

// repr is a constant's repr as shown; code objects show as
// "<code object NAME>", without the address and line that would differ
// for no reason.
func (r *renderer) repr(v marshal.Value) string {
	if c, ok := v.(*marshal.Code); ok {
		return "<code object " + c.NameString() + ">"
	}
	return r.style.Repr(v)
}

// listingDiff is the instruction diff of two listings.
type listingDiff struct {
	a, b   *listing
	edits  []edit
	posA   []int // merged position of each a instruction
	posB   []int
	labels map[int]string // merged position -> label
	endA   int            // merged position after the last a instruction
	endB   int
}

// diffListings aligns two listings: a Myers diff over the keys, then jumps
// whose targets do not correspond are unmatched.
func diffListings(a, b *listing) *listingDiff {
	ld := &listingDiff{a: a, b: b}
	in := interner{}
	ka, kb := make([]int32, len(a.key)), make([]int32, len(b.key))
	for i, k := range a.key {
		ka[i] = in.id(k)
	}
	for i, k := range b.key {
		kb[i] = in.id(k)
	}
	ld.edits = realign(editScript(ka, kb), ka, kb, a.line, b.line)
	slide(ld.edits, ka, kb, a.line, b.line)
	// Unmatching a pair of jumps can leave other jumps pointing at an
	// unmatched instruction: repeat until every matched jump agrees.
	mapA := make([]int, len(a.ins))
	for {
		for i := range mapA {
			mapA[i] = -1
		}
		for _, e := range ld.edits {
			if e.Kind == editEqual {
				mapA[e.A] = e.B
			}
		}
		var out []edit
		for k, e := range ld.edits {
			if e.Kind == editEqual {
				ja, jb := a.jump[e.A], b.jump[e.B]
				if ja >= 0 && jb >= 0 && mapA[ja] != jb {
					if out == nil {
						out = append(make([]edit, 0, len(ld.edits)+8), ld.edits[:k]...)
					}
					out = append(out, edit{editDelete, e.A, -1}, edit{editInsert, -1, e.B})
					continue
				}
			}
			if out != nil {
				out = append(out, e)
			}
		}
		if out == nil {
			break
		}
		ld.edits = out
	}
	normalizeRuns(ld.edits)
	ld.posA = make([]int, len(a.ins))
	ld.posB = make([]int, len(b.ins))
	for p, e := range ld.edits {
		if e.A >= 0 {
			ld.posA[e.A] = p
		}
		if e.B >= 0 {
			ld.posB[e.B] = p
		}
	}
	ld.endA, ld.endB = len(ld.edits), len(ld.edits)
	return ld
}

// Realignment: Myers' algorithm finds a shortest script, but among the
// equally short ones it may match an instruction of a removed statement
// with a like one of the statement after it (LOAD_FAST x in an assert with
// LOAD_FAST x on the next line), scattering a removed statement into
// pieces. realign redoes each stretch of changes (runs of changes with at
// most realignGap equal instructions between them) with a dynamic program
// that keeps the same number of matches and, among those, prefers matches
// whose source lines keep the offset of the last match before the
// stretch.
const (
	realignGap   = 4
	realignCells = 1 << 18
)

func realign(es []edit, ka, kb []int32, la, lb []int) []edit {
	out := make([]edit, 0, len(es))
	for k := 0; k < len(es); {
		if es[k].Kind == editEqual {
			out = append(out, es[k])
			k++
			continue
		}
		start, end := k, k
		inner := false
		for {
			for end < len(es) && es[end].Kind != editEqual {
				end++
			}
			e := end
			for e < len(es) && es[e].Kind == editEqual {
				e++
			}
			if e < len(es) && e-end <= realignGap {
				end = e
				inner = true
				continue
			}
			break
		}
		region := es[start:end]
		a0, a1, b0, b1 := -1, -1, -1, -1
		for _, e := range region {
			if e.A >= 0 {
				if a0 < 0 {
					a0 = e.A
				}
				a1 = e.A + 1
			}
			if e.B >= 0 {
				if b0 < 0 {
					b0 = e.B
				}
				b1 = e.B + 1
			}
		}
		if !inner || a0 < 0 || b0 < 0 || (a1-a0)*(b1-b0) > realignCells {
			out = append(out, region...)
			k = end
			continue
		}
		ref, hasRef := 0, false
		if n := len(out); n > 0 && out[n-1].Kind == editEqual {
			ref, hasRef = lb[out[n-1].B]-la[out[n-1].A], true
		} else if end < len(es) && es[end].Kind == editEqual {
			ref, hasRef = lb[es[end].B]-la[es[end].A], true
		}
		out = append(out, alignDP(ka[a0:a1], kb[b0:b1], la[a0:a1], lb[b0:b1], a0, b0, ref, hasRef)...)
		k = end
	}
	return out
}

// alignDP aligns two short sequences for the most matches and, among
// those, the most matches whose line offset is ref. a0 and b0 are the
// sequences' first indexes in the whole listings.
func alignDP(ka, kb []int32, la, lb []int, a0, b0, ref int, hasRef bool) []edit {
	n, m := len(ka), len(kb)
	big := min(n, m) + 1
	w := m + 1
	score := make([]int, (n+1)*w)
	for i := 1; i <= n; i++ {
		for j := 1; j <= m; j++ {
			v := max(score[(i-1)*w+j], score[i*w+j-1])
			if ka[i-1] == kb[j-1] {
				d := big
				if hasRef && lb[j-1]-la[i-1] == ref {
					d++
				}
				v = max(v, score[(i-1)*w+j-1]+d)
			}
			score[i*w+j] = v
		}
	}
	// Walk back from the end; the script comes out reversed.
	var rev []edit
	i, j := n, m
	for i > 0 || j > 0 {
		switch {
		case i > 0 && j > 0 && ka[i-1] == kb[j-1] && score[i*w+j] == score[(i-1)*w+j-1]+matchWeight(big, hasRef && lb[j-1]-la[i-1] == ref):
			rev = append(rev, edit{editEqual, a0 + i - 1, b0 + j - 1})
			i--
			j--
		case j > 0 && (i == 0 || score[i*w+j] == score[i*w+j-1]):
			rev = append(rev, edit{editInsert, -1, b0 + j - 1})
			j--
		default:
			rev = append(rev, edit{editDelete, a0 + i - 1, -1})
			i--
		}
	}
	for l, r := 0, len(rev)-1; l < r; l, r = l+1, r-1 {
		rev[l], rev[r] = rev[r], rev[l]
	}
	normalizeRuns(rev)
	return rev
}

func matchWeight(big int, consistent bool) int {
	if consistent {
		return big + 1
	}
	return big
}

// slide moves each run of only deletions (or only insertions) up or down
// where the instructions around it allow, to where it starts and ends at
// source line boundaries: of the equally short scripts, the one that reads
// as whole statements removed or inserted.
func slide(es []edit, ka, kb []int32, la, lb []int) {
	for p := 0; p < len(es); {
		if es[p].Kind == editEqual {
			p++
			continue
		}
		q := p
		for q < len(es) && es[q].Kind == es[p].Kind {
			q++
		}
		if q < len(es) && es[q].Kind != editEqual {
			// A mixed run: leave it.
			for q < len(es) && es[q].Kind != editEqual {
				q++
			}
			p = q
			continue
		}
		if es[p].Kind == editDelete {
			slideRun(es, p, q, ka, la, lb, func(e *edit) *int { return &e.A })
		} else {
			slideRun(es, p, q, kb, lb, la, func(e *edit) *int { return &e.B })
		}
		p = q
	}
}

// slideRun slides the one-sided run es[p:q]; idx picks the side's index
// in an edit, lines and other are the source lines of that side and of the
// other. Positions are scored first by how many instructions matched
// around the run keep the line offset of the match next to the window,
// then by whether the run starts and ends at source line boundaries.
func slideRun(es []edit, p, q int, keys []int32, lines, other []int, idx func(*edit) *int) {
	start := *idx(&es[p])
	n := q - p
	// How far can the run move? Up while the item before it equals its
	// last; down while the item after it equals its first.
	up := 0
	for p-up-1 >= 0 && es[p-up-1].Kind == editEqual && start-up-1 >= 0 &&
		keys[start-up-1] == keys[start-up-1+n] && *idx(&es[p-up-1]) == start-up-1 {
		up++
	}
	down := 0
	for q+down < len(es) && es[q+down].Kind == editEqual && start+n+down < len(keys) &&
		keys[start+down] == keys[start+n+down] && *idx(&es[q+down]) == start+n+down {
		down++
	}
	if up == 0 && down == 0 {
		return
	}
	lo, hi := p-up, q+down
	var partners []int
	for k := lo; k < hi; k++ {
		if es[k].Kind == editEqual {
			e := es[k]
			partners = append(partners, *otherIdx(&e, idx))
		}
	}
	first := start - up
	// The line offset of the nearest match outside the window.
	ref, hasRef := 0, false
	for _, k := range []int{lo - 1, hi} {
		if k >= 0 && k < len(es) && es[k].Kind == editEqual {
			e := es[k]
			ref, hasRef = other[*otherIdx(&e, idx)]-lines[*idx(&e)], true
			break
		}
	}
	score := func(s int) int {
		s0, s1 := start+s, start+s+n
		v := 0
		if hasRef {
			pi := 0
			for i := first; i < first+(hi-lo); i++ {
				if i >= s0 && i < s1 {
					continue
				}
				if other[partners[pi]]-lines[i] == ref {
					v += 4
				}
				pi++
			}
		}
		if s0 == 0 || lines[s0] != lines[s0-1] {
			v += 2
		}
		if s1 == len(lines) || lines[s1] != lines[s1-1] {
			v++
		}
		return v
	}
	best, bestScore := 0, score(0)
	for s := -up; s <= down; s++ {
		if sc := score(s); sc > bestScore || sc == bestScore && abs(s) < abs(best) {
			best, bestScore = s, sc
		}
	}
	if best == 0 {
		return
	}
	// Rebuild the window: equal edits keep their partners in order, the
	// run moves by best.
	kind := es[p].Kind
	runStart := start + best
	k, pi := lo, 0
	for i := first; i < first+(hi-lo); i++ {
		if i >= runStart && i < runStart+n {
			e := edit{Kind: kind, A: -1, B: -1}
			*idx(&e) = i
			es[k] = e
		} else {
			e := edit{Kind: editEqual}
			*idx(&e) = i
			*otherIdx(&e, idx) = partners[pi]
			pi++
			es[k] = e
		}
		k++
	}
}

// otherIdx returns the index of the other side than idx picks.
func otherIdx(e *edit, idx func(*edit) *int) *int {
	if idx(e) == &e.A {
		return &e.B
	}
	return &e.A
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// normalizeRuns puts the deletions of each run of changes before its
// insertions.
func normalizeRuns(es []edit) {
	for i := 0; i < len(es); {
		if es[i].Kind == editEqual {
			i++
			continue
		}
		j := i
		for j < len(es) && es[j].Kind != editEqual {
			j++
		}
		run := es[i:j]
		sort.SliceStable(run, func(x, y int) bool {
			return run[x].Kind == editDelete && run[y].Kind == editInsert
		})
		i = j
	}
}

// exceptionEntry is an exception-table entry in instruction indexes: the
// covered instructions [start, end) and the handler.
type exceptionEntry struct {
	start, end, target int
	depth              int
	lasti              bool
}

func exceptionEntries(c *disasm.Code, l *listing) []exceptionEntry {
	var out []exceptionEntry
	for _, e := range c.ExceptionTable() {
		out = append(out, exceptionEntry{
			start:  l.containing(e.Start),
			end:    l.containing(e.End) + 1,
			target: l.containing(e.Target),
			depth:  e.Depth,
			lasti:  e.Lasti,
		})
	}
	return out
}

// assignLabels numbers the merged positions that jumps and exception
// entries refer to, in listing order.
func (ld *listingDiff) assignLabels(exA, exB []exceptionEntry) {
	set := map[int]bool{}
	for _, j := range ld.a.jump {
		if j >= 0 {
			set[ld.posA[j]] = true
		}
	}
	for _, j := range ld.b.jump {
		if j >= 0 {
			set[ld.posB[j]] = true
		}
	}
	add := func(ex []exceptionEntry, pos []int, end int) {
		for _, e := range ex {
			for _, x := range []int{e.start, e.end, e.target} {
				if x < len(pos) {
					set[pos[x]] = true
				} else {
					set[end] = true
				}
			}
		}
	}
	add(exA, ld.posA, ld.endA)
	add(exB, ld.posB, ld.endB)
	ps := make([]int, 0, len(set))
	for p := range set {
		ps = append(ps, p)
	}
	sort.Ints(ps)
	ld.labels = make(map[int]string, len(ps))
	for i, p := range ps {
		ld.labels[p] = "L" + strconv.Itoa(i+1)
	}
}

// label returns the label of a side's instruction index.
func (ld *listingDiff) label(pos []int, end, i int) string {
	if i < len(pos) {
		return ld.labels[pos[i]]
	}
	return ld.labels[end]
}

// text renders instruction i of one side, with its jump target's label.
func (ld *listingDiff) text(l *listing, pos []int, end, i int) string {
	if j := l.jump[i]; j >= 0 {
		return l.text[i] + " to " + ld.label(pos, end, j)
	}
	return l.text[i]
}

func intp(i int) *int { return &i }

// hunks groups the edit script into diff -u hunks with ctx lines of
// context.
func (ld *listingDiff) hunks(ctx int) []Hunk {
	return makeHunks(ld.edits, ctx, func(e edit) Line {
		var ln Line
		switch e.Kind {
		case editEqual:
			ln.Op = " "
		case editDelete:
			ln.Op = "-"
		default:
			ln.Op = "+"
		}
		if e.A >= 0 {
			if l := ld.a.line[e.A]; l != disasm.NoLine {
				ln.ALine = intp(l)
			}
			ln.Label = ld.labels[ld.posA[e.A]]
			ln.Text = ld.text(ld.a, ld.posA, ld.endA, e.A)
		}
		if e.B >= 0 {
			if l := ld.b.line[e.B]; l != disasm.NoLine {
				ln.BLine = intp(l)
			}
			ln.Label = ld.labels[ld.posB[e.B]]
			if e.A < 0 {
				ln.Text = ld.text(ld.b, ld.posB, ld.endB, e.B)
			}
		}
		return ln
	})
}

// makeHunks groups an edit script into hunks.
func makeHunks(es []edit, ctx int, line func(edit) Line) []Hunk {
	var out []Hunk
	n := len(es)
	i := 0
	for i < n {
		for i < n && es[i].Kind == editEqual {
			i++
		}
		if i == n {
			break
		}
		start := max(0, i-ctx)
		end := i
		// Extend over changes and over gaps of at most 2*ctx equal lines.
		for end < n {
			if es[end].Kind != editEqual {
				end++
				continue
			}
			j := end
			for j < n && es[j].Kind == editEqual {
				j++
			}
			if j == n || j-end > 2*ctx {
				end = min(n, end+ctx)
				break
			}
			end = j
		}
		h := Hunk{}
		aFirst, bFirst := -1, -1
		for k := start; k < end; k++ {
			e := es[k]
			h.Lines = append(h.Lines, line(e))
			if e.A >= 0 {
				h.ALen++
				if aFirst < 0 {
					aFirst = e.A
				}
			}
			if e.B >= 0 {
				h.BLen++
				if bFirst < 0 {
					bFirst = e.B
				}
			}
		}
		h.AStart = hunkStart(es, start, aFirst, true)
		h.BStart = hunkStart(es, start, bFirst, false)
		out = append(out, h)
		i = end
	}
	return out
}

// hunkStart is diff -u's start number: the 1-based index of the first line
// of the side in the hunk, or of the line before when the side has none.
func hunkStart(es []edit, start, first int, sideA bool) int {
	if first >= 0 {
		return first + 1
	}
	// Count the side's lines before the hunk.
	n := 0
	for k := 0; k < start; k++ {
		if sideA && es[k].A >= 0 || !sideA && es[k].B >= 0 {
			n++
		}
	}
	return n
}

// lineNotes describes how the source lines of matched instructions moved:
// nothing when none did, "all source lines shifted by +N", or the runs of
// instructions that moved by the same amount.
func (ld *listingDiff) lineNotes() []string {
	type run struct{ delta, fromA, aLine, bLine, count int }
	var runs []run
	moved := false
	for _, e := range ld.edits {
		if e.Kind != editEqual {
			continue
		}
		la, lb := ld.a.line[e.A], ld.b.line[e.B]
		if la == disasm.NoLine || lb == disasm.NoLine {
			if la != lb {
				runs = append(runs, run{delta: 1 << 30, fromA: e.A, aLine: la, bLine: lb, count: 1})
				moved = true
			}
			continue
		}
		d := lb - la
		if d != 0 {
			moved = true
		}
		if len(runs) > 0 && runs[len(runs)-1].delta == d {
			runs[len(runs)-1].count++
			continue
		}
		runs = append(runs, run{delta: d, fromA: e.A, aLine: la, bLine: lb, count: 1})
	}
	if !moved {
		return nil
	}
	if len(runs) == 1 {
		return []string{fmt.Sprintf("all source lines shifted by %+d", runs[0].delta)}
	}
	var parts []string
	for _, r := range runs {
		if r.delta == 0 {
			continue
		}
		if r.delta == 1<<30 {
			parts = append(parts, fmt.Sprintf("instruction %d: line %s -> %s", r.fromA+1, lineText(r.aLine), lineText(r.bLine)))
			continue
		}
		parts = append(parts, fmt.Sprintf("%+d from instruction %d (line %d -> %d, %d instructions)", r.delta, r.fromA+1, r.aLine, r.bLine, r.count))
	}
	const maxParts = 8
	if len(parts) > maxParts {
		parts = append(parts[:maxParts], fmt.Sprintf("and %d more runs", len(parts)-maxParts))
	}
	return []string{"source lines moved: " + strings.Join(parts, "; ")}
}

func lineText(l int) string {
	if l == disasm.NoLine {
		return "none"
	}
	return strconv.Itoa(l)
}

// exceptionDiff diffs two exception tables written with the merged labels.
func (ld *listingDiff) exceptionDiff(exA, exB []exceptionEntry, ctx int) *Listing {
	render := func(ex []exceptionEntry, pos []int, end int) []string {
		out := make([]string, len(ex))
		for i, e := range ex {
			s := ld.label(pos, end, e.start) + " to " + ld.label(pos, end, e.end) + " -> " +
				ld.label(pos, end, e.target) + " [" + strconv.Itoa(e.depth) + "]"
			if e.lasti {
				s += " lasti"
			}
			out[i] = s
		}
		return out
	}
	ta := render(exA, ld.posA, ld.endA)
	tb := render(exB, ld.posB, ld.endB)
	es := editStrings(ta, tb)
	if !hasChange(es) {
		return nil
	}
	return &Listing{ACount: len(ta), BCount: len(tb), Hunks: makeHunks(es, ctx, func(e edit) Line {
		switch e.Kind {
		case editEqual:
			return Line{Op: " ", Text: ta[e.A]}
		case editDelete:
			return Line{Op: "-", Text: ta[e.A]}
		}
		return Line{Op: "+", Text: tb[e.B]}
	})}
}

func hasChange(es []edit) bool {
	for _, e := range es {
		if e.Kind != editEqual {
			return true
		}
	}
	return false
}

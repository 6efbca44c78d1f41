package diff

// This file holds the sequence diff: Myers' O(ND) algorithm in its
// linear-space form (E. W. Myers, "An O(ND) Difference Algorithm and Its
// Variations", Algorithmica 1986, section 4b), over sequences of small
// integers so that every comparison is one integer compare.

// editKind is one step of an edit script.
type editKind uint8

const (
	editEqual  editKind = iota // the items match
	editDelete                 // the item is only in a
	editInsert                 // the item is only in b
)

// edit is one step of an edit script: A is the index in a (for equal and
// delete steps), B the index in b (for equal and insert steps); the other
// index is -1.
type edit struct {
	Kind editKind
	A, B int
}

// maxCost bounds the work of one middle-snake search. Past it the search
// gives up on minimality and splits where its forward search reached on
// the box's own diagonal, so that very different inputs cost
// O((N+M)*maxCost): the script stays correct, possibly longer than the
// shortest.
const maxCost = 4096

// editScript returns an edit script turning a into b that is as short as
// possible (shortest for inputs within maxCost of each other). Deletions
// come before insertions within a run of changes.
func editScript(a, b []int32) []edit {
	m := &myers{a: a, b: b, match: make([]int, len(a))}
	for i := range m.match {
		m.match[i] = -1
	}
	n := len(a) + len(b) + 2
	m.vf = make([]int, 2*n+1)
	m.vb = make([]int, 2*n+1)
	m.off = n
	m.compare(0, len(a), 0, len(b))
	return m.script()
}

type myers struct {
	a, b   []int32
	match  []int // match[i] is the index in b that a[i] matches, or -1
	vf, vb []int // furthest x per diagonal, forward and backward
	off    int   // index of diagonal 0 in vf and vb
}

// compare finds the matches between a[a0:a1] and b[b0:b1].
func (m *myers) compare(a0, a1, b0, b1 int) {
	for {
		for a0 < a1 && b0 < b1 && m.a[a0] == m.b[b0] {
			m.match[a0] = b0
			a0++
			b0++
		}
		for a0 < a1 && b0 < b1 && m.a[a1-1] == m.b[b1-1] {
			a1--
			b1--
			m.match[a1] = b1
		}
		if a0 == a1 || b0 == b1 {
			return
		}
		x, y, u, v := m.middleSnake(a0, a1, b0, b1)
		for i := x; i < u; i++ {
			m.match[i] = y + i - x
		}
		// Recurse into the smaller half, loop on the other.
		if (x-a0)+(y-b0) < (a1-u)+(b1-v) {
			m.compare(a0, x, b0, y)
			a0, b0 = u, v
		} else {
			m.compare(u, a1, v, b1)
			a1, b1 = x, y
		}
	}
}

// middleSnake returns the middle snake of a shortest edit script between
// a[a0:a1] and b[b0:b1] (both non-empty, with no common first or last
// item): the diagonal run (x,y)-(u,v) that the forward and backward
// searches meet on. Past maxCost it returns an empty snake at a point
// strictly inside the box.
func (m *myers) middleSnake(a0, a1, b0, b1 int) (x0, y0, x1, y1 int) {
	n, mm := a1-a0, b1-b0
	delta := n - mm
	odd := delta&1 != 0
	vf, vb, off := m.vf, m.vb, m.off
	vf[off+1] = 0
	vb[off+1] = 0
	maxD := (n + mm + 1) / 2
	for d := 0; d <= maxD; d++ {
		// Forward search from (0, 0).
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && vf[off+k-1] < vf[off+k+1] {
				x = vf[off+k+1]
			} else {
				x = vf[off+k-1] + 1
			}
			y := x - k
			sx, sy := x, y
			for x < n && y < mm && m.a[a0+x] == m.b[b0+y] {
				x++
				y++
			}
			vf[off+k] = x
			if odd {
				if c := delta - k; c >= -(d-1) && c <= d-1 && x+vb[off+c] >= n {
					return a0 + sx, b0 + sy, a0 + x, b0 + y
				}
			}
		}
		// Backward search from (n, mm), in reversed coordinates.
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && vb[off+k-1] < vb[off+k+1] {
				x = vb[off+k+1]
			} else {
				x = vb[off+k-1] + 1
			}
			y := x - k
			sx, sy := x, y
			for x < n && y < mm && m.a[a1-1-x] == m.b[b1-1-y] {
				x++
				y++
			}
			vb[off+k] = x
			if !odd {
				if c := delta - k; c >= -d && c <= d && x+vf[off+c] >= n {
					return a1 - x, b1 - y, a1 - sx, b1 - sy
				}
			}
		}
		if d >= maxCost {
			return m.giveUp(a0, a1, b0, b1, d)
		}
	}
	// Unreachable: the searches always meet by maxD.
	return m.giveUp(a0, a1, b0, b1, maxD)
}

// giveUp picks a split point for a search that has cost too much: the
// point the forward search reached on the diagonal nearest the box's own
// diagonal, so that the two halves keep the shape of the box (or the
// middle of the box when that point is a corner).
func (m *myers) giveUp(a0, a1, b0, b1, d int) (int, int, int, int) {
	n, mm := a1-a0, b1-b0
	// The box's diagonal crosses x+y = d at x = d*n/(n+mm).
	k := (2*d*n)/(n+mm) - d
	if (k+d)%2 != 0 {
		k++
	}
	k = max(-d, min(d, k))
	x := m.vf[m.off+k]
	y := x - k
	if x < 0 || y < 0 || x > n || y > mm || x+y == 0 || x == n && y == mm {
		x, y = n/2, mm/2
		if x+y == 0 {
			x = 1
		}
	}
	return a0 + x, b0 + y, a0 + x, b0 + y
}

// script turns the matches into an edit script.
func (m *myers) script() []edit {
	out := make([]edit, 0, len(m.a)+len(m.b))
	j := 0
	for i := 0; i < len(m.a); i++ {
		t := m.match[i]
		if t < 0 {
			out = append(out, edit{editDelete, i, -1})
			continue
		}
		for ; j < t; j++ {
			out = append(out, edit{editInsert, -1, j})
		}
		out = append(out, edit{editEqual, i, j})
		j++
	}
	for ; j < len(m.b); j++ {
		out = append(out, edit{editInsert, -1, j})
	}
	return out
}

// interner numbers distinct strings, so that sequences of strings can be
// diffed as sequences of integers.
type interner map[string]int32

func (in interner) id(s string) int32 {
	if v, ok := in[s]; ok {
		return v
	}
	v := int32(len(in))
	in[s] = v
	return v
}

// editStrings diffs two sequences of strings.
func editStrings(a, b []string) []edit {
	in := interner{}
	ia := make([]int32, len(a))
	for i, s := range a {
		ia[i] = in.id(s)
	}
	ib := make([]int32, len(b))
	for i, s := range b {
		ib[i] = in.id(s)
	}
	return editScript(ia, ib)
}

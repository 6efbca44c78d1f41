package diff

import (
	"math/rand"
	"strings"
	"testing"
)

// lcsLen is the textbook dynamic-programming LCS length, the oracle for
// the edit scripts' minimality.
func lcsLen(a, b []int32) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// checkScript verifies that es turns a into b: every index of each side
// appears once, in order, and equal steps pair equal items. It returns the
// number of equal steps.
func checkScript(t *testing.T, a, b []int32, es []edit) int {
	t.Helper()
	i, j, eq := 0, 0, 0
	for _, e := range es {
		switch e.Kind {
		case editEqual:
			if e.A != i || e.B != j || a[i] != b[j] {
				t.Fatalf("bad equal step %+v at a[%d], b[%d]", e, i, j)
			}
			i++
			j++
			eq++
		case editDelete:
			if e.A != i || e.B != -1 {
				t.Fatalf("bad delete step %+v at a[%d]", e, i)
			}
			i++
		case editInsert:
			if e.B != j || e.A != -1 {
				t.Fatalf("bad insert step %+v at b[%d]", e, j)
			}
			j++
		}
	}
	if i != len(a) || j != len(b) {
		t.Fatalf("script covers a[:%d] and b[:%d], want %d and %d", i, j, len(a), len(b))
	}
	return eq
}

func seq(s string) []int32 {
	out := make([]int32, len(s))
	for i, c := range s {
		out[i] = int32(c)
	}
	return out
}

func TestEditScriptSmall(t *testing.T) {
	tests := []struct {
		a, b string
		lcs  int
	}{
		{"", "", 0},
		{"abc", "", 0},
		{"", "abc", 0},
		{"abc", "abc", 3},
		{"abcabba", "cbabac", 4},
		{"xaby", "ab", 2},
		{"ab", "xaby", 2},
		{"abcdef", "abXdef", 5},
		{"aaaa", "aa", 2},
		{"abc", "def", 0},
	}
	for _, tc := range tests {
		a, b := seq(tc.a), seq(tc.b)
		es := editScript(a, b)
		if have := checkScript(t, a, b, es); have != tc.lcs {
			t.Errorf("%q -> %q: have %d matches, want %d", tc.a, tc.b, have, tc.lcs)
		}
	}
}

// TestEditScriptRandom compares the number of matches with the LCS length
// on random inputs, including near-identical ones (few edits) and very
// different ones.
func TestEditScriptRandom(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	for n := 0; n < 400; n++ {
		alpha := 2 + r.Intn(8)
		a := make([]int32, r.Intn(60))
		for i := range a {
			a[i] = int32(r.Intn(alpha))
		}
		var b []int32
		if n%2 == 0 {
			b = make([]int32, r.Intn(60))
			for i := range b {
				b[i] = int32(r.Intn(alpha))
			}
		} else {
			b = append(b, a...)
			for k := r.Intn(4); k >= 0; k-- {
				p := r.Intn(len(b) + 1)
				switch r.Intn(3) {
				case 0:
					b = append(b[:p], append([]int32{int32(r.Intn(alpha))}, b[p:]...)...)
				case 1:
					if p < len(b) {
						b = append(b[:p], b[p+1:]...)
					}
				default:
					if p < len(b) {
						b[p] = int32(r.Intn(alpha))
					}
				}
			}
		}
		es := editScript(a, b)
		have := checkScript(t, a, b, es)
		if want := lcsLen(a, b); have != want {
			t.Fatalf("case %d: %v -> %v: have %d matches, want %d", n, a, b, have, want)
		}
	}
}

// TestEditScriptGiveUp makes inputs so different that the search passes
// maxCost: the script must still be correct.
func TestEditScriptGiveUp(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	r := rand.New(rand.NewSource(2))
	n := 2*maxCost + 500
	a := make([]int32, n)
	b := make([]int32, n)
	for i := range a {
		a[i] = int32(r.Intn(1000))
		b[i] = int32(1000 + r.Intn(1000))
	}
	// A shared stretch in the middle that the script should still find.
	copy(b[n/2:], a[n/2:n/2+100])
	es := editScript(a, b)
	if m := checkScript(t, a, b, es); m < 100 {
		t.Errorf("have %d matches, want at least the 100 shared", m)
	}
}

func TestSlideToLineBoundaries(t *testing.T) {
	// a: x(1) y(2) z(2) | y(3) z(3) w(4); b drops one "y z": the deletion
	// can sit at indexes 1-2 (line 2) or 3-4 (line 3); either is a whole
	// line, and the earliest wins the tie.
	ka := seq("xyzyzw")
	kb := seq("xyzw")
	la := []int{1, 2, 2, 3, 3, 4}
	lb := []int{1, 2, 2, 4}
	es := editScript(ka, kb)
	slide(es, ka, kb, la, lb)
	checkScript(t, ka, kb, es)
	var dels []int
	for _, e := range es {
		if e.Kind == editDelete {
			dels = append(dels, e.A)
		}
	}
	if len(dels) != 2 || la[dels[0]] != la[dels[1]] || dels[0] > 0 && la[dels[0]-1] == la[dels[0]] {
		t.Errorf("deleted %v, want one whole source line", dels)
	}
	// A run that would split a line moves to the line's start.
	ka = seq("abcab")
	kb = seq("ab")
	la = []int{1, 1, 2, 2, 2}
	es = editScript(ka, kb)
	slide(es, ka, kb, la, []int{1, 1})
	checkScript(t, ka, kb, es)
	var sb strings.Builder
	for _, e := range es {
		sb.WriteString([]string{"=", "-", "+"}[e.Kind])
	}
	if have := sb.String(); have != "==---" {
		t.Errorf("have %s, want ==--- (line 2 deleted whole)", have)
	}
}

// TestRealignKeepsStatementsWhole removes a statement whose instructions
// partly repeat those of the next one: the deletions must be the removed
// statement's, not a scatter across both.
func TestRealignKeepsStatementsWhole(t *testing.T) {
	// Line 2 (removed): L N h L L; line 3: N L L; then z, and a change
	// (w to v) that keeps the tails from anchoring. Myers alone matches
	// some of line 2 with line 3 and deletes the rest in pieces that
	// sliding cannot gather (found by a random search).
	ka := seq("xLNhLLNLLzw")
	la := []int{1, 2, 2, 2, 2, 2, 3, 3, 3, 4, 5}
	kb := seq("xNLLzv")
	lb := []int{1, 3, 3, 3, 4, 5}
	es := realign(editScript(ka, kb), ka, kb, la, lb)
	slide(es, ka, kb, la, lb)
	checkScript(t, ka, kb, es)
	for _, e := range es {
		if e.Kind == editDelete && la[e.A] != 2 && la[e.A] != 5 {
			t.Errorf("deleted a[%d] on line %d, want only lines 2 and 5 deleted", e.A, la[e.A])
		}
	}
}

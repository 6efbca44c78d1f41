package build_test

import (
	"flag"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/build"
	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

var stackN = flag.Int("stack.n", 60, "pycs per installed interpreter for the stack-size test (0: all, the full figures)")

// stackFigures counts, over the code objects of some pycs, how often the
// computed stack size equals, is below or is above co_stacksize.
type stackFigures struct {
	total, equal, lower, higher, errors int
	lows                                []string
}

func (s *stackFigures) add(t *testing.T, path string, c *disasm.Code) {
	d, err := build.StackDepth(c)
	s.total++
	switch {
	case err != nil:
		s.errors++
		t.Errorf("%s: %s: %v", path, c.QualNameString(), err)
	case d == int(c.StackSize):
		s.equal++
	case d < int(c.StackSize):
		s.lower++
		s.lows = append(s.lows, fmt.Sprintf("%s %s: %d < %d", path, c.QualNameString(), d, c.StackSize))
	default:
		s.higher++
	}
	for _, k := range c.Consts.Items {
		if m, ok := k.(*marshal.Code); ok {
			s.add(t, path, c.Child(m))
		}
	}
}

func (s *stackFigures) String() string {
	pct := func(n int) float64 { return 100 * float64(n) / float64(max(s.total, 1)) }
	return fmt.Sprintf("%d code objects: equal %d (%.3f%%), lower %d (%.3f%%), higher %d (%.3f%%)",
		s.total, s.equal, pct(s.equal), s.lower, pct(s.lower), s.higher, pct(s.higher))
}

// TestStackSizeFigures computes the stack size of the code objects of each
// installed interpreter's library (a sample; all with -stack.n=0) and
// compares it with co_stacksize. From 3.7 the analysis follows the
// compiler's own; before, the compiler counted code its peephole optimizer
// then removed.
func TestStackSizeFigures(t *testing.T) {
	for _, in := range pytest.RequireInterpreters(t) {
		var s stackFigures
		for _, p := range pytest.Sample(pytest.StdlibPycs(in), *stackN) {
			f, err := pyc.Open(p)
			if err != nil || f.TopCode() == nil {
				continue
			}
			c, err := disasm.NewCode(f.TopCode(), f.Version())
			if err != nil {
				t.Fatal(err)
			}
			s.add(t, p, c)
		}
		t.Logf("%s: %s", in.Version, &s)
		v := in.Major()*100 + in.Minor()
		minEqual := 99.0
		if v < 307 {
			minEqual = 97.0
		}
		if got := 100 * float64(s.equal) / float64(max(s.total, 1)); got < minEqual {
			t.Errorf("%s: %.3f%% equal, want at least %.1f%%", in.Version, got, minEqual)
		}
		// From 3.7 a lower size comes only from handlers whose code the
		// compiler removed after computing it (a few test modules).
		if v >= 307 {
			sort.Strings(s.lows)
			for _, l := range s.lows {
				if !strings.Contains(l, "/test/") {
					t.Errorf("%s: lower than co_stacksize: %s", in.Version, l)
				}
			}
		}
	}
}

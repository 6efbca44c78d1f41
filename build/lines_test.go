package build

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

func version(t *testing.T, s string) *pyc.Version {
	t.Helper()
	v, err := pyc.ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEncodeLines(t *testing.T) {
	start := func(line int) lineInfo { return lineInfo{loc: LineLoc(line), start: true} }
	cont := func(line int) lineInfo { return lineInfo{loc: LineLoc(line)} }
	for _, tc := range []struct {
		name    string
		version string
		first   int
		spans   []span
		infos   []lineInfo
		codeLen int
		want    []byte
	}{
		{
			"lnotab: a line jump over 255 and an offset jump over 255", "2.7", 1,
			[]span{{0, 3}, {3, 3}, {6, 994}, {1000, 1}},
			[]lineInfo{cont(1), start(2), start(300), start(301)}, 1001,
			[]byte{3, 1, 3, 255, 0, 43, 255, 0, 255, 0, 255, 0, 229, 1},
		},
		{
			"lnotab: an entry with no line change and an extra entry", "2.7", 1,
			[]span{{0, 3}, {3, 3}, {6, 1}},
			[]lineInfo{cont(1), start(1), {loc: LineLoc(4), start: true, extra: []int{3}}}, 7,
			[]byte{3, 0, 3, 2, 0, 1},
		},
		{
			"signed lnotab: lines going back", "3.8", 10,
			[]span{{0, 2}, {2, 2}, {4, 2}},
			[]lineInfo{cont(10), start(5), start(-195)}, 6,
			[]byte{2, 0xfb, 2, 0x80, 0, 0xb8},
		},
		{
			"3.10 linetable: a long range and none", "3.10", 1,
			[]span{{0, 2}, {2, 2}, {4, 600}, {604, 2}},
			[]lineInfo{cont(1), cont(1), cont(3), cont(NoLine)}, 606,
			[]byte{4, 0, 254, 2, 254, 0, 92, 0, 2, 0x80},
		},
		{
			"locations: short, long, none, split at 8 units", "3.11", 1,
			[]span{{0, 2}, {2, 2}, {4, 2}, {6, 20}},
			[]lineInfo{{loc: Loc{1, 1, 4, 9}}, {loc: Loc{5, 7, 2, 3}}, {loc: LineLoc(NoLine)}, {loc: LineLoc(6)}}, 26,
			[]byte{0x80, 0x45, 0xf0, 0x08, 0x02, 0x03, 0x04, 0xf8, 0xef, 0x02, 0xe9, 0x00},
		},
		{
			"locations: one-line forms", "3.12", 1,
			[]span{{0, 2}, {2, 2}},
			[]lineInfo{{loc: Loc{2, 2, 100, 120}}, {loc: Loc{2, 2, 100, 120}}}, 4,
			[]byte{0x80 | 11<<3 | 1, 100, 120},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := version(t, tc.version)
			got, err := encodeLines(v, tc.first, tc.spans, tc.infos, tc.codeLen)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("have % x\nwant % x", got, tc.want)
			}
			back, ok := decodeLines(v, got, tc.first, tc.spans, tc.codeLen)
			if !ok {
				t.Fatal("the table does not decode at instruction granularity")
			}
			for i := range back {
				w := tc.infos[i]
				if v.LineTable != pyc.LineTableLnotab && v.LineTable != pyc.LineTableLnotabSigned {
					back[i].start, w.start = false, false
				} else if !w.start && i > 0 {
					w.loc = back[i].loc // lines carry on; only entries are compared
				}
				if !reflect.DeepEqual(back[i], w) {
					t.Errorf("instruction %d: decoded %+v, want %+v", i, back[i], w)
				}
			}
		})
	}
}

func TestLnotabUnsignedRejectsLinesGoingBack(t *testing.T) {
	_, err := encodeLines(version(t, "2.7"), 5, []span{{0, 1}, {1, 1}}, []lineInfo{{loc: LineLoc(6), start: true}, {loc: LineLoc(2), start: true}}, 2)
	if err == nil {
		t.Fatal("no error for a line going back in 2.7's lnotab")
	}
}

func TestExceptionTable(t *testing.T) {
	v := version(t, "3.11")
	c, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	l1, l2, l3 := NewLabel("a"), NewLabel("b"), NewLabel("c")
	c.Op("RESUME", 0)
	c.Op("NOP")
	c.Place(l1)
	c.Op("LOAD_CONST", 1)
	c.Op("POP_TOP")
	c.Op("NOP")
	c.Place(l2)
	c.Op("LOAD_CONST", nil)
	c.Op("RETURN_VALUE")
	for i := 0; i < 45; i++ {
		c.Op("NOP")
	}
	c.Place(l3)
	c.Op("PUSH_EXC_INFO")
	c.Op("POP_EXCEPT")
	c.Op("RERAISE", 0)
	c.Exceptions = []ExceptionEntry{{Start: l1, End: l2, Target: l3, Depth: 0, Lasti: true}}
	m, err := c.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	// start 2 units, length 3, target 7+45 = 52 units, depth 0 with lasti.
	want := []byte{0x82, 0x03, 52, 0x01}
	if got := m.ExceptionTableBytes(); !bytes.Equal(got, want) {
		t.Errorf("have % x, want % x", got, want)
	}
	// A target beyond 63 code units takes two bytes.
	for i := 0; i < 20; i++ {
		c.Instrs = append(c.Instrs[:4], append([]Instr{{Op: c.Instrs[1].Op, Loc: LineLoc(1)}}, c.Instrs[4:]...)...)
	}
	m, err = c.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	want = []byte{0x82, 0x17, 0x40 | 1, 72 - 64, 0x01}
	if got := m.ExceptionTableBytes(); !bytes.Equal(got, want) {
		t.Errorf("have % x, want % x", got, want)
	}
}

// TestLiftKeepsOddLnotab lifts a code object whose co_lnotab has an entry
// inside an instruction (after its EXTENDED_ARG prefix), which the
// instruction form cannot say: assembling the lifted code keeps the table.
func TestLiftKeepsOddLnotab(t *testing.T) {
	v := version(t, "3.8")
	c, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	c.Op("NOP")
	c.Op("LOAD_CONST", nil)
	c.Instrs[len(c.Instrs)-1].ExtArgs = 1
	c.Op("RETURN_VALUE")
	m, err := c.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	odd := []byte{2, 1, 2, 1} // line 2 at the prefix, line 3 at the LOAD_CONST after it
	m.LineTable = &marshal.Bytes{Encoding: marshal.Encoding{Type: 's'}, Data: odd}
	l, err := Lift(m, v)
	if err != nil {
		t.Fatal(err)
	}
	if l.RawLineTable == nil {
		t.Fatal("the odd table is not kept as it is")
	}
	back, err := l.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	if got := back.LineTableBytes(); !bytes.Equal(got, odd) {
		t.Errorf("have % x, want % x", got, odd)
	}
	// Edit the lines: the table is encoded from them again.
	l.Instrs[2].Loc, l.Instrs[2].LineStart = LineLoc(9), true
	back, err = l.Assemble()
	if err != nil {
		t.Fatal(err)
	}
	if got := back.LineTableBytes(); bytes.Equal(got, odd) {
		t.Error("the table was kept after the lines changed")
	}
}

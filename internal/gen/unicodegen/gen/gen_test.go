package gen

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

var ascii = Range{0x20, 0x7e}

func TestParseMarshalRoundTrip(t *testing.T) {
	f := &Facts{
		Unicode: "13.0.0",
		Pythons: []PyVersion{{3, 9}, {3, 10}},
		Ranges:  []Range{ascii, {0xa1, 0xac}, {0x10000, 0x1000b}, {0x10FFFD, 0x10FFFD}},
	}
	data, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("\nunicode 13.0.0\npython 3.9 3.10\n0020 007e\n00a1 00ac\n10000 1000b\n10fffd 10fffd\n")) {
		t.Errorf("unexpected canonical form:\n%s", data)
	}
	g, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(f, g) {
		t.Errorf("round trip: got %+v, want %+v", g, f)
	}
	if f.FileName() != "unicode-13.0.0.txt" {
		t.Errorf("FileName = %q", f.FileName())
	}
	for c, want := range map[rune]bool{0x1f: false, 0x20: true, 0x7e: true, 0x7f: false, 0xa1: true, 0x10000: true, 0x1000c: false, 0x10FFFD: true, 0x10FFFF: false} {
		if f.Contains(c) != want {
			t.Errorf("Contains(%#x) = %v", c, !want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, src := range []string{
		"python 3.9\n0020 007e\n",                         // no unicode line
		"unicode 13.0.0\n0020 007e\n",                     // no python line
		"unicode 13.0.0\npython 3.x\n0020 007e\n",         // bad version
		"unicode 13.0.0\npython 3.9\n0020\n",              // one code point
		"unicode 13.0.0\npython 3.9\n0020 zzzz\n",         // not hex
		"unicode 13.0.0\npython 3.9\n0020 110000\n",       // beyond U+10FFFF
		"unicode 13.0.0\nunicode 14.0.0\npython 3.9\n",    // two unicode lines
		"unicode 13.0.0\npython 3.9\npython 3.10\n",       // two python lines
		"unicode 13.0.0\npython 3.9\n20 7e\n",             // too few digits
		"unicode 13.0.0\npython 03.9\n0020 007e\n",        // leading zero
		"unicode 13.0.0\npython 3.9\n0020 007e 0080\n",    // three numbers
		"unicode 13.0.0\npython 3.9 3\n0020 007e\n",       // no minor
		"unicode 13.0.0\npython 3.9\n0020 007e 00a0\n",    // three numbers
		"unicode 13.0.0\npython 3.9\n0020 007e\n-001 0\n", // negative
	} {
		if f, err := Parse([]byte(src)); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", src, f)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := func() *Facts {
		return &Facts{Unicode: "14.0.0", Pythons: []PyVersion{{3, 11}}, Ranges: []Range{ascii, {0xa1, 0xac}}}
	}
	if err := ok().Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(f *Facts){
		"unicode version": func(f *Facts) { f.Unicode = "14.0" },
		"no pythons":      func(f *Facts) { f.Pythons = nil },
		"python 2":        func(f *Facts) { f.Pythons = []PyVersion{{2, 7}} },
		"unsorted":        func(f *Facts) { f.Pythons = []PyVersion{{3, 11}, {3, 10}} },
		"duplicate":       func(f *Facts) { f.Pythons = []PyVersion{{3, 11}, {3, 11}} },
		"no ranges":       func(f *Facts) { f.Ranges = nil },
		"no ascii":        func(f *Facts) { f.Ranges = []Range{{0xa1, 0xac}} },
		"tab":             func(f *Facts) { f.Ranges = []Range{{0x09, 0x09}, ascii} },
		"delete":          func(f *Facts) { f.Ranges = []Range{{0x20, 0x7f}} },
		"delete apart":    func(f *Facts) { f.Ranges = []Range{ascii, {0x7f, 0x7f}} },
		"touching":        func(f *Facts) { f.Ranges = []Range{ascii, {0xa1, 0xac}, {0xad, 0xb0}} },
		"overlapping":     func(f *Facts) { f.Ranges = []Range{ascii, {0xa1, 0xac}, {0xa5, 0xb0}} },
		"backwards":       func(f *Facts) { f.Ranges = []Range{ascii, {0xac, 0xa1}} },
		"surrogates":      func(f *Facts) { f.Ranges = []Range{ascii, {0xd000, 0xd800}} },
	} {
		f := ok()
		mod(f)
		if err := f.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, f)
		}
	}
}

func TestMerge(t *testing.T) {
	r13 := []Range{ascii, {0xa1, 0xac}}
	r14 := []Range{ascii, {0xa1, 0xac}, {0x870, 0x871}}
	existing := []*Facts{
		{Unicode: "13.0.0", Pythons: []PyVersion{{3, 9}, {3, 10}}, Ranges: r13},
		{Unicode: "14.0.0", Pythons: []PyVersion{{3, 11}}, Ranges: r14},
	}

	// 3.11 moves to a new Unicode version; 14.0.0 is left with no users.
	r15 := []Range{ascii, {0xa1, 0xac}, {0x870, 0x871}, {0xcf3, 0xcf3}}
	merged, removed, err := Merge(existing, []*Dump{{Major: 3, Minor: 11, Unicode: "15.0.0", Ranges: r15}})
	if err != nil {
		t.Fatal(err)
	}
	if len(merged) != 2 || merged[0].Unicode != "13.0.0" || merged[1].Unicode != "15.0.0" ||
		!reflect.DeepEqual(merged[1].Pythons, []PyVersion{{3, 11}}) {
		t.Errorf("moved: got %+v", merged)
	}
	if !reflect.DeepEqual(removed, []string{"14.0.0"}) {
		t.Errorf("removed = %q", removed)
	}
	if !reflect.DeepEqual(existing[1].Pythons, []PyVersion{{3, 11}}) {
		t.Error("Merge modified existing")
	}

	// A new Python version joins an existing Unicode version.
	merged, removed, err = Merge(existing, []*Dump{{Major: 3, Minor: 8, Unicode: "13.0.0", Ranges: r13}})
	if err != nil || len(removed) != 0 {
		t.Fatal(err, removed)
	}
	if !reflect.DeepEqual(merged[0].Pythons, []PyVersion{{3, 8}, {3, 9}, {3, 10}}) {
		t.Errorf("joined: got %+v", merged[0].Pythons)
	}

	// Numeric order of Unicode versions.
	merged, _, err = Merge(existing, []*Dump{{Major: 3, Minor: 6, Unicode: "9.0.0", Ranges: r13[:1]}})
	if err != nil {
		t.Fatal(err)
	}
	if merged[0].Unicode != "9.0.0" {
		t.Errorf("order: got %s first", merged[0].Unicode)
	}

	// Re-dumping every user of a file may change its ranges.
	merged, _, err = Merge(existing, []*Dump{{Major: 3, Minor: 11, Unicode: "14.0.0", Ranges: r15}})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(merged[1].Ranges, r15) {
		t.Errorf("re-dump: ranges not replaced")
	}

	// But not while an undumped Python version still uses it.
	if _, _, err := Merge(existing, []*Dump{{Major: 3, Minor: 9, Unicode: "13.0.0", Ranges: r14}}); err == nil {
		t.Error("conflict with an undumped version accepted")
	}
	// Dumps of one Unicode version must agree.
	if _, _, err := Merge(nil, []*Dump{
		{Major: 3, Minor: 9, Unicode: "13.0.0", Ranges: r13},
		{Major: 3, Minor: 10, Unicode: "13.0.0", Ranges: r14},
	}); err == nil {
		t.Error("disagreeing dumps accepted")
	}
	if _, _, err := Merge(nil, []*Dump{
		{Major: 3, Minor: 9, Unicode: "13.0.0", Ranges: r13},
		{Major: 3, Minor: 9, Unicode: "13.0.0", Ranges: r13},
	}); err == nil {
		t.Error("duplicate dumps accepted")
	}
}

func TestParseDump(t *testing.T) {
	good := "python 3.11.7\nimplementation cpython\nunicode 14.0.0\n0020 007e\n00a1 00ac\n"
	d, err := parseDump([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	want := &Dump{Major: 3, Minor: 11, Patch: 7, Unicode: "14.0.0", Ranges: []Range{ascii, {0xa1, 0xac}}}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("got %+v, want %+v", d, want)
	}
	for _, bad := range []string{
		strings.Replace(good, "cpython", "pypy", 1),
		strings.Replace(good, "3.11.7", "3.11", 1),
		strings.Replace(good, "0020 007e\n", "", 1),
	} {
		if _, err := parseDump([]byte(bad)); err == nil {
			t.Errorf("parseDump(%q) accepted", bad)
		}
	}
}

func TestGenerate(t *testing.T) {
	all := []*Facts{
		{Unicode: "9.0.0", Pythons: []PyVersion{{3, 6}}, Ranges: []Range{ascii, {0xe000, 0x1ffff}}},
		{Unicode: "11.0.0", Pythons: []PyVersion{{3, 8}}, Ranges: []Range{ascii, {0xa1, 0xac}, {0x10000, 0x10001}}},
	}
	src, err := Generate(all)
	if err != nil {
		t.Fatal(err)
	}
	s := string(src)
	if !strings.HasPrefix(s, Header+"\n") {
		t.Error("missing header")
	}
	for _, want := range []string{
		// A range across U+FFFF/U+10000 is split.
		"0x0020, 0x007e, 0xe000, 0xffff,\n",
		"0x10000, 0x1ffff,\n",
		"&unicode9_0_0,  // 3.5: no facts, uses 3.6's\n",
		"&unicode9_0_0,  // 3.7: no facts, uses 3.6's\n",
		"&unicode11_0_0, // 3.8\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("generated source lacks %q:\n%s", want, s)
		}
	}
	if _, err := Generate([]*Facts{all[1], all[0]}); err == nil {
		t.Error("unsorted facts accepted")
	}
}

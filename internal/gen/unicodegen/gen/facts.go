// Package gen holds the parts of unicodegen that tests share: reading and
// writing the pyunicode fact files, asking CPython interpreters for them,
// and generating internal/pyunicode/tables_gen.go.
//
// A fact file, facts/unicode-<version>.txt, records for one Unicode
// database version (unicodedata.unidata_version) the code points for which
// str.isprintable() is true, and the CPython 3 minor versions that ship that
// database. Its canonical form is
//
//	# comment lines (the fixed header Marshal writes)
//	unicode 13.0.0
//	python 3.9 3.10
//	0020 007e
//	00a1 00ac
//	...
//
// with one maximal range of printable code points a line, first and last
// code point in lower-case hexadecimal of at least four digits, ascending.
package gen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/pyc-tools/pyc/internal/gen/genutil"
)

// MaxRune is the largest code point.
const MaxRune = 0x10FFFF

// Range is an inclusive range of code points.
type Range struct {
	Lo, Hi rune
}

// PyVersion is a CPython major.minor version.
type PyVersion struct {
	Major, Minor int
}

func (v PyVersion) String() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

// less orders versions numerically.
func (v PyVersion) less(w PyVersion) bool {
	if v.Major != w.Major {
		return v.Major < w.Major
	}
	return v.Minor < w.Minor
}

// Facts is the content of one fact file.
type Facts struct {
	// Unicode is the Unicode database version, as unicodedata reports it
	// ("13.0.0").
	Unicode string
	// Pythons lists the CPython versions using it, ascending.
	Pythons []PyVersion
	// Ranges are the maximal ranges of printable code points, ascending.
	Ranges []Range
}

// FileName returns the fact file's base name, such as "unicode-13.0.0.txt".
func (f *Facts) FileName() string { return "unicode-" + f.Unicode + ".txt" }

// Key names the facts in messages, such as "Unicode 13.0.0".
func (f *Facts) Key() string { return "Unicode " + f.Unicode }

var unicodeVersionRE = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)$`)

// parseUnicodeVersion splits "13.0.0" into its numbers.
func parseUnicodeVersion(s string) ([3]int, error) {
	var v [3]int
	m := unicodeVersionRE.FindStringSubmatch(s)
	if m == nil {
		return v, fmt.Errorf("bad Unicode version %q", s)
	}
	for i := range v {
		n, err := strconv.Atoi(m[i+1])
		if err != nil {
			return v, fmt.Errorf("bad Unicode version %q", s)
		}
		v[i] = n
	}
	return v, nil
}

// unicodeLess orders Unicode version strings numerically; both must be
// valid.
func unicodeLess(a, b string) bool {
	va, _ := parseUnicodeVersion(a)
	vb, _ := parseUnicodeVersion(b)
	for i := range va {
		if va[i] != vb[i] {
			return va[i] < vb[i]
		}
	}
	return false
}

// parsePyVersion parses "3.10".
func parsePyVersion(s string) (PyVersion, error) {
	maj, min, ok := strings.Cut(s, ".")
	if !ok {
		return PyVersion{}, fmt.Errorf("bad Python version %q", s)
	}
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	if err1 != nil || err2 != nil || a < 0 || b < 0 || strconv.Itoa(a) != maj || strconv.Itoa(b) != min {
		return PyVersion{}, fmt.Errorf("bad Python version %q", s)
	}
	return PyVersion{a, b}, nil
}

// parseHex parses a code point written in hexadecimal.
func parseHex(s string) (rune, error) {
	if len(s) < 4 || len(s) > 6 {
		return 0, fmt.Errorf("bad code point %q", s)
	}
	n, err := strconv.ParseUint(s, 16, 32)
	if err != nil || n > MaxRune {
		return 0, fmt.Errorf("bad code point %q", s)
	}
	return rune(n), nil
}

// parseRangeLine reads a "lo hi" line.
func parseRangeLine(line string) (Range, error) {
	f := strings.Fields(line)
	if len(f) != 2 {
		return Range{}, fmt.Errorf("want two code points, got %q", line)
	}
	lo, err := parseHex(f[0])
	if err != nil {
		return Range{}, err
	}
	hi, err := parseHex(f[1])
	if err != nil {
		return Range{}, err
	}
	return Range{lo, hi}, nil
}

// Parse reads a fact file. It does not validate it; see Validate.
func Parse(data []byte) (*Facts, error) {
	f := &Facts{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	sawUnicode, sawPython := false, false
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, rest, _ := strings.Cut(line, " ")
		switch key {
		case "unicode":
			if sawUnicode {
				return nil, fmt.Errorf("line %d: second unicode line", n)
			}
			sawUnicode = true
			f.Unicode = strings.TrimSpace(rest)
		case "python":
			if sawPython {
				return nil, fmt.Errorf("line %d: second python line", n)
			}
			sawPython = true
			for _, s := range strings.Fields(rest) {
				v, err := parsePyVersion(s)
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", n, err)
				}
				f.Pythons = append(f.Pythons, v)
			}
		default:
			r, err := parseRangeLine(line)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n, err)
			}
			f.Ranges = append(f.Ranges, r)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !sawUnicode {
		return nil, errors.New("no unicode line")
	}
	if !sawPython {
		return nil, errors.New("no python line")
	}
	return f, nil
}

// Validate checks that the facts are well formed: a Unicode version, at
// least one CPython 3 version in ascending order, and maximal, ascending,
// non-empty ranges that leave out the surrogates and treat ASCII as every
// Python 3 does (U+0020 to U+007E printable, nothing else).
func (f *Facts) Validate() error {
	if _, err := parseUnicodeVersion(f.Unicode); err != nil {
		return err
	}
	if len(f.Pythons) == 0 {
		return fmt.Errorf("Unicode %s: no Python versions", f.Unicode)
	}
	for i, v := range f.Pythons {
		if v.Major != 3 {
			return fmt.Errorf("Unicode %s: Python %s is not Python 3", f.Unicode, v)
		}
		if i > 0 && !f.Pythons[i-1].less(v) {
			return fmt.Errorf("Unicode %s: Python versions not strictly ascending at %s", f.Unicode, v)
		}
	}
	if len(f.Ranges) == 0 {
		return fmt.Errorf("Unicode %s: no ranges", f.Unicode)
	}
	if f.Ranges[0] != (Range{0x20, 0x7e}) || (len(f.Ranges) > 1 && f.Ranges[1].Lo < 0x80) {
		return fmt.Errorf("Unicode %s: ASCII is not exactly U+0020..U+007E", f.Unicode)
	}
	for i, r := range f.Ranges {
		if r.Lo > r.Hi || r.Hi > MaxRune {
			return fmt.Errorf("Unicode %s: bad range %04x %04x", f.Unicode, r.Lo, r.Hi)
		}
		if i > 0 && r.Lo <= f.Ranges[i-1].Hi+1 {
			return fmt.Errorf("Unicode %s: range %04x %04x overlaps or touches the one before", f.Unicode, r.Lo, r.Hi)
		}
		if r.Lo <= 0xDFFF && r.Hi >= 0xD800 {
			return fmt.Errorf("Unicode %s: range %04x %04x holds surrogates", f.Unicode, r.Lo, r.Hi)
		}
	}
	return nil
}

// Contains reports whether c is in one of the ranges.
func (f *Facts) Contains(c rune) bool {
	i := sort.Search(len(f.Ranges), func(i int) bool { return f.Ranges[i].Hi >= c })
	return i < len(f.Ranges) && f.Ranges[i].Lo <= c
}

// Marshal writes the facts in canonical form.
func (f *Facts) Marshal() ([]byte, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# The code points for which str.isprintable() is true in the CPython\n")
	b.WriteString("# versions listed, which use this Unicode database version: one range a\n")
	b.WriteString("# line, first and last code point. Written by\n")
	b.WriteString("# go run ./internal/gen/unicodegen -dump.\n")
	fmt.Fprintf(&b, "unicode %s\n", f.Unicode)
	b.WriteString("python")
	for _, v := range f.Pythons {
		fmt.Fprintf(&b, " %s", v)
	}
	b.WriteByte('\n')
	for _, r := range f.Ranges {
		fmt.Fprintf(&b, "%04x %04x\n", r.Lo, r.Hi)
	}
	return b.Bytes(), nil
}

// Load reads and validates every fact file in dir and returns them sorted
// by Unicode version. Each file must be named after its Unicode version,
// and no Python version may appear in two of them.
func Load(dir string) ([]*Facts, error) {
	all, err := genutil.ReadChecked(dir, "unicode-*.txt", Parse)
	if err != nil {
		return nil, err
	}
	seen := map[PyVersion]string{}
	for _, f := range all {
		for _, v := range f.Pythons {
			if other, ok := seen[v]; ok {
				return nil, fmt.Errorf("Python %s is listed for both Unicode %s and %s", v, other, f.Unicode)
			}
			seen[v] = f.Unicode
		}
	}
	sortFacts(all)
	return all, nil
}

func sortFacts(all []*Facts) {
	sort.Slice(all, func(i, j int) bool { return unicodeLess(all[i].Unicode, all[j].Unicode) })
}

func equalRanges(a, b []Range) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Merge folds fresh dumps into the existing facts: each dumped Python
// version moves to the fact file of the Unicode version it reported, whose
// ranges the dump sets. Dumps reporting the same Unicode version must agree,
// and a dump may only change the ranges of a fact file no other (undumped)
// Python version still lists. It returns the new facts, sorted, and the
// Unicode versions whose fact files no longer list any Python version (the
// caller deletes them). existing is not modified.
func Merge(existing []*Facts, dumps []*Dump) (merged []*Facts, removed []string, err error) {
	dumped := map[PyVersion]bool{}
	byUnicode := map[string]*Dump{}
	for _, d := range dumps {
		v := PyVersion{d.Major, d.Minor}
		if dumped[v] {
			return nil, nil, fmt.Errorf("Python %s dumped twice", v)
		}
		dumped[v] = true
		if first, ok := byUnicode[d.Unicode]; ok {
			if !equalRanges(first.Ranges, d.Ranges) {
				return nil, nil, fmt.Errorf("Python %d.%d and %d.%d both use Unicode %s but disagree on str.isprintable",
					first.Major, first.Minor, d.Major, d.Minor, d.Unicode)
			}
		} else {
			byUnicode[d.Unicode] = d
		}
	}
	facts := map[string]*Facts{}
	for _, f := range existing {
		c := &Facts{Unicode: f.Unicode, Ranges: f.Ranges}
		for _, v := range f.Pythons {
			if !dumped[v] {
				c.Pythons = append(c.Pythons, v)
			}
		}
		facts[c.Unicode] = c
	}
	for _, d := range dumps {
		f, ok := facts[d.Unicode]
		if !ok {
			f = &Facts{Unicode: d.Unicode, Ranges: d.Ranges}
			facts[d.Unicode] = f
		} else if !equalRanges(f.Ranges, d.Ranges) {
			// Dumps of one Unicode version agree, so any Python
			// version listed here is one that was not dumped.
			if len(f.Pythons) > 0 {
				return nil, nil, fmt.Errorf("Python %d.%d disagrees with %s, which Python %s also uses; check and fix the file by hand",
					d.Major, d.Minor, f.FileName(), f.Pythons[0])
			}
			f.Ranges = d.Ranges
		}
		f.Pythons = append(f.Pythons, PyVersion{d.Major, d.Minor})
		sort.Slice(f.Pythons, func(i, j int) bool { return f.Pythons[i].less(f.Pythons[j]) })
	}
	for _, f := range facts {
		if len(f.Pythons) == 0 {
			removed = append(removed, f.Unicode)
			continue
		}
		if err := f.Validate(); err != nil {
			return nil, nil, err
		}
		merged = append(merged, f)
	}
	sortFacts(merged)
	sort.Slice(removed, func(i, j int) bool { return unicodeLess(removed[i], removed[j]) })
	return merged, removed, nil
}

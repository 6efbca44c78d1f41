package pyc

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pyc-tools/pyc/marshal"
)

// This file holds the table of every known pyc magic number and the lookups
// over it. The facts behind each row (sources, shared magics, the magics at
// which layouts and header sizes changed) are in magic_facts.md.

// entry is one table row with the bookkeeping the lookups need.
type entry struct {
	v Version
	// final marks the magic that the newest release of (Impl, Major, Minor)
	// writes; ForVersion returns it.
	final bool
	// fromMicro is, for a final magic, the first micro release writing it
	// (CPython 3.5.0-3.5.2 write 3350, 3.5.3 and later 3351).
	fromMicro int
	// also lists further minor versions (same major) whose interpreters
	// write this very magic (1.1 and 1.2; GraalPy 3.11 and 3.12).
	also []int
	// intro is, for a final CPython magic, the pre-release CPython's magic
	// history says introduced it (such as "3.8b4"), for ParseVersion.
	intro string
}

// table is every known magic, in table order: CPython chronologically with
// each "-U" variant after its base, then PyPy, GraalPy and RustPython.
var table = buildTable()

// byRaw indexes table by the four raw bytes.
var byRaw = func() map[[4]byte]*Version {
	m := make(map[[4]byte]*Version, len(table))
	for i := range table {
		m[table[i].v.Raw] = &table[i].v
	}
	return m
}()

// versionKey names a language version of one implementation.
type versionKey struct {
	impl         Implementation
	major, minor int
}

// finalMagic is a final magic and the first micro release writing it.
type finalMagic struct {
	v         *Version
	fromMicro int
}

// finals maps each version to its final magics, ordered by fromMicro (then
// table order), so that the last is the newest release's.
var finals = buildFinals()

// allVersions is the result of Versions, built once.
var allVersions = func() []*Version {
	out := make([]*Version, len(table))
	for i := range table {
		out[i] = &table[i].v
	}
	return out
}()

// LookupMagic returns the version whose pyc files start with exactly the
// four bytes raw, and false when no known interpreter writes them.
func LookupMagic(raw [4]byte) (*Version, bool) {
	v, ok := byRaw[raw]
	return v, ok
}

// Versions returns every known magic, in table order: CPython from 1.0 on
// (pre-release magics and "-U" variants included), then PyPy, GraalPy and
// RustPython. The slice is the caller's; the Versions are shared and must
// not be modified.
func Versions() []*Version {
	return append([]*Version(nil), allVersions...)
}

// ForVersion returns the magic that the newest release of the given
// implementation and language version writes, as used for "--python-version
// X.Y" overrides. For a version still in development it is the newest known
// pre-release magic. Where two versions share one magic (CPython 1.1 and 1.2,
// some GraalPy releases), the Version returned carries the requested Minor.
func ForVersion(impl Implementation, major, minor int) (*Version, bool) {
	fs := finals[versionKey{impl, major, minor}]
	if len(fs) == 0 {
		return nil, false
	}
	return fs[len(fs)-1].v, true
}

// forMicro is ForVersion for a given micro release: the final magic with the
// largest fromMicro not above micro.
func forMicro(impl Implementation, major, minor, micro int) (*Version, bool) {
	fs := finals[versionKey{impl, major, minor}]
	for i := len(fs) - 1; i >= 0; i-- {
		if fs[i].fromMicro <= micro {
			return fs[i].v, true
		}
	}
	return nil, false
}

// ParseVersion parses a version as given on a command line and returns its
// magic: "3.12", "2.7", "3.5.2" (the micro release matters only where a
// maintenance release changed the magic), "cpython3.11", "pypy3.9",
// "PyPy 3.10", "graalpy3.11", "GraalPy 3.12", "rustpython3.13"; a CPython
// pre-release such as "3.11a7" or "3.8b4" (the newest magic of that
// pre-release); or a bare magic number such as "3413", optionally after an
// implementation name.
func ParseVersion(s string) (*Version, error) {
	str := strings.ToLower(strings.TrimSpace(s))
	impl := CPython
	named := false
	for _, p := range implPrefixes {
		if strings.HasPrefix(str, p.prefix) {
			impl, named = p.impl, true
			str = strings.TrimLeft(str[len(p.prefix):], " -_:")
			break
		}
	}
	if str == "" {
		return nil, fmt.Errorf("empty Python version %q", s)
	}
	// A bare magic number.
	if n, err := strconv.Atoi(str); err == nil {
		if n < 0 || n > 0xffff {
			return nil, fmt.Errorf("magic number %d out of range in %q", n, s)
		}
		for _, v := range allVersions {
			if int(v.Magic) == n && (!named || v.Impl == impl) {
				return v, nil
			}
		}
		return nil, fmt.Errorf("unknown magic number %d in %q", n, s)
	}
	// A pre-release name of CPython's magic history.
	if impl == CPython && strings.ContainsAny(str, "abcdefghijklmnopqrstuvwxyz") {
		var found *Version
		for i := range table {
			e := &table[i]
			if e.v.Impl == CPython && !strings.HasSuffix(e.v.Release, " -U") &&
				(e.v.Release == str || e.intro == str) {
				found = &e.v // the newest magic of that pre-release
			}
		}
		if found != nil {
			return found, nil
		}
	}
	parts := strings.Split(str, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return nil, fmt.Errorf("cannot parse Python version %q (want X.Y, pypyX.Y, graalpyX.Y, ...)", s)
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("cannot parse Python version %q (want X.Y, pypyX.Y, graalpyX.Y, ...)", s)
		}
		nums[i] = n
	}
	micro := 1 << 30
	if len(nums) == 3 {
		micro = nums[2]
	}
	if v, ok := forMicro(impl, nums[0], nums[1], micro); ok {
		return v, nil
	}
	return nil, fmt.Errorf("unknown Python version %q: no %s %d.%d magic number is known", s, impl, nums[0], nums[1])
}

// implPrefixes are the implementation names ParseVersion accepts, longest
// first where one is a prefix of another.
var implPrefixes = []struct {
	prefix string
	impl   Implementation
}{
	{"cpython", CPython},
	{"pypy", PyPy},
	{"graalpython", GraalPy},
	{"graalpy", GraalPy},
	{"graal", GraalPy},
	{"rustpython", RustPython},
	{"python", CPython},
}

// NearestMagics returns up to two known versions nearest to the 16-bit magic
// in the first two bytes of raw (little-endian), for error messages about an
// unknown magic: the known versions with that same 16-bit number if there
// are any (the last two bytes were unexpected), otherwise the nearest known
// magic below it and the nearest above it. Lower magics come first.
func NearestMagics(raw [4]byte) []*Version {
	m := binary.LittleEndian.Uint16(raw[:2])
	var same []*Version
	var below, above *Version
	for _, v := range allVersions {
		switch {
		case v.Magic == m:
			same = append(same, v)
		case v.Magic < m:
			if below == nil || v.Magic > below.Magic {
				below = v
			}
		default:
			if above == nil || v.Magic < above.Magic {
				above = v
			}
		}
	}
	if len(same) > 0 {
		if len(same) > 2 {
			same = same[:2]
		}
		return same
	}
	var out []*Version
	if below != nil {
		out = append(out, below)
	}
	if above != nil {
		out = append(out, above)
	}
	return out
}

// crlf returns the raw magic CPython (1.3 on) writes: the number as two
// little-endian bytes, then "\r\n".
func crlf(m uint16) [4]byte { return [4]byte{byte(m), byte(m >> 8), '\r', '\n'} }

// builder accumulates table rows.
type builder struct{ rows []entry }

// cp adds a CPython magic; its traits follow from the version and magic.
func (b *builder) cp(magic uint16, major, minor int, release string, final bool) {
	raw := crlf(magic)
	if major == 1 && minor <= 2 {
		// 1.0 to 1.2: 0x00999902 and 0x00999903 written as 32-bit words.
		raw = [4]byte{byte(magic), byte(magic >> 8), 0x99, 0x00}
	}
	v := Version{
		Magic: magic, Raw: raw, Impl: CPython,
		Major: major, Minor: minor, Release: release,
	}
	cpythonTraits(&v)
	e := entry{v: v, final: final}
	if major == 1 && minor == 1 {
		e.also = []int{2}
	}
	b.rows = append(b.rows, e)
}

// introduced records the pre-release that introduced the last row's magic,
// when its Release names the final version instead.
func (b *builder) introduced(name string) { b.rows[len(b.rows)-1].intro = name }

// cpRange adds the CPython magics from first to last that share a
// pre-release name.
func (b *builder) cpRange(first, last uint16, major, minor int, release string) {
	for m := first; m <= last; m++ {
		b.cp(m, major, minor, release, false)
	}
}

// unicodeVariant adds the "-U" variant of the last CPython row: magic + 1,
// written by 1.6 to 2.7 when run with -U.
func (b *builder) unicodeVariant() {
	base := b.rows[len(b.rows)-1].v
	v := base
	v.Magic++
	v.Raw = crlf(v.Magic)
	v.Release = base.Release + " -U"
	v.Unicode = true
	b.rows = append(b.rows, entry{v: v})
}

// other adds a row of an implementation other than CPython, with every
// trait given.
func (b *builder) other(impl Implementation, raw [4]byte, major, minor int, release string,
	header, marshalVersion int, layout marshal.Layout, lines LineTableFormat, wordCode, final bool, also ...int) {
	b.rows = append(b.rows, entry{
		v: Version{
			Magic: binary.LittleEndian.Uint16(raw[:2]), Raw: raw, Impl: impl,
			Major: major, Minor: minor, Release: release,
			HeaderSize: header, MarshalVersion: marshalVersion,
			Layout: layout, LineTable: lines, WordCode: wordCode,
		},
		final: final,
		also:  also,
	})
}

// cpythonTraits fills in the header size, marshal version, code layout,
// line-table format, word-code and unicode flags of a CPython magic from its
// version and number (the thresholds are the magics at which each change
// arrived inside a development cycle).
func cpythonTraits(v *Version) {
	x, y, m := v.Major, v.Minor, v.Magic
	at := func(mj, mn int) bool { return x > mj || x == mj && y >= mn }

	// Header: magic + mtime; + source size from 3.3's 3210; + flags
	// (PEP 552) from 3.7's 3392.
	switch {
	case !at(3, 3) || x == 3 && y == 3 && m < 3210:
		v.HeaderSize = 8
	case !at(3, 7) || x == 3 && y == 7 && m < 3392:
		v.HeaderSize = 12
	default:
		v.HeaderSize = 16
	}

	// Marshal format version of the writer (Py_MARSHAL_VERSION).
	switch {
	case !at(2, 4):
		v.MarshalVersion = 0
	case !at(2, 5):
		v.MarshalVersion = 1
	case !at(3, 4) || x == 3 && y == 4 && m < 3260:
		v.MarshalVersion = 2
	case x == 3 && y == 4 && m < 3290:
		v.MarshalVersion = 3
	case !at(3, 14) || x == 3 && y == 14 && m < 3608:
		v.MarshalVersion = 4
	case !at(3, 15) || x == 3 && y == 15 && m < 3662:
		v.MarshalVersion = 5
	default:
		v.MarshalVersion = 6
	}

	// Code-object layout.
	switch {
	case !at(1, 3):
		v.Layout = marshal.Layout10
	case !at(1, 5):
		v.Layout = marshal.Layout13
	case !at(2, 1):
		v.Layout = marshal.Layout15
	case !at(2, 3):
		v.Layout = marshal.Layout21
	case !at(3, 0) || x == 3 && y == 0 && m < 3030:
		v.Layout = marshal.Layout23
	case !at(3, 8) || x == 3 && y == 8 && m < 3410:
		v.Layout = marshal.Layout30
	case !at(3, 11):
		v.Layout = marshal.Layout38
	case x == 3 && y == 11 && m < 3494:
		// 3.11a1 to a7 (3450-3493) wrote transitional layouts that no
		// Layout describes (see magic_facts.md).
		v.Layout = marshal.LayoutNone
	default:
		v.Layout = marshal.Layout311
	}

	// Line table.
	switch {
	case !at(1, 5):
		v.LineTable = LineTableNone
	case !at(3, 6) || x == 3 && y == 6 && m < 3361:
		v.LineTable = LineTableLnotab
	case !at(3, 10) || x == 3 && y == 10 && m < 3431:
		v.LineTable = LineTableLnotabSigned
	case !at(3, 11) || x == 3 && y == 11 && m < 3494:
		v.LineTable = LineTable310
	default:
		v.LineTable = LineTableLocations
	}

	v.WordCode = at(3, 7) || x == 3 && y == 6 && m >= 3370

	// 3.0 and 3.1 always write MAGIC + 1 (the -U increment made permanent
	// at 3061, "string literals become unicode").
	v.Unicode = x == 3 && y <= 1 && m >= 3061
}

// buildTable lists every magic. Keep CPython rows in magic-history order.
func buildTable() []entry {
	b := &builder{rows: make([]entry, 0, 320)}

	// CPython 1.x: Python/import.c of each release.
	b.cp(39170, 1, 0, "1.0", true)
	b.cp(39171, 1, 1, "1.1/1.2", true)
	b.cp(11913, 1, 3, "1.3", true)
	b.cp(5892, 1, 4, "1.4", true)
	b.cp(20121, 1, 5, "1.5", true)
	b.cp(50428, 1, 6, "1.6", true)
	b.unicodeVariant()

	// CPython 2.x.
	b.cp(50823, 2, 0, "2.0", true)
	b.unicodeVariant()
	b.cp(60202, 2, 1, "2.1", true)
	b.unicodeVariant()
	b.cp(60717, 2, 2, "2.2", true)
	b.unicodeVariant()
	b.cp(62011, 2, 3, "2.3", true)
	b.introduced("2.3a0")
	b.unicodeVariant()
	b.cp(62021, 2, 3, "2.3a0", false)
	b.cp(62041, 2, 4, "2.4a0", false)
	b.cp(62051, 2, 4, "2.4a3", false)
	b.cp(62061, 2, 4, "2.4", true)
	b.introduced("2.4b1")
	b.unicodeVariant()
	b.cp(62071, 2, 5, "2.5a0", false)
	b.cp(62081, 2, 5, "2.5a0", false)
	b.cp(62091, 2, 5, "2.5a0", false)
	b.cp(62092, 2, 5, "2.5a0", false)
	b.cp(62101, 2, 5, "2.5b3", false)
	b.cp(62111, 2, 5, "2.5b3", false)
	b.cp(62121, 2, 5, "2.5c1", false)
	b.cp(62131, 2, 5, "2.5", true)
	b.introduced("2.5c2")
	b.unicodeVariant()
	// Dropbox's modified 2.5: code objects are encrypted, so no layout.
	b.rows = append(b.rows, entry{v: Version{
		Magic: 62135, Raw: crlf(62135), Impl: CPython, Major: 2, Minor: 5,
		Release: "2.5 (Dropbox)", HeaderSize: 8, MarshalVersion: 2,
		Layout: marshal.LayoutNone, LineTable: LineTableLnotab,
	}})
	b.cp(62151, 2, 6, "2.6a0", false)
	b.cp(62161, 2, 6, "2.6", true)
	b.introduced("2.6a1")
	b.unicodeVariant()
	b.cp(62171, 2, 7, "2.7a0", false)
	b.cp(62181, 2, 7, "2.7a0", false)
	b.cp(62191, 2, 7, "2.7a0", false)
	b.cp(62201, 2, 7, "2.7a0", false)
	b.cp(62211, 2, 7, "2.7", true)
	b.introduced("2.7a0")
	b.unicodeVariant()

	// CPython 3.0 to 3.12: Lib/importlib/_bootstrap_external.py.
	for _, m := range []uint16{3000, 3010, 3020, 3030, 3040, 3050, 3060, 3061, 3071, 3081, 3091, 3101, 3103} {
		b.cp(m, 3, 0, "3.0dev", false)
	}
	b.cp(3111, 3, 0, "3.0a4", false)
	b.cp(3131, 3, 0, "3.0", true)
	b.introduced("3.0b1")
	b.cp(3141, 3, 1, "3.1a1", false)
	b.cp(3151, 3, 1, "3.1", true)
	b.introduced("3.1a1")
	b.cp(3160, 3, 2, "3.2a1", false)
	b.cp(3170, 3, 2, "3.2a2", false)
	b.cp(3180, 3, 2, "3.2", true)
	b.introduced("3.2a3")
	b.cp(3190, 3, 3, "3.3a1", false)
	b.cp(3200, 3, 3, "3.3a1", false)
	b.cp(3210, 3, 3, "3.3a1", false)
	b.cp(3220, 3, 3, "3.3a2", false)
	b.cp(3230, 3, 3, "3.3", true)
	b.introduced("3.3a4")
	for _, m := range []uint16{3250, 3260, 3270, 3280} {
		b.cp(m, 3, 4, "3.4a1", false)
	}
	b.cp(3290, 3, 4, "3.4a4", false)
	b.cp(3300, 3, 4, "3.4a4", false)
	b.cp(3310, 3, 4, "3.4", true)
	b.introduced("3.4rc2")
	b.cp(3320, 3, 5, "3.5a1", false)
	b.cp(3330, 3, 5, "3.5b1", false)
	b.cp(3340, 3, 5, "3.5b2", false)
	b.cp(3350, 3, 5, "3.5", true)
	b.introduced("3.5b3")
	b.cp(3351, 3, 5, "3.5.3", true)
	b.rows[len(b.rows)-1].fromMicro = 3
	b.cp(3360, 3, 6, "3.6a0", false)
	b.cp(3361, 3, 6, "3.6a1", false)
	b.cpRange(3370, 3372, 3, 6, "3.6a2")
	for _, m := range []uint16{3373, 3375, 3376, 3377} {
		b.cp(m, 3, 6, "3.6b1", false)
	}
	b.cp(3378, 3, 6, "3.6b2", false)
	b.cp(3379, 3, 6, "3.6", true)
	b.introduced("3.6rc1")
	b.cp(3390, 3, 7, "3.7a1", false)
	b.cp(3391, 3, 7, "3.7a2", false)
	b.cp(3392, 3, 7, "3.7a4", false)
	b.cp(3393, 3, 7, "3.7b1", false)
	b.cp(3394, 3, 7, "3.7", true)
	b.introduced("3.7b5")
	b.cpRange(3400, 3401, 3, 8, "3.8a1")
	b.cp(3410, 3, 8, "3.8a1", false)
	b.cpRange(3411, 3412, 3, 8, "3.8b2")
	b.cp(3413, 3, 8, "3.8", true)
	b.introduced("3.8b4")
	b.cpRange(3420, 3422, 3, 9, "3.9a0")
	b.cpRange(3423, 3424, 3, 9, "3.9a2")
	b.cp(3425, 3, 9, "3.9", true)
	b.introduced("3.9a2")
	b.cpRange(3430, 3431, 3, 10, "3.10a1")
	b.cpRange(3432, 3433, 3, 10, "3.10a2")
	b.cp(3434, 3, 10, "3.10a6", false)
	b.cp(3435, 3, 10, "3.10a7", false)
	b.cpRange(3436, 3438, 3, 10, "3.10b1")
	b.cp(3439, 3, 10, "3.10", true)
	b.introduced("3.10b1")
	b.cpRange(3450, 3461, 3, 11, "3.11a1")
	b.cp(3462, 3, 11, "3.11a2", false)
	b.cpRange(3463, 3465, 3, 11, "3.11a3")
	b.cpRange(3466, 3474, 3, 11, "3.11a4")
	b.cpRange(3475, 3485, 3, 11, "3.11a5")
	b.cpRange(3486, 3491, 3, 11, "3.11a6")
	b.cpRange(3492, 3494, 3, 11, "3.11a7")
	b.cp(3495, 3, 11, "3.11", true)
	b.introduced("3.11b4")
	b.cpRange(3500, 3509, 3, 12, "3.12a1")
	b.cpRange(3510, 3512, 3, 12, "3.12a2")
	b.cpRange(3513, 3514, 3, 12, "3.12a4")
	b.cpRange(3515, 3517, 3, 12, "3.12a5")
	b.cpRange(3518, 3520, 3, 12, "3.12a6")
	b.cpRange(3521, 3524, 3, 12, "3.12a7")
	b.cpRange(3525, 3530, 3, 12, "3.12b1")
	b.cp(3531, 3, 12, "3.12", true)
	b.introduced("3.12b1")

	// CPython 3.13 on: Include/internal/pycore_magic_number.h.
	b.cpRange(3550, 3568, 3, 13, "3.13a1")
	b.cp(3569, 3, 13, "3.13a5", false)
	b.cp(3570, 3, 13, "3.13a6", false)
	b.cp(3571, 3, 13, "3.13", true)
	b.introduced("3.13b1")
	b.cpRange(3600, 3608, 3, 14, "3.14a1")
	b.cp(3609, 3, 14, "3.14a2", false)
	b.cpRange(3610, 3613, 3, 14, "3.14a4")
	b.cpRange(3614, 3616, 3, 14, "3.14a5")
	b.cpRange(3617, 3620, 3, 14, "3.14a6")
	b.cpRange(3621, 3623, 3, 14, "3.14a7")
	b.cp(3624, 3, 14, "3.14b1", false)
	b.cp(3625, 3, 14, "3.14b3", false)
	b.cp(3626, 3, 14, "3.14rc2", false)
	b.cp(3627, 3, 14, "3.14", true)
	b.introduced("3.14rc3")
	// 3.15 and 3.16 are unreleased: their newest known magic stands in
	// for the final one.
	b.cp(3650, 3, 15, "3.15a0", false)
	b.cpRange(3651, 3656, 3, 15, "3.15a1")
	b.cpRange(3657, 3661, 3, 15, "3.15a4")
	b.cpRange(3662, 3665, 3, 15, "3.15a8")
	b.cp(3666, 3, 15, "3.15b1", true)
	b.cp(3700, 3, 16, "3.16a0", false)
	b.cp(3701, 3, 16, "3.16a0", true)

	// PyPy 2: pypy/interpreter/pycode.py default_magic (CPython's 2.x magic
	// plus a PyPy increment).
	l23, lnotab := marshal.Layout23, LineTableLnotab
	pypy := func(m uint16, major, minor int, rel string, hdr, mv int, l marshal.Layout, lt LineTableFormat, wc, final bool) {
		b.other(PyPy, crlf(m), major, minor, rel, hdr, mv, l, lt, wc, final)
	}
	pypy(62133, 2, 5, "2.5 v1.1", 8, 2, l23, lnotab, false, false)
	pypy(62143, 2, 5, "2.5 v1.2", 8, 2, l23, lnotab, false, true)
	pypy(62213, 2, 7, "2.7 v1.5", 8, 2, l23, lnotab, false, false)
	pypy(62217, 2, 7, "2.7 v2.1", 8, 2, l23, lnotab, false, false)
	pypy(62218, 2, 7, "2.7 v2.3", 8, 2, l23, lnotab, false, true)

	// PyPy 3: pypy_incremental_magic in pycode.py (bumped by 16).
	l30, l38, none := marshal.Layout30, marshal.Layout38, marshal.LayoutNone
	signed := LineTableLnotabSigned
	pypy(0, 3, 2, "3.2 dev", 8, 2, l30, lnotab, false, false)
	pypy(16, 3, 2, "3.2 v2.1b1", 8, 2, l30, lnotab, false, false)
	pypy(32, 3, 2, "3.2 dev", 8, 2, l30, lnotab, false, false)
	pypy(48, 3, 2, "3.2 v2.3", 8, 2, l30, lnotab, false, true)
	pypy(64, 3, 3, "3.3 v5.2", 12, 2, l30, lnotab, false, true)
	pypy(80, 3, 5, "3.5 dev", 12, 4, l30, lnotab, false, false)
	pypy(96, 3, 5, "3.5 dev", 12, 4, l30, lnotab, false, false)
	pypy(112, 3, 5, "3.5 v5.7", 12, 4, l30, lnotab, false, true)
	pypy(128, 3, 6, "3.6 dev", 12, 4, l30, lnotab, true, false)
	pypy(144, 3, 6, "3.6 dev", 12, 4, l30, lnotab, true, false)
	pypy(160, 3, 6, "3.6 v7.0", 12, 4, l30, lnotab, true, false)
	pypy(176, 3, 6, "3.6 dev", 12, 4, l30, signed, true, false)
	pypy(192, 3, 6, "3.6 v7.2", 12, 4, l30, signed, true, true)
	pypy(208, 3, 7, "3.7 dev", 16, 4, l30, signed, true, false)
	pypy(224, 3, 7, "3.7 v7.3.2", 16, 4, l30, signed, true, false)
	pypy(240, 3, 7, "3.7 v7.3.4", 16, 4, l30, signed, true, true)
	pypy(256, 3, 8, "3.8 v7.3.6", 16, 4, l38, signed, true, true)
	pypy(272, 3, 9, "3.9 dev", 16, 4, l38, signed, true, false)
	pypy(288, 3, 9, "3.9 dev", 16, 4, l38, signed, true, false)
	pypy(304, 3, 9, "3.9 v7.3.8rc1", 16, 4, l38, signed, true, false)
	pypy(320, 3, 9, "3.9 v7.3.8", 16, 4, l38, signed, true, false)
	pypy(336, 3, 9, "3.9 v7.3.9", 16, 4, l38, signed, true, true)
	// From 3.10 PyPy's line table is its own position encoding, which no
	// LineTableFormat names; 368 and 416 on add fields of PyPy's own.
	pypy(368, 3, 10, "3.10 dev", 16, 4, none, LineTableNone, true, false)
	pypy(384, 3, 10, "3.10 v7.3.12", 16, 4, l38, LineTableNone, true, true)
	pypy(400, 3, 11, "3.11 v7.3.18", 16, 4, l38, LineTableNone, true, false)
	pypy(416, 3, 11, "3.11 v7.3.19", 16, 4, none, LineTableNone, true, false)
	pypy(432, 3, 11, "3.11 v7.3.23", 16, 4, none, LineTableNone, true, true)
	pypy(448, 3, 12, "3.12 dev", 16, 4, none, LineTableNone, true, true)

	// GraalPy: 21000 + 10 * its serialization or bytecode version. Its pycs
	// hold GraalPy's own code serialization, not CPython code objects:
	// marshal.LayoutGraal where the format is known (magic_facts.md).
	graal := func(m uint16, minor int, rel string, mv int, lay marshal.Layout, final bool, also ...int) {
		b.other(GraalPy, crlf(m), 3, minor, rel, 16, mv, lay, LineTableNone, false, final, also...)
	}
	lg := marshal.LayoutGraal
	graal(21070, 8, "3.8 21.0", 1, none, false)
	graal(21090, 8, "3.8 21.1", 4, none, false)
	graal(21130, 8, "3.8 21.2", 4, none, false)
	graal(21150, 8, "3.8 21.3", 4, none, true)
	graal(21260, 10, "3.10 dev", 4, lg, false)
	graal(21270, 10, "3.10 23.0", 4, lg, false)
	graal(21280, 10, "3.10 23.1", 4, lg, true)
	graal(21290, 11, "3.11/3.12 24.1", 4, lg, true, 12)
	graal(21300, 12, "3.12 dev", 5, none, false)
	graal(21310, 12, "3.12 dev", 5, none, false)
	graal(21320, 12, "3.12 25.1", 5, none, false)
	graal(21330, 12, "3.12/3.13 25.2", 5, none, true, 13)

	// RustPython 2019-2025 used the first four characters of its git
	// commit hash as the magic; only this build's is known from real files.
	// (Since December 2025 it writes CPython's magic, which LookupMagic
	// reports as CPython.)
	b.other(RustPython, [4]byte{'1', 'a', 'e', 'a'}, 3, 13, "3.13 (git 1aea1467)",
		16, 4, marshal.LayoutRustPython313, LineTableNone, false, true)

	return b.rows
}

// buildFinals indexes the final magics by version, adding copies carrying
// the other minor versions of a shared magic. Within one version the order
// is by fromMicro, then table order, so that the last is the newest.
func buildFinals() map[versionKey][]finalMagic {
	out := map[versionKey][]finalMagic{}
	for i := range table {
		e := &table[i]
		if !e.final {
			continue
		}
		k := versionKey{e.v.Impl, e.v.Major, e.v.Minor}
		out[k] = append(out[k], finalMagic{&e.v, e.fromMicro})
		for _, minor := range e.also {
			k := versionKey{e.v.Impl, e.v.Major, minor}
			c := e.v
			c.Minor = minor
			out[k] = append(out[k], finalMagic{&c, e.fromMicro})
		}
	}
	for _, fs := range out {
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].fromMicro < fs[j].fromMicro })
	}
	return out
}

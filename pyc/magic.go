package pyc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
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

// The table itself, table (every known magic, in table order: CPython
// chronologically with each "-U" variant after its base, then PyPy,
// GraalPy and RustPython) and byRaw (its rows sorted by raw magic), is
// generated into magic_table.go from the facts in magic_facts_test.go, so
// that it is static data: a program that looks up one magic does not build
// the table first.

// rawIndex is one row of byRaw: a raw magic and its row in table.
type rawIndex struct {
	raw [4]byte
	row uint16
}

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
var finals = sync.OnceValue(buildFinals)

// allVersions is the result of Versions, built once.
var allVersions = sync.OnceValue(func() []*Version {
	out := make([]*Version, len(table))
	for i := range table {
		out[i] = &table[i].v
	}
	return out
})

// LookupMagic returns the version whose pyc files start with exactly the
// four bytes raw, and false when no known interpreter writes them.
func LookupMagic(raw [4]byte) (*Version, bool) {
	i, ok := slices.BinarySearchFunc(byRaw[:], raw, func(r rawIndex, raw [4]byte) int {
		return bytes.Compare(r.raw[:], raw[:])
	})
	if !ok {
		return nil, false
	}
	return &table[byRaw[i].row].v, true
}

// Versions returns every known magic, in table order: CPython from 1.0 on
// (pre-release magics and "-U" variants included), then PyPy, GraalPy and
// RustPython. The slice is the caller's; the Versions are shared and must
// not be modified.
func Versions() []*Version {
	return append([]*Version(nil), allVersions()...)
}

// ForVersion returns the magic that the newest release of the given
// implementation and language version writes, as used for "--python-version
// X.Y" overrides. For a version still in development it is the newest known
// pre-release magic. Where two versions share one magic (CPython 1.1 and 1.2,
// some GraalPy releases), the Version returned carries the requested Minor.
func ForVersion(impl Implementation, major, minor int) (*Version, bool) {
	fs := finals()[versionKey{impl, major, minor}]
	if len(fs) == 0 {
		return nil, false
	}
	return fs[len(fs)-1].v, true
}

// forMicro is ForVersion for a given micro release: the final magic with the
// largest fromMicro not above micro.
func forMicro(impl Implementation, major, minor, micro int) (*Version, bool) {
	fs := finals()[versionKey{impl, major, minor}]
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
		for _, v := range allVersions() {
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
	for _, v := range allVersions() {
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

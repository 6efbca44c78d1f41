package pyc

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
)

// magicScript prints the interpreter's magic (hex) and the header size of a
// pyc it compiles (the first offset at which a code object unmarshals). It
// runs on Python 2.7 and 3.x alike.
const magicScript = `
import marshal, os, py_compile, shutil, sys, tempfile
try:
    from importlib.util import MAGIC_NUMBER as magic
except ImportError:
    import imp
    magic = imp.get_magic()
d = tempfile.mkdtemp()
try:
    src = os.path.join(d, 'm.py')
    out = os.path.join(d, 'm.pyc')
    f = open(src, 'w'); f.write('x = 1\n'); f.close()
    py_compile.compile(src, cfile=out, doraise=True)
    f = open(out, 'rb'); data = f.read(); f.close()
finally:
    shutil.rmtree(d)
size = 0
for h in (8, 12, 16):
    try:
        if type(marshal.loads(data[h:])).__name__ == 'code':
            size = h
            break
    except Exception:
        pass
sys.stdout.write('%s %d\n' % (''.join('%02x' % c for c in bytearray(magic)), size))
`

// TestInstalledInterpreters checks the table against every pyenv CPython:
// its magic must be known as that X.Y, with its header size, and be what
// ForVersion returns.
func TestInstalledInterpreters(t *testing.T) {
	for _, in := range pytest.RequireInterpreters(t) {
		t.Run(in.Version, func(t *testing.T) {
			out, err := in.Run("", "-c", magicScript)
			if err != nil {
				t.Fatalf("%s: %v", in.Path, err)
			}
			f := strings.Fields(string(out))
			if len(f) != 2 {
				t.Fatalf("%s printed %q", in.Path, out)
			}
			b, err := hex.DecodeString(f[0])
			if err != nil || len(b) != 4 {
				t.Fatalf("%s printed magic %q", in.Path, f[0])
			}
			size, _ := strconv.Atoi(f[1])
			raw := [4]byte(b)
			v, ok := LookupMagic(raw)
			if !ok {
				t.Fatalf("magic % x of %s unknown", raw, in.Path)
			}
			if v.Impl != CPython || v.Major != in.Major() || v.Minor != in.Minor() {
				t.Errorf("magic % x: got %s %d.%d, interpreter is CPython %s", raw, v.Impl, v.Major, v.Minor, in.Version)
			}
			if v.HeaderSize != size {
				t.Errorf("magic % x: HeaderSize %d, interpreter wrote %d", raw, v.HeaderSize, size)
			}
			fv, ok := ForVersion(CPython, in.Major(), in.Minor())
			if !ok || fv != v {
				t.Errorf("ForVersion(CPython, %s) = %v, interpreter writes %v", in.Version, fv, v)
			}
			pv, err := ParseVersion(in.Version)
			if err != nil || pv != v {
				t.Errorf("ParseVersion(%q) = %v, %v; want %v", in.Version, pv, err, v)
			}
		})
	}
}

// corpusFamily turns the MANIFEST's family column into the implementation
// and the X.Y versions a magic alone must give; ok is false for rows to
// skip (headerless streams).
func corpusFamily(family string) (impl Implementation, versions []string, ok bool) {
	if family == "headerless" || family == "" {
		return 0, nil, false
	}
	impl = CPython
	rest := family
	note := ""
	if i := strings.Index(rest, "("); i >= 0 {
		note = rest[i:]
		rest = strings.TrimSpace(rest[:i])
	}
	for _, p := range []struct {
		name string
		impl Implementation
	}{{"PyPy ", PyPy}, {"Graal ", GraalPy}, {"RustPython ", RustPython}} {
		if strings.HasPrefix(rest, p.name) {
			impl = p.impl
			rest = strings.TrimPrefix(rest, p.name)
		}
	}
	if strings.Contains(note, "CPython magic") {
		// The file carries CPython's magic; only its path says PyPy.
		impl = CPython
	}
	return impl, strings.Split(rest, "/"), true
}

// TestCorpusManifest identifies every pyc of the shared external corpus from
// its first four bytes.
func TestCorpusManifest(t *testing.T) {
	manifest := pytest.RequireShared(t, filepath.Join("corpus", "MANIFEST.tsv"))
	dir := filepath.Dir(manifest)
	fh, err := os.Open(manifest)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var col map[string]int
	rows, checked := 0, 0
	var failures []string
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if col == nil {
			col = map[string]int{}
			for i, name := range fields {
				col[name] = i
			}
			for _, name := range []string{"path", "magic_hex", "magic_int", "family"} {
				if _, ok := col[name]; !ok {
					t.Fatalf("MANIFEST.tsv has no %q column", name)
				}
			}
			continue
		}
		rows++
		get := func(name string) string {
			if i := col[name]; i < len(fields) {
				return fields[i]
			}
			return ""
		}
		path, family := get("path"), get("family")
		impl, versions, ok := corpusFamily(family)
		if !ok {
			continue
		}
		checked++
		fail := func(format string, args ...any) {
			failures = append(failures, fmt.Sprintf("%s [%s]: %s", path, family, fmt.Sprintf(format, args...)))
		}
		f, err := os.Open(filepath.Join(dir, path))
		if err != nil {
			fail("%v", err)
			continue
		}
		var raw [4]byte
		_, err = f.Read(raw[:])
		f.Close()
		if err != nil {
			fail("reading magic: %v", err)
			continue
		}
		if h := hex.EncodeToString(raw[:]); h != get("magic_hex") {
			fail("first bytes %s, manifest says %s", h, get("magic_hex"))
		}
		v, ok := LookupMagic(raw)
		if !ok {
			fail("magic % x (%d) unknown", raw, binary.LittleEndian.Uint16(raw[:]))
			continue
		}
		if strconv.Itoa(int(v.Magic)) != get("magic_int") {
			fail("Magic %d, manifest says %s", v.Magic, get("magic_int"))
		}
		if v.Impl != impl {
			fail("got %v, want %s", v, impl)
			continue
		}
		found := false
		for _, xy := range versions {
			if xy == v.XY() {
				found = true
			}
		}
		if !found {
			fail("got %v (%s), want %s %s", v, v.Release, impl, strings.Join(versions, " or "))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d manifest rows, %d identified by magic, %d mismatches", rows, checked, len(failures))
	for i, f := range failures {
		if i == 40 {
			t.Errorf("... and %d more", len(failures)-i)
			break
		}
		t.Error(f)
	}
}

// TestTableConsistency checks that raw bytes are unique and agree with the
// 16-bit magic, and that every field is in range.
func TestTableConsistency(t *testing.T) {
	seen := map[[4]byte]*Version{}
	for i, v := range Versions() {
		if w, dup := seen[v.Raw]; dup {
			t.Errorf("%v (%s) and %v (%s) share raw % x", w, w.Release, v, v.Release, v.Raw)
		}
		seen[v.Raw] = v
		if got := binary.LittleEndian.Uint16(v.Raw[:2]); got != v.Magic {
			t.Errorf("row %d %v: Raw % x starts with %d", i, v, v.Raw, got)
		}
		crlf := v.Raw[2] == '\r' && v.Raw[3] == '\n'
		oldMagic := v.Impl == CPython && v.Major == 1 && v.Minor <= 2
		if crlf == (oldMagic || v.Impl == RustPython) {
			t.Errorf("row %d %v: Raw % x has the wrong tail", i, v, v.Raw)
		}
		if v.HeaderSize != 8 && v.HeaderSize != 12 && v.HeaderSize != 16 {
			t.Errorf("%v: HeaderSize %d", v, v.HeaderSize)
		}
		if v.MarshalVersion < 0 || v.MarshalVersion > 6 {
			t.Errorf("%v: MarshalVersion %d", v, v.MarshalVersion)
		}
		if v.Release == "" {
			t.Errorf("%v: no Release", v)
		}
		if got, ok := LookupMagic(v.Raw); !ok || got != v {
			t.Errorf("LookupMagic(% x) = %v, want %v", v.Raw, got, v)
		}
	}
	if n := len(Versions()); n < 300 {
		t.Errorf("only %d entries", n)
	}
}

// TestMagicTransitions pins the magics at which headers, layouts, line
// tables and instruction formats changed inside development cycles.
func TestMagicTransitions(t *testing.T) {
	type want struct {
		header, marshalVersion int
		layout                 marshal.Layout
		lines                  LineTableFormat
		wordCode, unicode      bool
	}
	none := LineTableNone
	lnotab, signed, lt310, locs := LineTableLnotab, LineTableLnotabSigned, LineTable310, LineTableLocations
	cases := []struct {
		raw  [4]byte
		want want
	}{
		{[4]byte{0x02, 0x99, 0x99, 0x00}, want{8, 0, marshal.Layout10, none, false, false}},
		{[4]byte{0x03, 0x99, 0x99, 0x00}, want{8, 0, marshal.Layout10, none, false, false}},
		{crlf(11913), want{8, 0, marshal.Layout13, none, false, false}},
		{crlf(5892), want{8, 0, marshal.Layout13, none, false, false}},
		{crlf(20121), want{8, 0, marshal.Layout15, lnotab, false, false}},
		{crlf(50429), want{8, 0, marshal.Layout15, lnotab, false, true}},
		{crlf(50823), want{8, 0, marshal.Layout15, lnotab, false, false}},
		{crlf(60202), want{8, 0, marshal.Layout21, lnotab, false, false}},
		{crlf(60718), want{8, 0, marshal.Layout21, lnotab, false, true}},
		{crlf(62011), want{8, 0, marshal.Layout23, lnotab, false, false}},
		{crlf(62061), want{8, 1, marshal.Layout23, lnotab, false, false}},
		{crlf(62131), want{8, 2, marshal.Layout23, lnotab, false, false}},
		{crlf(62212), want{8, 2, marshal.Layout23, lnotab, false, true}},
		{crlf(3020), want{8, 2, marshal.Layout23, lnotab, false, false}},
		{crlf(3030), want{8, 2, marshal.Layout30, lnotab, false, false}},
		{crlf(3131), want{8, 2, marshal.Layout30, lnotab, false, true}},
		{crlf(3151), want{8, 2, marshal.Layout30, lnotab, false, true}},
		{crlf(3180), want{8, 2, marshal.Layout30, lnotab, false, false}},
		{crlf(3200), want{8, 2, marshal.Layout30, lnotab, false, false}},
		{crlf(3210), want{12, 2, marshal.Layout30, lnotab, false, false}},
		{crlf(3250), want{12, 2, marshal.Layout30, lnotab, false, false}},
		{crlf(3260), want{12, 3, marshal.Layout30, lnotab, false, false}},
		{crlf(3310), want{12, 4, marshal.Layout30, lnotab, false, false}},
		{crlf(3360), want{12, 4, marshal.Layout30, lnotab, false, false}},
		{crlf(3361), want{12, 4, marshal.Layout30, signed, false, false}},
		{crlf(3370), want{12, 4, marshal.Layout30, signed, true, false}},
		{crlf(3391), want{12, 4, marshal.Layout30, signed, true, false}},
		{crlf(3392), want{16, 4, marshal.Layout30, signed, true, false}},
		{crlf(3401), want{16, 4, marshal.Layout30, signed, true, false}},
		{crlf(3410), want{16, 4, marshal.Layout38, signed, true, false}},
		{crlf(3430), want{16, 4, marshal.Layout38, signed, true, false}},
		{crlf(3431), want{16, 4, marshal.Layout38, lt310, true, false}},
		{crlf(3439), want{16, 4, marshal.Layout38, lt310, true, false}},
		{crlf(3450), want{16, 4, marshal.LayoutNone, lt310, true, false}},
		{crlf(3493), want{16, 4, marshal.LayoutNone, lt310, true, false}},
		{crlf(3494), want{16, 4, marshal.Layout311, locs, true, false}},
		{crlf(3607), want{16, 4, marshal.Layout311, locs, true, false}},
		{crlf(3608), want{16, 5, marshal.Layout311, locs, true, false}},
		{crlf(3661), want{16, 5, marshal.Layout311, locs, true, false}},
		{crlf(3662), want{16, 6, marshal.Layout311, locs, true, false}},
		{crlf(62135), want{8, 2, marshal.LayoutNone, lnotab, false, false}},
		{crlf(62218), want{8, 2, marshal.Layout23, lnotab, false, false}},
		{crlf(48), want{8, 2, marshal.Layout30, lnotab, false, false}},
		{crlf(112), want{12, 4, marshal.Layout30, lnotab, false, false}},
		{crlf(160), want{12, 4, marshal.Layout30, lnotab, true, false}},
		{crlf(192), want{12, 4, marshal.Layout30, signed, true, false}},
		{crlf(240), want{16, 4, marshal.Layout30, signed, true, false}},
		{crlf(256), want{16, 4, marshal.Layout38, signed, true, false}},
		{crlf(384), want{16, 4, marshal.Layout38, none, true, false}},
		{crlf(432), want{16, 4, marshal.LayoutNone, none, true, false}},
		{crlf(21290), want{16, 4, marshal.LayoutGraal, none, false, false}},
		{[4]byte{'1', 'a', 'e', 'a'}, want{16, 4, marshal.LayoutRustPython313, none, false, false}},
	}
	for _, c := range cases {
		v, ok := LookupMagic(c.raw)
		if !ok {
			t.Errorf("% x unknown", c.raw)
			continue
		}
		got := want{v.HeaderSize, v.MarshalVersion, v.Layout, v.LineTable, v.WordCode, v.Unicode}
		if got != c.want {
			t.Errorf("%v (%s): got %+v, want %+v", v, v.Release, got, c.want)
		}
	}
}

func TestForVersion(t *testing.T) {
	cases := []struct {
		impl         Implementation
		major, minor int
		magic        uint16
	}{
		{CPython, 1, 0, 39170}, {CPython, 1, 1, 39171}, {CPython, 1, 2, 39171},
		{CPython, 1, 3, 11913}, {CPython, 1, 4, 5892}, {CPython, 1, 5, 20121},
		{CPython, 1, 6, 50428}, {CPython, 2, 0, 50823}, {CPython, 2, 1, 60202},
		{CPython, 2, 2, 60717}, {CPython, 2, 3, 62011}, {CPython, 2, 4, 62061},
		{CPython, 2, 5, 62131}, {CPython, 2, 6, 62161}, {CPython, 2, 7, 62211},
		{CPython, 3, 0, 3131}, {CPython, 3, 1, 3151}, {CPython, 3, 2, 3180},
		{CPython, 3, 3, 3230}, {CPython, 3, 4, 3310}, {CPython, 3, 5, 3351},
		{CPython, 3, 6, 3379}, {CPython, 3, 7, 3394}, {CPython, 3, 8, 3413},
		{CPython, 3, 9, 3425}, {CPython, 3, 10, 3439}, {CPython, 3, 11, 3495},
		{CPython, 3, 12, 3531}, {CPython, 3, 13, 3571}, {CPython, 3, 14, 3627},
		{CPython, 3, 15, 3666},
		{PyPy, 2, 7, 62218}, {PyPy, 3, 2, 48}, {PyPy, 3, 3, 64}, {PyPy, 3, 5, 112},
		{PyPy, 3, 6, 192}, {PyPy, 3, 7, 240}, {PyPy, 3, 8, 256}, {PyPy, 3, 9, 336},
		{PyPy, 3, 10, 384}, {PyPy, 3, 11, 432},
		{GraalPy, 3, 8, 21150}, {GraalPy, 3, 10, 21280}, {GraalPy, 3, 11, 21290},
		{GraalPy, 3, 12, 21330}, {GraalPy, 3, 13, 21330},
		{RustPython, 3, 13, 24881},
	}
	for _, c := range cases {
		v, ok := ForVersion(c.impl, c.major, c.minor)
		if !ok {
			t.Errorf("ForVersion(%s, %d, %d) found nothing", c.impl, c.major, c.minor)
			continue
		}
		if v.Magic != c.magic || v.Impl != c.impl || v.Major != c.major || v.Minor != c.minor {
			t.Errorf("ForVersion(%s, %d, %d) = %v", c.impl, c.major, c.minor, v)
		}
	}
	for _, c := range []struct {
		impl         Implementation
		major, minor int
	}{{CPython, 2, 8}, {CPython, 3, 99}, {PyPy, 3, 4}, {GraalPy, 3, 9}, {RustPython, 3, 12}} {
		if v, ok := ForVersion(c.impl, c.major, c.minor); ok {
			t.Errorf("ForVersion(%s, %d, %d) = %v, want none", c.impl, c.major, c.minor, v)
		}
	}
	// Every final magic is reachable, and ForVersion returns the table's
	// own entry wherever the minor version is its own.
	for _, v := range Versions() {
		fv, ok := ForVersion(v.Impl, v.Major, v.Minor)
		if !ok {
			t.Errorf("%v (%s): ForVersion finds no magic for its version", v, v.Release)
		} else if fv.Raw == v.Raw && fv != v {
			t.Errorf("ForVersion(%s, %d, %d) returned a copy of %v", v.Impl, v.Major, v.Minor, v)
		}
	}
}

func TestParseVersion(t *testing.T) {
	cases := []struct {
		in    string
		impl  Implementation
		xy    string
		magic uint16
	}{
		{"3.12", CPython, "3.12", 3531},
		{"2.7", CPython, "2.7", 62211},
		{" 3.8 ", CPython, "3.8", 3413},
		{"3.11.7", CPython, "3.11", 3495},
		{"3.5", CPython, "3.5", 3351},
		{"3.5.2", CPython, "3.5", 3350},
		{"3.5.3", CPython, "3.5", 3351},
		{"1.2", CPython, "1.2", 39171},
		{"cpython3.11", CPython, "3.11", 3495},
		{"CPython 3.10", CPython, "3.10", 3439},
		{"python3.9", CPython, "3.9", 3425},
		{"3.11a7", CPython, "3.11", 3494},
		{"3.8b4", CPython, "3.8", 3413},
		{"3.8a1", CPython, "3.8", 3410},
		{"3413", CPython, "3.8", 3413},
		{"pypy3.9", PyPy, "3.9", 336},
		{"PyPy 3.10", PyPy, "3.10", 384},
		{"pypy-3.8", PyPy, "3.8", 256},
		{"pypy2.7", PyPy, "2.7", 62218},
		{"pypy 336", PyPy, "3.9", 336},
		{"graalpy3.11", GraalPy, "3.11", 21290},
		{"GraalPy 3.12", GraalPy, "3.12", 21330},
		{"graalpython3.10", GraalPy, "3.10", 21280},
		{"graal 3.8", GraalPy, "3.8", 21150},
		{"rustpython3.13", RustPython, "3.13", 24881},
	}
	for _, c := range cases {
		v, err := ParseVersion(c.in)
		if err != nil {
			t.Errorf("ParseVersion(%q): %v", c.in, err)
			continue
		}
		if v.Impl != c.impl || v.XY() != c.xy || v.Magic != c.magic {
			t.Errorf("ParseVersion(%q) = %v", c.in, v)
		}
	}
	for _, in := range []string{"", "3", "3.x", "4.0", "2.8", "pypy3.4", "graalpy", "3.12.1.1", "99999", "pypy 3413", "3.-1"} {
		if v, err := ParseVersion(in); err == nil {
			t.Errorf("ParseVersion(%q) = %v, want an error", in, v)
		}
	}
}

func TestNearestMagics(t *testing.T) {
	cases := []struct {
		raw  [4]byte
		want []uint16
	}{
		{crlf(3496), []uint16{3495, 3500}},
		{crlf(3449), []uint16{3439, 3450}},
		{crlf(3374), []uint16{3373, 3375}},
		{crlf(65535), []uint16{62218}},
		{[4]byte{0x55, 0x0d, 0x00, 0x00}, []uint16{3413}},
		{crlf(4660), []uint16{3701, 5892}},
	}
	for _, c := range cases {
		var got []uint16
		for _, v := range NearestMagics(c.raw) {
			got = append(got, v.Magic)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("NearestMagics(% x) = %v, want %v", c.raw, got, c.want)
		}
	}
}

package asm_test

import (
	"bufio"
	"bytes"
	"flag"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/asm"
	"github.com/pyc-tools/pyc/build"
	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

var roundTripN = flag.Int("asm.n", 40, "pycs per installed interpreter for the assembly round trip (0: all, the full sweep)")

// roundTrip prints data as assembly, assembles the text and compares the
// bytes. It returns false for files pyc cannot decode.
func roundTrip(t *testing.T, name string, data []byte) bool {
	t.Helper()
	f, err := pyc.Parse(data, pyc.ParseOptions{Path: name})
	if err != nil {
		return false
	}
	f.Header.Version = disasm.Refine(f.Version(), f.TopCode())
	var text bytes.Buffer
	if err := asm.Print(&text, f); err != nil {
		t.Errorf("%s: print: %v", name, err)
		return true
	}
	g, err := asm.Assemble(text.Bytes())
	if err != nil {
		t.Errorf("%s: assemble: %v", name, err)
		return true
	}
	out, err := g.Bytes()
	if err != nil {
		t.Errorf("%s: encode: %v", name, err)
		return true
	}
	if !bytes.Equal(out, data) {
		i := 0
		for i < len(out) && i < len(data) && out[i] == data[i] {
			i++
		}
		t.Errorf("%s: the assembled file differs from offset %d (have %d bytes, want %d)", name, i, len(out), len(data))
	}
	return true
}

// TestRoundTripGolden round-trips every golden pyc of testdata.
func TestRoundTripGolden(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(pytest.RepoRoot(), "testdata", "pycs", "*", "*.pyc"))
	if len(paths) == 0 {
		t.Skip("no golden pycs in testdata/pycs")
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !roundTrip(t, p, data) {
			t.Errorf("%s does not decode", p)
		}
	}
	t.Logf("%d golden pycs", len(paths))
}

// TestRoundTripStdlib round-trips a sample of the pycs of each installed
// interpreter's own library (all of them with -asm.n=0).
func TestRoundTripStdlib(t *testing.T) {
	for _, in := range pytest.RequireInterpreters(t) {
		files := pytest.Sample(pytest.StdlibPycs(in), *roundTripN)
		n := 0
		for _, p := range files {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if roundTrip(t, p, data) {
				n++
			}
		}
		t.Logf("%s: %d pycs byte for byte", in.Version, n)
	}
}

// TestRoundTripCorpus round-trips every file of ../shared/corpus that
// decodes.
func TestRoundTripCorpus(t *testing.T) {
	dir := pytest.RequireShared(t, "corpus")
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		t.Skipf("corpus manifest: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	ok, undecodable, foreign := 0, 0, 0
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 6 || cols[5] == "headerless" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, cols[0]))
		if err != nil {
			t.Fatal(err)
		}
		if f, err := pyc.Parse(data, pyc.ParseOptions{}); err == nil && !f.Version().Layout.CPython() {
			foreign++ // GraalPy's and RustPython's own formats: not in the language
			continue
		}
		if roundTrip(t, cols[0], data) {
			ok++
		} else {
			undecodable++
		}
	}
	t.Logf("%d corpus files round-trip byte for byte; %d do not decode; %d GraalPy/RustPython files left out", ok, undecodable, foreign)
}

// TestTrickyValues round-trips constants that need the annotations and
// constructors of the language: exact floats, text floats and complex,
// big ints, surrogates, invalid UTF-8, every byte value, shared and
// separate equal objects.
func TestTrickyValues(t *testing.T) {
	nanBits := math.Float64frombits(0x7ff8000000000abc)
	big1, _ := new(big.Int).SetString("-123456789012345678901234567890123456789", 10)
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	shared := &marshal.Str{Encoding: marshal.Encoding{Type: 'z', Ref: true}, Data: []byte("shared")}
	v311, _ := pyc.ParseVersion("3.11")
	v27, _ := pyc.ParseVersion("2.7")
	v39, _ := pyc.ParseVersion("3.9")
	for _, tc := range []struct {
		v   *pyc.Version
		top marshal.Value
	}{
		{v311, &marshal.Tuple{Encoding: marshal.Encoding{Type: '('}, Items: []marshal.Value{
			&marshal.Float{Encoding: marshal.Encoding{Type: 'g'}, Value: math.Copysign(0, -1)},
			&marshal.Float{Encoding: marshal.Encoding{Type: 'g'}, Value: nanBits},
			&marshal.Float{Encoding: marshal.Encoding{Type: 'g'}, Value: math.Inf(-1)},
			&marshal.Float{Encoding: marshal.Encoding{Type: 'f'}, Value: 0.1, Text: []byte("0.10000000000000001")},
			&marshal.Float{Encoding: marshal.Encoding{Type: 'f', Ref: true}, Value: 1e22, Text: []byte("1e+22")},
			&marshal.Complex{Encoding: marshal.Encoding{Type: 'y'}, Real: math.Copysign(0, -1), Imag: math.NaN()},
			&marshal.Complex{Encoding: marshal.Encoding{Type: 'x'}, Real: 1, Imag: 2, RealText: []byte("1"), ImagText: []byte("2.0")},
			&marshal.Int{Encoding: marshal.Encoding{Type: 'l'}, Big: big1},
			&marshal.Int{Encoding: marshal.Encoding{Type: 'l'}, Small: 5},
			&marshal.Str{Encoding: marshal.Encoding{Type: 'u'}, Data: []byte("a\xed\xa0\x80b\u20ac")},
			&marshal.Str{Encoding: marshal.Encoding{Type: 'u'}, Data: []byte("bad \xff utf-8")},
			&marshal.Bytes{Encoding: marshal.Encoding{Type: 's'}, Data: all},
			shared, shared,
			&marshal.Str{Encoding: marshal.Encoding{Type: 'z', Ref: true}, Data: []byte("shared")},
			&marshal.Set{Encoding: marshal.Encoding{Type: '>'}, Frozen: true, Items: []marshal.Value{&marshal.Int{Encoding: marshal.Encoding{Type: 'i'}, Small: 3}, marshal.None}},
			&marshal.List{Encoding: marshal.Encoding{Type: '['}},
			&marshal.Dict{Encoding: marshal.Encoding{Type: '{'}, Items: []marshal.DictItem{{Key: marshal.True, Value: marshal.Ellipsis}}},
			marshal.Singleton('N' | 0x80),
		}}},
		{v27, &marshal.Tuple{Encoding: marshal.Encoding{Type: '('}, Items: []marshal.Value{
			&marshal.Int{Encoding: marshal.Encoding{Type: 'l'}, Small: 1},
			&marshal.Int{Encoding: marshal.Encoding{Type: 'I'}, Small: 1 << 40},
			&marshal.Str{Encoding: marshal.Encoding{Type: 's'}, Data: []byte("\xff\x00bytes")},
			&marshal.Str{Encoding: marshal.Encoding{Type: 't'}, Data: []byte("interned")},
			&marshal.Unicode{Encoding: marshal.Encoding{Type: 'u'}, Data: []byte("\u20ac")},
			&marshal.Float{Encoding: marshal.Encoding{Type: 'g'}, Value: 2.5},
		}}},
		{v39, &marshal.Tuple{Encoding: marshal.Encoding{Type: ')'}, Items: []marshal.Value{
			&marshal.Str{Encoding: marshal.Encoding{Type: 'Z', Ref: true}, Data: []byte("name")},
			&marshal.Tuple{Encoding: marshal.Encoding{Type: ')'}},
		}}},
	} {
		f := &pyc.File{Header: pyc.Header{Magic: tc.v.Raw, Version: tc.v}, Code: tc.top}
		data, err := f.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		var text bytes.Buffer
		if err := asm.Print(&text, f); err != nil {
			t.Fatal(err)
		}
		g, err := asm.Assemble(text.Bytes())
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.v.XY(), err, text.String())
		}
		out, err := g.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, data) {
			t.Errorf("%s: have % x\nwant % x\ntext:\n%s", tc.v.XY(), out, data, text.String())
		}
	}
}

// TestRawConstWithPosition: an index to the second of two constants that
// print alike is written =N with the constant as a comment, after the
// instruction's position.
func TestRawConstWithPosition(t *testing.T) {
	v, _ := pyc.ParseVersion("3.11")
	c, err := build.New(v)
	if err != nil {
		t.Fatal(err)
	}
	c.Consts = []build.Const{{Value: &marshal.Float{Value: 1.5}}, {Value: &marshal.Float{Value: 1.5}}}
	c.Op("RESUME", 0)
	c.SetLoc(build.Loc{Line: 1, EndLine: 1, Col: 4, EndCol: 9})
	c.Op("LOAD_CONST", build.Raw(1))
	c.Op("RETURN_VALUE")
	f, err := c.File()
	if err != nil {
		t.Fatal(err)
	}
	data, _ := f.Bytes()
	var text bytes.Buffer
	if err := asm.Print(&text, f); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "=1                  @4-9  # 1.5") {
		t.Errorf("the raw constant is not written as expected:\n%s", text.String())
	}
	g, err := asm.Assemble(text.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if out, _ := g.Bytes(); !bytes.Equal(out, data) {
		t.Errorf("have % x\nwant % x", out, data)
	}
}

// TestRawCode: code the instruction form cannot describe (an undefined
// opcode) is written as .bytecode bytes and comes back the same.
func TestRawCode(t *testing.T) {
	v, _ := pyc.ParseVersion("3.8")
	c, err := build.New(v)
	if err != nil {
		t.Fatal(err)
	}
	c.Op("LOAD_CONST", nil)
	c.Op("RETURN_VALUE")
	f, err := c.File()
	if err != nil {
		t.Fatal(err)
	}
	top := f.TopCode()
	top.Code = &marshal.Bytes{Encoding: marshal.Encoding{Type: 's'}, Data: []byte{0xee, 7, 100, 0, 83, 0}}
	data, err := f.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := asm.Print(&text, f); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), ".bytecode b'\\xee\\x07d\\x00S\\x00'") || !strings.Contains(text.String(), "    # <238>") {
		t.Errorf("no raw bytecode in:\n%s", text.String())
	}
	if !roundTrip(t, "raw", data) {
		t.Fatal("does not decode")
	}
}

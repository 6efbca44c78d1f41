package marshal_test

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"reflect"
	"testing"

	"github.com/pyc-tools/pyc/marshal"
)

// rustCode writes a RustPython code object with the given constants
// already encoded.
func rustCode(w *wb, name string, nconsts int32, consts []byte) {
	w.u8('c')
	w.i32(2).u8(0x64, 0x00, 0x53, 0x00)  // two instructions
	w.i32(2).i32(1).i32(0).i32(1).i32(4) // their locations
	w.i16(-0x7fff)                       // flags 0x8001
	w.i32(0).i32(1).i32(0)               // posonly, arg, kwonly counts
	w.str("m.py").i32(1).i32(3)          // source path, first line, stack depth
	w.str(name).str("q." + name)
	w.ints(-1) // cell2arg
	w.i32(nconsts)
	w.b = append(w.b, consts...)
	w.strs("x").strs().strs().strs("y")
	w.bytes(1, 2).bytes()
}

func TestRustPythonCode(t *testing.T) {
	k := &wb{}
	k.u8('i').i32(0)                                // 0
	k.u8('i').i32(1).u8(1)                          // 1
	k.u8('i').i32(-1).u8(1)                         // -1
	k.u8('i').i32(2).u8(0, 1)                       // 256
	k.u8('i').i32(9).u8(0, 0, 0, 0, 0, 0, 0, 0, 1)  // 2**64
	k.u8('i').i32(-9).u8(0, 0, 0, 0, 0, 0, 0, 0, 1) // -2**64
	k.u8('i').i32(-8).u8(0, 0, 0, 0, 0, 0, 0, 0x80) // -2**63
	k.u8('i').i32(8).u8(0, 0, 0, 0, 0, 0, 0, 0x80)  // 2**63
	k.u8('u').str("é")                              // str
	k.u8('a').str("ab")                             // str
	k.u8('s').bytes(0, 1)                           // bytes
	k.u8('g').i64(int64(math.Float64bits(1.5)))     // float
	k.u8('y').i64(int64(math.Float64bits(1))).i64(int64(math.Float64bits(-2)))
	k.u8('(').i32(2).u8('N', 'T')
	k.u8('[').i32(1).u8('F')
	k.u8('<').i32(1).u8('S')
	k.u8('>').i32(1).u8('.')
	k.u8('{').i32(1).u8('u').str("k").u8('i').i32(1).u8(7)
	nested := &wb{}
	rustCode(nested, "f", 1, []byte{'N'})
	k.b = append(k.b, nested.b...)
	w := &wb{}
	rustCode(w, "<module>", 19, k.b)
	data := w.b

	v, n, err := marshal.Unmarshal(data, marshal.Options{Layout: marshal.LayoutRustPython313})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(data) {
		t.Fatalf("read %d of %d bytes", n, len(data))
	}
	for _, opts := range []marshal.EncodeOptions{{Version: 4}, {Version: 4, Layout: marshal.LayoutRustPython313}} {
		out, err := marshal.Marshal(v, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, data) {
			t.Fatalf("re-encoded bytes differ:\nhave % x\nwant % x", out, data)
		}
	}
	c, ok := v.(*marshal.RustCode)
	if !ok {
		t.Fatalf("decoded %T", v)
	}
	if !bytes.Equal(c.Instructions, []byte{0x64, 0, 0x53, 0}) ||
		!reflect.DeepEqual(c.Locations, []marshal.RustLocation{{Line: 1, Column: 0}, {Line: 1, Column: 4}}) ||
		c.Flags != 0x8001 || c.ArgCount != 1 || c.Filename != "m.py" || c.FirstLineNo != 1 || c.MaxStackDepth != 3 ||
		c.Name != "<module>" || c.QualName != "q.<module>" || !reflect.DeepEqual(c.Cell2Arg, []int32{-1}) ||
		!reflect.DeepEqual(c.Names, []string{"x"}) || !reflect.DeepEqual(c.FreeVars, []string{"y"}) ||
		!bytes.Equal(c.LineTable, []byte{1, 2}) || len(c.ExceptionTable) != 0 {
		t.Errorf("code fields: %+v", c)
	}
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)
	ints := []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(-1), big.NewInt(256), two64, new(big.Int).Neg(two64),
		big.NewInt(math.MinInt64), new(big.Int).Lsh(big.NewInt(1), 63)}
	for i, want := range ints {
		x, ok := c.Consts[i].(*marshal.Int)
		if !ok || x.Type != 'i' || x.BigInt().Cmp(want) != 0 {
			t.Errorf("constant %d: %#v, want %v", i, c.Consts[i], want)
		}
	}
	if s := c.Consts[8].(*marshal.Str); s.String() != "é" || s.Type != 'u' {
		t.Errorf("str: %#v", s)
	}
	if s := c.Consts[9].(*marshal.Str); s.String() != "ab" || s.Type != 'a' {
		t.Errorf("ascii: %#v", s)
	}
	if b := c.Consts[10].(*marshal.Bytes); !bytes.Equal(b.Data, []byte{0, 1}) {
		t.Errorf("bytes: %#v", b)
	}
	if f := c.Consts[11].(*marshal.Float); f.Value != 1.5 {
		t.Errorf("float: %#v", f)
	}
	if x := c.Consts[12].(*marshal.Complex); x.Real != 1 || x.Imag != -2 {
		t.Errorf("complex: %#v", x)
	}
	if x := c.Consts[13].(*marshal.Tuple); len(x.Items) != 2 || x.Items[1] != marshal.True {
		t.Errorf("tuple: %#v", x)
	}
	if x := c.Consts[14].(*marshal.List); len(x.Items) != 1 || x.Items[0] != marshal.False {
		t.Errorf("list: %#v", x)
	}
	if x := c.Consts[15].(*marshal.Set); x.Frozen || x.Items[0] != marshal.StopIteration {
		t.Errorf("set: %#v", x)
	}
	if x := c.Consts[16].(*marshal.Set); !x.Frozen || x.Items[0] != marshal.Ellipsis {
		t.Errorf("frozenset: %#v", x)
	}
	if x := c.Consts[17].(*marshal.Dict); len(x.Items) != 1 || x.Items[0].Value.(*marshal.Int).Small != 7 {
		t.Errorf("dict: %#v", x)
	}
	if x := c.Consts[18].(*marshal.RustCode); x.Name != "f" || len(x.Consts) != 1 || x.Consts[0] != marshal.None {
		t.Errorf("nested code: %#v", x)
	}
	if marshal.KindName(c) != "code" || c.String() != `<RustPython code object <module>, file "m.py", line 1>` {
		t.Errorf("names: %s %s", marshal.KindName(c), c)
	}
}

// TestRustPythonEncodeNew encodes a RustPython code object built by hand:
// its ints use RustPython's byte form without any option saying so.
func TestRustPythonEncodeNew(t *testing.T) {
	c := &marshal.RustCode{Name: "m", Consts: []marshal.Value{&marshal.Int{Small: -300}, &marshal.Int{Big: new(big.Int).Lsh(big.NewInt(1), 70)}}}
	out, err := marshal.Marshal(c, marshal.EncodeOptions{Version: 4})
	if err != nil {
		t.Fatal(err)
	}
	want := (&wb{}).u8('i').i32(-2).u8(0x2c, 0x01).u8('i').i32(9).u8(0, 0, 0, 0, 0, 0, 0, 0, 0x40).b
	if !bytes.Contains(out, want) {
		t.Fatalf("have % x, want it to hold % x", out, want)
	}
	v, _, err := marshal.Unmarshal(out, marshal.Options{Layout: marshal.LayoutRustPython313})
	if err != nil {
		t.Fatal(err)
	}
	if d := v.(*marshal.RustCode); d.Name != "m" || d.Consts[0].(*marshal.Int).Small != -300 {
		t.Errorf("decoded back: %+v", d)
	}
	// RustPython streams have no references.
	c.Consts = []marshal.Value{&marshal.Tuple{Encoding: marshal.Encoding{Ref: true}}}
	if _, err := marshal.Marshal(c, marshal.EncodeOptions{}); !errors.Is(err, marshal.ErrUnencodable) {
		t.Errorf("FLAG_REF in a RustPython stream: %v", err)
	}
}

func TestRustPythonErrors(t *testing.T) {
	opts := marshal.Options{Layout: marshal.LayoutRustPython313}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"int with a high zero byte", (&wb{}).u8('i').i32(2).u8(1, 0).b, marshal.ErrBadLong},
		{"int longer than the data", (&wb{}).u8('i').i32(-5).u8(1).b, marshal.ErrTruncated},
		{"FLAG_REF", []byte{'N' | 0x80}, marshal.ErrUnknownType},
		{"NULL", []byte{'0'}, marshal.ErrUnknownType},
		{"small tuple", []byte{')', 0}, marshal.ErrUnknownType},
		{"reference", (&wb{}).u8('r').i32(0).b, marshal.ErrUnknownType},
		{"code cut short", []byte{'c', 1, 0, 0, 0, 0x64}, marshal.ErrTruncated},
	}
	for _, tc := range tests {
		_, _, err := marshal.Unmarshal(tc.data, opts)
		t.Logf("%s: %v", tc.name, err)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestPython10Code decodes Python 1.0's and 1.1's code objects, type 'C':
// 1.0's co_consts and co_names are lists, 1.1's tuples.
func TestPython10Code(t *testing.T) {
	body := func(seq byte) []byte {
		w := &wb{}
		w.u8('C').u8('s').bytes(0x64, 0, 0) // co_code
		w.u8(seq).i32(2).u8('i').i32(1).u8('N')
		w.u8(seq).i32(1).u8('s').str("x")
		w.u8('s').str("f.py").u8('s').str("?")
		return w.b
	}
	for _, seq := range []byte{'[', '('} {
		data := body(seq)
		v, _, err := marshal.Unmarshal(data, marshal.Options{Layout: marshal.Layout10})
		if err != nil {
			t.Fatal(err)
		}
		c, ok := v.(*marshal.Code)
		if !ok || c.Type != 'C' || c.Consts.Type != seq || c.Names.Type != seq || c.Consts.Len() != 2 ||
			c.NameString() != "?" || c.FilenameString() != "f.py" {
			t.Fatalf("decoded %#v", v)
		}
		out, err := marshal.Marshal(v, marshal.EncodeOptions{Python2: true})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, data) {
			t.Errorf("%c: re-encoded bytes differ:\nhave % x\nwant % x", seq, out, data)
		}
	}
	// A new Layout10 code object is written as 1.x wrote it: 'C'.
	c := &marshal.Code{Layout: marshal.Layout10, Code: &marshal.Str{Data: []byte{0x53}}}
	out, err := marshal.Marshal(c, marshal.EncodeOptions{Python2: true})
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != 'C' {
		t.Errorf("new 1.0 code object written as %q", out[0])
	}
	// 1.3 on wrote 'c': 'C' is unknown there.
	if _, _, err := marshal.Unmarshal(body('('), marshal.Options{Layout: marshal.Layout13}); !errors.Is(err, marshal.ErrUnknownType) {
		t.Errorf("'C' in a 1.3 stream: %v", err)
	}
}

package marshal_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/pyc-tools/pyc/marshal"
)

// wb builds little-endian byte strings for the hand-made streams below.
type wb struct{ b []byte }

func (w *wb) u8(v ...byte) *wb { w.b = append(w.b, v...); return w }
func (w *wb) i16(v int16) *wb  { w.b = binary.LittleEndian.AppendUint16(w.b, uint16(v)); return w }
func (w *wb) i32(v int32) *wb  { w.b = binary.LittleEndian.AppendUint32(w.b, uint32(v)); return w }
func (w *wb) i64(v int64) *wb  { w.b = binary.LittleEndian.AppendUint64(w.b, uint64(v)); return w }

// str writes a 32-bit length and the bytes (GraalPy's UTF-8 strings and
// RustPython's strings alike).
func (w *wb) str(s string) *wb { w.i32(int32(len(s))); w.b = append(w.b, s...); return w }

func (w *wb) strs(ss ...string) *wb {
	w.i32(int32(len(ss)))
	for _, s := range ss {
		w.str(s)
	}
	return w
}

func (w *wb) ints(v ...int32) *wb {
	w.i32(int32(len(v)))
	for _, x := range v {
		w.i32(x)
	}
	return w
}

func (w *wb) bytes(b ...byte) *wb { w.i32(int32(len(b))); w.b = append(w.b, b...); return w }

// graalUnitFields writes the fields of a bytecode code unit (after its
// kind byte, if any), with the given constants already encoded.
func graalUnitFields(w *wb, version byte, name string, nconsts int32, consts []byte) {
	w.u8(version).str(name).str(name)
	w.i32(1).i32(0).i32(0).i32(2) // argcount, kwonly, posonly, stacksize
	w.bytes(1, 2, 3)              // code
	w.bytes(9)                    // srcOffsetTable
	w.i32(0x43)                   // flags
	w.strs("x").strs("a").strs().strs()
	w.ints() // cell2arg
	w.i32(nconsts)
	w.b = append(w.b, consts...)
	w.i32(1).i64(7)                    // primitive constants
	w.ints(0, 4, 8)                    // exception handler ranges
	w.i32(3)                           // condition profiles
	w.i32(1).i32(0).i32(2).i32(5)      // start/end line/column
	w.bytes(0, 1).bytes()              // outputCanQuicken, variableShouldUnbox
	w.i32(4).i32(1).ints(2, 3).i32(-1) // generalizeInputsMap: 4 rows, row 1 set
	w.i32(0).i32(-1)                   // generalizeVarsMap: empty
}

// graalCode wraps a serialized unit in a 'C' with FLAG_REF.
func graalCode(unit []byte) []byte {
	w := &wb{}
	w.u8('C' | 0x80).str("m.py").i32(0x43).bytes(unit...).i32(1).bytes()
	return w.b
}

func decodeGraal(t *testing.T, data []byte) *marshal.GraalCode {
	t.Helper()
	v, n, err := marshal.Unmarshal(data, marshal.Options{Layout: marshal.LayoutGraal})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(data) {
		t.Fatalf("read %d of %d bytes", n, len(data))
	}
	c, ok := v.(*marshal.GraalCode)
	if !ok {
		t.Fatalf("decoded %T", v)
	}
	out, err := marshal.Marshal(v, marshal.EncodeOptions{Version: 4})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out, data) {
		t.Fatalf("re-encoded bytes differ:\nhave % x\nwant % x", out, data)
	}
	return c
}

// TestGraalCode decodes a GraalPy 23.1-style code object (unit without a
// kind byte) with every GraalPy type code among its constants.
func TestGraalCode(t *testing.T) {
	k := &wb{}
	k.u8('u' | 0x80).str("hi") // inner ref 0
	k.u8('r').i32(0)           // the same string: references restart in the unit
	k.u8('U' | 0x80)           // inner ref 1: a nested unit
	inner := &wb{}
	inner.u8('N')
	graalUnitFields(k, 28, "g", 1, inner.b)
	k.u8(']'|0x80, 'i').ints(2, 4, 6)
	k.u8(']'|0x80, 'S').strs("a", "b")
	k.u8(']'|0x80, 'o').i32(2).u8('T', '0')
	k.u8('I').i64(1 << 40)
	k.u8('n')
	k.u8('B').i32(1).i16(0)                  // BigInteger zero
	k.u8('B').i32(-2).i16(1).i16(1)          // -(1 + 2**15)
	k.u8('u' | 0x80).i32(-1).i32(8).i32('a') // UTF-32 with a lone surrogate
	k.i32(0xd800)
	k.u8(']'|0x80, 'd').i32(1).i64(int64(math.Float64bits(1.5)))
	k.u8(']'|0x80, 'l').i32(1).i64(-1)
	k.u8(']'|0x80, 'b').bytes(1, 2)
	k.u8(']'|0x80, 'B').bytes(1, 0)
	k.u8(']'|0x80, 's').i32(1).i16(-2)
	unit := &wb{}
	graalUnitFields(unit, 28, "<module>", 16, k.b)

	c := decodeGraal(t, graalCode(unit.b))
	if c.Filename != "m.py" || c.Flags != 0x43 || c.FirstLineNo != 1 || len(c.LineTable) != 0 || c.UnitTagged || !c.Ref {
		t.Errorf("code fields: %+v", c)
	}
	u := c.Unit
	if u.Kind != marshal.GraalBytecodeUnit || u.BytecodeVersion != 28 || u.Name != "<module>" || u.ArgCount != 1 || u.StackSize != 2 {
		t.Errorf("unit fields: %+v", u)
	}
	if !bytes.Equal(u.Code, []byte{1, 2, 3}) || !reflect.DeepEqual(u.Names, []string{"x"}) || !reflect.DeepEqual(u.VarNames, []string{"a"}) {
		t.Errorf("unit code or names: %+v", u)
	}
	if !reflect.DeepEqual(u.PrimitiveConsts, []int64{7}) || !reflect.DeepEqual(u.ExceptionHandlerRanges, []int32{0, 4, 8}) || u.ConditionProfileCount != 3 {
		t.Errorf("unit tables: %+v", u)
	}
	if u.StartLine != 1 || u.EndLine != 2 || u.EndColumn != 5 {
		t.Errorf("unit position: %+v", u)
	}
	wantMap := marshal.GraalSparseTable{Len: 4, Rows: []marshal.GraalSparseRow{{Index: 1, Values: []int32{2, 3}}}}
	if !reflect.DeepEqual(u.GeneralizeInputsMap, wantMap) || u.GeneralizeVarsMap.Len != 0 || len(u.GeneralizeVarsMap.Rows) != 0 {
		t.Errorf("sparse tables: %+v %+v", u.GeneralizeInputsMap, u.GeneralizeVarsMap)
	}
	ks := u.Consts
	if len(ks) != 16 {
		t.Fatalf("%d constants", len(ks))
	}
	if s, ok := ks[0].(*marshal.Str); !ok || s.String() != "hi" || s.Type != 'u' || ks[1] != ks[0] {
		t.Errorf("string and its reference: %#v %#v", ks[0], ks[1])
	}
	if n, ok := ks[2].(*marshal.GraalCodeUnit); !ok || n.Name != "g" || !n.Ref || len(n.Consts) != 1 || n.Consts[0] != marshal.None {
		t.Errorf("nested unit: %#v", ks[2])
	}
	if a, ok := ks[3].(*marshal.GraalArray); !ok || a.Kind != 'i' || !reflect.DeepEqual(a.Ints, []int32{2, 4, 6}) {
		t.Errorf("int array: %#v", ks[3])
	}
	if a := ks[4].(*marshal.GraalArray); !reflect.DeepEqual(a.Strings, []string{"a", "b"}) {
		t.Errorf("string array: %#v", a)
	}
	if a := ks[5].(*marshal.GraalArray); len(a.Objects) != 2 || a.Objects[0] != marshal.True || a.Objects[1] != nil {
		t.Errorf("object array: %#v", a)
	}
	if x := ks[6].(*marshal.Int); x.Small != 1<<40 || x.Type != 'I' {
		t.Errorf("int64: %#v", x)
	}
	if ks[7] != marshal.GraalNoValue {
		t.Errorf("NO_VALUE: %#v", ks[7])
	}
	if x := ks[8].(*marshal.Int); x.Small != 0 || x.Type != 'B' {
		t.Errorf("BigInteger zero: %#v", x)
	}
	if x := ks[9].(*marshal.Int); x.Small != -(1+1<<15) || x.Type != 'B' {
		t.Errorf("BigInteger: %#v", x)
	}
	if s := ks[10].(*marshal.Str); string(s.Data) != "a\xed\xa0\x80" {
		t.Errorf("UTF-32 string: %q", s.Data)
	}
	if a := ks[11].(*marshal.GraalArray); !reflect.DeepEqual(a.Doubles, []float64{1.5}) {
		t.Errorf("double array: %#v", a)
	}
	if a := ks[12].(*marshal.GraalArray); !reflect.DeepEqual(a.Longs, []int64{-1}) {
		t.Errorf("long array: %#v", a)
	}
	if a := ks[13].(*marshal.GraalArray); a.Kind != 'b' || !bytes.Equal(a.Bytes, []byte{1, 2}) {
		t.Errorf("byte array: %#v", a)
	}
	if a := ks[14].(*marshal.GraalArray); a.Kind != 'B' || !bytes.Equal(a.Bytes, []byte{1, 0}) {
		t.Errorf("boolean array: %#v", a)
	}
	if a := ks[15].(*marshal.GraalArray); !reflect.DeepEqual(a.Shorts, []int16{-2}) {
		t.Errorf("short array: %#v", a)
	}
	if marshal.KindName(c) != "code" || c.String() != `<GraalPy code object <module>, file "m.py", line 1>` {
		t.Errorf("names: %s %s", marshal.KindName(c), c)
	}
}

// TestGraalCodeTagged decodes GraalPy 25.0's form, where the serialized unit
// starts with its kind: a bytecode unit and a Bytecode DSL unit.
func TestGraalCodeTagged(t *testing.T) {
	unit := &wb{}
	unit.u8('U')
	graalUnitFields(unit, 29, "<module>", 1, []byte{'N'})
	c := decodeGraal(t, graalCode(unit.b))
	if !c.UnitTagged || c.Unit.Kind != marshal.GraalBytecodeUnit || c.Unit.BytecodeVersion != 29 {
		t.Errorf("tagged unit: %+v", c.Unit)
	}

	dsl := &wb{}
	dsl.u8('D').bytes(0xaa, 0xbb).str("f").str("C.f")
	dsl.i32(2).i32(1).i32(0).i32(0x3) // argcount, kwonly, posonly, flags
	dsl.strs("n").strs("self", "x").strs().strs()
	dsl.ints(-1)
	dsl.i32(1).u8('T')
	dsl.i32(3).i32(4).i32(5).i32(6) // positions
	dsl.i32(7).i32(-1)              // classcellIndex, selfIndex
	c = decodeGraal(t, graalCode(dsl.b))
	u := c.Unit
	if u.Kind != marshal.GraalDSLUnit || !bytes.Equal(u.Serialized, []byte{0xaa, 0xbb}) || u.QualName != "C.f" ||
		u.ArgCount != 2 || u.KwOnlyArgCount != 1 || u.Flags != 3 || !reflect.DeepEqual(u.Cell2Arg, []int32{-1}) ||
		len(u.Consts) != 1 || u.StartLine != 3 || u.EndColumn != 6 || u.ClassCellIndex != 7 || u.SelfIndex != -1 {
		t.Errorf("DSL unit: %+v", u)
	}
}

// TestGraalEncodeNew encodes GraalPy values built by hand (no recorded
// encodings): strings with surrogates become UTF-32, and the result decodes
// back to the same values.
func TestGraalEncodeNew(t *testing.T) {
	c := &marshal.GraalCode{
		Filename: "f\xed\xb0\x80.py",
		Flags:    3,
		Unit: &marshal.GraalCodeUnit{
			Kind: marshal.GraalBytecodeUnit, BytecodeVersion: 29, Name: "m", QualName: "m",
			Code:   []byte{0},
			Names:  []string{"é"},
			Consts: []marshal.Value{&marshal.Str{Data: []byte("\xed\xa0\x80")}, &marshal.GraalArray{Kind: 'i', Ints: []int32{1}}, &marshal.Int{Encoding: marshal.Encoding{Type: 'B'}}},
		},
	}
	out, err := marshal.Marshal(c, marshal.EncodeOptions{Version: 4})
	if err != nil {
		t.Fatal(err)
	}
	// The filename is written as -1, 20, UTF-32LE.
	want := (&wb{}).u8('C').i32(-1).i32(20).i32('f').i32(0xdc00).i32('.').i32('p').i32('y').b
	if !bytes.HasPrefix(out, want) {
		t.Fatalf("have % x, want a prefix % x", out, want)
	}
	v, _, err := marshal.Unmarshal(out, marshal.Options{Layout: marshal.LayoutGraal})
	if err != nil {
		t.Fatal(err)
	}
	d := v.(*marshal.GraalCode)
	if d.Filename != c.Filename || d.Unit.Names[0] != "é" || string(d.Unit.Consts[0].(*marshal.Str).Data) != "\xed\xa0\x80" {
		t.Errorf("decoded back: %+v %+v", d, d.Unit)
	}
	if x := d.Unit.Consts[2].(*marshal.Int); x.Type != 'B' || x.Small != 0 {
		t.Errorf("BigInteger zero: %#v", x)
	}
}

func TestGraalErrors(t *testing.T) {
	opts := marshal.Options{Layout: marshal.LayoutGraal}
	unit := func(consts ...byte) []byte {
		w := &wb{}
		n := int32(0)
		if len(consts) > 0 {
			n = 1
		}
		graalUnitFields(w, 28, "m", n, consts)
		return w.b
	}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"UTF-32 without surrogates", (&wb{}).u8('u').i32(-1).i32(4).i32('a').b, marshal.ErrBadLength},
		{"UTF-8 with a surrogate", (&wb{}).u8('u').str("\xed\xa0\x80").b, marshal.ErrBadLength},
		{"UTF-32 of odd size", (&wb{}).u8('u').i32(-1).i32(3).u8(0, 0xd8, 0).b, marshal.ErrBadLength},
		{"string size -2", (&wb{}).u8('u').i32(-2).b, marshal.ErrBadLength},
		{"BigInteger without digits", (&wb{}).u8('B').i32(0).b, marshal.ErrBadLong},
		{"array of unknown kind", (&wb{}).u8(']', 'q').i32(0).b, marshal.ErrUnknownType},
		{"unit with bytes left over", graalCode(append(unit(), 0)), marshal.ErrBadCode},
		{"unit longer than its bytes", graalCode(unit()[:len(unit())-1]), marshal.ErrTruncated},
		{"reference to the outer stream", graalCode(unit('r', 0, 0, 0, 0)), marshal.ErrBadRef},
		{"CPython code object", []byte{'c'}, marshal.ErrBadCode},
	}
	for _, tc := range tests {
		_, _, err := marshal.Unmarshal(tc.data, opts)
		t.Logf("%s: %v", tc.name, err)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: error %v, want %v", tc.name, err, tc.want)
		}
	}
	// 'C' outside GraalPy streams and Python 1.0 is unknown.
	if _, _, err := marshal.Unmarshal(graalCode(unit()), marshal.Options{Layout: marshal.Layout311}); !errors.Is(err, marshal.ErrUnknownType) {
		t.Errorf("'C' in a 3.11 stream: %v", err)
	}
}

package marshal_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math"
	"math/big"
	"runtime"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/marshal"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Each case is a stream that CPython's marshal.dumps writes (checked by
// hand against marshal.c) and what it decodes to. Every case must also
// encode back to the same bytes.
func TestRoundTripTypeCodes(t *testing.T) {
	tests := []struct {
		name  string
		hex   string
		py2   bool
		check func(t *testing.T, v marshal.Value)
	}{
		{"None", "4e", false, func(t *testing.T, v marshal.Value) { want(t, v == marshal.None, "None") }},
		{"True", "54", false, func(t *testing.T, v marshal.Value) { want(t, v == marshal.True, "True") }},
		{"False", "46", false, func(t *testing.T, v marshal.Value) { want(t, v == marshal.False, "False") }},
		{"Ellipsis", "2e", false, func(t *testing.T, v marshal.Value) { want(t, v == marshal.Ellipsis, "Ellipsis") }},
		{"StopIteration", "53", false, func(t *testing.T, v marshal.Value) { want(t, v == marshal.StopIteration, "StopIteration") }},
		{"None with FLAG_REF", "ce", false, func(t *testing.T, v marshal.Value) {
			want(t, v.(marshal.Singleton).Kind() == marshal.None, "flagged None")
		}},
		{"int", "69 ff ff ff ff", false, func(t *testing.T, v marshal.Value) { want(t, v.(*marshal.Int).Small == -1, "-1") }},
		{"int ref", "e9 05 00 00 00", false, func(t *testing.T, v marshal.Value) {
			x := v.(*marshal.Int)
			want(t, x.Small == 5 && x.Ref, "5 ref")
		}},
		{"int64", "49 00 00 00 00 01 00 00 00", true, func(t *testing.T, v marshal.Value) { want(t, v.(*marshal.Int).Small == 1<<32, "2**32") }},
		{"long 2**31", "6c 03 00 00 00 00 00 00 00 02 00", false, func(t *testing.T, v marshal.Value) {
			want(t, v.(*marshal.Int).Small == 1<<31, "2**31")
		}},
		{"long -2**45", "6c fc ff ff ff 00 00 00 00 00 00 01 00", false, func(t *testing.T, v marshal.Value) {
			want(t, v.(*marshal.Int).Small == -(1<<45), "-2**45")
		}},
		{"long 2**75", "6c 06 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00", false, func(t *testing.T, v marshal.Value) {
			b := v.(*marshal.Int).BigInt()
			want(t, b.Cmp(new(big.Int).Lsh(big.NewInt(1), 75)) == 0, "2**75")
		}},
		{"long zero", "6c 00 00 00 00", false, func(t *testing.T, v marshal.Value) { want(t, v.(*marshal.Int).Small == 0, "0") }},
		{"binary float", "67 00 00 00 00 00 00 f8 3f", false, func(t *testing.T, v marshal.Value) { want(t, v.(*marshal.Float).Value == 1.5, "1.5") }},
		{"text float", "66 03 31 2e 35", true, func(t *testing.T, v marshal.Value) { want(t, v.(*marshal.Float).Value == 1.5, "1.5") }},
		{"text float inf", "66 03 69 6e 66", true, func(t *testing.T, v marshal.Value) { want(t, math.IsInf(v.(*marshal.Float).Value, 1), "inf") }},
		{"binary complex", "79 00 00 00 00 00 00 f0 3f 00 00 00 00 00 00 00 c0", false, func(t *testing.T, v marshal.Value) {
			c := v.(*marshal.Complex)
			want(t, c.Real == 1 && c.Imag == -2, "1-2j")
		}},
		{"text complex", "78 01 31 02 2d 32", true, func(t *testing.T, v marshal.Value) {
			c := v.(*marshal.Complex)
			want(t, c.Real == 1 && c.Imag == -2, "1-2j")
		}},
		{"bytes", "73 03 00 00 00 61 00 ff", false, func(t *testing.T, v marshal.Value) {
			want(t, bytes.Equal(v.(*marshal.Bytes).Data, []byte{'a', 0, 0xff}), "b'a\\x00\\xff'")
		}},
		{"unicode with surrogate", "75 03 00 00 00 ed a0 80", false, func(t *testing.T, v marshal.Value) {
			want(t, v.(*marshal.Str).Type == 'u', "u")
		}},
		{"short ascii interned", "da 02 68 69", false, func(t *testing.T, v marshal.Value) {
			s := v.(*marshal.Str)
			want(t, s.String() == "hi" && s.Interned() && s.Ref, "'hi'")
		}},
		{"ascii", "61 02 00 00 00 68 69", false, func(t *testing.T, v marshal.Value) { want(t, v.(*marshal.Str).String() == "hi", "'hi'") }},
		{"interned", "74 02 00 00 00 68 69", false, func(t *testing.T, v marshal.Value) { want(t, v.(*marshal.Str).Interned(), "interned") }},
		{"py2 str and stringref", "28 02 00 00 00 74 01 00 00 00 78 52 00 00 00 00", true, func(t *testing.T, v marshal.Value) {
			tu := v.(*marshal.Tuple)
			want(t, tu.Items[0] == tu.Items[1], "same object")
		}},
		{"py2 unicode", "75 02 00 00 00 c3 a9", true, func(t *testing.T, v marshal.Value) { want(t, v.(*marshal.Unicode).String() == "é", "u'é'") }},
		{"small tuple", "29 02 4e 54", false, func(t *testing.T, v marshal.Value) { want(t, len(v.(*marshal.Tuple).Items) == 2, "2 items") }},
		{"tuple", "28 00 00 00 00", false, func(t *testing.T, v marshal.Value) { want(t, len(v.(*marshal.Tuple).Items) == 0, "empty") }},
		{"list", "5b 01 00 00 00 4e", false, func(t *testing.T, v marshal.Value) { want(t, len(v.(*marshal.List).Items) == 1, "1 item") }},
		{"dict", "7b e9 01 00 00 00 72 00 00 00 00 30", false, func(t *testing.T, v marshal.Value) {
			d := v.(*marshal.Dict)
			want(t, len(d.Items) == 1 && d.Items[0].Key == d.Items[0].Value, "{1: 1} shared")
		}},
		{"set", "3c 01 00 00 00 4e", false, func(t *testing.T, v marshal.Value) { want(t, !v.(*marshal.Set).Frozen, "set") }},
		{"frozenset", "3e 00 00 00 00", false, func(t *testing.T, v marshal.Value) { want(t, v.(*marshal.Set).Frozen, "frozenset") }},
		{"slice", "3a 4e e9 02 00 00 00 72 00 00 00 00", false, func(t *testing.T, v marshal.Value) {
			s := v.(*marshal.Slice)
			want(t, s.Stop == s.Step, "shared stop/step")
		}},
		{"frozendict", "7d 4e 4e 30", false, func(t *testing.T, v marshal.Value) { want(t, marshal.KindName(v) == "frozendict", "frozendict") }},
		{"list containing itself", "db 01 00 00 00 72 00 00 00 00", false, func(t *testing.T, v marshal.Value) {
			l := v.(*marshal.List)
			want(t, l.Items[0] == marshal.Value(l), "self reference")
		}},
		{"tuple referenced while filled", "a9 02 e9 07 00 00 00 72 00 00 00 00", false, func(t *testing.T, v marshal.Value) {
			tu := v.(*marshal.Tuple)
			want(t, tu.Items[1] == marshal.Value(tu), "reference to the tuple being filled")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := unhex(t, tt.hex)
			v, n, err := marshal.Unmarshal(data, marshal.Options{Python2: tt.py2})
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if n != len(data) {
				t.Fatalf("decode used %d of %d bytes", n, len(data))
			}
			tt.check(t, v)
			out, err := marshal.Marshal(v, marshal.EncodeOptions{Version: 4, Python2: tt.py2})
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if !bytes.Equal(out, data) {
				t.Errorf("encode: have % x, want % x", out, data)
			}
		})
	}
}

func want(t *testing.T, ok bool, what string) {
	t.Helper()
	if !ok {
		t.Errorf("want %s", what)
	}
}

func TestDecodeErrors(t *testing.T) {
	deep := strings.Repeat("5b 01 00 00 00 ", 2100) + "4e"
	tests := []struct {
		name   string
		hex    string
		err    error
		offset int64
	}{
		{"empty", "", marshal.ErrTruncated, 0},
		{"truncated int", "69 01 02", marshal.ErrTruncated, 1},
		{"unknown type", "01", marshal.ErrUnknownType, 0},
		{"bad ref", "72 00 00 00 00", marshal.ErrBadRef, 0},
		{"negative ref", "28 01 00 00 00 72 ff ff ff ff", marshal.ErrBadRef, 5},
		{"huge tuple", "28 ff ff ff 7f", marshal.ErrTruncated, 0},
		{"negative size", "73 ff ff ff ff", marshal.ErrBadLength, 0},
		{"huge string", "73 00 00 00 10 41", marshal.ErrTruncated, 0},
		{"long digit out of range", "6c 01 00 00 00 00 80", marshal.ErrBadLong, 0},
		{"unnormalized long", "6c 02 00 00 00 01 00 00 00", marshal.ErrBadLong, 0},
		{"huge long", "6c ff ff ff 7f", marshal.ErrTruncated, 0},
		{"bad float text", "66 03 61 62 63", marshal.ErrBadFloat, 0},
		{"NULL in tuple", "28 01 00 00 00 30", marshal.ErrNull, 5},
		{"too deep", deep, marshal.ErrTooDeep, 2000 * 5},
		{"code without layout", "63", marshal.ErrBadCode, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := marshal.Unmarshal(unhex(t, tt.hex), marshal.Options{})
			if !errors.Is(err, tt.err) {
				t.Fatalf("have %v, want %v", err, tt.err)
			}
			var de *marshal.DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("have %T, want *marshal.DecodeError", err)
			}
			if de.Offset != tt.offset {
				t.Errorf("offset: have %d, want %d (%v)", de.Offset, tt.offset, err)
			}
		})
	}
}

func TestEncodeNewValues(t *testing.T) {
	big75 := new(big.Int).Lsh(big.NewInt(1), 75)
	tests := []struct {
		name    string
		v       marshal.Value
		version int
		py2     bool
		hex     string
	}{
		{"small int", &marshal.Int{Small: 7}, 4, false, "69 07 00 00 00"},
		{"int over 32 bits", &marshal.Int{Small: 1 << 31}, 4, false, "6c 03 00 00 00 00 00 00 00 02 00"},
		{"py2 int64", &marshal.Int{Small: 1 << 32}, 2, true, "49 00 00 00 00 01 00 00 00"},
		{"big long", &marshal.Int{Big: big75}, 4, false, "6c 06 00 00 00 00 00 00 00 00 00 00 00 00 00 01 00"},
		{"negative big", &marshal.Int{Big: new(big.Int).Neg(big75)}, 4, false, "6c fa ff ff ff 00 00 00 00 00 00 00 00 00 00 01 00"},
		{"float v2", &marshal.Float{Value: 1.5}, 2, false, "67 00 00 00 00 00 00 f8 3f"},
		{"float v1", &marshal.Float{Value: 1.5}, 1, true, "66 03 31 2e 35"},
		{"short ascii", &marshal.Str{Data: []byte("hi")}, 4, false, "7a 02 68 69"},
		{"non-ascii v4", &marshal.Str{Data: []byte("é")}, 4, false, "75 02 00 00 00 c3 a9"},
		{"str v2", &marshal.Str{Data: []byte("hi")}, 2, false, "75 02 00 00 00 68 69"},
		{"small tuple v4", &marshal.Tuple{Items: []marshal.Value{marshal.None}}, 4, false, "29 01 4e"},
		{"tuple v3", &marshal.Tuple{Items: []marshal.Value{marshal.None}}, 3, false, "28 01 00 00 00 4e"},
		{"dict", &marshal.Dict{Items: []marshal.DictItem{{marshal.None, marshal.True}}}, 4, false, "7b 4e 54 30"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := marshal.Marshal(tt.v, marshal.EncodeOptions{Version: tt.version, Python2: tt.py2})
			if err != nil {
				t.Fatal(err)
			}
			if w := unhex(t, tt.hex); !bytes.Equal(out, w) {
				t.Errorf("have % x, want % x", out, w)
			}
		})
	}
}

func TestSharedPointerWithRef(t *testing.T) {
	s := &marshal.Str{Encoding: marshal.Encoding{Type: 'Z', Ref: true}, Data: []byte("x")}
	tu := &marshal.Tuple{Items: []marshal.Value{s, s}}
	out, err := marshal.Marshal(tu, marshal.EncodeOptions{Version: 4})
	if err != nil {
		t.Fatal(err)
	}
	if w := unhex(t, "29 02 da 01 78 72 00 00 00 00"); !bytes.Equal(out, w) {
		t.Errorf("have % x, want % x", out, w)
	}
}

func TestFloatRepr(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0.1, "0.1"}, {1, "1.0"}, {math.Copysign(0, -1), "-0.0"}, {1e16, "1e+16"}, {1e15, "1000000000000000.0"},
		{1.5e-5, "1.5e-05"}, {0.0001, "0.0001"}, {1e300, "1e+300"}, {math.Inf(-1), "-inf"},
		{123456789.125, "123456789.125"}, {2.5e-310, "2.5e-310"},
	}
	for _, tt := range tests {
		if have := marshal.FloatRepr(tt.f); have != tt.want {
			t.Errorf("FloatRepr(%v): have %s, want %s", tt.f, have, tt.want)
		}
	}
}

// A back-reference to an object still being read makes it contain itself.
// CPython's marshal accepts that for tuples, lists, dicts and sets, which it
// registers before reading their items, and rejects it ("bad marshal data
// (invalid reference)") for code objects, non-empty frozensets and slices,
// whose index it only reserves until they are complete: so does the decoder,
// which keeps code objects from holding themselves (a listing of such a
// code object would never end).
func TestSelfReference(t *testing.T) {
	tu, _, err := marshal.Unmarshal(unhex(t, "a8 01 00 00 00 72 00 00 00 00"), marshal.Options{})
	if err != nil {
		t.Fatalf("a tuple holding itself: %v", err)
	}
	if x := tu.(*marshal.Tuple); x.Items[0] != marshal.Value(x) {
		t.Errorf("the tuple's item is not the tuple")
	}
	if _, _, err := marshal.Unmarshal(unhex(t, "be 01 00 00 00 72 00 00 00 00"), marshal.Options{}); !errors.Is(err, marshal.ErrBadRef) {
		t.Errorf("a frozenset holding itself: have %v, want %v", err, marshal.ErrBadRef)
	}
	if _, _, err := marshal.Unmarshal(unhex(t, "bc 01 00 00 00 72 00 00 00 00"), marshal.Options{}); err != nil {
		t.Errorf("a set holding itself: %v", err)
	}
	// A code object whose co_names holds the code object: the encoder
	// writes it (with a back-reference), the decoder must refuse it, at the
	// reference.
	str := func(s string) *marshal.Str {
		return &marshal.Str{Encoding: marshal.Encoding{Type: 'z'}, Data: []byte(s)}
	}
	empty := &marshal.Tuple{}
	c := &marshal.Code{Encoding: marshal.Encoding{Type: 'c', Ref: true}, Layout: marshal.Layout311,
		Code: &marshal.Bytes{Data: []byte{0x97, 0, 0x79, 0}}, Consts: empty, LocalsPlusNames: empty,
		LocalsPlusKinds: &marshal.Bytes{}, Filename: str("f"), Name: str("m"), QualName: str("m"),
		LineTable: &marshal.Bytes{}, ExceptionTable: &marshal.Bytes{}}
	c.Names = &marshal.Tuple{Items: []marshal.Value{c}}
	data, err := marshal.Marshal(c, marshal.EncodeOptions{Version: 4})
	if err != nil {
		t.Fatal(err)
	}
	at := int64(bytes.Index(data, []byte{'r', 0, 0, 0, 0}))
	_, _, err = marshal.Unmarshal(data, marshal.Options{Layout: marshal.Layout311})
	var de *marshal.DecodeError
	if !errors.Is(err, marshal.ErrBadRef) || !errors.As(err, &de) || de.Offset != at {
		t.Fatalf("a code object holding itself: have %v, want %v at offset %d", err, marshal.ErrBadRef, at)
	}
	// The same code object referred to once it is complete is fine.
	c2 := *c
	c2.Names = empty
	outer := &marshal.Tuple{Items: []marshal.Value{&c2, &c2}}
	data, err = marshal.Marshal(outer, marshal.EncodeOptions{Version: 4})
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := marshal.Unmarshal(data, marshal.Options{Layout: marshal.Layout311})
	if err != nil {
		t.Fatalf("a code object referred to twice: %v", err)
	}
	if x := v.(*marshal.Tuple); x.Items[0] != x.Items[1] || x.Items[0].(*marshal.Code).Offset != 2 {
		t.Errorf("have items %p %p at offset %d, want one code object at offset 2 (after the small tuple's type and count)", x.Items[0], x.Items[1], x.Items[0].(*marshal.Code).Offset)
	}
}

// Type codes that came after the stream's marshal version are unknown to
// its reader, and Python 2 readers know none of version 3 and 4.
func TestTypeCodesByVersion(t *testing.T) {
	tests := []struct {
		hex   string
		opts  marshal.Options
		known bool
	}{
		{"5a 00", marshal.Options{Python2: true}, false},
		{"29 00", marshal.Options{Layout: marshal.Layout23}, false},
		{"5a 00", marshal.Options{}, true},
		{"5a 00", marshal.Options{CheckVersion: true, Version: 4}, true},
		{"5a 00", marshal.Options{CheckVersion: true, Version: 2}, false},
		{"29 00", marshal.Options{CheckVersion: true, Version: 3}, false},
		{"e9 01 00 00 00", marshal.Options{CheckVersion: true, Version: 3}, true},
		{"e9 01 00 00 00", marshal.Options{CheckVersion: true, Version: 2}, false},
		{"67 00 00 00 00 00 00 f8 3f", marshal.Options{CheckVersion: true, Version: 2}, true},
		{"67 00 00 00 00 00 00 f8 3f", marshal.Options{CheckVersion: true, Version: 1}, false},
		{"74 00 00 00 00", marshal.Options{CheckVersion: true, Version: 0}, false},
		{"3a 4e 4e 4e", marshal.Options{CheckVersion: true, Version: 4}, false},
		{"3a 4e 4e 4e", marshal.Options{CheckVersion: true, Version: 5}, true},
	}
	for _, tt := range tests {
		_, _, err := marshal.Unmarshal(unhex(t, tt.hex), tt.opts)
		if tt.known && err != nil || !tt.known && !errors.Is(err, marshal.ErrUnknownType) {
			t.Errorf("%s with %+v: have %v, want known %v", tt.hex, tt.opts, err, tt.known)
		}
	}
}

// co_code and the tables must be bytes (str in Python 2), as CPython's
// PyCode_New requires: a code object with Ellipsis for co_code or a complex
// for co_lnotab is refused, at the field.
func TestCodeFieldKinds(t *testing.T) {
	str := func(s string) *marshal.Str {
		return &marshal.Str{Encoding: marshal.Encoding{Type: 's'}, Data: []byte(s)}
	}
	empty := &marshal.Tuple{Encoding: marshal.Encoding{Type: '('}}
	mk := func() *marshal.Code {
		return &marshal.Code{Encoding: marshal.Encoding{Type: 'c'}, Layout: marshal.Layout23,
			Code: str("d\x00\x00S"), Consts: empty, Names: empty, VarNames: empty, FreeVars: empty, CellVars: empty,
			Filename: str("f"), Name: str("m"), LineTable: str("")}
	}
	opts := marshal.Options{Layout: marshal.Layout23}
	good, err := marshal.Marshal(mk(), marshal.EncodeOptions{Version: 2, Python2: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := marshal.Unmarshal(good, opts); err != nil {
		t.Fatalf("a good code object: %v", err)
	}
	for _, tt := range []struct {
		field string
		set   func(c *marshal.Code)
	}{
		{"co_code", func(c *marshal.Code) { c.Code = marshal.Ellipsis }},
		{"co_lnotab", func(c *marshal.Code) { c.LineTable = &marshal.Complex{Encoding: marshal.Encoding{Type: 'y'}} }},
	} {
		c := mk()
		tt.set(c)
		data, err := marshal.Marshal(c, marshal.EncodeOptions{Version: 2, Python2: true})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = marshal.Unmarshal(data, opts)
		var de *marshal.DecodeError
		if !errors.Is(err, marshal.ErrBadCode) || !errors.As(err, &de) || de.Field != tt.field {
			t.Errorf("%s of another kind: have %v, want %v in %s", tt.field, err, marshal.ErrBadCode, tt.field)
		}
	}
}

// 3.11+ code objects have one kind byte per locals-plus name (CPython's
// _PyCode_Validate checks it).
func TestLocalsPlusKindsLength(t *testing.T) {
	str := func(s string) *marshal.Str {
		return &marshal.Str{Encoding: marshal.Encoding{Type: 'z'}, Data: []byte(s)}
	}
	empty := &marshal.Tuple{}
	for _, tt := range []struct {
		names []marshal.Value
		kinds []byte
		ok    bool
	}{
		{nil, nil, true},
		{[]marshal.Value{str("x")}, []byte{0x20}, true},
		{nil, []byte{0x20}, false},
		{[]marshal.Value{str("x"), str("y")}, []byte{0x20}, false},
	} {
		c := &marshal.Code{Encoding: marshal.Encoding{Type: 'c'}, Layout: marshal.Layout311,
			Code: &marshal.Bytes{Data: []byte{0x97, 0, 0x79, 0}}, Consts: empty, Names: empty,
			LocalsPlusNames: &marshal.Tuple{Items: tt.names}, LocalsPlusKinds: &marshal.Bytes{Data: tt.kinds},
			Filename: str("f"), Name: str("m"), QualName: str("m"),
			LineTable: &marshal.Bytes{}, ExceptionTable: &marshal.Bytes{}}
		data, err := marshal.Marshal(c, marshal.EncodeOptions{Version: 4})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = marshal.Unmarshal(data, marshal.Options{Layout: marshal.Layout311})
		if tt.ok && err != nil || !tt.ok && !errors.Is(err, marshal.ErrBadCode) {
			t.Errorf("%d names, %d kinds: have %v, want ok %v", len(tt.names), len(tt.kinds), err, tt.ok)
		}
	}
}

// Containers nested 1990 deep, each claiming nearly all the bytes left as
// its item count, must not make the decoder allocate for all those claims
// (gigabytes for a stream of 30 KB).
func TestNestedClaimsAllocation(t *testing.T) {
	const levels, pad = 1990, 20000
	var data []byte
	for i := range levels {
		left := (levels-i-1)*5 + pad
		data = append(data, '(', byte(left), byte(left>>8), byte(left>>16), byte(left>>24))
	}
	data = append(data, bytes.Repeat([]byte{'N'}, pad)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := marshal.Unmarshal(data, marshal.Options{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, marshal.ErrTruncated) {
		t.Errorf("have %v, want %v", err, marshal.ErrTruncated)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
		t.Errorf("decoding %d bytes allocated %d MB", len(data), n>>20)
	}
}

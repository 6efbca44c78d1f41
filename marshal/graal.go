package marshal

import (
	"encoding/binary"
	"math"
	"strconv"
	"unicode/utf8"
)

// GraalPy's marshal format (LayoutGraal).
//
// Source: MarshalModuleBuiltins.java of oracle/graalpython, read at the
// release tags graal-23.0.0 to graal-25.0.4 (and graal-22.3.3, whose writer
// of code units is the same). GraalPy's marshal is CPython's with these
// differences:
//
//   - 'u' and 't' strings (and every string field below) are a 32-bit byte
//     length and UTF-8; a string with surrogates is written instead as -1,
//     a 32-bit byte length and UTF-32LE.
//   - 'n' is PNone.NO_VALUE (GraalNoValue).
//   - 'B' is a Java BigInteger: a 32-bit signed digit count and 15-bit
//     digits as for 'l', zero being one zero digit. It never carries
//     FLAG_REF.
//   - ']' is a Java array: a kind byte ('o' objects, 'i' int32, 'l' int64,
//     'd' float64, 'b' bytes, 'B' booleans, 's' int16, 'S' strings), a 32-bit
//     count and the elements (GraalArray).
//   - 'C' is a code object (GraalCode): filename (string), flags (int32),
//     a 32-bit length and that many bytes holding the serialized code unit,
//     firstlineno (int32), a 32-bit length and the line table bytes.
//   - 'U' is a code unit of GraalPy's bytecode interpreter and 'D' one of
//     its Bytecode DSL interpreter (GraalCodeUnit); they appear as
//     constants of other code units.
//
// The serialized code unit inside a 'C' is a separate marshal stream, with
// back-references of its own. GraalPy 23.0 to 24.2 write it without a type
// byte, starting with the bytecode version; 25.0 starts it with 'U' (or 'D'
// when its Bytecode DSL interpreter is enabled).
//
// GraalPy's Java strings may hold lone surrogates. Strings decode to the
// "generalized UTF-8" CPython uses for them (surrogates as three-byte
// sequences, like a *Str of a CPython stream); a string that is not valid
// UTF-8 is written as UTF-32, as GraalPy does. The decoder rejects the
// forms GraalPy never writes (UTF-32 without surrogates, UTF-8 with them),
// so that every decoded stream encodes back to the same bytes.

// GraalNoValue is GraalPy's NO_VALUE marker ('n'), found only in GraalPy
// streams.
const GraalNoValue Singleton = 'n'

// GraalCode is a GraalPy code object: type 'C' in a stream of LayoutGraal.
type GraalCode struct {
	Encoding
	// Filename is co_filename.
	Filename string
	// Flags is co_flags.
	Flags int32
	// Unit is the code unit that the code object serializes (its bytecode,
	// names, constants and nested code units).
	Unit *GraalCodeUnit
	// UnitTagged reports that the serialized unit starts with its kind
	// byte ('U' or 'D'), as GraalPy 25.0 writes it; 23.0 to 24.2 start it
	// with the bytecode version.
	UnitTagged bool
	// FirstLineNo is co_firstlineno.
	FirstLineNo int32
	// LineTable is the code object's line table (often empty: the unit's
	// SrcOffsetTable maps bytecode to source).
	LineTable []byte
}

func (*GraalCode) isValue() {}

// String describes the code object as Python's repr of a code object does.
func (c *GraalCode) String() string {
	name := "?"
	if c.Unit != nil {
		name = c.Unit.Name
	}
	return "<GraalPy code object " + name + ", file " + strconv.Quote(c.Filename) + ", line " + strconv.Itoa(int(c.FirstLineNo)) + ">"
}

// The kinds of GraalPy code unit.
const (
	// GraalBytecodeUnit is a unit of GraalPy's bytecode interpreter
	// (BytecodeCodeUnit; 'U').
	GraalBytecodeUnit = 'U'
	// GraalDSLUnit is a unit of GraalPy's Bytecode DSL interpreter
	// (BytecodeDSLCodeUnit; 'D', GraalPy 25.0 on).
	GraalDSLUnit = 'D'
)

// GraalCodeUnit is a GraalPy code unit: the body of a GraalCode, or a
// constant of another unit (type 'U' or 'D'). Fields are in stream order;
// those marked "bytecode" exist only in GraalBytecodeUnit units, those marked
// "DSL" only in GraalDSLUnit units.
type GraalCodeUnit struct {
	// Encoding is the type code and FLAG_REF of a unit that is an object
	// of the stream (a constant); it is unused for the unit of a GraalCode.
	Encoding
	// Kind is GraalBytecodeUnit or GraalDSLUnit.
	Kind byte

	// BytecodeVersion is the bytecode format version (bytecode; the magic
	// number is 21000 + 10 * BytecodeVersion).
	BytecodeVersion byte
	// Serialized is the Truffle Bytecode DSL serialization of the unit's
	// nodes (DSL), kept as it is.
	Serialized []byte

	Name     string
	QualName string

	ArgCount        int32
	KwOnlyArgCount  int32
	PosOnlyArgCount int32
	// StackSize is co_stacksize (bytecode).
	StackSize int32
	// Code is GraalPy's bytecode (bytecode).
	Code []byte
	// SrcOffsetTable maps bytecode offsets to source offsets (bytecode).
	SrcOffsetTable []byte
	Flags          int32

	Names, VarNames, CellVars, FreeVars []string
	// Cell2Arg maps cells to arguments; empty when there is no map.
	Cell2Arg []int32
	// Consts is the constants array: any values, including nested code
	// units and Java arrays (and nil, for a NULL).
	Consts []Value

	// PrimitiveConsts are the unboxed int64 constants (bytecode).
	PrimitiveConsts []int64
	// ExceptionHandlerRanges is the exception table (bytecode).
	ExceptionHandlerRanges []int32
	// ConditionProfileCount is the number of branch profiles (bytecode).
	ConditionProfileCount int32

	StartLine, StartColumn, EndLine, EndColumn int32

	// OutputCanQuicken and VariableShouldUnbox are quickening data
	// (bytecode).
	OutputCanQuicken, VariableShouldUnbox []byte
	// GeneralizeInputsMap and GeneralizeVarsMap are quickening data
	// (bytecode).
	GeneralizeInputsMap, GeneralizeVarsMap GraalSparseTable

	// ClassCellIndex and SelfIndex are frame slots (DSL).
	ClassCellIndex, SelfIndex int32
}

func (*GraalCodeUnit) isValue() {}

// GraalSparseTable is a GraalPy int[][] of which only the non-empty rows
// are written: the row count, then each such row's index and ints, then -1.
type GraalSparseTable struct {
	// Len is the number of rows of the table.
	Len int32
	// Rows are the rows written, in stream order.
	Rows []GraalSparseRow
}

// GraalSparseRow is one written row of a GraalSparseTable.
type GraalSparseRow struct {
	Index  int32
	Values []int32
}

// GraalArray is a Java array in a GraalPy stream (type ']'). Kind says
// which field holds the elements:
//
//	'o' Objects    'i' Ints     'l' Longs    'd' Doubles
//	'b' Bytes      'B' Bytes (booleans, one byte each as written)
//	's' Shorts     'S' Strings
type GraalArray struct {
	Encoding
	Kind    byte
	Objects []Value
	Ints    []int32
	Longs   []int64
	Doubles []float64
	Bytes   []byte
	Shorts  []int16
	Strings []string
}

func (*GraalArray) isValue() {}

// graalBody decodes the type codes whose meaning GraalPy's marshal changes
// or adds; ok is false for the others, which are CPython's.
func (d *decoder) graalBody(start int, code byte, enc Encoding) (v Value, ok bool) {
	switch enc.Type {
	case 'n':
		return Singleton(code), true
	case 'u', 't':
		b := d.graalString(code)
		if d.err != nil {
			return nil, true
		}
		s := d.newStr()
		s.Encoding, s.Data = enc, b
		d.ref(s, enc.Ref)
		return s, true
	case 'B':
		x := d.graalBigInt(code, start)
		if x == nil {
			return nil, true
		}
		x.Encoding = enc
		d.ref(x, enc.Ref)
		return x, true
	case ']':
		a := &GraalArray{Encoding: enc}
		d.ref(a, enc.Ref)
		d.graalArray(a, code, start)
		if d.err != nil {
			return nil, true
		}
		return a, true
	case 'U', 'D':
		u := &GraalCodeUnit{Encoding: enc, Kind: enc.Type}
		d.ref(u, enc.Ref)
		d.graalUnit(u)
		if d.err != nil {
			return nil, true
		}
		return u, true
	case 'C':
		c := &GraalCode{Encoding: enc}
		d.ref(c, enc.Ref)
		d.graalCode(c, code)
		if d.err != nil {
			return nil, true
		}
		return c, true
	}
	return nil, false
}

// graalString reads a GraalPy string and returns it as generalized UTF-8.
func (d *decoder) graalString(code byte) []byte {
	start := d.pos
	n := d.int32(code)
	if d.err != nil {
		return nil
	}
	if n >= 0 {
		d.pos = start
		b := d.bytes(d.size(code, start, 1), code)
		if d.err == nil && !utf8.Valid(b) {
			d.fail(start, code, ErrBadLength, "GraalPy string: not valid UTF-8, and not marked as UTF-32")
			return nil
		}
		return b
	}
	if n != -1 {
		d.fail(start, code, ErrBadLength, "GraalPy string: negative size "+strconv.Itoa(int(n)))
		return nil
	}
	raw := d.bytes(d.size(code, start, 1), code)
	if d.err != nil {
		return nil
	}
	if len(raw)%4 != 0 {
		d.fail(start, code, ErrBadLength, "GraalPy UTF-32 string of "+strconv.Itoa(len(raw))+" bytes")
		return nil
	}
	out := make([]byte, 0, len(raw))
	surrogate := false
	for i := 0; i < len(raw); i += 4 {
		r := binary.LittleEndian.Uint32(raw[i:])
		switch {
		case r >= 0xd800 && r <= 0xdfff:
			surrogate = true
			out = append(out, 0xe0|byte(r>>12), 0x80|byte(r>>6)&0x3f, 0x80|byte(r)&0x3f)
		case r <= utf8.MaxRune:
			out = utf8.AppendRune(out, rune(r))
		default:
			d.fail(start, code, ErrBadLength, "GraalPy UTF-32 string: code point out of range")
			return nil
		}
	}
	if !surrogate {
		d.fail(start, code, ErrBadLength, "GraalPy UTF-32 string without surrogates (GraalPy writes it as UTF-8)")
		return nil
	}
	return out
}

// graalText reads a GraalPy string field as a Go string.
func (d *decoder) graalText(code byte) string { return string(d.graalString(code)) }

// graalBigInt reads the body of a 'B' (Java BigInteger): as 'l', except that
// zero is one zero digit.
func (d *decoder) graalBigInt(code byte, start int) *Int {
	at := d.pos
	n := d.int32(code)
	if d.err != nil {
		return nil
	}
	if n == 1 && d.need(2, code) && d.data[d.pos] == 0 && d.data[d.pos+1] == 0 {
		d.pos += 2
		return &Int{}
	}
	if n == 0 {
		d.fail(start, code, ErrBadLong, "GraalPy big integer without digits")
		return nil
	}
	d.pos = at
	return d.long(code, start)
}

// count reads a 32-bit element count whose elements take at least unit
// bytes each.
func (d *decoder) count(code byte, unit int) int { return d.size(code, d.pos, unit) }

func (d *decoder) graalInts(code byte) []int32 {
	n := d.count(code, 4)
	b := d.bytes(4*n, code)
	if d.err != nil || n == 0 {
		return nil
	}
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func (d *decoder) graalLongs(code byte) []int64 {
	n := d.count(code, 8)
	b := d.bytes(8*n, code)
	if d.err != nil || n == 0 {
		return nil
	}
	out := make([]int64, n)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return out
}

func (d *decoder) graalBytes(code byte) []byte {
	return d.bytes(d.count(code, 1), code)
}

func (d *decoder) graalStrings(code byte) []string {
	n := d.count(code, 4)
	if d.err != nil || n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.graalText(code)
		if d.err != nil {
			return nil
		}
	}
	return out
}

// graalObjects reads an object array; NULL items are nil.
func (d *decoder) graalObjects(code byte) []Value {
	n := d.count(code, 1)
	if d.err != nil || n == 0 {
		return nil
	}
	out := make([]Value, 0, min(n, maxPrealloc))
	for range n {
		v := d.object()
		if d.err != nil {
			return nil
		}
		out = append(out, v)
	}
	return out
}

func (d *decoder) graalSparse(code byte) GraalSparseTable {
	t := GraalSparseTable{Len: d.int32(code)}
	for d.err == nil {
		i := d.int32(code)
		if i == -1 || d.err != nil {
			break
		}
		t.Rows = append(t.Rows, GraalSparseRow{Index: i, Values: d.graalInts(code)})
	}
	return t
}

func (d *decoder) graalArray(a *GraalArray, code byte, start int) {
	a.Kind = d.byte1(code)
	switch a.Kind {
	case 'o':
		a.Objects = d.graalObjects(code)
	case 'i':
		a.Ints = d.graalInts(code)
	case 'l':
		a.Longs = d.graalLongs(code)
	case 'd':
		for _, x := range d.graalLongs(code) {
			a.Doubles = append(a.Doubles, math.Float64frombits(uint64(x)))
		}
	case 'b', 'B':
		a.Bytes = d.graalBytes(code)
	case 's':
		n := d.count(code, 2)
		b := d.bytes(2*n, code)
		for i := 0; i < n && d.err == nil; i++ {
			a.Shorts = append(a.Shorts, int16(binary.LittleEndian.Uint16(b[2*i:])))
		}
	case 'S':
		a.Strings = d.graalStrings(code)
	default:
		if d.err == nil {
			d.fail(start, code, ErrUnknownType, "GraalPy array of kind "+typeName(a.Kind))
		}
	}
}

// graalCode reads the fields of a 'C' and the code unit it serializes.
func (d *decoder) graalCode(c *GraalCode, code byte) {
	saved := d.field
	defer func() { d.field = saved }()
	d.field = "co_filename"
	c.Filename = d.graalText(code)
	d.field = "co_flags"
	c.Flags = d.int32(code)
	d.field = "code unit"
	at := d.pos
	n := d.size(code, at, 1)
	if !d.need(n, code) {
		return
	}
	end := d.pos + n
	// The unit is a marshal stream of its own: references restart, and it
	// must fill its bytes exactly.
	data, refs := d.data, d.refs
	d.data, d.refs = d.data[:end], nil
	u := &GraalCodeUnit{Kind: GraalBytecodeUnit}
	if n > 0 && (d.data[d.pos] == GraalBytecodeUnit || d.data[d.pos] == GraalDSLUnit) {
		c.UnitTagged = true
		u.Kind = d.data[d.pos]
		d.pos++
	}
	d.graalUnit(u)
	if d.err == nil && d.pos != end {
		d.fail(d.pos, code, ErrBadCode, strconv.Itoa(end-d.pos)+" bytes left over after the code unit")
	}
	d.data, d.refs = data, refs
	if d.err != nil {
		return
	}
	c.Unit = u
	d.field = "co_firstlineno"
	c.FirstLineNo = d.int32(code)
	d.field = "co_linetable"
	c.LineTable = d.graalBytes(code)
}

// graalUnit reads the fields of a code unit of kind u.Kind.
func (d *decoder) graalUnit(u *GraalCodeUnit) {
	saved := d.field
	defer func() { d.field = saved }()
	code := u.Kind
	i32 := func(name string) int32 {
		d.field = name
		return d.int32(code)
	}
	dsl := u.Kind == GraalDSLUnit
	if dsl {
		d.field = "serialized"
		u.Serialized = d.graalBytes(code)
	} else {
		d.field = "bytecode version"
		u.BytecodeVersion = d.byte1(code)
	}
	d.field = "co_name"
	u.Name = d.graalText(code)
	d.field = "co_qualname"
	u.QualName = d.graalText(code)
	u.ArgCount = i32("co_argcount")
	u.KwOnlyArgCount = i32("co_kwonlyargcount")
	u.PosOnlyArgCount = i32("co_posonlyargcount")
	if !dsl {
		u.StackSize = i32("co_stacksize")
		d.field = "co_code"
		u.Code = d.graalBytes(code)
		d.field = "srcOffsetTable"
		u.SrcOffsetTable = d.graalBytes(code)
	}
	u.Flags = i32("co_flags")
	d.field = "co_names"
	u.Names = d.graalStrings(code)
	d.field = "co_varnames"
	u.VarNames = d.graalStrings(code)
	d.field = "co_cellvars"
	u.CellVars = d.graalStrings(code)
	d.field = "co_freevars"
	u.FreeVars = d.graalStrings(code)
	d.field = "cell2arg"
	u.Cell2Arg = d.graalInts(code)
	d.field = "co_consts"
	u.Consts = d.graalObjects(code)
	if d.err != nil {
		return
	}
	if !dsl {
		d.field = "primitiveConstants"
		u.PrimitiveConsts = d.graalLongs(code)
		d.field = "exceptionHandlerRanges"
		u.ExceptionHandlerRanges = d.graalInts(code)
		u.ConditionProfileCount = i32("conditionProfileCount")
	}
	u.StartLine = i32("startLine")
	u.StartColumn = i32("startColumn")
	u.EndLine = i32("endLine")
	u.EndColumn = i32("endColumn")
	if dsl {
		u.ClassCellIndex = i32("classcellIndex")
		u.SelfIndex = i32("selfIndex")
		return
	}
	d.field = "outputCanQuicken"
	u.OutputCanQuicken = d.graalBytes(code)
	d.field = "variableShouldUnbox"
	u.VariableShouldUnbox = d.graalBytes(code)
	d.field = "generalizeInputsMap"
	u.GeneralizeInputsMap = d.graalSparse(code)
	d.field = "generalizeVarsMap"
	u.GeneralizeVarsMap = d.graalSparse(code)
}

// Encoding.

// graalUnitObject writes a code unit that is an object of the stream (a
// constant of another unit).
func (e *encoder) graalUnitObject(x *GraalCodeUnit) {
	typ := x.Kind
	if typ == 0 {
		typ = GraalBytecodeUnit
	}
	if typ != GraalBytecodeUnit && typ != GraalDSLUnit {
		e.fail(ErrUnencodable, "GraalPy code unit of kind "+typeName(typ))
		return
	}
	if e.head(x, &x.Encoding, typ) {
		e.graalUnit(x, typ)
	}
}

// graalString writes a GraalPy string: UTF-8, or UTF-32LE after -1 when
// the text holds surrogates.
func (e *encoder) graalString(data []byte) {
	if utf8.Valid(data) {
		e.size(len(data))
		e.buf = append(e.buf, data...)
		return
	}
	e.i32(-1)
	at := len(e.buf)
	e.i32(0)
	for i := 0; i < len(data); {
		r, n := decodeWTF8(data[i:])
		if n == 0 {
			e.fail(ErrUnencodable, "GraalPy string: neither UTF-8 nor UTF-8 with surrogates")
			return
		}
		e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(r))
		i += n
	}
	binary.LittleEndian.PutUint32(e.buf[at:], uint32(len(e.buf)-at-4))
}

// decodeWTF8 decodes one code point of generalized UTF-8 (surrogates
// allowed as three-byte sequences); n is 0 for an invalid sequence.
func decodeWTF8(b []byte) (r rune, n int) {
	if len(b) >= 3 && b[0] == 0xed && b[1]&0xe0 == 0xa0 && b[2]&0xc0 == 0x80 {
		return rune(b[0]&0x0f)<<12 | rune(b[1]&0x3f)<<6 | rune(b[2]&0x3f), 3
	}
	r, n = utf8.DecodeRune(b)
	if r == utf8.RuneError && n <= 1 {
		return 0, 0
	}
	return r, n
}

func (e *encoder) graalBigInt(x *Int) {
	if x.Big == nil && x.Small == 0 {
		e.i32(1)
		e.buf = append(e.buf, 0, 0)
		return
	}
	e.long(x)
}

func (e *encoder) graalInts(v []int32) {
	e.size(len(v))
	for _, x := range v {
		e.i32(x)
	}
}

func (e *encoder) graalLongs(v []int64) {
	e.size(len(v))
	for _, x := range v {
		e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(x))
	}
}

func (e *encoder) graalBytes(b []byte) {
	e.size(len(b))
	e.buf = append(e.buf, b...)
}

func (e *encoder) graalStrings(v []string) {
	e.size(len(v))
	for _, s := range v {
		e.graalString([]byte(s))
	}
}

func (e *encoder) graalObjects(v []Value) {
	e.size(len(v))
	for _, x := range v {
		if x == nil {
			e.b('0')
			continue
		}
		e.value(x)
	}
}

func (e *encoder) graalSparse(t GraalSparseTable) {
	e.i32(t.Len)
	for _, r := range t.Rows {
		e.i32(r.Index)
		e.graalInts(r.Values)
	}
	e.i32(-1)
}

func (e *encoder) graalArray(a *GraalArray) {
	e.b(a.Kind)
	switch a.Kind {
	case 'o':
		e.graalObjects(a.Objects)
	case 'i':
		e.graalInts(a.Ints)
	case 'l':
		e.graalLongs(a.Longs)
	case 'd':
		e.size(len(a.Doubles))
		for _, f := range a.Doubles {
			e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(f))
		}
	case 'b', 'B':
		e.graalBytes(a.Bytes)
	case 's':
		e.size(len(a.Shorts))
		for _, s := range a.Shorts {
			e.buf = binary.LittleEndian.AppendUint16(e.buf, uint16(s))
		}
	case 'S':
		e.graalStrings(a.Strings)
	default:
		e.fail(ErrUnencodable, "GraalPy array of kind "+typeName(a.Kind))
	}
}

func (e *encoder) graalCode(c *GraalCode) {
	if !e.head(c, &c.Encoding, 'C') {
		return
	}
	if c.Unit == nil {
		e.fail(ErrBadCode, "GraalPy code object without a code unit")
		return
	}
	e.graalString([]byte(c.Filename))
	e.i32(c.Flags)
	// The unit is a stream of its own, with references of its own.
	sub := encoder{buf: e.buf, opts: e.opts, depth: e.depth, path: e.path, graal: true}
	at := len(sub.buf)
	sub.i32(0)
	kind := c.Unit.Kind
	if kind == 0 {
		kind = GraalBytecodeUnit
	}
	if kind != GraalBytecodeUnit && kind != GraalDSLUnit {
		e.fail(ErrUnencodable, "GraalPy code unit of kind "+typeName(kind))
		return
	}
	if c.UnitTagged {
		sub.b(kind)
	} else if kind != GraalBytecodeUnit {
		e.fail(ErrBadCode, "GraalPy Bytecode DSL unit without its kind byte")
		return
	}
	sub.graalUnit(c.Unit, kind)
	e.buf = sub.buf
	if sub.err != nil {
		if e.err == nil {
			e.err = sub.err
		}
		return
	}
	n := len(e.buf) - at - 4
	if n > math.MaxInt32 {
		e.fail(ErrUnencodable, "GraalPy code unit over 2**31-1 bytes")
		return
	}
	binary.LittleEndian.PutUint32(e.buf[at:], uint32(n))
	e.i32(c.FirstLineNo)
	e.graalBytes(c.LineTable)
}

func (e *encoder) graalUnit(u *GraalCodeUnit, kind byte) {
	dsl := kind == GraalDSLUnit
	if dsl {
		e.graalBytes(u.Serialized)
	} else {
		e.b(u.BytecodeVersion)
	}
	e.graalString([]byte(u.Name))
	e.graalString([]byte(u.QualName))
	e.i32(u.ArgCount)
	e.i32(u.KwOnlyArgCount)
	e.i32(u.PosOnlyArgCount)
	if !dsl {
		e.i32(u.StackSize)
		e.graalBytes(u.Code)
		e.graalBytes(u.SrcOffsetTable)
	}
	e.i32(u.Flags)
	e.graalStrings(u.Names)
	e.graalStrings(u.VarNames)
	e.graalStrings(u.CellVars)
	e.graalStrings(u.FreeVars)
	e.graalInts(u.Cell2Arg)
	e.graalObjects(u.Consts)
	if !dsl {
		e.graalLongs(u.PrimitiveConsts)
		e.graalInts(u.ExceptionHandlerRanges)
		e.i32(u.ConditionProfileCount)
	}
	e.i32(u.StartLine)
	e.i32(u.StartColumn)
	e.i32(u.EndLine)
	e.i32(u.EndColumn)
	if dsl {
		e.i32(u.ClassCellIndex)
		e.i32(u.SelfIndex)
		return
	}
	e.graalBytes(u.OutputCanQuicken)
	e.graalBytes(u.VariableShouldUnbox)
	e.graalSparse(u.GeneralizeInputsMap)
	e.graalSparse(u.GeneralizeVarsMap)
}

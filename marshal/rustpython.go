package marshal

import (
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
)

// RustPython's marshal format (LayoutRustPython313).
//
// Source: compiler/core/src/marshal.rs of RustPython/RustPython at commit
// 1aea1467d (2025-09-21), the build whose pyc magic is "1aea" (RustPython
// used the first four characters of its git commit as the magic), and
// vm/src/stdlib/marshal.rs at the same commit, which writes pycs with it.
//
// RustPython writes no back-references, no FLAG_REF and no NULL. Its type
// codes are CPython's letters with payloads of its own where noted:
//
//	N F T S .          singletons
//	i                  int: a 32-bit signed byte count (negative for a
//	                   negative number) and the magnitude's bytes,
//	                   little-endian, without high zero bytes (zero has
//	                   none): an *Int of any size, Type 'i'
//	g, y               binary float and complex, as CPython
//	u, a               str: a 32-bit byte length and WTF-8 (writes 'u')
//	s                  bytes, as CPython
//	( [ < >            tuple, list, set, frozenset: a 32-bit count and items
//	{                  dict: a 32-bit count and key, value pairs (no NULL)
//	c                  code object (RustCode)
//
// A RustCode's fields are in stream order, all integers little-endian:
// instruction count (u32) and two bytes per instruction (opcode, argument);
// location count (u32) and, per location, line (u32) and zero-based column
// (u32); flags (u16); posonlyargcount, argcount, kwonlyargcount (u32);
// source path (u32 length and UTF-8); first line number (u32, 0 for none);
// max stack depth (u32); name and qualname (u32 length and UTF-8 each);
// cell2arg (u32 count and i32 each); constants (u32 count and values);
// names, varnames, cellvars and freevars (each a u32 count of u32-length
// UTF-8 strings); line table and exception table (u32 length and bytes
// each).

// RustCode is a RustPython code object ('c' in a stream of
// LayoutRustPython313). Its bytecode is RustPython's, not CPython's.
type RustCode struct {
	// Encoding is always 'c' without FLAG_REF.
	Encoding
	// Instructions is the bytecode: two bytes per instruction, opcode then
	// argument byte.
	Instructions []byte
	// Locations gives the source position of each instruction.
	Locations []RustLocation
	// Flags is co_flags (RustPython's CodeFlags bits).
	Flags uint16

	PosOnlyArgCount uint32
	ArgCount        uint32
	KwOnlyArgCount  uint32
	// Filename is the source path.
	Filename string
	// FirstLineNo is the first line number; 0 means none.
	FirstLineNo uint32
	// MaxStackDepth is co_stacksize.
	MaxStackDepth uint32
	Name          string
	QualName      string
	// Cell2Arg maps cells to arguments; empty when there is no map.
	Cell2Arg []int32
	// Consts are the constants, as RustPython values (*Int for ints,
	// *Str, *Bytes, *Float, *Complex, *Tuple, *RustCode, singletons...).
	Consts []Value

	Names, VarNames, CellVars, FreeVars []string

	// LineTable and ExceptionTable are co_linetable and
	// co_exceptiontable in RustPython's formats.
	LineTable, ExceptionTable []byte
}

func (*RustCode) isValue() {}

// String describes the code object as Python's repr of a code object does.
func (c *RustCode) String() string {
	return "<RustPython code object " + c.Name + ", file " + strconv.Quote(c.Filename) + ", line " + strconv.FormatUint(uint64(c.FirstLineNo), 10) + ">"
}

// RustLocation is the source position of one instruction.
type RustLocation struct {
	// Line is one-based.
	Line uint32
	// Column is zero-based, as stored.
	Column uint32
}

// rustBody decodes one RustPython value whose type byte has been read.
func (d *decoder) rustBody(start int, code byte) Value {
	enc := Encoding{Type: code}
	switch code {
	case 'N', 'F', 'T', 'S', '.':
		return Singleton(code)
	case 'i':
		return d.rustInt(start, code)
	case 'g', 'y', 's', 'u', 'a':
		// Leaves as CPython's (and never flagged): the CPython decoder
		// reads them.
		d.rust = false
		v := d.body(start, code)
		d.rust = true
		return v
	case '(', '[', '<', '>':
		n := d.size(code, start, 1)
		if d.err != nil {
			return nil
		}
		items := d.items(n)
		if d.err != nil {
			return nil
		}
		switch code {
		case '(':
			return &Tuple{Encoding: enc, Items: items}
		case '[':
			return &List{Encoding: enc, Items: items}
		}
		return &Set{Encoding: enc, Frozen: code == '>', Items: items}
	case '{':
		n := d.size(code, start, 2)
		if d.err != nil {
			return nil
		}
		v := &Dict{Encoding: enc, Items: make([]DictItem, 0, min(n, maxPrealloc))}
		for range n {
			k := d.value()
			val := d.value()
			if d.err != nil {
				return nil
			}
			v.Items = append(v.Items, DictItem{k, val})
		}
		return v
	case 'c':
		c := &RustCode{Encoding: enc}
		d.rustCode(c)
		if d.err != nil {
			return nil
		}
		return c
	}
	d.fail(start, code, ErrUnknownType, "not a RustPython type code")
	return nil
}

// rustInt reads a RustPython int: signed byte count, magnitude bytes.
func (d *decoder) rustInt(start int, code byte) Value {
	n := d.int32(code)
	if d.err != nil {
		return nil
	}
	size := int64(n)
	if size < 0 {
		size = -size
	}
	if size > int64(len(d.data)-d.pos) {
		d.fail(start, code, ErrTruncated, "int of "+strconv.FormatInt(size, 10)+" bytes exceeds the bytes left")
		return nil
	}
	b := d.bytes(int(size), code)
	if d.err != nil {
		return nil
	}
	if size > 0 && b[size-1] == 0 {
		d.fail(start, code, ErrBadLong, "RustPython int with a high zero byte")
		return nil
	}
	v := &Int{Encoding: Encoding{Type: 'i'}}
	if size <= 8 {
		var x uint64
		for i := len(b) - 1; i >= 0; i-- {
			x = x<<8 | uint64(b[i])
		}
		if x <= math.MaxInt64 || n < 0 && x == 1<<63 {
			v.Small = int64(x)
			if n < 0 {
				v.Small = -v.Small
			}
			return v
		}
	}
	be := make([]byte, len(b))
	for i := range b {
		be[len(b)-1-i] = b[i]
	}
	z := new(big.Int).SetBytes(be)
	if n < 0 {
		z.Neg(z)
	}
	v.Big = z
	return v
}

func (d *decoder) rustU32(code byte) uint32 { return uint32(d.int32(code)) }

// rustText reads a u32-length string.
func (d *decoder) rustText(code byte) string {
	return string(d.bytes(d.count(code, 1), code))
}

func (d *decoder) rustNames(code byte) []string {
	n := d.count(code, 4)
	if d.err != nil || n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.rustText(code)
		if d.err != nil {
			return nil
		}
	}
	return out
}

// rustCode reads the fields of a RustPython code object.
func (d *decoder) rustCode(c *RustCode) {
	saved := d.field
	defer func() { d.field = saved }()
	const code = 'c'
	d.field = "instructions"
	n := d.count(code, 2)
	c.Instructions = d.bytes(2*n, code)
	d.field = "locations"
	n = d.count(code, 8)
	b := d.bytes(8*n, code)
	if d.err != nil {
		return
	}
	if n > 0 {
		c.Locations = make([]RustLocation, n)
		for i := range c.Locations {
			c.Locations[i] = RustLocation{
				Line:   binary.LittleEndian.Uint32(b[8*i:]),
				Column: binary.LittleEndian.Uint32(b[8*i+4:]),
			}
		}
	}
	d.field = "co_flags"
	c.Flags = uint16(d.int16(code))
	d.field = "co_posonlyargcount"
	c.PosOnlyArgCount = d.rustU32(code)
	d.field = "co_argcount"
	c.ArgCount = d.rustU32(code)
	d.field = "co_kwonlyargcount"
	c.KwOnlyArgCount = d.rustU32(code)
	d.field = "co_filename"
	c.Filename = d.rustText(code)
	d.field = "co_firstlineno"
	c.FirstLineNo = d.rustU32(code)
	d.field = "co_stacksize"
	c.MaxStackDepth = d.rustU32(code)
	d.field = "co_name"
	c.Name = d.rustText(code)
	d.field = "co_qualname"
	c.QualName = d.rustText(code)
	d.field = "cell2arg"
	c.Cell2Arg = d.graalInts(code)
	d.field = "co_consts"
	n = d.count(code, 1)
	if d.err != nil {
		return
	}
	if n > 0 {
		c.Consts = d.items(n)
		if d.err != nil {
			return
		}
	}
	d.field = "co_names"
	c.Names = d.rustNames(code)
	d.field = "co_varnames"
	c.VarNames = d.rustNames(code)
	d.field = "co_cellvars"
	c.CellVars = d.rustNames(code)
	d.field = "co_freevars"
	c.FreeVars = d.rustNames(code)
	d.field = "co_linetable"
	c.LineTable = d.graalBytes(code)
	d.field = "co_exceptiontable"
	c.ExceptionTable = d.graalBytes(code)
}

// Encoding.

// rustObject encodes one value in RustPython's marshal variant.
func (e *encoder) rustObject(v Value) {
	if enc, ok := v.(Encoded); ok && enc.Enc().Ref {
		e.fail(ErrUnencodable, "FLAG_REF in a RustPython stream")
		return
	}
	switch x := v.(type) {
	case nil:
		e.fail(ErrNull, "NULL in a RustPython stream")
	case Singleton:
		switch x {
		case None, True, False, StopIteration, Ellipsis:
			e.b(byte(x))
		default:
			e.fail(ErrUnencodable, "singleton "+x.String()+" in a RustPython stream")
		}
	case *Int:
		if x.Type != 0 && x.Type != 'i' {
			e.fail(ErrUnencodable, "int with type "+typeName(x.Type)+" in a RustPython stream")
			return
		}
		e.b('i')
		e.rustInt(x)
	case *Tuple:
		e.b('(')
		e.size(len(x.Items))
		e.items(x.Items)
	case *Dict:
		e.b('{')
		e.size(len(x.Items))
		for _, it := range x.Items {
			if it.Key == nil || it.Value == nil {
				e.fail(ErrNull, "nil dict key or value")
				return
			}
			e.value(it.Key)
			e.value(it.Value)
		}
	case *RustCode:
		e.rustCode(x)
	case *Float:
		if x.Type != 0 && x.Type != 'g' {
			e.fail(ErrUnencodable, "float with type "+typeName(x.Type)+" in a RustPython stream")
			return
		}
		e.b('g')
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(x.Value))
	case *Complex:
		if x.Type != 0 && x.Type != 'y' {
			e.fail(ErrUnencodable, "complex with type "+typeName(x.Type)+" in a RustPython stream")
			return
		}
		e.b('y')
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(x.Real))
		e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(x.Imag))
	case *Str:
		typ := x.Type
		if typ == 0 {
			typ = 'u'
		}
		if typ != 'u' && typ != 'a' {
			e.fail(ErrUnencodable, "str with type "+typeName(typ)+" in a RustPython stream")
			return
		}
		e.b(typ)
		e.sized(typ, x.Data)
	case *Bytes:
		e.b('s')
		e.sized('s', x.Data)
	case *List:
		e.b('[')
		e.size(len(x.Items))
		e.items(x.Items)
	case *Set:
		if x.Frozen {
			e.b('>')
		} else {
			e.b('<')
		}
		e.size(len(x.Items))
		e.items(x.Items)
	default:
		e.fail(ErrUnencodable, KindName(v)+" in a RustPython stream")
	}
}

// rustInt writes a RustPython int's signed byte count and magnitude.
func (e *encoder) rustInt(x *Int) {
	var mag []byte
	neg := false
	if x.Big != nil {
		neg = x.Big.Sign() < 0
		be := new(big.Int).Abs(x.Big).Bytes()
		mag = make([]byte, len(be))
		for i := range be {
			mag[len(be)-1-i] = be[i]
		}
	} else {
		neg = x.Small < 0
		u := uint64(x.Small)
		if neg {
			u = -u
		}
		for ; u != 0; u >>= 8 {
			mag = append(mag, byte(u))
		}
	}
	if len(mag) > math.MaxInt32 {
		e.fail(ErrUnencodable, "int too large")
		return
	}
	if neg {
		e.i32(-int32(len(mag)))
	} else {
		e.i32(int32(len(mag)))
	}
	e.buf = append(e.buf, mag...)
}

func (e *encoder) rustText(s string) {
	e.size(len(s))
	e.buf = append(e.buf, s...)
}

func (e *encoder) rustNames(names []string) {
	e.size(len(names))
	for _, s := range names {
		e.rustText(s)
	}
}

func (e *encoder) rustCode(c *RustCode) {
	if c.Ref {
		e.fail(ErrUnencodable, "FLAG_REF in a RustPython stream")
		return
	}
	saved := e.rust
	e.rust = true
	defer func() { e.rust = saved }()
	e.b('c')
	if len(c.Instructions)%2 != 0 {
		e.fail(ErrBadCode, "RustPython instructions of odd length")
		return
	}
	e.size(len(c.Instructions) / 2)
	e.buf = append(e.buf, c.Instructions...)
	e.size(len(c.Locations))
	for _, l := range c.Locations {
		e.i32(int32(l.Line))
		e.i32(int32(l.Column))
	}
	e.i16(int32(c.Flags))
	e.i32(int32(c.PosOnlyArgCount))
	e.i32(int32(c.ArgCount))
	e.i32(int32(c.KwOnlyArgCount))
	e.rustText(c.Filename)
	e.i32(int32(c.FirstLineNo))
	e.i32(int32(c.MaxStackDepth))
	e.rustText(c.Name)
	e.rustText(c.QualName)
	e.graalInts(c.Cell2Arg)
	e.size(len(c.Consts))
	e.items(c.Consts)
	e.rustNames(c.Names)
	e.rustNames(c.VarNames)
	e.rustNames(c.CellVars)
	e.rustNames(c.FreeVars)
	e.graalBytes(c.LineTable)
	e.graalBytes(c.ExceptionTable)
}

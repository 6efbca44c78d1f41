package marshal

import (
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
)

// EncodeOptions say how to write a stream.
type EncodeOptions struct {
	// Version is the marshal format version (0 to 5) used to choose type
	// codes for values whose Encoding.Type is zero, as CPython's
	// marshal.dumps of that version would. Values that carry a type code
	// (all decoded values) are written with it.
	Version int
	// Python2 selects the Python 2 meanings of 's', 't', 'u' and the 'R'
	// string references. It is implied by a code object of a Python 2
	// layout only for that code object's fields, so set it for Python 2
	// streams.
	Python2 bool
	// Layout, when LayoutGraal or LayoutRustPython313, writes the values
	// of the whole stream in that implementation's marshal variant. The
	// code objects of those implementations (*GraalCode, *RustCode) select
	// it for their contents whatever Layout says, so a pyc's top-level code
	// object needs no Layout here.
	Layout Layout
}

// Marshal encodes v.
func Marshal(v Value, opts EncodeOptions) ([]byte, error) {
	return Append(nil, v, opts)
}

// Append encodes v and appends it to buf. It reuses buf's spare capacity,
// so a caller that keeps one buffer allocates nothing per call on the byte
// side.
func Append(buf []byte, v Value, opts EncodeOptions) ([]byte, error) {
	e := encoder{buf: buf, opts: opts,
		graal: opts.Layout == LayoutGraal, rust: opts.Layout == LayoutRustPython313}
	e.value(v)
	if e.err != nil {
		return buf, e.err
	}
	return e.buf, nil
}

type encoder struct {
	buf   []byte
	opts  EncodeOptions
	err   error
	depth int
	refs  map[Value]int32 // objects written with FLAG_REF, by reference index
	nrefs int32
	strs  map[*Str]int32 // Python 2 interned strings, by 'R' index
	nstrs int32
	path  []string
	graal bool // GraalPy's marshal variant (graal.go)
	rust  bool // RustPython's marshal variant (rustpython.go)
	// flat writes the value as a tree: no FLAG_REF, no back-references
	// (Canonicalize's sort keys).
	flat bool
}

func (e *encoder) fail(err error, detail string) {
	if e.err == nil {
		p := ""
		for _, s := range e.path {
			p += s
		}
		e.err = &EncodeError{Path: p, Err: err, Detail: detail}
	}
}

func (e *encoder) b(c byte) { e.buf = append(e.buf, c) }

func (e *encoder) i16(v int32) {
	e.buf = binary.LittleEndian.AppendUint16(e.buf, uint16(int16(v)))
}

func (e *encoder) i32(v int32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(v)) }

func (e *encoder) size(n int) {
	if n > math.MaxInt32 {
		e.fail(ErrUnencodable, "size "+strconv.Itoa(n)+" over 2**31-1")
		return
	}
	e.i32(int32(n))
}

// head writes the type code with FLAG_REF as recorded, and registers the
// value as a reference target. It returns false when the value was written
// already and a back-reference has been emitted instead.
func (e *encoder) head(v Value, enc *Encoding, typ byte) bool {
	if e.flat {
		e.b(typ)
		return true
	}
	if e.refs != nil {
		if i, ok := e.refs[v]; ok {
			e.b('r')
			e.i32(i)
			return false
		}
	}
	if enc.Ref {
		if e.refs == nil {
			e.refs = make(map[Value]int32)
		}
		e.refs[v] = e.nrefs
		e.nrefs++
		e.b(typ | flagRef)
	} else {
		e.b(typ)
	}
	return true
}

func (e *encoder) value(v Value) {
	if e.err != nil {
		return
	}
	e.depth++
	if e.depth > MaxDepth {
		e.fail(ErrTooDeep, "")
		e.depth--
		return
	}
	e.object(v)
	e.depth--
}

func (e *encoder) object(v Value) {
	if e.rust {
		e.rustObject(v)
		return
	}
	switch x := v.(type) {
	case nil:
		e.b('0')
	case Singleton:
		switch x.Kind() {
		case None, True, False, StopIteration, Ellipsis, GraalNoValue:
			e.b(byte(x))
		default:
			e.fail(ErrUnencodable, "unknown singleton")
		}
	case *Int:
		e.int(x)
	case *Float:
		typ := x.Type
		if typ == 0 {
			typ = 'g'
			if e.opts.Version < 2 {
				typ = 'f'
			}
		}
		if !e.head(x, &x.Encoding, typ) {
			return
		}
		switch typ {
		case 'g':
			e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(x.Value))
		case 'f':
			e.text1(x.Text, x.Value)
		default:
			e.fail(ErrUnencodable, "float with type "+typeName(typ))
		}
	case *Complex:
		typ := x.Type
		if typ == 0 {
			typ = 'y'
			if e.opts.Version < 2 {
				typ = 'x'
			}
		}
		if !e.head(x, &x.Encoding, typ) {
			return
		}
		switch typ {
		case 'y':
			e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(x.Real))
			e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(x.Imag))
		case 'x':
			e.text1(x.RealText, x.Real)
			e.text1(x.ImagText, x.Imag)
		default:
			e.fail(ErrUnencodable, "complex with type "+typeName(typ))
		}
	case *Bytes:
		typ := x.Type
		if typ == 0 {
			typ = 's'
		}
		if e.head(x, &x.Encoding, typ) {
			e.sized(typ, x.Data)
		}
	case *Str:
		e.str(x)
	case *Unicode:
		typ := x.Type
		if typ == 0 {
			typ = 'u'
		}
		if e.head(x, &x.Encoding, typ) {
			e.sized(typ, x.Data)
		}
	case *Tuple:
		typ := x.Type
		if typ == 0 {
			typ = '('
			if e.opts.Version >= 4 && len(x.Items) < 256 {
				typ = ')'
			}
		}
		if !e.head(x, &x.Encoding, typ) {
			return
		}
		if typ == ')' {
			if len(x.Items) > 255 {
				e.fail(ErrUnencodable, "small tuple of "+strconv.Itoa(len(x.Items))+" items")
				return
			}
			e.b(byte(len(x.Items)))
		} else {
			e.size(len(x.Items))
		}
		e.items(x.Items)
	case *List:
		if e.head(x, &x.Encoding, '[') {
			e.size(len(x.Items))
			e.items(x.Items)
		}
	case *Dict:
		typ := x.Type
		if typ == 0 {
			typ = '{'
		}
		if !e.head(x, &x.Encoding, typ) {
			return
		}
		for _, it := range x.Items {
			if it.Key == nil || it.Value == nil {
				e.fail(ErrNull, "nil dict key or value")
				return
			}
			e.value(it.Key)
			e.value(it.Value)
		}
		e.b('0')
	case *Set:
		typ := byte('<')
		if x.Frozen {
			typ = '>'
		}
		if e.head(x, &x.Encoding, typ) {
			e.size(len(x.Items))
			e.items(x.Items)
		}
	case *Slice:
		if e.opts.Version < 5 && x.Type == 0 {
			e.fail(ErrUnencodable, "slice needs marshal version 5")
			return
		}
		if e.head(x, &x.Encoding, ':') {
			e.value(orNone(x.Start))
			e.value(orNone(x.Stop))
			e.value(orNone(x.Step))
		}
	case *Code:
		e.code(x)
	case *RustCode:
		e.rustCode(x)
	case *GraalCode:
		e.graalCode(x)
	case *GraalCodeUnit:
		e.graalUnitObject(x)
	case *GraalArray:
		if e.head(x, &x.Encoding, ']') {
			e.graalArray(x)
		}
	default:
		e.fail(ErrUnencodable, "unknown value type")
	}
}

func orNone(v Value) Value {
	if v == nil {
		return None
	}
	return v
}

func (e *encoder) items(items []Value) {
	for _, it := range items {
		if it == nil {
			e.fail(ErrNull, "nil item")
			return
		}
		e.value(it)
	}
}

func (e *encoder) sized(typ byte, data []byte) {
	if typ == 'z' || typ == 'Z' {
		if len(data) > 255 {
			e.fail(ErrUnencodable, "short string of "+strconv.Itoa(len(data))+" bytes")
			return
		}
		e.b(byte(len(data)))
	} else {
		e.size(len(data))
	}
	e.buf = append(e.buf, data...)
}

func (e *encoder) text1(text []byte, f float64) {
	if text == nil {
		text = []byte(FloatRepr(f))
	}
	if len(text) > 255 {
		e.fail(ErrUnencodable, "float text over 255 bytes")
		return
	}
	e.b(byte(len(text)))
	e.buf = append(e.buf, text...)
}

func (e *encoder) str(x *Str) {
	typ := x.Type
	py2 := e.opts.Python2
	if typ == 0 {
		typ = StrType(x.Data, false, e.opts.Version, py2)
	}
	if py2 && typ == 't' && e.opts.Version >= 1 && !e.flat {
		if i, ok := e.strs[x]; ok {
			e.b('R')
			e.i32(i)
			return
		}
		if e.strs == nil {
			e.strs = make(map[*Str]int32)
		}
		e.strs[x] = e.nstrs
		e.nstrs++
	}
	if !e.head(x, &x.Encoding, typ) {
		return
	}
	if e.graal && (typ == 'u' || typ == 't') {
		e.graalString(x.Data)
		return
	}
	e.sized(typ, x.Data)
}

// StrType returns the type code CPython's marshal of the given version
// writes for a str with the given UTF-8 data: 'z'/'Z' and 'a'/'A' for ASCII
// text from version 4, 't' for interned text from version 3 (and for
// interned Python 2 strings from version 1), 'u' otherwise (and 's' for a
// Python 2 str).
func StrType(data []byte, interned bool, version int, python2 bool) byte {
	if python2 {
		if interned && version >= 1 {
			return 't'
		}
		return 's'
	}
	if version >= 4 && isASCII(data) {
		switch {
		case interned && len(data) < 256:
			return 'Z'
		case interned:
			return 'A'
		case len(data) < 256:
			return 'z'
		default:
			return 'a'
		}
	}
	if interned && version >= 3 {
		return 't'
	}
	return 'u'
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

func (e *encoder) int(x *Int) {
	typ := x.Type
	if typ == 0 {
		switch {
		case x.Big == nil && x.Small >= math.MinInt32 && x.Small <= math.MaxInt32:
			typ = 'i'
		case e.opts.Python2 && x.Big == nil:
			typ = 'I'
		default:
			typ = 'l'
		}
	}
	if !e.head(x, &x.Encoding, typ) {
		return
	}
	switch typ {
	case 'i':
		if x.Big != nil || x.Small < math.MinInt32 || x.Small > math.MaxInt32 {
			e.fail(ErrUnencodable, "int over 32 bits with type 'i'")
			return
		}
		e.i32(int32(x.Small))
	case 'I':
		if x.Big != nil {
			e.fail(ErrUnencodable, "int over 64 bits with type 'I'")
			return
		}
		e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(x.Small))
	case 'l':
		e.long(x)
	case 'B':
		e.graalBigInt(x)
	default:
		e.fail(ErrUnencodable, "int with type "+typeName(typ))
	}
}

func (e *encoder) long(x *Int) {
	if x.Big == nil {
		neg := x.Small < 0
		u := uint64(x.Small)
		if neg {
			u = -u
		}
		var digits [5]uint16
		n := 0
		for u != 0 {
			digits[n] = uint16(u & 0x7fff)
			u >>= 15
			n++
		}
		if neg {
			e.i32(int32(-n))
		} else {
			e.i32(int32(n))
		}
		for _, d := range digits[:n] {
			e.buf = binary.LittleEndian.AppendUint16(e.buf, d)
		}
		return
	}
	mag := new(big.Int).Abs(x.Big)
	words := mag.Bits()
	n := (mag.BitLen() + 14) / 15
	if n > math.MaxInt32 {
		e.fail(ErrUnencodable, "long too large")
		return
	}
	if x.Big.Sign() < 0 {
		e.i32(int32(-n))
	} else {
		e.i32(int32(n))
	}
	const wbits = 32 << (^uint(0) >> 63)
	for i := 0; i < n; i++ {
		bit := i * 15
		var d uint
		w := bit / wbits
		off := uint(bit % wbits)
		d = uint(words[w]) >> off
		if off+15 > wbits && w+1 < len(words) {
			d |= uint(words[w+1]) << (wbits - off)
		}
		e.buf = binary.LittleEndian.AppendUint16(e.buf, uint16(d&0x7fff))
	}
}

func (e *encoder) code(c *Code) {
	lay := c.Layout
	if !lay.CPython() {
		e.fail(ErrBadCode, "code object without a CPython layout")
		return
	}
	typ := c.Type
	if typ == 0 {
		typ = 'c'
		if lay == Layout10 {
			typ = 'C'
		}
	}
	if typ != 'c' && typ != 'C' {
		e.fail(ErrUnencodable, "code object with type "+typeName(typ))
		return
	}
	if !e.head(c, &c.Encoding, typ) {
		return
	}
	i32 := func(v int32) {
		if lay.short() {
			e.i16(v)
		} else {
			e.i32(v)
		}
	}
	tup := func(t *Tuple) {
		if t == nil {
			e.value(&Tuple{})
			return
		}
		e.value(t)
	}
	if lay >= Layout13 {
		i32(c.ArgCount)
	}
	if lay >= Layout38 {
		i32(c.PosOnlyArgCount)
	}
	if lay >= Layout30 {
		i32(c.KwOnlyArgCount)
	}
	if lay >= Layout13 && lay < Layout311 {
		i32(c.NLocals)
	}
	if lay >= Layout15 {
		i32(c.StackSize)
	}
	if lay >= Layout13 {
		i32(int32(c.Flags))
	}
	e.value(orNone(c.Code))
	tup(c.Consts)
	tup(c.Names)
	if lay >= Layout311 {
		tup(c.LocalsPlusNames)
		e.value(orNone(c.LocalsPlusKinds))
	} else {
		if lay >= Layout13 {
			tup(c.VarNames)
		}
		if lay >= Layout21 {
			tup(c.FreeVars)
			tup(c.CellVars)
		}
	}
	e.value(orNone(c.Filename))
	e.value(orNone(c.Name))
	if lay >= Layout311 {
		e.value(orNone(c.QualName))
	}
	if lay >= Layout15 {
		i32(c.FirstLineNo)
		e.value(orNone(c.LineTable))
	}
	if lay >= Layout311 {
		e.value(orNone(c.ExceptionTable))
	}
}

// FloatRepr returns Python's repr of a float: the shortest text that reads
// back to the same value, with Python's choice of exponent form.
func FloatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	// Python's repr uses exponent form when the decimal exponent is below
	// -4 or at least 16.
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp := s, 0
	if i := indexByte(s, 'e'); i >= 0 {
		mant = s[:i]
		exp, _ = strconv.Atoi(s[i+1:])
	}
	if exp < -4 || exp >= 16 {
		// Python writes e+XX with at least two exponent digits.
		sign := "+"
		if exp < 0 {
			sign = "-"
			exp = -exp
		}
		es := strconv.Itoa(exp)
		if len(es) < 2 {
			es = "0" + es
		}
		return mant + "e" + sign + es
	}
	s = strconv.FormatFloat(f, 'f', -1, 64)
	if indexByte(s, '.') < 0 {
		s += ".0"
	}
	return s
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

package marshal

import (
	"encoding/binary"
	"io"
	"math"
	"math/big"
	"strconv"
)

// Options say how to read a stream: which code-object layout it uses and
// whether 's', 't' and 'u' have their Python 2 meanings.
type Options struct {
	// Layout is the code-object layout; LayoutNone rejects code objects.
	Layout Layout
	// Python2 gives 's', 't' and 'u' their Python 1.x/2.x meanings (8-bit
	// str, interned str, unicode). It is implied by a Python 2 layout.
	Python2 bool
	// MaxDepth caps nesting; zero means MaxDepth (2000).
	MaxDepth int
	// CheckVersion makes the type codes that came after marshal version
	// Version unknown, as they are to that version's reader: 't' and 'R'
	// (version 1), 'g' and 'y' (2), FLAG_REF and 'r' (3), 'a', 'A', 'z',
	// 'Z' and ')' (4), ':' (5). Without it every type code is read.
	CheckVersion bool
	// Version is the stream's marshal version (0 to 6), for CheckVersion.
	Version int
}

// typeVersion returns the marshal version that introduced a type code
// (without FLAG_REF), 0 for the original ones.
func typeVersion(typ byte) int {
	switch typ {
	case 't', 'R':
		return 1
	case 'g', 'y':
		return 2
	case 'r':
		return 3
	case 'a', 'A', 'z', 'Z', ')':
		return 4
	case ':', '}':
		return 5
	}
	return 0
}

func (o Options) py2() bool { return o.Python2 || o.Layout.Python2() }

// Unmarshal decodes one object from the start of data. It returns the value
// and the number of bytes it took; bytes after the object are not read.
//
// Strings, bytes and code bytes in the result are sub-slices of data: data
// must not be changed while the result is in use.
func Unmarshal(data []byte, opts Options) (v Value, n int, err error) {
	return unmarshal(data, 0, opts)
}

// unmarshal is Unmarshal of data that starts at offset base of a longer
// stream (for Code.Offset).
func unmarshal(data []byte, base int64, opts Options) (v Value, n int, err error) {
	d := decoder{data: data, base: base, opts: opts, maxDepth: opts.MaxDepth,
		graal: opts.Layout == LayoutGraal, rust: opts.Layout == LayoutRustPython313}
	if d.maxDepth <= 0 {
		d.maxDepth = MaxDepth
	}
	v = d.value()
	if d.err != nil {
		return nil, d.pos, d.err
	}
	return v, d.pos, nil
}

// A Decoder reads successive objects from a stream.
type Decoder struct {
	r    io.Reader
	opts Options
	buf  []byte
	off  int64
	read bool
}

// NewDecoder returns a decoder reading from r. The stream is read whole on
// the first Decode (marshal streams are small and back-references span the
// whole stream).
func NewDecoder(r io.Reader, opts Options) *Decoder {
	return &Decoder{r: r, opts: opts}
}

// Decode reads the next object. It returns io.EOF when the stream is done.
func (dec *Decoder) Decode() (Value, error) {
	if !dec.read {
		b, err := io.ReadAll(dec.r)
		if err != nil {
			return nil, err
		}
		dec.buf, dec.read = b, true
	}
	if len(dec.buf) == 0 {
		return nil, io.EOF
	}
	v, n, err := unmarshal(dec.buf, dec.off, dec.opts)
	if err != nil {
		if de, ok := err.(*DecodeError); ok {
			de.Offset += dec.off
		}
		return nil, err
	}
	dec.buf = dec.buf[n:]
	dec.off += int64(n)
	return v, nil
}

// decoder is a cursor over one byte slice with a sticky error: after the
// first failure every read returns zero values and the error is reported
// once at the end.
type decoder struct {
	data     []byte
	base     int64 // offset of data[0] in the stream, for Code.Offset
	pos      int
	err      error
	opts     Options
	depth    int
	maxDepth int
	refs     []Value // FLAG_REF objects in order (Python 3)
	// pending holds the reference indexes of the objects being read that
	// CPython registers only once complete (code objects, non-empty
	// frozensets, slices): a back-reference to one of them is invalid.
	pending []int
	strs    []*Str // interned strings in order (Python 2 'R')
	field   string // code-object field being read, for errors
	strSlab []Str
	intSlab []Int
	graal   bool // GraalPy's marshal (LayoutGraal): see graal.go
	rust    bool // RustPython's marshal (LayoutRustPython313): see rustpython.go
}

func (d *decoder) fail(off int, code byte, err error, detail string) {
	if d.err == nil {
		d.err = &DecodeError{Offset: int64(off), Code: code, Field: d.field, Err: err, Detail: detail}
	}
}

func (d *decoder) need(n int, code byte) bool {
	if d.err != nil {
		return false
	}
	if n < 0 || len(d.data)-d.pos < n {
		d.fail(d.pos, code, ErrTruncated, "need "+strconv.Itoa(n)+" bytes, have "+strconv.Itoa(len(d.data)-d.pos))
		return false
	}
	return true
}

func (d *decoder) byte1(code byte) byte {
	if !d.need(1, code) {
		return 0
	}
	b := d.data[d.pos]
	d.pos++
	return b
}

func (d *decoder) int16(code byte) int32 {
	if !d.need(2, code) {
		return 0
	}
	v := int16(binary.LittleEndian.Uint16(d.data[d.pos:]))
	d.pos += 2
	return int32(v)
}

func (d *decoder) int32(code byte) int32 {
	if !d.need(4, code) {
		return 0
	}
	v := int32(binary.LittleEndian.Uint32(d.data[d.pos:]))
	d.pos += 4
	return v
}

func (d *decoder) bytes(n int, code byte) []byte {
	if !d.need(n, code) {
		return nil
	}
	b := d.data[d.pos : d.pos+n : d.pos+n]
	d.pos += n
	return b
}

// size reads a 32-bit length and checks it against the bytes left, given
// that each unit takes at least unit bytes.
func (d *decoder) size(code byte, start int, unit int) int {
	n := d.int32(code)
	if d.err != nil {
		return 0
	}
	if n < 0 {
		d.fail(start, code, ErrBadLength, "negative size "+strconv.Itoa(int(n)))
		return 0
	}
	if int64(n)*int64(unit) > int64(len(d.data)-d.pos) {
		d.fail(start, code, ErrTruncated, "size "+strconv.Itoa(int(n))+" exceeds the "+strconv.Itoa(len(d.data)-d.pos)+" bytes left")
		return 0
	}
	return int(n)
}

// ref registers v under the next reference index when flag is set.
func (d *decoder) ref(v Value, flag bool) {
	if flag {
		d.refs = append(d.refs, v)
	}
}

// reserve registers v, whose contents are still to be read, as a pending
// reference target: until done, a back-reference to it is invalid. CPython
// reserves the index of a code object, a non-empty frozenset and a slice
// the same way (r_ref_reserve), which keeps such objects from containing
// themselves.
func (d *decoder) reserve(v Value, flag bool) {
	if flag {
		d.pending = append(d.pending, len(d.refs))
		d.refs = append(d.refs, v)
	}
}

// done ends the reservation of the object reserve registered last.
func (d *decoder) done(flag bool) {
	if flag && len(d.pending) > 0 {
		d.pending = d.pending[:len(d.pending)-1]
	}
}

// value decodes one object; it returns nil (with d.err set) on failure.
func (d *decoder) value() Value {
	v := d.object()
	if v == nil && d.err == nil {
		d.fail(d.pos-1, '0', ErrNull, "")
	}
	return v
}

// object decodes one object and returns nil without an error for TYPE_NULL.
func (d *decoder) object() Value {
	if d.err != nil {
		return nil
	}
	start := d.pos
	code := d.byte1(0)
	if d.err != nil {
		return nil
	}
	d.depth++
	if d.depth > d.maxDepth {
		d.fail(start, code, ErrTooDeep, "more than "+strconv.Itoa(d.maxDepth)+" levels")
		d.depth--
		return nil
	}
	v := d.body(start, code)
	d.depth--
	return v
}

// body decodes the object whose type code has been read.
func (d *decoder) body(start int, code byte) Value {
	if d.rust {
		return d.rustBody(start, code)
	}
	flag := code&flagRef != 0
	typ := code &^ flagRef
	if d.opts.py2() && (flag || typeVersion(typ) >= 3) {
		// FLAG_REF and 'r' came with marshal version 3 (Python 3.4), the
		// short forms with version 4: a Python 2 reader knows none.
		d.fail(start, code, ErrUnknownType, "not in Python 2 marshal")
		return nil
	}
	if d.opts.CheckVersion && !d.graal && (typeVersion(typ) > d.opts.Version || flag && d.opts.Version < 3) {
		d.fail(start, code, ErrUnknownType, "not in marshal version "+strconv.Itoa(d.opts.Version))
		return nil
	}
	enc := Encoding{Type: typ, Ref: flag}
	if d.graal {
		if v, ok := d.graalBody(start, code, enc); ok {
			return v
		}
	}
	switch typ {
	case '0':
		if flag {
			// No writer flags a NULL; it could not encode back.
			d.fail(start, code, ErrNull, "NULL with FLAG_REF")
		}
		return nil
	case 'N', 'T', 'F', 'S', '.':
		return Singleton(code)
	case 'i':
		n := d.int32(code)
		v := d.newInt()
		v.Encoding, v.Small = enc, int64(n)
		d.ref(v, flag)
		return v
	case 'I':
		b := d.bytes(8, code)
		if d.err != nil {
			return nil
		}
		v := &Int{Encoding: enc, Small: int64(binary.LittleEndian.Uint64(b))}
		d.ref(v, flag)
		return v
	case 'l':
		v := d.long(code, start)
		if v == nil {
			return nil
		}
		v.Encoding = enc
		d.ref(v, flag)
		return v
	case 'f':
		t := d.text1(code)
		f, ok := parseFloat(t)
		if d.err != nil {
			return nil
		}
		if !ok {
			d.fail(start, code, ErrBadFloat, strconv.Quote(string(t)))
			return nil
		}
		v := &Float{Encoding: enc, Value: f, Text: t}
		d.ref(v, flag)
		return v
	case 'g':
		b := d.bytes(8, code)
		if d.err != nil {
			return nil
		}
		v := &Float{Encoding: enc, Value: math.Float64frombits(binary.LittleEndian.Uint64(b))}
		d.ref(v, flag)
		return v
	case 'x':
		rt := d.text1(code)
		it := d.text1(code)
		if d.err != nil {
			return nil
		}
		re, ok1 := parseFloat(rt)
		im, ok2 := parseFloat(it)
		if !ok1 || !ok2 {
			d.fail(start, code, ErrBadFloat, strconv.Quote(string(rt))+", "+strconv.Quote(string(it)))
			return nil
		}
		v := &Complex{Encoding: enc, Real: re, Imag: im, RealText: rt, ImagText: it}
		d.ref(v, flag)
		return v
	case 'y':
		b := d.bytes(16, code)
		if d.err != nil {
			return nil
		}
		v := &Complex{Encoding: enc,
			Real: math.Float64frombits(binary.LittleEndian.Uint64(b)),
			Imag: math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))}
		d.ref(v, flag)
		return v
	case 's', 't', 'u', 'a', 'A':
		n := d.size(code, start, 1)
		b := d.bytes(n, code)
		if d.err != nil {
			return nil
		}
		return d.str(enc, b, flag)
	case 'z', 'Z':
		n := int(d.byte1(code))
		b := d.bytes(n, code)
		if d.err != nil {
			return nil
		}
		return d.str(enc, b, flag)
	case 'R':
		if !d.opts.py2() {
			break
		}
		i := d.int32(code)
		if d.err != nil {
			return nil
		}
		if i < 0 || int(i) >= len(d.strs) {
			d.fail(start, code, ErrBadRef, "string reference "+strconv.Itoa(int(i))+" of "+strconv.Itoa(len(d.strs)))
			return nil
		}
		return d.strs[i]
	case 'r':
		if flag {
			// CPython ignores FLAG_REF on a back-reference; a reference
			// site has no node to keep the flag on, so such a stream could
			// not be written back as it was: refuse it.
			d.fail(start, code, ErrUnknownType, "FLAG_REF on a back-reference")
			return nil
		}
		i := d.int32(code)
		if d.err != nil {
			return nil
		}
		if i < 0 || int(i) >= len(d.refs) {
			d.fail(start, code, ErrBadRef, "reference "+strconv.Itoa(int(i))+" of "+strconv.Itoa(len(d.refs)))
			return nil
		}
		for _, p := range d.pending {
			if p == int(i) {
				kind := KindName(d.refs[i])
				if kind == "code" {
					kind = "code object"
				}
				d.fail(start, code, ErrBadRef, "reference "+strconv.Itoa(int(i))+" to a "+kind+" still being read (it would contain itself)")
				return nil
			}
		}
		return d.refs[i]
	case '(', ')', '[':
		var n int
		if typ == ')' {
			n = int(d.byte1(code))
			if !d.need(n, code) {
				return nil
			}
		} else {
			n = d.size(code, start, 1)
		}
		if d.err != nil {
			return nil
		}
		if typ == '[' {
			v := &List{Encoding: enc}
			d.ref(v, flag)
			v.Items = d.items(n)
			if d.err != nil {
				return nil
			}
			return v
		}
		v := &Tuple{Encoding: enc}
		d.ref(v, flag)
		v.Items = d.items(n)
		if d.err != nil {
			return nil
		}
		return v
	case '{', '}':
		v := &Dict{Encoding: enc}
		d.ref(v, flag)
		for {
			k := d.object()
			if d.err != nil {
				return nil
			}
			if k == nil {
				break
			}
			val := d.value()
			if d.err != nil {
				return nil
			}
			v.Items = append(v.Items, DictItem{k, val})
		}
		return v
	case '<', '>':
		n := d.size(code, start, 1)
		if d.err != nil {
			return nil
		}
		v := &Set{Encoding: enc, Frozen: typ == '>'}
		reserved := flag && v.Frozen && n > 0
		if reserved {
			d.reserve(v, flag)
		} else {
			d.ref(v, flag)
		}
		v.Items = d.items(n)
		if d.err != nil {
			return nil
		}
		d.done(reserved)
		return v
	case ':':
		v := &Slice{Encoding: enc}
		d.reserve(v, flag)
		v.Start = d.value()
		v.Stop = d.value()
		v.Step = d.value()
		if d.err != nil {
			return nil
		}
		d.done(flag)
		return v
	case 'c':
		return d.code(enc, start)
	case 'C':
		// Python 1.0 to 1.2 wrote code objects as 'C'.
		if d.opts.Layout == Layout10 {
			return d.code(enc, start)
		}
	}
	d.fail(start, code, ErrUnknownType, "")
	return nil
}

// maxPrealloc caps the items allocated ahead for a container: its count
// is checked against the bytes left, but containers nested 2000 deep can
// each claim nearly all of them, which would be gigabytes allocated for a
// stream of kilobytes. Beyond the cap, items grow as they are read.
const maxPrealloc = 64

// items reads the n items of a container.
func (d *decoder) items(n int) []Value {
	items := make([]Value, 0, min(n, maxPrealloc))
	for range n {
		v := d.value()
		if d.err != nil {
			return nil
		}
		items = append(items, v)
	}
	return items
}

func (d *decoder) str(enc Encoding, b []byte, flag bool) Value {
	if d.opts.py2() {
		switch enc.Type {
		case 's', 't':
			s := &Str{Encoding: enc, Data: b}
			if enc.Type == 't' {
				d.strs = append(d.strs, s)
			}
			d.ref(s, flag)
			return s
		case 'u':
			u := &Unicode{Encoding: enc, Data: b}
			d.ref(u, flag)
			return u
		}
	} else if enc.Type == 's' {
		v := &Bytes{Encoding: enc, Data: b}
		d.ref(v, flag)
		return v
	}
	s := d.newStr()
	s.Encoding, s.Data = enc, b
	d.ref(s, flag)
	return s
}

// Small objects are carved out of slabs: one allocation for many values.
const slabSize = 64

func (d *decoder) newStr() *Str {
	if len(d.strSlab) == 0 {
		d.strSlab = make([]Str, slabSize)
	}
	s := &d.strSlab[0]
	d.strSlab = d.strSlab[1:]
	return s
}

func (d *decoder) newInt() *Int {
	if len(d.intSlab) == 0 {
		d.intSlab = make([]Int, slabSize)
	}
	v := &d.intSlab[0]
	d.intSlab = d.intSlab[1:]
	return v
}

func (d *decoder) text1(code byte) []byte {
	n := int(d.byte1(code))
	return d.bytes(n, code)
}

func (d *decoder) long(code byte, start int) *Int {
	n := d.int32(code)
	if d.err != nil {
		return nil
	}
	if n < -(1<<31 - 1) {
		d.fail(start, code, ErrBadLength, "long size out of range")
		return nil
	}
	neg := n < 0
	size := int(n)
	if neg {
		size = -size
	}
	if int64(size)*2 > int64(len(d.data)-d.pos) {
		d.fail(start, code, ErrTruncated, "long of "+strconv.Itoa(size)+" digits exceeds the bytes left")
		return nil
	}
	b := d.bytes(2*size, code)
	if d.err != nil {
		return nil
	}
	for i := 0; i < size; i++ {
		dg := binary.LittleEndian.Uint16(b[2*i:])
		if dg >= 1<<15 {
			d.fail(start, code, ErrBadLong, "digit out of range")
			return nil
		}
		if dg == 0 && i == size-1 {
			d.fail(start, code, ErrBadLong, "unnormalized long")
			return nil
		}
	}
	v := &Int{}
	if size <= 4 {
		var x uint64
		for i := size - 1; i >= 0; i-- {
			x = x<<15 | uint64(binary.LittleEndian.Uint16(b[2*i:]))
		}
		if x <= math.MaxInt64 {
			v.Small = int64(x)
			if neg {
				v.Small = -v.Small
			}
			return v
		}
	}
	z := new(big.Int)
	t := new(big.Int)
	for i := size - 1; i >= 0; i-- {
		z.Lsh(z, 15)
		z.Or(z, t.SetUint64(uint64(binary.LittleEndian.Uint16(b[2*i:]))))
	}
	if neg {
		z.Neg(z)
	}
	if z.IsInt64() {
		v.Small = z.Int64()
	} else {
		v.Big = z
	}
	return v
}

func (d *decoder) code(enc Encoding, start int) Value {
	lay := d.opts.Layout
	if !lay.CPython() {
		d.fail(start, enc.Type, ErrBadCode, "code object in a stream of unknown layout")
		return nil
	}
	c := &Code{Encoding: enc, Layout: lay, Offset: d.base + int64(start)}
	d.reserve(c, enc.Ref)
	saved := d.field
	d.codeFields(c, lay)
	d.field = saved
	if d.err != nil {
		return nil
	}
	d.done(enc.Ref)
	return c
}

// codeFields reads the fields of a code object of layout lay.
func (d *decoder) codeFields(c *Code, lay Layout) {
	i32 := func(name string) int32 {
		d.field = name
		if lay.short() {
			return d.int16('c')
		}
		return d.int32('c')
	}
	obj := func(name string) Value {
		d.field = name
		return d.value()
	}
	tup := func(name string) *Tuple {
		at := d.pos
		v := obj(name)
		if d.err != nil {
			return nil
		}
		t, ok := v.(*Tuple)
		if l, isList := v.(*List); isList && lay == Layout10 && !l.Ref {
			// Python 1.0's co_consts and co_names are lists.
			t, ok = &Tuple{Encoding: l.Encoding, Items: l.Items}, true
		}
		if !ok {
			d.fail(at, 0, ErrBadCode, "want tuple, have "+KindName(v))
			return nil
		}
		return t
	}
	// byts reads a field that CPython requires to be bytes (an 8-bit str
	// in Python 2): co_code and the tables.
	byts := func(name string) Value {
		at := d.pos
		v := obj(name)
		if d.err != nil {
			return nil
		}
		want := "bytes"
		if d.opts.py2() {
			if _, ok := v.(*Str); ok {
				return v
			}
			want = "str"
		} else if _, ok := v.(*Bytes); ok {
			return v
		}
		d.fail(at, 0, ErrBadCode, "want "+want+", have "+KindName(v))
		return nil
	}
	if lay >= Layout13 {
		c.ArgCount = i32("co_argcount")
	}
	if lay >= Layout38 {
		c.PosOnlyArgCount = i32("co_posonlyargcount")
	}
	if lay >= Layout30 {
		c.KwOnlyArgCount = i32("co_kwonlyargcount")
	}
	if lay >= Layout13 && lay < Layout311 {
		c.NLocals = i32("co_nlocals")
	}
	if lay >= Layout15 {
		c.StackSize = i32("co_stacksize")
	}
	if lay >= Layout13 {
		c.Flags = uint32(i32("co_flags"))
	}
	c.Code = byts("co_code")
	c.Consts = tup("co_consts")
	c.Names = tup("co_names")
	if lay >= Layout311 {
		c.LocalsPlusNames = tup("co_localsplusnames")
		at := d.pos
		c.LocalsPlusKinds = byts("co_localspluskinds")
		if d.err == nil && c.LocalsPlusNames != nil && len(BytesOf(c.LocalsPlusKinds)) != len(c.LocalsPlusNames.Items) {
			// CPython's _PyCode_Validate refuses this too.
			d.fail(at, 0, ErrBadCode, strconv.Itoa(len(BytesOf(c.LocalsPlusKinds)))+" kinds for "+strconv.Itoa(len(c.LocalsPlusNames.Items))+" names")
		}
	} else {
		if lay >= Layout13 {
			c.VarNames = tup("co_varnames")
		}
		if lay >= Layout21 {
			c.FreeVars = tup("co_freevars")
			c.CellVars = tup("co_cellvars")
		}
	}
	c.Filename = obj("co_filename")
	c.Name = obj("co_name")
	if lay >= Layout311 {
		c.QualName = obj("co_qualname")
	}
	if lay >= Layout15 {
		c.FirstLineNo = i32("co_firstlineno")
		c.LineTable = byts("co_lnotab")
	}
	if lay >= Layout311 {
		c.ExceptionTable = byts("co_exceptiontable")
	}
}

// parseFloat parses the text of an 'f' float or 'x' complex part as
// CPython's float() does for the forms marshal writes (including "inf",
// "nan" and their signs).
func parseFloat(b []byte) (float64, bool) {
	s := string(b)
	switch s {
	case "inf", "+inf", "Infinity", "+Infinity":
		return math.Inf(1), true
	case "-inf", "-Infinity":
		return math.Inf(-1), true
	case "nan", "+nan", "-nan":
		return math.NaN(), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

// KindName returns the Python type name of a value ("tuple", "str", "code",
// ...), for messages.
func KindName(v Value) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case Singleton:
		switch x.Kind() {
		case None:
			return "NoneType"
		case True, False:
			return "bool"
		case StopIteration:
			return "StopIteration"
		case Ellipsis:
			return "ellipsis"
		}
		return "singleton"
	case *Int:
		if x.Type == 'l' {
			return "long"
		}
		return "int"
	case *Float:
		return "float"
	case *Complex:
		return "complex"
	case *Bytes:
		return "bytes"
	case *Str:
		return "str"
	case *Unicode:
		return "unicode"
	case *Tuple:
		return "tuple"
	case *List:
		return "list"
	case *Dict:
		if x.Type == '}' {
			return "frozendict"
		}
		return "dict"
	case *Set:
		if x.Frozen {
			return "frozenset"
		}
		return "set"
	case *Slice:
		return "slice"
	case *Code, *GraalCode, *RustCode:
		return "code"
	case *GraalCodeUnit:
		return "GraalPy code unit"
	case *GraalArray:
		return "GraalPy array"
	}
	return "?"
}

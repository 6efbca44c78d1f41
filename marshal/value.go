package marshal

import (
	"math/big"
)

// Value is one object of a marshal stream. Its dynamic type is one of
// Singleton, *Int, *Float, *Complex, *Bytes, *Str, *Unicode, *Tuple, *List,
// *Dict, *Set, *Code or *Slice; in GraalPy and RustPython streams also
// *GraalCode, *GraalCodeUnit, *GraalArray and *RustCode (GraalPy's NO_VALUE is the Singleton GraalNoValue) (see
// graal.go and rustpython.go).
//
// Values other than Singleton are pointers. Pointer identity is object
// identity: a back-reference in the stream decodes to the same pointer as the
// object it refers to, and the encoder writes a back-reference when it meets
// a pointer it has already written.
type Value interface {
	isValue()
}

// Encoding is how one object was (or is to be) written: the type code without
// FLAG_REF, and whether FLAG_REF was set on it. It is embedded in every
// pointer value so that a decoded stream encodes back to the same bytes.
type Encoding struct {
	// Type is the marshal type code, such as 'u', 'a', 'z', 's', '(' or ')'.
	// Zero means "choose as CPython's marshal would" when encoding.
	Type byte
	// Ref reports whether the object carried FLAG_REF (0x80), which makes it
	// a target for later back-references ('r').
	Ref bool
}

// Enc returns the encoding record of the value.
func (e *Encoding) Enc() *Encoding { return e }

// Encoded is implemented by every pointer value: it gives access to the
// value's Encoding.
type Encoded interface {
	Value
	Enc() *Encoding
}

// Singleton is one of the objects that marshal writes as a bare type code:
// None, True, False, StopIteration and Ellipsis. Its value is the type code
// itself; a code with FLAG_REF set (which CPython's reader accepts and
// ignores) keeps the flag so that it encodes back unchanged.
type Singleton byte

// The singletons, each equal to its type code.
const (
	None          Singleton = 'N'
	True          Singleton = 'T'
	False         Singleton = 'F'
	StopIteration Singleton = 'S'
	Ellipsis      Singleton = '.'
)

func (Singleton) isValue() {}

// Kind returns the singleton with FLAG_REF cleared, for comparison with None,
// True and the other constants.
func (s Singleton) Kind() Singleton { return s &^ flagRef }

// String returns the Python name of the singleton.
func (s Singleton) String() string {
	switch s.Kind() {
	case None:
		return "None"
	case True:
		return "True"
	case False:
		return "False"
	case StopIteration:
		return "StopIteration"
	case Ellipsis:
		return "Ellipsis"
	}
	return "Singleton(" + string(rune(s)) + ")"
}

// Int is an integer: 'i' (32 bits), 'I' (64 bits, Python 2) or 'l' (a long,
// written in 15-bit digits). Python 2 distinguishes int from long; Type keeps
// which one the stream held. Big is nil whenever the value fits in Small.
type Int struct {
	Encoding
	Small int64
	Big   *big.Int
}

func (*Int) isValue() {}

// BigInt returns the value as a new big.Int.
func (v *Int) BigInt() *big.Int {
	if v.Big != nil {
		return new(big.Int).Set(v.Big)
	}
	return big.NewInt(v.Small)
}

// IsLong reports whether the value was written as a long ('l').
func (v *Int) IsLong() bool { return v.Type == 'l' }

// Float is a float: 'g' (8 bytes IEEE 754) or 'f' (text). Text is the exact
// text of an 'f' float, kept so that it encodes back unchanged.
type Float struct {
	Encoding
	Value float64
	Text  []byte
}

func (*Float) isValue() {}

// Complex is a complex number: 'y' (binary) or 'x' (text). RealText and
// ImagText are the exact texts of an 'x' complex.
type Complex struct {
	Encoding
	Real, Imag         float64
	RealText, ImagText []byte
}

func (*Complex) isValue() {}

// Bytes is a Python 3 bytes object ('s').
type Bytes struct {
	Encoding
	Data []byte
}

func (*Bytes) isValue() {}

// Str is a Python str: in Python 3 a text string ('u', 't', 'a', 'A', 'z',
// 'Z', whose Data is the UTF-8 bytes CPython wrote, surrogates included); in
// Python 2 an 8-bit string ('s', or 't' when interned), whose Data is the raw
// bytes.
type Str struct {
	Encoding
	Data []byte
}

func (*Str) isValue() {}

// String returns the string's bytes as a Go string.
func (s *Str) String() string { return string(s.Data) }

// Interned reports whether the string was written as an interned string.
func (s *Str) Interned() bool { return s.Type == 't' || s.Type == 'A' || s.Type == 'Z' }

// Unicode is a Python 2 unicode object ('u'); Data is its UTF-8 encoding.
type Unicode struct {
	Encoding
	Data []byte
}

func (*Unicode) isValue() {}

// String returns the text as a Go string.
func (u *Unicode) String() string { return string(u.Data) }

// Tuple is a tuple: '(' (32-bit count) or ')' (small tuple, 8-bit count).
type Tuple struct {
	Encoding
	Items []Value
}

func (*Tuple) isValue() {}

// Strings returns the items as Go strings when every item is a *Str or
// *Unicode (as in co_names and co_varnames), and nil, false otherwise.
func (t *Tuple) Strings() ([]string, bool) {
	if t == nil {
		return nil, true
	}
	out := make([]string, len(t.Items))
	for i, it := range t.Items {
		switch s := it.(type) {
		case *Str:
			out[i] = string(s.Data)
		case *Unicode:
			out[i] = string(s.Data)
		default:
			return nil, false
		}
	}
	return out, true
}

// Len returns the number of items; a nil tuple has none.
func (t *Tuple) Len() int {
	if t == nil {
		return 0
	}
	return len(t.Items)
}

// List is a list ('[').
type List struct {
	Encoding
	Items []Value
}

func (*List) isValue() {}

// Dict is a dict ('{'), its items in stream order.
type Dict struct {
	Encoding
	Items []DictItem
}

// DictItem is one key and value of a Dict.
type DictItem struct {
	Key, Value Value
}

func (*Dict) isValue() {}

// Set is a set ('<') or, with Frozen, a frozenset ('>'), its items in stream
// order.
type Set struct {
	Encoding
	Frozen bool
	Items  []Value
}

func (*Set) isValue() {}

// Slice is a slice object (':', marshal version 5, Python 3.14).
type Slice struct {
	Encoding
	Start, Stop, Step Value
}

func (*Slice) isValue() {}

const flagRef = 0x80

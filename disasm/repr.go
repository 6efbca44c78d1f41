package disasm

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pyc-tools/pyc/internal/pyunicode"
	"github.com/pyc-tools/pyc/marshal"
)

// ReprStyle selects the repr rules of a Python generation.
type ReprStyle struct {
	// Python2: str is 8-bit, unicode has a u prefix and escapes all
	// non-ASCII, longs end in L.
	Python2 bool
	// CodeAddr returns the text after "at " in a code object's repr; nil
	// gives a fixed dummy address. CPython prints the object's address,
	// which differs from run to run.
	CodeAddr func(*marshal.Code) string
	// unicode answers str.isprintable for the version's Unicode database.
	unicode *pyunicode.Table
}

// NewReprStyle returns the repr rules of Python major.minor, including its
// Unicode database's idea of which characters are printable.
func NewReprStyle(major, minor int) ReprStyle {
	return ReprStyle{Python2: major < 3, unicode: pyunicode.For(major, minor)}
}

// Repr returns Python's repr() of a marshalled value as the style's Python
// prints it. Sets and frozensets keep the order stored in the stream.
func (s ReprStyle) Repr(v marshal.Value) string {
	var b buf
	s.repr(&b, v, &reprState{limit: maxRepr})
	return string(b)
}

// AppendRepr appends Python's repr() of v to dst.
func (s ReprStyle) AppendRepr(dst []byte, v marshal.Value) []byte {
	b := buf(dst)
	s.repr(&b, v, &reprState{limit: len(dst) + maxRepr})
	return b
}

// maxRepr caps one repr's length. Back-references let a tiny stream describe
// a constant whose repr is exponentially long (a tuple holding the same
// tuple twice, nested); past this many bytes the rest is written as "...".
const maxRepr = 1 << 20

// reprState follows one repr: the containers being printed (a container
// met again inside itself prints as "(...)", as CPython's repr does for
// recursive containers) and the output budget.
type reprState struct {
	stack []marshal.Value
	limit int
}

// enter reports whether v may be printed: false (after writing the
// placeholder) for a container already being printed or when the budget
// is spent.
func (st *reprState) enter(b *buf, v marshal.Value) bool {
	if len(*b) > st.limit || len(st.stack) > marshal.MaxDepth {
		b.str("...")
		return false
	}
	switch v.(type) {
	case *marshal.Tuple, *marshal.List, *marshal.Set, *marshal.Dict, *marshal.Slice:
		for _, a := range st.stack {
			if a == v {
				switch v.(type) {
				case *marshal.Tuple:
					b.str("(...)")
				case *marshal.List:
					b.str("[...]")
				default:
					b.str("{...}")
				}
				return false
			}
		}
		st.stack = append(st.stack, v)
	}
	return true
}

func (st *reprState) leave(v marshal.Value) {
	if n := len(st.stack); n > 0 && st.stack[n-1] == v {
		st.stack = st.stack[:n-1]
	}
}

// buf is an append-only byte buffer with the writer methods the repr code
// uses; unlike strings.Builder it can be reset and reused without
// reallocating.
type buf []byte

func (b *buf) str(s string) { *b = append(*b, s...) }
func (b *buf) byte1(c byte) { *b = append(*b, c) }
func (b *buf) rune1(r rune) { *b = utf8.AppendRune(*b, r) }

func (s ReprStyle) repr(b *buf, v marshal.Value, st *reprState) {
	if !st.enter(b, v) {
		return
	}
	defer st.leave(v)
	switch x := v.(type) {
	case nil:
		b.str("NULL")
	case marshal.Singleton:
		b.str(x.String())
	case *marshal.Int:
		if x.Big != nil {
			b.str(x.Big.String())
		} else {
			b.str(strconv.FormatInt(x.Small, 10))
		}
		if s.Python2 && x.Type == 'l' {
			b.byte1('L')
		}
	case *marshal.Float:
		b.str(marshal.FloatRepr(x.Value))
	case *marshal.Complex:
		b.str(complexRepr(x.Real, x.Imag))
	case *marshal.Bytes:
		b.byte1('b')
		bytesRepr(b, x.Data)
	case *marshal.Str:
		if s.Python2 {
			bytesRepr(b, x.Data)
		} else {
			s.strRepr(b, x.Data)
		}
	case *marshal.Unicode:
		b.byte1('u')
		unicodeRepr2(b, x.Data)
	case *marshal.Tuple:
		b.byte1('(')
		for i, it := range x.Items {
			if i > 0 {
				b.str(", ")
			}
			s.repr(b, it, st)
		}
		if len(x.Items) == 1 {
			b.byte1(',')
		}
		b.byte1(')')
	case *marshal.List:
		b.byte1('[')
		for i, it := range x.Items {
			if i > 0 {
				b.str(", ")
			}
			s.repr(b, it, st)
		}
		b.byte1(']')
	case *marshal.Set:
		if len(x.Items) == 0 {
			if x.Frozen {
				b.str("frozenset()")
			} else {
				b.str("set()")
			}
			return
		}
		if x.Frozen {
			b.str("frozenset(")
		} else if s.Python2 {
			b.str("set(")
		}
		if s.Python2 {
			b.byte1('[')
		} else {
			b.byte1('{')
		}
		for i, it := range x.Items {
			if i > 0 {
				b.str(", ")
			}
			s.repr(b, it, st)
		}
		if s.Python2 {
			b.byte1(']')
		} else {
			b.byte1('}')
		}
		if x.Frozen || s.Python2 {
			b.byte1(')')
		}
	case *marshal.Dict:
		if x.Type == '}' {
			b.str("frozendict(")
		}
		b.byte1('{')
		for i, it := range x.Items {
			if i > 0 {
				b.str(", ")
			}
			s.repr(b, it.Key, st)
			b.str(": ")
			s.repr(b, it.Value, st)
		}
		b.byte1('}')
		if x.Type == '}' {
			b.byte1(')')
		}
	case *marshal.Slice:
		b.str("slice(")
		s.repr(b, x.Start, st)
		b.str(", ")
		s.repr(b, x.Stop, st)
		b.str(", ")
		s.repr(b, x.Step, st)
		b.byte1(')')
	case *marshal.Code:
		b.str(s.CodeRepr(x))
	default:
		b.str("<?>")
	}
}

// CodeRepr returns `<code object NAME at 0x..., file "FILE", line N>`.
func (s ReprStyle) CodeRepr(c *marshal.Code) string {
	addr := "0x7f0000000000"
	if s.CodeAddr != nil {
		addr = s.CodeAddr(c)
	}
	line := "line " + strconv.Itoa(int(c.FirstLineNo))
	if c.Layout < marshal.Layout15 {
		line = "line -1"
	}
	return "<code object " + c.NameString() + " at " + addr + ", file \"" + c.FilenameString() + "\", " + line + ">"
}

// complexRepr follows CPython's complex_repr: "imagj" when the real part is
// +0.0, "(real+imagj)" otherwise, each part in repr form without ".0".
func complexRepr(re, im float64) string {
	part := func(f float64) string {
		switch {
		case math.IsInf(f, 1):
			return "inf"
		case math.IsInf(f, -1):
			return "-inf"
		case math.IsNaN(f):
			return "nan"
		}
		r := marshal.FloatRepr(f)
		return strings.TrimSuffix(r, ".0")
	}
	if re == 0 && !math.Signbit(re) {
		return part(im) + "j"
	}
	ims := part(im)
	if !strings.HasPrefix(ims, "-") {
		ims = "+" + ims
	}
	return "(" + part(re) + ims + "j)"
}

// quoteFor picks the quote Python's repr uses: ' unless the text holds '
// and no ".
func quoteFor(data []byte) byte {
	hasSingle, hasDouble := false, false
	for _, c := range data {
		switch c {
		case '\'':
			hasSingle = true
		case '"':
			hasDouble = true
		}
	}
	if hasSingle && !hasDouble {
		return '"'
	}
	return '\''
}

const hexdigits = "0123456789abcdef"

// AppendBytesLiteral appends Python 3's repr of a bytes object holding data
// (b'...', with repr's choice of quote and escapes) to dst, whole however
// long: no output budget applies.
func AppendBytesLiteral(dst, data []byte) []byte {
	b := buf(append(dst, 'b'))
	bytesRepr(&b, data)
	return b
}

func bytesRepr(b *buf, data []byte) {
	q := quoteFor(data)
	b.byte1(q)
	for _, c := range data {
		switch {
		case c == q || c == '\\':
			b.byte1('\\')
			b.byte1(c)
		case c == '\t':
			b.str(`\t`)
		case c == '\n':
			b.str(`\n`)
		case c == '\r':
			b.str(`\r`)
		case c < 0x20 || c >= 0x7f:
			b.str(`\x`)
			b.byte1(hexdigits[c>>4])
			b.byte1(hexdigits[c&15])
		default:
			b.byte1(c)
		}
	}
	b.byte1(q)
}

// decodeSurrogatePass decodes one code point of UTF-8 that may encode
// surrogates (as CPython's "surrogatepass" writes them).
func decodeSurrogatePass(data []byte) (rune, int) {
	r, n := utf8.DecodeRune(data)
	if r != utf8.RuneError || n != 1 {
		return r, n
	}
	if len(data) >= 3 && data[0] == 0xed && data[1]&0xe0 == 0xa0 && data[2]&0xc0 == 0x80 {
		return rune(data[0]&0x0f)<<12 | rune(data[1]&0x3f)<<6 | rune(data[2]&0x3f), 3
	}
	return -1, 1
}

func writeEscape(b *buf, r rune) {
	switch {
	case r < 0x100:
		b.str(`\x`)
		b.str(hex2(uint32(r), 2))
	case r < 0x10000:
		b.str(`\u`)
		b.str(hex2(uint32(r), 4))
	default:
		b.str(`\U`)
		b.str(hex2(uint32(r), 8))
	}
}

func hex2(v uint32, n int) string {
	buf := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		buf[i] = hexdigits[v&15]
		v >>= 4
	}
	return string(buf)
}

// strRepr is Python 3's str repr: printable characters as they are, others
// escaped.
func (s ReprStyle) strRepr(b *buf, data []byte) { textRepr(b, data, s.isPrintable) }

// unicodeRepr2 is Python 2's unicode repr: printable ASCII as is, all else
// escaped.
func unicodeRepr2(b *buf, data []byte) { textRepr(b, data, nil) }

// textRepr writes a quoted text literal: the quote and backslash escaped,
// \t \n \r by name, other control characters and DEL as \xNN, and
// non-ASCII characters as they are when printable says so (never when it is
// nil), else as \xNN, \uNNNN or \UNNNNNNNN.
func textRepr(b *buf, data []byte, printable func(rune) bool) {
	q := quoteFor(data)
	b.byte1(q)
	for i := 0; i < len(data); {
		r, n := decodeSurrogatePass(data[i:])
		if r < 0 {
			// Invalid UTF-8 cannot come from CPython; show the byte.
			writeEscape(b, rune(data[i]))
			i++
			continue
		}
		i += n
		switch {
		case r == rune(q) || r == '\\':
			b.byte1('\\')
			b.rune1(r)
		case r == '\t':
			b.str(`\t`)
		case r == '\n':
			b.str(`\n`)
		case r == '\r':
			b.str(`\r`)
		case r < 0x20 || r == 0x7f:
			writeEscape(b, r)
		case r < 0x7f || printable != nil && printable(r):
			b.rune1(r)
		default:
			writeEscape(b, r)
		}
	}
	b.byte1(q)
}

// isPrintable follows str.isprintable of the style's version (everything
// but the categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs other than the ASCII
// space, by that version's Unicode database).
func (s ReprStyle) isPrintable(r rune) bool {
	if s.unicode == nil {
		return pyunicode.IsPrintable(3, 99, r)
	}
	return s.unicode.IsPrintable(r)
}

package disasm

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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
}

// Repr returns Python's repr() of a marshalled value as the style's Python
// prints it. Sets and frozensets keep the order stored in the stream.
func (s ReprStyle) Repr(v marshal.Value) string {
	var b strings.Builder
	s.repr(&b, v, 0)
	return b.String()
}

func (s ReprStyle) repr(b *strings.Builder, v marshal.Value, depth int) {
	if depth > marshal.MaxDepth {
		b.WriteString("...")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("NULL")
	case marshal.Singleton:
		b.WriteString(x.String())
	case *marshal.Int:
		if x.Big != nil {
			b.WriteString(x.Big.String())
		} else {
			b.WriteString(strconv.FormatInt(x.Small, 10))
		}
		if s.Python2 && x.Type == 'l' {
			b.WriteByte('L')
		}
	case *marshal.Float:
		b.WriteString(marshal.FloatRepr(x.Value))
	case *marshal.Complex:
		b.WriteString(complexRepr(x.Real, x.Imag))
	case *marshal.Bytes:
		b.WriteByte('b')
		bytesRepr(b, x.Data)
	case *marshal.Str:
		if s.Python2 {
			bytesRepr(b, x.Data)
		} else {
			strRepr(b, x.Data)
		}
	case *marshal.Unicode:
		b.WriteByte('u')
		unicodeRepr2(b, x.Data)
	case *marshal.Tuple:
		b.WriteByte('(')
		for i, it := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			s.repr(b, it, depth+1)
		}
		if len(x.Items) == 1 {
			b.WriteByte(',')
		}
		b.WriteByte(')')
	case *marshal.List:
		b.WriteByte('[')
		for i, it := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			s.repr(b, it, depth+1)
		}
		b.WriteByte(']')
	case *marshal.Set:
		if len(x.Items) == 0 {
			if x.Frozen {
				b.WriteString("frozenset()")
			} else {
				b.WriteString("set()")
			}
			return
		}
		if x.Frozen {
			b.WriteString("frozenset(")
		} else if s.Python2 {
			b.WriteString("set(")
		}
		if s.Python2 {
			b.WriteByte('[')
		} else {
			b.WriteByte('{')
		}
		for i, it := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			s.repr(b, it, depth+1)
		}
		if s.Python2 {
			b.WriteByte(']')
		} else {
			b.WriteByte('}')
		}
		if x.Frozen || s.Python2 {
			b.WriteByte(')')
		}
	case *marshal.Dict:
		if x.Type == '}' {
			b.WriteString("frozendict(")
		}
		b.WriteByte('{')
		for i, it := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			s.repr(b, it.Key, depth+1)
			b.WriteString(": ")
			s.repr(b, it.Value, depth+1)
		}
		b.WriteByte('}')
		if x.Type == '}' {
			b.WriteByte(')')
		}
	case *marshal.Slice:
		b.WriteString("slice(")
		s.repr(b, x.Start, depth+1)
		b.WriteString(", ")
		s.repr(b, x.Stop, depth+1)
		b.WriteString(", ")
		s.repr(b, x.Step, depth+1)
		b.WriteByte(')')
	case *marshal.Code:
		b.WriteString(s.CodeRepr(x))
	default:
		b.WriteString("<?>")
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

func bytesRepr(b *strings.Builder, data []byte) {
	q := quoteFor(data)
	b.WriteByte(q)
	for _, c := range data {
		switch {
		case c == q || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\t':
			b.WriteString(`\t`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\r':
			b.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			b.WriteString(`\x`)
			b.WriteByte(hexdigits[c>>4])
			b.WriteByte(hexdigits[c&15])
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(q)
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

func writeEscape(b *strings.Builder, r rune) {
	switch {
	case r < 0x100:
		b.WriteString(`\x`)
		b.WriteString(hex2(uint32(r), 2))
	case r < 0x10000:
		b.WriteString(`\u`)
		b.WriteString(hex2(uint32(r), 4))
	default:
		b.WriteString(`\U`)
		b.WriteString(hex2(uint32(r), 8))
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
func strRepr(b *strings.Builder, data []byte) {
	q := quoteFor(data)
	b.WriteByte(q)
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
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			writeEscape(b, r)
		case r < 0x7f:
			b.WriteRune(r)
		case isPrintable(r):
			b.WriteRune(r)
		default:
			writeEscape(b, r)
		}
	}
	b.WriteByte(q)
}

// isPrintable follows str.isprintable: everything but the categories Cc,
// Cf, Cs, Co, Cn, Zl, Zp and Zs other than the ASCII space.
func isPrintable(r rune) bool {
	if r >= 0xd800 && r <= 0xdfff {
		return false
	}
	return unicode.IsPrint(r)
}

// unicodeRepr2 is Python 2's unicode repr: ASCII printable as is, the rest
// escaped.
func unicodeRepr2(b *strings.Builder, data []byte) {
	q := quoteFor(data)
	b.WriteByte(q)
	for i := 0; i < len(data); {
		r, n := decodeSurrogatePass(data[i:])
		if r < 0 {
			writeEscape(b, rune(data[i]))
			i++
			continue
		}
		i += n
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r >= 0x7f:
			writeEscape(b, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
}

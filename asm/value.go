package asm

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pyc-tools/pyc/build"
	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/marshal"
)

// This file prints constants as Python literals, with the annotations that
// pin down their encoding, and reads them back.
//
// Annotation syntax, right after a value:
//
//	!T   the marshal type code T (z Z a A u t s i I l f g x y ( ) ...)
//	!+   FLAG_REF set      !-   FLAG_REF clear      (combinable: !Z+)
//	&N   identity tag N: equal values with different tags stay apart

// annotation returns the text of a Spec (empty for none).
func annotation(sp build.Spec) string {
	var b strings.Builder
	if sp.Type != 0 || sp.Ref != build.RefDefault {
		b.WriteByte('!')
		if sp.Type != 0 {
			b.WriteByte(sp.Type)
		}
		switch sp.Ref {
		case build.RefSet:
			b.WriteByte('+')
		case build.RefClear:
			b.WriteByte('-')
		}
	}
	if sp.Tag != 0 {
		b.WriteString("&" + strconv.Itoa(sp.Tag))
	}
	return b.String()
}

// typeCodes are the marshal type codes an annotation may name.
const typeCodes = "zZaAutsiIlfgxy()[{}<>:cC"

// validSurrogatePass reports whether data decodes as UTF-8 in which
// surrogates are allowed (as CPython's marshal writes str).
func validSurrogatePass(data []byte) bool {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			if len(data)-i >= 3 && data[i] == 0xed && data[i+1]&0xe0 == 0xa0 && data[i+2]&0xc0 == 0x80 {
				i += 3
				continue
			}
			return false
		}
		i += n
	}
	return true
}

// appendSurrogatePass appends r as UTF-8, surrogates included.
func appendSurrogatePass(b []byte, r rune) []byte {
	if r >= 0xd800 && r <= 0xdfff {
		return append(b, 0xed, byte(0xa0|(r>>6)&0x1f), byte(0x80|r&0x3f))
	}
	return utf8.AppendRune(b, r)
}

// decodeString decodes a string literal token. It returns the bytes (for
// text, UTF-8 with surrogates allowed) and the prefix letters, lowered.
func decodeString(tok string) (data []byte, prefix string, err error) {
	i := 0
	for i < len(tok) && tok[i] != '\'' && tok[i] != '"' {
		i++
	}
	prefix = strings.ToLower(tok[:i])
	raw := strings.Contains(prefix, "r")
	isBytes := strings.Contains(prefix, "b")
	body := tok[i+1 : len(tok)-1]
	out := make([]byte, 0, len(body))
	for j := 0; j < len(body); {
		c := body[j]
		if c != '\\' || raw {
			if isBytes && c >= 0x80 {
				return nil, prefix, fmt.Errorf("non-ASCII character in a bytes literal")
			}
			out = append(out, c)
			j++
			continue
		}
		if j+1 >= len(body) {
			return nil, prefix, fmt.Errorf("backslash at the end of a string")
		}
		e := body[j+1]
		j += 2
		hex := func(n int) (rune, error) {
			if j+n > len(body) {
				return 0, fmt.Errorf("truncated \\%c escape", e)
			}
			v, err := strconv.ParseUint(body[j:j+n], 16, 32)
			if err != nil {
				return 0, fmt.Errorf("bad \\%c escape %q", e, body[j:j+n])
			}
			j += n
			return rune(v), nil
		}
		switch e {
		case '\\', '\'', '"':
			out = append(out, e)
		case 'n':
			out = append(out, '\n')
		case 't':
			out = append(out, '\t')
		case 'r':
			out = append(out, '\r')
		case 'a':
			out = append(out, 7)
		case 'b':
			out = append(out, 8)
		case 'f':
			out = append(out, 12)
		case 'v':
			out = append(out, 11)
		case '\n':
		case 'x':
			r, err := hex(2)
			if err != nil {
				return nil, prefix, err
			}
			if isBytes {
				out = append(out, byte(r))
			} else {
				out = append(out, 0) // placeholder, fixed by the caller's mode
				out = out[:len(out)-1]
				out = appendSurrogatePass(out, r)
			}
		case 'u', 'U':
			if isBytes {
				out = append(out, '\\', e)
				continue
			}
			n := 4
			if e == 'U' {
				n = 8
			}
			r, err := hex(n)
			if err != nil {
				return nil, prefix, err
			}
			if r > 0x10ffff {
				return nil, prefix, fmt.Errorf("\\U escape out of range")
			}
			out = appendSurrogatePass(out, r)
		default:
			if e >= '0' && e <= '7' {
				v := int(e - '0')
				for k := 0; k < 2 && j < len(body) && body[j] >= '0' && body[j] <= '7'; k++ {
					v = v*8 + int(body[j]-'0')
					j++
				}
				if isBytes {
					out = append(out, byte(v))
				} else {
					out = appendSurrogatePass(out, rune(v))
				}
				continue
			}
			out = append(out, '\\', e)
		}
	}
	return out, prefix, nil
}

// decodeByteString decodes a Python 2 str literal: escapes give bytes, and
// other characters their UTF-8 bytes.
func decodeByteString(tok string) ([]byte, error) {
	i := 0
	for i < len(tok) && tok[i] != '\'' && tok[i] != '"' {
		i++
	}
	// Decode as bytes, letting non-ASCII source characters through.
	prefix := strings.ToLower(tok[:i])
	body := tok[i+1 : len(tok)-1]
	if strings.Contains(prefix, "r") {
		return []byte(body), nil
	}
	var src strings.Builder
	for _, r := range body {
		if r >= 0x80 {
			for _, b := range []byte(string(r)) {
				fmt.Fprintf(&src, "\\x%02x", b)
			}
			continue
		}
		src.WriteRune(r)
	}
	data, _, err := decodeString("b'" + src.String() + "'")
	return data, err
}

// formatFloat returns the literal for a float: its repr when that reads
// back to the same bits, float.frombits(0x...) otherwise.
func formatFloat(f float64) string {
	s := marshal.FloatRepr(f)
	if g, ok := parseFloatLiteral(s); ok && math.Float64bits(g) == math.Float64bits(f) {
		return s
	}
	return fmt.Sprintf("float.frombits(0x%016x)", math.Float64bits(f))
}

// parseFloatLiteral parses a float as repr writes it, inf and nan
// included.
func parseFloatLiteral(s string) (float64, bool) {
	neg := strings.HasPrefix(s, "-")
	t := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	var f float64
	switch t {
	case "inf":
		f = math.Inf(1)
	case "nan":
		f = math.NaN()
	default:
		v, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
				return 0, false
			}
		}
		f = v
	}
	if neg {
		f = -f
	}
	return f, true
}

// complexPart is complex_repr's text of one part.
func complexPart(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		if math.Signbit(f) {
			return "-nan"
		}
		return "nan"
	}
	return strings.TrimSuffix(marshal.FloatRepr(f), ".0")
}

// formatComplex returns the literal of a complex value: Python's repr when
// it reads back to the same bits.
func formatComplex(re, im float64) string {
	var s string
	if re == 0 && !math.Signbit(re) {
		s = complexPart(im) + "j"
	} else {
		ims := complexPart(im)
		if !strings.HasPrefix(ims, "-") {
			ims = "+" + ims
		}
		s = "(" + complexPart(re) + ims + "j)"
	}
	if r, i, ok := parseComplexRepr(s); ok && math.Float64bits(r) == math.Float64bits(re) && math.Float64bits(i) == math.Float64bits(im) {
		return s
	}
	return fmt.Sprintf("complex.frombits(0x%016x, 0x%016x)", math.Float64bits(re), math.Float64bits(im))
}

// parseComplexRepr parses what formatComplex writes in its first form.
func parseComplexRepr(s string) (re, im float64, ok bool) {
	if !strings.HasPrefix(s, "(") {
		v, ok := parseFloatLiteral(strings.TrimSuffix(s, "j"))
		return 0, v, ok && strings.HasSuffix(s, "j")
	}
	s = strings.TrimSuffix(strings.TrimPrefix(s, "("), "j)")
	// Split at the sign of the imaginary part: the last + or - not
	// starting the string and not following an 'e'.
	for k := len(s) - 1; k > 0; k-- {
		if (s[k] == '+' || s[k] == '-') && s[k-1] != 'e' && s[k-1] != 'E' {
			r, ok1 := parseFloatLiteral(s[:k])
			i, ok2 := parseFloatLiteral(s[k:])
			return r, i, ok1 && ok2
		}
	}
	return 0, 0, false
}

// intLiteral returns the decimal text of an int.
func intLiteral(x *marshal.Int) string {
	if x.Big != nil {
		return x.Big.String()
	}
	return strconv.FormatInt(x.Small, 10)
}

// parseIntLiteral parses a decimal or 0x integer, possibly huge.
func parseIntLiteral(s string) (*marshal.Int, bool) {
	s = strings.ReplaceAll(s, "_", "")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	base := 10
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		base, s = 16, s[2:]
	}
	z, ok := new(big.Int).SetString(s, base)
	if !ok {
		return nil, false
	}
	if neg {
		z.Neg(z)
	}
	if z.IsInt64() {
		return &marshal.Int{Small: z.Int64()}, true
	}
	return &marshal.Int{Big: z}, true
}

// bytesLiteral is Python's repr of bytes.
func bytesLiteral(data []byte) string {
	return string(disasm.AppendBytesLiteral(make([]byte, 0, len(data)+3), data))
}

// hexBytesLiteral writes bytes as b'\xNN...', every byte escaped.
func hexBytesLiteral(data []byte) string {
	var b strings.Builder
	b.WriteString("b'")
	for _, c := range data {
		fmt.Fprintf(&b, `\x%02x`, c)
	}
	b.WriteByte('\'')
	return b.String()
}

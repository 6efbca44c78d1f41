package disasm

import (
	"io"
	"math"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

func TestRepr(t *testing.T) {
	str := func(s string) *marshal.Str { return &marshal.Str{Data: []byte(s)} }
	py3 := NewReprStyle(3, 12)
	py2 := NewReprStyle(2, 7)
	tests := []struct {
		style ReprStyle
		v     marshal.Value
		want  string
	}{
		{py3, marshal.None, "None"},
		{py3, str("it's"), `"it's"`},
		{py3, str(`both ' and "`), `'both \' and "'`},
		{py3, str("tab\there\x00\x7f"), `'tab\there\x00\x7f'`},
		{py3, str("é\u00ad\U0001F600"), `'é\xad😀'`},
		{py3, &marshal.Str{Data: []byte{0xed, 0xa0, 0x80}}, `'\ud800'`},
		{py3, &marshal.Bytes{Data: []byte("a'\xff")}, `b"a'\xff"`},
		{py2, str("a\xff"), `'a\xff'`},
		{py2, &marshal.Unicode{Data: []byte("é")}, `u'\xe9'`},
		{py2, &marshal.Int{Encoding: marshal.Encoding{Type: 'l'}, Small: 5}, "5L"},
		{py3, &marshal.Float{Value: 1e16}, "1e+16"},
		{py3, &marshal.Complex{Real: 0, Imag: 2}, "2j"},
		{py3, &marshal.Complex{Real: 1, Imag: -2.5}, "(1-2.5j)"},
		{py3, &marshal.Complex{Real: math.Copysign(0, -1), Imag: 1}, "(-0+1j)"},
		{py3, &marshal.Tuple{Items: []marshal.Value{marshal.True}}, "(True,)"},
		{py3, &marshal.Set{Frozen: true}, "frozenset()"},
		{py3, &marshal.Set{Frozen: true, Items: []marshal.Value{&marshal.Int{Small: 1}}}, "frozenset({1})"},
		{py2, &marshal.Set{Frozen: true, Items: []marshal.Value{&marshal.Int{Small: 1}}}, "frozenset([1])"},
	}
	for _, tt := range tests {
		if have := tt.style.Repr(tt.v); have != tt.want {
			t.Errorf("have %s, want %s", have, tt.want)
		}
	}
}

// A tuple holding itself prints as CPython prints recursive containers, and
// shared sub-tuples nested deep cannot blow the output up.
func TestReprHostile(t *testing.T) {
	self := &marshal.Tuple{}
	self.Items = []marshal.Value{self, &marshal.Int{Small: 1}}
	if have := NewReprStyle(3, 12).Repr(self); have != "((...), 1)" {
		t.Errorf("have %s", have)
	}
	v := marshal.Value(&marshal.Str{Data: []byte("x")})
	for i := 0; i < 60; i++ {
		v = &marshal.Tuple{Items: []marshal.Value{v, v}}
	}
	r := NewReprStyle(3, 12).Repr(v)
	if len(r) > 2*maxRepr || !strings.HasSuffix(r, ")") {
		t.Errorf("repr of 2**60 shared leaves: %d bytes", len(r))
	}
}

// A code object that holds itself, or code objects shared exponentially,
// end with an error instead of running forever.
func TestDisHostileSharing(t *testing.T) {
	v := pycVersion(t, "3.13")
	mk := func() *marshal.Code {
		return &marshal.Code{Layout: marshal.Layout311, Code: &marshal.Bytes{Data: []byte{0x79, 0x00}},
			Consts: &marshal.Tuple{}, Names: &marshal.Tuple{}, LocalsPlusNames: &marshal.Tuple{},
			LocalsPlusKinds: &marshal.Bytes{}, Filename: &marshal.Str{Data: []byte("f")},
			Name: &marshal.Str{Data: []byte("f")}, QualName: &marshal.Str{Data: []byte("f")},
			LineTable: &marshal.Bytes{}, ExceptionTable: &marshal.Bytes{}}
	}
	self := mk()
	self.Consts.Items = []marshal.Value{self}
	c, err := NewCode(self, v)
	if err != nil {
		t.Fatal(err)
	}
	if err := Dis(io.Discard, c, DisOptions{}); err == nil || !strings.Contains(err.Error(), "contains itself") {
		t.Errorf("self-containing code: %v", err)
	}
	leaf := mk()
	for i := 0; i < 40; i++ {
		up := mk()
		up.Consts.Items = []marshal.Value{leaf, leaf}
		leaf = up
	}
	c, _ = NewCode(leaf, v)
	if err := Dis(io.Discard, c, DisOptions{}); err == nil || !strings.Contains(err.Error(), "listings") {
		t.Errorf("shared code: %v", err)
	}
}

func pycVersion(t *testing.T, s string) *pyc.Version {
	v, err := pyc.ParseVersion(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

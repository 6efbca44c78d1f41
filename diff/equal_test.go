package diff

import (
	"math"
	"math/big"
	"testing"

	"github.com/pyc-tools/pyc/marshal"
)

func str(typ byte, s string) *marshal.Str {
	return &marshal.Str{Encoding: marshal.Encoding{Type: typ}, Data: []byte(s)}
}

func num(typ byte, n int64) *marshal.Int {
	return &marshal.Int{Encoding: marshal.Encoding{Type: typ}, Small: n}
}

func flt(f float64) *marshal.Float {
	return &marshal.Float{Encoding: marshal.Encoding{Type: 'g'}, Value: f}
}

func tup(typ byte, items ...marshal.Value) *marshal.Tuple {
	return &marshal.Tuple{Encoding: marshal.Encoding{Type: typ}, Items: items}
}

func fset(items ...marshal.Value) *marshal.Set {
	return &marshal.Set{Encoding: marshal.Encoding{Type: '>'}, Frozen: true, Items: items}
}

// cyclic returns a list whose first item is itself, followed by extra.
func cyclic(extra ...marshal.Value) *marshal.List {
	l := &marshal.List{Encoding: marshal.Encoding{Type: '[', Ref: true}}
	l.Items = append([]marshal.Value{l}, extra...)
	return l
}

func TestEqual(t *testing.T) {
	shared := str('z', "x")
	big1 := &marshal.Int{Encoding: marshal.Encoding{Type: 'l'}, Big: new(big.Int).Lsh(big.NewInt(1), 80)}
	big2 := &marshal.Int{Encoding: marshal.Encoding{Type: 'l', Ref: true}, Big: new(big.Int).Lsh(big.NewInt(1), 80)}
	nan1 := flt(math.NaN())
	nan2 := &marshal.Float{Encoding: marshal.Encoding{Type: 'f'}, Value: nan1.Value, Text: []byte("nan")}
	// l2 = [[l2]]: the same infinite nesting as l1 = [l1].
	l2 := &marshal.List{Encoding: marshal.Encoding{Type: '['}}
	l2.Items = []marshal.Value{&marshal.List{Encoding: marshal.Encoding{Type: '['}, Items: []marshal.Value{l2}}}
	// l6 = [[l6, 1], 1] unfolds like l5 = [l5, 1].
	l6 := &marshal.List{Encoding: marshal.Encoding{Type: '['}}
	l6.Items = []marshal.Value{&marshal.List{Encoding: marshal.Encoding{Type: '['}, Items: []marshal.Value{l6, num('i', 1)}}, num('i', 1)}
	c1, c2 := cyclic(num('i', 1)), cyclic(num('i', 2))
	d1, d2 := cyclic(num('i', 2)), cyclic(num('i', 1))
	tests := []struct {
		name string
		a, b marshal.Value
		py2  bool
		want bool
	}{
		{"None, flagged None", marshal.None, marshal.None | 0x80, false, true},
		{"None, False", marshal.None, marshal.False, false, false},
		{"short ASCII, str", str('z', "abc"), str('u', "abc"), false, true},
		{"interned, not", str('Z', "abc"), str('a', "abc"), false, true},
		{"str, other str", str('u', "abc"), str('u', "abd"), false, false},
		{"str, bytes", str('u', "abc"), &marshal.Bytes{Data: []byte("abc")}, false, false},
		{"str, unicode (Python 2)", str('s', "abc"), &marshal.Unicode{Data: []byte("abc")}, true, false},
		{"int32, long", num('i', 5), num('l', 5), false, true},
		{"int, long (Python 2)", num('i', 5), num('l', 5), true, false},
		{"int32, int64 (Python 2)", num('i', 5), num('I', 5), true, true},
		{"big ints", big1, big2, false, true},
		{"big, small", big1, num('i', 1), false, false},
		{"0.0, -0.0", flt(0), flt(math.Copysign(0, -1)), false, false},
		{"NaN, NaN as text", nan1, nan2, false, true},
		{"1.5, 1.5 as text", flt(1.5), &marshal.Float{Encoding: marshal.Encoding{Type: 'f'}, Value: 1.5, Text: []byte("1.50")}, false, true},
		{"tuple, small tuple", tup('(', num('i', 1), str('z', "a")), tup(')', num('i', 1), str('u', "a")), false, true},
		{"tuples of other lengths", tup(')', num('i', 1)), tup(')', num('i', 1), num('i', 1)), false, false},
		{"tuple, list", tup(')', num('i', 1)), &marshal.List{Items: []marshal.Value{num('i', 1)}}, false, false},
		{"shared, copies", tup(')', shared, shared), tup(')', str('z', "x"), str('z', "x")), false, true},
		{"frozensets in other orders", fset(num('i', 1), str('z', "a"), flt(2)), fset(flt(2), num('i', 1), str('u', "a")), false, true},
		{"frozensets, other items", fset(num('i', 1), num('i', 2)), fset(num('i', 1), num('i', 3)), false, false},
		{"multisets", fset(num('i', 1), num('i', 1), num('i', 2)), fset(num('i', 1), num('i', 2), num('i', 2)), false, false},
		{"set, frozenset", fset(num('i', 1)), &marshal.Set{Items: []marshal.Value{num('i', 1)}}, false, false},
		{"cycle, longer cycle", cyclic(), l2, false, true},
		{"cycles with other items", c1, c2, false, false},
		{"cycle, unfolded cycle", cyclic(num('i', 1)), l6, false, true},
		{"sets of cycles, crossed", fset(c1, c2), fset(d1, d2), false, true},
		{"nil, None", nil, marshal.None, false, false},
	}
	for _, tc := range tests {
		if have := Equal(tc.a, tc.b, tc.py2); have != tc.want {
			t.Errorf("%s: Equal = %v, want %v", tc.name, have, tc.want)
		}
		if have := Equal(tc.b, tc.a, tc.py2); have != tc.want {
			t.Errorf("%s (swapped): Equal = %v, want %v", tc.name, have, tc.want)
		}
		ka, cycA := canonKey(tc.a, tc.py2)
		kb, cycB := canonKey(tc.b, tc.py2)
		if !cycA && !cycB && (ka == kb) != tc.want {
			t.Errorf("%s: canonical keys %q and %q, want equal=%v", tc.name, ka, kb, tc.want)
		}
	}
}

// TestEqualForgetsFailedAssumptions compares, within one comparer, pairs
// whose exploration assumes things that later prove false: a failed
// attempt must not leave them behind.
func TestEqualForgetsFailedAssumptions(t *testing.T) {
	c1, c2 := cyclic(num('i', 1)), cyclic(num('i', 2))
	var e equality
	if e.equal(c1, c2, false, 0) {
		t.Fatal("[c1, 1] equals [c2, 2]")
	}
	if e.equal(tup(')', c1), tup(')', c2), false, 0) {
		t.Fatal("(c1,) equals (c2,) after a failed attempt")
	}
	if !e.equal(c1, cyclic(num('i', 1)), false, 0) {
		t.Fatal("[c1, 1] differs from its copy")
	}
}

package diff

import (
	"math"
	"sort"
	"strconv"

	"github.com/pyc-tools/pyc/marshal"
)

// Equal reports whether two marshalled values are the same Python value,
// whatever their encodings: type codes ('z', 'a' or 'u' for one string, '('
// or ')' for one tuple, 'f' or 'g' for one float), FLAG_REF, back-references
// and reference numbering all count for nothing. Floats compare by their
// bits, so 0.0 and -0.0 differ and a NaN equals the same NaN; sets,
// frozensets and dicts compare without regard to the order of their items
// in the stream. Shared objects and cycles (possible in hand-made streams)
// are compared as graphs: two values are equal when no finite exploration
// tells them apart.
//
// python2 gives Python 2 meaning to integers outside code objects: an int
// and a long of the same value differ there (1 and 1L are different
// objects). Inside a code object the code's own layout decides.
func Equal(a, b marshal.Value, python2 bool) bool {
	var e equality
	return e.equal(a, b, python2, 0)
}

// equality compares values. It remembers the pairs of containers assumed
// equal while it explores them (which ends cycles), keeps those it proved,
// forgets those of a failed attempt, and remembers the pairs proven unequal.
type equality struct {
	assumed map[pair]bool
	log     []pair
	unequal map[pair]bool
}

type pair struct{ a, b marshal.Value }

// maxEqualDepth bounds recursion; values nested deeper are not equal. Real
// streams nest at most marshal.MaxDepth deep.
const maxEqualDepth = 2 * marshal.MaxDepth

func (e *equality) equal(a, b marshal.Value, py2 bool, depth int) bool {
	if depth > maxEqualDepth {
		return false
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case marshal.Singleton:
		y, ok := b.(marshal.Singleton)
		return ok && x.Kind() == y.Kind()
	case *marshal.Int:
		y, ok := b.(*marshal.Int)
		return ok && intEqual(x, y, py2)
	case *marshal.Float:
		y, ok := b.(*marshal.Float)
		return ok && math.Float64bits(x.Value) == math.Float64bits(y.Value)
	case *marshal.Complex:
		y, ok := b.(*marshal.Complex)
		return ok && math.Float64bits(x.Real) == math.Float64bits(y.Real) &&
			math.Float64bits(x.Imag) == math.Float64bits(y.Imag)
	case *marshal.Bytes:
		y, ok := b.(*marshal.Bytes)
		return ok && string(x.Data) == string(y.Data)
	case *marshal.Str:
		y, ok := b.(*marshal.Str)
		return ok && string(x.Data) == string(y.Data)
	case *marshal.Unicode:
		y, ok := b.(*marshal.Unicode)
		return ok && string(x.Data) == string(y.Data)
	}
	// Containers and code objects: compare as graphs.
	if a == b {
		return true
	}
	if kindOf(a) != kindOf(b) {
		return false
	}
	p := pair{a, b}
	if e.assumed[p] {
		return true
	}
	if e.unequal[p] {
		return false
	}
	if e.assumed == nil {
		e.assumed = map[pair]bool{}
		e.unequal = map[pair]bool{}
	}
	mark := len(e.log)
	e.assumed[p] = true
	e.log = append(e.log, p)
	if e.children(a, b, py2, depth) {
		return true
	}
	// Forget everything assumed in this attempt: some of it rested on p.
	for _, q := range e.log[mark:] {
		delete(e.assumed, q)
	}
	e.log = e.log[:mark]
	e.unequal[p] = true
	return false
}

// kindOf names the Go type of a value, for a quick mismatch test.
func kindOf(v marshal.Value) int {
	switch x := v.(type) {
	case *marshal.Tuple:
		return 1
	case *marshal.List:
		return 2
	case *marshal.Dict:
		return 3
	case *marshal.Set:
		if x.Frozen {
			return 4
		}
		return 5
	case *marshal.Code:
		return 6
	case *marshal.Slice:
		return 7
	}
	return 0
}

func intEqual(x, y *marshal.Int, py2 bool) bool {
	if py2 && x.IsLong() != y.IsLong() {
		return false
	}
	if x.Big == nil && y.Big == nil {
		return x.Small == y.Small
	}
	return x.BigInt().Cmp(y.BigInt()) == 0
}

func (e *equality) items(a, b []marshal.Value, py2 bool, depth int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !e.equal(a[i], b[i], py2, depth+1) {
			return false
		}
	}
	return true
}

func (e *equality) children(a, b marshal.Value, py2 bool, depth int) bool {
	switch x := a.(type) {
	case *marshal.Tuple:
		return e.items(x.Items, b.(*marshal.Tuple).Items, py2, depth)
	case *marshal.List:
		return e.items(x.Items, b.(*marshal.List).Items, py2, depth)
	case *marshal.Set:
		return e.unordered(x.Items, b.(*marshal.Set).Items, py2, depth)
	case *marshal.Dict:
		y := b.(*marshal.Dict)
		if len(x.Items) != len(y.Items) {
			return false
		}
		ka := make([]marshal.Value, 0, 2*len(x.Items))
		kb := make([]marshal.Value, 0, 2*len(y.Items))
		for i := range x.Items {
			ka = append(ka, &marshal.Tuple{Items: []marshal.Value{x.Items[i].Key, x.Items[i].Value}})
			kb = append(kb, &marshal.Tuple{Items: []marshal.Value{y.Items[i].Key, y.Items[i].Value}})
		}
		return e.unordered(ka, kb, py2, depth)
	case *marshal.Slice:
		y := b.(*marshal.Slice)
		return e.equal(x.Start, y.Start, py2, depth+1) && e.equal(x.Stop, y.Stop, py2, depth+1) &&
			e.equal(x.Step, y.Step, py2, depth+1)
	case *marshal.Code:
		return e.code(x, b.(*marshal.Code), depth)
	}
	return false
}

// unordered compares two multisets: items are bucketed by their canonical
// key and matched within a bucket; only items whose key passes through a
// cycle are tried against every other item.
func (e *equality) unordered(a, b []marshal.Value, py2 bool, depth int) bool {
	if len(a) != len(b) {
		return false
	}
	byKey, keysB, loose := bucket(b, py2)
	used := make([]bool, len(b))
	for _, x := range a {
		k, cyc := canonKey(x, py2)
		found := false
		try := func(j int) bool {
			if !used[j] && e.equal(x, b[j], py2, depth+1) {
				used[j] = true
				return true
			}
			return false
		}
		for _, j := range byKey[k] {
			if try(j) {
				found = true
				break
			}
		}
		if !found && (cyc || loose) {
			for j := range b {
				if (cyc || cycleKey(keysB[j])) && try(j) {
					found = true
					break
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// bucket indexes items by canonical key; loose reports that some key
// passes through a cycle.
func bucket(items []marshal.Value, py2 bool) (byKey map[string][]int, keyOf []string, loose bool) {
	byKey = make(map[string][]int, len(items))
	keyOf = make([]string, len(items))
	for j, v := range items {
		k, cyc := canonKey(v, py2)
		keyOf[j] = k
		byKey[k] = append(byKey[k], j)
		loose = loose || cyc
	}
	return byKey, keyOf, loose
}

func cycleKey(k string) bool {
	for i := 0; i+1 < len(k); i++ {
		if k[i] == '^' && k[i+1] == '^' {
			return true
		}
	}
	return false
}

func (e *equality) code(x, y *marshal.Code, depth int) bool {
	if x.Layout != y.Layout {
		return false
	}
	py2 := x.Layout.Python2()
	if x.ArgCount != y.ArgCount || x.PosOnlyArgCount != y.PosOnlyArgCount ||
		x.KwOnlyArgCount != y.KwOnlyArgCount || x.NLocals != y.NLocals ||
		x.StackSize != y.StackSize || x.Flags != y.Flags || x.FirstLineNo != y.FirstLineNo {
		return false
	}
	va := []marshal.Value{x.Code, tupleOrNil(x.Consts), tupleOrNil(x.Names), tupleOrNil(x.VarNames),
		tupleOrNil(x.FreeVars), tupleOrNil(x.CellVars), tupleOrNil(x.LocalsPlusNames), x.LocalsPlusKinds,
		x.Filename, x.Name, x.QualName, x.LineTable, x.ExceptionTable}
	vb := []marshal.Value{y.Code, tupleOrNil(y.Consts), tupleOrNil(y.Names), tupleOrNil(y.VarNames),
		tupleOrNil(y.FreeVars), tupleOrNil(y.CellVars), tupleOrNil(y.LocalsPlusNames), y.LocalsPlusKinds,
		y.Filename, y.Name, y.QualName, y.LineTable, y.ExceptionTable}
	for i := range va {
		if !e.equal(va[i], vb[i], py2, depth+1) {
			return false
		}
	}
	return true
}

// tupleOrNil turns a nil *Tuple into a nil Value (not a typed nil).
func tupleOrNil(t *marshal.Tuple) marshal.Value {
	if t == nil {
		return nil
	}
	return t
}

// canonKey returns a string that is the same for equal values (see Equal)
// and, for values without cycles, different for unequal ones. Items of sets
// and dicts are sorted by their keys. A value that reaches itself again is
// cut there with a "^^" mark; cyc reports that this happened, in which case
// the key is only a hint and Equal must decide.
func canonKey(v marshal.Value, py2 bool) (key string, cyc bool) {
	c := canonizer{py2: py2}
	b := c.key(nil, v, 0)
	return string(b), c.cyc
}

type canonizer struct {
	py2   bool
	stack []marshal.Value
	cyc   bool
	// code, when set, writes the key of a code object (for the differ,
	// which keys code objects by how they were paired).
	code func(dst []byte, c *marshal.Code) []byte
}

func appendLen(dst []byte, tag byte, n int) []byte {
	dst = append(dst, tag)
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, ':')
}

func (c *canonizer) key(dst []byte, v marshal.Value, depth int) []byte {
	if depth > maxEqualDepth {
		return append(dst, "^^deep"...)
	}
	switch x := v.(type) {
	case nil:
		return append(dst, '0')
	case marshal.Singleton:
		return append(dst, byte(x.Kind()))
	case *marshal.Int:
		tag := byte('i')
		if c.py2 && x.IsLong() {
			tag = 'l'
		}
		dst = append(dst, tag)
		if x.Big != nil {
			dst = x.Big.Append(dst, 10)
		} else {
			dst = strconv.AppendInt(dst, x.Small, 10)
		}
		return append(dst, ';')
	case *marshal.Float:
		dst = append(dst, 'g')
		dst = strconv.AppendUint(dst, math.Float64bits(x.Value), 16)
		return append(dst, ';')
	case *marshal.Complex:
		dst = append(dst, 'y')
		dst = strconv.AppendUint(dst, math.Float64bits(x.Real), 16)
		dst = append(dst, ',')
		dst = strconv.AppendUint(dst, math.Float64bits(x.Imag), 16)
		return append(dst, ';')
	case *marshal.Bytes:
		return append(appendLen(dst, 'b', len(x.Data)), x.Data...)
	case *marshal.Str:
		return append(appendLen(dst, 's', len(x.Data)), x.Data...)
	case *marshal.Unicode:
		return append(appendLen(dst, 'u', len(x.Data)), x.Data...)
	}
	for i, s := range c.stack {
		if s == v {
			c.cyc = true
			dst = append(dst, "^^"...)
			return strconv.AppendInt(dst, int64(len(c.stack)-i), 10)
		}
	}
	c.stack = append(c.stack, v)
	defer func() { c.stack = c.stack[:len(c.stack)-1] }()
	switch x := v.(type) {
	case *marshal.Tuple:
		return c.seq(appendLen(dst, '(', len(x.Items)), x.Items, depth)
	case *marshal.List:
		return c.seq(appendLen(dst, '[', len(x.Items)), x.Items, depth)
	case *marshal.Set:
		tag := byte('<')
		if x.Frozen {
			tag = '>'
		}
		return c.sorted(appendLen(dst, tag, len(x.Items)), x.Items, depth)
	case *marshal.Dict:
		items := make([]marshal.Value, len(x.Items))
		for i, it := range x.Items {
			items[i] = &marshal.Tuple{Items: []marshal.Value{it.Key, it.Value}}
		}
		return c.sorted(appendLen(dst, '{', len(x.Items)), items, depth)
	case *marshal.Slice:
		dst = append(dst, ':')
		return c.seq(dst, []marshal.Value{x.Start, x.Stop, x.Step}, depth)
	case *marshal.Code:
		if c.code != nil {
			return c.code(dst, x)
		}
		return c.codeKey(dst, x, depth)
	}
	return append(dst, '?')
}

func (c *canonizer) seq(dst []byte, items []marshal.Value, depth int) []byte {
	for _, it := range items {
		dst = c.key(dst, it, depth+1)
		dst = append(dst, ',')
	}
	return append(dst, ')')
}

func (c *canonizer) sorted(dst []byte, items []marshal.Value, depth int) []byte {
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = string(c.key(nil, it, depth+1))
	}
	sort.Strings(keys)
	for _, k := range keys {
		dst = appendLen(dst, '#', len(k))
		dst = append(dst, k...)
	}
	return append(dst, ')')
}

func (c *canonizer) codeKey(dst []byte, x *marshal.Code, depth int) []byte {
	saved := c.py2
	c.py2 = x.Layout.Python2()
	defer func() { c.py2 = saved }()
	dst = append(dst, 'c')
	dst = strconv.AppendInt(dst, int64(x.Layout), 10)
	for _, n := range []int64{int64(x.ArgCount), int64(x.PosOnlyArgCount), int64(x.KwOnlyArgCount),
		int64(x.NLocals), int64(x.StackSize), int64(x.Flags), int64(x.FirstLineNo)} {
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, n, 10)
	}
	return c.seq(append(dst, '|'), []marshal.Value{x.Code, tupleOrNil(x.Consts), tupleOrNil(x.Names),
		tupleOrNil(x.VarNames), tupleOrNil(x.FreeVars), tupleOrNil(x.CellVars), tupleOrNil(x.LocalsPlusNames),
		x.LocalsPlusKinds, x.Filename, x.Name, x.QualName, x.LineTable, x.ExceptionTable}, depth)
}

package diff

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/marshal"
)

// encWalker walks pairs of equal values and lists how their encodings
// differ. It maps the objects of one file to those of the other as it goes,
// so that an object shared (written once, then back-referenced) on one side
// but not on the other is found wherever the walk meets it.
type encWalker struct {
	style disasm.ReprStyle
	seenA map[marshal.Value]seen
	seenB map[marshal.Value]seen
	out   []EncodingDiff
	// codePath names code objects met inside other values.
	codePath func(*marshal.Code) string
}

type seen struct {
	peer marshal.Value
	at   where
}

// where is a path, built only when it is shown: base, then [index] when
// index is not negative.
type where struct {
	base  string
	index int
}

func at(path string) where { return where{path, -1} }

func (w where) String() string {
	if w.index < 0 {
		return w.base
	}
	return w.base + "[" + strconv.Itoa(w.index) + "]"
}

func newEncWalker(style disasm.ReprStyle, codePath func(*marshal.Code) string) *encWalker {
	return &encWalker{
		style:    style,
		seenA:    make(map[marshal.Value]seen, 256),
		seenB:    make(map[marshal.Value]seen, 256),
		codePath: codePath,
	}
}

func (w *encWalker) add(path where, v marshal.Value, format string, a ...any) {
	w.out = append(w.out, EncodingDiff{Path: path.String(), Value: w.short(v), What: fmt.Sprintf(format, a...)})
}

// short is a value's repr cut to a readable length.
func (w *encWalker) short(v marshal.Value) string {
	switch x := v.(type) {
	case *marshal.Code:
		return "<code object " + x.NameString() + ">"
	case *marshal.Tuple:
		if len(x.Items) > 8 {
			return fmt.Sprintf("(%d items)", len(x.Items))
		}
	}
	return shorten(w.style.Repr(v), 60)
}

// shorten cuts s to about n bytes at a character boundary.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "..."
}

// walk compares the encodings of a and b, which are equal values at path.
// Only objects with FLAG_REF on some side can be met twice (the second
// time as a back-reference), so only those are remembered.
func (w *encWalker) walk(a, b marshal.Value, path where, depth int) {
	if depth > maxEqualDepth {
		return
	}
	if sa, ok := a.(marshal.Singleton); ok {
		if sb, ok := b.(marshal.Singleton); ok && sa != sb {
			w.add(path, a, "%s", refText(sa != sa.Kind(), sb != sb.Kind()))
		}
		return
	}
	ea, eb := encodingOf(a), encodingOf(b)
	if ea == nil || eb == nil {
		return
	}
	if c, ok := a.(*marshal.Code); ok {
		path = at(w.codePath(c))
	}
	if ea.Ref || eb.Ref {
		pa, okA := w.seenA[a]
		pb, okB := w.seenB[b]
		switch {
		case okA && pa.peer == b:
			// Both sides meet the same pair again: shared alike.
			return
		case okA && okB:
			w.add(path, a, "a is the object at %s, b the object at %s", pa.at, pb.at)
			return
		case okA:
			w.add(path, a, "a refers back to the object at %s, b has a separate copy", pa.at)
			return
		case okB:
			w.add(path, a, "b refers back to the object at %s, a has a separate copy", pb.at)
			return
		}
		w.seenA[a] = seen{b, path}
		w.seenB[b] = seen{a, path}
	}
	w.header(path, a, ea, eb)
	switch x := a.(type) {
	case *marshal.Float:
		y := b.(*marshal.Float)
		if ea.Type == eb.Type && string(x.Text) != string(y.Text) {
			w.add(path, a, "float text %q in a, %q in b", x.Text, y.Text)
		}
	case *marshal.Complex:
		y := b.(*marshal.Complex)
		if ea.Type == eb.Type && (string(x.RealText) != string(y.RealText) || string(x.ImagText) != string(y.ImagText)) {
			w.add(path, a, "complex text (%s, %s) in a, (%s, %s) in b", x.RealText, x.ImagText, y.RealText, y.ImagText)
		}
	case *marshal.Tuple:
		w.items(x.Items, b.(*marshal.Tuple).Items, path, depth)
	case *marshal.List:
		w.items(x.Items, b.(*marshal.List).Items, path, depth)
	case *marshal.Set:
		w.unordered(x.Items, b.(*marshal.Set).Items, path.String(), depth)
	case *marshal.Dict:
		y := b.(*marshal.Dict)
		for i := range x.Items {
			if i < len(y.Items) && Equal(x.Items[i].Key, y.Items[i].Key, false) {
				p := fmt.Sprintf("%s[%s]", path, w.short(x.Items[i].Key))
				w.walk(x.Items[i].Key, y.Items[i].Key, at(p+".key"), depth+1)
				w.walk(x.Items[i].Value, y.Items[i].Value, at(p), depth+1)
			}
		}
	case *marshal.Slice:
		y := b.(*marshal.Slice)
		p := path.String()
		w.walk(x.Start, y.Start, at(p+".start"), depth+1)
		w.walk(x.Stop, y.Stop, at(p+".stop"), depth+1)
		w.walk(x.Step, y.Step, at(p+".step"), depth+1)
	case *marshal.Code:
		w.codeFields(x, b.(*marshal.Code), path.base, depth)
	}
}

// codeHeader compares the encodings of two code objects that are paired but
// not necessarily equal: their own type code and FLAG_REF, not their
// fields.
func (w *encWalker) codeHeader(a, b *marshal.Code, path string) {
	if _, ok := w.seenA[a]; ok {
		return
	}
	if _, ok := w.seenB[b]; ok {
		return
	}
	w.seenA[a] = seen{b, at(path)}
	w.seenB[b] = seen{a, at(path)}
	w.header(at(path), a, &a.Encoding, &b.Encoding)
}

// header compares FLAG_REF and the type code of two equal objects, and
// reports both differences in one entry.
func (w *encWalker) header(path where, v marshal.Value, ea, eb *marshal.Encoding) {
	var parts []string
	if ea.Ref != eb.Ref {
		parts = append(parts, refText(ea.Ref, eb.Ref))
	}
	if ea.Type != eb.Type {
		parts = append(parts, "type code "+typeText(ea.Type)+" in a, "+typeText(eb.Type)+" in b")
	}
	if len(parts) > 0 {
		w.add(path, v, "%s", strings.Join(parts, "; "))
	}
}

// codeFields walks the fields of two equal code objects.
func (w *encWalker) codeFields(x, y *marshal.Code, path string, depth int) {
	fa, fb := codeFieldValues(x), codeFieldValues(y)
	for i, f := range fa {
		w.walk(f.v, fb[i].v, at(path+"."+f.name), depth+1)
	}
}

type namedValue struct {
	name string
	v    marshal.Value
}

// codeFieldValues lists a code object's object fields in stream order.
func codeFieldValues(c *marshal.Code) []namedValue {
	return []namedValue{
		{"co_code", c.Code}, {"co_consts", tupleOrNil(c.Consts)}, {"co_names", tupleOrNil(c.Names)},
		{"co_varnames", tupleOrNil(c.VarNames)}, {"co_freevars", tupleOrNil(c.FreeVars)},
		{"co_cellvars", tupleOrNil(c.CellVars)}, {"co_localsplusnames", tupleOrNil(c.LocalsPlusNames)},
		{"co_localspluskinds", c.LocalsPlusKinds}, {"co_filename", c.Filename}, {"co_name", c.Name},
		{"co_qualname", c.QualName}, {lineTableName(c), c.LineTable}, {"co_exceptiontable", c.ExceptionTable},
	}
}

func lineTableName(c *marshal.Code) string {
	if c.Layout >= marshal.Layout38 {
		// 3.10 renamed it; the layout does not tell 3.8 from 3.10, and
		// either name is understood.
		return "co_linetable"
	}
	return "co_lnotab"
}

func (w *encWalker) items(a, b []marshal.Value, path where, depth int) {
	base := path.String()
	for i := range a {
		if i < len(b) {
			w.walk(a[i], b[i], where{base, i}, depth+1)
		}
	}
}

// unordered walks the items of two equal sets, paired by value, and notes
// when the stream holds them in another order.
func (w *encWalker) unordered(a, b []marshal.Value, path string, depth int) {
	byKey, _, _ := bucket(b, false)
	used := make([]bool, len(b))
	reordered := false
	for i, x := range a {
		k, _ := canonKey(x, false)
		j := -1
		for _, c := range byKey[k] {
			if !used[c] && Equal(x, b[c], false) {
				j = c
				break
			}
		}
		if j < 0 {
			for c := range b {
				if !used[c] && Equal(x, b[c], false) {
					j = c
					break
				}
			}
		}
		if j < 0 {
			continue
		}
		used[j] = true
		if j != i {
			reordered = true
		}
		w.walk(x, b[j], at(path+"{"+w.short(x)+"}"), depth+1)
	}
	if reordered {
		w.out = append(w.out, EncodingDiff{Path: path, Value: fmt.Sprintf("(%d items)", len(a)), What: "the same items in another order"})
	}
}

// encodingOf returns the Encoding of a pointer value.
func encodingOf(v marshal.Value) *marshal.Encoding {
	if e, ok := v.(marshal.Encoded); ok {
		return e.Enc()
	}
	return nil
}

func refText(a, b bool) string {
	switch {
	case a && !b:
		return "FLAG_REF set in a only"
	case b && !a:
		return "FLAG_REF set in b only"
	}
	return "FLAG_REF differs"
}

// typeNames says what each marshal type code means.
var typeNames = map[byte]string{
	'u': "str", 'a': "ASCII", 'A': "interned ASCII", 'z': "short ASCII", 'Z': "short interned ASCII",
	't': "interned", 's': "bytes or Python 2 str", 'R': "string reference",
	'(': "tuple", ')': "small tuple", '[': "list", '{': "dict", '<': "set", '>': "frozenset",
	'i': "int32", 'I': "int64", 'l': "long", 'g': "binary float", 'f': "text float",
	'y': "binary complex", 'x': "text complex", 'c': "code", ':': "slice",
}

func typeText(c byte) string {
	s := fmt.Sprintf("'%c'", c)
	if c < 0x20 || c >= 0x7f {
		s = fmt.Sprintf("0x%02x", c)
	}
	if n, ok := typeNames[c]; ok {
		s += " (" + n + ")"
	}
	return s
}

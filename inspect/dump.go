package inspect

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// Node is one object of the dump tree. Its JSON form is documented in
// docs/dump-json.md; the field names are stable. Every node has Type; the
// other fields depend on it.
type Node struct {
	// Type is the Python type ("code", "tuple", "str", "int", "None", ...)
	// or "ref" for a back-reference to an object dumped earlier.
	Type string `json:"type"`
	// Code is the marshal type code as written, e.g. "z", ")" (absent for
	// back-references).
	Code string `json:"code,omitempty"`
	// Ref reports FLAG_REF on the object; RefIndex is then the index later
	// back-references use.
	Ref      bool `json:"ref,omitempty"`
	RefIndex *int `json:"ref_index,omitempty"`
	// Index is the target of a back-reference ("ref"), or of a Python 2
	// interned-string reference ("stringref").
	Index *int `json:"index,omitempty"`

	// Value holds scalars: an int (a JSON number of any size), a float or
	// complex part as Python's repr, or a str's text when it is valid UTF-8.
	Value any `json:"value,omitempty"`
	// Imag is a complex number's imaginary part (repr).
	Imag string `json:"imag,omitempty"`
	// Text is the exact text of a text float ('f') or complex ('x').
	Text []string `json:"text,omitempty"`
	// Hex holds the bytes of bytes objects, of strings that are not valid
	// UTF-8, and the IEEE 754 bits of binary floats.
	Hex string `json:"hex,omitempty"`
	// Len is the length of strings and bytes, the item count of containers.
	Len *int `json:"len,omitempty"`
	// Items are the items of tuples, lists, sets; dicts have Pairs.
	Items []*Node    `json:"items,omitempty"`
	Pairs [][2]*Node `json:"pairs,omitempty"`
	// Fields are a code object's fields (or a slice's start, stop, step),
	// in stream order.
	Fields []Field `json:"fields,omitempty"`
	// Layout is a code object's layout.
	Layout string `json:"layout,omitempty"`
}

// Field is one named field of a code object or slice.
type Field struct {
	Name  string `json:"name"`
	Int   *int64 `json:"int,omitempty"`
	Value *Node  `json:"value,omitempty"`
	// Data holds the plain fields of other implementations' code objects
	// (numbers, strings, hex for byte strings, lists of numbers).
	Data any `json:"data,omitempty"`
}

// Document is the whole dump of one file.
type Document struct {
	Info     *Info  `json:"info"`
	Object   *Node  `json:"object"`
	Trailing string `json:"trailing_hex,omitempty"`
}

// Dump builds the dump tree of a parsed file.
func Dump(name string, f *pyc.File) *Document {
	v := f.Version()
	w := &walker{refs: map[marshal.Value]int{}, strs: map[*marshal.Str]int{}, py2: v.Major < 3,
		lineTable: v.LineTable >= pyc.LineTable310}
	doc := &Document{Info: FileInfo(name, f, nil), Object: w.node(f.Code)}
	if len(f.Trailing) > 0 {
		doc.Trailing = hex.EncodeToString(f.Trailing)
	}
	return doc
}

// DumpValue builds the dump tree of one value (python2 selects the Python 2
// meaning of interned-string references).
func DumpValue(v marshal.Value, python2 bool) *Node {
	w := &walker{refs: map[marshal.Value]int{}, strs: map[*marshal.Str]int{}, py2: python2}
	return w.node(v)
}

// walker visits values in the order the encoder writes them, so that
// reference indexes agree with the stream.
type walker struct {
	refs  map[marshal.Value]int
	nrefs int
	strs  map[*marshal.Str]int
	nstrs int
	py2   bool
	// lineTable names the line-table field co_linetable (3.10 on) rather
	// than co_lnotab.
	lineTable bool
}

func intp(i int) *int { return &i }

func (w *walker) start(v marshal.Value, enc *marshal.Encoding, typ string) (*Node, bool) {
	if i, ok := w.refs[v]; ok {
		return &Node{Type: "ref", Index: intp(i)}, false
	}
	n := &Node{Type: typ, Code: string(rune(enc.Type)), Ref: enc.Ref}
	if enc.Ref {
		w.refs[v] = w.nrefs
		n.RefIndex = intp(w.nrefs)
		w.nrefs++
	}
	return n, true
}

func (w *walker) node(v marshal.Value) *Node {
	switch x := v.(type) {
	case nil:
		return &Node{Type: "NULL"}
	case marshal.Singleton:
		n := &Node{Type: x.String(), Code: string(rune(byte(x.Kind())))}
		if x != x.Kind() {
			n.Ref = true
		}
		return n
	case *marshal.Int:
		n, ok := w.start(x, &x.Encoding, "int")
		if !ok {
			return n
		}
		if x.Type == 'l' && w.py2 {
			n.Type = "long"
		}
		if x.Big != nil {
			n.Value = json.Number(x.Big.String())
		} else {
			n.Value = json.Number(strconv.FormatInt(x.Small, 10))
		}
		return n
	case *marshal.Float:
		n, ok := w.start(x, &x.Encoding, "float")
		if !ok {
			return n
		}
		n.Value = marshal.FloatRepr(x.Value)
		if x.Type == 'f' {
			n.Text = []string{string(x.Text)}
		} else {
			n.Hex = fmt.Sprintf("%016x", math.Float64bits(x.Value))
		}
		return n
	case *marshal.Complex:
		n, ok := w.start(x, &x.Encoding, "complex")
		if !ok {
			return n
		}
		n.Value = marshal.FloatRepr(x.Real)
		n.Imag = marshal.FloatRepr(x.Imag)
		if x.Type == 'x' {
			n.Text = []string{string(x.RealText), string(x.ImagText)}
		} else {
			n.Hex = fmt.Sprintf("%016x%016x", math.Float64bits(x.Real), math.Float64bits(x.Imag))
		}
		return n
	case *marshal.Bytes:
		n, ok := w.start(x, &x.Encoding, "bytes")
		if ok {
			n.Len = intp(len(x.Data))
			n.Hex = hex.EncodeToString(x.Data)
		}
		return n
	case *marshal.Str:
		if w.py2 && x.Type == 't' {
			if i, ok := w.strs[x]; ok {
				return &Node{Type: "stringref", Index: intp(i)}
			}
			w.strs[x] = w.nstrs
			w.nstrs++
		}
		n, ok := w.start(x, &x.Encoding, "str")
		if ok {
			w.text(n, x.Data, w.py2)
		}
		return n
	case *marshal.Unicode:
		n, ok := w.start(x, &x.Encoding, "unicode")
		if ok {
			w.text(n, x.Data, false)
		}
		return n
	case *marshal.Tuple:
		n, ok := w.start(x, &x.Encoding, "tuple")
		if ok {
			n.Len = intp(len(x.Items))
			n.Items = w.nodes(x.Items)
		}
		return n
	case *marshal.List:
		n, ok := w.start(x, &x.Encoding, "list")
		if ok {
			n.Len = intp(len(x.Items))
			n.Items = w.nodes(x.Items)
		}
		return n
	case *marshal.Set:
		typ := "set"
		if x.Frozen {
			typ = "frozenset"
		}
		n, ok := w.start(x, &x.Encoding, typ)
		if ok {
			n.Len = intp(len(x.Items))
			n.Items = w.nodes(x.Items)
		}
		return n
	case *marshal.Dict:
		n, ok := w.start(x, &x.Encoding, marshal.KindName(x))
		if ok {
			n.Len = intp(len(x.Items))
			n.Pairs = make([][2]*Node, 0, len(x.Items))
			for _, it := range x.Items {
				k := w.node(it.Key)
				n.Pairs = append(n.Pairs, [2]*Node{k, w.node(it.Value)})
			}
		}
		return n
	case *marshal.Slice:
		n, ok := w.start(x, &x.Encoding, "slice")
		if ok {
			n.Fields = []Field{
				{Name: "start", Value: w.node(x.Start)},
				{Name: "stop", Value: w.node(x.Stop)},
				{Name: "step", Value: w.node(x.Step)},
			}
		}
		return n
	case *marshal.Code:
		return w.code(x)
	}
	return w.foreign(v)
}

// foreign dumps the values of other implementations' formats (GraalPy's and
// RustPython's code objects and their helper types) field by field: object
// fields become nodes, everything else is kept as plain JSON data.
func (w *walker) foreign(v marshal.Value) *Node {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return &Node{Type: fmt.Sprintf("%T", v)}
	}
	if i, ok := w.refs[v]; ok {
		return &Node{Type: "ref", Index: intp(i)}
	}
	n := &Node{Type: strings.ToLower(strings.TrimPrefix(fmt.Sprintf("%T", v), "*marshal."))}
	if e, ok := v.(marshal.Encoded); ok {
		enc := e.Enc()
		n.Code, n.Ref = string(rune(enc.Type)), enc.Ref
		if enc.Ref {
			w.refs[v] = w.nrefs
			n.RefIndex = intp(w.nrefs)
			w.nrefs++
		}
	}
	valueType := reflect.TypeOf((*marshal.Value)(nil)).Elem()
	st := rv.Elem()
	for i := 0; i < st.NumField(); i++ {
		f := st.Type().Field(i)
		if !f.IsExported() || f.Anonymous {
			continue
		}
		fv := st.Field(i)
		switch {
		case f.Type == valueType:
			var val marshal.Value
			if !fv.IsNil() {
				val = fv.Interface().(marshal.Value)
			}
			n.Fields = append(n.Fields, Field{Name: f.Name, Value: w.node(val)})
		case f.Type.Kind() == reflect.Slice && f.Type.Elem() == valueType:
			items := make([]*Node, fv.Len())
			for k := range items {
				var val marshal.Value
				if e := fv.Index(k); !e.IsNil() {
					val = e.Interface().(marshal.Value)
				}
				items[k] = w.node(val)
			}
			n.Fields = append(n.Fields, Field{Name: f.Name, Value: &Node{Type: "list", Items: items, Len: intp(len(items))}})
		case f.Type.Implements(valueType):
			var val marshal.Value
			if !fv.IsNil() {
				val = fv.Interface().(marshal.Value)
			}
			n.Fields = append(n.Fields, Field{Name: f.Name, Value: w.node(val)})
		case f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Uint8:
			n.Fields = append(n.Fields, Field{Name: f.Name, Data: hex.EncodeToString(fv.Bytes())})
		default:
			n.Fields = append(n.Fields, Field{Name: f.Name, Data: fv.Interface()})
		}
	}
	return n
}

func (w *walker) nodes(vs []marshal.Value) []*Node {
	out := make([]*Node, len(vs))
	for i, v := range vs {
		out[i] = w.node(v)
	}
	return out
}

func (w *walker) text(n *Node, b []byte, raw bool) {
	n.Len = intp(len(b))
	if !raw && utf8.Valid(b) {
		n.Value = string(b)
		return
	}
	if raw && isPrintableASCII(b) {
		n.Value = string(b)
		return
	}
	n.Hex = hex.EncodeToString(b)
}

func isPrintableASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x7f || c < 0x20 && c != '\n' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

func (w *walker) code(c *marshal.Code) *Node {
	n, ok := w.start(c, &c.Encoding, "code")
	if !ok {
		return n
	}
	n.Layout = c.Layout.String()
	lay := c.Layout
	num := func(name string, v int64) {
		if lay.Has(name) {
			n.Fields = append(n.Fields, Field{Name: "co_" + name, Int: &v})
		}
	}
	obj := func(name string, v marshal.Value) {
		if lay.Has(name) {
			n.Fields = append(n.Fields, Field{Name: "co_" + name, Value: w.node(v)})
		}
	}
	tup := func(name string, t *marshal.Tuple) {
		if t == nil {
			obj(name, nil)
			return
		}
		obj(name, t)
	}
	num("argcount", int64(c.ArgCount))
	num("posonlyargcount", int64(c.PosOnlyArgCount))
	num("kwonlyargcount", int64(c.KwOnlyArgCount))
	num("nlocals", int64(c.NLocals))
	num("stacksize", int64(c.StackSize))
	num("flags", int64(c.Flags))
	obj("code", c.Code)
	tup("consts", c.Consts)
	tup("names", c.Names)
	tup("localsplusnames", c.LocalsPlusNames)
	obj("localspluskinds", c.LocalsPlusKinds)
	tup("varnames", c.VarNames)
	tup("freevars", c.FreeVars)
	tup("cellvars", c.CellVars)
	obj("filename", c.Filename)
	obj("name", c.Name)
	obj("qualname", c.QualName)
	num("firstlineno", int64(c.FirstLineNo))
	name := "lnotab"
	if lay >= marshal.Layout311 || w.lineTable {
		name = "linetable"
	}
	if lay.Has("lnotab") {
		n.Fields = append(n.Fields, Field{Name: "co_" + name, Value: w.node(c.LineTable)})
	}
	obj("exceptiontable", c.ExceptionTable)
	return n
}

// WriteText writes the dump as an indented tree for people.
func WriteText(out io.Writer, doc *Document) error {
	var b strings.Builder
	in := doc.Info
	fmt.Fprintf(&b, "file %s: %s %s, magic %d (%s), %s, marshal %d, layout %s\n",
		in.File, in.Implementation, in.Version, in.Magic, in.MagicHex, in.Mode, in.MarshalVersion, in.Layout)
	writeNode(&b, "", doc.Object, 0)
	if doc.Trailing != "" {
		fmt.Fprintf(&b, "trailing bytes: %s\n", doc.Trailing)
	}
	_, err := io.WriteString(out, b.String())
	return err
}

func writeNode(b *strings.Builder, label string, n *Node, depth int) {
	ind := strings.Repeat("  ", depth)
	b.WriteString(ind)
	if label != "" {
		b.WriteString(label)
		b.WriteString(": ")
	}
	switch n.Type {
	case "ref", "stringref":
		fmt.Fprintf(b, "<%s #%d>\n", n.Type, *n.Index)
		return
	}
	b.WriteString(n.Type)
	if n.Len != nil && n.Type != "code" {
		fmt.Fprintf(b, "[%d]", *n.Len)
	}
	enc := n.Code
	if n.Ref {
		enc += " ref"
		if n.RefIndex != nil {
			enc += fmt.Sprintf("#%d", *n.RefIndex)
		}
	}
	if enc != "" {
		fmt.Fprintf(b, " (%s)", enc)
	}
	switch v := n.Value.(type) {
	case string:
		if n.Type == "str" || n.Type == "unicode" {
			fmt.Fprintf(b, " %s", strconv.Quote(v))
		} else {
			fmt.Fprintf(b, " %s", v)
		}
	case json.Number:
		fmt.Fprintf(b, " %s", v)
	}
	if n.Imag != "" {
		fmt.Fprintf(b, " %sj", n.Imag)
	}
	for _, t := range n.Text {
		fmt.Fprintf(b, " text=%q", t)
	}
	if n.Hex != "" {
		if n.Type == "float" || n.Type == "complex" {
			fmt.Fprintf(b, " bits=%s", n.Hex)
		} else {
			fmt.Fprintf(b, " %s", n.Hex)
		}
	}
	if n.Layout != "" {
		fmt.Fprintf(b, " layout %s", n.Layout)
	}
	b.WriteByte('\n')
	for i, it := range n.Items {
		writeNode(b, strconv.Itoa(i), it, depth+1)
	}
	for _, p := range n.Pairs {
		writeNode(b, "key", p[0], depth+1)
		writeNode(b, "value", p[1], depth+1)
	}
	for _, f := range n.Fields {
		if f.Data != nil {
			fmt.Fprintf(b, "%s  %s: %v\n", ind, f.Name, f.Data)
			continue
		}
		if f.Int != nil {
			if f.Name == "co_flags" {
				fmt.Fprintf(b, "%s  %s: 0x%x\n", ind, f.Name, *f.Int)
			} else {
				fmt.Fprintf(b, "%s  %s: %d\n", ind, f.Name, *f.Int)
			}
			continue
		}
		writeNode(b, f.Name, f.Value, depth+1)
	}
}

package marshal

import (
	"bytes"
	"sort"
	"unicode/utf8"
)

// Canonicalize rewrites the encoding choices that CPython's marshal makes
// from the state of the process rather than from the value, so that equal
// values encode to equal bytes whatever process wrote them. It changes v in
// place and returns it (a flagged singleton at the top is returned
// unflagged).
//
// Three choices are rewritten:
//
//   - FLAG_REF. CPython (marshal version 3 and later) flags every object
//     whose reference count is above one when it is written, so an object
//     also held by something outside the stream (an interned name used by a
//     loaded module, a cached constant) is flagged though nothing in the
//     stream refers back to it. Canonicalize clears every flag, then walks
//     the value in the encoder's order and flags exactly the objects it
//     meets more than once: those, and only those, are written once and
//     referred back to. Streams of marshal versions before 3 carry no flags
//     and get none.
//   - String identity (Python 3 streams). Whether two equal strings of a
//     code object are one object or two follows the process's table of
//     interned strings: a class's qualified name, say, is shared with the
//     equal constant unless a loaded module interned that text first.
//     Canonicalize makes all equal strings one object, interned (type 't',
//     'A' or 'Z') when any of them was. The empty string and the strings of
//     one character below U+0100 are the exception: CPython keeps one
//     object for each, process-wide, so whether "{" is interned is
//     whatever happened to it earlier in the process; Canonicalize interns
//     them exactly when they are made of name characters (ASCII letters,
//     digits, underscore), the rule the compiler itself applies to
//     constants.
//   - Set order. The items of a set or frozenset are written in hash-table
//     order, which for strings depends on the process's hash seed (before
//     CPython 3.11) or on the reference flags of the items (3.11 on, which
//     sorts them by their marshalled bytes). Canonicalize sorts the items by
//     their encoding as a plain tree (no references), nested sets first.
//
// The result loads in CPython as equal objects; only the bytes (and the
// identity of equal strings) differ.
func Canonicalize(v Value, opts EncodeOptions) Value {
	c := canon{opts: opts, done: make(map[Encoded]bool)}
	if !opts.Python2 {
		c.collectStrings(v)
	}
	v = c.prepare(v)
	if opts.Version >= 3 {
		w := refWalk{seen: make(map[Encoded]bool)}
		w.value(v)
	}
	return v
}

// canon is the first pass: clear flags, unflag singletons, sort sets. Each
// pointer is prepared once, children before parents.
type canon struct {
	opts EncodeOptions
	done map[Encoded]bool
	key  []byte
	strs map[string]*Str // the one object for each string's text
}

// collectStrings chooses one object for each distinct string text: the
// first met, given the type of the first interned one if any is.
func (c *canon) collectStrings(v Value) {
	c.strs = make(map[string]*Str)
	interned := make(map[string]byte)
	seen := make(map[Encoded]bool)
	var visit func(v Value)
	visit = func(v Value) {
		x, ok := v.(Encoded)
		if !ok || seen[x] {
			return
		}
		seen[x] = true
		if s, ok := v.(*Str); ok {
			key := string(s.Data)
			if _, ok := c.strs[key]; !ok {
				c.strs[key] = s
			}
			if s.Interned() && interned[key] == 0 {
				interned[key] = s.Type
			}
			return
		}
		children(v, visit)
	}
	visit(v)
	for key, typ := range interned {
		c.strs[key].Type = typ
	}
	for key, s := range c.strs {
		if isSingleton(key) {
			s.Type = StrType(s.Data, allNameChars(key), c.opts.Version, false)
		}
	}
}

// isSingleton reports whether CPython keeps one shared object for a
// string's text: the empty string and single characters below U+0100.
func isSingleton(text string) bool {
	if text == "" {
		return true
	}
	r, size := utf8.DecodeRuneInString(text)
	return size == len(text) && r < 0x100 && r != utf8.RuneError
}

// allNameChars is the compiler's test for interning a constant: only ASCII
// letters, digits and underscores (vacuously true of "").
func allNameChars(text string) bool {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if !(c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// children calls fn on each object v holds directly.
func children(v Value, fn func(Value)) {
	switch x := v.(type) {
	case *Tuple:
		for _, it := range x.Items {
			fn(it)
		}
	case *List:
		for _, it := range x.Items {
			fn(it)
		}
	case *Set:
		for _, it := range x.Items {
			fn(it)
		}
	case *Dict:
		for _, it := range x.Items {
			fn(it.Key)
			fn(it.Value)
		}
	case *Slice:
		fn(x.Start)
		fn(x.Stop)
		fn(x.Step)
	case *Code:
		for _, f := range []Value{x.Code, x.LocalsPlusKinds, x.Filename, x.Name, x.QualName, x.LineTable, x.ExceptionTable} {
			fn(f)
		}
		for _, t := range []*Tuple{x.Consts, x.Names, x.VarNames, x.FreeVars, x.CellVars, x.LocalsPlusNames} {
			if t != nil {
				fn(t)
			}
		}
	}
}

func (c *canon) prepare(v Value) Value {
	if s, ok := v.(*Str); ok && c.strs != nil {
		if one := c.strs[string(s.Data)]; one != nil {
			v = one
		}
	}
	switch x := v.(type) {
	case nil:
		return nil
	case Singleton:
		return x.Kind()
	case Encoded:
		if c.done[x] {
			return v
		}
		c.done[x] = true
		x.Enc().Ref = false
	}
	switch x := v.(type) {
	case *Tuple:
		c.items(x.Items)
	case *List:
		c.items(x.Items)
	case *Set:
		c.items(x.Items)
		c.sortItems(x.Items)
	case *Dict:
		for i := range x.Items {
			x.Items[i].Key = c.prepare(x.Items[i].Key)
			x.Items[i].Value = c.prepare(x.Items[i].Value)
		}
	case *Slice:
		x.Start = c.prepare(x.Start)
		x.Stop = c.prepare(x.Stop)
		x.Step = c.prepare(x.Step)
	case *Code:
		x.Code = c.prepare(x.Code)
		c.tuple(x.Consts)
		c.tuple(x.Names)
		c.tuple(x.VarNames)
		c.tuple(x.FreeVars)
		c.tuple(x.CellVars)
		c.tuple(x.LocalsPlusNames)
		x.LocalsPlusKinds = c.prepare(x.LocalsPlusKinds)
		x.Filename = c.prepare(x.Filename)
		x.Name = c.prepare(x.Name)
		x.QualName = c.prepare(x.QualName)
		x.LineTable = c.prepare(x.LineTable)
		x.ExceptionTable = c.prepare(x.ExceptionTable)
	}
	return v
}

func (c *canon) tuple(t *Tuple) {
	if t != nil {
		c.prepare(t)
	}
}

func (c *canon) items(items []Value) {
	for i, it := range items {
		items[i] = c.prepare(it)
	}
}

// sortItems orders set items by their flat encodings. An item that cannot
// be encoded (a cycle, say) leaves the order as it is.
func (c *canon) sortItems(items []Value) {
	if len(items) < 2 {
		return
	}
	keys := make([][]byte, len(items))
	for i, it := range items {
		e := encoder{buf: c.key[:0], opts: c.opts, flat: true}
		e.value(it)
		if e.err != nil {
			return
		}
		keys[i] = bytes.Clone(e.buf)
		c.key = e.buf
	}
	idx := make([]int, len(items))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return bytes.Compare(keys[idx[a]], keys[idx[b]]) < 0 })
	sorted := make([]Value, len(items))
	for i, j := range idx {
		sorted[i] = items[j]
	}
	copy(items, sorted)
}

// refWalk is the second pass: it visits the value in the encoder's order
// and flags every pointer met a second time. It descends only on the first
// meeting, as the encoder writes a back-reference on the later ones.
type refWalk struct {
	seen map[Encoded]bool
}

func (w *refWalk) value(v Value) {
	x, ok := v.(Encoded)
	if !ok {
		return
	}
	if w.seen[x] {
		x.Enc().Ref = true
		return
	}
	w.seen[x] = true
	switch x := v.(type) {
	case *Tuple:
		w.items(x.Items)
	case *List:
		w.items(x.Items)
	case *Set:
		w.items(x.Items)
	case *Dict:
		for _, it := range x.Items {
			w.value(it.Key)
			w.value(it.Value)
		}
	case *Slice:
		w.value(x.Start)
		w.value(x.Stop)
		w.value(x.Step)
	case *Code:
		w.code(x)
	}
}

func (w *refWalk) items(items []Value) {
	for _, it := range items {
		w.value(it)
	}
}

// code visits a code object's fields in the order encoder.code writes them.
func (w *refWalk) code(c *Code) {
	lay := c.Layout
	w.value(c.Code)
	w.tuple(c.Consts)
	w.tuple(c.Names)
	if lay >= Layout311 {
		w.tuple(c.LocalsPlusNames)
		w.value(c.LocalsPlusKinds)
	} else {
		if lay >= Layout13 {
			w.tuple(c.VarNames)
		}
		if lay >= Layout21 {
			w.tuple(c.FreeVars)
			w.tuple(c.CellVars)
		}
	}
	w.value(c.Filename)
	w.value(c.Name)
	if lay >= Layout311 {
		w.value(c.QualName)
	}
	if lay >= Layout15 {
		w.value(c.LineTable)
	}
	if lay >= Layout311 {
		w.value(c.ExceptionTable)
	}
}

func (w *refWalk) tuple(t *Tuple) {
	if t != nil {
		w.value(t)
	}
}

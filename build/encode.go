package build

import (
	"fmt"
	"math"
	"strconv"

	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// This file decides how each object of a file is encoded: its marshal type
// code and whether it carries FLAG_REF (which makes later occurrences of
// the same object back-references). CPython's choices follow from the
// object's type and from reference counts that the file does not record,
// so they cannot always be recomputed. Each object gets a default (what
// CPython's marshal of the version gives such an object in such a place,
// most of the time) and a Spec records where a file differs: assembly text
// prints it as an annotation, and Finalize applies it.
//
// Object identity is by value: in a finished file, equal objects (same
// kind, type code, contents and tag) are one object. Where a file holds
// equal objects that must stay apart (two strings with FLAG_REF, each
// written in full), Plan gives all but the first a Tag.

// Ctx says where an object sits in a code object; the default type code
// and FLAG_REF depend on it.
type Ctx uint8

// The contexts.
const (
	CtxConst    Ctx = iota // a constant, or inside one
	CtxName                // an item of co_names
	CtxLocal               // an item of co_varnames, co_cellvars, co_freevars, co_localsplusnames
	CtxCoName              // co_name
	CtxQualName            // co_qualname
	CtxFilename            // co_filename
	CtxTop                 // the top-level code object
	CtxNested              // a code object among the constants
	ctxField               // ctxField + Field: an object the assembler makes
)

// FieldCtx returns the context of the object a code field holds.
func FieldCtx(f Field) Ctx { return ctxField + Ctx(f) }

func (x Ctx) field() (Field, bool) {
	if x >= ctxField {
		return Field(x - ctxField), true
	}
	return 0, false
}

// nameChars reports whether s consists of ASCII letters, digits and
// underscores only: the strings CPython's compiler interns among
// constants.
func nameChars(s []byte) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// internedByDefault reports whether a string in ctx is interned by default
// in version v: what most such strings are in that version's standard
// library (measured).
func internedByDefault(v *pyc.Version, ctx Ctx, data []byte) bool {
	short := len(data) <= 1
	switch ctx {
	case CtxName, CtxLocal:
		return true
	case CtxCoName:
		// co_name: every name in 2.x, 3.8 to 3.10 and 3.13+; only
		// identifiers (not "<module>", "<lambda>") otherwise.
		if v.Major < 3 || v.AtLeast(3, 8) && !v.AtLeast(3, 11) || v.AtLeast(3, 13) {
			return true
		}
		return nameChars(data)
	case CtxQualName:
		return v.AtLeast(3, 13) || nameChars(data)
	case CtxFilename:
		return v.AtLeast(3, 13)
	case CtxConst:
		if short && (v.Major < 3 || v.AtLeast(3, 13)) {
			return true
		}
		return nameChars(data)
	}
	if f, ok := ctx.field(); ok && v.Major < 3 && len(data) == 0 {
		// Python 2's empty string is interned (co_lnotab, co_code).
		_ = f
		return true
	}
	return false
}

// DefaultType returns the type code an object gets by default in ctx.
func DefaultType(v *pyc.Version, obj marshal.Value, ctx Ctx) byte {
	mv := v.MarshalVersion
	py2 := v.Major < 3
	switch x := obj.(type) {
	case *marshal.Int:
		if x.Big == nil && x.Small >= math.MinInt32 && x.Small <= math.MaxInt32 {
			return 'i'
		}
		if py2 && x.Big == nil {
			return 'I'
		}
		return 'l'
	case *marshal.Float:
		if mv >= 2 {
			return 'g'
		}
		return 'f'
	case *marshal.Complex:
		if mv >= 2 {
			return 'y'
		}
		return 'x'
	case *marshal.Str:
		return marshal.StrType(x.Data, internedByDefault(v, ctx, x.Data), mv, py2)
	case *marshal.Unicode:
		return 'u'
	case *marshal.Bytes:
		return 's'
	case *marshal.Tuple:
		if mv >= 4 && len(x.Items) < 256 {
			return ')'
		}
		return '('
	case *marshal.List:
		return '['
	case *marshal.Dict:
		return '{'
	case *marshal.Set:
		if x.Frozen {
			return '>'
		}
		return '<'
	case *marshal.Slice:
		return ':'
	case *marshal.Code:
		return 'c'
	}
	return 0
}

// defaultRef says whether an object carries FLAG_REF by default, given the
// references to it (refs, counted as the objects holding it in memory
// would) and where it first occurs. CPython sets the flag on an object
// with more than one reference, and these defaults are what most such
// objects do in the standard library of each version (measured): objects
// CPython always shares (interned strings from 3.11, cached small ints and
// one-character strings, empty tuples and bytes, the top-level code
// object) carry it; equal objects in two places are one shared object from
// 3.8 (3.10 for co_code and line tables), when the compiler merges equal
// constants, and separate objects before.
func defaultRef(v *pyc.Version, obj marshal.Value, ctx Ctx, refs int) bool {
	if v.MarshalVersion < 3 {
		return false
	}
	f, isField := ctx.field()
	if isField && f == FieldLocalsPlusKinds && len(marshal.BytesOf(obj)) > 0 {
		return false // made anew for each code object
	}
	switch x := obj.(type) {
	case *marshal.Code:
		return ctx == CtxTop || refs >= 2
	case *marshal.Str:
		if len(x.Data) == 0 || len(x.Data) == 1 || len(x.Data) == 2 && x.Data[0] >= 0xc2 && x.Data[0] <= 0xc3 {
			return true // the empty string and one-character latin-1 strings are cached
		}
		if x.Interned() {
			if refs >= 2 || v.AtLeast(3, 11) {
				return true
			}
			switch ctx {
			case CtxLocal:
				return false
			case CtxConst:
				return v.AtLeast(3, 8)
			}
			return true
		}
		if ctx == CtxQualName {
			return false // 3.11: a new string for each code object
		}
		if ctx == CtxCoName || ctx == CtxFilename {
			return true
		}
	case *marshal.Bytes:
		if len(x.Data) <= 1 {
			return true
		}
		if isField && f == FieldCode && v.AtLeast(3, 11) {
			return true // code objects keep their co_code
		}
	case *marshal.Int:
		if x.Big == nil && x.Small >= -5 && x.Small <= 256 {
			return true
		}
	case *marshal.Tuple:
		if len(x.Items) == 0 {
			return true
		}
	}
	if refs < 2 {
		return false
	}
	// An object that occurs more than once: one object, or equal ones?
	switch {
	case v.AtLeast(3, 10):
		return true
	case v.AtLeast(3, 8):
		return !(isField && (f == FieldCode || f == FieldLineTable))
	case v.AtLeast(3, 7) || isField:
		return false
	}
	// 3.6 and before: constants are shared within a code object only.
	switch obj.(type) {
	case *marshal.Int, *marshal.Bytes:
		return true
	}
	return false
}

// positional reports whether objects in ctx are told apart by where they
// are rather than by value: 3.11+ co_code, which each code object makes for
// itself. Such objects are shared only when they carry the same tag.
func positional(v *pyc.Version, ctx Ctx) bool {
	return ctx == FieldCtx(FieldCode) && v.AtLeast(3, 11)
}

// Plan is the encoding analysis of a decoded file: for each object, the
// annotations that make Finalize reproduce its encoding.
type Plan struct {
	v      *pyc.Version
	tag    map[marshal.Value]int
	ref    map[marshal.Value]Ref // where FLAG_REF differs from the default
	groups map[string]*planGroup
	cls    map[marshal.Value]*planClass
	nextID int
}

type planGroup struct {
	shared  *planClass   // the class of the objects that may merge
	classes []*planClass // in order of first appearance
}

type planClass struct {
	id, tag int
	count   int
	ctx     Ctx
	objs    []marshal.Value
}

// NewPlan analyses the value graph of a file (its top-level object) of
// version v.
func NewPlan(top marshal.Value, v *pyc.Version) *Plan {
	p := &Plan{
		v: v, tag: map[marshal.Value]int{}, ref: map[marshal.Value]Ref{},
		groups: map[string]*planGroup{}, cls: map[marshal.Value]*planClass{},
	}
	g := graph{visit: p.visit}
	g.walkTop(top)
	// Settle FLAG_REF per class.
	for _, g := range p.groups {
		for _, c := range g.classes {
			def := defaultRef(p.v, c.objs[0], c.ctx, c.count)
			have := false
			if e, ok := c.objs[0].(marshal.Encoded); ok {
				have = e.Enc().Ref
			}
			if have != def {
				r := RefClear
				if have {
					r = RefSet
				}
				for _, o := range c.objs {
					p.ref[o] = r
				}
			}
			if positional(p.v, c.ctx) && c.count >= 2 {
				c.tag = c.id // shared: a tag of its own marks the sharing
			}
			if c.tag != 0 {
				for _, o := range c.objs {
					p.tag[o] = c.tag
				}
			}
		}
	}
	return p
}

// relevant reports whether an object's identity matters to the encoding:
// it carries FLAG_REF, or is a Python 2 interned string (written once and
// then referred to).
func (p *Plan) relevant(o marshal.Value) bool {
	if e, ok := o.(marshal.Encoded); ok {
		if e.Enc().Ref {
			return true
		}
		if s, ok := o.(*marshal.Str); ok && p.v.Major < 3 && s.Type == 't' {
			return true
		}
	}
	return false
}

// visit classifies an object whose children have been visited (their ids
// are in body); it returns the object's class id.
func (p *Plan) visit(o marshal.Value, ctx Ctx, body string, again bool) int {
	if again {
		c := p.cls[o]
		c.count++
		return c.id
	}
	e := o.(marshal.Encoded)
	k := string(e.Enc().Type) + body
	if positional(p.v, ctx) {
		// Each code object has its own co_code: no merging by value.
		p.nextID++
		k = "P" + strconv.Itoa(p.nextID)
	}
	g := p.groups[k]
	if g == nil {
		g = &planGroup{}
		p.groups[k] = g
	}
	var c *planClass
	newClass := func() *planClass {
		p.nextID++
		c := &planClass{id: p.nextID, tag: len(g.classes), ctx: ctx}
		g.classes = append(g.classes, c)
		return c
	}
	if p.relevant(o) {
		c = newClass()
	} else {
		if g.shared == nil {
			g.shared = newClass()
		}
		c = g.shared
	}
	c.count++
	c.objs = append(c.objs, o)
	p.cls[o] = c
	return c.id
}

// graph walks a file's value graph in stream order, children before
// parents, calling visit once per occurrence of each pointer value (again
// set after the first) with the keys of its children's ids.
type graph struct {
	visit func(o marshal.Value, ctx Ctx, body string, again bool) int
	// rewrite, when set, may replace a child: it is called with each
	// child visited and returns the object to keep in its place.
	rewrite func(o marshal.Value) marshal.Value
	seen    map[marshal.Value]int
	// open holds the objects whose children are being visited: meeting
	// one again (a decoded container that holds itself through a
	// back-reference) visits it as seen, with a key of its own.
	open  map[marshal.Value]bool
	depth int
}

func (g *graph) walkTop(top marshal.Value) marshal.Value {
	g.seen = map[marshal.Value]int{}
	ctx := CtxConst
	if _, ok := top.(*marshal.Code); ok {
		ctx = CtxTop
	}
	out, _ := g.child(top, ctx, CtxConst)
	return out
}

// child visits o in ctx (its items, for containers, in itemCtx) and returns
// the object to keep and its id key.
func (g *graph) child(o marshal.Value, ctx, itemCtx Ctx) (marshal.Value, string) {
	if o == nil {
		return nil, "0"
	}
	if _, ok := o.(marshal.Encoded); !ok {
		return o, valueKey(o)
	}
	if c, ok := o.(*marshal.Code); ok && ctx == CtxConst {
		_ = c
		ctx = CtxNested
	}
	if id, ok := g.seen[o]; ok {
		g.visit(o, ctx, "", true)
		if g.rewrite != nil {
			o = g.rewrite(o)
		}
		return o, "#" + strconv.Itoa(id)
	}
	if g.open[o] {
		return o, "@cycle"
	}
	g.depth++
	if g.depth > marshal.MaxDepth {
		g.depth--
		return o, "?"
	}
	if g.open == nil {
		g.open = map[marshal.Value]bool{}
	}
	g.open[o] = true
	body := g.content(o, itemCtx)
	delete(g.open, o)
	g.depth--
	id := g.visit(o, ctx, body, false)
	g.seen[o] = id
	if g.rewrite != nil {
		o = g.rewrite(o)
	}
	return o, "#" + strconv.Itoa(id)
}

// content visits an object's children and returns the key of its
// contents.
func (g *graph) content(o marshal.Value, itemCtx Ctx) string {
	items := func(vs []marshal.Value) string {
		s := strconv.Itoa(len(vs)) + ":"
		for i, v := range vs {
			var k string
			vs[i], k = g.child(v, itemCtx, itemCtx)
			s += k + ","
		}
		return s
	}
	switch x := o.(type) {
	case *marshal.Tuple:
		return "t" + items(x.Items)
	case *marshal.List:
		return "L" + items(x.Items)
	case *marshal.Set:
		return "S" + items(x.Items)
	case *marshal.Dict:
		s := "D"
		for i := range x.Items {
			var k1, k2 string
			x.Items[i].Key, k1 = g.child(x.Items[i].Key, CtxConst, CtxConst)
			x.Items[i].Value, k2 = g.child(x.Items[i].Value, CtxConst, CtxConst)
			s += k1 + ":" + k2 + ","
		}
		return s
	case *marshal.Slice:
		var a, b, c string
		x.Start, a = g.child(x.Start, CtxConst, CtxConst)
		x.Stop, b = g.child(x.Stop, CtxConst, CtxConst)
		x.Step, c = g.child(x.Step, CtxConst, CtxConst)
		return "s" + a + "," + b + "," + c
	case *marshal.Code:
		return g.codeContent(x)
	}
	return valueKey(o)
}

// codeContent visits a code object's fields in stream order and keys
// them.
func (g *graph) codeContent(c *marshal.Code) string {
	s := fmt.Sprintf("C%d,%d,%d,%d,%d,%d,%d,%d|", c.Layout, c.ArgCount, c.PosOnlyArgCount, c.KwOnlyArgCount, c.NLocals, c.StackSize, c.Flags, c.FirstLineNo)
	var k string
	field := func(v marshal.Value, f Field, itemCtx Ctx) marshal.Value {
		v, k = g.child(v, FieldCtx(f), itemCtx)
		s += k + ","
		return v
	}
	tuple := func(t *marshal.Tuple, f Field, itemCtx Ctx) *marshal.Tuple {
		if t == nil {
			s += "0,"
			return nil
		}
		v := field(t, f, itemCtx)
		nt, _ := v.(*marshal.Tuple)
		return nt
	}
	c.Code = field(c.Code, FieldCode, CtxConst)
	c.Consts = tuple(c.Consts, FieldConsts, CtxConst)
	c.Names = tuple(c.Names, FieldNames, CtxName)
	lay := c.Layout
	if lay.Has("localsplusnames") {
		c.LocalsPlusNames = tuple(c.LocalsPlusNames, FieldLocalsPlusNames, CtxLocal)
		c.LocalsPlusKinds = field(c.LocalsPlusKinds, FieldLocalsPlusKinds, CtxConst)
	} else {
		if lay.Has("varnames") {
			c.VarNames = tuple(c.VarNames, FieldVarNames, CtxLocal)
		}
		if lay.Has("freevars") {
			c.FreeVars = tuple(c.FreeVars, FieldFreeVars, CtxLocal)
			c.CellVars = tuple(c.CellVars, FieldCellVars, CtxLocal)
		}
	}
	c.Filename, k = g.child(c.Filename, CtxFilename, CtxConst)
	s += k + ","
	c.Name, k = g.child(c.Name, CtxCoName, CtxConst)
	s += k + ","
	if lay.Has("qualname") {
		c.QualName, k = g.child(c.QualName, CtxQualName, CtxConst)
		s += k + ","
	}
	if lay.Has("lnotab") {
		c.LineTable = field(c.LineTable, FieldLineTable, CtxConst)
	}
	if lay.Has("exceptiontable") {
		c.ExceptionTable = field(c.ExceptionTable, FieldExceptionTable, CtxConst)
	}
	return s
}

// Annotation returns what assembly text must say about obj where it sits in
// ctx: its type code when that differs from the default there (else 0),
// FLAG_REF when it differs from the default, and its identity tag.
func (p *Plan) Annotation(obj marshal.Value, ctx Ctx) Spec {
	var sp Spec
	if e, ok := obj.(marshal.Encoded); ok {
		if t := e.Enc().Type; t != DefaultType(p.v, obj, ctx) {
			sp.Type = t
		}
	}
	sp.Ref = p.ref[obj]
	sp.Tag = p.tag[obj]
	return sp
}

// Finalize settles the encoding of a file's value graph built by the
// assembler or by hand, in place: every object whose type code is unset
// gets its default; objects equal in kind, type code, contents and tag
// become one object (annots gives tags and FLAG_REF settings by object);
// each object carries FLAG_REF as annots says, or else by default (when it
// occurs more than once, or is of a kind CPython always shares). It
// returns the top-level object to encode.
func Finalize(top marshal.Value, v *pyc.Version, annots map[marshal.Value]Spec) (marshal.Value, error) {
	f := &finalizer{v: v, annots: annots, canon: map[string]marshal.Value{}, info: map[marshal.Value]*finalInfo{}}
	g := graph{visit: f.visit, rewrite: f.rewrite}
	out := g.walkTop(top)
	if f.err != nil {
		return nil, f.err
	}
	// Count the references to each object as CPython's reference counts
	// would have them: one from each object holding it in memory. An
	// object without FLAG_REF written twice was two objects in memory, so
	// its children were held twice; one with FLAG_REF was one object.
	var order []marshal.Value
	parents := map[marshal.Value][]marshal.Value{}
	seen := map[marshal.Value]bool{}
	var walk func(o, parent marshal.Value, ctx, itemCtx Ctx, depth int)
	walk = func(o, parent marshal.Value, ctx, itemCtx Ctx, depth int) {
		if _, ok := o.(marshal.Encoded); !ok || depth > marshal.MaxDepth {
			return
		}
		parents[o] = append(parents[o], parent)
		if seen[o] {
			return
		}
		seen[o] = true
		f.info[o].ctx = ctx
		eachChild(o, itemCtx, func(c marshal.Value, cctx, ictx Ctx) { walk(c, o, cctx, ictx, depth+1) })
		order = append(order, o)
	}
	ctx := CtxConst
	if _, ok := out.(*marshal.Code); ok {
		ctx = CtxTop
	}
	walk(out, nil, ctx, CtxConst, 0)
	writes := map[marshal.Value]int{nil: 1}
	for k := len(order) - 1; k >= 0; k-- {
		o := order[k]
		in := f.info[o]
		refs := 0
		for _, p := range parents[o] {
			refs += writes[p]
		}
		e := o.(marshal.Encoded).Enc()
		switch in.ref {
		case RefSet:
			e.Ref = true
		case RefClear:
			e.Ref = false
		default:
			e.Ref = defaultRef(v, o, in.ctx, refs)
		}
		writes[o] = refs
		if e.Ref {
			writes[o] = 1
		}
	}
	return out, nil
}

type finalInfo struct {
	id  int
	ctx Ctx
	ref Ref
}

type finalizer struct {
	v      *pyc.Version
	annots map[marshal.Value]Spec
	canon  map[string]marshal.Value
	info   map[marshal.Value]*finalInfo
	// merged maps each visited object to its canonical one.
	merged map[marshal.Value]marshal.Value
	nextID int
	err    error
}

func (f *finalizer) visit(o marshal.Value, ctx Ctx, body string, again bool) int {
	if f.merged == nil {
		f.merged = map[marshal.Value]marshal.Value{}
	}
	sp := f.annots[o]
	if again {
		c := f.merged[o]
		in := f.info[c]
		f.setRef(in, sp.Ref)
		return in.id
	}
	e := o.(marshal.Encoded).Enc()
	if e.Type == 0 {
		e.Type = DefaultType(f.v, o, ctx)
	}
	k := string(e.Type) + "#" + strconv.Itoa(sp.Tag) + body
	if positional(f.v, ctx) && sp.Tag == 0 {
		f.nextID++
		k = "P" + strconv.Itoa(f.nextID)
	}
	c, ok := f.canon[k]
	if !ok {
		c = o
		f.canon[k] = o
		f.nextID++
		f.info[o] = &finalInfo{id: f.nextID, ctx: ctx}
	}
	f.merged[o] = c
	in := f.info[c]
	f.setRef(in, sp.Ref)
	return in.id
}

func (f *finalizer) setRef(in *finalInfo, r Ref) {
	if r == RefDefault {
		return
	}
	if in.ref != RefDefault && in.ref != r && f.err == nil {
		f.err = fmt.Errorf("build: one object annotated both with and without FLAG_REF")
	}
	in.ref = r
}

func (f *finalizer) rewrite(o marshal.Value) marshal.Value {
	if c, ok := f.merged[o]; ok {
		return c
	}
	return o
}

// valueKey keys an object without children: kind and contents.
func valueKey(o marshal.Value) string {
	switch x := o.(type) {
	case marshal.Singleton:
		return "N" + strconv.Itoa(int(x))
	case *marshal.Int:
		if x.Big != nil {
			return "i" + x.Big.String()
		}
		return "i" + strconv.FormatInt(x.Small, 10)
	case *marshal.Float:
		return "f" + strconv.FormatUint(math.Float64bits(x.Value), 16) + "/" + string(x.Text)
	case *marshal.Complex:
		return "x" + strconv.FormatUint(math.Float64bits(x.Real), 16) + "," + strconv.FormatUint(math.Float64bits(x.Imag), 16) +
			"/" + string(x.RealText) + "/" + string(x.ImagText)
	case *marshal.Bytes:
		return "b" + strconv.Itoa(len(x.Data)) + ":" + string(x.Data)
	case *marshal.Str:
		return "s" + strconv.Itoa(len(x.Data)) + ":" + string(x.Data)
	case *marshal.Unicode:
		return "u" + strconv.Itoa(len(x.Data)) + ":" + string(x.Data)
	}
	return "?"
}

// eachChild calls fn with each object o holds directly, in stream order,
// the context it is in and the context of its own items (itemCtx is that of
// o's items).
func eachChild(o marshal.Value, itemCtx Ctx, fn func(c marshal.Value, ctx, itemCtx Ctx)) {
	items := func(vs []marshal.Value) {
		for _, v := range vs {
			if v == nil {
				continue
			}
			if _, ok := v.(*marshal.Code); ok && itemCtx == CtxConst {
				fn(v, CtxNested, CtxConst)
				continue
			}
			fn(v, itemCtx, itemCtx)
		}
	}
	one := func(v marshal.Value, ctx, ictx Ctx) {
		if v != nil {
			fn(v, ctx, ictx)
		}
	}
	switch x := o.(type) {
	case *marshal.Tuple:
		items(x.Items)
	case *marshal.List:
		items(x.Items)
	case *marshal.Set:
		items(x.Items)
	case *marshal.Dict:
		for _, it := range x.Items {
			one(it.Key, CtxConst, CtxConst)
			one(it.Value, CtxConst, CtxConst)
		}
	case *marshal.Slice:
		one(x.Start, CtxConst, CtxConst)
		one(x.Stop, CtxConst, CtxConst)
		one(x.Step, CtxConst, CtxConst)
	case *marshal.Code:
		field := func(v marshal.Value, f Field, ictx Ctx) {
			if t, ok := v.(*marshal.Tuple); ok && t == nil {
				return
			}
			one(v, FieldCtx(f), ictx)
		}
		field(x.Code, FieldCode, CtxConst)
		if x.Consts != nil {
			field(x.Consts, FieldConsts, CtxConst)
		}
		if x.Names != nil {
			field(x.Names, FieldNames, CtxName)
		}
		lay := x.Layout
		if lay.Has("localsplusnames") {
			if x.LocalsPlusNames != nil {
				field(x.LocalsPlusNames, FieldLocalsPlusNames, CtxLocal)
			}
			field(x.LocalsPlusKinds, FieldLocalsPlusKinds, CtxConst)
		} else {
			if lay.Has("varnames") && x.VarNames != nil {
				field(x.VarNames, FieldVarNames, CtxLocal)
			}
			if lay.Has("freevars") {
				if x.FreeVars != nil {
					field(x.FreeVars, FieldFreeVars, CtxLocal)
				}
				if x.CellVars != nil {
					field(x.CellVars, FieldCellVars, CtxLocal)
				}
			}
		}
		one(x.Filename, CtxFilename, CtxConst)
		one(x.Name, CtxCoName, CtxConst)
		if lay.Has("qualname") {
			one(x.QualName, CtxQualName, CtxConst)
		}
		if lay.Has("lnotab") {
			field(x.LineTable, FieldLineTable, CtxConst)
		}
		if lay.Has("exceptiontable") {
			field(x.ExceptionTable, FieldExceptionTable, CtxConst)
		}
	}
}

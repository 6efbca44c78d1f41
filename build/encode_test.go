package build

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// rebuild copies a decoded graph the way the assembler would rebuild it
// from assembly text: a fresh object for every occurrence, with the type
// code the text would give it and the annotations the plan asks for.
type rebuilder struct {
	p      *Plan
	annots map[marshal.Value]Spec
	n      int // annotations printed
}

func (r *rebuilder) copy(o marshal.Value, ctx Ctx, itemCtx Ctx) marshal.Value {
	e, ok := o.(marshal.Encoded)
	if !ok {
		return o
	}
	if _, isCode := o.(*marshal.Code); isCode && ctx == CtxConst {
		ctx = CtxNested
	}
	sp := r.p.Annotation(o, ctx)
	if sp.Type != 0 || sp.Ref != RefDefault || sp.Tag != 0 {
		r.n++
	}
	typ := sp.Type
	if typ == 0 {
		typ = DefaultType(r.p.v, o, ctx)
	}
	if typ != e.Enc().Type {
		panic("type mismatch")
	}
	enc := marshal.Encoding{Type: typ}
	var out marshal.Value
	items := func(vs []marshal.Value) []marshal.Value {
		n := make([]marshal.Value, len(vs))
		for i, v := range vs {
			n[i] = r.copy(v, itemCtx, itemCtx)
		}
		return n
	}
	switch x := o.(type) {
	case *marshal.Int:
		out = &marshal.Int{Encoding: enc, Small: x.Small, Big: x.Big}
	case *marshal.Float:
		out = &marshal.Float{Encoding: enc, Value: x.Value, Text: x.Text}
	case *marshal.Complex:
		out = &marshal.Complex{Encoding: enc, Real: x.Real, Imag: x.Imag, RealText: x.RealText, ImagText: x.ImagText}
	case *marshal.Bytes:
		out = &marshal.Bytes{Encoding: enc, Data: x.Data}
	case *marshal.Str:
		out = &marshal.Str{Encoding: enc, Data: x.Data}
	case *marshal.Unicode:
		out = &marshal.Unicode{Encoding: enc, Data: x.Data}
	case *marshal.Tuple:
		out = &marshal.Tuple{Encoding: enc, Items: items(x.Items)}
	case *marshal.List:
		out = &marshal.List{Encoding: enc, Items: items(x.Items)}
	case *marshal.Set:
		out = &marshal.Set{Encoding: enc, Frozen: x.Frozen, Items: items(x.Items)}
	case *marshal.Dict:
		d := &marshal.Dict{Encoding: enc}
		for _, it := range x.Items {
			d.Items = append(d.Items, marshal.DictItem{Key: r.copy(it.Key, CtxConst, CtxConst), Value: r.copy(it.Value, CtxConst, CtxConst)})
		}
		out = d
	case *marshal.Slice:
		out = &marshal.Slice{Encoding: enc, Start: r.copy(x.Start, CtxConst, CtxConst), Stop: r.copy(x.Stop, CtxConst, CtxConst), Step: r.copy(x.Step, CtxConst, CtxConst)}
	case *marshal.Code:
		c := *x
		c.Encoding = enc
		f := func(v marshal.Value, fl Field, ic Ctx) marshal.Value {
			if v == nil {
				return nil
			}
			return r.copy(v, FieldCtx(fl), ic)
		}
		t := func(v *marshal.Tuple, fl Field, ic Ctx) *marshal.Tuple {
			if v == nil {
				return nil
			}
			return r.copy(v, FieldCtx(fl), ic).(*marshal.Tuple)
		}
		c.Code = f(x.Code, FieldCode, CtxConst)
		c.Consts = t(x.Consts, FieldConsts, CtxConst)
		c.Names = t(x.Names, FieldNames, CtxName)
		c.VarNames = t(x.VarNames, FieldVarNames, CtxLocal)
		c.FreeVars = t(x.FreeVars, FieldFreeVars, CtxLocal)
		c.CellVars = t(x.CellVars, FieldCellVars, CtxLocal)
		c.LocalsPlusNames = t(x.LocalsPlusNames, FieldLocalsPlusNames, CtxLocal)
		c.LocalsPlusKinds = f(x.LocalsPlusKinds, FieldLocalsPlusKinds, CtxConst)
		c.Filename = r.copy(x.Filename, CtxFilename, CtxConst)
		c.Name = r.copy(x.Name, CtxCoName, CtxConst)
		if x.QualName != nil {
			c.QualName = r.copy(x.QualName, CtxQualName, CtxConst)
		}
		c.LineTable = f(x.LineTable, FieldLineTable, CtxConst)
		c.ExceptionTable = f(x.ExceptionTable, FieldExceptionTable, CtxConst)
		out = &c
	default:
		panic("unknown value")
	}
	r.annots[out] = Spec{Ref: sp.Ref, Tag: sp.Tag}
	return out
}

func planRoundTrip(t *testing.T, path string) (objs, annots int) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := pyc.Parse(data, pyc.ParseOptions{})
	if err != nil {
		return 0, 0
	}
	v := f.Version()
	p := NewPlan(f.Code, v)
	r := &rebuilder{p: p, annots: map[marshal.Value]Spec{}}
	ctx := CtxConst
	if _, ok := f.Code.(*marshal.Code); ok {
		ctx = CtxTop
	}
	top := r.copy(f.Code, ctx, CtxConst)
	top, err = Finalize(top, v, r.annots)
	if err != nil {
		t.Fatal(err)
	}
	out := *f
	out.Code = top
	b, err := out.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, data) {
		i := 0
		for i < len(b) && i < len(data) && b[i] == data[i] {
			i++
		}
		t.Errorf("%s: bytes differ at %d (len %d vs %d): have % x want % x", path, i, len(b), len(data), b[max(0, i-8):min(len(b), i+16)], data[max(0, i-8):min(len(data), i+16)])
	}
	return len(r.annots), r.n
}

// TestPlanFinalize checks the encoding analysis on every golden pyc and a
// sample of each installed interpreter's library: objects rebuilt as the
// assembler rebuilds them from text (a new object per occurrence, the
// default type code unless annotated) and finalized encode to the same
// bytes.
func TestPlanFinalize(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join(pytest.RepoRoot(), "testdata", "pycs", "*", "*.pyc"))
	for _, in := range pytest.Interpreters() {
		paths = append(paths, pytest.Sample(pytest.StdlibPycs(in), 30)...)
	}
	objs, ann := 0, 0
	for _, p := range paths {
		o, a := planRoundTrip(t, p)
		objs += o
		ann += a
	}
	t.Logf("%d files, %d object occurrences, %d annotated (%.2f%%)", len(paths), objs, ann, 100*float64(ann)/float64(max(objs, 1)))
}

package marshal

// Layout names the field list of a marshalled code object. Code-object
// layouts changed with Python releases; the caller (usually package pyc,
// from the magic number) says which one a stream uses.
type Layout uint8

// The code-object layouts. Each comment lists the fields in stream order;
// "h" marks a 16-bit field, "i" a 32-bit one, everything else is an object.
const (
	// LayoutNone means the stream holds no code objects (or the layout is
	// unknown); a 'c' in it is an error.
	LayoutNone Layout = iota
	// Layout10 (Python 1.0 to 1.2): code consts names filename name.
	Layout10
	// Layout13 (1.3, 1.4): argcount(h) nlocals(h) flags(h) code consts
	// names varnames filename name.
	Layout13
	// Layout15 (1.5 to 2.0): argcount(h) nlocals(h) stacksize(h) flags(h)
	// code consts names varnames filename name firstlineno(h) lnotab.
	Layout15
	// Layout21 (2.1, 2.2): as Layout15 with freevars and cellvars after
	// varnames.
	Layout21
	// Layout23 (2.3 to 2.7): argcount(i) nlocals(i) stacksize(i) flags(i)
	// code consts names varnames freevars cellvars filename name
	// firstlineno(i) lnotab.
	Layout23
	// Layout30 (3.0 to 3.7): as Layout23 with kwonlyargcount(i) after
	// argcount.
	Layout30
	// Layout38 (3.8 to 3.10): as Layout30 with posonlyargcount(i) after
	// argcount. In 3.10 the last field is co_linetable.
	Layout38
	// Layout311 (3.11 onwards): argcount(i) posonlyargcount(i)
	// kwonlyargcount(i) stacksize(i) flags(i) code consts names
	// localsplusnames localspluskinds filename name qualname firstlineno(i)
	// linetable exceptiontable.
	Layout311
	// LayoutGraal (GraalPy 23.0 to 25.0, magics 21260 to 21290): code
	// objects are GraalPy's own 'C' objects, decoded as *GraalCode, and
	// the stream is GraalPy's variant of marshal (see graal.go). No *Code
	// has this layout.
	LayoutGraal
	// LayoutRustPython313 (RustPython 3.13 builds of 2025, magic "1aea"):
	// the whole stream is RustPython's own marshal format and code objects
	// decode as *RustCode (see rustpython.go). No *Code has this layout.
	LayoutRustPython313
	numLayouts
)

var layoutNames = [...]string{
	LayoutNone: "none",
	Layout10:   "1.0",
	Layout13:   "1.3",
	Layout15:   "1.5",
	Layout21:   "2.1",
	Layout23:   "2.3",
	Layout30:   "3.0",
	Layout38:   "3.8",
	Layout311:  "3.11",

	LayoutGraal:         "graalpy",
	LayoutRustPython313: "rustpython-3.13",
}

// String returns the first Python version that used the layout, such as
// "3.8" ("graalpy" and "rustpython-3.13" for the layouts of other
// implementations).
func (l Layout) String() string {
	if int(l) < len(layoutNames) {
		return layoutNames[l]
	}
	return "Layout(?)"
}

// Python2 reports whether the layout belongs to Python 1.x or 2.x, where 's'
// and 't' are 8-bit strings (*Str) and 'u' is unicode (*Unicode).
func (l Layout) Python2() bool { return l >= Layout10 && l <= Layout23 }

// CPython reports whether the layout is one of CPython's (Layout10 to
// Layout311), whose code objects decode as *Code.
func (l Layout) CPython() bool { return l >= Layout10 && l <= Layout311 }

// short reports whether the layout writes its integer fields in 16 bits.
func (l Layout) short() bool { return l >= Layout13 && l <= Layout21 }

// Has reports whether the layout has the named field. The names are those of
// the Python attributes without the "co_" prefix: "argcount",
// "posonlyargcount", "kwonlyargcount", "nlocals", "stacksize", "flags",
// "varnames", "freevars", "cellvars", "localsplusnames",
// "localspluskinds", "qualname", "firstlineno", "lnotab" (the line table of
// any format) and "exceptiontable". It reports false for every field of
// LayoutGraal and LayoutRustPython313, whose code objects are not *Code.
func (l Layout) Has(field string) bool {
	if !l.CPython() {
		return false
	}
	switch field {
	case "argcount", "flags":
		return l >= Layout13
	case "nlocals":
		return l >= Layout13 && l < Layout311
	case "varnames":
		return l >= Layout13 && l < Layout311
	case "stacksize", "firstlineno", "lnotab":
		return l >= Layout15
	case "freevars", "cellvars":
		return l >= Layout21 && l < Layout311
	case "kwonlyargcount":
		return l >= Layout30
	case "posonlyargcount":
		return l >= Layout38
	case "localsplusnames", "localspluskinds", "qualname", "exceptiontable":
		return l >= Layout311
	case "code", "consts", "names", "filename", "name":
		return l >= Layout10
	}
	return false
}

// Code is a CPython code object ('c'; 'C' in Python 1.0 to 1.2, whose
// marshal wrote TYPE_CODE as 'C'). Fields that the layout does not have are
// zero (or nil). Object fields have the Python types CPython requires of
// them; the string fields (Filename, Name, QualName) are *Str, and the name
// tuples hold *Str items in every real pyc. GraalPy's and RustPython's code
// objects are other types: *GraalCode and *RustCode.
type Code struct {
	Encoding
	// Layout is the layout the code object was decoded with, and is to be
	// encoded with.
	Layout Layout

	ArgCount        int32
	PosOnlyArgCount int32
	KwOnlyArgCount  int32
	NLocals         int32
	StackSize       int32
	Flags           uint32

	// Code is co_code: bytes in Python 3, an 8-bit *Str in Python 2.
	Code Value
	// Consts is co_consts. Python 1.0 made co_consts and co_names lists:
	// there they are a *Tuple whose Type is '[' (and which encodes as the
	// list it was).
	Consts *Tuple
	// Names is co_names.
	Names *Tuple
	// VarNames, FreeVars and CellVars exist before 3.11.
	VarNames, FreeVars, CellVars *Tuple
	// LocalsPlusNames and LocalsPlusKinds exist from 3.11 on.
	LocalsPlusNames *Tuple
	LocalsPlusKinds Value

	Filename Value
	Name     Value
	QualName Value

	FirstLineNo int32
	// LineTable is co_lnotab before 3.10 and co_linetable from 3.10 on.
	LineTable Value
	// ExceptionTable is co_exceptiontable (3.11 on).
	ExceptionTable Value

	// Offset is where the code object's type code was in the data it was
	// decoded from (set by the decoder, zero in code objects made
	// otherwise), so that errors found later can point into the file. It
	// takes no part in encoding.
	Offset int64
}

func (*Code) isValue() {}

// Bytecode returns the raw bytes of co_code.
func (c *Code) Bytecode() []byte { return BytesOf(c.Code) }

// LineTableBytes returns the raw bytes of the line table.
func (c *Code) LineTableBytes() []byte { return BytesOf(c.LineTable) }

// ExceptionTableBytes returns the raw bytes of the exception table.
func (c *Code) ExceptionTableBytes() []byte { return BytesOf(c.ExceptionTable) }

// LocalsPlusKindsBytes returns the raw bytes of co_localspluskinds.
func (c *Code) LocalsPlusKindsBytes() []byte { return BytesOf(c.LocalsPlusKinds) }

// FilenameString returns co_filename as a Go string.
func (c *Code) FilenameString() string { return TextOf(c.Filename) }

// NameString returns co_name as a Go string.
func (c *Code) NameString() string { return TextOf(c.Name) }

// QualNameString returns co_qualname as a Go string (co_name before 3.11).
func (c *Code) QualNameString() string {
	if c.QualName == nil {
		return TextOf(c.Name)
	}
	return TextOf(c.QualName)
}

// BytesOf returns the data of a *Bytes, *Str or *Unicode value and nil for
// anything else.
func BytesOf(v Value) []byte {
	switch s := v.(type) {
	case *Bytes:
		return s.Data
	case *Str:
		return s.Data
	case *Unicode:
		return s.Data
	}
	return nil
}

// TextOf returns the text of a *Str, *Unicode or *Bytes value as a Go string,
// and "" for anything else.
func TextOf(v Value) string { return string(BytesOf(v)) }

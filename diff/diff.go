// Package diff says exactly how two pyc files differ, from the top down:
// the header fields; then, per code object, addressed by its qualified path
// ("<module>.Parser.parse"), the changed scalar fields, the added, removed
// and changed constants, names and locals, and the bytecode as an
// instruction-level diff of the two disassemblies; and last, separately,
// the differences that change only how equal values are encoded (FLAG_REF,
// the type code chosen for a string or tuple, back-references and reference
// numbering, the order of a set's items, the text of a float).
//
// Two files are compared at three levels. Byte-identical files are
// identical. Files whose decoded values are equal (see Equal) but whose
// bytes differ have the same values in a different encoding: Status
// EncodingOnly, or Identical with Options.Semantic. Anything else is
// Different.
//
// # Pairing code objects
//
// Code objects are paired between the files by path: the qualified name
// that disasm.ChildPath gives, prefixed with the module's own name
// ("<module>.Parser.parse", "<module>.f.<locals>.<lambda>"). When a path
// occurs more than once in a file (two lambdas, a property's getter and
// setter) the later ones get "#2", "#3" in file order. A code object left
// unpaired is matched with one of the other file's unpaired code objects
// whose body is the same (instructions, constants, names and locals, with
// its own name and qualified name abstracted away): a renamed function.
// Code objects nested in a renamed one follow it. The rest are reported as
// added and removed.
//
// # The instruction diff
//
// Each code object's instructions are rendered without offsets, as the
// opcode name and what the argument designates (the constant's repr, the
// name, the local, the operator; a raw number only for counts and flags),
// and the two sequences are diffed with Myers' algorithm, so that an
// inserted statement shows as inserted instructions. EXTENDED_ARG prefixes
// and inline caches are left out: the instruction they belong to carries
// the whole argument. Jumps compare by opcode, and a matched pair of jumps
// stays matched only when their targets are matched to each other;
// targets print as labels (L1, L2...) numbered over the merged listing, so
// that the same label names corresponding instructions on both sides.
// Source line numbers are shown beside the instructions; lines that only
// moved are summarised rather than shown as changes.
package diff

// Status is the verdict on one pair of files.
type Status string

// The verdicts.
const (
	// Identical: the same bytes, or (with Options.Semantic) the same
	// values and header.
	Identical Status = "identical"
	// EncodingOnly: the same header and values, encoded differently.
	EncodingOnly Status = "encoding"
	// Different: the headers or the values differ.
	Different Status = "different"
	// Removed: in a directory diff, a file only in the first tree.
	Removed Status = "removed"
	// Added: in a directory diff, a file only in the second tree.
	Added Status = "added"
	// Trouble: a file could not be read or parsed.
	Trouble Status = "error"
)

// Options adjust a diff.
type Options struct {
	// Semantic ignores encoding-only differences: files whose values are
	// equal are Identical, and no encoding differences are listed.
	Semantic bool
	// IgnoreHeader leaves the header (magic aside, which decides how the
	// rest is read) out of the comparison: mtime, source size, hash and
	// flags.
	IgnoreHeader bool
	// Context is the number of unchanged instructions shown around each
	// change in the instruction diff; 0 means DefaultContext, a negative
	// number none.
	Context int
	// Deep compares the decoded values even of byte-identical files (to
	// check the comparison itself; the verdict cannot change).
	Deep bool
}

// DefaultContext is the number of context instructions shown by default,
// as diff -u shows three lines.
const DefaultContext = 3

func (o *Options) context() int {
	switch {
	case o.Context == 0:
		return DefaultContext
	case o.Context < 0:
		return 0
	}
	return o.Context
}

// FileDiff is the difference between two files. Its JSON form is the output
// of `pyc diff --json`; the field names are stable.
type FileDiff struct {
	// A and B name the files.
	A string `json:"a"`
	B string `json:"b"`
	// Status is the verdict.
	Status Status `json:"status"`
	// Error says why the files could not be compared (Status Trouble).
	Error string `json:"error,omitempty"`
	// VersionA and VersionB are the Python versions, such as "3.12".
	VersionA string `json:"version_a,omitempty"`
	VersionB string `json:"version_b,omitempty"`
	// Header lists the header fields that differ.
	Header []Change `json:"header,omitempty"`
	// Codes lists the code objects that differ, added, removed or renamed,
	// in the order of the first file (added ones where they appear in the
	// second).
	Codes []*CodeDiff `json:"codes,omitempty"`
	// Encoding lists the values that are equal but encoded differently.
	Encoding []EncodingDiff `json:"encoding,omitempty"`
	// Notes say what else differs (a top-level object that is not code,
	// trailing bytes).
	Notes []string `json:"notes,omitempty"`
}

// Change is one field whose value differs: its name and the two values as
// text. A side that lacks the field shows "-".
type Change struct {
	Field string `json:"field"`
	A     string `json:"a"`
	B     string `json:"b"`
}

// The statuses of a code object.
const (
	CodeChanged = "changed" // paired by path, something differs
	CodeAdded   = "added"   // only in the second file
	CodeRemoved = "removed" // only in the first file
	CodeRenamed = "renamed" // paired across different paths
)

// CodeDiff is how one code object differs.
type CodeDiff struct {
	// Path is the code object's path in the second file (in the first for
	// a removed one).
	Path string `json:"path"`
	// APath is the path in the first file, when it is another one
	// (renamed).
	APath string `json:"a_path,omitempty"`
	// Status is CodeChanged, CodeAdded, CodeRemoved or CodeRenamed.
	Status string `json:"status"`
	// Summary describes an added or removed code object, or says why a
	// rename was detected.
	Summary string `json:"summary,omitempty"`
	// Line is the co_firstlineno of an added or removed code object.
	Line int `json:"line,omitempty"`
	// Fields lists the scalar fields that differ (co_argcount, co_flags,
	// co_firstlineno, co_name...).
	Fields []Change `json:"fields,omitempty"`
	// Lists holds the differences in co_consts, co_names, co_varnames,
	// co_freevars, co_cellvars and co_localsplusnames.
	Lists []ListDiff `json:"lists,omitempty"`
	// Bytecode is the instruction diff.
	Bytecode *Listing `json:"bytecode,omitempty"`
	// ExceptionTable is the diff of the exception tables (3.11+), entries
	// written with the bytecode diff's labels.
	ExceptionTable *Listing `json:"exception_table,omitempty"`
	// Notes say what else differs: lines that moved, a line table that
	// differs in columns only, bytecode that differs only in argument
	// numbering.
	Notes []string `json:"notes,omitempty"`
}

// ListDiff is the difference between two tuples of a code object.
type ListDiff struct {
	// Field is the field's name, such as "co_consts".
	Field string `json:"field"`
	// Items lists the items added, removed and changed.
	Items []ItemChange `json:"items"`
}

// ItemChange is one item added to, removed from or changed in a tuple.
type ItemChange struct {
	// Op is "added", "removed" or "changed".
	Op string `json:"op"`
	// AIndex and BIndex are the item's indexes in the two tuples (absent
	// on the side that lacks it).
	AIndex *int `json:"a_index,omitempty"`
	BIndex *int `json:"b_index,omitempty"`
	// A and B are the items' reprs.
	A string `json:"a,omitempty"`
	B string `json:"b,omitempty"`
}

// Listing is a line diff in the style of diff -u: hunks of changed lines
// with unchanged ones around them.
type Listing struct {
	// ACount and BCount are the number of lines on each side.
	ACount int `json:"a_count"`
	BCount int `json:"b_count"`
	// Hunks are the changed regions.
	Hunks []Hunk `json:"hunks"`
}

// Hunk is one region of a Listing. Starts count from 1, as diff -u does;
// a side with no lines in the hunk has its start at the line before.
type Hunk struct {
	AStart int    `json:"a_start"`
	ALen   int    `json:"a_len"`
	BStart int    `json:"b_start"`
	BLen   int    `json:"b_len"`
	Lines  []Line `json:"lines"`
}

// Line is one line of a hunk.
type Line struct {
	// Op is " " (on both sides), "-" (only in the first) or "+" (only in
	// the second).
	Op string `json:"op"`
	// ALine and BLine are the source lines of the instruction on each
	// side (absent where the side lacks it or has no line number).
	ALine *int `json:"a_line,omitempty"`
	BLine *int `json:"b_line,omitempty"`
	// Label is the instruction's label when some jump or exception-table
	// entry refers to it ("L3").
	Label string `json:"label,omitempty"`
	// Text is the instruction (or entry) without offsets.
	Text string `json:"text"`
}

// EncodingDiff is one value that is the same in both files but encoded
// differently.
type EncodingDiff struct {
	// Path says where the value is: "<module>.f.co_consts[3]".
	Path string `json:"path"`
	// Value is the value's repr (shortened).
	Value string `json:"value,omitempty"`
	// What says how the encodings differ.
	What string `json:"what"`
}

// Differs reports whether the files differ at all (in values or
// encoding), or could not be compared.
func (d *FileDiff) Differs() bool { return d.Status != Identical }

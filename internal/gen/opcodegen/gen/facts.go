// Package gen is the core of the opcode table generator: it reads and writes
// the per-version fact files under opcode/facts, dumps facts from installed
// Python interpreters, and renders opcode/tables_gen.go. The command
// internal/gen/opcodegen is a thin wrapper; the opcode package's tests call
// it too, to check that the committed tables are current.
package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pyc-tools/pyc/internal/gen/genutil"
)

// Facts is the content of one fact file: everything known about the opcodes
// of one implementation and version. Field names follow the Python modules
// they come from. Optional fields are absent for versions that lack them.
type Facts struct {
	// Impl is "CPython" or "PyPy".
	Impl string `json:"impl"`
	// Version is "X.Y".
	Version string `json:"version"`
	// Source says where the facts come from.
	Source string `json:"source"`
	// Notes are caveats about hand-written facts.
	Notes []string `json:"notes,omitempty"`
	// WordCode is true for 2-byte instructions (3.6+).
	WordCode bool `json:"wordcode"`
	// HaveArgument is opcode.HAVE_ARGUMENT.
	HaveArgument int `json:"have_argument"`
	// ExtendedArg is opcode.EXTENDED_ARG, nil before 2.0.
	ExtendedArg *int `json:"extended_arg"`
	// Opname is opcode.opname (at least 256 entries; "<N>" when unused).
	Opname []string `json:"opname"`
	// CmpOp is opcode.cmp_op.
	CmpOp []string `json:"cmp_op"`
	// Has holds the has* lists that exist in the version, by name.
	Has map[string][]int `json:"has"`
	// OpmapExtra lists opmap entries that opname does not show.
	OpmapExtra map[string]int `json:"opmap_extra,omitempty"`
	// PseudoOpmap lists opmap entries numbered 256 and up (3.12+).
	PseudoOpmap map[string]int `json:"pseudo_opmap,omitempty"`
	// InlineCacheEntries is opcode._inline_cache_entries (non-zero ones).
	InlineCacheEntries map[string]int `json:"inline_cache_entries,omitempty"`
	// CacheFormat is opcode._cache_format: fields per instruction, in order.
	CacheFormat map[string][]CacheField `json:"cache_format,omitempty"`
	// Specializations is opcode._specializations.
	Specializations map[string][]string `json:"specializations,omitempty"`
	// SpecializedInstructions is opcode._specialized_instructions (3.11, 3.12).
	SpecializedInstructions []string `json:"specialized_instructions,omitempty"`
	// SpecializedOpmap is opcode._specialized_opmap (3.13+).
	SpecializedOpmap map[string]int `json:"specialized_opmap,omitempty"`
	// NbOps is opcode._nb_ops as (name, symbol) pairs.
	NbOps [][2]string `json:"nb_ops,omitempty"`
	// Intrinsic1 is opcode._intrinsic_1_descs.
	Intrinsic1 []string `json:"intrinsic1,omitempty"`
	// Intrinsic2 is opcode._intrinsic_2_descs.
	Intrinsic2 []string `json:"intrinsic2,omitempty"`
	// PseudoTargets is opcode._pseudo_ops (3.12).
	PseudoTargets map[string][]string `json:"pseudo_targets,omitempty"`
	// Constants holds MIN_PSEUDO_OPCODE and the like.
	Constants map[string]int `json:"constants,omitempty"`
	// EnableSpecialization is ENABLE_SPECIALIZATION (3.12+).
	EnableSpecialization *bool `json:"enable_specialization,omitempty"`
	// Dis holds what the dis module adds.
	Dis DisFacts `json:"dis"`
}

// CacheField is one inline-cache field; it is written as ["name", size].
type CacheField struct {
	// Name is the field's name, such as "counter".
	Name string
	// Size is its size in 2-byte code units.
	Size int
}

// MarshalJSON writes the field as a two-element array.
func (c CacheField) MarshalJSON() ([]byte, error) {
	return marshalPlain([]any{c.Name, c.Size})
}

// UnmarshalJSON reads a two-element array.
func (c *CacheField) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw) != 2 {
		return fmt.Errorf("cache field: want [name, size], got %s", b)
	}
	if err := json.Unmarshal(raw[0], &c.Name); err != nil {
		return err
	}
	return json.Unmarshal(raw[1], &c.Size)
}

// DisFacts are the facts of the dis module.
type DisFacts struct {
	// AllOpname is dis._all_opname (3.11+): opname with specialised names.
	AllOpname []string `json:"all_opname,omitempty"`
	// Deoptmap is dis.deoptmap (3.11+).
	Deoptmap map[string]string `json:"deoptmap,omitempty"`
	// FormatValueConverters are the names in dis.FORMAT_VALUE_CONVERTERS.
	FormatValueConverters []string `json:"format_value_converters,omitempty"`
	// FunctionFlagNames is dis.MAKE_FUNCTION_FLAGS or FUNCTION_ATTR_FLAGS.
	FunctionFlagNames []string `json:"function_flag_names,omitempty"`
	// CommonConstants names LOAD_COMMON_CONSTANT's constants (3.14+).
	CommonConstants []string `json:"common_constants,omitempty"`
	// SpecialMethodNames is opcode._special_method_names (3.14+,
	// LOAD_SPECIAL's argument).
	SpecialMethodNames []string `json:"special_method_names,omitempty"`
	// CompilerFlagNames is dis.COMPILER_FLAG_NAMES (flag value to name).
	CompilerFlagNames map[string]string `json:"compiler_flag_names,omitempty"`
	// Decode says how dis turns arguments into text. For dumped versions
	// it is found by letting dis decode synthetic instructions.
	Decode Decode `json:"decode"`
}

// Decode describes how dis renders arguments.
type Decode struct {
	// Jumps gives each jump instruction's target rule.
	Jumps map[string]Jump `json:"jumps"`
	// NameArgs lists name instructions whose argument is not a plain index.
	NameArgs map[string]NameArg `json:"name_args"`
	// Compare is the COMPARE_OP decoding, when there is a COMPARE_OP.
	Compare *Compare `json:"compare,omitempty"`
	// LocalPairs lists instructions with two 4-bit local indexes.
	LocalPairs []string `json:"local_pairs"`
	// FormatValue is dis's text for FORMAT_VALUE arguments 0 to 7.
	FormatValue []string `json:"format_value,omitempty"`
	// ConvertValue is dis's text for CONVERT_VALUE arguments 0 to 3.
	ConvertValue []string `json:"convert_value,omitempty"`
	// FunctionFlags is dis's text for each flag bit of MAKE_FUNCTION or
	// SET_FUNCTION_ATTRIBUTE (absent when dis prints none).
	FunctionFlags *FunctionFlags `json:"function_flags,omitempty"`
	// ArgReprs is dis's text for small arguments of instructions whose
	// argument selects from a fixed list (3.14+ IS_OP, CONTAINS_OP,
	// LOAD_SPECIAL, LOAD_COMMON_CONSTANT), by argument.
	ArgReprs map[string][]string `json:"arg_reprs"`
	// NArgs is the format dis uses for hasnargs arguments (3.0 to 3.5).
	NArgs string `json:"nargs,omitempty"`
}

// Jump is a jump rule: target = base + step*arg, plus the instruction's
// offset when Rel. Shown says whether dis prints the target, and Format how
// ("to %s", "from %s"; %s is the offset, or from 3.13 the label L<n>).
type Jump struct {
	// Base is the constant part of the target.
	Base int `json:"base"`
	// Step is the bytes per unit of argument (negative backwards).
	Step int `json:"step"`
	// Rel is true when the target is relative to the instruction.
	Rel bool `json:"rel"`
	// Shown is true when dis prints the target.
	Shown bool `json:"shown"`
	// Format is how dis prints it, such as "to %s".
	Format string `json:"format,omitempty"`
}

// NameArg says how a name instruction's argument is split: the co_names
// index is arg >> Shift, and Flags maps low bits (as decimal strings) to the
// text dis prints instead of the name ("%s" is the name); the lowest set
// bit wins.
type NameArg struct {
	// Shift is how far the argument is shifted right.
	Shift int `json:"shift"`
	// Flags maps flag bits to dis's text.
	Flags map[string]string `json:"flags,omitempty"`
}

// Compare says how a COMPARE_OP argument is split.
type Compare struct {
	// Shift is how far the argument is shifted right to index cmp_op.
	Shift int `json:"shift"`
	// Flags maps flag bits to dis's text ("%s" is the operator).
	Flags map[string]string `json:"flags"`
}

// FunctionFlags names the flag bits of a function-building instruction.
type FunctionFlags struct {
	// Op is the instruction, MAKE_FUNCTION or SET_FUNCTION_ATTRIBUTE.
	Op string `json:"op"`
	// Names are dis's names of the bits, from bit 0.
	Names []string `json:"names"`
}

// Key returns the fact file's base name, such as "cpython-3.11".
func (f *Facts) Key() string { return strings.ToLower(f.Impl) + "-" + f.Version }

// FileName returns the fact file's name, such as "cpython-3.11.json".
func (f *Facts) FileName() string { return f.Key() + ".json" }

// MajorMinor parses Version.
func (f *Facts) MajorMinor() (int, int, error) {
	a, b, ok := strings.Cut(f.Version, ".")
	if !ok {
		return 0, 0, fmt.Errorf("%s: bad version %q", f.Impl, f.Version)
	}
	major, err1 := strconv.Atoi(a)
	minor, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%s: bad version %q", f.Impl, f.Version)
	}
	return major, minor, nil
}

// Normalize puts the facts in canonical form: sorted lists where order does
// not matter, and non-nil required collections.
func (f *Facts) Normalize() {
	for k, v := range f.Has {
		v = append([]int(nil), v...)
		sort.Ints(v)
		f.Has[k] = v
	}
	if f.Has == nil {
		f.Has = map[string][]int{}
	}
	if f.CmpOp == nil {
		f.CmpOp = []string{}
	}
	d := &f.Dis.Decode
	if d.Jumps == nil {
		d.Jumps = map[string]Jump{}
	}
	if d.NameArgs == nil {
		d.NameArgs = map[string]NameArg{}
	}
	if d.ArgReprs == nil {
		d.ArgReprs = map[string][]string{}
	}
	if d.LocalPairs == nil {
		d.LocalPairs = []string{}
	}
	sort.Strings(d.LocalPairs)
	if d.Compare != nil && d.Compare.Flags == nil {
		d.Compare.Flags = map[string]string{}
	}
}

// Validate checks the facts for internal consistency.
func (f *Facts) Validate() error {
	if _, _, err := f.MajorMinor(); err != nil {
		return err
	}
	if f.Impl != "CPython" && f.Impl != "PyPy" {
		return fmt.Errorf("%s: unknown impl %q", f.Key(), f.Impl)
	}
	if len(f.Opname) < 256 {
		return fmt.Errorf("%s: opname has %d entries, want at least 256", f.Key(), len(f.Opname))
	}
	seen := map[string]int{}
	for i, n := range f.Opname {
		if n == "" {
			return fmt.Errorf("%s: opname[%d] is empty", f.Key(), i)
		}
		if strings.HasPrefix(n, "<") {
			if n != fmt.Sprintf("<%d>", i) {
				return fmt.Errorf("%s: opname[%d] is %q", f.Key(), i, n)
			}
			continue
		}
		if j, dup := seen[n]; dup {
			return fmt.Errorf("%s: %s at both %d and %d", f.Key(), n, j, i)
		}
		seen[n] = i
	}
	if f.HaveArgument < 0 || f.HaveArgument > 255 {
		return fmt.Errorf("%s: bad HAVE_ARGUMENT %d", f.Key(), f.HaveArgument)
	}
	if f.ExtendedArg != nil && f.Opname[*f.ExtendedArg] != "EXTENDED_ARG" {
		return fmt.Errorf("%s: EXTENDED_ARG %d is named %q", f.Key(), *f.ExtendedArg, f.Opname[*f.ExtendedArg])
	}
	for name, ops := range f.Has {
		if !strings.HasPrefix(name, "has") {
			return fmt.Errorf("%s: bad list name %q", f.Key(), name)
		}
		for _, op := range ops {
			if op < 0 || op >= len(f.Opname) && !f.isPseudo(op) {
				return fmt.Errorf("%s: %s holds %d", f.Key(), name, op)
			}
		}
	}
	names := f.allNames()
	check := func(what, name string) error {
		if _, ok := names[name]; !ok {
			return fmt.Errorf("%s: %s names unknown instruction %q", f.Key(), what, name)
		}
		return nil
	}
	for name := range f.Dis.Decode.Jumps {
		if err := check("decode.jumps", name); err != nil {
			return err
		}
	}
	for name := range f.Dis.Decode.NameArgs {
		if err := check("decode.name_args", name); err != nil {
			return err
		}
	}
	for name := range f.Dis.Decode.ArgReprs {
		if err := check("decode.arg_reprs", name); err != nil {
			return err
		}
	}
	for _, name := range f.Dis.Decode.LocalPairs {
		if err := check("decode.local_pairs", name); err != nil {
			return err
		}
	}
	for name := range f.InlineCacheEntries {
		if err := check("inline_cache_entries", name); err != nil {
			return err
		}
	}
	// Specializations are not checked: PyPy 3.11 keeps CPython's list
	// although it has neither the instructions nor some of their bases.
	if n := len(f.Dis.Decode.FormatValue); n != 0 && n != 8 {
		return fmt.Errorf("%s: decode.format_value has %d entries, want 8", f.Key(), n)
	}
	// Every jump in the has lists needs a rule.
	for _, list := range []string{"hasjrel", "hasjabs", "hasjump"} {
		for _, op := range f.Has[list] {
			if op > 255 {
				continue
			}
			if _, ok := f.Dis.Decode.Jumps[f.Opname[op]]; !ok {
				return fmt.Errorf("%s: jump %s (%d) has no rule in decode.jumps", f.Key(), f.Opname[op], op)
			}
		}
	}
	return nil
}

func (f *Facts) isPseudo(op int) bool {
	for _, v := range f.PseudoOpmap {
		if v == op {
			return true
		}
	}
	return false
}

// allNames maps every instruction name the facts know to its number.
func (f *Facts) allNames() map[string]int {
	m := map[string]int{}
	for i, n := range f.Opname {
		if !strings.HasPrefix(n, "<") {
			m[n] = i
		}
	}
	for i, n := range f.Dis.AllOpname {
		if !strings.HasPrefix(n, "<") {
			if _, ok := m[n]; !ok {
				m[n] = i
			}
		}
	}
	for n, i := range f.SpecializedOpmap {
		m[n] = i
	}
	for n, i := range f.PseudoOpmap {
		m[n] = i
	}
	for n, i := range f.OpmapExtra {
		m[n] = i
	}
	return m
}

// Marshal renders the facts as the canonical, deterministic JSON text of a
// fact file.
func (f *Facts) Marshal() ([]byte, error) {
	raw, err := marshalPlain(f)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	// Re-encode with the struct's field order: decode into an ordered form.
	if err := writeOrdered(&buf, raw, 0); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// writeOrdered pretty-prints the JSON value raw keeping key order: objects
// one member per line, arrays of scalars packed into lines of at most about
// 100 columns, other arrays one element per line.
func writeOrdered(buf *bytes.Buffer, raw []byte, indent int) error {
	raw = bytes.TrimSpace(raw)
	pad := strings.Repeat("  ", indent+1)
	end := strings.Repeat("  ", indent)
	switch raw[0] {
	case '{':
		members, err := objectMembers(raw)
		if err != nil {
			return err
		}
		if len(members) == 0 {
			buf.WriteString("{}")
			return nil
		}
		// Small objects of scalars go on one line.
		inline, width := true, len(pad)
		for _, m := range members {
			if c := bytes.TrimSpace(m.value)[0]; c == '{' || c == '[' {
				inline = false
			}
			width += len(m.key) + len(compact(m.value)) + 4
		}
		if inline && width <= 100 && indent > 1 {
			buf.WriteByte('{')
			for i, m := range members {
				if i > 0 {
					buf.WriteString(", ")
				}
				buf.Write(m.key)
				buf.WriteString(": ")
				buf.Write(compact(m.value))
			}
			buf.WriteByte('}')
			return nil
		}
		buf.WriteString("{\n")
		for i, m := range members {
			buf.WriteString(pad)
			buf.Write(m.key)
			buf.WriteString(": ")
			if err := writeOrdered(buf, m.value, indent+1); err != nil {
				return err
			}
			if i < len(members)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(end + "}")
	case '[':
		var elems []json.RawMessage
		if err := json.Unmarshal(raw, &elems); err != nil {
			return err
		}
		if len(elems) == 0 {
			buf.WriteString("[]")
			return nil
		}
		scalar := true
		for _, e := range elems {
			if c := bytes.TrimSpace(e)[0]; c == '{' || c == '[' && !isScalarPair(e) {
				scalar = false
			}
		}
		if scalar {
			// Short lists on one line; long ones packed into lines.
			total := 0
			for _, e := range elems {
				total += len(compact(e)) + 2
			}
			if total+len(pad) <= 100 {
				buf.WriteByte('[')
				for i, e := range elems {
					if i > 0 {
						buf.WriteString(", ")
					}
					buf.Write(compact(e))
				}
				buf.WriteByte(']')
				return nil
			}
			buf.WriteString("[\n")
			line := 0
			for i, e := range elems {
				c := compact(e)
				if line == 0 {
					buf.WriteString(pad)
					line = len(pad)
				} else if line+len(c)+2 > 100 || isStringList(elems) {
					buf.WriteString("\n" + pad)
					line = len(pad)
				} else {
					buf.WriteByte(' ')
					line++
				}
				buf.Write(c)
				line += len(c)
				if i < len(elems)-1 {
					buf.WriteByte(',')
					line++
				}
			}
			buf.WriteString("\n" + end + "]")
			return nil
		}
		buf.WriteString("[\n")
		for i, e := range elems {
			buf.WriteString(pad)
			if err := writeOrdered(buf, e, indent+1); err != nil {
				return err
			}
			if i < len(elems)-1 {
				buf.WriteByte(',')
			}
			buf.WriteByte('\n')
		}
		buf.WriteString(end + "]")
	default:
		buf.Write(compact(raw))
	}
	return nil
}

func isScalarPair(e []byte) bool {
	var pair []json.RawMessage
	if json.Unmarshal(e, &pair) != nil {
		return false
	}
	for _, p := range pair {
		if c := bytes.TrimSpace(p)[0]; c == '{' || c == '[' {
			return false
		}
	}
	return len(pair) <= 2
}

func isStringList(elems []json.RawMessage) bool {
	for _, e := range elems {
		if bytes.TrimSpace(e)[0] != '"' {
			return false
		}
	}
	return true
}

func compact(raw []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	out := b.Bytes()
	if out[0] == '[' {
		// Give pairs a space after the comma, e.g. ["counter", 1].
		out = bytes.ReplaceAll(out, []byte(`","`), []byte(`", "`))
		out = bytes.ReplaceAll(out, []byte(`",`), []byte(`", `))
	}
	return out
}

type member struct {
	key, value []byte
}

// objectMembers splits a JSON object into its members, in order.
func objectMembers(raw []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, err := marshalPlain(tok)
		if err != nil {
			return nil, err
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, err
		}
		out = append(out, member{key, val})
	}
	return out, nil
}

// marshalPlain is json.Marshal without HTML escaping, so that names such as
// "<0>" stay readable.
func marshalPlain(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSpace(b.Bytes()), nil
}

// Parse reads a fact file's text.
func Parse(data []byte) (*Facts, error) {
	var f Facts
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	f.Normalize()
	return &f, nil
}

// Load reads every *.json fact file in dir, validated and sorted by
// implementation and version.
func Load(dir string) ([]*Facts, error) {
	all, err := genutil.ReadChecked(dir, "*.json", Parse)
	if err != nil {
		return nil, err
	}
	SortFacts(all)
	return all, nil
}

// SortFacts orders facts by implementation (CPython first) and version.
func SortFacts(all []*Facts) {
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Impl != b.Impl {
			return a.Impl < b.Impl
		}
		amaj, amin, _ := a.MajorMinor()
		bmaj, bmin, _ := b.MajorMinor()
		if amaj != bmaj {
			return amaj < bmaj
		}
		return amin < bmin
	})
}

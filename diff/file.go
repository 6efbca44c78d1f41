package diff

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"

	"github.com/pyc-tools/pyc/disasm"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// ReadOptions say how to read the files: a version to read them as
// (whatever their magic says), or bare marshal streams.
type ReadOptions = pyc.ParseOptions

// Paths reads and compares two files. Trouble reading or parsing either
// gives a FileDiff with Status Trouble.
func Paths(a, b string, ro ReadOptions, opts Options) *FileDiff {
	da, err := os.ReadFile(a)
	if err != nil {
		return trouble(a, b, err)
	}
	db, err := os.ReadFile(b)
	if err != nil {
		return trouble(a, b, err)
	}
	return Bytes(a, da, b, db, ro, opts)
}

func trouble(a, b string, err error) *FileDiff {
	return &FileDiff{A: a, B: b, Status: Trouble, Error: err.Error()}
}

// Bytes compares two files held in memory; nameA and nameB name them in
// the result and in errors.
func Bytes(nameA string, a []byte, nameB string, b []byte, ro ReadOptions, opts Options) *FileDiff {
	if !opts.Deep && bytes.Equal(a, b) {
		return &FileDiff{A: nameA, B: nameB, Status: Identical}
	}
	fa, err := parse(nameA, a, ro)
	if err != nil {
		return trouble(nameA, nameB, err)
	}
	fb, err := parse(nameB, b, ro)
	if err != nil {
		return trouble(nameA, nameB, err)
	}
	return files(nameA, fa, a, nameB, fb, b, opts)
}

func parse(name string, data []byte, ro ReadOptions) (*pyc.File, error) {
	ro.Path = name
	f, err := pyc.Parse(data, ro)
	if err != nil {
		return nil, err
	}
	if ro.Version == nil {
		f.Header.Version = disasm.Refine(f.Version(), f.TopCode())
	}
	return f, nil
}

// Files compares two parsed files.
func Files(nameA string, a *pyc.File, nameB string, b *pyc.File, opts Options) *FileDiff {
	return files(nameA, a, nil, nameB, b, nil, opts)
}

// files compares two parsed files; rawA and rawB, when not nil, are their
// bytes (for the shortcut on equal marshal streams).
func files(nameA string, a *pyc.File, rawA []byte, nameB string, b *pyc.File, rawB []byte, opts Options) *FileDiff {
	d := &FileDiff{A: nameA, B: nameB}
	va, vb := a.Version(), b.Version()
	d.VersionA, d.VersionB = versionText(va), versionText(vb)
	d.Header = headerDiff(a, b, opts.IgnoreHeader)
	trailing := !bytes.Equal(a.Trailing, b.Trailing)
	if trailing {
		d.Notes = append(d.Notes, fmt.Sprintf("trailing bytes after the code object differ (%d and %d bytes)", len(a.Trailing), len(b.Trailing)))
	}
	raw := rawA != nil && rawB != nil
	// encoded says whether the marshal streams differ.
	encoded := false
	var valuesEqual bool
	if raw {
		encoded = !bytes.Equal(rawA[headerLen(a):], rawB[headerLen(b):])
	}
	if raw && !encoded && va == vb && !opts.Deep {
		// The same marshal stream: the same values, the same encoding.
		valuesEqual = true
	} else {
		valuesEqual = diffValues(d, a, b, opts)
		if !raw {
			encoded = len(d.Encoding) > 0
		}
		if valuesEqual && encoded && len(d.Encoding) == 0 && !opts.Semantic {
			off, _ := firstDiff(rawA[headerLen(a):], rawB[headerLen(b):])
			d.Notes = append(d.Notes, fmt.Sprintf("the marshal streams differ from byte %d on, with no difference found in values or encoding", off))
		}
	}
	switch {
	case len(d.Header) > 0 || !valuesEqual || trailing:
		d.Status = Different
	case opts.Semantic:
		d.Status = Identical
	case encoded:
		d.Status = EncodingOnly
	default:
		d.Status = Identical
	}
	return d
}

// diffValues compares the decoded objects of two files, filling in the
// code and encoding differences; it reports whether the values are equal.
func diffValues(d *FileDiff, a, b *pyc.File, opts Options) bool {
	df := &differ{opts: opts, out: d, a: newSide(a.Version()), b: newSide(b.Version())}
	if ma, mb := a.Version().MarshalVersion, b.Version().MarshalVersion; ma != mb && !opts.Semantic {
		// Every object is encoded by other rules: listing them all says
		// nothing.
		d.Notes = append(d.Notes, fmt.Sprintf("marshal versions %d and %d: encoding differences are not listed", ma, mb))
	} else if !opts.Semantic {
		df.enc = newEncWalker(df.a.style, func(c *marshal.Code) string {
			if n := df.a.byCode[c]; n != nil {
				return n.path
			}
			return "<code object " + c.NameString() + ">"
		})
	}
	valuesEqual := df.eq.equal(a.Code, b.Code, a.Version().Major < 3, 0)
	ta, tb := a.TopCode(), b.TopCode()
	switch {
	case ta != nil && tb != nil:
		df.codes(ta, tb)
	case !valuesEqual:
		d.Notes = append(d.Notes, fmt.Sprintf("the top-level object differs: %s in a, %s in b",
			shorten(df.a.style.Repr(a.Code), 200), shorten(df.b.style.Repr(b.Code), 200)))
	case df.enc != nil:
		df.enc.walk(a.Code, b.Code, at("<top>"), 0)
	}
	if df.enc != nil {
		d.Encoding = df.enc.out
	}
	return valuesEqual
}

func firstDiff(a, b []byte) (int, bool) {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i, true
		}
	}
	return n, len(a) != len(b)
}

func headerLen(f *pyc.File) int {
	if f.Headerless {
		return 0
	}
	return f.Header.Size()
}

func versionText(v *pyc.Version) string {
	s := v.XY()
	if v.Impl != pyc.CPython {
		s = v.Impl.String() + " " + s
	}
	return s
}

// headerDiff lists the header fields that differ. With ignore, only the
// magic number is compared.
func headerDiff(a, b *pyc.File, ignore bool) []Change {
	fa, fb := headerFields(a), headerFields(b)
	var out []Change
	for i, f := range fa {
		g := fb[i]
		if f.value == g.value || ignore && f.name != "magic" {
			continue
		}
		out = append(out, Change{f.name, f.value, g.value})
	}
	return out
}

type headerField struct{ name, value string }

// headerFields renders the header's fields; fields the file lacks are "-".
func headerFields(f *pyc.File) []headerField {
	h := &f.Header
	v := f.Version()
	fields := []headerField{{"magic", "-"}, {"flags", "-"}, {"mtime", "-"}, {"source_size", "-"}, {"hash", "-"}}
	if f.Headerless {
		fields[0].value = "none (bare marshal stream of " + v.String() + ")"
		return fields
	}
	m := uint16(h.Magic[0]) | uint16(h.Magic[1])<<8
	fields[0].value = fmt.Sprintf("%s %s (%d, %s)", v.Impl, v.XY(), m, hex.EncodeToString(h.Magic[:]))
	if v.HeaderSize >= 16 {
		fields[1].value = fmt.Sprintf("0x%x (%s)", h.Flags, h.Mode())
	}
	if h.Mode() == pyc.Timestamp {
		fields[2].value = fmt.Sprintf("%d (%s)", h.Mtime, h.MtimeTime().Format("2006-01-02 15:04:05Z"))
		if v.HeaderSize >= 12 {
			fields[3].value = strconv.FormatUint(uint64(h.SourceSize), 10)
		}
	} else {
		fields[4].value = hex.EncodeToString(h.Hash[:])
	}
	return fields
}

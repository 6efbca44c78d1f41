// Package scan inventories the pycs under directory trees: for each, its
// source, cache tag, optimization level and a status saying whether any
// interpreter here would use it, and removes the useless ones.
//
// # Statuses
//
// Each pyc gets the first status that applies, in this order:
//
//   - corrupt: it cannot be read: unknown magic number, truncated header,
//     undefined flag bits, a marshal stream that does not decode, or a top
//     object that is not a code object. The import system would reject it.
//   - orphan: it is in a __pycache__ directory and its source (found by
//     PEP 3147 naming: pkg/__pycache__/m.TAG.pyc belongs to pkg/m.py) does
//     not exist, or its name does not follow PEP 3147 at all. The import
//     system only reads __pycache__ for a source it has found, so nothing
//     will ever load it.
//   - sourceless: a legacy pyc (m.pyc beside where m.py would be) without
//     the source. The interpreter of its magic number imports it as a
//     sourceless module: it is the module, not a cache.
//   - foreign: it is for an interpreter that will not use it here: the cache
//     tag in its name names another interpreter than its magic number does
//     (m.cpython-311.pyc holding a 3.12 pyc), or the interpreter its magic
//     names (for legacy pycs) or its tag names is not installed here (when
//     the installed interpreters are given).
//   - stale: the source has changed since, by the rules of the pyc's own
//     version and invalidation mode: the mtime (and, from 3.3, the size)
//     recorded in a timestamp pyc differs from the source's; the source hash
//     in a checked-hash pyc differs from the source's.
//   - fresh: otherwise. Unchecked-hash pycs are fresh: the import system
//     does not compare them with the source.
//
// Prunable statuses are stale, orphan and corrupt: a stale pyc would be
// rewritten at the next import anyway, and the others are never loaded.
// Sourceless and foreign pycs may be wanted (a sourceless distribution,
// another machine's interpreter sharing the tree) and are kept.
package scan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/pyc-tools/pyc/internal/pycwalk"
	"github.com/pyc-tools/pyc/pyc"
)

// Status is what a pyc is good for.
type Status uint8

// The statuses, in the order they are decided.
const (
	Fresh Status = iota
	Stale
	Orphan
	Sourceless
	Foreign
	Corrupt
	numStatuses
)

var statusNames = [...]string{
	Fresh:      "fresh",
	Stale:      "stale",
	Orphan:     "orphan",
	Sourceless: "sourceless",
	Foreign:    "foreign",
	Corrupt:    "corrupt",
}

// String returns the status's name, such as "stale".
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", uint8(s))
}

// MarshalText writes the name.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Statuses returns every status, in the order they are decided (fresh
// first in the list, though decided last).
func Statuses() []Status {
	out := make([]Status, numStatuses)
	for i := range out {
		out[i] = Status(i)
	}
	return out
}

// Prunable reports whether Prune removes pycs of the status: stale, orphan
// and corrupt ones.
func (s Status) Prunable() bool { return s == Stale || s == Orphan || s == Corrupt }

// Entry is one pyc.
type Entry struct {
	// Path is the pyc's path.
	Path string `json:"path"`
	// Source is the source file its name points to (whether it exists or
	// not; empty for a name that points nowhere).
	Source string `json:"source,omitempty"`
	// Tag is the cache tag in its name ("cpython-311"), empty for legacy
	// pycs.
	Tag string `json:"tag,omitempty"`
	// Opt is the optimization level its name says.
	Opt int `json:"opt"`
	// Legacy reports a pyc beside its source rather than in __pycache__.
	Legacy bool `json:"legacy,omitempty"`
	// Version is what its magic number says, such as "CPython 3.11"
	// (empty when unreadable).
	Version string `json:"version,omitempty"`
	// Mode is its invalidation mode.
	Mode string `json:"mode,omitempty"`
	// Status is the verdict, and Reason says why when it is not fresh.
	Status Status `json:"status"`
	Reason string `json:"reason,omitempty"`
	// Size is the file's size in bytes.
	Size int64 `json:"size"`
}

// Options adjust Scan.
type Options struct {
	// Installed are the cache tags of the interpreters installed here
	// ("cpython-311", "pypy39"; for Python 2 "cpython-27"). When nil, no
	// pyc is foreign for want of its interpreter, only for a tag that
	// disagrees with its magic.
	Installed []string
}

// Tag returns the cache tag of a version's pycs, or for versions without
// one (before 3.2) the same form built from its implementation and
// version, such as "cpython-27".
func Tag(v *pyc.Version) string {
	if t := v.CacheTag(); t != "" {
		return t
	}
	return fmt.Sprintf("%s-%d%d", strings.ToLower(v.Impl.String()), v.Major, v.Minor)
}

// File classifies one pyc.
func File(path string, opts Options) Entry {
	e := Entry{Path: path}
	info, named := pyc.ParseCachePath(path)
	if named {
		e.Source, e.Tag, e.Opt, e.Legacy = info.Source, info.Tag, info.Opt, info.Legacy
	}
	data, err := os.ReadFile(path)
	if err != nil {
		e.Status, e.Reason = Corrupt, unwrapPath(err).Error()
		return e
	}
	e.Size = int64(len(data))
	f, err := pyc.Parse(data, pyc.ParseOptions{})
	var h *pyc.Header
	if err == nil {
		h = &f.Header
		if f.TopCode() == nil {
			err = errors.New("the top object is not a code object")
		}
	} else if hh, herr := pyc.ParseHeader(data, nil); herr == nil {
		h = &hh
	}
	if h != nil {
		e.Version = h.Version.Impl.String() + " " + h.Version.XY()
		e.Mode = h.Mode().String()
	}
	if err != nil {
		e.Status, e.Reason = Corrupt, err.Error()
		return e
	}
	v := h.Version
	src, srcErr := os.Stat(e.Source)
	hasSource := named && srcErr == nil && src.Mode().IsRegular()
	switch {
	case !named:
		e.Status, e.Reason = Orphan, "the name does not follow PEP 3147 (dir/__pycache__/name.TAG[.opt-N].pyc)"
		return e
	case !hasSource && !e.Legacy:
		e.Status, e.Reason = Orphan, "no source "+e.Source
		return e
	case !hasSource:
		e.Status, e.Reason = Sourceless, "no source "+e.Source+": imported as a sourceless module by "+v.Impl.String()+" "+v.XY()
		return e
	}
	tag := Tag(v)
	if !e.Legacy && e.Tag != tag {
		e.Status, e.Reason = Foreign, fmt.Sprintf("its name says %s, its magic number %d says %s", e.Tag, v.Magic, tag)
		return e
	}
	if opts.Installed != nil && !contains(opts.Installed, tag) {
		e.Status, e.Reason = Foreign, "no "+tag+" interpreter installed here"
		return e
	}
	fr, why, err := h.CheckSourceStat(src, func() ([]byte, error) { return os.ReadFile(e.Source) })
	switch {
	case err != nil:
		e.Status, e.Reason = Stale, "source: "+unwrapPath(err).Error()
	case fr == pyc.Stale:
		e.Status, e.Reason = Stale, why
	case fr == pyc.Unchecked:
		e.Status, e.Reason = Fresh, "unchecked-hash: never compared with the source"
	default:
		e.Status = Fresh
	}
	return e
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// IsPycName reports whether a file name is a pyc's (.pyc or .pyo).
func IsPycName(name string) bool { return pycwalk.IsPycName(name) }

// Scan classifies every pyc given and every one under the directories
// given (walked in lexical order, symlinked directories not followed, and
// symlinks inside them left out), with one worker per CPU, and calls report
// for each from the calling goroutine, in walk order. Paths that cannot be
// read are returned, joined, in the error.
func Scan(paths []string, opts Options, report func(Entry)) error {
	var errs []error
	pycwalk.Walk(paths, pycwalk.Options{SkipLinks: true},
		func(p string) Entry { return File(p, opts) },
		func(_ string, err error) (Entry, bool) {
			errs = append(errs, err)
			return Entry{}, false
		},
		func(e Entry) {
			if report != nil {
				report(e)
			}
		})
	return errors.Join(errs...)
}

// Count is a number of pycs and their bytes.
type Count struct {
	// Files is the number of pycs.
	Files int `json:"files"`
	// Bytes is their total size.
	Bytes int64 `json:"bytes"`
}

func (c *Count) add(e Entry) {
	c.Files++
	c.Bytes += e.Size
}

// Totals sum entries by status and by version.
type Totals struct {
	// All counts every pyc.
	All Count `json:"all"`
	// ByStatus counts by status name (every status present, zeros
	// included).
	ByStatus map[string]Count `json:"by_status"`
	// ByVersion counts by Entry.Version ("" for unreadable pycs, reported
	// as "unknown").
	ByVersion map[string]Count `json:"by_version"`
}

// NewTotals returns empty totals.
func NewTotals() *Totals {
	t := &Totals{ByStatus: map[string]Count{}, ByVersion: map[string]Count{}}
	for _, s := range Statuses() {
		t.ByStatus[s.String()] = Count{}
	}
	return t
}

// Add counts an entry.
func (t *Totals) Add(e Entry) {
	t.All.add(e)
	c := t.ByStatus[e.Status.String()]
	c.add(e)
	t.ByStatus[e.Status.String()] = c
	v := e.Version
	if v == "" {
		v = "unknown"
	}
	c = t.ByVersion[v]
	c.add(e)
	t.ByVersion[v] = c
}

// Versions returns the version keys, sorted by implementation and version
// number ("unknown" last).
func (t *Totals) Versions() []string {
	out := make([]string, 0, len(t.ByVersion))
	for k := range t.ByVersion {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return versionLess(out[i], out[j]) })
	return out
}

// versionLess orders "CPython 3.9" before "CPython 3.10".
func versionLess(a, b string) bool {
	if a == "unknown" || b == "unknown" {
		return b == "unknown" && a != "unknown"
	}
	ia, va, _ := strings.Cut(a, " ")
	ib, vb, _ := strings.Cut(b, " ")
	if ia != ib {
		return ia < ib
	}
	var a1, a2, b1, b2 int
	fmt.Sscanf(va, "%d.%d", &a1, &a2)
	fmt.Sscanf(vb, "%d.%d", &b1, &b2)
	if a1 != b1 {
		return a1 < b1
	}
	return a2 < b2
}

// Removal is the outcome of removing one pyc.
type Removal struct {
	// Path is the pyc, Status what it was, Size its size in bytes.
	Path   string `json:"path"`
	Status Status `json:"status"`
	Size   int64  `json:"size"`
	// Err is why it could not be removed.
	Err string `json:"error,omitempty"`
}

// Prune removes the files of the entries whose status is prunable and
// returns what it did, in order. Entries of other statuses are left alone.
func Prune(entries []Entry) []Removal {
	var out []Removal
	for _, e := range entries {
		if !e.Status.Prunable() {
			continue
		}
		r := Removal{Path: e.Path, Status: e.Status, Size: e.Size}
		if err := os.Remove(e.Path); err != nil {
			r.Err = unwrapPath(err).Error()
		}
		out = append(out, r)
	}
	return out
}

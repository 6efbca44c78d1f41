package pyc

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// CacheTag returns the PEP 3147 cache tag of the version's interpreter, such
// as "cpython-311" or "pypy39", or "" for versions before 3.2 (which wrote
// legacy x.pyc files beside the source).
func (v *Version) CacheTag() string {
	if !v.AtLeast(3, 2) {
		return ""
	}
	switch v.Impl {
	case CPython:
		return fmt.Sprintf("cpython-%d%d", v.Major, v.Minor)
	case PyPy:
		return fmt.Sprintf("pypy%d%d", v.Major, v.Minor)
	case GraalPy:
		return fmt.Sprintf("graalpy-%d%d", v.Major, v.Minor)
	case RustPython:
		return fmt.Sprintf("rustpython-%d%d", v.Major, v.Minor)
	}
	return ""
}

// CachePath returns where the version's importlib writes the pyc of the
// source file at src, at optimization level opt (0, 1 or 2): for example
// "pkg/__pycache__/mod.cpython-311.opt-1.pyc". Versions before 3.2 use the
// legacy names "mod.pyc" and (optimized) "mod.pyo" beside the source.
func (v *Version) CachePath(src string, opt int) string {
	dir, base := filepath.Split(src)
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	tag := v.CacheTag()
	if tag == "" {
		if opt > 0 {
			return filepath.Join(dir, stem+".pyo")
		}
		return filepath.Join(dir, stem+".pyc")
	}
	name := stem + "." + tag
	if opt > 0 && v.AtLeast(3, 5) {
		name += ".opt-" + strconv.Itoa(opt)
	} else if opt > 0 {
		return filepath.Join(dir, "__pycache__", name+".pyo")
	}
	return filepath.Join(dir, "__pycache__", name+".pyc")
}

// CacheInfo is what a pyc's path says about it.
type CacheInfo struct {
	// Source is the path of the source file the pyc belongs to.
	Source string
	// Tag is the cache tag ("cpython-311"), empty for legacy pycs.
	Tag string
	// Opt is the optimization level (0, 1, 2; 1 for a legacy .pyo).
	Opt int
	// Legacy reports a pyc beside its source (not in __pycache__).
	Legacy bool
}

// ParseCachePath reads a pyc's path by PEP 3147 and PEP 488 naming:
// "d/__pycache__/m.cpython-311.opt-2.pyc" gives source "d/m.py", tag
// "cpython-311", opt 2; "d/m.pyc" gives source "d/m.py", legacy. It returns
// false for a name inside __pycache__ that does not follow the rules.
func ParseCachePath(pycPath string) (CacheInfo, bool) {
	dir, base := filepath.Split(pycPath)
	ext := filepath.Ext(base)
	if ext != ".pyc" && ext != ".pyo" {
		return CacheInfo{}, false
	}
	stem := strings.TrimSuffix(base, ext)
	if filepath.Base(filepath.Clean(dir)) != "__pycache__" {
		info := CacheInfo{Source: filepath.Join(dir, stem+".py"), Legacy: true}
		if ext == ".pyo" {
			info.Opt = 1
		}
		return info, true
	}
	parent := filepath.Dir(filepath.Clean(dir))
	parts := strings.Split(stem, ".")
	if len(parts) < 2 {
		return CacheInfo{}, false
	}
	info := CacheInfo{}
	last := parts[len(parts)-1]
	if strings.HasPrefix(last, "opt-") {
		n, err := strconv.Atoi(last[4:])
		if err != nil || n < 1 || len(parts) < 3 {
			return CacheInfo{}, false
		}
		info.Opt = n
		parts = parts[:len(parts)-1]
	} else if ext == ".pyo" {
		info.Opt = 1
	}
	info.Tag = parts[len(parts)-1]
	info.Source = filepath.Join(parent, strings.Join(parts[:len(parts)-1], ".")+".py")
	return info, true
}

// Freshness is the verdict of comparing a pyc with its source.
type Freshness uint8

// The verdicts.
const (
	// Fresh: the interpreter would use the pyc.
	Fresh Freshness = iota
	// Stale: the interpreter would recompile (source changed).
	Stale
	// Unchecked: an unchecked-hash pyc, which the interpreter uses without
	// looking at the source (by default).
	Unchecked
)

func (f Freshness) String() string {
	switch f {
	case Fresh:
		return "fresh"
	case Stale:
		return "stale"
	case Unchecked:
		return "unchecked"
	}
	return fmt.Sprintf("Freshness(%d)", uint8(f))
}

// CheckSource compares the header with the source file at path by the
// rules importlib (or, before 3.3, the C import code) of the version
// applies for its invalidation mode: the mtime (seconds, modulo 2**32) and,
// from 3.3, the size (modulo 2**32) for timestamp pycs; the source hash for
// checked-hash pycs. It returns a reason when stale.
func (h *Header) CheckSource(path string) (Freshness, string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return 0, "", err
	}
	return h.CheckSourceStat(st, func() ([]byte, error) { return os.ReadFile(path) })
}

// CheckSourceStat is CheckSource for a source already stat'ed: readSource
// is called only for checked-hash pycs, to hash the source's bytes.
func (h *Header) CheckSourceStat(st os.FileInfo, readSource func() ([]byte, error)) (Freshness, string, error) {
	switch h.Mode() {
	case UncheckedHash:
		return Unchecked, "", nil
	case CheckedHash:
		src, err := readSource()
		if err != nil {
			return 0, "", err
		}
		if got := h.Version.SourceHash(src); got != h.Hash {
			return Stale, fmt.Sprintf("source hash %x, pyc has %x", got, h.Hash), nil
		}
		return Fresh, "", nil
	}
	mtime := uint32(SourceMtime(st.ModTime()))
	if mtime != h.Mtime {
		return Stale, fmt.Sprintf("source mtime %d, pyc has %d", mtime, h.Mtime), nil
	}
	if h.Size() >= 12 {
		if size := uint32(st.Size()); size != h.SourceSize {
			return Stale, fmt.Sprintf("source size %d, pyc has %d", size, h.SourceSize), nil
		}
	}
	return Fresh, "", nil
}

// SourceMtime returns the whole seconds CPython records for a source file
// modified at t: int(os.stat(path).st_mtime), where st_mtime is the float
// seconds + nanoseconds*1e-9. The float can round up to the next second
// (nanoseconds within about 1e-7 of a second at today's dates), and int()
// truncates toward zero; importlib, py_compile and compileall all compare
// and write this value.
func SourceMtime(t time.Time) int64 {
	f := float64(t.Unix()) + float64(t.Nanosecond())*1e-9
	return int64(f) // Go's conversion truncates toward zero, as int() does
}

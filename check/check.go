// Package check verifies pyc files: full decode, byte-exact re-encode, and
// freshness against the source by the rules of the pyc's own version.
package check

import (
	"bytes"
	"fmt"
	"os"

	"github.com/pyc-tools/pyc/internal/pycwalk"
	"github.com/pyc-tools/pyc/pyc"
)

// Result is the outcome for one file.
type Result struct {
	// Path is the file checked.
	Path string `json:"file"`
	// Version is "X.Y" (with the implementation when not CPython), when the
	// file could be read.
	Version string `json:"version,omitempty"`
	// Source is the source file found for it, if any.
	Source string `json:"source,omitempty"`
	// Freshness is "fresh", "stale", "unchecked" or "" (no source found).
	Freshness string `json:"freshness,omitempty"`
	// Problems lists what is wrong; empty means the file is ok.
	Problems []string `json:"problems,omitempty"`
}

// OK reports whether the file passed every check.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

func (r *Result) problem(format string, a ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, a...))
}

// Options adjust checking.
type Options struct {
	// Parse is passed to pyc.Parse (version override, headerless input).
	Parse pyc.ParseOptions
	// NoSource skips the freshness check.
	NoSource bool
}

// File checks one file.
func File(path string, opts Options) Result {
	r := Result{Path: path}
	data, err := os.ReadFile(path)
	if err != nil {
		r.problem("%v", err)
		return r
	}
	// The result names the file already: errors leave it out.
	f, err := pyc.Parse(data, opts.Parse)
	if err != nil {
		r.problem("%v", err)
		return r
	}
	v := f.Version()
	r.Version = v.XY()
	if v.Impl != pyc.CPython {
		r.Version = v.Impl.String() + " " + r.Version
	}
	out, err := f.Bytes()
	if err != nil {
		r.problem("re-encode: %v", err)
	} else if !bytes.Equal(out, data) {
		r.problem("re-encode differs from the file at offset %d (%d bytes written, %d read)", firstDiff(out, data), len(out), len(data))
	}
	if opts.NoSource || f.Headerless {
		return r
	}
	src, tagOK := findSource(path, v)
	if src == "" {
		return r
	}
	r.Source = src
	if !tagOK {
		r.problem("its name says it is for another interpreter than %s (cache tag %s)", v, v.CacheTag())
		return r
	}
	fr, why, err := f.Header.CheckSource(src)
	if err != nil {
		r.problem("source %s: %v", src, err)
		return r
	}
	r.Freshness = fr.String()
	if fr == pyc.Stale {
		r.problem("stale: %s (source %s)", why, src)
	}
	return r
}

// findSource returns the source file of a pyc by PEP 3147 naming, or the
// x.py beside a legacy x.pyc, and whether the cache tag in the name agrees
// with the version.
func findSource(path string, v *pyc.Version) (string, bool) {
	info, ok := pyc.ParseCachePath(path)
	if !ok {
		return "", true
	}
	if _, err := os.Stat(info.Source); err != nil {
		return "", true
	}
	if info.Legacy {
		return info.Source, true
	}
	return info.Source, info.Tag == v.CacheTag()
}

func firstDiff(a, b []byte) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// IsPycName reports whether a file name looks like a pyc.
func IsPycName(name string) bool { return pycwalk.IsPycName(name) }

// Paths checks files and, recursively, the pyc files under directories,
// with one worker per CPU. It calls report once per file, in the order the
// paths and directory walks give them, from a single goroutine; a path
// that cannot be read is reported as a failed result.
func Paths(paths []string, opts Options, report func(Result)) error {
	pycwalk.Walk(paths, pycwalk.Options{},
		func(p string) Result { return File(p, opts) },
		func(p string, err error) (Result, bool) {
			return Result{Path: p, Problems: []string{err.Error()}}, true
		},
		report)
	return nil
}

package diff

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// AnyOpt, as DirOptions.OptA or OptB, takes every pyc of a tree and pairs
// files by their exact relative paths.
const AnyOpt = -1

// DirOptions adjust a directory diff.
type DirOptions struct {
	Options
	// Read says how to read the files.
	Read ReadOptions
	// OptA and OptB select the files of each tree by optimization level (0
	// for plain pycs, 1 for .opt-1.pyc, 2 for .opt-2.pyc; a legacy .pyo
	// counts as 1), and pair them by path with the level's tag removed, so
	// that a tree's -O pycs can be compared with its plain ones. AnyOpt
	// takes every file.
	OptA, OptB int
	// Workers is the number of files compared at once; 0 means one per
	// CPU.
	Workers int
}

// DirDiff is the difference between two trees of pycs. Its JSON form is
// the output of `pyc diff --json` on directories.
type DirDiff struct {
	A       string  `json:"a"`
	B       string  `json:"b"`
	Summary Summary `json:"summary"`
	// Files holds every pair, in the order of their relative paths;
	// identical ones carry only their names and status.
	Files []*FileDiff `json:"files"`
}

// Summary counts the files of a directory diff by verdict.
type Summary struct {
	Pairs        int `json:"pairs"`
	Identical    int `json:"identical"`
	Different    int `json:"different"`
	EncodingOnly int `json:"encoding_only"`
	Removed      int `json:"removed"`
	Added        int `json:"added"`
	Errors       int `json:"errors"`
}

// Differs reports whether anything differs or could not be compared.
func (d *DirDiff) Differs() bool {
	s := &d.Summary
	return s.Different+s.EncodingOnly+s.Removed+s.Added+s.Errors > 0
}

// Trouble reports whether some file could not be compared.
func (d *DirDiff) Trouble() bool { return d.Summary.Errors > 0 }

// Dirs compares the pyc files (.pyc and .pyo) under two directories,
// pairing them by relative path, several files at once. The error is for a
// tree that cannot be read at all; trouble with single files is reported
// in their FileDiff.
func Dirs(a, b string, opts DirOptions) (*DirDiff, error) {
	fa, err := listPycs(a, opts.OptA)
	if err != nil {
		return nil, err
	}
	fb, err := listPycs(b, opts.OptB)
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(fa))
	for k := range fa {
		keys = append(keys, k)
	}
	for k := range fb {
		if _, ok := fa[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	d := &DirDiff{A: a, B: b, Files: make([]*FileDiff, len(keys))}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	next := make(chan int, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				k := keys[i]
				ra, okA := fa[k]
				rb, okB := fb[k]
				switch {
				case !okB:
					d.Files[i] = &FileDiff{A: filepath.Join(a, ra), Status: Removed}
				case !okA:
					d.Files[i] = &FileDiff{B: filepath.Join(b, rb), Status: Added}
				default:
					d.Files[i] = Paths(filepath.Join(a, ra), filepath.Join(b, rb), opts.Read, opts.Options)
				}
			}
		}()
	}
	for i := range keys {
		next <- i
	}
	close(next)
	wg.Wait()
	s := &d.Summary
	for _, f := range d.Files {
		s.Pairs++
		switch f.Status {
		case Identical:
			s.Identical++
		case Different:
			s.Different++
		case EncodingOnly:
			s.EncodingOnly++
		case Removed:
			s.Removed++
		case Added:
			s.Added++
		case Trouble:
			s.Errors++
		}
	}
	return d, nil
}

// listPycs maps the pairing keys of a tree's pycs to their relative paths.
func listPycs(root string, opt int) (map[string]string, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s: not a directory", root)
	}
	out := map[string]string{}
	err = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() || !(strings.HasSuffix(p, ".pyc") || strings.HasSuffix(p, ".pyo")) {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		if opt == AnyOpt {
			out[rel] = rel
			return nil
		}
		key, level := optKey(rel)
		if level == opt {
			out[key] = rel
		}
		return nil
	})
	return out, err
}

// optKey splits a pyc's relative path into the path without its
// optimization tag and the level: "m.cpython-312.opt-1.pyc" gives
// "m.cpython-312.pyc" and 1, a legacy "m.pyo" gives "m.pyc" and 1.
func optKey(rel string) (string, int) {
	if strings.HasSuffix(rel, ".pyo") {
		return strings.TrimSuffix(rel, ".pyo") + ".pyc", 1
	}
	stem := strings.TrimSuffix(rel, ".pyc")
	if i := strings.LastIndex(stem, ".opt-"); i >= 0 && !strings.ContainsRune(stem[i:], filepath.Separator) {
		if n, err := strconv.Atoi(stem[i+5:]); err == nil && n > 0 {
			return stem[:i] + ".pyc", n
		}
	}
	return rel, 0
}

// WriteText writes the human form of a directory diff: a summary, the
// files found on one side only and those that could not be compared, then
// the differences of each file that differs. With brief, the details are
// left out and each differing file gets one line.
func (d *DirDiff) WriteText(w io.Writer, brief bool) error {
	bw := bufio.NewWriter(w)
	s := &d.Summary
	fmt.Fprintf(bw, "--- %s\n+++ %s\n", d.A, d.B)
	fmt.Fprintf(bw, "%d pairs: %d identical, %d differ (%d in values, %d only in encoding), %d only in a, %d only in b, %d errors\n",
		s.Pairs, s.Identical, s.Different+s.EncodingOnly, s.Different, s.EncodingOnly, s.Removed, s.Added, s.Errors)
	for _, f := range d.Files {
		switch f.Status {
		case Removed, Added, Trouble:
			f.writeText(bw)
		case Different, EncodingOnly:
			if brief {
				what := "differ"
				if f.Status == EncodingOnly {
					what = "differ only in encoding"
				}
				fmt.Fprintf(bw, "files %s and %s %s\n", f.A, f.B, what)
			}
		}
	}
	if !brief {
		for _, f := range d.Files {
			if f.Status == Different || f.Status == EncodingOnly {
				bw.WriteByte('\n')
				f.writeText(bw)
			}
		}
	}
	return bw.Flush()
}

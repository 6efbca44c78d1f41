// Package pycwalk visits the pyc files named on a command line, and those
// under the directories among them, on one worker per CPU, handing the
// results back in walk order.
package pycwalk

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// IsPycName reports whether a file name is a pyc's (.pyc or .pyo).
func IsPycName(name string) bool {
	return strings.HasSuffix(name, ".pyc") || strings.HasSuffix(name, ".pyo")
}

// Options adjust the walk.
type Options struct {
	// SkipLinks leaves out symbolic links met inside directories (files
	// named in paths are always visited).
	SkipLinks bool
}

// Walk calls visit on every file named in paths and every pyc under the
// directories among them (walked in lexical order, symlinked directories
// not followed), with one worker per CPU. A path that cannot be read goes to
// fail, whose result, when it says so, stands in its place. Results reach
// report in walk order, from the calling goroutine.
func Walk[T any](paths []string, opts Options, visit func(path string) T, fail func(path string, err error) (T, bool), report func(T)) {
	type job struct {
		path string
		done chan T
	}
	jobs := make(chan job, 256)
	order := make(chan chan T, 256)
	var wg sync.WaitGroup
	for i := 0; i < runtime.GOMAXPROCS(0); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.done <- visit(j.path)
			}
		}()
	}
	go func() {
		defer close(order)
		defer close(jobs)
		send := func(p string) {
			c := make(chan T, 1)
			order <- c
			jobs <- job{p, c}
		}
		failed := func(p string, err error) {
			if r, ok := fail(p, err); ok {
				c := make(chan T, 1)
				c <- r
				order <- c
			}
		}
		for _, p := range paths {
			st, err := os.Stat(p)
			if err != nil {
				failed(p, err)
				continue
			}
			if !st.IsDir() {
				send(p)
				continue
			}
			err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
				if err != nil {
					failed(q, err)
					if d != nil && d.IsDir() {
						return fs.SkipDir
					}
					return nil
				}
				if d.IsDir() || !IsPycName(d.Name()) || opts.SkipLinks && d.Type()&fs.ModeSymlink != 0 {
					return nil
				}
				send(q)
				return nil
			})
			if err != nil {
				failed(p, err)
			}
		}
	}()
	for c := range order {
		report(<-c)
	}
	wg.Wait()
}

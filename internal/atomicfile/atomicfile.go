// Package atomicfile writes files atomically: into a temporary file beside
// the destination, renamed over it once complete, so that an interruption
// at any moment leaves the old file or the new one, never a partial one.
//
// The package keeps a register of the temporary files in flight (created,
// neither committed nor aborted). A process that catches an interrupting
// signal calls Interrupt before it dies: it removes them and refuses new
// ones. Nothing can clean up after SIGKILL or a crash: the temporary files
// of the writes then in flight remain, named ".NAME.tmp" and a random
// suffix, hidden beside their destination; they never replace it.
package atomicfile

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// ErrInterrupted is returned by Create after Interrupt.
var ErrInterrupted = errors.New("interrupted")

// register holds the temporary files in flight.
var register struct {
	sync.Mutex
	closed bool
	files  map[*File]struct{}
}

// File is a temporary file that becomes its destination on Commit.
type File struct {
	*os.File
	dest string
	done bool
}

// TempPrefix returns the prefix of the temporary files of writes to dest:
// ".BASE.tmp" in dest's directory. The directory is kept as dest spells
// it, not cleaned: "link/../x" is not "x" when link is a symlink.
func TempPrefix(dest string) string {
	dir, base := filepath.Split(dest)
	return dir + "." + base + ".tmp"
}

// Create creates a temporary file for dest in dest's directory, with mode
// perm: set exactly (the umask is not applied) unless umask, with which
// the file is created as open(2) would create dest (perm less the
// process's umask), saving a chmod.
func Create(dest string, perm os.FileMode, umask bool) (*File, error) {
	mode := perm
	if !umask {
		mode = 0o600
	}
	prefix := TempPrefix(dest)
	register.Lock()
	defer register.Unlock()
	// Created under the lock, so that Interrupt never misses a file.
	if register.closed {
		return nil, &os.PathError{Op: "create", Path: dest, Err: ErrInterrupted}
	}
	var osf *os.File
	for try := 0; ; try++ {
		var err error
		osf, err = os.OpenFile(prefix+strconv.FormatUint(rand.Uint64(), 36), os.O_RDWR|os.O_CREATE|os.O_EXCL, mode)
		if err == nil {
			break
		}
		if !os.IsExist(err) || try == 100 {
			return nil, err
		}
	}
	f := &File{File: osf, dest: dest}
	if !umask {
		if err := osf.Chmod(perm); err != nil {
			osf.Close()
			os.Remove(osf.Name())
			return nil, err
		}
	}
	if register.files == nil {
		register.files = map[*File]struct{}{}
	}
	register.files[f] = struct{}{}
	return f, nil
}

// Dest returns the file's destination.
func (f *File) Dest() string { return f.dest }

// Commit closes the file and renames it over its destination. On failure
// the temporary file is removed. Sync before, for durability across a
// system crash.
func (f *File) Commit() error {
	if f.done {
		return errors.New("atomicfile: commit of a finished file")
	}
	err := f.File.Close()
	if err == nil {
		err = os.Rename(f.Name(), f.dest)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	f.finish()
	return err
}

// Abort closes and removes the temporary file; the destination is left as
// it was. After Commit (or Abort) it does nothing, so that it can be
// deferred.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.File.Close()
	os.Remove(f.Name())
	f.finish()
}

// finish takes the file off the register.
func (f *File) finish() {
	f.done = true
	register.Lock()
	delete(register.files, f)
	register.Unlock()
}

// Interrupt removes the temporary files in flight and makes every later
// Create fail with ErrInterrupted; it returns the number removed. It is
// meant for a process about to end by a signal: the writes in progress
// then fail (their files are gone), and each destination keeps its old
// content, or the new one if its rename came first.
func Interrupt() int {
	register.Lock()
	defer register.Unlock()
	register.closed = true
	n := 0
	for f := range register.files {
		if os.Remove(f.Name()) == nil {
			n++
		}
	}
	register.files = nil
	return n
}

// InFlight returns the number of temporary files in flight.
func InFlight() int {
	register.Lock()
	defer register.Unlock()
	return len(register.files)
}

package compile

import (
	"errors"
	"strconv"
	"strings"
)

// The file names that compileall records and writes are Python strings
// built with posixpath.join, not cleaned Go paths: "./lib/" walked gives
// "./lib/os.py", and that is what co_filename holds. These helpers build
// them the same way.

// pyJoin joins path elements as Python's posixpath.join: an absolute
// element restarts the path, and a separator is added only where the path
// does not already end with one.
func pyJoin(a string, elems ...string) string {
	path := a
	for _, b := range elems {
		switch {
		case strings.HasPrefix(b, "/"):
			path = b
		case path == "" || strings.HasSuffix(path, "/"):
			path += b
		default:
			path += "/" + b
		}
	}
	return path
}

// pySplit splits a path at its last separator as posixpath.split does for
// the cases compileall meets: "a/b/c.py" gives "a/b/" and "c.py"
// (keeping the separator on the head, which is what joining needs).
func pySplit(p string) (head, tail string) {
	i := strings.LastIndexByte(p, '/')
	return p[:i+1], p[i+1:]
}

// Names say how the file names recorded in code objects (co_filename) are
// derived from the paths of the sources, as compileall's -d, -s and -p do.
type Names struct {
	// DDir replaces the directory given on the command line: a file found
	// at dir/sub/m.py records DDir/sub/m.py; a file given by itself
	// records DDir/m.py.
	DDir string
	// StripDir is removed from the front of each path, compared part by
	// part (split at "/"); a path it is not a prefix of is left alone.
	StripDir string
	// PrependDir is put in front of each path (after StripDir).
	PrependDir string
}

// ErrNamesConflict: DDir together with StripDir or PrependDir.
var ErrNamesConflict = errors.New("compile: -d cannot be used with -s or -p")

// check reports a conflict of options.
func (n Names) check() error {
	if n.DDir != "" && (n.StripDir != "" || n.PrependDir != "") {
		return ErrNamesConflict
	}
	return nil
}

// recorded returns the name to record for the source at fullname. ddir
// is DDir already extended by the walk (the directories between the one
// given and the file), or "" without DDir. The note is set when StripDir
// did not apply.
func (n Names) recorded(fullname, ddir string) (name, note string) {
	if ddir != "" {
		_, base := pySplit(fullname)
		return pyJoin(ddir, base), ""
	}
	dfile := ""
	if n.StripDir != "" {
		parts := strings.Split(fullname, "/")
		strip := strings.Split(n.StripDir, "/")
		if len(strip) < len(parts) && equalParts(strip, parts[:len(strip)]) {
			rest := parts[len(strip):]
			dfile = pyJoin(rest[0], rest[1:]...)
		} else {
			note = "the strip directory " + strconv.Quote(n.StripDir) + " is not a prefix of " + strconv.Quote(fullname) + "; not stripped"
		}
	}
	if n.PrependDir != "" {
		if dfile == "" {
			dfile = pyJoin(n.PrependDir, fullname)
		} else {
			dfile = pyJoin(n.PrependDir, dfile)
		}
	}
	if dfile == "" {
		dfile = fullname
	}
	return dfile, note
}

func equalParts(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

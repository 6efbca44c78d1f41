// Package compile precompiles Python sources to pycs with a real
// interpreter, as "python -m compileall" does, but faster and
// reproducibly.
//
// The interpreter runs as a few long-lived compile servers (a small
// program passed with "python -c", for Python 2.7 and every 3.x), each
// compiling many files: it calls compile(source, filename, 'exec',
// dont_inherit=True, optimize=N) and returns marshal.dumps of the code, as
// py_compile does. Everything else happens in Go: walking the tree,
// deciding what is up to date, the pyc header (mtime and size, or the
// source hash), and writing the files atomically.
//
// With Deterministic, each marshal stream is rewritten by
// marshal.Canonicalize, so that a source gives the same pyc bytes from
// any run.
package compile

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// CompilerOptions adjust NewCompiler.
type CompilerOptions struct {
	// Servers is the number of compile servers; zero or less means one per
	// CPU.
	Servers int
	// Levels are the optimization levels that will be asked for (default
	// 0). Python 2 needs one pool of servers per level, started with -O or
	// -OO; Python 3 compiles every level in the same servers.
	Levels []int
	// Deterministic canonicalizes every marshal stream (see
	// marshal.Canonicalize). The servers then start bare (PoolOptions.Mimic
	// is for byte-identity with compileall, which canonical streams do not
	// need).
	Deterministic bool
	// Env is the servers' environment (nil: DefaultEnv).
	Env []string
	// Stderr receives the servers' standard error (nil: discarded).
	Stderr io.Writer
}

// Compiler compiles sources with one interpreter.
type Compiler struct {
	pools  map[int]*Pool // by level for Python 2, one at key 0 for Python 3
	interp *Interpreter
	det    bool
	env    []string
	dirs   sync.Map // __pycache__ directories known to exist
}

// NewCompiler starts the compile servers of python.
func NewCompiler(python string, opts CompilerOptions) (*Compiler, error) {
	n := opts.Servers
	if n <= 0 {
		n = runtime.NumCPU()
	}
	levels := opts.Levels
	if len(levels) == 0 {
		levels = []int{0}
	}
	for _, l := range levels {
		if l < 0 || l > 2 {
			return nil, fmt.Errorf("compile: optimization level %d (want 0, 1 or 2)", l)
		}
	}
	env := opts.Env
	if env == nil {
		env = DefaultEnv()
	}
	c := &Compiler{pools: map[int]*Pool{}, det: opts.Deterministic, env: env}
	popts := PoolOptions{Servers: n, Env: env, Stderr: opts.Stderr, Mimic: !opts.Deterministic}
	first, err := NewPool(python, popts)
	if err != nil {
		return nil, err
	}
	c.interp = first.Interpreter()
	if c.interp.Version.Major >= 3 {
		c.pools[0] = first
		return c, nil
	}
	// Python 2: the level is the interpreter's -O flag.
	flags := [][]string{nil, {"-O"}, {"-OO"}}
	for _, l := range dedupe(levels) {
		if l == 0 {
			c.pools[0] = first
			continue
		}
		popts.Flags = flags[l]
		p, err := NewPool(python, popts)
		if err != nil {
			c.Close()
			return nil, err
		}
		c.pools[l] = p
	}
	if c.pools[0] != first {
		first.Close()
	}
	return c, nil
}

// Interpreter describes the compiler's interpreter.
func (c *Compiler) Interpreter() *Interpreter { return c.interp }

// Version is the pyc version the interpreter writes.
func (c *Compiler) Version() *pyc.Version { return c.interp.Version }

// Close stops the servers.
func (c *Compiler) Close() error {
	var first error
	for _, p := range c.pools {
		if err := p.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Code compiles source, recording filename as its file name, at an
// optimization level, and returns the marshalled code object (without a
// pyc header). A source that does not compile gives a *Error.
func (c *Compiler) Code(source []byte, filename string, level int) ([]byte, []Warning, error) {
	key := 0
	if c.interp.Version.Major < 3 {
		key = level
	}
	p := c.pools[key]
	if p == nil {
		return nil, nil, fmt.Errorf("compile: level %d was not asked for when the compiler started", level)
	}
	data, warns, err := p.Compile(source, filename, level)
	if err != nil {
		return nil, warns, err
	}
	if c.det {
		data, err = Deterministic(data, c.interp.Version)
		if err != nil {
			return nil, warns, err
		}
	}
	return data, warns, nil
}

// Deterministic rewrites a marshal stream written by an interpreter of
// version v with marshal.Canonicalize: only objects referred to more than
// once carry FLAG_REF, and set items are in a fixed order.
func Deterministic(stream []byte, v *pyc.Version) ([]byte, error) {
	val, n, err := marshal.Unmarshal(stream, v.MarshalOptions())
	if err != nil {
		return nil, err
	}
	if n != len(stream) {
		return nil, fmt.Errorf("compile: %d bytes after the marshal stream", len(stream)-n)
	}
	val = marshal.Canonicalize(val, v.EncodeOptions())
	return marshal.Append(make([]byte, 0, len(stream)), val, v.EncodeOptions())
}

// Source is what a pyc header records of its source.
type Source struct {
	// Data is the source's bytes (hashed in the hash-based modes).
	Data []byte
	// Mtime is the modification time in whole seconds, as
	// pyc.SourceMtime gives it.
	Mtime int64
	// Size is the size in bytes.
	Size int64
}

// Header returns the pyc header the version's py_compile writes for a
// source in an invalidation mode.
func Header(v *pyc.Version, mode pyc.Mode, src Source) (pyc.Header, error) {
	h := pyc.Header{Magic: v.Raw, Version: v}
	if err := h.SetMode(mode); err != nil {
		return h, err
	}
	if mode == pyc.Timestamp {
		h.Mtime = uint32(src.Mtime)
		h.SourceSize = uint32(src.Size)
	} else {
		h.Hash = v.SourceHash(src.Data)
	}
	return h, nil
}

// DefaultMode is the invalidation mode py_compile of version v uses when
// none is given: checked-hash when SOURCE_DATE_EPOCH is set to a non-empty
// value in env (3.7 and later), timestamp otherwise.
func DefaultMode(v *pyc.Version, env []string) pyc.Mode {
	if v.AtLeast(3, 7) && lookupEnv(env, "SOURCE_DATE_EPOCH") != "" {
		return pyc.CheckedHash
	}
	return pyc.Timestamp
}

func lookupEnv(env []string, key string) string {
	val := ""
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			val = v // the last one wins, as in os/exec
		}
	}
	return val
}

// PycPath returns where compileall writes the pyc of the source at
// fullname (a name ending in ".py") for an optimization level: in
// __pycache__ with the interpreter's cache tag, or, with legacy or before
// Python 3.2, beside the source ("x.pyc", and "x.pyo" for Python 2 with
// -O).
func (c *Compiler) PycPath(fullname string, level int, legacy bool) string {
	return pycPath(c.interp.Version, c.interp.CacheTag, fullname, level, legacy)
}

func pycPath(v *pyc.Version, tag, fullname string, level int, legacy bool) string {
	if tag == "" || !v.AtLeast(3, 2) {
		if level > 0 && v.Major < 3 {
			return fullname + "o"
		}
		return fullname + "c"
	}
	if legacy {
		return fullname + "c"
	}
	dir, base := pySplit(fullname)
	stem := base
	if i := strings.LastIndexByte(base, '.'); i > 0 {
		stem = base[:i]
	}
	name := stem + "." + tag
	switch {
	case level > 0 && v.AtLeast(3, 5):
		name += ".opt-" + strconv.Itoa(level) + ".pyc"
	case level > 0:
		name += ".pyo"
	default:
		name += ".pyc"
	}
	return dir + "__pycache__/" + name
}

// checkLevels refuses level sets that would write two levels to one file.
func checkLevels(v *pyc.Version, levels []int, legacy bool) error {
	if len(levels) < 2 {
		return nil
	}
	if v.Major < 3 {
		opt := 0
		for _, l := range levels {
			if l > 0 {
				opt++
			}
		}
		if opt > 1 {
			return errors.New("compile: Python 2 writes levels 1 and 2 to the same .pyo: ask for one of them")
		}
		return nil
	}
	if legacy {
		return errors.New("compile: legacy pycs (x.pyc) hold one optimization level: ask for one")
	}
	return nil
}

// dedupe returns the distinct levels, sorted.
func dedupe(levels []int) []int {
	var seen [3]bool
	var out []int
	for _, l := range levels {
		if l >= 0 && l <= 2 {
			seen[l] = true
		}
	}
	for l, ok := range seen {
		if ok {
			out = append(out, l)
		}
	}
	return out
}

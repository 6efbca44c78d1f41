package compile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/pyc-tools/pyc/pyc"
)

// TreeOptions say what Tree compiles and how; the zero value compiles
// every level-0 pyc that is not up to date, in timestamp mode, into
// __pycache__.
type TreeOptions struct {
	// Levels are the optimization levels to write, one pyc each (default
	// 0). Python 2 needs them given to NewCompiler too.
	Levels []int
	// Mode is the invalidation mode (see DefaultMode for py_compile's).
	Mode pyc.Mode
	// Legacy writes x.pyc beside x.py instead of into __pycache__.
	Legacy bool
	// Exclude skips the files whose path (as walked) it matches anywhere.
	Exclude *regexp.Regexp
	// MaxDepth is how many directory levels below each path given are
	// walked: 0 only the directory itself; negative, no limit.
	MaxDepth int
	// Names derive the file names recorded in the code objects.
	Names Names
	// Force compiles even what is up to date.
	Force bool
	// Jobs is how many files are in hand at once (reading, waiting for a
	// server, writing); zero means four per server.
	Jobs int
}

// EventKind says what happened to a source.
type EventKind uint8

// The kinds of event.
const (
	// Compiled: the pycs were written.
	Compiled EventKind = iota
	// UpToDate: every pyc was up to date; nothing was written.
	UpToDate
	// Failed: the source did not compile, or a file could not be read or
	// written; Err says why.
	Failed
	// Notice: something worth saying that is not a failure (Note).
	Notice
)

// String returns "compiled", "up to date", "failed" or "notice".
func (k EventKind) String() string {
	switch k {
	case Compiled:
		return "compiled"
	case UpToDate:
		return "up to date"
	case Failed:
		return "failed"
	case Notice:
		return "notice"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is the outcome for one source (or a directory that could not be
// listed).
type Event struct {
	// Kind is what happened.
	Kind EventKind
	// Source is the source file (or directory), as walked.
	Source string
	// Pycs are the files written.
	Pycs []string
	// Err is why it failed: a *Error for a source that does not compile.
	Err error
	// Warnings are the compiler's warnings.
	Warnings []Warning
	// Note is the text of a Notice.
	Note string
}

// Stats count what Tree did.
type Stats struct {
	// Sources is the number of .py files considered (not excluded).
	Sources int
	// Compiled, UpToDate and Failed count them by outcome; Failed also
	// counts directories that could not be listed.
	Compiled, UpToDate, Failed int
	// Excluded counts the .py files Exclude matched.
	Excluded int
	// Pycs is the number of pyc files written.
	Pycs int
	// Warnings counts compiler warnings.
	Warnings int
}

// task is one file (or a walk error) in walk order.
type task struct {
	seq  int
	path string
	ddir string
	err  error
}

// result is a task's outcome.
type result struct {
	seq      int
	ev       Event
	excluded bool
	ignore   bool // not a .py file
	notes    []string
}

// Tree compiles the .py files given and those under the directories given,
// walking as compileall does (sorted, __pycache__ and symlinked directories
// skipped), and calls report for each source from the calling goroutine,
// in walk order.
func (c *Compiler) Tree(paths []string, opts TreeOptions, report func(Event)) (Stats, error) {
	var st Stats
	levels := dedupe(opts.Levels)
	if len(levels) == 0 {
		levels = []int{0}
	}
	v := c.interp.Version
	if err := checkLevels(v, levels, opts.Legacy); err != nil {
		return st, err
	}
	if v.Major < 3 {
		for _, l := range levels {
			if c.pools[l] == nil {
				return st, fmt.Errorf("compile: level %d was not given to NewCompiler", l)
			}
		}
	}
	if opts.Mode != pyc.Timestamp && !v.AtLeast(3, 7) {
		return st, fmt.Errorf("compile: %s pycs need Python 3.7 or later (this is %s)", opts.Mode, c.interp.Release)
	}
	if err := opts.Names.check(); err != nil {
		return st, err
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		servers := 0
		for _, p := range c.pools {
			servers += p.Size()
		}
		// Enough to keep every server's pipeline full while others read
		// sources and write pycs.
		jobs = (depth + 2) * servers
	}
	t := &tree{c: c, opts: opts, levels: levels}
	tasks := make(chan task, 4*jobs)
	results := make(chan result, 4*jobs)
	go func() {
		defer close(tasks)
		t.walk(paths, tasks)
	}()
	var wg sync.WaitGroup
	for i := 0; i < jobs; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for tk := range tasks {
				results <- t.file(tk)
			}
		}()
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	// Report in walk order: results arrive nearly in order, so the
	// pending set stays small.
	pending := map[int]result{}
	next := 0
	emit := func(r result) {
		for _, n := range r.notes {
			if report != nil {
				report(Event{Kind: Notice, Source: r.ev.Source, Note: n})
			}
		}
		if r.ignore {
			return
		}
		if r.excluded {
			st.Excluded++
			return
		}
		switch r.ev.Kind {
		case Compiled:
			st.Sources++
			st.Compiled++
			st.Pycs += len(r.ev.Pycs)
		case UpToDate:
			st.Sources++
			st.UpToDate++
		case Failed:
			if r.ev.Source != "" && strings.HasSuffix(r.ev.Source, ".py") {
				st.Sources++
			}
			st.Failed++
		}
		st.Warnings += len(r.ev.Warnings)
		if report != nil {
			report(r.ev)
		}
	}
	for r := range results {
		pending[r.seq] = r
		for {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			emit(p)
		}
	}
	return st, nil
}

type tree struct {
	c      *Compiler
	opts   TreeOptions
	levels []int
	seq    int
}

func (t *tree) send(tasks chan<- task, tk task) {
	tk.seq = t.seq
	t.seq++
	tasks <- tk
}

// walk feeds the tasks in compileall's order.
func (t *tree) walk(paths []string, tasks chan<- task) {
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			t.send(tasks, task{path: p, ddir: t.opts.Names.DDir})
			continue
		}
		t.dir(p, t.opts.MaxDepth, t.opts.Names.DDir, tasks)
	}
}

func (t *tree) dir(dir string, depth int, ddir string, tasks chan<- task) {
	ents, err := os.ReadDir(dir)
	if err != nil && len(ents) == 0 {
		t.send(tasks, task{path: dir, err: fmt.Errorf("cannot list %s: %w", dir, unwrapPath(err))})
		return
	}
	for _, e := range ents {
		name := e.Name()
		if name == "__pycache__" {
			continue
		}
		full := pyJoin(dir, name)
		sub := ""
		if ddir != "" {
			sub = pyJoin(ddir, name)
		}
		isDir, isLink := e.IsDir(), e.Type()&os.ModeSymlink != 0
		if isLink {
			if st, err := os.Stat(full); err == nil {
				isDir = st.IsDir()
			}
		}
		switch {
		case !isDir:
			t.send(tasks, task{path: full, ddir: ddir})
		case depth != 0 && !isLink:
			t.dir(full, depth-1, sub, tasks)
		}
	}
}

// unwrapPath drops the *PathError wrapper, whose text repeats the path.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// file compiles one source (the body of compileall's compile_file).
func (t *tree) file(tk task) result {
	r := result{seq: tk.seq, ev: Event{Source: tk.path}}
	if tk.err != nil {
		r.ev.Kind = Failed
		r.ev.Err = tk.err
		return r
	}
	full := tk.path
	if !strings.HasSuffix(full, ".py") {
		r.ignore = true
		return r
	}
	if t.opts.Exclude != nil && t.opts.Exclude.MatchString(full) {
		r.excluded = true
		return r
	}
	src, st, err := readSource(full)
	if err != nil || !st.Mode().IsRegular() {
		r.ignore = true
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			r.ignore = false
			r.ev.Kind = Failed
			r.ev.Err = err
		}
		return r
	}
	fail := func(err error) result {
		r.ev.Kind = Failed
		r.ev.Err = err
		return r
	}
	c := t.c
	v := c.interp.Version
	cfiles := make([]string, len(t.levels))
	for i, l := range t.levels {
		cfiles[i] = c.PycPath(full, l, t.opts.Legacy)
	}
	source := Source{Data: src, Mtime: pyc.SourceMtime(st.ModTime()), Size: st.Size()}
	exist := true // whether the pycs may exist (unknown when forced)
	if !t.opts.Force {
		var fresh bool
		fresh, exist = t.upToDate(cfiles, source)
		if fresh {
			r.ev.Kind = UpToDate
			return r
		}
	}
	dfile, note := t.opts.Names.recorded(full, tk.ddir)
	if note != "" {
		r.notes = append(r.notes, note)
	}
	// importlib gives a pyc its source's permissions plus owner-write,
	// less the umask; py_compile 2.7 creates it with open().
	perm := (st.Mode().Perm() | 0o200) & 0o666
	if v.Major < 3 {
		perm = 0o666
	}
	h, err := Header(v, t.opts.Mode, source)
	if err != nil {
		return fail(err)
	}
	var buf []byte
	for i, l := range t.levels {
		data, warns, err := c.Code(src, dfile, l)
		r.ev.Warnings = append(r.ev.Warnings, warns...)
		if err != nil {
			var ce *Error
			if errors.As(err, &ce) {
				ce.Path = full
			}
			return fail(err)
		}
		cfile := cfiles[i]
		if exist {
			if err := checkTarget(cfile); err != nil {
				return fail(err)
			}
		}
		if dir := filepath.Dir(cfile); filepath.Base(dir) == "__pycache__" {
			if _, ok := c.dirs.Load(dir); !ok {
				if err := os.MkdirAll(dir, 0o777); err != nil {
					return fail(err)
				}
				c.dirs.Store(dir, true)
			}
		}
		buf = h.AppendHeader(buf[:0])
		buf = append(buf, data...)
		if err := pyc.WriteFileWith(cfile, buf, pyc.WriteOptions{Perm: perm, UseUmask: true, NoSync: true}); err != nil {
			return fail(err)
		}
		r.ev.Pycs = append(r.ev.Pycs, cfile)
	}
	r.ev.Kind = Compiled
	return r
}

// checkTarget refuses to replace a symlink or a non-regular file with a
// pyc, as py_compile does.
func checkTarget(cfile string) error {
	st, err := os.Lstat(cfile)
	if err != nil {
		return nil
	}
	if st.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symlink and would be replaced by a regular file", cfile)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file and would be replaced by one", cfile)
	}
	return nil
}

// upToDate reports whether every pyc exists, has the interpreter's magic
// and the wanted invalidation mode, and is fresh for the source by the
// import system's rules: mtime (and, from 3.3, size) for timestamp pycs, the
// source hash for hash-based ones. It also reports whether any pyc exists.
func (t *tree) upToDate(cfiles []string, src Source) (fresh, exist bool) {
	v := t.c.interp.Version
	var head [16]byte
	fresh = true
	for _, cf := range cfiles {
		n, err := readHead(cf, head[:v.HeaderSize])
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			exist = true
		}
		if !fresh {
			continue
		}
		if err != nil || n < v.HeaderSize || !bytes.Equal(head[:4], v.Raw[:]) {
			fresh = false
			continue
		}
		h, err := pyc.ParseHeader(head[:n], v)
		switch {
		case err != nil || h.Mode() != t.opts.Mode:
			fresh = false
		case t.opts.Mode == pyc.Timestamp:
			if h.Mtime != uint32(src.Mtime) || v.HeaderSize >= 12 && h.SourceSize != uint32(src.Size) {
				fresh = false
			}
		case h.Hash != v.SourceHash(src.Data):
			fresh = false
		}
	}
	return fresh, exist
}

// readSource reads a source file with one open: its bytes and its stat.
func readSource(name string) ([]byte, os.FileInfo, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, st, nil
	}
	data := make([]byte, 0, st.Size()+1)
	for {
		n, err := f.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, st, nil
		}
		if err != nil {
			return nil, nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
}

func readHead(name string, b []byte) (int, error) {
	f, err := os.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := io.ReadFull(f, b)
	if err == io.ErrUnexpectedEOF {
		err = nil
	}
	return n, err
}

package run

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pyc-tools/pyc/pyc"
)

// Interpreter is one Python interpreter that was asked what it is.
type Interpreter struct {
	// Path is the interpreter as found (absolute, symbolic links kept: a
	// virtual environment's python is a link whose name matters).
	Path string
	// Impl is the implementation.
	Impl pyc.Implementation
	// Version is the full version, such as "3.11.7" or "3.14.0a1".
	Version string
	// Major and Minor are the language version.
	Major int
	Minor int
	// Magic is the pyc magic the interpreter reads and writes.
	Magic [4]byte
	// Source says where it was found: "--python", "PYC_PYTHON", "PATH" or
	// "pyenv".
	Source string
}

// String returns e.g. "CPython 3.11.7 (/usr/bin/python3.11)".
func (in *Interpreter) String() string {
	return fmt.Sprintf("%s %s (%s)", in.Impl, in.Version, in.Path)
}

// MagicNumber returns the 16-bit magic number.
func (in *Interpreter) MagicNumber() uint16 { return uint16(in.Magic[0]) | uint16(in.Magic[1])<<8 }

// Runs reports whether the interpreter runs pycs of version v: same
// implementation and the very same magic (an interpreter refuses any other).
func (in *Interpreter) Runs(v *pyc.Version) bool {
	return v != nil && in.Impl == v.Impl && in.Magic == v.Raw
}

// probeScript prints what the interpreter is, on 2.7 and every 3.x, without
// importing anything start-up has not imported (run with -S).
const probeScript = `import sys
m = getattr(sys.modules.get('_frozen_importlib_external'), 'MAGIC_NUMBER', None)
if m is None:
    try:
        from importlib.util import MAGIC_NUMBER as m
    except Exception:
        import imp
        m = imp.get_magic()
i = getattr(sys, 'implementation', None)
n = i.name if i else ('pypy' if '__pypy__' in sys.builtin_module_names else 'cpython')
v = sys.version_info
sys.stdout.write('pyc-probe %s %d %d %d %s %d %s\n' % (n, v[0], v[1], v[2], v[3], v[4], ''.join(['%02x' % c for c in bytearray(m)])))
`

// ProbeTimeout bounds how long an interpreter may take to say what it is.
var ProbeTimeout = 20 * time.Second

// Probe runs the interpreter at path and asks its implementation, version
// and magic number.
func Probe(path string) (*Interpreter, error) {
	ctx, cancel := context.WithTimeout(context.Background(), ProbeTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-S", "-c", probeScript)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if len(msg) > 200 {
			msg = msg[:200] + "..."
		}
		if msg != "" {
			return nil, fmt.Errorf("%s: %v: %s", path, err, msg)
		}
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	in, err := parseProbe(out.String())
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	in.Path = path
	return in, nil
}

func parseProbe(s string) (*Interpreter, error) {
	i := strings.Index(s, "pyc-probe ")
	if i < 0 {
		return nil, errors.New("not a Python interpreter (no answer to the probe)")
	}
	f := strings.Fields(s[i:])
	if len(f) != 8 {
		return nil, fmt.Errorf("unexpected probe answer %q", strings.TrimSpace(s[i:]))
	}
	var impl pyc.Implementation
	switch f[1] {
	case "cpython":
		impl = pyc.CPython
	case "pypy":
		impl = pyc.PyPy
	case "graalpy", "graalpython":
		impl = pyc.GraalPy
	case "rustpython":
		impl = pyc.RustPython
	default:
		return nil, fmt.Errorf("unknown implementation %q", f[1])
	}
	major, err1 := strconv.Atoi(f[2])
	minor, err2 := strconv.Atoi(f[3])
	micro, err3 := strconv.Atoi(f[4])
	m, err4 := hex.DecodeString(f[7])
	if err := errors.Join(err1, err2, err3, err4); err != nil || len(m) != 4 {
		return nil, fmt.Errorf("unexpected probe answer %q", strings.TrimSpace(s[i:]))
	}
	ver := fmt.Sprintf("%d.%d.%d", major, minor, micro)
	switch f[5] {
	case "alpha":
		ver += "a" + f[6]
	case "beta":
		ver += "b" + f[6]
	case "candidate":
		ver += "rc" + f[6]
	}
	in := &Interpreter{Impl: impl, Version: ver, Major: major, Minor: minor}
	copy(in.Magic[:], m)
	return in, nil
}

// fileID identifies the file behind a path: when it changes, a cached
// probe answer is stale.
type fileID struct {
	Dev, Ino, Size, Mtime int64
}

func statID(path string) (fileID, error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return fileID{}, err
	}
	return fileID{int64(st.Dev), int64(st.Ino), st.Size, st.Mtim.Nano()}, nil
}

// ProbeCache remembers probe answers per path, keyed by the identity of
// the file the path leads to, in a small text file (one line per path,
// tab-separated; read on every run, so kept cheap to parse). A nil
// *ProbeCache probes every time.
type ProbeCache struct {
	// Path is the cache file.
	Path    string
	entries map[string]cacheEntry
	dirty   bool
	loaded  bool
}

type cacheEntry struct {
	id      fileID
	impl    string
	version string
	major   int
	minor   int
	magic   string
}

// cacheHeader is the cache file's first line; a file with another is
// ignored (and rewritten).
const cacheHeader = "pyc interpreters cache 1"

// DefaultCachePath returns $XDG_CACHE_HOME/pyc/interpreters (or the same
// under ~/.cache), or "" when neither is known.
func DefaultCachePath() string {
	d := os.Getenv("XDG_CACHE_HOME")
	if d == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		d = filepath.Join(home, ".cache")
	}
	return filepath.Join(d, "pyc", "interpreters")
}

func (c *ProbeCache) load() {
	if c == nil || c.loaded {
		return
	}
	c.loaded = true
	c.entries = map[string]cacheEntry{}
	b, err := os.ReadFile(c.Path)
	if err != nil {
		return
	}
	lines := strings.Split(string(b), "\n")
	if lines[0] != cacheHeader {
		return
	}
	for _, l := range lines[1:] {
		f := strings.Split(l, "\t")
		if len(f) != 10 {
			continue
		}
		var n [6]int64
		ok := true
		for i, k := range []int{1, 2, 3, 4, 7, 8} {
			v, err := strconv.ParseInt(f[k], 10, 64)
			if err != nil {
				ok = false
				break
			}
			n[i] = v
		}
		if ok {
			c.entries[f[0]] = cacheEntry{id: fileID{n[0], n[1], n[2], n[3]}, impl: f[5], version: f[6],
				major: int(n[4]), minor: int(n[5]), magic: f[9]}
		}
	}
}

// Probe returns the cached answer for path when the file is unchanged, and
// otherwise probes (fresh forces a probe) and remembers the answer.
func (c *ProbeCache) Probe(path string, fresh bool) (*Interpreter, error) {
	if c == nil {
		return Probe(path)
	}
	c.load()
	id, err := statID(path)
	if err != nil {
		return nil, err
	}
	if e, ok := c.entries[path]; ok && !fresh && e.id == id {
		if in, err := e.interpreter(path); err == nil {
			return in, nil
		}
	}
	in, err := Probe(path)
	if err != nil {
		if _, ok := c.entries[path]; ok {
			delete(c.entries, path)
			c.dirty = true
		}
		return nil, err
	}
	c.entries[path] = cacheEntry{id: id, impl: strings.ToLower(in.Impl.String()), version: in.Version,
		major: in.Major, minor: in.Minor, magic: hex.EncodeToString(in.Magic[:])}
	c.dirty = true
	return in, nil
}

func (e cacheEntry) interpreter(path string) (*Interpreter, error) {
	in, err := parseProbe(fmt.Sprintf("pyc-probe %s %d %d 0 final 0 %s", e.impl, e.major, e.minor, e.magic))
	if err != nil {
		return nil, err
	}
	in.Version = e.version
	in.Path = path
	return in, nil
}

// Save writes the cache back when it changed, atomically; errors are
// returned but a cache that cannot be written only costs probe time.
func (c *ProbeCache) Save() error {
	if c == nil || !c.dirty {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(c.Path), 0o700); err != nil {
		return err
	}
	paths := make([]string, 0, len(c.entries))
	for p := range c.entries {
		if !strings.ContainsAny(p, "\t\n") {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var b strings.Builder
	b.WriteString(cacheHeader + "\n")
	for _, p := range paths {
		e := c.entries[p]
		fmt.Fprintf(&b, "%s\t%d\t%d\t%d\t%d\t%s\t%s\t%d\t%d\t%s\n", p, e.id.Dev, e.id.Ino, e.id.Size, e.id.Mtime,
			e.impl, e.version, e.major, e.minor, e.magic)
	}
	if err := pyc.WriteFile(c.Path, []byte(b.String()), 0o600); err != nil {
		return err
	}
	c.dirty = false
	return nil
}

package warm

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pyc-tools/pyc/pyc"
	"github.com/pyc-tools/pyc/run"
)

func TestKey(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "python3.12")
	os.WriteFile(exe, []byte("x"), 0o755)
	in := &run.Interpreter{Path: exe}
	base := []string{"HOME=/home/u", "LANG=C.UTF-8", "PATH=/usr/bin", "PWD=/a", "PYTHONPATH=/p"}
	k := Key(in, nil, base)
	tests := []struct {
		name  string
		flags []string
		env   []string
		same  bool
	}{
		{"same", nil, base, true},
		{"order of variables", nil, []string{"PYTHONPATH=/p", "PWD=/a", "PATH=/usr/bin", "LANG=C.UTF-8", "HOME=/home/u"}, true},
		{"PWD and PATH do not matter", nil, []string{"HOME=/home/u", "LANG=C.UTF-8", "PATH=/bin", "PWD=/b", "PYTHONPATH=/p", "TERM=xterm"}, true},
		{"PYTHONPATH", nil, []string{"HOME=/home/u", "LANG=C.UTF-8", "PATH=/usr/bin", "PWD=/a", "PYTHONPATH=/q"}, false},
		{"new PYTHON variable", nil, append(base[:len(base):len(base)], "PYTHONHASHSEED=0"), false},
		{"locale", nil, []string{"HOME=/home/u", "LANG=fr_FR.UTF-8", "PATH=/usr/bin", "PWD=/a", "PYTHONPATH=/p"}, false},
		{"LC_ALL", nil, append(base[:len(base):len(base)], "LC_ALL=C"), false},
		{"HOME", nil, []string{"HOME=/root", "LANG=C.UTF-8", "PATH=/usr/bin", "PWD=/a", "PYTHONPATH=/p"}, false},
		{"flags", []string{"-O"}, base, false},
	}
	for _, tt := range tests {
		if have := Key(in, tt.flags, tt.env) == k; have != tt.same {
			t.Errorf("%s: same key %v, want %v", tt.name, have, tt.same)
		}
	}
	other := filepath.Join(dir, "python3.13")
	os.WriteFile(other, []byte("x"), 0o755)
	if Key(&run.Interpreter{Path: other}, nil, base) == k {
		t.Error("another interpreter has the same key")
	}
	if len(k) != len(keyLen) {
		t.Errorf("key %q: length %d, want %d", k, len(k), len(keyLen))
	}
}

func TestDir(t *testing.T) {
	xdg := t.TempDir()
	t.Setenv("XDG_RUNTIME_DIR", xdg)
	d, err := Dir()
	if err != nil {
		t.Fatal(err)
	}
	if d != filepath.Join(xdg, "pyc") {
		t.Errorf("have %s, want %s/pyc", d, xdg)
	}
	st, _ := os.Stat(d)
	if st.Mode().Perm() != 0o700 {
		t.Errorf("mode %v, want 0700", st.Mode().Perm())
	}
	// Loosened permissions are tightened again.
	os.Chmod(d, 0o755)
	if _, err := Dir(); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(d); st.Mode().Perm() != 0o700 {
		t.Errorf("after chmod 755: mode %v, want 0700", st.Mode().Perm())
	}
	// A symbolic link in its place is refused; $XDG_RUNTIME_DIR is then not
	// used, and /tmp/pyc-UID is.
	xdg2 := t.TempDir()
	os.Symlink(t.TempDir(), filepath.Join(xdg2, "pyc"))
	if err := ensureDir(filepath.Join(xdg2, "pyc"), os.Getuid()); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("symlink: have %v, want a refusal", err)
	}
	// Someone else's directory is refused.
	if os.Getuid() == 0 {
		other := filepath.Join(t.TempDir(), "pyc")
		os.Mkdir(other, 0o700)
		os.Chown(other, 12345, 12345)
		if err := ensureDir(other, 0); err == nil || !strings.Contains(err.Error(), "owned by uid 12345") {
			t.Errorf("foreign directory: have %v, want a refusal", err)
		}
	}
}

func TestCheckSocket(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "x.sock")
	os.WriteFile(f, nil, 0o600)
	if err := checkSocket(f); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Errorf("regular file: have %v", err)
	}
	// A socket nobody listens on is stale and gets cleaned up.
	s := filepath.Join(dir, "stale.sock")
	fd, _ := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: s}); err != nil {
		t.Fatal(err)
	}
	syscall.Close(fd)
	if err := checkSocket(s); err != nil {
		t.Fatal(err)
	}
	CleanStale(dir)
	if _, err := os.Lstat(s); !os.IsNotExist(err) {
		t.Errorf("stale socket still there: %v", err)
	}
	if _, err := os.Lstat(f); err != nil {
		t.Errorf("CleanStale removed a file that is not a socket: %v", err)
	}
}

func TestRequest(t *testing.T) {
	v, _ := pyc.ForVersion(pyc.CPython, 3, 12)
	in := &run.Interpreter{Path: "/usr/bin/python3.12", Major: 3, Minor: 12}
	s := &Server{Interpreter: in, Socket: "/nonexistent"}
	stdin, _ := os.Open(os.DevNull)
	defer stdin.Close()
	r := &Run{Target: &run.Target{Path: "a.pyc", Kind: run.PycFile, Version: v}, Args: []string{"x", "y z"},
		Opts:  run.Options{Flags: []string{"-O"}, Env: []string{"A=1", "B=2"}},
		Files: map[int]*os.File{0: stdin, 1: stdin, 2: stdin}, Dir: t.TempDir()}
	payload, fds, closeFDs, err := s.request(r)
	defer closeFDs()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(payload, []byte("PYC3")) {
		t.Fatalf("payload starts %q", payload[:8])
	}
	if n := binary.LittleEndian.Uint32(payload[4:8]); int(n) != len(payload)-8 {
		t.Fatalf("the length says %d bytes, the body has %d", n, len(payload)-8)
	}
	body, env, ok := bytes.Cut(payload[8:], []byte{0, 0})
	if !ok || string(env) != "A=1\x00B=2" {
		t.Fatalf("environment %q (found: %v)", env, ok)
	}
	fields := map[byte][]string{}
	for _, f := range bytes.Split(body, []byte{0}) {
		fields[f[0]] = append(fields[f[0]], string(f[1:]))
	}
	want := map[byte][]string{
		'k': {"pyc"}, 'h': {"16"}, 'a': {"a.pyc", "x", "y z"}, 'o': {"/usr/bin/python3.12", "-O"},
		'f': {"0,1,2,cwd"},
	}
	for tag, w := range want {
		if strings.Join(fields[tag], "|") != strings.Join(w, "|") {
			t.Errorf("field %c: have %q, want %q", tag, fields[tag], w)
		}
	}
	if len(fds) != 4 {
		t.Errorf("%d descriptors, want 4 (stdio and the directory)", len(fds))
	}
	r.Args = []string{"nul\x00byte"}
	if _, _, c, err := s.request(r); err == nil {
		t.Error("an argument with a NUL byte was accepted")
	} else {
		c()
	}
	// Audit logs need 3.8.
	r.Args = nil
	r.Opts.Guard = &run.Guard{Log: "-"}
	in.Minor = 7
	if _, _, c, err := s.request(r); err == nil {
		t.Error("--audit-log accepted for 3.7")
	} else {
		c()
	}
}

// TestRequestGuard checks that a guarded request carries the audit
// guard's code object, built for the server's interpreter.
func TestRequestGuard(t *testing.T) {
	v, _ := pyc.ForVersion(pyc.CPython, 3, 12)
	in := &run.Interpreter{Path: "/usr/bin/python3.12", Impl: pyc.CPython, Major: 3, Minor: 12, Magic: v.Raw}
	s := &Server{Interpreter: in, Socket: "/nonexistent"}
	r := &Run{Target: &run.Target{Path: "a.pyc", Kind: run.PycFile, Version: v}, Dir: t.TempDir(),
		Files: map[int]*os.File{}, Opts: run.Options{Env: []string{}, Guard: &run.Guard{Deny: []run.Rule{{Kind: run.MatchName, Value: "os.system", Label: "os.system"}}}}}
	fields := func() map[byte][]string {
		payload, _, closeFDs, err := s.request(r)
		defer closeFDs()
		if err != nil {
			t.Fatal(err)
		}
		out := map[byte][]string{}
		body, _, _ := bytes.Cut(payload[8:], []byte{0, 0})
		for _, f := range bytes.Split(body, []byte{0}) {
			out[f[0]] = append(out[f[0]], string(f[1:]))
		}
		return out
	}
	want, err := run.GuardCode(in)
	if err != nil {
		t.Fatal(err)
	}
	f := fields()
	if len(f['g']) != 1 || f['g'][0] != hex.EncodeToString(want) {
		t.Errorf("the guard field is %.40q, want the hex of run.GuardCode", f['g'])
	}
	if len(f['d']) != 1 || f['d'][0] != "name\x01os.system\x01os.system" {
		t.Errorf("rules %q", f['d'])
	}
	r.Opts.Guard = nil
	if g := fields()['g']; g != nil {
		t.Errorf("an unguarded request carries a guard: %.40q", g)
	}
}

func TestStatus(t *testing.T) {
	for _, tt := range []struct {
		s    Status
		code int
		str  string
	}{
		{Status{Code: 3}, 3, "exit status 3"},
		{Status{Signal: syscall.SIGINT}, 130, "killed by interrupt"},
	} {
		if tt.s.ExitCode() != tt.code || tt.s.String() != tt.str {
			t.Errorf("%#v: have %d %q, want %d %q", tt.s, tt.s.ExitCode(), tt.s.String(), tt.code, tt.str)
		}
	}
}

// TestInheritableFDs lists the descriptors a child started with exec would
// inherit: the standard ones and one opened without close-on-exec, not one
// opened with it.
func TestInheritableFDs(t *testing.T) {
	keep, err := syscall.Open(os.DevNull, syscall.O_RDONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(keep)
	cloexec, err := syscall.Open(os.DevNull, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(cloexec)
	have := map[int]bool{}
	for _, fd := range inheritableFDs() {
		have[fd] = true
	}
	for _, fd := range []int{0, 1, 2, keep} {
		if !have[fd] {
			t.Errorf("descriptor %d is not listed (have %v)", fd, inheritableFDs())
		}
	}
	if have[cloexec] {
		t.Errorf("close-on-exec descriptor %d is listed", cloexec)
	}
}

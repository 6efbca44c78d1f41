package warm

import (
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/pyc-tools/pyc/run"
)

// maxSocketPath is the room a Unix socket address has for its path
// (sun_path, 108 bytes on Linux, with the terminating NUL).
const maxSocketPath = 107

// Dir returns the per-user directory of warm servers' sockets, creating
// it: $XDG_RUNTIME_DIR/pyc when $XDG_RUNTIME_DIR is a directory of ours,
// /tmp/pyc-UID otherwise. The directory must be ours, a real directory (not
// a symbolic link) and closed to everyone else (0700, which is restored if
// it is looser and ours).
func Dir() (string, error) {
	uid := os.Getuid()
	var dirs []string
	if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" && filepath.IsAbs(x) {
		if owned(x, uid) {
			dirs = append(dirs, filepath.Join(x, "pyc"))
		}
	}
	dirs = append(dirs, filepath.Join(os.TempDir(), fmt.Sprintf("pyc-%d", uid)))
	var err error
	for _, d := range dirs {
		if len(d)+1+len(keyLen)+len(".sock.9999999.tmp") > maxSocketPath {
			err = fmt.Errorf("%s: too long for a Unix socket path", d)
			continue
		}
		if err = ensureDir(d, uid); err == nil {
			return d, nil
		}
	}
	return "", err
}

// keyLen is a placeholder as long as a key, for path-length checks.
const keyLen = "0123456789abcdef01234567"

func owned(path string, uid int) bool {
	var st syscall.Stat_t
	return syscall.Stat(path, &st) == nil && int(st.Uid) == uid && st.Mode&syscall.S_IFMT == syscall.S_IFDIR
}

// ensureDir creates d (0700) or checks that it is a directory of ours that
// nobody else can enter.
func ensureDir(d string, uid int) error {
	if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	var st syscall.Stat_t
	if err := syscall.Lstat(d, &st); err != nil {
		return err
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFDIR {
		return fmt.Errorf("%s: not a directory (a symbolic link?): refusing to use it for warm servers", d)
	}
	if int(st.Uid) != uid {
		return fmt.Errorf("%s: owned by uid %d, not by us (%d): refusing to use it for warm servers", d, st.Uid, uid)
	}
	if st.Mode&0o077 != 0 {
		if err := os.Chmod(d, 0o700); err != nil {
			return fmt.Errorf("%s: open to other users and cannot be closed: %v", d, err)
		}
	}
	return nil
}

// startupEnv reports whether an environment variable can change what an
// interpreter does at start-up (so a server started under one value must
// not serve a client with another): Python's own variables, the locale,
// the home directory (user site-packages), the time zone and the dynamic
// loader's.
func startupEnv(name string) bool {
	switch name {
	case "LANG", "LANGUAGE", "HOME", "TZ":
		return true
	}
	for _, p := range []string{"PYTHON", "LC_", "LD_"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// Key names the server for an interpreter, its options and the start-up
// relevant part of an environment: a hash of the interpreter's path and
// file identity, the options, those variables, and the runner's source.
func Key(in *run.Interpreter, flags []string, env []string) string {
	h := fnv.New128a()
	put := func(parts ...string) {
		for _, p := range parts {
			h.Write([]byte(p))
		}
		h.Write([]byte{0})
	}
	put("pyc-warm/1 ", run.RunnerHash(), " ", in.Path)
	var st syscall.Stat_t
	if syscall.Stat(in.Path, &st) == nil {
		put(strconv.FormatUint(st.Dev, 16), "/", strconv.FormatUint(st.Ino, 16), "/",
			strconv.FormatInt(st.Size, 16), "/", strconv.FormatInt(st.Mtim.Nano(), 16))
	}
	for _, f := range flags {
		put("flag=", f)
	}
	var keep []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if startupEnv(k) {
			keep = append(keep, kv)
		}
	}
	sort.Strings(keep)
	for _, kv := range keep {
		put("env=", kv)
	}
	return hex.EncodeToString(h.Sum(nil))[:len(keyLen)]
}

// checkSocket makes sure path is a socket of ours before we talk to it.
func checkSocket(path string) error {
	var st syscall.Stat_t
	if err := syscall.Lstat(path, &st); err != nil {
		return err
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFSOCK {
		return fmt.Errorf("%s: not a socket", path)
	}
	if int(st.Uid) != os.Getuid() {
		return fmt.Errorf("%s: owned by uid %d, not by us", path, st.Uid)
	}
	return nil
}

package pyc_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// goldenDirs returns testdata/pycs/<X.Y> directories.
func goldenDirs(t *testing.T) []string {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(pytest.RepoRoot(), "testdata", "pycs", "*.*"))
	var out []string
	for _, d := range dirs {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Fatal("no golden data under testdata/pycs")
	}
	return out
}

type goldenHeader struct {
	Flags      uint32 `json:"flags"`
	Length     int    `json:"length"`
	Magic      int    `json:"magic"`
	MagicHex   string `json:"magic_hex"`
	Mtime      uint32 `json:"mtime"`
	SourceSize uint32 `json:"source_size"`
	HashHex    string `json:"hash_hex"`
}

type goldenPyc struct {
	Header        goldenHeader `json:"header"`
	Mode          string       `json:"mode"`
	Source        string       `json:"source"`
	SourceHashHex string       `json:"source_hash_hex"`
}

// TestGoldenPycs reads every pyc the interpreters made: the header fields
// are what the interpreter recorded, the file re-encodes byte for byte, and
// the source hash of its source is the interpreter's.
func TestGoldenPycs(t *testing.T) {
	n := 0
	for _, dir := range goldenDirs(t) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.pyc"))
		for _, p := range files {
			var g goldenPyc
			jb, err := os.ReadFile(p + ".json")
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(jb, &g); err != nil {
				t.Fatalf("%s.json: %v", p, err)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			f, err := pyc.Parse(data, pyc.ParseOptions{Path: p})
			if err != nil {
				t.Errorf("%v", err)
				continue
			}
			v := f.Version()
			h := f.Header
			if int(v.Magic) != g.Header.Magic || v.HeaderSize != g.Header.Length {
				t.Errorf("%s: have magic %d header %d, want %d %d", p, v.Magic, v.HeaderSize, g.Header.Magic, g.Header.Length)
			}
			if h.Flags != g.Header.Flags {
				t.Errorf("%s: flags: have %d, want %d", p, h.Flags, g.Header.Flags)
			}
			if want := map[string]string{"timestamp": "timestamp", "checked-hash": "checked-hash", "unchecked-hash": "unchecked-hash"}[g.Mode]; want != "" && h.Mode().String() != want {
				t.Errorf("%s: mode: have %s, want %s", p, h.Mode(), want)
			}
			if h.Mode() == pyc.Timestamp {
				if h.Mtime != g.Header.Mtime || (v.HeaderSize > 8 && h.SourceSize != g.Header.SourceSize) {
					t.Errorf("%s: mtime/size: have %d/%d, want %d/%d", p, h.Mtime, h.SourceSize, g.Header.Mtime, g.Header.SourceSize)
				}
			} else if hex.EncodeToString(h.Hash[:]) != g.Header.HashHex {
				t.Errorf("%s: hash: have %x, want %s", p, h.Hash, g.Header.HashHex)
			}
			if g.SourceHashHex != "" {
				src, err := os.ReadFile(filepath.Join(pytest.RepoRoot(), g.Source))
				if err != nil {
					t.Fatal(err)
				}
				if sh := v.SourceHash(src); hex.EncodeToString(sh[:]) != g.SourceHashHex {
					t.Errorf("%s: source hash: have %x, want %s", p, sh, g.SourceHashHex)
				}
			}
			out, err := f.Bytes()
			if err != nil || !bytes.Equal(out, data) {
				t.Errorf("%s: re-encode differs (%v)", p, err)
			}
			n++
		}
	}
	t.Logf("%d golden pycs", n)
}

type sourceHashCase struct {
	HashHex string `json:"hash_hex"`
	Hex     string `json:"hex"`
	Len     int    `json:"len"`
	Name    string `json:"name"`
	LCG     *struct {
		A, C, Seed string
	} `json:"lcg"`
}

// TestGoldenSourceHash checks SourceHash against importlib.util.source_hash
// of every interpreter, on inputs from empty to 1 MiB.
func TestGoldenSourceHash(t *testing.T) {
	n := 0
	for _, dir := range goldenDirs(t) {
		jb, err := os.ReadFile(filepath.Join(dir, "sourcehash.json"))
		if os.IsNotExist(err) {
			continue // 2.7 and 3.6 have no source hash
		}
		if err != nil {
			t.Fatal(err)
		}
		var g struct {
			MagicHex string           `json:"magic_hex"`
			Cases    []sourceHashCase `json:"cases"`
		}
		if err := json.Unmarshal(jb, &g); err != nil {
			t.Fatal(err)
		}
		var raw [4]byte
		b, _ := hex.DecodeString(g.MagicHex)
		copy(raw[:], b)
		v, ok := pyc.LookupMagic(raw)
		if !ok {
			t.Fatalf("%s: unknown magic %s", dir, g.MagicHex)
		}
		for _, c := range g.Cases {
			var src []byte
			if c.LCG != nil {
				src = lcgBytes(t, c.LCG.A, c.LCG.C, c.LCG.Seed, c.Len)
			} else {
				src, _ = hex.DecodeString(c.Hex)
			}
			if len(src) != c.Len {
				t.Fatalf("%s %s: have %d bytes, want %d", dir, c.Name, len(src), c.Len)
			}
			if h := v.SourceHash(src); hex.EncodeToString(h[:]) != c.HashHex {
				t.Errorf("%s %s: have %x, want %s", v, c.Name, h, c.HashHex)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no source hash cases")
	}
}

// lcgBytes makes the generator's pseudo-random bytes: state = state*a + c
// (mod 2**64), each byte the top 8 bits of the new state.
func lcgBytes(t *testing.T, a, c, seed string, n int) []byte {
	parse := func(s string) uint64 {
		v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	A, C, state := parse(a), parse(c), parse(seed)
	out := make([]byte, n)
	for i := range out {
		state = state*A + C
		out[i] = byte(state >> 56)
	}
	return out
}

// TestGoldenMarshalBlobs decodes and re-encodes every headerless marshal
// blob that marshal.dumps wrote, for each marshal version.
func TestGoldenMarshalBlobs(t *testing.T) {
	n := 0
	for _, dir := range goldenDirs(t) {
		ver, err := pyc.ParseVersion(filepath.Base(dir))
		if err != nil {
			t.Fatal(err)
		}
		py2 := ver.Major < 3
		blobs, _ := filepath.Glob(filepath.Join(dir, "marshal", "*.marshal"))
		for _, p := range blobs {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			v, used, err := marshal.Unmarshal(data, ver.MarshalOptions())
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			if used != len(data) {
				t.Errorf("%s: used %d of %d bytes", p, used, len(data))
			}
			out, err := marshal.Marshal(v, marshal.EncodeOptions{Version: 4, Python2: py2})
			if err != nil || !bytes.Equal(out, data) {
				t.Errorf("%s: re-encode differs (%v)", p, err)
			}
			n++
		}
	}
	t.Logf("%d marshal blobs", n)
}

package compile

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pyc-tools/pyc/pyc"
)

func version(t *testing.T, xy string) *pyc.Version {
	t.Helper()
	v, err := pyc.ParseVersion(xy)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestPyJoin(t *testing.T) {
	tests := []struct {
		a    string
		rest []string
		want string
	}{
		{"lib", []string{"os.py"}, "lib/os.py"},
		{"lib/", []string{"os.py"}, "lib/os.py"},
		{"./lib", []string{"os.py"}, "./lib/os.py"},
		{"lib//", []string{"os.py"}, "lib//os.py"},
		{"", []string{"os.py"}, "os.py"},
		{"lib", []string{"/abs", "x.py"}, "/abs/x.py"},
		{"a", []string{"", "b"}, "a/b"},
		{"a", []string{""}, "a/"},
	}
	for _, tt := range tests {
		if got := pyJoin(tt.a, tt.rest...); got != tt.want {
			t.Errorf("pyJoin(%q, %q) = %q, want %q", tt.a, tt.rest, got, tt.want)
		}
	}
}

// The recorded names follow compileall 3.13's -d, -s and -p.
func TestRecorded(t *testing.T) {
	tests := []struct {
		name     string
		names    Names
		fullname string
		ddir     string
		want     string
		note     bool
	}{
		{"default", Names{}, "lib/pkg/m.py", "", "lib/pkg/m.py", false},
		{"ddir (extended by the walk)", Names{DDir: "/usr/lib"}, "lib/pkg/m.py", "/usr/lib/pkg", "/usr/lib/pkg/m.py", false},
		{"strip", Names{StripDir: "/build/root"}, "/build/root/usr/m.py", "", "usr/m.py", false},
		{"strip and prepend", Names{StripDir: "/build/root", PrependDir: "/"}, "/build/root/usr/m.py", "", "/usr/m.py", false},
		{"strip not a prefix", Names{StripDir: "/other"}, "/build/m.py", "", "/build/m.py", true},
		{"strip is compared by parts", Names{StripDir: "/bu"}, "/build/m.py", "", "/build/m.py", true},
		{"strip with a trailing slash is not a prefix", Names{StripDir: "/build/"}, "/build/x/m.py", "", "/build/x/m.py", true},
		{"prepend alone", Names{PrependDir: "/opt"}, "lib/m.py", "", "/opt/lib/m.py", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, note := tt.names.recorded(tt.fullname, tt.ddir)
			if got != tt.want || (note != "") != tt.note {
				t.Errorf("have %q (note %q), want %q (note: %v)", got, note, tt.want, tt.note)
			}
		})
	}
	if err := (Names{DDir: "a", StripDir: "b"}).check(); err == nil {
		t.Error("-d with -s: no error")
	}
}

func TestPycPath(t *testing.T) {
	tests := []struct {
		xy, tag  string
		fullname string
		level    int
		legacy   bool
		want     string
	}{
		{"3.11", "cpython-311", "lib/os.py", 0, false, "lib/__pycache__/os.cpython-311.pyc"},
		{"3.11", "cpython-311", "lib/os.py", 2, false, "lib/__pycache__/os.cpython-311.opt-2.pyc"},
		{"3.11", "cpython-311", "os.py", 0, false, "__pycache__/os.cpython-311.pyc"},
		{"3.11", "cpython-311", "./a.b.py", 1, false, "./__pycache__/a.b.cpython-311.opt-1.pyc"},
		{"3.11", "cpython-311", "lib/os.py", 1, true, "lib/os.pyc"},
		{"3.4", "cpython-34", "lib/os.py", 1, false, "lib/__pycache__/os.cpython-34.pyo"},
		{"2.7", "", "lib/os.py", 0, false, "lib/os.pyc"},
		{"2.7", "", "lib/os.py", 2, false, "lib/os.pyo"},
	}
	for _, tt := range tests {
		got := pycPath(version(t, tt.xy), tt.tag, tt.fullname, tt.level, tt.legacy)
		if got != tt.want {
			t.Errorf("pycPath(%s, %q, %d, %v) = %q, want %q", tt.xy, tt.fullname, tt.level, tt.legacy, got, tt.want)
		}
	}
}

func TestCheckLevels(t *testing.T) {
	tests := []struct {
		xy     string
		levels []int
		legacy bool
		ok     bool
	}{
		{"3.11", []int{0, 1, 2}, false, true},
		{"3.11", []int{0, 1}, true, false},
		{"3.11", []int{2}, true, true},
		{"2.7", []int{0, 1}, false, true},
		{"2.7", []int{1, 2}, false, false},
	}
	for _, tt := range tests {
		err := checkLevels(version(t, tt.xy), tt.levels, tt.legacy)
		if (err == nil) != tt.ok {
			t.Errorf("checkLevels(%s, %v, %v): err %v, want ok %v", tt.xy, tt.levels, tt.legacy, err, tt.ok)
		}
	}
}

func TestDefaultMode(t *testing.T) {
	tests := []struct {
		xy   string
		env  []string
		want pyc.Mode
	}{
		{"3.11", nil, pyc.Timestamp},
		{"3.11", []string{"SOURCE_DATE_EPOCH=1"}, pyc.CheckedHash},
		{"3.11", []string{"SOURCE_DATE_EPOCH=1", "SOURCE_DATE_EPOCH="}, pyc.Timestamp},
		{"3.11", []string{"SOURCE_DATE_EPOCH="}, pyc.Timestamp},
		{"3.6", []string{"SOURCE_DATE_EPOCH=1"}, pyc.Timestamp},
		{"2.7", []string{"SOURCE_DATE_EPOCH=1"}, pyc.Timestamp},
	}
	for _, tt := range tests {
		if got := DefaultMode(version(t, tt.xy), tt.env); got != tt.want {
			t.Errorf("DefaultMode(%s, %q) = %v, want %v", tt.xy, tt.env, got, tt.want)
		}
	}
}

func TestHeader(t *testing.T) {
	src := Source{Data: []byte("x = 1\n"), Mtime: 1700000000, Size: 6}
	tests := []struct {
		xy   string
		mode pyc.Mode
		want func(v *pyc.Version) []byte
		err  bool
	}{
		{"3.11", pyc.Timestamp, func(v *pyc.Version) []byte {
			b := append(v.Raw[:], 0, 0, 0, 0)
			b = binary.LittleEndian.AppendUint32(b, 1700000000)
			return binary.LittleEndian.AppendUint32(b, 6)
		}, false},
		{"3.11", pyc.CheckedHash, func(v *pyc.Version) []byte {
			h := v.SourceHash(src.Data)
			return append(append(v.Raw[:], 3, 0, 0, 0), h[:]...)
		}, false},
		{"3.11", pyc.UncheckedHash, func(v *pyc.Version) []byte {
			h := v.SourceHash(src.Data)
			return append(append(v.Raw[:], 1, 0, 0, 0), h[:]...)
		}, false},
		{"3.6", pyc.Timestamp, func(v *pyc.Version) []byte {
			b := binary.LittleEndian.AppendUint32(v.Raw[:], 1700000000)
			return binary.LittleEndian.AppendUint32(b, 6)
		}, false},
		{"2.7", pyc.Timestamp, func(v *pyc.Version) []byte {
			return binary.LittleEndian.AppendUint32(v.Raw[:], 1700000000)
		}, false},
		{"3.6", pyc.CheckedHash, nil, true},
	}
	for _, tt := range tests {
		v := version(t, tt.xy)
		h, err := Header(v, tt.mode, src)
		if tt.err {
			if err == nil {
				t.Errorf("%s %s: no error", tt.xy, tt.mode)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got := h.AppendHeader(nil)
		if want := tt.want(v); string(got) != string(want) {
			t.Errorf("%s %s: have % x, want % x", tt.xy, tt.mode, got, want)
		}
	}
}

// upToDate accepts a pyc only with the interpreter's magic, the mode asked
// for and a source stamp that matches.
func TestUpToDate(t *testing.T) {
	v := version(t, "3.11")
	dir := t.TempDir()
	src := Source{Data: []byte("x = 1\n"), Mtime: 1700000000, Size: 6}
	write := func(name string, h pyc.Header) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, h.AppendHeader(nil), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ts, _ := Header(v, pyc.Timestamp, src)
	ch, _ := Header(v, pyc.CheckedHash, src)
	other, _ := Header(v, pyc.Timestamp, Source{Mtime: 1700000000, Size: 7})
	older, _ := Header(v, pyc.Timestamp, Source{Mtime: 1600000000, Size: 6})
	foreign := ts
	v12 := version(t, "3.12")
	foreign.Magic, foreign.Version = v12.Raw, v12
	tr := &tree{c: &Compiler{interp: &Interpreter{Version: v}}}
	tests := []struct {
		name string
		h    pyc.Header
		mode pyc.Mode
		want bool
	}{
		{"timestamp match", ts, pyc.Timestamp, true},
		{"size differs", other, pyc.Timestamp, false},
		{"mtime differs", older, pyc.Timestamp, false},
		{"other magic", foreign, pyc.Timestamp, false},
		{"hash match", ch, pyc.CheckedHash, true},
		{"mode differs", ch, pyc.Timestamp, false},
		{"timestamp pyc, hash wanted", ts, pyc.UncheckedHash, false},
	}
	for i, tt := range tests {
		p := write("p"+string(rune('a'+i))+".pyc", tt.h)
		tr.opts.Mode = tt.mode
		if got, exist := tr.upToDate([]string{p}, src); got != tt.want || !exist {
			t.Errorf("%s: upToDate = %v, want %v", tt.name, got, tt.want)
		}
	}
	if fresh, exist := tr.upToDate([]string{filepath.Join(dir, "missing.pyc")}, src); fresh || exist {
		t.Errorf("a missing pyc: fresh %v, exists %v", fresh, exist)
	}
}

func TestSplitFields(t *testing.T) {
	good := []byte{2, 0, 0, 0, 1, 0, 0, 0, 'a', 0, 0, 0, 0}
	fs, err := splitFields(good)
	if err != nil || len(fs) != 2 || string(fs[0]) != "a" || len(fs[1]) != 0 {
		t.Errorf("have %q, %v", fs, err)
	}
	for _, bad := range [][]byte{
		{1, 0, 0},
		{1, 0, 0, 0, 5, 0, 0, 0, 'a'},
		{0xff, 0xff, 0xff, 0x7f},
	} {
		if _, err := splitFields(bad); err == nil {
			t.Errorf("% x: no error", bad)
		}
	}
	w := warningsOf([][]byte{[]byte("SyntaxWarning\x004\x00invalid escape sequence '\\d'"), []byte("junk")})
	if len(w) != 1 || w[0].Line != 4 || w[0].Category != "SyntaxWarning" {
		t.Errorf("warnings: %+v", w)
	}
}

func TestSourceMtimeFeedsHeader(t *testing.T) {
	// A nanosecond part within 1e-7 s of the next second rounds up in
	// CPython's float st_mtime; the header records the rounded value.
	m := pyc.SourceMtime(time.Unix(1700000000, 999999990))
	if m != 1700000001 {
		t.Errorf("SourceMtime = %d, want 1700000001", m)
	}
}

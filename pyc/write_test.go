package pyc_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pyc-tools/pyc/pyc"
)

// SourceMtime agrees with int(os.stat(p).st_mtime) in CPython, which sums
// seconds and nanoseconds as a float before truncating.
func TestSourceMtime(t *testing.T) {
	tests := []struct {
		sec, nsec int64
		want      int64
	}{
		{1700000000, 0, 1700000000},
		{1700000000, 500000000, 1700000000},
		{1700000000, 999999880, 1700000000},
		{1700000000, 999999990, 1700000001}, // rounds up as a float
		{0, 0, 0},
		{-2, 500000000, -1}, // int() truncates toward zero
	}
	for _, tt := range tests {
		if got := pyc.SourceMtime(time.Unix(tt.sec, tt.nsec)); got != tt.want {
			t.Errorf("SourceMtime(%d.%09d) = %d, want %d", tt.sec, tt.nsec, got, tt.want)
		}
	}
}

func TestParseHeader(t *testing.T) {
	v311, _ := pyc.ParseVersion("3.11")
	good := append(v311.Raw[:], 1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8)
	h, err := pyc.ParseHeader(good, nil)
	if err != nil || h.Version != v311 || h.Mode() != pyc.UncheckedHash || h.Hash != [8]byte{1, 2, 3, 4, 5, 6, 7, 8} {
		t.Errorf("have %+v, %v", h, err)
	}
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"short", good[:10], pyc.ErrShortHeader},
		{"magic only", good[:3], pyc.ErrShortHeader},
		{"bad magic", append([]byte{0, 0, 0, 0}, good[4:]...), pyc.ErrBadMagic},
		{"bad flags", append(v311.Raw[:], append([]byte{4, 0, 0, 0}, good[8:]...)...), pyc.ErrBadFlags},
	}
	for _, tt := range tests {
		if _, err := pyc.ParseHeader(tt.b, nil); !errors.Is(err, tt.want) {
			t.Errorf("%s: have %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestWriteFileWith(t *testing.T) {
	dir := t.TempDir()
	for _, noSync := range []bool{false, true} {
		p := filepath.Join(dir, "x.pyc")
		if err := pyc.WriteFileWith(p, []byte("data"), pyc.WriteOptions{Perm: 0o640, NoSync: noSync}); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm() != 0o640 || st.Size() != 4 {
			t.Errorf("NoSync %v: have %v, %v", noSync, st.Mode(), err)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("temporary files left: %d entries", len(ents))
	}
}

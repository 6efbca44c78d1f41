package pyc

import (
	"encoding/hex"
	"testing"
)

// Values printed by importlib.util.source_hash of each interpreter.
func TestSourceHashKnown(t *testing.T) {
	tests := []struct {
		major, minor int
		magic        string
		src          string
		want         string
	}{
		{3, 7, "420d0d0a", "", "85ee0caabd83b6a7"},
		{3, 7, "420d0d0a", "hello world, this is a test", "5abe3f329fe0ff94"},
		{3, 10, "6f0d0d0a", "", "8cc0cd2525e7fd27"},
		{3, 10, "6f0d0d0a", "hello world, this is a test", "b0ac92bc9ab88933"},
		{3, 11, "a70d0d0a", "", "738d9cd5d5e87f73"},
		{3, 11, "a70d0d0a", "hello world, this is a test", "94162804c74b0e37"},
		{3, 13, "f30d0d0a", "", "27ec6d312f93b814"},
		{3, 13, "f30d0d0a", "hello world, this is a test", "d7ff31e54c888cad"},
	}
	for _, tt := range tests {
		v := &Version{Impl: CPython, Major: tt.major, Minor: tt.minor, HeaderSize: 16}
		raw, _ := hex.DecodeString(tt.magic)
		copy(v.Raw[:], raw)
		h := v.SourceHash([]byte(tt.src))
		if have := hex.EncodeToString(h[:]); have != tt.want {
			t.Errorf("%d.%d source_hash(%q): have %s, want %s", tt.major, tt.minor, tt.src, have, tt.want)
		}
	}
}

package marshal_test

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/pyc-tools/pyc/marshal"
)

// Each case is a stream as some CPython process might write it and the
// canonical stream Canonicalize must turn it into.
func TestCanonicalize(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		version int
		py2     bool
	}{
		{
			name:    "unshared flagged string loses its flag",
			in:      "29 02 da 01 61 e9 07 00 00 00", // ('a', 7), both flagged
			want:    "29 02 5a 01 61 69 07 00 00 00",
			version: 4,
		},
		{
			name:    "shared string keeps one flag and the back-reference",
			in:      "29 02 da 01 61 72 00 00 00 00",
			want:    "29 02 da 01 61 72 00 00 00 00",
			version: 4,
		},
		{
			name: "reference indexes are renumbered",
			// (1 flagged, unused; 'x' flagged, used): the ref to 'x' was 1, becomes 0
			in:      "29 03 e9 01 00 00 00 da 01 78 72 01 00 00 00",
			want:    "29 03 69 01 00 00 00 da 01 78 72 00 00 00 00",
			version: 4,
		},
		{
			name: "a container flagged and referred to keeps its flag",
			// ((1,), r0) where the outer tuple's flag is noise
			in:      "a9 02 a9 01 69 01 00 00 00 72 01 00 00 00",
			want:    "29 02 a9 01 69 01 00 00 00 72 00 00 00 00",
			version: 4,
		},
		{
			name: "equal strings become one object",
			// ('a.b' not interned, 'a.b' interned): one interned object, referred back to
			in:      "29 02 7a 03 61 2e 62 da 03 61 2e 62",
			want:    "29 02 da 03 61 2e 62 72 00 00 00 00",
			version: 4,
		},
		{
			name: "equal strings not interned stay not interned",
			in:   "29 02 7a 03 78 2e 79 7a 03 78 2e 79",
			want: "29 02 fa 03 78 2e 79 72 00 00 00 00",
			// one object, flagged because it is met twice
			version: 4,
		},
		{
			name: "frozenset items are sorted by their encoding",
			// frozenset({'b', 'a'}) with flags from refcounts
			in:      "be 02 00 00 00 da 01 62 5a 01 61",
			want:    "3e 02 00 00 00 5a 01 61 5a 01 62",
			version: 4,
		},
		{
			name: "one-character strings are interned by the compiler's rule",
			// ('{' interned, 'x' not interned, '' not interned, 'ab{' interned)
			in:      "29 04 da 01 7b 7a 01 78 7a 00 da 03 61 62 7b",
			want:    "29 04 7a 01 7b 5a 01 78 5a 00 5a 03 61 62 7b",
			version: 4,
		},
		{
			name: "a Latin-1 character is a singleton too",
			// ('é' as 't' interned, v3 stream) -> not a name character: 'u'
			in:      "29 01 74 02 00 00 00 c3 a9",
			want:    "29 01 75 02 00 00 00 c3 a9",
			version: 3,
		},
		{
			name:    "flagged singleton loses its flag",
			in:      "29 01 ce",
			want:    "29 01 4e",
			version: 4,
		},
		{
			name:    "marshal version 2 gets no flags",
			in:      "28 02 00 00 00 74 01 00 00 00 61 52 00 00 00 00",
			want:    "28 02 00 00 00 74 01 00 00 00 61 52 00 00 00 00",
			version: 2,
			py2:     true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := unhex(t, tt.in)
			want := unhex(t, tt.want)
			v, _, err := marshal.Unmarshal(in, marshal.Options{Python2: tt.py2})
			if err != nil {
				t.Fatal(err)
			}
			opts := marshal.EncodeOptions{Version: tt.version, Python2: tt.py2}
			v = marshal.Canonicalize(v, opts)
			got, err := marshal.Marshal(v, opts)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("have % x\nwant % x", got, want)
			}
			// Canonical streams are a fixed point.
			v2, _, err := marshal.Unmarshal(got, marshal.Options{Python2: tt.py2})
			if err != nil {
				t.Fatal(err)
			}
			again, err := marshal.Marshal(marshal.Canonicalize(v2, opts), opts)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, got) {
				t.Errorf("not a fixed point:\nonce  % x\ntwice % x", got, again)
			}
		})
	}
}

// Streams that differ only in the choices Canonicalize rewrites give the
// same canonical bytes.
func TestCanonicalizeAgrees(t *testing.T) {
	variants := []string{
		"29 03 da 01 61 72 00 00 00 00 e9 05 00 00 00",
		"a9 03 da 01 61 72 01 00 00 00 69 05 00 00 00",
		"29 03 da 01 61 5a 01 61 e9 05 00 00 00",
	}
	var first []byte
	for i, h := range variants {
		b, _ := hex.DecodeString(stripSpaces(h))
		v, _, err := marshal.Unmarshal(b, marshal.Options{})
		if err != nil {
			t.Fatalf("variant %d: %v", i, err)
		}
		opts := marshal.EncodeOptions{Version: 4}
		got, err := marshal.Marshal(marshal.Canonicalize(v, opts), opts)
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = got
		} else if !bytes.Equal(got, first) {
			t.Errorf("variant %d: have % x, want % x", i, got, first)
		}
	}
}

func stripSpaces(s string) string { return string(bytes.ReplaceAll([]byte(s), []byte(" "), nil)) }

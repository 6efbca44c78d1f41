package pyc

import (
	"encoding/binary"
	"math/bits"
)

// SourceHash returns the source hash that the version's
// importlib.util.source_hash computes for source: a keyed SipHash of the
// source bytes whose key is the version's magic number (the four raw bytes
// read as a little-endian integer), written as 8 little-endian bytes.
// CPython 3.7 to 3.10 use SipHash-2-4; 3.11 and later use SipHash-1-3.
func (v *Version) SourceHash(source []byte) [8]byte {
	key := uint64(binary.LittleEndian.Uint32(v.Raw[:]))
	c, d := 2, 4
	if v.Impl == CPython && v.AtLeast(3, 11) {
		c, d = 1, 3
	}
	var out [8]byte
	binary.LittleEndian.PutUint64(out[:], sipHash(c, d, key, 0, source))
	return out
}

// sipHash computes SipHash-c-d with the 128-bit key k0, k1.
func sipHash(c, d int, k0, k1 uint64, b []byte) uint64 {
	v0 := k0 ^ 0x736f6d6570736575
	v1 := k1 ^ 0x646f72616e646f6d
	v2 := k0 ^ 0x6c7967656e657261
	v3 := k1 ^ 0x7465646279746573
	round := func() {
		v0 += v1
		v1 = bits.RotateLeft64(v1, 13)
		v1 ^= v0
		v0 = bits.RotateLeft64(v0, 32)
		v2 += v3
		v3 = bits.RotateLeft64(v3, 16)
		v3 ^= v2
		v0 += v3
		v3 = bits.RotateLeft64(v3, 21)
		v3 ^= v0
		v2 += v1
		v1 = bits.RotateLeft64(v1, 17)
		v1 ^= v2
		v2 = bits.RotateLeft64(v2, 32)
	}
	n := len(b)
	for len(b) >= 8 {
		m := binary.LittleEndian.Uint64(b)
		v3 ^= m
		for i := 0; i < c; i++ {
			round()
		}
		v0 ^= m
		b = b[8:]
	}
	var last [8]byte
	copy(last[:], b)
	last[7] = byte(n)
	m := binary.LittleEndian.Uint64(last[:])
	v3 ^= m
	for i := 0; i < c; i++ {
		round()
	}
	v0 ^= m
	v2 ^= 0xff
	for i := 0; i < d; i++ {
		round()
	}
	return v0 ^ v1 ^ v2 ^ v3
}

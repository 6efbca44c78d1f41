package pyc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Errors wrapped in a *FormatError; test for them with errors.Is.
var (
	// ErrBadMagic: the first four bytes are no known magic number.
	ErrBadMagic = errors.New("pyc: unknown magic number")
	// ErrShortHeader: the file ends inside its header.
	ErrShortHeader = errors.New("pyc: truncated header")
	// ErrBadFlags: a PEP 552 flags word with bits other than the two defined.
	ErrBadFlags = errors.New("pyc: invalid flags")
)

// Mode is a pyc's invalidation mode (PEP 552).
type Mode uint8

// The invalidation modes.
const (
	// Timestamp: the header holds the source's mtime (and size, 3.3+).
	Timestamp Mode = iota
	// CheckedHash: the header holds the source hash, checked at import.
	CheckedHash
	// UncheckedHash: the header holds the source hash, never checked.
	UncheckedHash
)

// String returns "timestamp", "checked-hash" or "unchecked-hash", the names
// py_compile and compileall use.
func (m Mode) String() string {
	switch m {
	case Timestamp:
		return "timestamp"
	case CheckedHash:
		return "checked-hash"
	case UncheckedHash:
		return "unchecked-hash"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// ParseMode accepts the names String returns.
func ParseMode(s string) (Mode, error) {
	switch s {
	case "timestamp":
		return Timestamp, nil
	case "checked-hash", "checked":
		return CheckedHash, nil
	case "unchecked-hash", "unchecked":
		return UncheckedHash, nil
	}
	return 0, fmt.Errorf("unknown invalidation mode %q (want timestamp, checked-hash or unchecked-hash)", s)
}

// PEP 552 flag bits.
const (
	FlagHashBased   = 1 << 0 // the header holds a source hash
	FlagCheckSource = 1 << 1 // with FlagHashBased: check the hash at import
)

// Header is the fixed-size start of a pyc file. Its layout depends on the
// version: 8 bytes (magic, mtime) up to 3.2, 12 bytes (magic, mtime, source
// size) for 3.3 to 3.6, and 16 bytes (magic, flags, then mtime and source
// size or an 8-byte source hash) from 3.7 on.
type Header struct {
	// Magic is the file's first four bytes.
	Magic [4]byte
	// Version is what the magic says (or what an override said).
	Version *Version
	// Flags is the PEP 552 flags word (16-byte headers only).
	Flags uint32
	// Mtime is the source's modification time, in seconds (timestamp mode).
	Mtime uint32
	// SourceSize is the source's size in bytes, modulo 2**32 (timestamp
	// mode, 12- and 16-byte headers).
	SourceSize uint32
	// Hash is the source hash (hash-based modes).
	Hash [8]byte
}

// Size returns the header's length in bytes.
func (h *Header) Size() int {
	if h.Version == nil {
		return 0
	}
	return h.Version.HeaderSize
}

// Mode returns the invalidation mode the flags select.
func (h *Header) Mode() Mode {
	switch {
	case h.Flags&FlagHashBased == 0:
		return Timestamp
	case h.Flags&FlagCheckSource != 0:
		return CheckedHash
	}
	return UncheckedHash
}

// SetMode sets the flags for a mode. Hash-based modes need a 16-byte header.
func (h *Header) SetMode(m Mode) error {
	if m != Timestamp && (h.Version == nil || h.Version.HeaderSize < 16) {
		return fmt.Errorf("pyc: %s needs Python 3.7 or later", m)
	}
	switch m {
	case Timestamp:
		h.Flags = 0
	case CheckedHash:
		h.Flags = FlagHashBased | FlagCheckSource
	case UncheckedHash:
		h.Flags = FlagHashBased
	}
	return nil
}

// MtimeTime returns Mtime as a time.
func (h *Header) MtimeTime() time.Time { return time.Unix(int64(h.Mtime), 0).UTC() }

// parseHeader reads a header of v's layout from b, which holds at least
// v.HeaderSize bytes.
func parseHeader(b []byte, v *Version) Header {
	var h Header
	copy(h.Magic[:], b)
	h.Version = v
	switch v.HeaderSize {
	case 8:
		h.Mtime = binary.LittleEndian.Uint32(b[4:])
	case 12:
		h.Mtime = binary.LittleEndian.Uint32(b[4:])
		h.SourceSize = binary.LittleEndian.Uint32(b[8:])
	default:
		h.Flags = binary.LittleEndian.Uint32(b[4:])
		if h.Flags&FlagHashBased != 0 {
			copy(h.Hash[:], b[8:16])
		} else {
			h.Mtime = binary.LittleEndian.Uint32(b[8:])
			h.SourceSize = binary.LittleEndian.Uint32(b[12:])
		}
	}
	return h
}

// AppendHeader appends the header's bytes to buf.
func (h *Header) AppendHeader(buf []byte) []byte {
	buf = append(buf, h.Magic[:]...)
	switch h.Size() {
	case 8:
		buf = binary.LittleEndian.AppendUint32(buf, h.Mtime)
	case 12:
		buf = binary.LittleEndian.AppendUint32(buf, h.Mtime)
		buf = binary.LittleEndian.AppendUint32(buf, h.SourceSize)
	case 16:
		buf = binary.LittleEndian.AppendUint32(buf, h.Flags)
		if h.Flags&FlagHashBased != 0 {
			buf = append(buf, h.Hash[:]...)
		} else {
			buf = binary.LittleEndian.AppendUint32(buf, h.Mtime)
			buf = binary.LittleEndian.AppendUint32(buf, h.SourceSize)
		}
	}
	return buf
}

// ParseHeader reads the header at the start of b: of the version its magic
// names, or of v when v is not nil. It does not look past the header.
func ParseHeader(b []byte, v *Version) (Header, error) {
	if len(b) < 4 {
		return Header{}, &FormatError{Offset: int64(len(b)), Err: ErrShortHeader}
	}
	if v == nil {
		var raw [4]byte
		copy(raw[:], b)
		known, ok := LookupMagic(raw)
		if !ok {
			return Header{}, &FormatError{Err: badMagicError(raw)}
		}
		v = known
	}
	if len(b) < v.HeaderSize {
		return Header{}, &FormatError{Offset: int64(len(b)), Err: ErrShortHeader}
	}
	h := parseHeader(b, v)
	if v.HeaderSize == 16 && h.Flags&^3 != 0 {
		return Header{}, &FormatError{Offset: 4, Err: fmt.Errorf("%w: 0x%x", ErrBadFlags, h.Flags)}
	}
	return h, nil
}

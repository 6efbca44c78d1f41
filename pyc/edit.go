package pyc

import (
	"errors"
	"fmt"
)

// HeaderEdit says how to change a pyc's header. Fields left nil keep what
// the header has.
type HeaderEdit struct {
	// Version, when set, writes that version's magic number. Its files
	// must have the same code-object layout and marshal format as the
	// input's (the header size may differ: 3.6 to 3.7).
	Version *Version
	// Headerless reads the input as a bare marshal stream, as PyInstaller
	// stores modules; Version is then required, and the result gets a
	// header of its own (timestamp mode, mtime and size 0 unless given).
	Headerless bool
	// Mode changes the invalidation mode (3.7+ for the hash-based ones).
	Mode *Mode
	// Source is the source file's contents: its hash goes into a
	// hash-based header.
	Source []byte
	// Mtime and SourceSize go into a timestamp header.
	Mtime, SourceSize *uint32
}

// EditHeader returns a pyc with data's marshal stream, byte for byte, and
// its header changed as e says. The stream is decoded first, to check that
// it is one the version reads.
func EditHeader(data []byte, e HeaderEdit) ([]byte, error) {
	var h Header
	var body []byte
	old := (*Version)(nil)
	if e.Headerless {
		if e.Version == nil {
			return nil, errors.New("pyc: a headerless stream needs a Python version")
		}
		if _, err := Parse(data, ParseOptions{Headerless: true, Version: e.Version}); err != nil {
			return nil, err
		}
		body = data
		h = Header{Magic: e.Version.Raw, Version: e.Version}
	} else {
		f, err := Parse(data, ParseOptions{})
		if err != nil {
			return nil, err
		}
		h, old = f.Header, f.Version()
		body = data[old.HeaderSize:]
		if e.Version != nil {
			if e.Version.Layout != old.Layout || e.Version.MarshalVersion != old.MarshalVersion {
				return nil, fmt.Errorf("pyc: %s files are not laid out as %s files (code layout %s, marshal %d; have %s, %d)",
					e.Version, old, e.Version.Layout, e.Version.MarshalVersion, old.Layout, old.MarshalVersion)
			}
			h.Magic, h.Version = e.Version.Raw, e.Version
			if e.Version.HeaderSize < 16 {
				if h.Flags&FlagHashBased != 0 {
					return nil, fmt.Errorf("pyc: %s has no hash-based pycs; set the timestamp mode too", e.Version)
				}
				h.Flags = 0
			}
		}
	}
	mode := h.Mode()
	if e.Mode != nil {
		mode = *e.Mode
	}
	switch mode {
	case Timestamp:
		if h.Mode() != Timestamp {
			h.Mtime, h.SourceSize = 0, 0
			h.Hash = [8]byte{}
		}
		if e.Mtime != nil {
			h.Mtime = *e.Mtime
		}
		if e.SourceSize != nil {
			h.SourceSize = *e.SourceSize
		}
	default:
		switch {
		case e.Source != nil:
			h.Hash = h.Version.SourceHash(e.Source)
		case h.Mode() == Timestamp:
			return nil, fmt.Errorf("pyc: the %s mode needs the source, to hash it", mode)
		}
		h.Mtime, h.SourceSize = 0, 0
	}
	if err := h.SetMode(mode); err != nil {
		return nil, err
	}
	out := h.AppendHeader(make([]byte, 0, h.Size()+len(body)))
	return append(out, body...), nil
}

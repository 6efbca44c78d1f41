// Package inspect describes pyc files for people and programs: the summary
// that `pyc info` prints and the lossless object tree that `pyc dump`
// prints, both as plain Go values ready for encoding/json.
package inspect

import (
	"encoding/hex"
	"time"

	"github.com/pyc-tools/pyc/marshal"
	"github.com/pyc-tools/pyc/pyc"
)

// Info is the summary of one pyc. Its JSON form is the output of
// `pyc info --json`; the field names are stable.
type Info struct {
	File           string  `json:"file"`
	Size           int     `json:"size"`
	Magic          int     `json:"magic"`
	MagicHex       string  `json:"magic_hex"`
	Implementation string  `json:"implementation"`
	Version        string  `json:"version"`
	Release        string  `json:"release,omitempty"`
	Headerless     bool    `json:"headerless,omitempty"`
	HeaderSize     int     `json:"header_size"`
	Mode           string  `json:"mode"`
	Flags          *uint32 `json:"flags,omitempty"`
	Mtime          *uint32 `json:"mtime,omitempty"`
	MtimeISO       string  `json:"mtime_iso,omitempty"`
	SourceSize     *uint32 `json:"source_size,omitempty"`
	Hash           string  `json:"hash,omitempty"`
	MarshalVersion int     `json:"marshal_version"`
	Layout         string  `json:"code_layout"`
	TopType        string  `json:"top_type,omitempty"`
	CodeFilename   string  `json:"code_filename,omitempty"`
	CodeName       string  `json:"code_name,omitempty"`
	TrailingBytes  int     `json:"trailing_bytes,omitempty"`
	Error          string  `json:"error,omitempty"`
}

// FileInfo summarises a parsed file. When err is not nil (the file could
// not be read), the Info carries only the name and the error.
func FileInfo(name string, f *pyc.File, err error) *Info {
	in := &Info{File: name}
	if err != nil {
		in.Error = err.Error()
		return in
	}
	v := f.Version()
	h := &f.Header
	in.Size = f.Size
	in.Implementation = v.Impl.String()
	in.Version = v.XY()
	in.Release = v.Release
	in.MarshalVersion = v.MarshalVersion
	in.Layout = v.Layout.String()
	in.TopType = marshal.KindName(f.Code)
	in.TrailingBytes = len(f.Trailing)
	if c := f.TopCode(); c != nil {
		in.CodeFilename = c.FilenameString()
		in.CodeName = c.NameString()
	}
	if f.Headerless {
		in.Headerless = true
		in.Magic = int(v.Magic)
		in.MagicHex = hex.EncodeToString(v.Raw[:])
		in.Mode = "none"
		return in
	}
	in.Magic = int(uint16(h.Magic[0]) | uint16(h.Magic[1])<<8)
	in.MagicHex = hex.EncodeToString(h.Magic[:])
	in.HeaderSize = v.HeaderSize
	in.Mode = h.Mode().String()
	if v.HeaderSize == 16 {
		flags := h.Flags
		in.Flags = &flags
	}
	if h.Mode() == pyc.Timestamp {
		mt := h.Mtime
		in.Mtime = &mt
		in.MtimeISO = h.MtimeTime().Format(time.RFC3339)
		if v.HeaderSize >= 12 {
			ss := h.SourceSize
			in.SourceSize = &ss
		}
	} else {
		in.Hash = hex.EncodeToString(h.Hash[:])
	}
	return in
}

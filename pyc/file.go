package pyc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"github.com/pyc-tools/pyc/internal/atomicfile"
	"github.com/pyc-tools/pyc/marshal"
)

// FormatError is the error for a file that cannot be read as a pyc: which
// file, where, and why. Marshal errors inside it keep their own type: use
// errors.As to reach the *marshal.DecodeError.
type FormatError struct {
	// Path is the file name, when known.
	Path string
	// Offset is the byte offset in the file.
	Offset int64
	// Err is ErrBadMagic, ErrShortHeader, ErrBadFlags or a marshal error.
	Err error
}

func (e *FormatError) Error() string {
	p := ""
	if e.Path != "" {
		p = e.Path + ": "
	}
	var de *marshal.DecodeError
	if errors.As(e.Err, &de) {
		// The marshal error carries its own offset (relative to the
		// stream); report the file offset instead.
		msg := de.Err.Error()
		if de.Field != "" {
			msg = "in " + de.Field + ": " + msg
		}
		if de.Code != 0 {
			msg = fmt.Sprintf("type %s: %s", typeCodeName(de.Code), msg)
		}
		if de.Detail != "" {
			msg += ": " + de.Detail
		}
		return fmt.Sprintf("%soffset %d: %s", p, e.Offset, msg)
	}
	return fmt.Sprintf("%soffset %d: %v", p, e.Offset, e.Err)
}

// Unwrap returns the cause.
func (e *FormatError) Unwrap() error { return e.Err }

func typeCodeName(c byte) string {
	flag := ""
	if c&0x80 != 0 {
		flag = "|FLAG_REF"
		c &^= 0x80
	}
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("'%c'%s", c, flag)
	}
	return fmt.Sprintf("0x%02x%s", c, flag)
}

// CodeError is an error about one code object of a file found after
// decoding, by a disassembler or printer: the code object (whose Offset
// locates it) and what is wrong. File.Locate turns it into a *FormatError
// that names the file offset.
type CodeError struct {
	Code *marshal.Code
	Err  error
}

func (e *CodeError) Error() string {
	return fmt.Sprintf("code object %s: %v", e.Code.QualNameString(), e.Err)
}

// Unwrap returns the cause.
func (e *CodeError) Unwrap() error { return e.Err }

// BodyOffset returns the file offset of the marshal stream: the header's
// size, or 0 for headerless input.
func (f *File) BodyOffset() int64 {
	if f.Headerless || f.Header.Version == nil {
		return 0
	}
	return int64(f.Header.Version.HeaderSize)
}

// Locate returns err as a *FormatError naming path and the file offset of
// what it is about: for a *CodeError its code object, for any other error
// the top-level object. A *FormatError and nil are returned as they are.
func (f *File) Locate(path string, err error) error {
	if err == nil {
		return nil
	}
	var fe *FormatError
	if errors.As(err, &fe) {
		return err
	}
	off := f.BodyOffset()
	var ce *CodeError
	if errors.As(err, &ce) {
		off += ce.Code.Offset
	}
	return &FormatError{Path: path, Offset: off, Err: err}
}

// File is a parsed pyc: header, the top-level object (a *marshal.Code in
// every CPython and PyPy pyc; a *marshal.GraalCode or *marshal.RustCode for
// GraalPy and RustPython) and any bytes after it.
type File struct {
	// Header is the header; for headerless input only its Version is set.
	Header Header
	// Headerless reports input that was a bare marshal stream.
	Headerless bool
	// Code is the top-level object.
	Code marshal.Value
	// Trailing holds bytes after the top-level object (none in real pycs).
	Trailing []byte
	// Size is the input's length in bytes.
	Size int
}

// Version returns the version the file was read as.
func (f *File) Version() *Version { return f.Header.Version }

// TopCode returns the top-level CPython code object, or nil when the file
// holds something else (another implementation's code object, or a bare
// value in a headerless stream).
func (f *File) TopCode() *marshal.Code {
	c, _ := f.Code.(*marshal.Code)
	return c
}

// ParseOptions adjust parsing.
type ParseOptions struct {
	// Version, when set, is used instead of the version the magic names
	// (for forged or unknown magics, and for headerless input).
	Version *Version
	// Headerless reads data as a bare marshal stream; Version is required.
	Headerless bool
	// Path names the file in errors.
	Path string
}

// Parse reads a whole pyc from data. The result refers to data (strings and
// code bytes are sub-slices), which must not change while it is in use.
func Parse(data []byte, opts ParseOptions) (*File, error) {
	ferr := func(off int, err error) error {
		return &FormatError{Path: opts.Path, Offset: int64(off), Err: err}
	}
	f := &File{Size: len(data)}
	v := opts.Version
	body := 0
	if opts.Headerless {
		if v == nil {
			return nil, ferr(0, errors.New("headerless input needs a Python version (--python-version)"))
		}
		f.Headerless = true
		f.Header.Version = v
	} else {
		if len(data) < 4 {
			return nil, ferr(len(data), fmt.Errorf("%w: %d bytes, a magic number needs 4", ErrShortHeader, len(data)))
		}
		var raw [4]byte
		copy(raw[:], data)
		if v == nil {
			known, ok := LookupMagic(raw)
			if !ok {
				return nil, ferr(0, badMagicError(raw))
			}
			v = known
		}
		if len(data) < v.HeaderSize {
			return nil, ferr(len(data), fmt.Errorf("%w: %d bytes, a %s header needs %d", ErrShortHeader, len(data), v.XY(), v.HeaderSize))
		}
		f.Header = parseHeader(data, v)
		if v.HeaderSize == 16 && f.Header.Flags&^3 != 0 {
			return nil, ferr(4, fmt.Errorf("%w: 0x%x", ErrBadFlags, f.Header.Flags))
		}
		body = v.HeaderSize
	}
	val, n, err := marshal.Unmarshal(data[body:], v.MarshalOptions())
	if err != nil {
		off := body
		var de *marshal.DecodeError
		if errors.As(err, &de) {
			off += int(de.Offset)
		}
		return nil, ferr(off, err)
	}
	f.Code = val
	if body+n < len(data) {
		f.Trailing = data[body+n:]
	}
	return f, nil
}

// badMagicError names the four bytes and the nearest known versions.
func badMagicError(raw [4]byte) error {
	m := binary.LittleEndian.Uint16(raw[:])
	msg := fmt.Sprintf("%s % x (%d)", ErrBadMagic, raw[:], m)
	if raw[2] != '\r' || raw[3] != '\n' {
		msg += ", not followed by \\r\\n"
	}
	near := NearestMagics(raw)
	if len(near) > 0 {
		msg += "; nearest known:"
		for i, v := range near {
			if i > 0 {
				msg += ","
			}
			msg += fmt.Sprintf(" %s %s (%d)", v.Impl, v.Release, v.Magic)
		}
	}
	msg += "; to read it anyway give the version (--python-version X.Y)"
	return &magicError{msg: msg}
}

type magicError struct{ msg string }

func (e *magicError) Error() string { return e.msg }
func (e *magicError) Unwrap() error { return ErrBadMagic }

// MarshalOptions returns the decoding options for the version's marshal
// streams.
func (v *Version) MarshalOptions() marshal.Options {
	return marshal.Options{Layout: v.Layout, Python2: v.Major < 3, CheckVersion: true, Version: v.MarshalVersion}
}

// EncodeOptions returns the encoding options for the version's marshal
// streams.
func (v *Version) EncodeOptions() marshal.EncodeOptions {
	return marshal.EncodeOptions{Version: v.MarshalVersion, Python2: v.Major < 3}
}

// Open reads and parses the named file.
func Open(name string) (*File, error) {
	return OpenWith(name, ParseOptions{})
}

// OpenWith reads and parses the named file with options.
func OpenWith(name string, opts ParseOptions) (*File, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	opts.Path = name
	return Parse(data, opts)
}

// Bytes encodes the file: header, marshal stream and trailing bytes. For a
// file returned by Parse it gives back the bytes that were parsed.
func (f *File) Bytes() ([]byte, error) {
	return f.AppendTo(nil)
}

// AppendTo appends the encoded file to buf.
func (f *File) AppendTo(buf []byte) ([]byte, error) {
	v := f.Header.Version
	if v == nil {
		return nil, errors.New("pyc: file without a version")
	}
	if !f.Headerless {
		buf = f.Header.AppendHeader(buf)
	}
	buf, err := marshal.Append(buf, f.Code, v.EncodeOptions())
	if err != nil {
		return nil, err
	}
	return append(buf, f.Trailing...), nil
}

// WriteFile writes data to name atomically: to a temporary file in the same
// directory, synced, then renamed over name. An interruption leaves either
// the old file or the new one, never a partial one.
func WriteFile(name string, data []byte, perm os.FileMode) error {
	return WriteFileWith(name, data, WriteOptions{Perm: perm})
}

// WriteOptions adjust WriteFileWith.
type WriteOptions struct {
	// Perm is the new file's permission bits, set exactly (the umask is not
	// applied) unless UseUmask.
	Perm os.FileMode
	// UseUmask creates the file with Perm less the process's umask, as
	// open(2) and Python's importlib do, and saves the chmod.
	UseUmask bool
	// NoSync skips the fsync before the rename. The rename is still atomic:
	// readers see the old file or the new one, never a partial one; only
	// durability across a system crash is given up. CPython's own pyc
	// writers (importlib, py_compile) do not sync either, and a sync per
	// file costs milliseconds.
	NoSync bool
}

// WriteFileWith writes data to name atomically, as WriteFile, with options.
// A process that handles an interrupting signal removes the temporary
// files of the writes in progress (internal/atomicfile) before it ends;
// after SIGKILL they remain, as hidden ".NAME.tmp*" files beside name.
func WriteFileWith(name string, data []byte, opts WriteOptions) error {
	tmp, err := atomicfile.Create(name, opts.Perm, opts.UseUmask)
	if err != nil {
		return err
	}
	defer tmp.Abort() // after Commit, nothing
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if !opts.NoSync {
		if err := tmp.Sync(); err != nil {
			return err
		}
	}
	return tmp.Commit()
}

// Write encodes f and writes it to name atomically.
func (f *File) Write(name string) error {
	b, err := f.Bytes()
	if err != nil {
		return err
	}
	return WriteFile(name, b, 0o644)
}

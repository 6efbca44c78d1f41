package marshal

import (
	"errors"
	"fmt"
)

// Errors that decoding and encoding can wrap in a *DecodeError or
// *EncodeError. Test for them with errors.Is.
var (
	// ErrTruncated: the stream ends inside an object.
	ErrTruncated = errors.New("marshal: truncated data")
	// ErrUnknownType: a type code that no marshal version defines.
	ErrUnknownType = errors.New("marshal: unknown type code")
	// ErrBadRef: a back-reference to an index that does not exist.
	ErrBadRef = errors.New("marshal: invalid reference")
	// ErrTooDeep: objects nested deeper than the limit (2000, as CPython).
	ErrTooDeep = errors.New("marshal: nesting too deep")
	// ErrBadLength: a negative or impossible size or count.
	ErrBadLength = errors.New("marshal: bad size")
	// ErrBadLong: a long with a digit out of range or unnormalized.
	ErrBadLong = errors.New("marshal: bad long")
	// ErrBadFloat: a text float or complex that does not parse.
	ErrBadFloat = errors.New("marshal: bad float text")
	// ErrNull: a NULL ('0') where an object is required.
	ErrNull = errors.New("marshal: NULL object")
	// ErrBadCode: a code object field of the wrong type, or a code object
	// where the layout is unknown.
	ErrBadCode = errors.New("marshal: bad code object")
	// ErrUnencodable: a value the chosen marshal version cannot hold.
	ErrUnencodable = errors.New("marshal: value cannot be encoded")
)

// MaxDepth is the deepest nesting of objects the decoder and encoder accept,
// as in CPython.
const MaxDepth = 2000

// DecodeError is the error of a failed decode: where, in which object, and
// why.
type DecodeError struct {
	// Offset is the byte offset in the stream where the bad object starts
	// (or where the data ran out).
	Offset int64
	// Code is the type code being read (0 when unknown).
	Code byte
	// Field names the code-object field being read, if any (e.g.
	// "co_consts").
	Field string
	// Err is one of the package's Err* sentinels, possibly wrapped.
	Err error
	// Detail says more, e.g. "want tuple, have list".
	Detail string
}

func (e *DecodeError) Error() string {
	s := fmt.Sprintf("offset %d", e.Offset)
	if e.Code != 0 {
		s += fmt.Sprintf(" (type %s)", typeName(e.Code))
	}
	if e.Field != "" {
		s += " in " + e.Field
	}
	s += ": " + e.Err.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the underlying sentinel.
func (e *DecodeError) Unwrap() error { return e.Err }

// EncodeError is the error of a failed encode.
type EncodeError struct {
	// Path says where in the value tree the failure happened.
	Path string
	// Err is one of the package's Err* sentinels, possibly wrapped.
	Err error
	// Detail says more.
	Detail string
}

func (e *EncodeError) Error() string {
	s := "marshal: encode"
	if e.Path != "" {
		s += " " + e.Path
	}
	s += ": " + e.Err.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the underlying sentinel.
func (e *EncodeError) Unwrap() error { return e.Err }

func typeName(c byte) string {
	flag := ""
	if c&flagRef != 0 {
		flag = "|FLAG_REF"
		c &^= flagRef
	}
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("'%c'%s", c, flag)
	}
	return fmt.Sprintf("0x%02x%s", c, flag)
}

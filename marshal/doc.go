// Package marshal decodes and encodes the marshal format that CPython (and
// PyPy, GraalPy, RustPython) store pycs in, byte for byte: every value
// records the type code it was written with and its FLAG_REF mark, so that
// a decoded stream encodes back to the same bytes. Unmarshal and Decoder
// read, Marshal and Append write; the value model is in value.go and the
// code-object layouts of every Python version in code.go.
//
// # Security
//
// Streams come from anyone, and the decoder takes that for normal input:
//
//   - every size and count is checked against the bytes left before
//     anything is allocated, and containers grow as their items are read
//     rather than by the count they claim;
//   - objects nest at most MaxDepth (2000) deep, as in CPython;
//   - every back-reference index is checked, and a back-reference to a
//     code object, a non-empty frozenset or a slice that is still being
//     read is refused, as CPython refuses it (such an object would hold
//     itself). Tuples, lists, dicts and sets may hold themselves, as in
//     CPython: code that walks decoded values must expect cycles through
//     them, and sharing (one object under many others, which as a tree is
//     exponentially large);
//   - with Options.CheckVersion, type codes newer than the stream's marshal
//     version are unknown, as they are to that version's reader; Python 2
//     streams never have those of version 3 and later;
//   - a code object's co_code and tables must be bytes (str in Python 2)
//     and a 3.11+ code object must have one kind per locals-plus name, as
//     CPython's PyCode_New requires.
//
// Every decoding error is a *DecodeError with the offset, type code and
// code-object field where it happened.
package marshal

// Package asm prints pyc files as assembly text and assembles text into pyc
// files: the language of "pyc dis -f asm" and "pyc asm", described in
// docs/asm.md.
//
// Print writes a file's header and code objects: fields, constants as
// Python literals (nested code objects inline), instructions with symbolic
// operands and labels, source lines and positions, exception tables.
// Assemble (Parse, then File.Build) reads such text and builds the file
// through package build, which computes everything the instructions
// determine. The two are inverses: the text of any file pyc can decode
// assembles to the same bytes, because the printer spells out, as
// annotations and explicit fields, whatever the assembler would not compute
// the same way; and text a person edits assembles to a file whose derived
// parts (opargs, jumps, stack size, line and exception tables, locals)
// follow the edits.
//
// # Security
//
// The assembler reads text from anyone: every error is an *Error naming the
// line and column, values and code blocks nest at most 2000 deep, and what
// it builds goes through build's checks.
//
// The printer reads pycs from anyone. Text is a tree, and a stream can
// share objects through back-references: Print refuses a container that
// holds itself, and stops with an error once the text would exceed 64
// times the file's size plus 1 MiB (a few levels of a shared tuple holding
// a shared tuple are exponentially long as text). Its errors about a code
// object are *pyc.CodeError values, which File.Locate turns into the file
// offset.
package asm

// Package build makes code objects and pycs from instructions and
// constants, for any version whose opcode table package opcode has.
//
// A Code holds a code object being built: its fields, its constants, its
// instructions with symbolic operands (constants, names, locals and cells
// by name, jump targets as Labels, comparison and binary operators by
// symbol), each instruction's source position and, for 3.11+, the
// exception table as entries between labels. Assemble turns it into a
// *marshal.Code, computing what depends on the instructions:
//
//   - opargs: indexes into co_consts, co_names and the locals (adding what
//     is missing), operators, flag bits;
//   - EXTENDED_ARG prefixes, inline caches (3.11+), jump arguments in the
//     version's units and directions, grown until every argument fits;
//   - co_stacksize, as the version's compiler computes it (see StackDepth);
//   - the line table in the version's format: co_lnotab (unsigned before
//     3.6, signed 3.6 to 3.9), 3.10's co_linetable, the 3.11+ location
//     table; the 3.11+ exception table;
//   - co_nlocals, and 3.11+ co_localsplusnames and co_localspluskinds;
//   - for codes made with New and its kin, the co_flags that follow from
//     the code (AutoFlags).
//
// File wraps an assembled top-level code object into a pyc.File. Finalize
// settles the marshal encoding of every object of a file (type codes, and
// FLAG_REF as CPython's marshal would set it); NewPlan is its inverse for a
// decoded file, saying what an exact copy must spell out.
//
// Lift goes the other way: from a compiled code object to a Code that
// assembles to the same bytes, keeping in its exact-reproduction fields what
// the symbolic form cannot say. Package asm prints and parses Codes as
// text.
//
// # Stack effects are data
//
// The stack effect of every opcode of CPython 2.7 and 3.6 to 3.13 lives in
// build/facts: dumped from each interpreter's dis.stack_effect (both branch
// effects from 3.8) by internal/gen/effectgen, and written by hand where
// dis cannot tell (2.7; how each compiler walks the flow graph; branch
// effects 3.7's dis merges; the constant tuples a peephole optimizer folded
// after the stack size was computed). effects_gen.go is generated from
// them; a test fails when it is stale.
//
// # Security
//
// Assembling is meant for text and values from anyone: operands are checked
// against the version's opcode table and argument ranges, jump targets must
// exist, the stack analysis stops on underflow, on depths past 2**20 and on
// blocks re-entered too often, and nesting is bounded as in package
// marshal.
package build

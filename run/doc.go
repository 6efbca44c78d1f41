// Package run runs pycs with the interpreter of their version: it reads a
// pyc's magic number (or a zip bundle's __main__.pyc), finds an
// interpreter of exactly that implementation and version (Finder, which
// asks each candidate its magic), and runs the file as that interpreter
// would run it from its command line.
//
// A plain run is "python [flags] FILE ARGS...", executed in place of the
// current process (Plan.Exec), so that standard streams, signals and the
// exit status are the program's own. With a Guard (CPython 3.8 to 3.13)
// the interpreter first runs a bootstrap, given with -c, that installs an
// audit hook (PEP 578) to log events and deny some, then runs the file as
// __main__ with the sys.argv, sys.path[0], __file__ and exit status of the
// direct run. The same Python source, embedded in this package, is the
// warm server of package warm.
//
// The audit hook itself is not Python source: GuardCode builds it with
// package build, for the interpreter's version, as a function code object
// (the installer, holding the hook's and the AuditDenied class's code
// objects) that the bootstrap receives marshalled, in a bytes literal of
// its -c program (warm: in the request), loads with marshal.loads and
// calls before any of the program's code runs. No file is written. The
// hook's only Python helpers are the runner's JSON formatting and the
// predicates of --deny, which it is given as arguments; guard_code.go
// shows the Python the bytecode is equivalent to, and the tests run both
// on every installed version and compare.
//
// # Security
//
// The audit hook is a tripwire and a record, not a sandbox: the program
// runs with the user's full rights in an interpreter it can reach into
// (ctypes, native extensions, the gc module) and so can silence or get
// around the hook. Use it to notice what a pyc does, not to contain code
// you do not trust.
package run

// Package run runs pycs with the interpreter of their version: it reads a
// pyc's magic number (or a zip bundle's __main__.pyc), finds an
// interpreter of exactly that implementation and version (Finder, which
// asks each candidate its magic), and runs the file as that interpreter
// would run it from its command line.
//
// A plain run is "python [flags] FILE ARGS...", executed in place of the
// current process (Plan.Exec), so that standard streams, signals and the
// exit status are the program's own. With a Guard (Python 3.8 and later)
// the interpreter first runs a bootstrap, given with -c, that installs an
// audit hook (PEP 578) to log events and deny some, then runs the file as
// __main__ with the sys.argv, sys.path[0], __file__ and exit status of the
// direct run. The same Python source, embedded in this package, is the
// warm server of package warm.
//
// # Security
//
// The audit hook is a tripwire and a record, not a sandbox: the program
// runs with the user's full rights in an interpreter it can reach into
// (ctypes, native extensions, the gc module) and so can silence or get
// around the hook. Use it to notice what a pyc does, not to contain code
// you do not trust.
package run

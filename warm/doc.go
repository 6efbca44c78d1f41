// Package warm runs pycs on warm servers: an interpreter started once, with
// site imported, that forks a child for each run. The child becomes the
// client's process in all that matters to the program: it receives the
// client's standard input, output and error and every other inheritable
// descriptor (over a Unix socket, SCM_RIGHTS), its working directory,
// umask, environment and sys.argv, and runs the pyc in a fresh __main__;
// its exit status or signal goes back to the client, and the client
// forwards the signals it gets (Ctrl-C) to it.
//
// A server is reused only by runs of the same interpreter file, interpreter
// options and start-up environment (Key). Sockets live in a per-user
// directory (Dir) that must belong to the user and be closed to others;
// both ends check the peer's uid (SO_PEERCRED).
//
// What a forked child cannot share with a fresh interpreter: the hash
// seed (one per server, unless PYTHONHASHSEED is set), modules that site
// and .pth files imported at the server's start (changes to them after
// that are not seen until the server restarts), a controlling terminal
// (the child runs in its own session: /dev/tty cannot be opened, job
// control signals come from the client), and resource limits (the
// server's).
package warm

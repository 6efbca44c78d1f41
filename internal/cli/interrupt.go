package cli

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pyc-tools/pyc/internal/atomicfile"
)

// interruptSignals are the signals that end a writing command cleanly:
// Ctrl-C, kill's default, and the terminal going away.
var interruptSignals = []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP}

// catchInterrupts makes the interrupting signals, until stop is called,
// remove the temporary files of the writes in progress (see package
// internal/atomicfile) and then end the process by the same signal, as a
// shell expects of an interrupted command: every file being written keeps
// its old content (or gets the new one if its rename came first), and no
// temporary file is left. The writing commands (asm, header, compile,
// bundle, scan) call it before they create any file. Without it, Go ends
// the process at once on these signals, leaving the temporary files.
func catchInterrupts(errOut io.Writer) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, interruptSignals...)
	done := make(chan struct{})
	var caught atomic.Bool
	go func() {
		select {
		case sig := <-ch:
			caught.Store(true)
			atomicfile.Interrupt()
			fmt.Fprintf(errOut, "pyc: %v\n", sig)
			die(sig)
		case <-done:
		}
	}()
	return func() {
		if caught.Load() {
			// The command's writes failed because their temporary files
			// were removed: let the handler end the process by the
			// signal rather than return that failure.
			select {}
		}
		signal.Stop(ch)
		close(done)
	}
}

// die ends the process by sig, or with status 128 + sig if that does not
// end it.
func die(sig os.Signal) {
	code := ExitError
	if s, ok := sig.(syscall.Signal); ok {
		signal.Reset(s)
		syscall.Kill(os.Getpid(), s)
		time.Sleep(time.Second)
		code = 128 + int(s)
	}
	os.Exit(code)
}

// sameFile reports whether out names the existing file in (the same path,
// or another name of it: a symlink, a hard link). Commands refuse to write
// over their input unless asked to (pyc header --in-place).
func sameFile(in, out string) bool {
	a, err := os.Stat(in)
	if err != nil {
		return false
	}
	b, err := os.Stat(out)
	return err == nil && os.SameFile(a, b)
}

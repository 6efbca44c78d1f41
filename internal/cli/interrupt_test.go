package cli

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyc-tools/pyc/internal/atomicfile"
)

// TestCatchInterrupts runs this test binary as a helper that starts an
// atomic write over an existing file, catches interrupts as the writing
// commands do, and waits; each interrupting signal must remove the
// temporary file, keep the old content and end the helper by that signal.
func TestCatchInterrupts(t *testing.T) {
	if dir := os.Getenv("PYC_TEST_CATCH_HELPER"); dir != "" {
		catchHelper(dir)
		return
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		dir := t.TempDir()
		dest := filepath.Join(dir, "out.pyc")
		if err := os.WriteFile(dest, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCatchInterrupts$")
		cmd.Env = append(os.Environ(), "PYC_TEST_CATCH_HELPER="+dir)
		var errb bytes.Buffer
		cmd.Stderr = &errb
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if line != "writing\n" {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatalf("helper: %q\n%s", line, errb.String())
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 2 {
			t.Fatalf("%d files while writing, want the old one and a temporary one", len(ents))
		}
		cmd.Process.Signal(sig)
		cmd.Wait()
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		if !ws.Signaled() || ws.Signal() != sig {
			t.Errorf("%v: the helper ended with %v, not by the signal", sig, cmd.ProcessState)
		}
		if !strings.Contains(errb.String(), "pyc: ") {
			t.Errorf("%v: no message on stderr: %q", sig, errb.String())
		}
		ents, _ := os.ReadDir(dir)
		if len(ents) != 1 {
			t.Errorf("%v: %d files left, want the old one alone", sig, len(ents))
		}
		if b, _ := os.ReadFile(dest); string(b) != "old" {
			t.Errorf("%v: out.pyc holds %q", sig, b)
		}
	}
}

// catchHelper is the helper process of TestCatchInterrupts.
func catchHelper(dir string) {
	defer catchInterrupts(os.Stderr)()
	f, err := atomicfile.Create(filepath.Join(dir, "out.pyc"), 0o644, false)
	if err != nil {
		os.Exit(3)
	}
	f.Write([]byte("partial"))
	os.Stdout.WriteString("writing\n")
	time.Sleep(30 * time.Second)
	os.Exit(4)
}

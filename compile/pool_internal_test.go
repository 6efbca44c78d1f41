package compile

import (
	"sync"
	"syscall"
	"testing"

	"github.com/pyc-tools/pyc/internal/pytest"
)

// Many concurrent requests over few pipelined servers each get their own
// reply; a server that dies fails its requests and is replaced.
func TestPoolPipelining(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	in := ins[len(ins)-1]
	p, err := NewPool(in.Path, PoolOptions{Servers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var wg sync.WaitGroup
	results := make([][]byte, 40)
	errs := make([]error, 40)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := []byte("x = " + string(rune('a'+i%26)) + "\n")
			if i%7 == 0 {
				src = []byte("x = (\n")
			}
			results[i], _, errs[i] = p.Compile(src, "f.py", 0)
		}()
	}
	wg.Wait()
	for i := range results {
		if (i%7 == 0) != (errs[i] != nil) {
			t.Errorf("request %d: %v", i, errs[i])
		}
		if errs[i] == nil && len(results[i]) == 0 {
			t.Errorf("request %d: empty reply", i)
		}
	}
	// Replies are not swapped: equal sources give equal bytes.
	for i := range results {
		if errs[i] == nil && i+26 < len(results) && errs[i+26] == nil && string(results[i]) != string(results[i+26]) {
			t.Errorf("requests %d and %d differ", i, i+26)
		}
	}

	p.mu.Lock()
	victim := p.servers[0]
	p.mu.Unlock()
	victim.cmd.Process.Kill()
	<-victim.done
	failed := false
	for i := 0; i < 4; i++ {
		if _, _, err := p.Compile([]byte("y = 1\n"), "g.py", 0); err != nil {
			failed = true
		}
	}
	if !failed {
		t.Log("the dead server was not picked (the pool chose the other)")
	}
	if _, _, err := p.Compile([]byte("y = 1\n"), "g.py", 0); err != nil {
		t.Errorf("after a server died: %v", err)
	}
	if p.Size() != 2 {
		t.Errorf("pool has %d servers, want 2", p.Size())
	}
}

// The servers are in a process group of their own: Ctrl-C, which the
// terminal sends to the foreground group, reaches only the Go program,
// which decides what it means.
func TestServersOutsideForegroundGroup(t *testing.T) {
	ins := pytest.RequireInterpreters(t)
	in := ins[len(ins)-1]
	p, err := NewPool(in.Path, PoolOptions{Servers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.mu.Lock()
	pid := p.servers[0].cmd.Process.Pid
	p.mu.Unlock()
	pgid, err := syscall.Getpgid(pid)
	if err != nil {
		t.Fatal(err)
	}
	if pgid == syscall.Getpgrp() {
		t.Fatalf("the server is in the test's process group %d", pgid)
	}
	if _, _, err := p.Compile([]byte("x = 1\n"), "f.py", 0); err != nil {
		t.Fatal(err)
	}
}

package warm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// conn is a Unix stream socket. It connects and sends the request with
// plain blocking system calls, then waits for the answer in the runtime's
// poller (see usePoller).
type conn struct {
	fd int
	// f is the socket in the poller once usePoller has put it there.
	f *os.File
}

// dialUnix connects to the socket at path.
func dialUnix(path string) (*conn, error) {
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	for {
		err = syscall.Connect(fd, &syscall.SockaddrUnix{Name: path})
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		syscall.Close(fd)
		return nil, &os.PathError{Op: "connect", Path: path, Err: err}
	}
	return &conn{fd: fd}, nil
}

// peerCred returns the credentials of the process that listens.
func (c *conn) peerCred() (*syscall.Ucred, error) {
	return syscall.GetsockoptUcred(c.fd, syscall.SOL_SOCKET, syscall.SO_PEERCRED)
}

// usePoller hands the socket to the runtime's poller for the rest of the run.
// A goroutine blocked in a read system call keeps its processor busy in
// the scheduler's eyes: the runtime's monitor thread then wakes every 20 to
// 70 µs to take it back and hand it to another thread, and those wake-ups
// compete for the machine's processors with the program the client waits
// for. Blocked in the poller, the process is idle and its monitor sleeps.
func (c *conn) usePoller() error {
	if c.f != nil {
		return nil
	}
	if err := syscall.SetNonblock(c.fd, true); err != nil {
		return err
	}
	c.f = os.NewFile(uintptr(c.fd), "warm server")
	return nil
}

func (c *conn) Read(p []byte) (int, error) {
	if c.f != nil {
		return c.f.Read(p)
	}
	for {
		n, err := syscall.Read(c.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// Write writes p (MSG_NOSIGNAL: a server that has closed the connection
// makes it fail with EPIPE rather than raise SIGPIPE).
func (c *conn) Write(p []byte) (int, error) {
	done := 0
	if c.f == nil {
		err := send(c.fd, p, &done)
		return done, err
	}
	sc, err := c.f.SyscallConn()
	if err != nil {
		return 0, err
	}
	var serr error
	err = sc.Write(func(fd uintptr) bool {
		serr = send(int(fd), p, &done)
		return serr != syscall.EAGAIN // else wait in the poller, then again
	})
	if serr == nil {
		serr = err
	}
	return done, serr
}

// send writes p from *done on, advancing *done; on a non-blocking socket
// it returns EAGAIN when the socket is full.
func send(fd int, p []byte, done *int) error {
	for *done < len(p) {
		n, err := syscall.SendmsgN(fd, p[*done:], nil, nil, syscall.MSG_NOSIGNAL)
		switch {
		case err == syscall.EINTR:
		case err != nil:
			return err
		default:
			*done += n
		}
	}
	return nil
}

// sendFDs writes p with the descriptors fds attached (SCM_RIGHTS), then
// whatever of p the first message did not take.
func (c *conn) sendFDs(p []byte, fds []int) error {
	var n int
	var err error
	for {
		n, err = syscall.SendmsgN(c.fd, p, syscall.UnixRights(fds...), nil, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return err
	}
	if n < len(p) {
		_, err = c.Write(p[n:])
	}
	return err
}

func (c *conn) Close() error {
	if c.fd < 0 {
		return errors.New("closed")
	}
	var err error
	if c.f != nil {
		err = c.f.Close()
	} else {
		err = syscall.Close(c.fd)
	}
	c.fd = -1
	return err
}

// readLine reads the first line the server sends. Answers are single
// short lines; whatever follows the first is of no interest to us.
func (c *conn) readLine() (string, error) {
	var b []byte
	buf := make([]byte, 256)
	for len(b) < 4096 {
		n, err := c.Read(buf)
		b = append(b, buf[:n]...)
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			return string(b[:i]), nil
		}
		if err != nil {
			return string(b), err
		}
	}
	return string(b), fmt.Errorf("answer too long")
}

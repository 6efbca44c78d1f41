package warm

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// conn is a Unix stream socket used with plain blocking system calls: the
// client does one request and one wait, and the runtime's poller would
// only add work (and threads) to its start-up.
type conn struct{ fd int }

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
	return &conn{fd}, nil
}

// peerCred returns the credentials of the process that listens.
func (c *conn) peerCred() (*syscall.Ucred, error) {
	return syscall.GetsockoptUcred(c.fd, syscall.SOL_SOCKET, syscall.SO_PEERCRED)
}

func (c *conn) Read(p []byte) (int, error) {
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

func (c *conn) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		n, err := syscall.Write(c.fd, p[done:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
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
	err := syscall.Close(c.fd)
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

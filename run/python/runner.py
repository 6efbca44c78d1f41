# The Python half of "pyc run": embedded in the Go binary and given to the
# interpreter with -c, never written to disk. The -c program sets C = {...}
# and then runs this text, compiled under the name "<pyc run>" (which names
# our frames in tracebacks); C["mode"] chooses the role:
#
#   "boot"   run one pyc (sys.argv[1]) as __main__ after installing the audit
#            guard: the cold path of "pyc run --audit-log/--deny" (3.8+).
#            The guard is a code object built by pyc's Go side for this
#            interpreter (C["guard"], marshalled; see _guard).
#   "serve"  the warm server (3.6+): start-up (site included) happened once,
#            in this process; each request runs in a forked child, which
#            takes on the client's descriptors, directory, environment and
#            argv and runs the program in a fresh __main__.
#
# Only modules that start-up has imported, or small built-in ones, are
# imported, so that the program sees sys.modules much as a fresh
# interpreter would show it.
import sys
import os

_V = sys.version_info


def _signal():
    # _signal is the C module behind signal, which would import enum.
    return sys.modules.get("_signal") or __import__("_signal")


# ---------------------------------------------------------------- __main__


def _fresh_main():
    """Install and return a __main__ module as start-up makes it."""
    m = type(sys)("__main__")
    d = m.__dict__
    d["__annotations__"] = {}  # 3.6 to 3.13 give __main__ one
    d["__builtins__"] = sys.modules["builtins"]
    d["__loader__"] = sys.modules["_frozen_importlib"].BuiltinImporter
    sys.modules["__main__"] = m
    return d


def _main_file(path):
    # 3.9 and later make the script's path absolute (without normalizing).
    if _V >= (3, 9) and not path.startswith("/"):
        return os.getcwd() + "/" + path
    return path


def _set_path0(kind, path, path0):
    """Put the script's directory (path0, resolved by the caller; or the
    bundle) first on sys.path, where the interpreter would have, in place
    of the '' that -c put there."""
    isolated = sys.flags.isolated or getattr(sys.flags, "safe_path", False)
    if kind == "pyc":
        if isolated:
            return
        if path0 is None:
            path0 = os.path.dirname(os.path.realpath(path))
    else:
        path0 = _main_file(path)
    if not isolated and sys.path and sys.path[0] == "":
        sys.path[0] = path0
    else:
        sys.path.insert(0, path0)


def _read(path):
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = []
        while True:
            b = os.read(fd, 1 << 20)
            if not b:
                break
            chunks.append(b)
    finally:
        os.close(fd)
    return b"".join(chunks)


def _load_pyc(path, header):
    data = _read(path)
    if data[:4] != sys.modules["_frozen_importlib_external"].MAGIC_NUMBER:
        raise RuntimeError("Bad magic number in .pyc file")
    import marshal
    return marshal.loads(data[header:])


def _prepare(kind, path, header, path0=None):
    """Return a function that runs the program as __main__."""
    if kind != "pyc":
        _set_path0(kind, path, None)
        _fresh_main()

        def go():
            import runpy
            runpy._run_module_as_main("__main__", False)
        return go

    code = _load_pyc(path, header)
    _set_path0(kind, path, path0)
    d = _fresh_main()
    f = _main_file(path)
    d["__file__"] = f
    d["__cached__"] = None
    d["__loader__"] = sys.modules["_frozen_importlib_external"].SourcelessFileLoader("__main__", f)

    def go():
        exec(code, d)
    go.code = code
    return go


# ------------------------------------------------------------ running, exit

_state = {"status": 0, "sigint": False, "denied": [], "program": None, "fast": False,
          "pending": (), "report": -1, "pid": 0}


def _exit_status(e):
    """The exit status of SystemExit e (printing a code that is not an
    integer, as the interpreter does, when we end the process ourselves)."""
    c = e.code
    if c is None:
        return 0
    if isinstance(c, int):
        return c & 0xFF
    if _state["fast"]:
        try:
            sys.stderr.write("%s\n" % (c,))
        except Exception:
            pass
    return 1


def _flush():
    ok = True
    for s in (sys.stdout, sys.stderr):
        try:
            if s is not None:
                s.flush()
        except Exception:
            ok = False
    return ok


def _say_denied():
    names = []
    for n in _state["denied"]:
        if n not in names:
            names.append(n)
    msg = "pyc run: denied audit events: %s\n" % ", ".join(names)
    try:
        os.write(2, msg.encode("utf-8", "backslashreplace"))
    except OSError:
        pass


def _at_exit():
    # Cold runs: registered before the program runs, so it runs after the
    # program's own atexit functions.
    st = _state
    if st["denied"]:
        _flush()
        _say_denied()
        if not st["sigint"]:
            os._exit(st["status"] or 1)
    if st["sigint"]:
        # 3.8 and later end with SIGINT after an unhandled KeyboardInterrupt.
        _flush()
        sig = _signal()
        sig.signal(sig.SIGINT, sig.SIG_DFL)
        os.kill(os.getpid(), sig.SIGINT)


def _run(go):
    """Run the program; report an uncaught exception as the interpreter
    does, without our own frames, and leave with its exit status."""
    try:
        for n in _state["pending"]:
            os.kill(os.getpid(), n)
        go()
        status = 0
    except SystemExit:
        status = _exit_status(sys.exc_info()[1])
        if not _state["fast"]:
            _state["status"] = status
            raise
    except BaseException:
        t, v, tb = sys.exc_info()
        # Drop the frames of _run and go: what remains starts where the
        # interpreter's own traceback would.
        for _ in range(2):
            if tb is not None:
                tb = tb.tb_next
        v.__traceback__ = tb
        sys.last_type, sys.last_value, sys.last_traceback = t, v, tb
        if _V >= (3, 12):
            sys.last_exc = v
        try:
            sys.excepthook(t, v, tb)
        except BaseException:
            pass
        del t, v, tb
        if _V >= (3, 8) and issubclass(sys.last_type, KeyboardInterrupt):
            _state["sigint"] = True
        status = 1
        if not _state["fast"]:
            _state["status"] = status
            raise SystemExit(1)
    _state["status"] = status
    if _state["fast"]:
        del go
        _fast_exit(status)


def _fast_exit(status):
    """End a forked child without the interpreter's full finalization,
    which would touch (and so copy) every object it shares with the
    server. The steps a program can observe are kept, in the interpreter's
    order: wait for non-daemon threads, run atexit functions, release
    __main__ (running __del__ and closing files it holds), collect garbage,
    flush files still open and the standard streams. Objects still held by
    other modules are not finalized."""
    try:
        t = sys.modules.get("threading")
        if t is not None:
            t._shutdown()
        import atexit
        atexit._run_exitfuncs()
        sys.modules.pop("__main__", None)
        import gc
        gc.collect()
        import io
        text, binary = [], []
        kinds = (io.BufferedWriter, io.BufferedRandom)
        for o in gc.get_objects():
            k = type(o)
            if k is io.TextIOWrapper:
                text.append(o)
            elif k in kinds:
                binary.append(o)
        for o in text + binary:
            try:
                if not o.closed:
                    o.flush()
            except Exception:
                pass
        del text, binary
    except BaseException:
        pass
    for name in ("stdout", "stderr"):
        # As the interpreter's finalization reports a failed flush.
        f = getattr(sys, name)
        try:
            if f is not None:
                f.flush()
        except Exception as e:
            status = 120
            where = "on flushing sys.%s:" % name if _V >= (3, 13) else "in: %r" % (f,)
            try:
                os.write(2, ("Exception ignored %s\n%s: %s\n" % (where, type(e).__name__, e)).encode("utf-8", "backslashreplace"))
            except OSError:
                pass
    if _state["denied"]:
        _say_denied()
        status = status or 1
    if _state["sigint"] and not _state["denied"]:
        sig = _signal()
        sig.signal(sig.SIGINT, sig.SIG_DFL)
        os.kill(os.getpid(), sig.SIGINT)
    if _state["pid"] == os.getpid():
        try:
            os.write(_state["report"], ("X %d\n" % status).encode())
        except OSError:
            pass
        # What is left, the kernel tearing down this process (pages copied
        # from the server, descriptors), must not compete for a processor
        # with the client that is now reading our report and exiting.
        try:
            os.nice(19)
        except OSError:
            pass
    os._exit(status)


# ------------------------------------------------------------- audit guard


def _jstr(s):
    if len(s) > 4096:
        s = s[:4096] + "...(%d chars)" % len(s)
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return '"' + s + '"'
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif 0x20 <= o < 0x7F:
            out.append(ch)
        elif o > 0xFFFF:
            o -= 0x10000
            out.append("\\u%04x\\u%04x" % (0xD800 + (o >> 10), 0xDC00 + (o & 0x3FF)))
        else:
            out.append("\\u%04x" % o)
    out.append('"')
    return "".join(out)


def _json(x, depth=0):
    """JSON for an audit argument, made without calling the object's own
    methods (no __repr__ of user classes, no audited attributes)."""
    if x is None:
        return "null"
    if x is True:
        return "true"
    if x is False:
        return "false"
    if isinstance(x, int):
        return "%d" % x
    if isinstance(x, float):
        if x != x or x in (float("inf"), float("-inf")):
            return _jstr(float.__repr__(x))
        return float.__repr__(x)
    if isinstance(x, str):
        return _jstr(str.__str__(x))
    if isinstance(x, (bytes, bytearray)):
        return _jstr(repr(bytes(x)))
    if isinstance(x, (tuple, list)) and depth < 4:
        return "[" + ",".join([_json(y, depth + 1) for y in x]) + "]"
    t = type(x)
    if t.__name__ == "code" and t.__module__ == "builtins":
        return _jstr("<code %s %s:%d>" % (x.co_name, x.co_filename, x.co_firstlineno))
    return _jstr("<%s.%s>" % (t.__module__, getattr(t, "__qualname__", t.__name__)))


def _guard(code, logfd, rules):
    """Install the audit hook: log events to logfd (-1: no log) and raise
    on the events the rules deny. rules: [(kind, value, label)], kind
    "name", "prefix" or "pred".

    The hook and its installer are not Python source: code is a function
    code object, marshalled, that pyc builds for this interpreter's version
    with its own bytecode builder (run/guard_code.go, which shows the
    Python it is equivalent to)."""
    if code is None:
        raise RuntimeError("pyc run: no audit guard was given for this interpreter")
    import marshal
    install = type(_guard)(marshal.loads(code), globals())
    install(logfd, rules, _state, _PREDICATES, _jstr, _json, os.write, sys.addaudithook)


def _stdlib_dirs():
    lib = os.path.dirname(os.__file__)
    return lib, (os.path.join(lib, "site-packages"), os.path.join(lib, "dist-packages"))


def _in_stdlib(filename):
    if not filename:
        return False
    if filename.startswith("<frozen "):
        return True
    lib, sites = _stdlib_dirs()
    return filename.startswith(lib + os.sep) and not filename.startswith(sites)


def _pred_open_write(ev, args):
    if ev != "open" or len(args) < 3 or not isinstance(args[2], int):
        return False
    return bool(args[2] & (os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC))


def _pred_import_extension(ev, args):
    if ev != "import" or len(args) < 2 or not isinstance(args[1], str):
        return False
    import _imp
    if not args[1].endswith(tuple(_imp.extension_suffixes())):
        return False
    lib, _ = _stdlib_dirs()
    return not args[1].startswith(os.path.join(lib, "lib-dynload") + os.sep)


def _pred_dynamic_code(ev, args):
    if ev == "compile":
        fn = args[1] if len(args) > 1 else None
        if isinstance(fn, bytes):
            fn = os.fsdecode(fn)
        if not isinstance(fn, str) or not fn.startswith("<"):
            return False
    elif ev == "exec":
        fn = getattr(args[0], "co_filename", None) if args else None
        if not isinstance(fn, str) or not fn.startswith("<") or fn.startswith("<frozen "):
            return False
    else:
        return False
    # Code the standard library makes for itself (namedtuple, dataclasses)
    # is allowed: look at the first caller outside this file.
    f = sys._getframe(1)
    here = _pred_dynamic_code.__code__.co_filename
    while f is not None and f.f_code.co_filename == here:
        f = f.f_back
    return f is None or not _in_stdlib(f.f_code.co_filename)


_PREDICATES = {
    "open-write": _pred_open_write,
    "import-extension": _pred_import_extension,
    "dynamic-code": _pred_dynamic_code,
}


def _start(kind, path, header, logfd, rules, path0=None, guard=None):
    """Prepare the program, install the guard (code: see _guard) if asked,
    and return the function that runs it."""
    go = _prepare(kind, path, header, path0)
    if not _state["fast"]:
        import atexit
        atexit.register(_at_exit)
    if logfd >= 0 or rules:
        _state["program"] = getattr(go, "code", None)
        _guard(guard, logfd, rules)
    return go


# ------------------------------------------------------------------- cold


def _boot(C):
    # python [flags] -c SOURCE FILE ARGS...: sys.argv is ['-c', FILE, ARGS...].
    logfd = C["log"]
    if logfd == -2:
        logfd = os.dup(2)
    elif logfd >= 0:
        os.set_inheritable(logfd, False)
    del sys.argv[0]
    if hasattr(sys, "orig_argv"):
        sys.orig_argv = C["orig"] + sys.argv
    return _start(C["kind"], sys.argv[0], C["header"], logfd, C["rules"], guard=C["guard"])


# ------------------------------------------------------------------- warm


def _log(msg):
    try:
        import time
        sys.stderr.write("%s pyc serve[%d]: %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"), os.getpid(), msg))
        sys.stderr.flush()
    except Exception:
        pass


# The receive buffer: one, allocated (and its memory touched) once.
_RECV = bytearray(1 << 16)


class _Conn(object):
    """A client connection and the request read from it so far."""
    __slots__ = ("sock", "fd", "buf", "fds", "pid", "done")

    def __init__(self, sock):
        self.sock = sock
        self.fd = sock.fileno()
        self.buf = b""
        self.fds = []
        self.pid = 0
        self.done = False

    def feed(self, S, struct):
        """Read once. Returns the request once complete, "eof" when the
        client closed first, None for more to come.

        A request is b"PYC3", the body's length (32 bits, little-endian),
        and the body: fields separated by NUL bytes (nothing in it can hold
        one), each a tag byte and a value; then two NUL bytes and the
        environment, its entries separated by NUL bytes (compared whole
        with the server's: most requests bring the same)."""
        try:
            n, anc, flags, _ = self.sock.recvmsg_into([_RECV], S.CMSG_SPACE(256 * 4), S.MSG_CMSG_CLOEXEC)
        except BlockingIOError:
            return None
        data = bytes(_RECV[:n])
        for level, typ, cdata in anc:
            if level == S.SOL_SOCKET and typ == S.SCM_RIGHTS:
                n = len(cdata) // 4
                self.fds.extend(struct.unpack("%di" % n, cdata[:4 * n]))
        if flags & S.MSG_CTRUNC:
            raise ValueError("too many file descriptors")
        if not data:
            return "eof"
        self.buf += data
        if len(self.buf) < 8:
            return None
        if self.buf[:4] != b"PYC3":
            raise ValueError("bad request")
        (need,) = struct.unpack("<I", self.buf[4:8])
        if len(self.buf) < 8 + need:
            return None
        body, self.buf = self.buf[8:8 + need], self.buf[8 + need:]
        body, _, env = body.partition(b"\0\0")
        req = {"env": env}
        for f in body.split(b"\0"):
            if f:
                req.setdefault(f[:1], []).append(f[1:])
        targets = req[b"f"][0].decode().split(",") if req.get(b"f") and req[b"f"][0] else []
        if len(targets) != len(self.fds):
            raise ValueError("expected %d file descriptors, got %d" % (len(targets), len(self.fds)))
        req["targets"] = targets
        self.done = True
        return req


class _Server(object):
    """Accept requests and run each in a child of ours. One child is forked
    ahead of time and waits in accept() itself (the spare), so that a run
    does not wait for a fork; when it takes a client it tells us on the
    control socket, and we accept ourselves until we fork the next. A child
    reports its exit status to its client; we report it too (the only
    report when a signal killed it), pass on the client's signals and kill
    the child of a client that went away."""

    def __init__(self, C):
        import _socket
        import select
        import struct
        import time
        import gc
        self.S, self.select, self.struct, self.time, self.gc = _socket, select, struct, time, gc
        self.sig = _signal()
        self.C = C
        self.path = C["socket"]
        self.idle = C["idle"]
        self.pid = os.getpid()
        self.conns = {}     # fd -> _Conn
        self.children = {}  # pid -> _Conn
        self.spare = 0      # pid of the spare waiting in accept(), 0 for none
        self.spare_due = 0  # when to fork the next spare
        self.listening = False
        self.is_spare = False
        self.left = False   # set by _leave_server in a child
        self.top = 0        # the highest descriptor open when it left

    def start(self):
        S, sig, C = self.S, self.sig, self.C
        # Descriptors inherited from whoever started us (other than stdio
        # and the readiness pipe) must not stay open as long as we do.
        try:
            top = max(int(x) for x in os.listdir("/proc/self/fd"))
        except (OSError, ValueError):
            top = 256
        keep = C["ready"]
        if keep >= 3:
            os.closerange(3, keep)
            os.closerange(keep + 1, top + 1)
        else:
            os.closerange(3, top + 1)

        # Listen on a temporary name, then rename: clients never see a
        # socket nobody accepts on.
        ls = S.socket(S.AF_UNIX, S.SOCK_STREAM)
        tmp = "%s.%d.tmp" % (self.path, self.pid)
        try:
            os.unlink(tmp)
        except OSError:
            pass
        old = os.umask(0o177)
        try:
            ls.bind(tmp)
        finally:
            os.umask(old)
        ls.listen(128)
        ls.setblocking(False)
        os.rename(tmp, self.path)
        st = os.stat(self.path)
        self.ident = (st.st_dev, st.st_ino)
        self.ls = ls

        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        # Spares tell us what they took on ctl; they see us die by the end
        # of the life pipe, which only we hold open for writing.
        self.ctl_r, self.ctl_w = S.socketpair(S.AF_UNIX, S.SOCK_DGRAM)
        self.ctl_r.setblocking(False)
        self.life_r, self.life_w = os.pipe()
        self.changed = {}
        for num in (sig.SIGCHLD, sig.SIGTERM, sig.SIGHUP):
            self.changed[num] = sig.getsignal(num)

        def on_term(signum, frame):
            raise SystemExit(0)
        sig.signal(sig.SIGCHLD, lambda s, f: None)
        sig.signal(sig.SIGTERM, on_term)
        sig.signal(sig.SIGHUP, on_term)
        sig.set_wakeup_fd(self.wake_w)

        self.poll = self.select.poll()
        self.poll.register(self.wake_r, self.select.POLLIN)
        self.poll.register(self.ctl_r.fileno(), self.select.POLLIN)
        self.listen(True)
        if C["ready"] >= 0:
            os.write(C["ready"], b"ok\n")
            os.close(C["ready"])
        if C["announce"]:
            _log("%s %s listening on %s%s" % (
                sys.implementation.name, sys.version.split()[0], self.path,
                " (exits after %ds idle)" % self.idle if self.idle else ""))

    def ours(self):
        try:
            s = os.stat(self.path)
        except OSError:
            return False
        return (s.st_dev, s.st_ino) == self.ident

    def listen(self, on):
        """Accept in this process (on) or leave it to the spare."""
        if on != self.listening:
            if on:
                self.poll.register(self.ls.fileno(), self.select.POLLIN)
            else:
                self.poll.unregister(self.ls.fileno())
            self.listening = on

    def close(self, c):
        if self.conns.pop(c.fd, None) is not None:
            try:
                self.poll.unregister(c.fd)
            except Exception:
                pass
        for fd in c.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        c.fds = []
        try:
            c.sock.close()
        except OSError:
            pass

    def send(self, c, msg):
        try:
            c.sock.setblocking(True)
            c.sock.sendall(msg)
            c.sock.setblocking(False)
        except OSError:
            pass

    def watch(self, c):
        self.conns[c.fd] = c
        self.poll.register(c.fd, self.select.POLLIN)

    def serve(self):
        """Run until idle, killed or forked: returns None in the server
        (time to exit) and the program's runner in a child."""
        self.start()
        try:
            job = self.loop()
            if job is not None:
                return _child(job[0], job[1], self)
            return None
        except KeyboardInterrupt:
            _log("interrupted: exiting")
            return None
        finally:
            if os.getpid() == self.pid:
                if self.spare:
                    try:
                        os.kill(self.spare, self.sig.SIGKILL)
                    except OSError:
                        pass
                if self.ours():
                    try:
                        os.unlink(self.path)
                    except OSError:
                        pass

    def fork(self):
        # Objects of the server are never collected in children, so their
        # memory stays shared (gc.freeze is 3.7+).
        freeze = getattr(self.gc, "freeze", None)
        if freeze is not None:
            freeze()
        return os.fork()

    def fork_spare(self):
        """Fork the next spare: returns None here, (request, connection)
        in the spare once it has taken a client."""
        pid = self.fork()
        if pid:
            self.spare = pid
            self.listen(False)
            return None
        return self.spare_wait()

    def spare_wait(self):
        S, select = self.S, self.select
        self.is_spare = True
        os.close(self.life_w)
        self.ctl_r.close()
        for c in list(self.conns.values()):
            os.close(c.sock.detach())
        self.conns = {}
        p = select.poll()
        p.register(self.ls.fileno(), select.POLLIN)
        p.register(self.life_r, select.POLLIN)
        _leave_server(self)
        _rehearse()
        while True:
            for fd, ev in p.poll():
                if fd == self.life_r:
                    os._exit(0)  # the server is gone
            try:
                fd, _ = self.ls._accept()
            except BlockingIOError:
                continue
            s = S.socket(S.AF_UNIX, S.SOCK_STREAM, 0, fd)
            if not self.peer_ok(s):
                s.close()
                continue
            c = _Conn(s)
            # The request normally follows at once, and the server hears
            # from us once, when we have it (R). A client slow to send it
            # must not keep others waiting: after a moment we tell the
            # server (T) to accept in our place.
            told = False
            s.setblocking(False)
            try:
                while True:
                    try:
                        req = c.feed(S, self.struct)
                        if req is None and s.gettimeout() == 0:
                            s.settimeout(0.5)  # not all there yet
                            continue
                    except S.timeout:
                        if told:
                            raise
                        self.ctl_w.send(b"T %d" % os.getpid())
                        told = True
                        s.settimeout(60)
                        continue
                    if req is not None:
                        break
            except Exception as e:
                if not isinstance(e, OSError):
                    _log("request failed: %r" % (e,))
                    self.send(c, ("E %s\n" % (e,)).encode("utf-8", "replace"))
                os._exit(0)
            if req == "eof":
                if not told:
                    # A connection only to see if we are alive: wait on.
                    s.close()
                    continue
                os._exit(0)
            s.setblocking(False)
            self.ctl_w.sendmsg([b"R %d" % os.getpid()],
                               [(S.SOL_SOCKET, S.SCM_RIGHTS, self.struct.pack("i", c.fd))])
            return req, c

    def peer_ok(self, s):
        cred = s.getsockopt(self.S.SOL_SOCKET, self.S.SO_PEERCRED, 12)
        return self.struct.unpack("3i", cred)[1] == os.getuid()

    def loop(self):
        time = self.time
        last = now = time.time()
        check = now + 5   # next look at whether the spare is accepting
        stuck = False     # a connection was waiting at the last look
        ours = now + 60   # next look at whether the socket is still ours
        waiting = self.select.poll()
        waiting.register(self.ls.fileno(), self.select.POLLIN)
        while True:
            if not self.spare and now >= self.spare_due:
                job = self.fork_spare()
                if job is not None:
                    return job
                check, stuck = now + 5, False
            busy = self.conns or self.children
            deadlines = [ours]
            if self.spare:
                deadlines.append(check)
            else:
                deadlines.append(self.spare_due)
            if self.idle and not busy:
                deadlines.append(last + self.idle)
            timeout = max(0.0, min(deadlines) - time.time())
            try:
                ready = self.poll.poll(int(timeout * 1000) + 1)
            except OSError:
                ready = []
            now = time.time()
            if ready:
                last = now
            if self.spare and now >= check:
                # A connection waiting at two looks in a row: the spare is
                # not accepting (stopped?). Replace it.
                pending = bool(waiting.poll(0))
                if pending and stuck:
                    _log("spare %d does not accept: replacing it" % self.spare)
                    try:
                        os.kill(self.spare, self.sig.SIGKILL)
                    except OSError:
                        pass
                    self.spare = 0
                    self.spare_due = now
                    self.listen(True)
                stuck, check = pending, now + 5
            if now >= ours:
                ours = now + 60
                if not self.ours():
                    _log("socket %s was removed or replaced: exiting" % self.path)
                    return None
            if self.idle and not busy and not ready and now - last >= self.idle:
                _log("idle for %ds: exiting" % self.idle)
                return None
            for fd, ev in ready:
                if fd == self.wake_r:
                    job = self.reap()
                elif fd == self.ctl_r.fileno():
                    job = self.control()
                elif fd == self.ls.fileno():
                    job = self.accept()
                else:
                    job = self.readable(fd)
                if job is not None:
                    return job

    def control(self):
        """Messages from spares: T (took a client, whose request is slow
        to come) and R (has its request: here is the connection)."""
        S = self.S
        while True:
            try:
                data, anc, _, _ = self.ctl_r.recvmsg(64, S.CMSG_SPACE(4), S.MSG_CMSG_CLOEXEC)
            except BlockingIOError:
                return None
            kind, _, pid = data.partition(b" ")
            pid = int(pid)
            if pid == self.spare:
                # The spare took a client (T: still reading its request; R:
                # here is the connection). We accept until the next spare,
                # which comes a little later, not to compete with this run
                # for the processor.
                self.spare = 0
                self.spare_due = self.time.time() + 0.05
                self.listen(True)
            if kind == b"R":
                for level, typ, cdata in anc:
                    if level == S.SOL_SOCKET and typ == S.SCM_RIGHTS:
                        fd = self.struct.unpack("i", cdata[:4])[0]
                        c = _Conn(S.socket(S.AF_UNIX, S.SOCK_STREAM, 0, fd))
                        c.sock.setblocking(False)
                        c.done = True
                        c.pid = pid
                        self.children[pid] = c
                        self.watch(c)

    def reap(self):
        try:
            while os.read(self.wake_r, 512):
                pass
        except OSError:
            pass
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except OSError:
                return None
            if pid == 0:
                return None
            if pid == self.spare:
                _log("spare %d ended: %d" % (pid, status))
                self.spare = 0
                self.spare_due = self.time.time() + 1
                self.listen(True)
                continue
            c = self.children.pop(pid, None)
            if c is None:
                continue
            if os.WIFSIGNALED(status):
                self.send(c, ("S %d\n" % os.WTERMSIG(status)).encode())
            else:
                self.send(c, ("X %d\n" % os.WEXITSTATUS(status)).encode())
            self.close(c)

    def accept(self):
        S = self.S
        while True:
            try:
                fd, _ = self.ls._accept()
            except OSError:
                return None
            s = S.socket(S.AF_UNIX, S.SOCK_STREAM, 0, fd)
            if not self.peer_ok(s):
                s.close()
                continue
            s.setblocking(False)
            self.watch(_Conn(s))

    def signals(self, c, data):
        """Act on what a client says while its program runs: K SIG (pass a
        signal on) and Q (it has the exit status from the child)."""
        for line in data.split(b"\n"):
            if line.startswith(b"K ") and c.pid in self.children:
                try:
                    os.kill(c.pid, self.stop_signal(c.pid, int(line[2:])))
                except (OSError, ValueError):
                    pass
            elif line == b"Q":
                # The child reported its status itself; we only reap it.
                self.children.pop(c.pid, None)
                self.close(c)
                return

    def stop_signal(self, pid, num):
        """The signal that does to the child what num does to the client.
        Children are alone in their session, so the kernel discards a
        SIGTSTP they do not catch: send SIGSTOP then."""
        if num != self.sig.SIGTSTP:
            return num
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("SigCgt:"):
                        if int(line.split()[1], 16) >> (num - 1) & 1:
                            return num
        except (OSError, ValueError):
            pass
        return self.sig.SIGSTOP

    def readable(self, fd):
        """Read from a client. Returns (request, connection) in a freshly
        forked child, None otherwise."""
        c = self.conns.get(fd)
        if c is None:
            return None
        if c.done:
            # A running program: signals to pass on, or the client is gone.
            try:
                data = c.sock.recv(4096)
            except OSError:
                return None
            if not data:
                # Gone without saying it had the exit status (Q): killed.
                if self.children.pop(c.pid, None) is not None:
                    _log("the client of pid %d went away: killing it" % c.pid)
                    try:
                        os.kill(c.pid, self.sig.SIGKILL)
                    except OSError:
                        pass
                self.close(c)
                return None
            self.signals(c, data)
            return None
        try:
            req = c.feed(self.S, self.struct)
        except Exception as e:
            _log("request failed: %r" % (e,))
            self.send(c, ("E %s\n" % (e,)).encode("utf-8", "replace"))
            self.close(c)
            return None
        if req is None:
            return None
        if req == "eof":
            self.close(c)
            return None
        pid = self.fork()
        if pid == 0:
            return req, c
        c.pid = pid
        self.children[pid] = c
        for fd in c.fds:
            try:
                os.close(fd)
            except OSError:
                pass
        c.fds = []
        self.signals(c, c.buf)
        return None


def _leave_server(srv):
    """In a child (a spare does it while it waits): give up the server's
    signal handling, take a session of its own, and note the highest
    descriptor open."""
    if srv.left:
        return
    srv.left = True
    sig = srv.sig
    sig.set_wakeup_fd(-1)
    for num, h in srv.changed.items():
        sig.signal(num, h)
    os.setsid()
    try:
        srv.top = max(int(x) for x in os.listdir("/proc/self/fd"))
    except (OSError, ValueError):
        srv.top = 1024


def _rehearse():
    """Run once, on nothing that matters, what a child runs for a client:
    a spare does it while it waits, so that the memory those steps write
    (shared with the server until written) is copied, and the code they run
    is warm, before a client waits for them."""
    for i in range(0, len(_RECV), 4096):
        _RECV[i] = 0
    env = os.environb._data
    # What a request's environment is compared with (see _set_environ).
    _state["environ"] = _environ_block()
    [os.fsdecode(k) for k in list(env)[:8]]
    import io
    import marshal
    import gc
    import atexit  # noqa: F401 (imported by every child's ending)
    _read(os.devnull)
    fd = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    try:
        for mode, write in (("rb", False), ("wb", True)):
            buf = io.open(fd, mode, -1, closefd=False)
            buf.raw.name = "<rehearsal>"
            s = io.TextIOWrapper(buf, "utf-8", "strict", "\n", buf.raw.isatty(), False)
            s.mode = "w" if write else "r"
            if write:
                s.write("x")
                s.flush()
            del s, buf
    finally:
        os.close(fd)
    m = type(sys)("__rehearsal__")
    d = m.__dict__
    d["__builtins__"] = sys.modules["builtins"]
    d["__loader__"] = sys.modules["_frozen_importlib_external"].SourcelessFileLoader("__rehearsal__", "/")
    exec(marshal.loads(marshal.dumps(compile("x = 1", "<rehearsal>", "exec"))), d)
    _main_file("x")
    del m, d
    # Calling a function or reading an attribute writes the reference count
    # of the object: hold a reference to each object a child's path uses,
    # so that their pages are copied now rather than in the child.
    held = [
        _child, _set_environ, _new_stdio, _start, _prepare, _load_pyc, _read,
        _set_path0, _fresh_main, _main_file, _run, _fast_exit, _exit_status,
        _flush, _signal, _Conn, _Conn.feed, _state,
        os.dup2, os.dup, os.close, os.closerange, os.fchdir, os.chdir, os.umask,
        os.set_inheritable, os.fstat, os.getpid, os.getcwd, os.fsdecode,
        os.write, os.nice, os.kill, os.open, os.read, os._exit, os.environb,
        sys.argv, sys.path, sys.flags, sys.modules, sys.excepthook,
        io.open, io.TextIOWrapper, io.FileIO, io.BufferedWriter, marshal.loads,
        gc.collect, gc.get_objects, atexit._run_exitfuncs, exec, type(sys),
    ]
    held += [f.__code__ for f in held if hasattr(f, "__code__")]
    del held
    gc.collect()
    gc.get_objects()


def _child(req, c, srv):
    """In the forked child: become the client's process and return the
    function that runs its program."""
    _state["fast"] = True
    _leave_server(srv)

    # Move the received descriptors above everything open, close the rest
    # (server sockets, other clients' connections, /dev/null stdio), then
    # put each in place.
    fds, targets = c.fds, req["targets"]
    base = max([srv.top, c.fd] + fds + [int(t) for t in targets if t.isdigit()]) + 1
    for i, fd in enumerate(fds):
        os.dup2(fd, base + i)
    # A descriptor of the connection stays open (close-on-exec) for the
    # exit status, which the child reports itself: one hop shorter than
    # through the server, and it arrives even if the server is gone.
    report = base + len(fds)
    os.dup2(c.fd, report, False)
    _state["report"] = report
    _state["pid"] = os.getpid()
    # Socket objects must not close, when collected, descriptors that
    # closerange is about to free for the program.
    for x in [o.sock for o in srv.conns.values()] + [c.sock, srv.ls, srv.ctl_r, srv.ctl_w]:
        x.detach()
    os.closerange(0, base)
    cwd = log = -1
    for i, t in enumerate(targets):
        if t == "cwd":
            cwd = base + i
        elif t == "log":
            log = base + i
        else:
            os.dup2(base + i, int(t))
    one = lambda k, d=None: req[k][0] if req.get(k) else d
    if cwd >= 0:
        os.fchdir(cwd)
    elif one(b"c"):
        os.chdir(one(b"c"))
    for i in range(len(fds)):
        if base + i != log:
            os.close(base + i)
    if log >= 0:
        os.set_inheritable(log, False)

    os.umask(int(one(b"u", b"18")))
    _set_environ(req["env"])
    argv = [os.fsdecode(a) for a in req.get(b"a", [])]
    sys.argv[:] = argv
    if hasattr(sys, "orig_argv"):
        sys.orig_argv = [os.fsdecode(a) for a in req.get(b"o", [])] + argv
    _new_stdio()
    if srv.is_spare:
        # Signals the client passed on while the spare read the request:
        # the server never saw them.
        _state["pending"] = [int(l[2:]) for l in c.buf.split(b"\n") if l.startswith(b"K ")]
    rules = [tuple(r.decode("utf-8").split("\x01")) for r in req.get(b"d", [])]
    path0 = one(b"p")
    guard = one(b"g")
    return _start(one(b"k").decode(), argv[0], int(one(b"h", b"16")), log, rules,
                  os.fsdecode(path0) if path0 else None, bytes.fromhex(guard.decode()) if guard else None)


def _environ_block():
    """The environment as a request carries it: its entries, in order,
    separated by NUL bytes."""
    return b"\0".join([k + b"=" + v for k, v in os.environb._data.items()])


def _set_environ(block):
    """Make os.environ (and the C environment) the client's, block (as
    _environ_block makes it), in its order. A server mostly serves the
    environment it started with: then nothing changes, or only some
    values."""
    if block == _state.get("environ"):
        return
    env = os.environb
    data = env._data  # the mapping behind os.environ and os.environb
    new = [kv.partition(b"=") for kv in block.split(b"\0")] if block else []
    if [k for k, _, _ in new] == list(data):
        for k, _, v in new:
            if data[k] != v:
                env[k] = v
        return
    env.clear()
    for k, _, v in new:
        if k:
            env[k] = v


def _new_stdio():
    """Make sys.stdin/stdout/stderr as start-up does for the descriptors the
    child now has: same encoding and errors as the server's (its start-up
    environment is the client's), line buffering by whether each is a
    terminal."""
    import io
    old = (sys.__stdin__, sys.__stdout__, sys.__stderr__)
    unbuffered = isinstance(getattr(old[1], "buffer", None), io.FileIO)
    new = []
    for fd, o, name in ((0, old[0], "<stdin>"), (1, old[1], "<stdout>"), (2, old[2], "<stderr>")):
        try:
            os.fstat(fd)
        except OSError:
            new.append(None)
            continue
        write = fd != 0
        buffering = 0 if (write and unbuffered) else -1
        buf = io.open(fd, "wb" if write else "rb", buffering, closefd=False)
        raw = buf.raw if buffering else buf
        raw.name = name
        tty = raw.isatty()
        lb = bool(getattr(o, "line_buffering", False)) or (tty and not unbuffered)
        wt = bool(getattr(o, "write_through", write and unbuffered))
        s = io.TextIOWrapper(buf, getattr(o, "encoding", None), getattr(o, "errors", None), "\n", lb, wt)
        s.mode = "w" if write else "r"
        new.append(s)
    # The server's stream objects stay referenced: releasing them would
    # run their finalizers, and the child never needs their memory back.
    _state["old stdio"] = (sys.stdin, sys.stdout, sys.stderr, old)
    sys.stdin, sys.stdout, sys.stderr = new
    sys.__stdin__, sys.__stdout__, sys.__stderr__ = new


# -------------------------------------------------------------------- main

if C["mode"] == "serve":
    _go = _Server(C).serve()
    if _go is None:
        raise SystemExit(0)
else:
    _go = _boot(C)
del C
_run(_go)

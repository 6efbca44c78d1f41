# The compile server of package compile (github.com/pyc-tools/pyc). It is
# run as "python -c <this text> [mimic]" and must work on Python 2.7 and
# every 3.x.
#
# Frames on stdin and stdout: a 4-byte little-endian length, then the body.
# A list of fields is a 4-byte count, then each field as a 4-byte length and
# its bytes.
#
#   hello (server -> Go, once):  "H" fields[protocol, magic, cache tag,
#                                 version, implementation, sys.flags.optimize,
#                                 sys.executable]
#   request (Go -> server):      "C" optimize(1 byte, signed) fields[file
#                                 name to record, source]
#   reply to a request:          "K" fields[marshal data, warnings...]
#                                "E" fields[exception class, message, line,
#                                 column, warnings...]
#
# A warning is one field "category\0line\0message". End of input ends the
# server.
import sys
if sys.path and sys.path[0] in ('', '.'):
    del sys.path[0]
import os
import marshal
import struct
import warnings
import gc

PY2 = sys.version_info[0] == 2


def text(s):
    if isinstance(s, bytes):
        return s
    if PY2:
        return s.encode('utf-8')
    return s.encode('utf-8', 'backslashreplace')


def send(out, kind, items):
    """Write a frame of fields without joining them first (a pyc can be
    large)."""
    size = 1 + 4 + 4 * len(items) + sum(len(f) for f in items)
    out.write(struct.pack('<I', size) + kind + struct.pack('<I', len(items)))
    for f in items:
        out.write(struct.pack('<I', len(f)))
        out.write(f)
    out.flush()


def read_fields(b, pos):
    n, = struct.unpack_from('<I', b, pos)
    pos += 4
    out = []
    for _ in range(n):
        size, = struct.unpack_from('<I', b, pos)
        pos += 4
        out.append(b[pos:pos + size])
        pos += size
    return out


def magic():
    try:
        from importlib.util import MAGIC_NUMBER
        return MAGIC_NUMBER
    except ImportError:
        import imp
        return imp.get_magic()


def main():
    inp = os.fdopen(0, 'rb')
    out = os.fdopen(os.dup(1), 'wb')
    # Anything printed by accident goes to stderr, not into the replies.
    os.dup2(2, 1)
    impl = getattr(sys, 'implementation', None)
    tag = getattr(impl, 'cache_tag', None) or ''
    name = getattr(impl, 'name', 'cpython')
    version = '%d.%d.%d' % sys.version_info[:3]
    hello = [b'pyc-compile-server 1', magic(), text(tag), text(version),
             text(name), text(str(sys.flags.optimize)),
             text(sys.executable or '')]
    send(out, b'H', hello)

    caught = []

    def showwarning(message, category, filename, lineno, file=None,
                    line=None):
        caught.append(text(category.__name__) + b'\0' +
                      text(str(lineno)) + b'\0' + text(str(message)))
    warnings.showwarning = showwarning

    if 'mimic' in sys.argv[1:] and not PY2:
        # Load what "python -m compileall" has loaded when it compiles. The
        # reference counts of interned names decide which objects marshal
        # flags (FLAG_REF), so this makes the pycs byte-identical to
        # compileall's far more often.
        try:
            import runpy
            import argparse
            import compileall
            # Run its command line once, excluding every file (-x .), for
            # what parsing it loads (gettext, locale...).
            argv = sys.argv
            sys.argv = ['compileall', '-q', '-l', '-x', '.',
                        os.path.dirname(os.path.abspath(sys.executable))]
            try:
                compileall.main()
            finally:
                sys.argv = argv
        except Exception:
            pass

    # Compiling makes few reference cycles: collect now and then instead
    # of on allocation counts (about 5% of the time otherwise).
    gc.disable()
    served = 0
    while True:
        served += 1
        if served % 500 == 0:
            gc.collect()
        head = inp.read(4)
        if len(head) < 4:
            return
        size, = struct.unpack('<I', head)
        body = inp.read(size)
        if len(body) < size or body[:1] != b'C':
            return
        opt, = struct.unpack_from('<b', body, 1)
        dfile, source = read_fields(body, 2)
        del caught[:]
        try:
            if PY2:
                # py_compile reads the source in universal-newline mode.
                source = source.replace(b'\r\n', b'\n').replace(b'\r', b'\n')
                code = compile(source, dfile, 'exec', 0, True)
            else:
                # The name stays referenced while marshal runs, as it does
                # in py_compile: its reference count decides FLAG_REF.
                dfile = os.fsdecode(dfile)
                code = compile(source, dfile, 'exec',
                               dont_inherit=True, optimize=opt)
            data = marshal.dumps(code)
            code = None
        except Exception as e:
            if isinstance(e, SyntaxError):
                msg = e.msg
                line = e.lineno
                col = e.offset
            else:
                msg = str(e)
                line = col = None
            send(out, b'E', [
                text(e.__class__.__name__), text(msg or ''),
                text(str(line or 0)), text(str(col or 0))] + caught)
        else:
            send(out, b'K', [data] + caught)


main()

# gen-testdata.py: write the golden pyc test data for the interpreter that
# runs it. Runs under CPython 2.7 and 3.6+. Normally started by
# scripts/gen-testdata.sh, which sets PYTHONHASHSEED=0 and adds the .dis files.
#
#   pythonX.Y scripts/gen-testdata.py --src testdata/src --out testdata/pycs/X.Y
#
# Writes into --out (which it empties first):
#   NAME.<mode>.pyc        one pyc per source, invalidation mode and -O level
#   NAME.<mode>.pyc.json   header fields and a recursive description of the
#                          code object, as this interpreter sees it
#   sourcehash.json        importlib.util.source_hash of fixed inputs (3.7+)
#   marshal/NAME.vN.marshal  headerless marshal.dumps(value, N) blobs
#   marshal/NAME.json      the value, and each version's blob (or the error
#                          marshal.dumps raised for that version)
#   python.json            which interpreter made the files
from __future__ import print_function

import binascii
import dis
import hashlib
import json
import marshal
import os
import re
import struct
import subprocess
import sys
import tempfile
import warnings

PY2 = sys.version_info[0] == 2
VER = tuple(sys.version_info[:2])
VERSION = "%d.%d.%d" % tuple(sys.version_info[:3])

# The modification time written into every timestamp header (2023-11-14
# 22:13:20 UTC). The source files' own mtimes are never read.
MTIME = 1700000000

# Seed and constants of the LCG behind the 1 MiB source_hash input:
#   state = (state * LCG_A + LCG_C) mod 2**64; byte = state >> 56
LCG_SEED = 0x5059435F54455354  # "PYC_TEST"
LCG_A = 6364136223846793005
LCG_C = 1442695040888963407

if PY2:
    text_type = unicode  # noqa: F821
    int_types = (int, long)  # noqa: F821
    bytes_type = str
else:
    text_type = str
    int_types = (int,)
    bytes_type = bytes

if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)

ADDR = re.compile(r" at 0x[0-9a-fA-F]+")
CODE_TYPE = type(compile("", "", "exec"))
# code attributes that hold bytes (written as hex)
BYTES_ATTRS = ("co_code", "co_lnotab", "co_linetable", "co_exceptiontable")


def hexs(b):
    return binascii.hexlify(b).decode("ascii")


def magic_bytes():
    if PY2:
        import imp
        return imp.get_magic()
    import importlib.util
    return importlib.util.MAGIC_NUMBER


def header_length():
    if VER < (3, 3):
        return 8
    if VER < (3, 7):
        return 12
    return 16


def source_hash(data):
    import importlib.util
    return importlib.util.source_hash(data)


def modes():
    """(file tag, optimization level, invalidation mode) for this version."""
    if VER >= (3, 7):
        return [("ts", 0, "timestamp"), ("checked", 0, "checked-hash"),
                ("unchecked", 0, "unchecked-hash"),
                ("opt-1", 1, "timestamp"), ("opt-2", 2, "timestamp")]
    return [("ts", 0, "timestamp"), ("opt-1", 1, "timestamp"),
            ("opt-2", 2, "timestamp")]


# ---------------------------------------------------------------- sources

def dir_accepts(name):
    """Whether this interpreter should compile sources in testdata/src/NAME."""
    if name == "common":
        return True
    if name == "py2":
        return VER < (3, 0)
    if name == "py3":
        return VER >= (3, 0)
    m = re.match(r"^py(\d)(\d+)$", name)
    if m:
        return VER >= (int(m.group(1)), int(m.group(2)))
    raise SystemExit("gen-testdata: unknown source directory %r" % name)


def list_sources(src_root):
    """[(dir, stem, path)] sorted; stems must be unique across directories."""
    out = []
    seen = {}
    for d in sorted(os.listdir(src_root)):
        full = os.path.join(src_root, d)
        if not os.path.isdir(full):
            continue
        for f in sorted(os.listdir(full)):
            if not f.endswith(".py"):
                continue
            stem = f[:-3]
            if stem in seen:
                raise SystemExit("gen-testdata: %s/%s and %s/%s share a name"
                                 % (seen[stem], f, d, f))
            seen[stem] = d
            out.append((d, stem, os.path.join(full, f)))
    return out


# ----------------------------------------------------------- descriptions

def norm_repr(x):
    return ADDR.sub(" at 0x?", repr(x))


def as_text(s):
    if isinstance(s, text_type):
        return s
    return s.decode("latin-1")


def describe(x, stack=()):
    """A JSON-able description of a constant or marshal value."""
    d = {"type": type(x).__name__}
    if isinstance(x, CODE_TYPE):
        d["repr"] = norm_repr(x)
        d["code"] = describe_code(x)
        return d
    if id(x) in stack:
        d["cycle"] = True
        return d
    d["repr"] = norm_repr(x)
    if isinstance(x, bool) or x is None or x is Ellipsis:
        pass
    elif isinstance(x, int_types):
        pass  # the repr is the value (with an L suffix for 2.7 longs)
    elif isinstance(x, float):
        d["hex"] = x.hex()
        d["bits"] = "%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]
    elif isinstance(x, complex):
        d["real_bits"] = "%016x" % struct.unpack("<Q", struct.pack("<d", x.real))[0]
        d["imag_bits"] = "%016x" % struct.unpack("<Q", struct.pack("<d", x.imag))[0]
    elif isinstance(x, (bytes_type, bytearray)):
        d["hex"] = hexs(bytes(x))
        d["len"] = len(x)
    elif isinstance(x, text_type):
        if PY2:
            d["utf8_hex"] = hexs(x.encode("utf-8"))
        else:
            d["utf8_hex"] = hexs(x.encode("utf-8", "surrogatepass"))
        d["len"] = len(x)
    elif isinstance(x, (tuple, list, set, frozenset)):
        inner = stack + (id(x),)
        d["items"] = [describe(i, inner) for i in x]
    elif isinstance(x, dict):
        inner = stack + (id(x),)
        d["items"] = [[describe(k, inner), describe(v, inner)]
                      for k, v in x.items()]
    return d


def describe_code(co):
    d = {}
    for name in dir(co):
        if not name.startswith("co_"):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v = getattr(co, name)
        if name == "co_consts":
            d[name] = [describe(c) for c in v]
        elif name in ("co_lines", "co_positions"):
            d[name] = [list(t) for t in v()]
        elif callable(v):
            d[name] = "<method>"
        elif name in BYTES_ATTRS:
            d[name] = hexs(v)
        elif isinstance(v, tuple):
            d[name] = [as_text(s) for s in v]
        elif isinstance(v, (text_type, bytes_type)):
            d[name] = as_text(v)
        elif isinstance(v, int_types):
            d[name] = int(v)
        else:
            d[name] = norm_repr(v)
    d["findlinestarts"] = [list(t) for t in dis.findlinestarts(co)]
    return d


def _scalar(o):
    return not isinstance(o, (dict, list))


def _flat(o):
    """Lists of scalars, lists of such lists, and dicts of scalars go on one
    line; everything else is indented one space per level."""
    if isinstance(o, dict):
        return all(_scalar(v) for v in o.values())
    if isinstance(o, list):
        return all(_scalar(x) or (isinstance(x, list) and all(_scalar(y) for y in x))
                   for x in o)
    return True


def encode_json(o, level=0):
    if _flat(o):
        return json.dumps(o, sort_keys=True, separators=(",", ":"),
                          ensure_ascii=True)
    pad = "\n" + " " * (level + 1)
    if isinstance(o, dict):
        parts = [json.dumps(k, ensure_ascii=True) + ": " + encode_json(o[k], level + 1)
                 for k in sorted(o)]
        return "{" + pad + ("," + pad).join(parts) + "\n" + " " * level + "}"
    parts = [encode_json(x, level + 1) for x in o]
    return "[" + pad + ("," + pad).join(parts) + "\n" + " " * level + "]"


def dump_json(path, obj):
    text = encode_json(obj)
    if not isinstance(text, text_type):
        text = text.decode("ascii")
    with open(path, "wb") as f:
        f.write(text.encode("ascii") + b"\n")


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


# ------------------------------------------------------------------- pycs

# Run in a fresh `python [-O|-OO] -s -c` per pyc: py_compile itself writes
# every pyc. Marshal's FLAG_REF bits depend on reference counts (and which
# strings are already interned), that is on what else the process holds, so
# a pyc made in the same process as other work can differ from what
# `python -m py_compile` writes. The snippet binds no names of its own that
# a source might share.
PYCOMPILE_LEGACY = ("import sys,py_compile as p;a=sys.argv;"
                    "p.compile(a[1],a[2],a[3],True)")
PYCOMPILE_37 = ("import sys,py_compile as p;a=sys.argv;"
                "p.compile(a[1],a[2],a[3],True,"
                "invalidation_mode=p.PycInvalidationMode[a[4]])")
MODE_ENUM = {"timestamp": "TIMESTAMP", "checked-hash": "CHECKED_HASH",
             "unchecked-hash": "UNCHECKED_HASH"}


def expected_header(mode, size, shash):
    """The header this script expects py_compile to have written."""
    magic = magic_bytes()
    if VER < (3, 3):
        return magic + struct.pack("<I", MTIME)
    if VER < (3, 7):
        return magic + struct.pack("<II", MTIME, size & 0xFFFFFFFF)
    if mode == "timestamp":
        return magic + struct.pack("<III", 0, MTIME, size & 0xFFFFFFFF)
    flags = 0b11 if mode == "checked-hash" else 0b01
    return magic + struct.pack("<I", flags) + shash


def check_with_importlib(pyc, mode, size, shash, name):
    """The interpreter's own import machinery must accept the header."""
    if VER < (3, 6):
        return
    import importlib._bootstrap_external as be
    if VER < (3, 7):
        be._validate_bytecode_header(pyc, {"mtime": MTIME, "size": size}, name)
        return
    flags = be._classify_pyc(pyc, name, {})
    if flags != struct.unpack("<I", pyc[4:8])[0]:
        raise SystemExit("gen-testdata: %s: flags mismatch" % name)
    if mode == "timestamp":
        be._validate_timestamp_pyc(pyc, MTIME, size, name, {})
    else:
        be._validate_hash_pyc(pyc, shash, name, {})


def parse_header(pyc):
    magic = pyc[:4]
    h = {"magic_hex": hexs(magic), "magic": struct.unpack("<H", magic[:2])[0],
         "length": header_length()}
    if VER < (3, 3):
        h["mtime"] = struct.unpack("<I", pyc[4:8])[0]
    elif VER < (3, 7):
        h["mtime"], h["source_size"] = struct.unpack("<II", pyc[4:12])
    else:
        flags = struct.unpack("<I", pyc[4:8])[0]
        h["flags"] = flags
        if flags & 1:
            h["hash_hex"] = hexs(pyc[8:16])
            h["check_source"] = bool(flags & 2)
        else:
            h["mtime"], h["source_size"] = struct.unpack("<II", pyc[8:16])
    return h


def gen_source(d, stem, path, out, tmp, report):
    """Write NAME.<mode>.pyc and NAME.<mode>.pyc.json for every mode.

    py_compile compiles a copy of the source whose mtime is MTIME; dfile
    makes co_filename the repository-relative path. A pyc whose marshal body
    equals that of an earlier pyc of the same source (another invalidation
    mode, or an -O level that changed nothing) gets "code_in" naming the
    JSON that holds the description, and no .dis (see gen-testdata.sh)."""
    with open(path, "rb") as f:
        data = f.read()
    # co_filename: the same relative path whatever --src was
    filename = "testdata/src/%s/%s.py" % (d, stem)
    copy = os.path.join(tmp, stem + ".py")
    with open(copy, "wb") as f:
        f.write(data)
    os.utime(copy, (MTIME, MTIME))
    shash = source_hash(data) if VER >= (3, 7) else None
    holders = {}
    for tag, opt, mode in modes():
        name = "%s.%s.pyc" % (stem, tag)
        dest = os.path.join(out, name)
        cmd = [sys.executable]
        if opt:
            cmd.append("-" + "O" * opt)
        if VER >= (3, 7):
            cmd += ["-s", "-c", PYCOMPILE_37, copy, dest, filename,
                    MODE_ENUM[mode]]
        else:
            cmd += ["-s", "-c", PYCOMPILE_LEGACY, copy, dest, filename]
        if subprocess.call(cmd) != 0 or not os.path.exists(dest):
            msg = "%s: py_compile failed at -O%d (%s)" % (filename, opt, mode)
            sys.stderr.write("gen-testdata: %s\n" % msg)
            report.append(msg)
            if os.path.exists(dest):
                os.remove(dest)
            return
        with open(dest, "rb") as f:
            pyc = f.read()
        hl = header_length()
        if pyc[:hl] != expected_header(mode, len(data), shash):
            raise SystemExit("gen-testdata: %s: unexpected header %s"
                             % (name, hexs(pyc[:hl])))
        check_with_importlib(pyc, mode, len(data), shash, name)
        body = pyc[hl:]
        body_sum = hashlib.sha256(body).hexdigest()
        info = {
            "file": name,
            "source": filename,
            "source_size": len(data),
            "source_sha256": hashlib.sha256(data).hexdigest(),
            "python": VERSION,
            "mode": mode,
            "optimize": opt,
            "header": parse_header(pyc),
            "marshal_size": len(body),
            "marshal_sha256": body_sum,
        }
        if shash is not None:
            info["source_hash_hex"] = hexs(shash)
        if body_sum in holders:
            info["code_in"] = holders[body_sum] + ".json"
        else:
            holders[body_sum] = name
            info["code"] = describe_code(marshal.loads(body))
        if tag == "ts":
            ts_sum = body_sum
        elif opt == 0 and body_sum != ts_sum:
            # same source and level in equal fresh processes: not expected
            sys.stderr.write("gen-testdata: note: %s: marshal body differs "
                             "from %s.ts.pyc\n" % (name, stem))
        dump_json(dest + ".json", info)


# ------------------------------------------------------------ sourcehash

def lcg_bytes(n):
    state = LCG_SEED
    out = bytearray(n)
    mask = (1 << 64) - 1
    for i in range(n):
        state = (state * LCG_A + LCG_C) & mask
        out[i] = state >> 56
    return bytes(out)


def write_sourcehash(out):
    every = bytes(bytearray(range(256)))
    cases = [("empty", b""), ("ascii", b"hello world"),
             ("source", b"print('hello')\n"), ("every-byte", every)]
    for n in range(1, 25):
        cases.append(("every-byte-prefix-%d" % n, every[:n]))
    rows = []
    for name, data in cases:
        rows.append({"name": name, "len": len(data), "hex": hexs(data),
                     "hash_hex": hexs(source_hash(data))})
    big = lcg_bytes(1 << 20)
    rows.append({"name": "lcg-1MiB", "len": len(big),
                 "sha256": hashlib.sha256(big).hexdigest(),
                 "first_32_hex": hexs(big[:32]),
                 "lcg": {"seed": "0x%016x" % LCG_SEED, "a": "0x%016x" % LCG_A,
                         "c": "0x%016x" % LCG_C,
                         "rule": "state = (state*a + c) mod 2**64, then "
                                 "byte = state >> 56; seed is the state "
                                 "before the first byte; numbers are "
                                 "hex strings (64-bit)"},
                 "hash_hex": hexs(source_hash(big))})
    import importlib.util
    magic = importlib.util.MAGIC_NUMBER
    dump_json(os.path.join(out, "sourcehash.json"), {
        "python": VERSION,
        "magic_hex": hexs(magic),
        "key": struct.unpack("<I", magic)[0],
        "sys_hash_algorithm": sys.hash_info.algorithm,
        "note": "hash_hex is importlib.util.source_hash(data): SipHash "
                "(2-4 up to 3.10, 1-3 from 3.11) with k0 = the 4-byte magic "
                "read as a little-endian integer and k1 = 0",
        "cases": rows,
    })


# ---------------------------------------------------------------- marshal

def marshal_values():
    """[(name, value)]; values are built afresh, in a fixed order, so that
    reference counts (which decide FLAG_REF) are the same on every run."""
    if PY2:
        import __builtin__
        intern = __builtin__.intern
    else:
        intern = sys.intern
    vals = []
    vals.append(("singletons", (None, True, False, Ellipsis, StopIteration)))
    vals.append(("none", None))
    vals.append(("int-small", 7))
    vals.append(("int-big", 2 ** 100 + 12345))
    ints = [0, 1, -1, 255, -256, 2 ** 15 - 1, 2 ** 15, -2 ** 15,
            2 ** 30 - 1, 2 ** 30, 2 ** 31 - 1, -2 ** 31, 2 ** 31, -2 ** 31 - 1,
            2 ** 32, 2 ** 62, 2 ** 63 - 1, -2 ** 63, 2 ** 63, -2 ** 63 - 1,
            2 ** 64, -2 ** 64, 10 ** 100, -10 ** 100, 3 ** 500]
    if PY2:
        ints += [long(0), long(1), long(-1), long(2 ** 31)]  # noqa: F821
    vals.append(("ints", tuple(ints)))
    inf = float("inf")
    nan = float("nan")
    vals.append(("floats", (0.0, -0.0, 0.1, 1.5, -2.5, 1e300, 1e-300, 5e-324,
                            1.7976931348623157e308, inf, -inf, nan, -nan,
                            1.0 / 3)))
    vals.append(("complex", (0j, 1j, -1j, 1 + 2j, complex(inf, -inf),
                             complex(nan, 0.0), complex(-0.0, -0.0),
                             complex(0.1, 1e300))))
    every = bytes(bytearray(range(256)))
    vals.append(("bytes", (b"", b"a", every, b"x" * 300)))
    vals.append(("bytearray", bytearray(b"abc")))
    space = "".join(["hello", " ", "world"])  # built at run time: not interned
    ident = intern("".join(["ab", "c"]))
    vals.append(("strs", (
        u"", u"a", ident, ident, space, space,
        u"".join([u"x"] * 300), intern("".join(["y"] * 300)),
        u"caf\xe9", u"\u20ac", u"\U0001f600", u"\ud800", u"\udfff",
        u"\xe9" * 300, u"".join(map(chr if not PY2 else unichr,  # noqa: F821
                                    range(1, 256))))))
    if PY2:
        vals.append(("py2-str-vs-unicode", (
            intern("name"), intern("name"), "".join(["not ", "interned"]), u"name",
            u"name", "\xff\x00")))
    vals.append(("tuple-empty", ()))
    vals.append(("tuple-nested", (1, (2, (3, ())), [4, {5: 6}], u"z")))
    vals.append(("tuple-255", tuple(range(255))))
    vals.append(("tuple-256", tuple(range(256))))
    vals.append(("list", [1, u"two", 3.0, [4, [5]], (), []]))
    vals.append(("list-long", list(range(300))))
    vals.append(("dict", {u"a": 1, u"b": [2, 3], 4: u"four", (5, 6): None,
                          u"nested": {u"x": {}}}))
    vals.append(("set", set([1, 2, 3])))
    vals.append(("frozenset", frozenset([1, 2, 3])))
    vals.append(("sets-empty", (set(), frozenset())))
    vals.append(("set-of-frozensets", set([frozenset([1]), frozenset()])))
    vals.append(("containers-empty", ((), [], {}, set(), frozenset())))
    shared = [1]
    shared_t = (space, 2)
    vals.append(("shared", (shared, shared, shared_t, shared_t,
                            {u"k1": shared, u"k2": shared})))
    selfref = []
    selfref.append(selfref)
    vals.append(("selfref-list", selfref))
    selfdict = {}
    selfdict[u"self"] = selfdict
    vals.append(("selfref-dict", selfdict))
    vals.append(("code", compile("def f(a, b=1):\n    return a + b\n",
                                 "<marshal>", "exec", 0, True)))
    return vals


def write_marshal(out):
    """marshal/NAME.vN.marshal for every marshal version that accepts the
    value, and one marshal/NAME.json describing the value and its blobs."""
    mdir = os.path.join(out, "marshal")
    os.mkdir(mdir)
    for name, value in marshal_values():
        info = {"name": name, "python": VERSION, "repr": norm_repr(value),
                "value": describe(value), "blobs": []}
        for version in range(marshal.version + 1):
            base = "%s.v%d.marshal" % (name, version)
            blob = {"version": version}
            try:
                data = marshal.dumps(value, version)
            except (ValueError, RuntimeError) as e:
                blob["error"] = "%s: %s" % (type(e).__name__, e)
                info["blobs"].append(blob)
                continue
            write_bytes(os.path.join(mdir, base), data)
            blob.update({"file": base, "size": len(data),
                         "sha256": hashlib.sha256(data).hexdigest()})
            back = describe(marshal.loads(data))
            if back != info["value"]:
                # what marshal.loads gives back, where it differs
                blob["loaded"] = back
            info["blobs"].append(blob)
        dump_json(os.path.join(mdir, name + ".json"), info)


# ------------------------------------------------------------------- main

def rmtree_files(out):
    """Empty OUT (which only ever holds what this script writes)."""
    for dirpath, dirnames, filenames in os.walk(out, topdown=False):
        for f in filenames:
            os.remove(os.path.join(dirpath, f))
        for d in dirnames:
            os.rmdir(os.path.join(dirpath, d))


def main(argv):
    import argparse
    p = argparse.ArgumentParser()
    p.add_argument("--src", required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args(argv)
    sources = list_sources(a.src)
    if os.environ.get("PYTHONHASHSEED") != "0":
        sys.stderr.write("gen-testdata: warning: PYTHONHASHSEED is not 0; "
                         "set and dict orders will differ from run to run\n")
    if not os.path.isdir(a.out):
        os.makedirs(a.out)
    rmtree_files(a.out)
    status = 0
    failed = []
    tmp = tempfile.mkdtemp(prefix="gen-testdata-")
    try:
        for d, stem, path in sources:
            if dir_accepts(d):
                gen_source(d, stem, path, a.out, tmp, failed)
    finally:
        for f in os.listdir(tmp):
            os.remove(os.path.join(tmp, f))
        os.rmdir(tmp)
    if failed:
        status = 1
    if VER >= (3, 7):
        write_sourcehash(a.out)
    write_marshal(a.out)
    accepted = [d + "/" + s + ".py" for d, s, _ in sources if dir_accepts(d)]
    dump_json(os.path.join(a.out, "python.json"), {
        "version": VERSION,
        "sys_version": sys.version,
        "implementation": "CPython",
        "magic_hex": hexs(magic_bytes()),
        "magic": struct.unpack("<H", magic_bytes()[:2])[0],
        "header_length": header_length(),
        "marshal_version": marshal.version,
        "mtime": MTIME,
        "modes": [{"tag": t, "optimize": o, "mode": m} for t, o, m in modes()],
        "sources": accepted,
        "not_applicable": [d + "/" + s + ".py" for d, s, _ in sources
                           if not dir_accepts(d)],
        "failed": failed,
    })
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

# Prints, as one JSON object on stdout, the opcode facts of the Python
# interpreter that runs this script.  It must run unchanged on Python 2.7,
# 3.6 and later, and on PyPy.  The Go generator (package gen) reads the
# object and writes it, normalised, to opcode/facts/<impl>-<X.Y>.json.
#
# Two kinds of facts are collected:
#   * data that the opcode, dis and _opcode modules expose as values
#     (opname, has* lists, cache layouts, specialisations, ...);
#   * facts that live only in the code of dis (how an oparg is turned into
#     the text dis prints).  These are found by asking dis itself to decode
#     single synthetic instructions ("probes") and looking at what it
#     returns, so nothing here restates dis's logic by hand.

import json
import re
import sys

import dis
import opcode

try:
    import _opcode
except ImportError:
    _opcode = None

PY3 = sys.version_info[0] >= 3

# OPCODEGEN_WORDCODE=0 or 1 overrides the instruction format that is
# otherwise read off the running interpreter.  It is for transcribing a
# release that cannot be run: its own Lib/opcode.py and Lib/dis.py are put
# first on PYTHONPATH and evaluated by a nearby interpreter.
_WORDCODE_ENV = __import__("os").environ.get("OPCODEGEN_WORDCODE")
if _WORDCODE_ENV in ("0", "1"):
    WORDCODE = _WORDCODE_ENV == "1"
else:
    WORDCODE = len(compile("x.y", "<probe>", "eval").co_code) % 2 == 0

HAS_LISTS = (
    "hasarg",
    "hascompare",
    "hasconst",
    "hasexc",
    "hasfree",
    "hasjabs",
    "hasjrel",
    "hasjump",
    "haslocal",
    "hasname",
    "hasnargs",
)

NAMES = tuple("n%d" % i for i in range(64))
VARNAMES = tuple("v%d" % i for i in range(64))


def impl_name():
    name = getattr(getattr(sys, "implementation", None), "name", None)
    if name is None:
        name = "pypy" if "__pypy__" in sys.builtin_module_names else "cpython"
    return {"cpython": "CPython", "pypy": "PyPy", "graalpy": "GraalPy"}.get(name, name)


def as_list(seq):
    return [x for x in seq]


def opname_of(op):
    names = opcode.opname
    if 0 <= op < len(names):
        return names[op]
    return "<%d>" % op


def all_opname():
    return getattr(dis, "_all_opname", opcode.opname)


def deop(op):
    # Base opcode of a specialised one, as dis computes it.
    f = getattr(dis, "_deoptop", None)
    if f is None:
        return op
    return f(op)


def cache_entries(op):
    ice = getattr(opcode, "_inline_cache_entries", None)
    if ice is None:
        return 0
    if hasattr(ice, "items"):
        return ice.get(opname_of(op), 0)
    if op < len(ice):
        return ice[op]
    return 0


# ---------------------------------------------------------------------------
# Probing dis: decode one instruction and return the argrepr dis computes.


def _probe_py2(op, arg):
    # Python 2: dis.disassemble_string prints; read the text in parentheses.
    import StringIO  # noqa: F401 (Python 2 only)

    code = chr(op) + chr(arg & 0xFF) + chr(arg >> 8)
    buf = StringIO.StringIO()
    old = sys.stdout
    sys.stdout = buf
    try:
        try:
            dis.disassemble_string(code, -1, VARNAMES, NAMES, None)
        except KeyError:
            # 2.3 and 2.4: disassemble_string still looks up SET_LINENO,
            # which opcode no longer has; use a code object instead.
            buf.truncate(0)
            import types

            co = types.CodeType(
                0, len(VARNAMES), 0, 0, code, (None,), NAMES, VARNAMES,
                "<probe>", "<probe>", 1, "", VARNAMES, ()
            )
            dis.disassemble(co)
    finally:
        sys.stdout = old
    text = buf.getvalue().strip()
    m = re.search(r"\((.*)\)\s*$", text)
    if m:
        return m.group(1)
    return ""


def _probe_bytes(op, arg):
    if not WORDCODE:
        if op < opcode.HAVE_ARGUMENT:
            return bytes(bytearray([op]))
        return bytes(bytearray([op, arg & 0xFF, arg >> 8]))
    caches = cache_entries(deop(op))
    return bytes(bytearray([op, arg] + [0, 0] * caches))


def _probe_text(op, arg):
    # Python 3 before dis.get_instructions (3.0 to 3.3): read the printed
    # text in parentheses.
    import io

    buf = io.StringIO()
    old = sys.stdout
    sys.stdout = buf
    try:
        f = dis._disassemble_bytes
        try:
            f(_probe_bytes(op, arg), -1, VARNAMES, NAMES, None, VARNAMES, None)
        except TypeError:
            f(_probe_bytes(op, arg), -1, VARNAMES, NAMES, None)
    finally:
        sys.stdout = old
    text = buf.getvalue().strip()
    m = re.search(r"\((.*)\)\s*$", text)
    if m:
        return m.group(1)
    return ""


def probe(op, arg):
    """Returns dis's argrepr for op with oparg arg (arg < 256), or None."""
    try:
        if not PY3:
            return _probe_py2(op, arg)
        resolver = getattr(dis, "ArgResolver", None)
        if resolver is not None:  # 3.13+
            r = resolver(
                co_consts=None, names=NAMES, varname_from_oparg=VARNAMES.__getitem__
            )
            d = deop(op)
            if d in getattr(opcode, "hasjump", ()) or d in opcode.hasjrel or d in opcode.hasjabs:
                return "to %d" % r.offset_from_jump_arg(op, arg, 0)
            return r.get_argval_argrepr(op, arg, 0)[1]
        if not hasattr(dis, "_get_instructions_bytes"):
            return _probe_text(op, arg)
        code = _probe_bytes(op, arg)
        if "varname_from_oparg" in dis._get_instructions_bytes.__code__.co_varnames:  # 3.11+
            insts = dis._get_instructions_bytes(
                code,
                varname_from_oparg=VARNAMES.__getitem__,
                names=NAMES,
                co_consts=None,
                co_positions=iter(()),
            )
        else:
            insts = dis._get_instructions_bytes(code, VARNAMES, NAMES, None, VARNAMES)
        return next(iter(insts)).argrepr
    except Exception:
        return None


def probe_jump(op):
    # target = base + step*arg (+ the instruction's offset for relative jumps)
    t0 = probe(op, 0)
    t1 = probe(op, 1)
    if not (t0 and t1 and t0.startswith("to ") and t1.startswith("to ")):
        return None
    b = int(t0[3:])
    out = {"base": b, "step": int(t1[3:]) - b}
    resolver = getattr(dis, "ArgResolver", None)
    if resolver is not None:  # 3.13+: dis prints labels, L1, L2, ...
        target = b + out["step"]
        r = resolver(co_consts=None, names=NAMES, varname_from_oparg=VARNAMES.__getitem__,
                     labels_map={target: 1})
        text = r.get_argval_argrepr(op, 1, 0)[1]
        out["format"] = text.replace("L1", "%s", 1)
    else:
        out["format"] = t1.replace(str(b + out["step"]), "%s", 1)
    return out


def _labels(op, arg):
    # The jump targets dis.findlabels sees for a single instruction placed
    # after a run of NOPs (so that backward targets stay positive).
    nop = opcode.opmap.get("NOP", opcode.opmap["POP_TOP"])  # no NOP before 2.4
    if PY3 and not WORDCODE:
        pad = bytes(bytearray([nop] * 32))
        code = pad + _probe_bytes(op, arg)
        where = len(pad)
    elif PY3:
        pad = bytes(bytearray([nop, 0] * 16))
        code = pad + _probe_bytes(op, arg)
        where = len(pad)
    else:
        pad = chr(nop) * 32
        code = pad + chr(op) + chr(arg & 0xFF) + chr(arg >> 8)
        where = len(pad)
    labels = list(dis.findlabels(code))
    if len(labels) != 1:
        return None
    if op in opcode.hasjrel:
        return labels[0] - where
    return labels[0]


def label_jump(op):
    # For jumps whose target dis does not print, the rule findlabels uses.
    try:
        t4 = _labels(op, 4)
        t5 = _labels(op, 5)
    except Exception:
        return None
    if t4 is None or t5 is None:
        return None
    step = t5 - t4
    return {"base": t4 - 4 * step, "step": step}


NAME_RE = re.compile(r"\bn(\d+)\b")


def probe_name(op):
    r8 = probe(op, 8)
    if r8 is None:
        return None
    m = NAME_RE.search(r8)
    if not m:
        return None
    idx = int(m.group(1))
    shift = {8: 0, 4: 1, 2: 2, 1: 3}.get(idx)
    if shift is None:
        return None
    out = {"shift": shift}
    flags = {}
    for b in range(max(shift, 1)):
        plain = "n%d" % (8 >> shift)
        r = probe(op, 8 | (1 << b))
        if r is not None and r != plain:
            flags[str(1 << b)] = r.replace(plain, "%s", 1)
    if flags:
        out["flags"] = flags
    return out


def probe_compare(op):
    want = opcode.cmp_op[2]
    for s in range(8):
        base = probe(op, 2 << s)
        if base == want:
            flags = {}
            for b in range(s):
                r = probe(op, (2 << s) | (1 << b))
                if r is not None and r != base:
                    flags[str(1 << b)] = r.replace(want, "%s", 1)
            return {"shift": s, "flags": flags}
    return None


def probe_reprs(name, n):
    op = opcode.opmap.get(name)
    if op is None:
        return None
    out = [probe(op, a) for a in range(n)]
    if any(x is None for x in out):
        return None
    return out


def probe_flags(name):
    op = opcode.opmap.get(name)
    if op is None:
        return None
    out = []
    for b in range(8):
        r = probe(op, 1 << b)
        if r is None:
            return None
        out.append(r)
    while out and out[-1] == "":
        out.pop()
    return out


def probes():
    p = {}
    jumps = {}
    jump_ops = set(opcode.hasjrel) | set(opcode.hasjabs) | set(getattr(opcode, "hasjump", ()))
    for op in sorted(jump_ops):
        if op > 255:
            continue
        j = probe_jump(op)
        if j is not None:
            j["shown"] = True
        else:
            j = label_jump(op)
            if j is None:
                continue
            j["shown"] = False
        j["rel"] = op in opcode.hasjrel
        jumps[opname_of(op)] = j
    p["jumps"] = jumps

    names = {}
    for op in sorted(opcode.hasname):
        if op > 255:
            continue
        n = probe_name(op)
        if n is not None and (n["shift"] != 0 or "low_bit" in n):
            names[opname_of(op)] = n
    p["name_args"] = names

    for op in sorted(opcode.hascompare):
        c = probe_compare(op)
        if c is not None:
            p["compare"] = c
            break

    pairs = []
    for op in sorted(opcode.haslocal):
        if op > 255:
            continue
        r = probe(op, 0x12)
        if r == "v1, v2":
            pairs.append(opname_of(op))
    p["local_pairs"] = pairs

    for op in sorted(getattr(opcode, "hasnargs", ())):
        r = probe(op, 0x0102)
        if r and r.startswith("2") and "1" in r:
            p["nargs"] = r.replace("2", "%d", 1).replace("1", "%d", 1)
        break

    reprs = {}
    for name, n in (
        ("IS_OP", 2),
        ("CONTAINS_OP", 2),
        ("LOAD_SPECIAL", len(getattr(opcode, "_special_method_names", ()))),
        ("LOAD_COMMON_CONSTANT", len(getattr(opcode, "_common_constants", ()))),
    ):
        if n and PY3:
            r = probe_reprs(name, n)
            if r is not None and any(r):
                reprs[name] = r
    p["arg_reprs"] = reprs

    if PY3:
        fv = probe_reprs("FORMAT_VALUE", 8)
        if fv is not None:
            p["format_value"] = fv
        cv = probe_reprs("CONVERT_VALUE", 4)
        if cv is not None:
            p["convert_value"] = cv
        for name in ("MAKE_FUNCTION", "SET_FUNCTION_ATTRIBUTE"):
            fl = probe_flags(name)
            if fl:
                p["function_flags"] = {"op": name, "names": fl}
    return p


# ---------------------------------------------------------------------------


def main():
    v = sys.version_info
    f = {
        "impl": impl_name(),
        "version": "%d.%d" % (v[0], v[1]),
        "source": "dumped from %s %d.%d.%d by internal/gen/opcodegen -dump "
        "(modules opcode, dis, _opcode)" % (impl_name(), v[0], v[1], v[2]),
        "have_argument": opcode.HAVE_ARGUMENT,
        "extended_arg": getattr(opcode, "EXTENDED_ARG", None),
        "opname": as_list(opcode.opname),
        "cmp_op": as_list(opcode.cmp_op),
        # Wordcode (2-byte instructions, 3.6+) versus 1- or 3-byte ones.
        "wordcode": WORDCODE,
    }
    has = {}
    for name in HAS_LISTS:
        lst = getattr(opcode, name, None)
        if lst is not None:
            has[name] = sorted(lst)
    f["has"] = has

    extra = {}
    for name, op in opcode.opmap.items():
        if op >= len(opcode.opname) or opcode.opname[op] != name:
            extra[name] = op
    if extra:
        f["opmap_extra"] = extra
    pseudo = {}
    for name, op in opcode.opmap.items():
        if op > 255:
            pseudo[name] = op
    if pseudo:
        f["pseudo_opmap"] = pseudo

    ice = getattr(opcode, "_inline_cache_entries", None)
    if ice is not None:
        caches = {}
        if hasattr(ice, "items"):
            for name, n in ice.items():
                if n:
                    caches[name] = n
        else:
            for op, n in enumerate(ice):
                if n:
                    caches[opname_of(op)] = n
        f["inline_cache_entries"] = caches
    cf = getattr(opcode, "_cache_format", None)
    if cf is not None:
        f["cache_format"] = dict(
            (name, [[k, n] for k, n in fields.items()]) for name, fields in cf.items()
        )
    spec = getattr(opcode, "_specializations", None)
    if spec is not None:
        f["specializations"] = dict((k, as_list(v)) for k, v in spec.items())
    si = getattr(opcode, "_specialized_instructions", None)
    if si is not None:
        f["specialized_instructions"] = as_list(si)
    som = getattr(opcode, "_specialized_opmap", None)
    if som is not None:
        f["specialized_opmap"] = dict(som)
    nb = getattr(opcode, "_nb_ops", None)
    if nb is not None:
        f["nb_ops"] = [[a, b] for a, b in nb]
    for attr, key in (("_intrinsic_1_descs", "intrinsic1"), ("_intrinsic_2_descs", "intrinsic2")):
        val = getattr(opcode, attr, None)
        if val is not None:
            f[key] = as_list(val)
    po = getattr(opcode, "_pseudo_ops", None)
    if po is not None:
        f["pseudo_targets"] = dict((k, as_list(v)) for k, v in po.items())
    consts = {}
    for attr in ("MIN_PSEUDO_OPCODE", "MAX_PSEUDO_OPCODE", "MIN_INSTRUMENTED_OPCODE"):
        val = getattr(opcode, attr, None)
        if val is not None:
            consts[attr] = val
    if consts:
        f["constants"] = consts
    es = getattr(opcode, "ENABLE_SPECIALIZATION", None)
    if es is None and _opcode is not None:
        es = getattr(_opcode, "ENABLE_SPECIALIZATION", None)
    if es is not None:
        f["enable_specialization"] = bool(es)

    d = {}
    if hasattr(dis, "_all_opname"):
        d["all_opname"] = as_list(dis._all_opname)
    if hasattr(dis, "deoptmap"):
        d["deoptmap"] = dict(dis.deoptmap)
    if hasattr(dis, "FORMAT_VALUE_CONVERTERS"):
        d["format_value_converters"] = [name for _, name in dis.FORMAT_VALUE_CONVERTERS]
    for attr in ("MAKE_FUNCTION_FLAGS", "FUNCTION_ATTR_FLAGS"):
        if hasattr(dis, attr):
            d["function_flag_names"] = as_list(getattr(dis, attr))
    for mod in (opcode, dis):
        cc = getattr(mod, "_common_constants", None)
        if cc is not None:
            d["common_constants"] = [getattr(c, "__name__", repr(c)) for c in cc]
    smn = getattr(opcode, "_special_method_names", None)
    if smn is not None:
        d["special_method_names"] = as_list(smn)
    if hasattr(dis, "COMPILER_FLAG_NAMES"):
        d["compiler_flag_names"] = dict((str(k), v) for k, v in dis.COMPILER_FLAG_NAMES.items())
    d["decode"] = probes()
    f["dis"] = d

    sys.stdout.write(json.dumps(f, sort_keys=True))
    sys.stdout.write("\n")


main()

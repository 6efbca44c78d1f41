# Prints, as one JSON object on stdout, the stack effects that the running
# interpreter's dis.stack_effect reports for each of its opcodes, fitted to
# a small formula per opcode, and the COMPARE_OP arguments its compiler
# writes.  Runs on CPython 3.6 and later.  The Go generator
# (internal/gen/effectgen) writes the object to build/facts/.
#
# Formula: effect(arg) = base + sum(bits[b] for each bit b set in arg),
# except for the arguments listed in "over" (arg -> effect).  Every sample
# that dis accepts is checked against the formula; a sample dis rejects is
# left out.  With "jump", the effect when the jump is taken has its own
# formula (3.8+, where dis.stack_effect takes jump=).

import dis
import json
import opcode
import sys

NBITS = 25
SAMPLES = sorted(set(list(range(0, 256)) + [1 << b for b in range(NBITS)] + [
    257, 300, 511, 513, 1000, 1023, 4095, 65535, 65537, (1 << 20) + 5, (1 << 24) - 1,
]))


def has_arg(op):
    if hasattr(opcode, "hasarg"):
        return op in opcode.hasarg
    return op >= opcode.HAVE_ARGUMENT


def base_ops():
    spec = set()
    for names in getattr(opcode, "_specializations", {}).values():
        spec.update(names)
    min_instr = getattr(opcode, "MIN_INSTRUMENTED_OPCODE", 256)
    out = []
    for name, op in sorted(opcode.opmap.items(), key=lambda kv: kv[1]):
        if op >= 256 or op >= min_instr or name in spec:
            continue
        out.append((name, op))
    return out


def effect(op, arg, jump):
    try:
        if not has_arg(op):
            if jump is None:
                return dis.stack_effect(op)
            return dis.stack_effect(op, jump=jump)
        if jump is None:
            return dis.stack_effect(op, arg)
        return dis.stack_effect(op, arg, jump=jump)
    except (ValueError, TypeError):
        return None


def fit(samples):
    # samples: {arg: effect}
    if 0 not in samples:
        return None
    base = samples[0]
    bits = []
    for b in range(NBITS):
        a = 1 << b
        bits.append(samples[a] - base if a in samples else 0)
    while bits and bits[-1] == 0:
        bits.pop()
    over = {}
    for a, e in sorted(samples.items()):
        want = base + sum(d for b, d in enumerate(bits) if a >> b & 1)
        if want != e:
            over[str(a)] = e
    if len(over) > 8:
        raise SystemExit("opcode effect does not fit the formula: %r" % (samples,))
    out = {"base": base}
    if bits:
        out["bits"] = bits
    if over:
        out["over"] = over
    return out


def collect(op, jump):
    args = SAMPLES if has_arg(op) else [0]
    samples = {}
    for a in args:
        e = effect(op, a, jump)
        if e is not None:
            samples[a] = e
    return samples


def compare_args():
    # The oparg the compiler writes for "a OP b" in an expression, by
    # operator index in opcode.cmp_op.
    out = []
    cmp_op = getattr(opcode, "cmp_op", ())
    ops = {"<": "<", "<=": "<=", "==": "==", "!=": "!=", ">": ">", ">=": ">="}
    cop = opcode.opmap["COMPARE_OP"]
    for sym in cmp_op:
        if sym not in ops:
            out.append(None)
            continue
        co = compile("x = a %s b" % sym, "<probe>", "exec")
        arg = None
        for ins in dis.get_instructions(co):
            if ins.opcode == cop:
                arg = ins.arg
        out.append(arg)
    return out


def main():
    jump_param = True
    try:
        dis.stack_effect(opcode.opmap["POP_TOP"], jump=True)
    except TypeError:
        jump_param = False
    ops = {}
    for name, op in base_ops():
        plain = collect(op, False if jump_param else None)
        if not plain:
            continue
        entry = {"op": op, "arg": has_arg(op), "effect": fit(plain)}
        if jump_param:
            j = fit(collect(op, True))
            if j is not None and j != entry["effect"]:
                entry["jump"] = j
        ops[name] = entry
    impl = getattr(sys.implementation, "name", "cpython")
    out = {
        "impl": {"cpython": "CPython", "pypy": "PyPy"}.get(impl, impl),
        "version": "%d.%d" % sys.version_info[:2],
        "source": "dumped from %s %d.%d.%d by internal/gen/effectgen -dump (dis.stack_effect)"
        % (("CPython",) + tuple(sys.version_info[:3])),
        "jump_param": jump_param,
        "compare_args": compare_args(),
        "ops": ops,
    }
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


main()

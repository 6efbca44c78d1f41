"""Time CPython's own dis over the code objects of the pycs of an installation.

Usage: pythonX.Y bench/dis_cpython.py [--rounds N] [LIBDIR]

Loads every .pyc of this interpreter's version under LIBDIR (default: the
running interpreter's standard library directory) with marshal first, then
times dis.dis(code) into an in-memory buffer over all of them (dis recurses
into nested code objects from 3.7), best of N rounds. Prints one JSON line.
The Go side is `go test ./disasm -bench DisStdlib` over the same files.
"""
import dis
import io
import json
import marshal
import os
import sys
import sysconfig
import time


def main():
    args = sys.argv[1:]
    rounds = 3
    if args[:1] == ["--rounds"]:
        rounds = int(args[1])
        args = args[2:]
    lib = args[0] if args else sysconfig.get_paths()["stdlib"]
    tag = sys.implementation.cache_tag
    codes = []
    size = 0
    for root, dirs, files in os.walk(lib):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".pyc") and ("." + tag + ".") in name:
                with open(os.path.join(root, name), "rb") as f:
                    data = f.read()
                size += len(data)
                codes.append(marshal.loads(data[16:]))
    best = None
    for _ in range(rounds):
        out = io.StringIO()
        t0 = time.perf_counter()
        for co in codes:
            dis.dis(co, file=out)
        dt = time.perf_counter() - t0
        best = dt if best is None or dt < best else best
    print(json.dumps({"python": "%d.%d" % sys.version_info[:2], "files": len(codes),
                      "bytes": size, "seconds": round(best, 3),
                      "output_bytes": len(out.getvalue())}))


main()

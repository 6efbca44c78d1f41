"""Time CPython's C marshal.loads over the pycs of an installation.

Usage: pythonX.Y bench/marshal_loads.py [--rounds N] [LIBDIR]

Reads every .pyc of this interpreter's version under LIBDIR (default: the
running interpreter's standard library directory), strips the header, and
times marshal.loads over all the marshal streams, best of N rounds. Prints
one JSON line: files, bytes, seconds, MB/s. The Go side is
`go test ./marshal -bench Stdlib` over the same files.
"""
import json
import marshal
import os
import sys
import sysconfig
import time


def main():
    args = sys.argv[1:]
    rounds = 5
    if args[:1] == ["--rounds"]:
        rounds = int(args[1])
        args = args[2:]
    lib = args[0] if args else sysconfig.get_paths()["stdlib"]
    tag = sys.implementation.cache_tag
    blobs = []
    for root, dirs, files in os.walk(lib):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".pyc") and ("." + tag + ".") in name:
                with open(os.path.join(root, name), "rb") as f:
                    blobs.append(f.read()[16:])
    total = sum(len(b) for b in blobs)
    best = None
    loads = marshal.loads
    for _ in range(rounds):
        t0 = time.perf_counter()
        for b in blobs:
            loads(b)
        dt = time.perf_counter() - t0
        best = dt if best is None or dt < best else best
    print(json.dumps({"python": "%d.%d" % sys.version_info[:2], "files": len(blobs),
                      "bytes": total, "seconds": round(best, 4),
                      "MB_per_s": round(total / best / 1e6, 1)}))


main()

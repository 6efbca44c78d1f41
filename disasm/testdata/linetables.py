# Dumps, for every code object of each pyc named on the command line (depth
# first, as dis recurses), what the running interpreter reports about its
# line and exception tables, one JSON document per line:
#   {"path": P, "codes": [{"name", "starts", "lines", "positions", "exc"}]}
# "lines", "positions" and "exc" are null where the version lacks them.
from __future__ import print_function
import dis, json, marshal, sys


def header_len():
    v = sys.version_info
    if v < (3, 3):
        return 8
    if v < (3, 7):
        return 12
    return 16


def walk(co, out):
    rec = {"name": co.co_name}
    rec["starts"] = [list(s) for s in dis.findlinestarts(co)]
    rec["lines"] = None
    if hasattr(co, "co_lines"):
        rec["lines"] = [list(r) for r in co.co_lines()]
    rec["positions"] = None
    if hasattr(co, "co_positions"):
        rec["positions"] = [list(p) for p in co.co_positions()]
    rec["exc"] = None
    if hasattr(dis, "_parse_exception_table"):
        rec["exc"] = [[e.start, e.end, e.target, e.depth, e.lasti]
                      for e in dis._parse_exception_table(co)]
    out.append(rec)
    for k in co.co_consts:
        if hasattr(k, "co_code"):
            walk(k, out)


def main():
    for p in sys.argv[1:]:
        with open(p, "rb") as f:
            f.seek(header_len())
            try:
                co = marshal.load(f)
            except Exception:
                continue
        out = []
        walk(co, out)
        print(json.dumps({"path": p, "codes": out}))


main()
